//! The completion pipeline, one function: document + cursor -> context -> prompt -> backend ->
//! post-process -> validate -> [`Completion`].

use serde::{Deserialize, Serialize};

use crate::context::{self, EditorContext};
use crate::postprocess::{self, CursorSyntax, Processed, SyntaxCheck};
use crate::prompt::{self, CompletionPrompt};
use crate::{Backend, CancellationToken, Document, Error, Result, SamplingParams};

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
            sampling: SamplingParams {
                max_tokens: 128,
                ..SamplingParams::default()
            },
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
    /// The workspace's index, for definitions from files the editor has not opened.
    pub workspace: Option<&'a crate::workspace::WorkspaceIndex>,
    pub options: &'a CompletionOptions,
}

/// Text to insert at the cursor. `replace_end` (a byte offset >= cursor) is where the replaced range ends:
/// usually the cursor itself, further when the completion retypes text already after the cursor.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub text: String,
    pub replace_end: usize,
}

/// Tokens the FIM/repo-level markup adds around the context (`<|fim_prefix|>`, file separators, paths).
const TEMPLATE_TOKENS: usize = 32;

/// Every stage's output for one request, for debugging and tests (`complete` keeps only the result).
#[derive(Clone, Debug)]
pub struct Trace {
    pub context: EditorContext,
    pub cursor: CursorSyntax,
    pub prompt: CompletionPrompt,
    /// The model's raw text; `None` when the request ended before generation.
    pub raw: Option<String>,
    pub processed: Option<Processed>,
    /// `None` when validation was off or the language has no grammar.
    pub syntax: Option<SyntaxCheck>,
    pub completion: Option<Completion>,
}

/// Runs the pipeline. `Ok(None)` when there is nothing worth suggesting.
pub fn complete(
    backend: &dyn Backend,
    request: &CompletionRequest<'_>,
    cancel: &CancellationToken,
) -> Result<Option<Completion>> {
    Ok(complete_traced(backend, request, cancel)?.completion)
}

/// [`complete`], keeping every stage's output.
pub fn complete_traced(
    backend: &dyn Backend,
    request: &CompletionRequest<'_>,
    cancel: &CancellationToken,
) -> Result<Trace> {
    let CompletionRequest {
        document,
        cursor,
        open_documents,
        workspace,
        options,
    } = *request;
    options.sampling.validate()?;
    let info = backend.info();
    let count = |text: &str| backend.count_tokens(text);
    // The prompt and the generated tokens share the model's window; a few tokens go to the template.
    let room = info
        .context_length
        .saturating_sub(options.sampling.max_tokens + TEMPLATE_TOKENS);
    let context = context::build_with_workspace(
        &count,
        document,
        cursor,
        open_documents,
        workspace,
        options.context_tokens.min(room),
    )?;
    let cursor_syntax = postprocess::cursor_syntax(document, cursor, options.multiline);
    let prompt = prompt::completion(info, &context, cursor_syntax.lines);
    let mut trace = Trace {
        context,
        cursor: cursor_syntax,
        prompt,
        raw: None,
        processed: None,
        syntax: None,
        completion: None,
    };
    if cancel.is_cancelled() {
        return Err(Error::Cancelled);
    }

    let mut params = options.sampling.clone();
    for stop in &trace.prompt.stop {
        if !params.stop.contains(stop) {
            params.stop.push(stop.clone());
        }
    }
    let generation = backend.generate(&trace.prompt.prompt, &params, cancel, &mut |_| {})?;
    let think = (
        info.special.think_start.as_deref().unwrap_or("<think>"),
        info.special.think_end.as_deref().unwrap_or("</think>"),
    );
    trace.processed = postprocess::process(&generation.text, cursor, &trace.cursor, think);
    trace.raw = Some(generation.text);
    let Some(processed) = &trace.processed else {
        return Ok(trace);
    };

    if options.validate_syntax {
        trace.syntax = postprocess::check_syntax(document, cursor, processed);
        if trace.syntax.is_some_and(|check| !check.passed()) {
            tracing::debug!(?trace.syntax, "completion rejected: it adds syntax errors");
            return Ok(trace);
        }
    }
    trace.completion = Some(Completion {
        text: processed.text.clone(),
        replace_end: processed.replace_end,
    });
    Ok(trace)
}
