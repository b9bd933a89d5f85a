-- End-to-end test of the Neovim plugin, run by a Neovim 0.12 with `nvim --headless -l tests/e2e.lua`.
-- It drives a second Neovim (the one under test: 0.12-dev or Debian's 0.7.2) over msgpack-RPC, as a user
-- would: open a Python file, move the cursor, enter insert mode (which triggers an inline completion), see
-- the ghost text (native vim.lsp.inline_completion extmarks or the plugin's own), accept it with <Tab>, and
-- check that the buffer now holds exactly the suggestion at the cursor. Exits non-zero with a message on
-- any failure; every wait is bounded.
--
-- Environment:
--   QWEN_NVIM          the Neovim under test (default: this one)
--   QWEN_VIMRUNTIME    its $VIMRUNTIME (default: this Neovim's; Debian's is /usr/share/nvim/runtime)
--   QWEN_CMD_JSON      the server command, a JSON list (e.g. ["target/debug/qwen-lsp","serve"])
--   QWEN_MODEL         the model setting (optional)
--   QWEN_SETTINGS_JSON server settings (optional JSON object)
--   QWEN_INLINE        auto | native | extmark (default auto)
--   QWEN_EXPECT        real (any non-empty suggestion) | scripted (tests/scripted_server.py's exact items)
--   QWEN_TIMEOUT_S     overall budget (default 240)
--   QWEN_LISTEN        connect to a Neovim already listening on this socket (tmux screenshots) instead of
--                      starting one; QWEN_CAPTURE=<tmux target>:<file> saves the screen with the ghost text.

local t0 = vim.uv.hrtime()
local function elapsed()
  return (vim.uv.hrtime() - t0) / 1e9
end
local budget = tonumber(os.getenv('QWEN_TIMEOUT_S') or '240')
local expect = os.getenv('QWEN_EXPECT') or 'real'
local inline = os.getenv('QWEN_INLINE') or 'auto'
local plugin_root = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h')
local chan
local label = ''

local function log(msg)
  io.stdout:write(('[%6.1fs]%s %s\n'):format(elapsed(), label, msg))
  io.stdout:flush()
end

local diagnostics -- set once the target is up
local function fail(msg)
  io.stderr:write(('FAIL%s: %s\n'):format(label, msg))
  if diagnostics then
    pcall(diagnostics)
  end
  if chan then
    pcall(vim.rpcnotify, chan, 'nvim_command', 'qa!')
  end
  os.exit(1)
end

local function req(method, ...)
  local ok, res = pcall(vim.rpcrequest, chan, method, ...)
  if not ok then
    fail(method .. ': ' .. tostring(res))
  end
  return res
end
local function lua(code, ...)
  return req('nvim_exec_lua', code, { ... })
end
local function wait_for(what, ms, pred)
  ms = math.min(ms, math.max(0, (budget - elapsed()) * 1000))
  if not vim.wait(ms, pred, 50) then
    fail(('timed out after %.1f s waiting for %s'):format(ms / 1000, what))
  end
end

-- 1. The Neovim under test.
local cmd_json = os.getenv('QWEN_CMD_JSON') or fail('QWEN_CMD_JSON is not set')
local setup = {
  cmd = vim.json.decode(cmd_json),
  model = os.getenv('QWEN_MODEL'),
  settings = os.getenv('QWEN_SETTINGS_JSON') and vim.json.decode(os.getenv('QWEN_SETTINGS_JSON')) or nil,
  inline = inline,
}
-- The scripted server writes the `qwen-lsp/didFocus` positions it hears here.
local focus_log = vim.fn.tempname()
local listen = os.getenv('QWEN_LISTEN')
if listen then
  wait_for('the Neovim listening on ' .. listen, 20000, function()
    local ok, c = pcall(vim.fn.sockconnect, 'pipe', listen, { rpc = true })
    if ok and c > 0 then
      chan = c
      return true
    end
    return false
  end)
else
  local nvim = os.getenv('QWEN_NVIM') or vim.v.progpath
  local env = { QWEN_TEST_SETUP = vim.json.encode(setup), QWEN_FOCUS_LOG = focus_log }
  -- Each Neovim needs its own runtime files: the driver's $VIMRUNTIME is right only for itself.
  env.VIMRUNTIME = os.getenv('QWEN_VIMRUNTIME') or vim.env.VIMRUNTIME
  local job = vim.fn.jobstart({ nvim, '--embed', '--headless', '-i', 'NONE', '-u', plugin_root .. '/tests/init.lua' }, {
    rpc = true,
    env = env,
    clear_env = false,
  })
  if job <= 0 then
    fail('could not start ' .. nvim)
  end
  chan = job
end
local version = lua('local v = vim.version(); return string.format("%d.%d.%d", v.major, v.minor, v.patch)')
label = (' [nvim %s, %s]'):format(version, inline)
local status0 = lua("return require('qwen_lsp').status()")
log(('started; plugin inline mode: %s'):format(status0.inline))

diagnostics = function()
  local s = lua("return require('qwen_lsp').status()")
  io.stderr:write(('  plugin status: %s (%s)\n'):format(s.state, s.detail))
  io.stderr:write('  buffer:\n' .. table.concat(req('nvim_buf_get_lines', 0, 0, -1, false), '\n') .. '\n')
  local path = lua('return vim.lsp.get_log_path()')
  local f = io.open(path)
  if f then
    local text = f:read('*a')
    f:close()
    io.stderr:write('  last lines of ' .. path .. ':\n' .. text:sub(-3000) .. '\n')
  end
end

-- 2. A Python file, and the server attached to it.
local dir = vim.fn.tempname()
vim.fn.mkdir(dir, 'p')
local file = dir .. '/geometry.py'
local before = { 'import math', '', '', 'def circle_area(radius):', '    return ', '', '', 'print(circle_area(2.0))' }
vim.fn.writefile(before, file)
req('nvim_command', 'cd ' .. vim.fn.fnameescape(dir))
req('nvim_command', 'edit geometry.py')
if lua('return vim.bo.filetype') ~= 'python' then
  fail('filetype detection did not mark ' .. file .. ' as python')
end
wait_for('the qwen_lsp client to attach', 30000, function()
  return lua("return require('qwen_lsp').client() ~= nil")
end)
log('client attached: ' .. lua("return require('qwen_lsp').status().detail"))

-- The ghost text as drawn: virtual text of either renderer's namespace, without the "(1/2)" hint chunks.
local read_ghost = [[
  local ns = vim.api.nvim_get_namespaces()
  for _, name in ipairs({ 'nvim.lsp.inline_completion', 'qwen_lsp_ghost' }) do
    if ns[name] then
      local marks = vim.api.nvim_buf_get_extmarks(0, ns[name], 0, -1, { details = true })
      if #marks > 0 then
        local d = marks[1][4]
        local function join(chunks)
          local s = ''
          for _, c in ipairs(chunks or {}) do
            if c[2] ~= 'ComplHintMore' and c[2] ~= 'NonText' then s = s .. c[1] end
          end
          return s
        end
        local lines = { join(d.virt_text) }
        for _, l in ipairs(d.virt_lines or {}) do lines[#lines + 1] = join(l) end
        return { name = name, row = marks[1][2], col = marks[1][3], text = table.concat(lines, '\n') }
      end
    end
  end
  return vim.NIL
]]
local function ghost()
  local g = lua(read_ghost)
  return g ~= vim.NIL and g or nil
end

-- 3. Cursor to the end of `    return `, insert mode: the plugin (or Neovim) asks for an inline completion.
-- Until the model has loaded the server answers with no items, so leave and re-enter insert mode until a
-- suggestion shows (bounded by the budget).
-- While the server reports model-load progress, requests get no items: wait it out (bounded) first.
-- qwen-lsp (and the scripted server) report the model load as work-done progress; wait for it to end.
wait_for('the model load to finish', math.max(0, budget - 30) * 1000, function()
  local s = lua("return require('qwen_lsp').status()")
  return s.progress_done > 0 and s.state ~= 'loading'
end)
log('status after loading: ' .. lua("return require('qwen_lsp').status().detail"))
local shown
local attempts = 0
local first_request_at = elapsed()
while not shown do
  attempts = attempts + 1
  req('nvim_input', '<Esc>')
  req('nvim_win_set_cursor', 0, { 5, 4 })
  req('nvim_input', 'A')
  vim.wait(math.min(10000, math.max(0, (budget - elapsed()) * 1000)), function()
    shown = ghost()
    return shown ~= nil and shown.text ~= ''
  end, 50)
  if shown and shown.text == '' then
    shown = nil
  end
  if not shown and elapsed() > budget then
    fail(('no suggestion appeared after %d attempts (%.0f s); plugin status: %s'):format(
      attempts, elapsed(), lua("return require('qwen_lsp').status().detail")))
  end
end
log(('suggestion shown after %d attempt(s), %.1f s after the first; namespace %s at %d:%d: %q'):format(
  attempts, elapsed() - first_request_at, shown.name, shown.row, shown.col, shown.text))
local mode = req('nvim_get_mode').mode
if mode ~= 'i' then
  fail('expected insert mode while the suggestion shows, got ' .. mode)
end
local want_ns = status0.inline:match('^native') and 'nvim.lsp.inline_completion' or 'qwen_lsp_ghost'
if shown.name ~= want_ns then
  fail(('ghost text came from %s, expected %s'):format(shown.name, want_ns))
end
if shown.row ~= 4 then
  fail(('ghost text is on row %d, expected 4 (line 5)'):format(shown.row))
end

local capture = os.getenv('QWEN_CAPTURE')
if capture then
  local target, out = capture:match('^(.-):(.*)$')
  vim.wait(300)
  local screen = vim.fn.system({ 'tmux', 'capture-pane', '-p', '-t', target })
  local screen_e = vim.fn.system({ 'tmux', 'capture-pane', '-p', '-e', '-t', target })
  vim.fn.writefile(vim.split(screen, '\n', { plain = true }), out)
  vim.fn.writefile(vim.split(screen_e, '\n', { plain = true }), (out:gsub('%.txt$', '')) .. '.ansi')
  log('screen captured to ' .. out)
end

-- 4. Scripted server only: next / previous / dismiss, with exact texts.
if expect == 'scripted' then
  -- The cursor rested at the end of `    return ` (line 5): the plugin told the server, so it can warm there.
  if not listen then
    wait_for('qwen-lsp/didFocus at 4:11', 5000, function()
      local f = io.open(focus_log)
      local text = f and f:read('*a') or ''
      if f then
        f:close()
      end
      return text:find('geometry.py 4:11', 1, true) ~= nil
    end)
    log('the plugin told the server where the cursor rests (qwen-lsp/didFocus)')
  end
  if shown.text ~= 'a + b  # first' then
    fail(('expected the first scripted item, got %q'):format(shown.text))
  end
  req('nvim_input', '<M-]>')
  wait_for('the next suggestion', 5000, function()
    local g = ghost()
    return g and g.text == 'a - b  # second'
  end)
  req('nvim_input', '<M-]>')
  wait_for('the third, two-line suggestion', 5000, function()
    local g = ghost()
    return g and g.text == '(a *\n            b)  # third, two lines'
  end)
  req('nvim_input', '<M-]>')
  wait_for('next to wrap around to the first', 5000, function()
    local g = ghost()
    return g and g.text == 'a + b  # first'
  end)
  req('nvim_input', '<M-]>')
  req('nvim_input', '<M-[>')
  wait_for('the previous suggestion', 5000, function()
    local g = ghost()
    return g and g.text == 'a + b  # first'
  end)
  req('nvim_input', '<C-]>')
  wait_for('the suggestion to be dismissed', 5000, function()
    return ghost() == nil
  end)
  -- A dismissed suggestion is not accepted: <Tab> falls through and inserts a tab/indent.
  req('nvim_input', '<Tab>')
  wait_for('<Tab> to insert whitespace', 5000, function()
    local l = req('nvim_buf_get_lines', 0, 4, 5, false)[1]
    return l ~= '    return ' and l:match('^    return %s+$') ~= nil
  end)
  req('nvim_input', '<Esc>')
  req('nvim_buf_set_lines', 0, 4, 5, false, { '    return ' })
  req('nvim_win_set_cursor', 0, { 5, 4 })
  req('nvim_input', 'A')
  wait_for('the suggestion after re-entering insert mode', 10000, function()
    local g = ghost()
    shown = g
    return g and g.text == 'a + b  # first'
  end)
  -- Accept the two-line item below, so accepting multi-line text is checked too.
  req('nvim_input', '<M-[>')
  wait_for('the two-line suggestion (previous from the first wraps)', 5000, function()
    local g = ghost()
    shown = g
    return g and g.text == '(a *\n            b)  # third, two lines'
  end)
  log('next / previous / wrap-around / dismiss behave')
end

-- 5. Accept: the buffer must now hold exactly the suggestion at the cursor.
local lines_before = req('nvim_buf_get_lines', 0, 0, -1, false)
req('nvim_input', '<Tab>')
wait_for('the buffer to change after <Tab>', 10000, function()
  return not vim.deep_equal(req('nvim_buf_get_lines', 0, 0, -1, false), lines_before)
end)
local after = req('nvim_buf_get_lines', 0, 0, -1, false)
local expected = vim.list_slice(before, 1, 4)
local ghost_lines = vim.split(shown.text, '\n', { plain = true })
ghost_lines[1] = '    return ' .. ghost_lines[1]
vim.list_extend(expected, ghost_lines)
vim.list_extend(expected, vim.list_slice(before, 6))
if not vim.deep_equal(after, expected) then
  fail(('after accepting, the buffer is\n%s\nexpected\n%s'):format(table.concat(after, '\n'), table.concat(expected, '\n')))
end
local cursor = req('nvim_win_get_cursor', 0)
local want_row = 5 + #ghost_lines - 1
if cursor[1] ~= want_row or cursor[2] ~= #ghost_lines[#ghost_lines] then
  fail(('cursor after accepting is %d:%d, expected %d:%d'):format(cursor[1], cursor[2], want_row, #ghost_lines[#ghost_lines]))
end
local still = ghost()
if still ~= nil and still.row == shown.row and still.col == shown.col and still.text == shown.text then
  fail('the accepted suggestion is still drawn') -- a new one, further right after the insert, is fine
end
log(('accepted: line 5 is now %q'):format(after[5]))

-- 6. Real server only: the code actions that vim.lsp.buf.code_action() lists on an unfinished body.
req('nvim_input', '<Esc>')
if expect == 'real' then
  req('nvim_buf_set_lines', 0, 4, 5, false, { '    pass' })
  local titles = lua([[
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(0) },
      range = { start = { line = 4, character = 4 }, ['end'] = { line = 4, character = 4 } },
      context = { diagnostics = {} },
    }
    local titles = {}
    local responses = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', params, 20000) or {}
    for _, r in pairs(responses) do
      if r.error then titles[#titles + 1] = 'error: ' .. tostring(r.error.message) end
      for _, a in ipairs(r.result or {}) do titles[#titles + 1] = a.title end
    end
    return titles
  ]])
  if not vim.tbl_contains(titles, 'Complete this function (Qwen)') then
    fail('code actions on `    pass` were ' .. vim.inspect(titles) .. ', expected "Complete this function (Qwen)"')
  end
  log('code actions offered: ' .. table.concat(titles, ', '))

  -- Resolve an offered action (the model runs now) and apply its edit, as vim.lsp.buf.code_action() does.
  -- Returns the resolved title, or fails with the server's error.
  local resolve_and_apply = [[
    local title, diagnostics = ...
    local bufnr = vim.api.nvim_get_current_buf()
    local client = require('qwen_lsp').client()
    local cursor = vim.api.nvim_win_get_cursor(0)
    local function request_sync(...) -- a method from 0.11 on, a plain function before
      if vim.fn.has('nvim-0.11') == 1 then return client:request_sync(...) end
      return client.request_sync(...)
    end
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      range = { start = { line = cursor[1] - 1, character = cursor[2] },
                ['end'] = { line = cursor[1] - 1, character = cursor[2] } },
      context = { diagnostics = diagnostics },
    }
    local response = request_sync('textDocument/codeAction', params, 20000, bufnr)
    if not response or response.err then return 'error: ' .. vim.inspect(response and response.err) end
    for _, action in ipairs(response.result or {}) do
      if action.title == title then
        local resolved = request_sync('codeAction/resolve', action, 120000, bufnr)
        if not resolved or resolved.err then return 'error: ' .. vim.inspect(resolved and resolved.err) end
        vim.lsp.util.apply_workspace_edit(resolved.result.edit, client.offset_encoding or 'utf-16')
        return resolved.result.title
      end
    end
    return 'error: ' .. title .. ' was not offered'
  ]]

  -- "Complete this function": resolved and applied, the placeholder replaced.
  req('nvim_buf_set_lines', 0, 0, -1, false, { 'def add(a, b):', '    pass' })
  req('nvim_win_set_cursor', 0, { 2, 4 })
  local done = lua(resolve_and_apply, 'Complete this function (Qwen)', {})
  if done:match('^error') then
    fail('Complete this function: ' .. done)
  end
  local completed = req('nvim_buf_get_lines', 0, 0, -1, false)
  if completed[2] == '    pass' then
    fail('Complete this function left the body as it was: ' .. vim.inspect(completed))
  end
  log(('%s applied: %s'):format(done, vim.inspect(completed)))

  -- "Fix this" on a syntax error the server published itself (no linter here).
  req('nvim_buf_set_lines', 0, 0, -1, false, { 'def add(a, b):', '    return a +' })
  local own
  wait_for("the server's own syntax-error diagnostic", 20000, function()
    own = lua([[
      for _, d in ipairs(vim.diagnostic.get(0)) do
        if d.source == 'qwen-lsp' then
          return { range = { start = { line = d.lnum, character = d.col },
                             ['end'] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col } },
                   message = d.message, severity = 1, source = d.source, code = 'syntax' }
        end
      end
      return vim.NIL
    ]])
    return own ~= vim.NIL
  end)
  log(('server diagnostic: %s at %d:%d'):format(own.message, own.range.start.line, own.range.start.character))
  req('nvim_win_set_cursor', 0, { own.range.start.line + 1, own.range.start.character })
  local fixed_title = lua(resolve_and_apply, 'Fix this (Qwen)', { own })
  if fixed_title:match('^error') then
    fail('Fix this: ' .. fixed_title)
  end
  local fixed = req('nvim_buf_get_lines', 0, 0, -1, false)
  if vim.deep_equal(fixed, { 'def add(a, b):', '    return a +' }) then
    fail('Fix this changed nothing')
  end
  wait_for("the server's diagnostic to clear after the fix", 20000, function()
    return lua("return #vim.tbl_filter(function(d) return d.source == 'qwen-lsp' end, vim.diagnostic.get(0))") == 0
  end)
  log(('%s applied: %s'):format(fixed_title, vim.inspect(fixed)))
  req('nvim_buf_set_lines', 0, 0, -1, false, before)

  -- update_settings() re-sends the settings (workspace/didChangeConfiguration): with greedy decoding, fewer
  -- tokens give a strict prefix of the first suggestion.
  lua("require('qwen_lsp').update_settings({ completion = { sampling = { maxTokens = 2 } } })")
  req('nvim_buf_set_lines', 0, 4, 5, false, { '    return ' })
  local short
  local tries = 0
  wait_for('a shorter suggestion after update_settings', 30000, function()
    tries = tries + 1
    req('nvim_input', '<Esc>')
    req('nvim_win_set_cursor', 0, { 5, 4 })
    req('nvim_input', 'A')
    vim.wait(3000, function()
      short = ghost()
      return short ~= nil and short.text ~= shown.text
    end, 50)
    return short ~= nil and short.text ~= '' and #short.text < #shown.text
  end)
  if shown.text:sub(1, #vim.trim(short.text)) ~= vim.trim(short.text) then
    fail(('with maxTokens 2 the suggestion %q is not a prefix of %q'):format(short.text, shown.text))
  end
  log(('after update_settings (maxTokens 2): %q'):format(short.text))
  req('nvim_input', '<Esc>')
end

-- 7. :QwenLsp disable stops the server; enable brings it back.
req('nvim_command', 'QwenLsp disable')
wait_for('the client to stop after :QwenLsp disable', 10000, function()
  return lua("return require('qwen_lsp').client() == nil") and lua("return require('qwen_lsp').status().state") == 'disabled'
end)
req('nvim_command', 'QwenLsp enable')
wait_for('the client to come back after :QwenLsp enable', 30000, function()
  return lua("return require('qwen_lsp').client() ~= nil")
end)
log(':QwenLsp disable / enable work')

pcall(vim.rpcnotify, chan, 'nvim_command', 'qa!')
log(('PASS in %.1f s'):format(elapsed()))
os.exit(0)
