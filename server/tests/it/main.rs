//! Integration tests of the `qwen-lsp` binary, driven over stdio like an editor would.

mod bad_input;
mod lifecycle;
mod support;
