-- Start-up file of the Neovim under test (`nvim -u tests/init.lua`): puts the plugin on the runtimepath and
-- calls setup{} with the JSON in $QWEN_TEST_SETUP. Works on 0.7 (no vim.json there: vim.fn.json_decode).
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h')
vim.opt.runtimepath:prepend(here)
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'
vim.opt.termguicolors = true
vim.cmd('filetype on')
vim.cmd('syntax on')
local opts = vim.fn.json_decode(os.getenv('QWEN_TEST_SETUP') or '{}')
if vim.tbl_isempty(opts.settings or { x = 1 }) then
  opts.settings = nil -- json_decode gives {} for both [] and {}
end
require('qwen_lsp').setup(opts)
