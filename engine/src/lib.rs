//! The engine: everything between an editor request and the text that goes back.
//!
//! Data flows one way: [`Document`] + cursor -> [`context`] -> [`prompt`] -> [`Backend`] (a model) ->
//! [`postprocess`] -> [`validate`] -> [`complete::Completion`]. The syntax at the cursor ([`cursor`]) is
//! computed once by the context stage; the code actions ([`actions`]) go through the same stages.
//!
//! Architecture invariant: this crate knows nothing about LSP, JSON-RPC or editors. It is the only crate
//! that knows tree-sitter; candle stays inside the `model` crate, re-exported here as [`model`] with the
//! `Backend` seam's types. The server converts the engine's plain types to protocol types.

pub mod actions;
pub mod complete;
pub mod context;
pub mod cursor;
pub mod document;
pub mod postprocess;
pub mod prompt;
pub mod remote;
pub mod suggestion;
pub mod syntax;
mod text;
pub mod threads;
pub mod validate;
pub mod workspace;

// The model crate: the local Qwen model, and the types of the `Backend` seam that every stage shares.
pub use model;
pub use model::{backend, error, sampling, secrets};

pub use backend::{
    Backend, ChatMessage, FinishReason, Generation, ModelInfo, PrefillEstimate, Prompt, Role,
    SpecialTokens,
};
pub use document::{Document, TextEdit};
pub use error::{Error, Result};
pub use model::CancellationToken;
pub use sampling::SamplingParams;
pub use syntax::Language;
