//! The engine's one error type. Every variant names the problem in words a user can act on.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request was cancelled (superseded, `$/cancelRequest`, shutdown) before it finished.
    #[error("request cancelled")]
    Cancelled,
    /// A model could not be found or loaded: a missing file, a corrupt checkpoint, an unsupported config.
    #[error("cannot load model from {source_desc}: {message}")]
    ModelLoad {
        source_desc: String,
        message: String,
    },
    /// A file the engine needed could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The prompt does not fit the model's context window.
    #[error(
        "prompt is {prompt_tokens} tokens, longer than the model's context of {context_length} tokens"
    )]
    PromptTooLong {
        prompt_tokens: usize,
        context_length: usize,
    },
    /// Caller input that the engine rejects where it enters (bad sampling values, offsets out of range).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Tokenizer failure (encoding or decoding).
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// A failure inside the model's forward pass (tensor shape, device, dtype).
    #[error("model: {0}")]
    Model(String),
    /// A remote backend failed (HTTP status, malformed response, timeout).
    #[error("backend: {0}")]
    Backend(String),
}

impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error::Model(candle_message(&e))
    }
}

/// A candle error's message without the backtrace candle attaches when `RUST_BACKTRACE` is set: users
/// need the problem, not 20 frames of our call stack.
pub(crate) fn candle_message(e: &candle_core::Error) -> String {
    match e {
        candle_core::Error::WithBacktrace { inner, .. } => candle_message(inner),
        candle_core::Error::WithPath { inner, path } => {
            format!("{}: {}", path.display(), candle_message(inner))
        }
        candle_core::Error::Context { inner, context } => {
            format!("{context}: {}", candle_message(inner))
        }
        other => other.to_string(),
    }
}
