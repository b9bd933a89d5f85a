--- qwen_lsp: a thin Neovim client for the qwen-lsp language server. It starts the server for Python and Java
--- buffers, passes the settings as initializationOptions, and shows the server's inline completions as ghost
--- text: Neovim's native vim.lsp.inline_completion on 0.12+, extmarks (qwen_lsp.ghost) before. Code actions
--- ("Fix this", "Complete this function") go through the normal vim.lsp.buf.code_action(). No completion
--- logic lives here. Neovim 0.7.2 (Debian bookworm) is the oldest version tested.
local config = require('qwen_lsp.config')
local ghost = require('qwen_lsp.ghost')

local M = {}

local api = vim.api
local NAME = 'qwen_lsp'
local has_native = vim.lsp.inline_completion ~= nil
local has_config = vim.lsp.config ~= nil and vim.lsp.enable ~= nil -- 0.11+
local has_start = vim.lsp.start ~= nil -- 0.8+

M.version = '0.1.0'

local cfg -- resolved options; nil before setup()
local native -- whether the native inline completion is in use
local enabled = true
---@type table<string, {title: string, message?: string, percentage?: number}>
local progress = {}
local progress_done = 0 -- work-done progress reports that ended (the model load is the first)
local last_error ---@type string|nil
local client_ids = {} ---@type table<integer, boolean>

local function notify(msg, level)
  vim.notify('qwen-lsp: ' .. msg, level or vim.log.levels.INFO)
end

local function get_client(bufnr)
  local getter = vim.lsp.get_clients or vim.lsp.get_active_clients
  if vim.fn.has('nvim-0.8') == 1 then
    return getter({ name = NAME, bufnr = bufnr })[1]
  end
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if client.name == NAME then
      return client
    end
  end
end

--- The qwen-lsp client attached to `bufnr` (default: current), or nil.
function M.client(bufnr)
  return get_client(bufnr or api.nvim_get_current_buf())
end

--- Wraps the `$/progress` handler to remember the server's open work-done progress (model loading).
local function progress_handler(err, result, ctx, hconfig)
  if result and result.value and result.token ~= nil then
    local token, value = tostring(result.token), result.value
    if value.kind == 'begin' then
      progress[token] = { title = value.title, message = value.message, percentage = value.percentage }
    elseif value.kind == 'report' and progress[token] then
      progress[token].message = value.message or progress[token].message
      progress[token].percentage = value.percentage or progress[token].percentage
    elseif value.kind == 'end' then
      progress[token] = nil
      progress_done = progress_done + 1
    end
  end
  local default = vim.lsp.handlers['$/progress']
  if default then
    return default(err, result, ctx, hconfig)
  end
end

--- Error messages the server shows (e.g. a model that failed to load) are kept for :QwenLsp status.
local function show_message_handler(err, result, ctx, hconfig)
  if result and result.type == 1 then
    last_error = result.message
  end
  return vim.lsp.handlers['window/showMessage'](err, result, ctx, hconfig)
end

local function map(bufnr, lhs, rhs, desc, expr)
  if lhs and lhs ~= false and lhs ~= '' then
    vim.keymap.set('i', lhs, rhs, { buffer = bufnr, expr = expr, desc = 'qwen-lsp: ' .. desc, silent = true })
  end
end

local function set_keymaps(bufnr)
  local k = cfg.keymaps
  if native then
    local ic = vim.lsp.inline_completion
    map(bufnr, k.accept, function()
      if not ic.get() then
        return k.accept
      end
      return ''
    end, 'accept the suggestion', true)
    map(bufnr, k.next, function()
      ic.select({ count = 1 })
    end, 'next suggestion')
    map(bufnr, k.prev, function()
      ic.select({ count = -1 })
    end, 'previous suggestion')
    map(bufnr, k.dismiss, function()
      -- No public "dismiss" in 0.12: re-enabling for the buffer rebuilds its completor, which drops the item.
      ic.enable(false, { bufnr = bufnr })
      ic.enable(true, { bufnr = bufnr })
    end, 'dismiss the suggestion')
  else
    map(bufnr, k.accept, function()
      if ghost.visible_text(bufnr) then
        vim.schedule(function()
          ghost.accept(bufnr)
        end)
        return ''
      end
      return k.accept
    end, 'accept the suggestion', true)
    map(bufnr, k.next, function()
      ghost.select(bufnr, 1)
    end, 'next suggestion')
    map(bufnr, k.prev, function()
      ghost.select(bufnr, -1)
    end, 'previous suggestion')
    map(bufnr, k.dismiss, function()
      ghost.clear(bufnr)
    end, 'dismiss the suggestion')
    map(bufnr, k.trigger, function()
      local client = get_client(bufnr)
      if client and enabled then
        ghost.request(bufnr, client, 1)
      end
    end, 'ask for a suggestion now')
  end
