//! The engine: everything between an editor request and the text that goes back.
//!
//! Data flows one way: [`Document`] + cursor -> [`context`] -> [`prompt`] -> [`Backend`] (a model) ->
//! [`postprocess`] -> validation -> [`complete::Completion`].
//!
//! Architecture invariant: this crate knows nothing about LSP, JSON-RPC or editors. It is the only crate
//! that knows candle, tokenizers and tree-sitter; the server converts its plain types to protocol types.

pub mod actions;
pub mod backend;
pub mod complete;
pub mod context;
pub mod document;
pub mod error;
pub mod model;
pub mod postprocess;
pub mod prompt;
pub mod remote;
pub mod sampling;
pub mod secrets;
pub mod syntax;
pub mod threads;
pub mod workspace;

pub use backend::{Backend, ChatMessage, FinishReason, Generation, ModelInfo, Prompt, Role, SpecialTokens};
pub use document::{Document, Language, TextEdit};
pub use error::{Error, Result};
pub use sampling::SamplingParams;
pub use tokio_util::sync::CancellationToken;
