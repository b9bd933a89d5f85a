//! Integration tests of the `qwen-lsp` binary, driven over stdio like an editor would.

mod bad_input;
mod cancel;
mod code_action;
mod completion;
mod gpu_artifact;
mod lifecycle;
mod options;
mod support;
mod generate;
mod remote;
mod workspace;
mod seams;
mod soak;
mod transport;
mod large_documents;
mod settings_validation;