end

-- How long the cursor rests before the server hears where it is.
local FOCUS_REST_MS = 500
local focus_timer

--- Tells the server where the cursor rests (`qwen-lsp/didFocus`), once it has rested FOCUS_REST_MS: the
--- server warms the prompt of a request there, so the first keystroke in a file is fast.
local function track_focus(client, bufnr)
  local group = api.nvim_create_augroup('qwen_lsp_focus_' .. bufnr, { clear = true })
  api.nvim_create_autocmd({ 'BufEnter', 'CursorMoved', 'InsertEnter' }, {
    group = group,
    buffer = bufnr,
    callback = function()
      focus_timer = focus_timer or (vim.uv or vim.loop).new_timer()
      focus_timer:stop()
      focus_timer:start(FOCUS_REST_MS, 0, vim.schedule_wrap(function()
        if not enabled or api.nvim_get_current_buf() ~= bufnr then
          return
        end
        local params = vim.lsp.util.make_position_params(0, client.offset_encoding or 'utf-16')
        if vim.fn.has('nvim-0.11') == 1 then
          client:notify('qwen-lsp/didFocus', params)
        else
          client.notify('qwen-lsp/didFocus', params)
        end
      end))
    end,
  })
end

local function on_attach(client, bufnr)
  client_ids[client.id] = true
  set_keymaps(bufnr)
  track_focus(client, bufnr)
  if native then
    vim.lsp.inline_completion.enable(enabled, { bufnr = bufnr })
  else
    ghost.attach(bufnr, client, {
      auto_trigger = cfg.auto_trigger,
      debounce_ms = cfg.debounce_ms,
      enabled = function()
        return enabled
      end,
    })
  end
end

local function capabilities()
  local caps = vim.lsp.protocol.make_client_capabilities()
  caps.textDocument = caps.textDocument or {}
  -- Neovims before 0.12 do not announce it; the extmark renderer handles the responses.
  caps.textDocument.inlineCompletion = caps.textDocument.inlineCompletion or { dynamicRegistration = false }
  return caps
end

local function find_root(bufnr)
  local name = api.nvim_buf_get_name(bufnr)
  local dir = name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.fn.getcwd()
  if vim.fs and vim.fs.find then
    local found = vim.fs.find(cfg.root_markers, { path = dir, upward = true })[1]
    if found then
      return vim.fs.dirname(found)
    end
    return dir
  end
  for _, marker in ipairs(cfg.root_markers) do
    local hit = vim.fn.finddir(marker, dir .. ';')
    if hit ~= '' then
      return vim.fn.fnamemodify(hit, ':p:h:h')
    end
    hit = vim.fn.findfile(marker, dir .. ';')
    if hit ~= '' then
      return vim.fn.fnamemodify(hit, ':p:h')
    end
  end
  return dir
end

local function client_config(root_dir)
  return {
    name = NAME,
    cmd = cfg.cmd,
    root_dir = root_dir,
    init_options = config.init_options(cfg),
    capabilities = capabilities(),
    handlers = { ['$/progress'] = progress_handler, ['window/showMessage'] = show_message_handler },
    on_attach = on_attach,
    on_exit = function(code, signal, client_id)
      client_ids[client_id] = nil
      progress = {}
      if code ~= 0 and enabled then
        last_error = ('the server exited with code %d (signal %d)'):format(code, signal or 0)
      end
    end,
  }
end

--- Starts (or reuses) the server for `bufnr` on Neovims without vim.lsp.config.
local function start_for_buffer(bufnr)
  if not enabled or not vim.tbl_contains(cfg.filetypes, vim.bo[bufnr].filetype) then
    return
  end
  if vim.bo[bufnr].buftype ~= '' then
    return
  end
  local root = find_root(bufnr)
  if has_start then
    vim.lsp.start(client_config(root), { bufnr = bufnr })
    return
  end
  -- 0.7: vim.lsp.start does not exist; one client per root, attached by hand.
  for id in pairs(client_ids) do
    local client = vim.lsp.get_client_by_id(id)
    if client and client.config.root_dir == root then
      vim.lsp.buf_attach_client(bufnr, id)
      return
    end
  end
  local id = vim.lsp.start_client(client_config(root))
  if id then
    client_ids[id] = true
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

local function start_all()
  if has_config then
    vim.lsp.enable(NAME, true)
  else
    for _, bufnr in ipairs(api.nvim_list_bufs()) do
      if api.nvim_buf_is_loaded(bufnr) then
        start_for_buffer(bufnr)
      end
    end
  end
end

local function stop_all()
  if has_config then
    vim.lsp.enable(NAME, false)
  end
  for id in pairs(client_ids) do
    local client = vim.lsp.get_client_by_id(id)
    if client then
      for bufnr in pairs(client.attached_buffers or {}) do
        ghost.detach(bufnr)
        pcall(api.nvim_del_augroup_by_name, 'qwen_lsp_focus_' .. bufnr)
      end
    end
    vim.lsp.stop_client(id)
  end
  client_ids = {}
  progress = {}
