//! The engine: everything between an editor request and the text that goes back.
//!
//! Data flows one way: [`Document`] + cursor -> [`context`] -> [`prompt`] -> [`Backend`] (a model) ->
//! [`postprocess`] -> [`validate`] -> [`complete::Completion`]. The syntax at the cursor ([`cursor`]) is
//! computed once by the context stage; the code actions ([`actions`]) go through the same stages.
//!
//! Architecture invariant: this crate knows nothing about LSP, JSON-RPC or editors. It is the only crate
//! that knows candle, tokenizers and tree-sitter; the server converts its plain types to protocol types.

pub mod actions;
pub mod backend;
pub mod complete;
pub mod context;
pub mod cursor;
pub mod document;
pub mod error;
pub mod model;
pub mod postprocess;
pub mod prompt;
pub mod remote;
pub mod sampling;
pub mod secrets;
pub mod syntax;
mod text;
pub mod threads;
pub mod validate;

pub use backend::{Backend, ChatMessage, FinishReason, Generation, ModelInfo, Prompt, Role, SpecialTokens};
pub use document::{Document, TextEdit};
pub use error::{Error, Result};
pub use sampling::SamplingParams;
pub use syntax::Language;
pub use tokio_util::sync::CancellationToken;
