//! The completion pipeline, one function: document + cursor -> context -> prompt -> backend ->
//! post-process -> validate -> [`Completion`].

use serde::{Deserialize, Serialize};

use crate::context::{self, EditorContext};
pub use crate::cursor::Multiline;
use crate::postprocess::{self, Processed};
use crate::prompt::{self, CompletionPrompt};
use crate::validate::{self, SyntaxCheck};
use crate::{Backend, CancellationToken, Document, Error, PrefillEstimate, Result, SamplingParams};

/// Settings of the pipeline, as the server resolves them from the editor's configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CompletionOptions {
    pub sampling: SamplingParams,
    /// Token budget of the whole prompt (prefix + suffix + extra context).
    pub context_tokens: usize,
    /// Token budget of the prompt while the model's cache is cold: a request whose prompt would take
    /// the model [`COLD_SAVING_MS`] longer to prefill than one with a context of this many tokens
    /// (a file just opened, on a CPU) uses the smaller one, and warming prepares it first. 0: always
    /// the whole budget.
    pub cold_context_tokens: usize,
    /// Milliseconds re-running the suffix may take a keystroke on a device where the prompt's uncached
    /// part takes the model [`COLD_SAVING_MS`] or more (a CPU): every keystroke re-runs what follows
    /// the cursor, so there it is cut to the whole lines that re-run in this time (about 2 lines at
    /// 10 ms a token). 0: never cut.
    pub suffix_rerun_ms: u64,
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
            cold_context_tokens: 256,
            suffix_rerun_ms: 200,
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
///
/// The prompts are those a request would send ([`prompts`]): when the whole prompt is far from cached
/// (or the model has measured no speed yet), the cold-cache prompt
/// ([`CompletionOptions::cold_context_tokens`]) is queued after it, so it runs first: it is ready in a
/// fraction of the time, for the keystrokes that come before the whole prompt is.
pub fn warm(backend: &dyn Backend, request: &CompletionRequest<'_>) -> Result<()> {
    let options = request.options;
    options.sampling.validate()?;
    let (whole, cold) = prompts(backend, request)?;
    backend.warm(&whole.1.prompt)?;
    let cold = match cold {
        // Nothing prefilled yet, so no speed to reckon with (the model just loaded): the small one
        // too, in case.
        None if has_cold_budget(options)
            && backend.prefill_estimate(&whole.1.prompt)?.is_none() =>
        {
            Some(prompt_within(
                backend,
                request,
                options.cold_context_tokens,
            )?)
        }
        cold => cold,
    };
    if let Some(cold) = cold {
        backend.warm(&cold.1.prompt)?;
    }
    Ok(())
}

/// How much faster the cold-cache prompt ([`CompletionOptions::cold_context_tokens`]) must prefill
/// than the whole one for a request to use it: a delay a user notices between keystrokes.
pub const COLD_SAVING_MS: f64 = 400.0;

fn has_cold_budget(options: &CompletionOptions) -> bool {
    options.cold_context_tokens > 0 && options.cold_context_tokens < options.context_tokens
}

/// The context and prompt stages of the pipeline: the prompt [`prompts`] chooses. A request that gets
/// the cold-cache one queues the whole one to warm below the requests, so that a later keystroke gets it.
fn prompt_for(
    backend: &dyn Backend,
    request: &CompletionRequest<'_>,
) -> Result<(EditorContext, CompletionPrompt)> {
    match prompts(backend, request)? {
        (whole, None) => Ok(whole),
        (whole, Some(cold)) => {
            tracing::debug!(
                "the cache is cold: the prompt of a {}-token context instead",
                request.options.cold_context_tokens
            );
            backend.warm(&whole.1.prompt)?;
            Ok(cold)
        }
    }
}

/// A context and its prompt.
type Staged = (EditorContext, CompletionPrompt);