end

--- A snapshot of the plugin's state, for statuslines and :QwenLsp status.
---@return {state: string, detail: string, inline: string, client_id: integer|nil, error: string|nil, progress_done: integer}
function M.status()
  local s = M._status()
  s.progress_done = progress_done
  return s
end

function M._status()
  if not cfg then
    return { state = 'unconfigured', detail = 'setup{} was not called', inline = '-' }
  end
  local inline = native and 'native (vim.lsp.inline_completion)' or 'extmark ghost text'
  if not enabled then
    return { state = 'disabled', detail = 'disabled (:QwenLsp enable)', inline = inline }
  end
  local client = M.client()
  local any
  for id in pairs(client_ids) do
    any = any or vim.lsp.get_client_by_id(id)
  end
  client = client or any
  if not client then
    if last_error then
      return { state = 'error', detail = last_error, inline = inline, error = last_error }
    end
    return { state = 'stopped', detail = 'no server running (open a ' .. table.concat(cfg.filetypes, '/') .. ' file)', inline = inline }
  end
  local _, p = next(progress)
  if p then
    local pct = p.percentage and (' %d%%'):format(p.percentage) or ''
    return {
      state = 'loading',
      detail = p.title .. (p.message and (': ' .. p.message) or '') .. pct,
      inline = inline,
      client_id = client.id,
    }
  end
  if last_error then
    return { state = 'error', detail = last_error, inline = inline, client_id = client.id, error = last_error }
  end
  return { state = 'ready', detail = 'ready', inline = inline, client_id = client.id }
end

local function command(opts)
  local sub = opts.fargs[1] or 'status'
  if sub == 'status' then
    local s = M.status()
    local model = cfg and cfg.model or '(server default)'
    print(('qwen-lsp: %s; model %s; inline: %s'):format(s.detail, model, s.inline))
  elseif sub == 'enable' then
    M.enable()
  elseif sub == 'disable' then
    M.disable()
  elseif sub == 'restart' then
    M.disable()
    vim.defer_fn(M.enable, 200)
  elseif sub == 'log' then
    vim.cmd('edit ' .. vim.fn.fnameescape(vim.lsp.get_log_path()))
  else
    notify('unknown subcommand ' .. sub .. ' (status, enable, disable, restart, log)', vim.log.levels.ERROR)
  end
end

function M.enable()
  enabled = true
  last_error = nil
  start_all()
  if native then
    vim.lsp.inline_completion.enable(true)
  end
end

function M.disable()
  enabled = false
  if native then
    vim.lsp.inline_completion.enable(false)
  end
  stop_all()
end

--- Sends new server settings (merged over the current ones) with workspace/didChangeConfiguration.
function M.update_settings(settings)
  cfg.settings = vim.tbl_deep_extend('force', cfg.settings, settings or {})
  for id in pairs(client_ids) do
    local client = vim.lsp.get_client_by_id(id)
    if client then
      local params = { settings = config.init_options(cfg) }
      if vim.fn.has('nvim-0.11') == 1 then
        client:notify('workspace/didChangeConfiguration', params)
      else
        client.notify('workspace/didChangeConfiguration', params)
      end
    end
  end
end

--- Configures and starts the plugin. See README.md for the options.
function M.setup(user)
  local resolved, err = config.resolve(user)
  if not resolved then
    error('qwen-lsp: ' .. err, 2)
  end
  local use_native, why = config.use_native(resolved, has_native)
  if use_native == nil then
    error('qwen-lsp: ' .. why, 2)
  end
  cfg, native, enabled = resolved, use_native, resolved.enabled
  if not native and vim.fn.has('nvim-0.7') == 0 then
    error('qwen-lsp: needs Neovim 0.7 or newer', 2)
  end

  api.nvim_create_user_command('QwenLsp', command, {
    nargs = '?',
    complete = function()
      return { 'status', 'enable', 'disable', 'restart', 'log' }
    end,
    desc = 'qwen-lsp: status, enable, disable, restart, log',
  })

  if has_config then
    local c = client_config(nil)
    c.root_dir = nil
    c.filetypes = cfg.filetypes
    c.root_markers = cfg.root_markers
    vim.lsp.config(NAME, c)
  else
    local group = api.nvim_create_augroup('qwen_lsp', { clear = true })
    api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = cfg.filetypes,
      callback = function(ev)
        start_for_buffer(ev.buf)
      end,
    })
  end
  if native then
    -- Enabled globally: Neovim attaches the completor to every buffer whose client supports the method.
    vim.lsp.inline_completion.enable(enabled)
  end
  if enabled then
    start_all()
  end
end

return M
