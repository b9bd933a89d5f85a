--- qwen_lsp.ghost: ghost text from textDocument/inlineCompletion drawn with extmarks, for Neovims without
--- vim.lsp.inline_completion (before 0.12; tested on Debian's 0.7.2). One state per buffer: the items of the
--- last answer, which one is shown, and where the cursor was when it was asked.
local M = {}

local api = vim.api
local util = vim.lsp.util

M.ns = api.nvim_create_namespace('qwen_lsp_ghost')

local has_inline_virt_text = vim.fn.has('nvim-0.10') == 1
local method_call = vim.fn.has('nvim-0.11') == 1 -- client:request() replaced client.request() in 0.11

---@type table<integer, table>
local states = {}

local function state(bufnr)
  states[bufnr] = states[bufnr] or { items = {}, index = 0 }
  return states[bufnr]
end

local function client_call(client, name, ...)
  if method_call then
    return client[name](client, ...)
  end
  return client[name](...)
end

local function item_text(item)
  local text = item.insertText
  if type(text) == 'table' then
    -- A snippet (StringValue): show and insert its text without placeholders' syntax.
    text = text.value or ''
    text = text:gsub('%$%b{}', function(m)
      return m:match('^%${%d+:(.*)}$') or ''
    end):gsub('%$%d+', '')
  end
  return text or ''
end

--- Byte column of an LSP position in `bufnr`.
local function byte_col(bufnr, pos, encoding)
  return util._get_line_byte_from_position(bufnr, pos, encoding)
end

--- Removes the ghost text of `bufnr` (the items stay, so `next` can show another).
function M.hide(bufnr)
  if api.nvim_buf_is_valid(bufnr) then
    api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  end
end

--- Cancels the pending request and forgets the items.
function M.clear(bufnr)
  local s = states[bufnr]
  if not s then
    return
  end
  if s.timer then
    s.timer:stop()
    s.timer:close()
    s.timer = nil
  end
  if s.request and s.client then
    pcall(client_call, s.client, 'cancel_request', s.request)
  end
  s.request = nil
  s.items = {}
  s.index = 0
  M.hide(bufnr)
end

--- Shows item `index` (1-based, wraps) at the cursor.
function M.show(bufnr, index)
  local s = state(bufnr)
  M.hide(bufnr)
  local n = #s.items
  if n == 0 then
    return
  end
  s.index = ((index - 1) % n) + 1
  local item = s.items[s.index]
  local text = item_text(item)
  local row, col = s.row, s.col -- 0-based row, byte col of the cursor when asked
  -- The item replaces `range` (which may start before the cursor, e.g. a retyped prefix): show only what
  -- follows the text already in the buffer between the range start and the cursor.
  if item.range then
    local start_col = byte_col(bufnr, item.range.start, s.encoding)
    if item.range.start.line == row and start_col <= col then
      local typed = api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1]:sub(start_col + 1, col)
      if text:sub(1, #typed) == typed then
        text = text:sub(#typed + 1)
      end
    end
  end
  if text == '' then
    return
  end
  local lines = vim.split(text, '\n', { plain = true })
  local hint = n > 1 and (' (%d/%d)'):format(s.index, n) or nil
  local virt_lines = {}
  for i = 2, #lines do
    virt_lines[#virt_lines + 1] = { { lines[i], 'Comment' } }
  end
  if hint then
    local last = #virt_lines > 0 and virt_lines[#virt_lines] or nil
    if last then
      last[#last + 1] = { hint, 'NonText' }
    end
  end
  local line = api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ''
  local first = { { lines[1], 'Comment' } }
  if hint and #virt_lines == 0 then
    first[#first + 1] = { hint, 'NonText' }
  end
  local opts = { virt_text = first, hl_mode = 'combine' }
  if col >= #line then
    opts.virt_text_pos = 'overlay' -- past the end of the line nothing is covered
  elseif has_inline_virt_text then
    opts.virt_text_pos = 'inline'
  else
    opts.virt_text_pos = 'eol' -- 0.7-0.9 cannot insert virtual text mid-line; show it after the line
  end
  if #virt_lines > 0 then
    opts.virt_lines = virt_lines
  end
  api.nvim_buf_set_extmark(bufnr, M.ns, row, math.min(col, #line), opts)
  s.shown_text = text
end

--- The text currently drawn, or nil.
function M.visible_text(bufnr)
  local marks = api.nvim_buf_get_extmarks(bufnr, M.ns, 0, -1, { details = true })
  if #marks == 0 then
    return nil
  end
  return states[bufnr] and states[bufnr].shown_text or nil
end

--- Asks `client` for inline completions at the cursor of the current window (which shows `bufnr`).
---@param trigger_kind integer 1 = invoked, 2 = automatic
function M.request(bufnr, client, trigger_kind)
  M.clear(bufnr)
  local s = state(bufnr)
  local encoding = client.offset_encoding or 'utf-16'
  local params = util.make_position_params(0, encoding)
  params.context = { triggerKind = trigger_kind or 1 }
  local cursor = api.nvim_win_get_cursor(0)
  local tick = api.nvim_buf_get_changedtick(bufnr)
  s.client, s.encoding = client, encoding
  local ok, id
  ok, id = client_call(client, 'request', 'textDocument/inlineCompletion', params, function(err, result)
    if s.request ~= id then
      return -- superseded
    end
    s.request = nil
    if err or not result then
      return
    end
    local now = api.nvim_win_get_cursor(0)
    if api.nvim_buf_get_changedtick(bufnr) ~= tick or now[1] ~= cursor[1] or now[2] ~= cursor[2] then
      return -- typed or moved on meanwhile: the answer is stale
    end
    if not api.nvim_get_mode().mode:match('^i') then
      return
    end
    s.items = result.items or result
    s.row, s.col = cursor[1] - 1, cursor[2]
    M.show(bufnr, 1)
  end, bufnr)
  if ok then
    s.request = id
  end
end

--- Schedules `request` after `delay_ms`, restarting the wait on every call (typing).
function M.debounced_request(bufnr, client, delay_ms)
  M.clear(bufnr)
  local s = state(bufnr)
  local timer = (vim.uv or vim.loop).new_timer()
  s.timer = timer
  timer:start(delay_ms, 0, vim.schedule_wrap(function()
    if s.timer ~= timer then
      return
    end
    s.timer = nil
    timer:close()
    if api.nvim_get_current_buf() == bufnr and api.nvim_get_mode().mode:match('^i') then
      M.request(bufnr, client, 2)
    end
  end))
end

--- Inserts the shown item, replacing its range, and puts the cursor after it. Returns false if none is shown.
function M.accept(bufnr)
  local s = states[bufnr]
  if not s or s.index == 0 or not s.items[s.index] or not M.visible_text(bufnr) then
    return false
  end
  local item = s.items[s.index]
  local text = item_text(item)
  M.clear(bufnr)
  local start_row, start_col, end_row, end_col
  if item.range then
    start_row, end_row = item.range.start.line, item.range['end'].line
    start_col = byte_col(bufnr, item.range.start, s.encoding)
    end_col = byte_col(bufnr, item.range['end'], s.encoding)
  else
    start_row, start_col, end_row, end_col = s.row, s.col, s.row, s.col
  end
  local lines = vim.split(text, '\n', { plain = true })
  api.nvim_buf_set_text(bufnr, start_row, start_col, end_row, end_col, lines)
  local last_row = start_row + #lines - 1
  local last_col = (#lines == 1 and start_col or 0) + #lines[#lines]
  api.nvim_win_set_cursor(0, { last_row + 1, last_col })
  if item.command and s.client then
    client_call(s.client, 'request', 'workspace/executeCommand', item.command, function() end, bufnr)
  end
  return true
end

--- Shows the next (count > 0) or previous item.
function M.select(bufnr, count)
  local s = states[bufnr]
  if not s or #s.items == 0 then
    return false
  end
  M.show(bufnr, s.index + count)
  return true
end

--- Attaches auto-trigger and clean-up autocmds to `bufnr` for `client`.
function M.attach(bufnr, client, opts)
  local group = api.nvim_create_augroup('qwen_lsp_ghost_' .. bufnr, { clear = true })
  if opts.auto_trigger then
    api.nvim_create_autocmd({ 'InsertEnter', 'TextChangedI' }, {
      group = group,
      buffer = bufnr,
      callback = function()
        if opts.enabled() then
          M.debounced_request(bufnr, client, opts.debounce_ms)
        end
      end,
    })
  end
  api.nvim_create_autocmd({ 'CursorMovedI' }, {
    group = group,
    buffer = bufnr,
    callback = function()
      local s = states[bufnr]
      if s and s.row then
        local c = api.nvim_win_get_cursor(0)
        if c[1] - 1 ~= s.row or c[2] ~= s.col then
          -- Only the shown suggestion goes: a debounce timer started by the same keystroke keeps running.
          s.items, s.index, s.row = {}, 0, nil
          M.hide(bufnr)
        end
      end
    end,
  })
  api.nvim_create_autocmd({ 'InsertLeave', 'BufLeave' }, {
    group = group,
    buffer = bufnr,
    callback = function()
      M.clear(bufnr)
    end,
  })
end

function M.detach(bufnr)
  M.clear(bufnr)
  pcall(api.nvim_del_augroup_by_name, 'qwen_lsp_ghost_' .. bufnr)
  states[bufnr] = nil
end

return M
