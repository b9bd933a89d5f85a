--- qwen_lsp.config: the plugin's options, validated and merged with defaults, and their mapping to the
--- server's initializationOptions. Pure Lua (no editor state), so it is unit-tested on any Neovim.
local M = {}

--- Defaults. `settings` is the server's JSON (server/src/config.rs): `completion`, `actions`, `debounceMs`,
--- `dtype`, `device`; `model` is copied into it.
M.defaults = {
  cmd = { 'qwen-lsp', 'serve' },
  model = nil,
  filetypes = { 'python', 'java' },
  root_markers = { '.git', 'pyproject.toml', 'setup.py', 'setup.cfg', 'pom.xml', 'build.gradle', 'build.gradle.kts' },
  settings = {},
  -- 'auto': Neovim's native vim.lsp.inline_completion on 0.12+, extmark ghost text before. 'native' or 'extmark'
  -- force one ('native' on an older Neovim is an error).
  inline = 'auto',
  -- Extmark mode only (native mode requests automatically after a 200 ms pause, Neovim's own behaviour):
  auto_trigger = true,
  debounce_ms = 150,
  keymaps = {
    accept = '<Tab>',
    next = '<M-]>',
    prev = '<M-[>',
    dismiss = '<C-]>',
    trigger = '<M-\\>', -- extmark mode only
  },
  enabled = true,
}

local function deep_copy(t)
  if type(t) ~= 'table' then
    return t
  end
  local out = {}
  for k, v in pairs(t) do
    out[k] = deep_copy(v)
  end
  return out
end

local function merge(base, over)
  local out = deep_copy(base)
  for k, v in pairs(over or {}) do
    if type(v) == 'table' and type(out[k]) == 'table' and not (vim.islist or vim.tbl_islist)(v) then
      out[k] = merge(out[k], v)
    else
      out[k] = deep_copy(v)
    end
  end
  return out
end

--- Merges `user` over the defaults and checks it. Returns the config, or nil and a message naming the bad key.
---@param user table|nil
---@return table|nil, string|nil
function M.resolve(user)
  user = user or {}
  if type(user) ~= 'table' then
    return nil, 'setup{} expects a table, got ' .. type(user)
  end
  local known = { model = true } -- nil by default, so not a key of M.defaults
  for k in pairs(M.defaults) do
    known[k] = true
  end
  for k in pairs(user) do
    if not known[k] then
      return nil, ('unknown option %q'):format(tostring(k))
    end
  end
  local cfg = merge(M.defaults, user)
  if type(cfg.cmd) == 'string' then
    cfg.cmd = { cfg.cmd, 'serve' }
  end
  if type(cfg.cmd) ~= 'table' or #cfg.cmd == 0 then
    return nil, 'cmd must be a path or a list like { "qwen-lsp", "serve" }'
  end
  if cfg.model ~= nil and type(cfg.model) ~= 'string' then
    return nil, 'model must be a string (hub id, directory or .gguf file)'
  end
  if type(cfg.settings) ~= 'table' then
    return nil, 'settings must be a table (the server JSON: completion, actions, debounceMs, ...)'
  end
  if cfg.inline ~= 'auto' and cfg.inline ~= 'native' and cfg.inline ~= 'extmark' then
    return nil, ('inline must be "auto", "native" or "extmark", got %q'):format(tostring(cfg.inline))
  end
  if type(cfg.debounce_ms) ~= 'number' or cfg.debounce_ms < 0 then
    return nil, 'debounce_ms must be a number >= 0'
  end
  if type(cfg.keymaps) ~= 'table' then
    if cfg.keymaps == false then
      cfg.keymaps = {}
    else
      return nil, 'keymaps must be a table or false'
    end
  end
  for name, lhs in pairs(cfg.keymaps) do
    if M.defaults.keymaps[name] == nil then
      return nil, ('unknown keymap %q (known: accept, next, prev, dismiss, trigger)'):format(tostring(name))
    end
    if lhs ~= false and type(lhs) ~= 'string' then
      return nil, ('keymaps.%s must be a key string or false'):format(name)
    end
  end
  return cfg, nil
end

--- The server's initializationOptions: `settings` with `model` folded in (the server reads `model` there).
---@param cfg table a resolved config
---@return table
function M.init_options(cfg)
  local out = deep_copy(cfg.settings)
  if cfg.model then
    out.model = cfg.model
  end
  return out
end

--- Whether to use Neovim's native inline completion.
---@param cfg table a resolved config
---@param has_native boolean vim.lsp.inline_completion exists (0.12+)
---@return boolean|nil, string|nil
function M.use_native(cfg, has_native)
  if cfg.inline == 'extmark' then
    return false
  end
  if cfg.inline == 'native' and not has_native then
    return nil, 'inline = "native" needs Neovim 0.12+ (vim.lsp.inline_completion); use "auto" or "extmark"'
  end
  return has_native
end

return M
