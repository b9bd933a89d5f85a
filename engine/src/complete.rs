//! The completion pipeline, one function: document + cursor -> context -> prompt -> backend ->
//! post-process -> validate -> [`Completion`].

use serde::{Deserialize, Serialize};

use crate::{Backend, CancellationToken, Document, Result, SamplingParams};

/// Settings of the pipeline, as the server resolves them from the editor's configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CompletionOptions {
    pub sampling: SamplingParams,
    /// Token budget of the whole prompt (prefix + suffix + extra context).
    pub context_tokens: usize,
    /// Single line, multi-line, or decided from the syntax around the cursor.
    pub multiline: Multiline,
    /// Reject completions that add syntax errors to the file.
    pub validate_syntax: bool,
}

impl Default for CompletionOptions {
    fn default() -> Self {
        CompletionOptions {
            sampling: SamplingParams { max_tokens: 128, ..SamplingParams::default() },
            context_tokens: 2048,
            multiline: Multiline::Auto,
            validate_syntax: true,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Multiline {
    #[default]
    Auto,
    Always,
    Never,
}

/// One request: a document, a cursor (byte offset) and the other open documents for extra context.
#[derive(Clone, Copy, Debug)]
pub struct CompletionRequest<'a> {
    pub document: &'a Document,
    pub cursor: usize,
    pub open_documents: &'a [Document],
    pub options: &'a CompletionOptions,
}

/// Text to insert at the cursor. `replace_end` (a byte offset >= cursor) is where the replaced range ends:
/// usually the cursor itself, further when the completion retypes text already after the cursor.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub text: String,
    pub replace_end: usize,
}

/// Runs the pipeline. `Ok(None)` when there is nothing worth suggesting.
pub fn complete(backend: &dyn Backend, request: &CompletionRequest<'_>, cancel: &CancellationToken) -> Result<Option<Completion>> {
    let _ = (backend, request, cancel);
    Ok(None)
}