/// The prompts a request sends: the prompt within the whole budget where the model prefills what it
/// lacks of it in under [`COLD_SAVING_MS`]. On a device where it does not (its measured speed,
/// [`Backend::prefill_estimate`]):
/// - the suffix is cut to what it re-runs in [`CompletionOptions::suffix_rerun_ms`]
///   ([`context::cut_suffix`]), since every keystroke re-runs it;
/// - while the cache lacks the prompt's start, the cold-cache prompt
///   ([`CompletionOptions::cold_context_tokens`], its suffix cut alike) comes second when it saves
///   [`COLD_SAVING_MS`] or more: the one to send now.
fn prompts(
    backend: &dyn Backend,
    request: &CompletionRequest<'_>,
) -> Result<(Staged, Option<Staged>)> {
    let options = request.options;
    let whole = prompt_within(backend, request, options.context_tokens)?;
    // The whole prompt's cost first: most keystrokes find it cached and build nothing more.
    let Some(cost) = backend.prefill_estimate(&whole.1.prompt)? else {
        return Ok((whole, None));
    };
    if cost.ms < COLD_SAVING_MS {
        return Ok((whole, None));
    }
    let suffix_tokens = suffix_tokens(options, &cost);
    let whole = with_short_suffix(backend, request, whole.0, suffix_tokens)?;
    let Some(cost) = backend.prefill_estimate(&whole.1.prompt)? else {
        return Ok((whole, None));
    };
    if cost.ms < COLD_SAVING_MS || !has_cold_budget(options) {
        return Ok((whole, None));
    }
    let (cold, _) = prompt_within(backend, request, options.cold_context_tokens)?;
    let cold = with_short_suffix(backend, request, cold, suffix_tokens)?;
    match backend.prefill_estimate(&cold.1.prompt)? {
        Some(cold_cost) if cost.ms - cold_cost.ms >= COLD_SAVING_MS => Ok((whole, Some(cold))),
        _ => Ok((whole, None)),
    }
}

/// The suffix's tokens that re-run in [`CompletionOptions::suffix_rerun_ms`] at the speed `cost` was
/// reckoned with (`usize::MAX`: no cut).
fn suffix_tokens(options: &CompletionOptions, cost: &PrefillEstimate) -> usize {
    match options.suffix_rerun_ms {
        0 => usize::MAX,
        ms => (ms as f64 * cost.uncached_tokens as f64 / cost.ms.max(f64::MIN_POSITIVE)) as usize,
    }
}

/// `context` with its suffix cut to `tokens` ([`context::cut_suffix`]), and its prompt.
fn with_short_suffix(
    backend: &dyn Backend,
    request: &CompletionRequest<'_>,
    context: EditorContext,
    tokens: usize,
) -> Result<Staged> {
    let count = |text: &str| backend.count_tokens(text);
    let context = context::cut_suffix(&count, request.document, &context, tokens)?;
    Ok(prompt_of(backend, request.options, context))
}

/// The prompt stage: `context` and its prompt.
fn prompt_of(backend: &dyn Backend, options: &CompletionOptions, context: EditorContext) -> Staged {
    let lines = options.multiline.lines(&context.cursor);
    let prompt = prompt::completion(backend.info(), &context, lines);
    (context, prompt)
}

/// The context and prompt within `context_tokens` (further cut to what the model's window leaves).
fn prompt_within(
    backend: &dyn Backend,
    request: &CompletionRequest<'_>,
    context_tokens: usize,
) -> Result<Staged> {
    let CompletionRequest {
        document,
        cursor,
        open_documents,
        workspace,
        options,
    } = *request;
    let info = backend.info();
    let count = |text: &str| backend.count_tokens(text);
    let budget = prompt::context_budget(info, options.sampling.max_tokens, context_tokens);
    let context =
        context::build_with_workspace(&count, document, cursor, open_documents, workspace, budget)?;
    Ok(prompt_of(backend, options, context))
}
