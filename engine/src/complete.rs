//! The completion pipeline, one function: document + cursor -> context -> prompt -> backend ->
//! post-process -> validate -> [`Completion`].

use serde::{Deserialize, Serialize};

use crate::context::{self, EditorContext};
pub use crate::cursor::Multiline;
use crate::postprocess::{self, Processed};
use crate::prompt::{self, CompletionPrompt};
use crate::validate::{self, SyntaxCheck};
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

/// Every stage's output for one request, for debugging and tests (`complete` keeps only the result).
#[derive(Clone, Debug)]
pub struct Trace {
    /// The context, with the syntax at the cursor (`context.cursor`).
    pub context: EditorContext,
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
        options,
        ..
    } = *request;
    options.sampling.validate()?;
    let info = backend.info();
    let (context, prompt) = prompt_for(backend, request)?;
    let mut trace = Trace {
        context,
        prompt,
        raw: None,
        processed: None,
        syntax: None,
        completion: None,
    };
    if cancel.is_cancelled() {
        return Err(Error::Cancelled);
    }

    let params = trace.prompt.sampling(&options.sampling);
    let think = postprocess::think_tags(&info.special);
    // Decoding stops as soon as more text could not change the answer (the block has ended).
    let answered = cancel.child_token();
    let mut streamed = String::new();
    let generated = backend.generate(&trace.prompt.prompt, &params, &answered, &mut |text| {
        streamed.push_str(text);
        if postprocess::is_final(&streamed, &trace.context.cursor, trace.prompt.lines, think) {
            answered.cancel();
        }
    });
    let raw = match generated {
        Ok(generation) => generation.text,
        Err(Error::Cancelled) if answered.is_cancelled() && !cancel.is_cancelled() => streamed,
        Err(error) => return Err(error),
    };
    trace.processed = postprocess::process(&raw, &trace.context.cursor, trace.prompt.lines, think);
    trace.raw = Some(raw);
    let Some(processed) = &trace.processed else {
        return Ok(trace);
    };

    if options.validate_syntax {
        trace.syntax = validate::check_syntax(document, cursor, processed);
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

/// Warms the model's cache with the prompt `request` would send ([`Backend::warm`]), before the user
/// types there: the first keystroke at the cursor then re-runs only its own token and what follows the
/// cursor. Returns once the prompt is queued.
///
/// Where the cursor will be is the caller's guess: the editor's cursor when it is known, else the end
/// of the file. The end covers every cursor when the file fits the budget and no other file's
/// definitions are chosen (they come before the file in the prompt and depend on the names near the
/// cursor): the prefix comes first, so its tokens up to any cursor are those of a request there.
pub fn warm(backend: &dyn Backend, request: &CompletionRequest<'_>) -> Result<()> {
    request.options.sampling.validate()?;
    let (_, prompt) = prompt_for(backend, request)?;
    backend.warm(&prompt.prompt)
}

/// The context and prompt stages of the pipeline.
fn prompt_for(
    backend: &dyn Backend,
    request: &CompletionRequest<'_>,
) -> Result<(EditorContext, CompletionPrompt)> {
    let CompletionRequest {
        document,
        cursor,
        open_documents,
        workspace,
        options,
    } = *request;
    let info = backend.info();
    let count = |text: &str| backend.count_tokens(text);
    let budget = prompt::context_budget(info, options.sampling.max_tokens, options.context_tokens);
    let context =
        context::build_with_workspace(&count, document, cursor, open_documents, workspace, budget)?;
    let lines = options.multiline.lines(&context.cursor);
    let prompt = prompt::completion(info, &context, lines);
    Ok((context, prompt))
}
