-- Unit tests of qwen_lsp.config (options -> server initializationOptions), on any Neovim >= 0.7:
--   nvim --headless -u NONE -c 'luafile tests/config_test.lua'
-- Prints one line per test and "N passed, M failed"; exits non-zero on a failure.
local root = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h')
vim.opt.runtimepath:prepend(root)
local config = require('qwen_lsp.config')

local passed, failed = 0, 0
local function test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    passed = passed + 1
    io.stdout:write('ok - ' .. name .. '\n')
  else
    failed = failed + 1
    io.stdout:write('not ok - ' .. name .. '\n    ' .. tostring(err) .. '\n')
  end
end
local function eq(got, want)
  if not vim.deep_equal(got, want) then
    error(('expected %s, got %s'):format(vim.inspect(want), vim.inspect(got)), 2)
  end
end

test('defaults: qwen-lsp serve, python and java, empty server settings', function()
  local cfg = assert(config.resolve(nil))
  eq(cfg.cmd, { 'qwen-lsp', 'serve' })
  eq(cfg.filetypes, { 'python', 'java' })
  eq(config.init_options(cfg), {})
  eq(cfg.keymaps.accept, '<Tab>')
end)

test('a string cmd is a binary path run with `serve`', function()
  eq(assert(config.resolve({ cmd = '/opt/bin/qwen-lsp' })).cmd, { '/opt/bin/qwen-lsp', 'serve' })
end)

test('model and settings become the server JSON (server/src/config.rs keys)', function()
  local cfg = assert(config.resolve({
    model = 'tests/models/qwen3-tiny',
    settings = {
      completion = { sampling = { maxTokens = 16, temperature = 0 }, validateSyntax = false },
      debounceMs = 0,
      actions = { runTests = false },
    },
  }))
  eq(config.init_options(cfg), {
    model = 'tests/models/qwen3-tiny',
    completion = { sampling = { maxTokens = 16, temperature = 0 }, validateSyntax = false },
    debounceMs = 0,
    actions = { runTests = false },
  })
end)

test('init_options is a copy: editing it does not change the config', function()
  local cfg = assert(config.resolve({ settings = { completion = { contextTokens = 512 } } }))
  config.init_options(cfg).completion.contextTokens = 1
  eq(cfg.settings.completion.contextTokens, 512)
end)

test('partial keymaps merge over the defaults; false turns one off', function()
  local cfg = assert(config.resolve({ keymaps = { accept = '<C-y>', trigger = false } }))
  eq(cfg.keymaps.accept, '<C-y>')
  eq(cfg.keymaps.trigger, false)
  eq(cfg.keymaps.next, '<M-]>')
  eq(assert(config.resolve({ keymaps = false })).keymaps, {})
end)

test('lists replace, not merge (filetypes)', function()
  eq(assert(config.resolve({ filetypes = { 'python' } })).filetypes, { 'python' })
end)

test('bad options are rejected with the key named', function()
  local function rejects(opts, pattern)
    local cfg, err = config.resolve(opts)
    eq(cfg, nil)
    assert(err and err:find(pattern), ('error %q does not match %q'):format(tostring(err), pattern))
  end
  rejects({ modle = 'x' }, 'unknown option "modle"')
  rejects({ inline = 'ghost' }, 'inline must be')
  rejects({ cmd = {} }, 'cmd must be')
  rejects({ model = 3 }, 'model must be a string')
  rejects({ settings = 'fast' }, 'settings must be a table')
  rejects({ keymaps = { accpet = '<Tab>' } }, 'unknown keymap "accpet"')
  rejects({ debounce_ms = -1 }, 'debounce_ms')
end)

test('native inline completion: auto follows the Neovim version, native needs 0.12', function()
  local auto = assert(config.resolve({}))
  eq(config.use_native(auto, true), true)
  eq(config.use_native(auto, false), false)
  eq(config.use_native(assert(config.resolve({ inline = 'extmark' })), true), false)
  local ok, err = config.use_native(assert(config.resolve({ inline = 'native' })), false)
  eq(ok, nil)
  assert(err:find('0.12'))
end)

local v = vim.version and vim.version() or { major = 0, minor = 0, patch = 0 }
io.stdout:write(('config_test (nvim %d.%d.%d): %d passed, %d failed\n'):format(v.major, v.minor, v.patch, passed, failed))
vim.cmd(failed == 0 and 'qa!' or 'cq!')
