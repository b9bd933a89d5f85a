//! Integration tests of the `qwen-lsp` binary, driven over stdio like an editor would.

mod background_parse;
mod bad_input;
mod cancel;
mod code_action;
mod completion;
mod generate;
mod gpu_artifact;
mod large_documents;
mod lifecycle;
mod model_turns;
mod options;
mod remote;
mod seams;
mod settings_validation;
mod soak;
mod support;
mod transport;
mod warming;
mod workspace;
