//! The completion pipeline, `complete()`: request -> context -> prompt -> backend -> post-process ->
//! validate. Pipeline logic is driven by a scripted test double; one end-to-end test runs the real
//! tiny Qwen3 checkpoint.

#![allow(clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::{LazyLock, Mutex};

use engine::complete::{self, CompletionOptions, CompletionRequest, Multiline};
use engine::model::{LoadOptions, LocalModel};
use engine::{
    Backend, CancellationToken, Document, FinishReason, Generation, Language, ModelInfo,
    PrefillEstimate, Prompt, SamplingParams,
};
use expect_test::expect;

use crate::context::{count_tokens, qwen_special, with_cursor, workspace};

/// TEST DOUBLE, not a model: replays scripted replies so that tests can check what the pipeline does
/// with a given model output (post-processing, validation, candidate checking). It records the prompts
/// and parameters it receives. Token counts come from the real Qwen3 tokenizer.
pub(crate) struct ScriptedBackend {
    info: ModelInfo,
    replies: Mutex<VecDeque<String>>,
    pub(crate) received: Mutex<Vec<(Prompt, SamplingParams)>>,
    /// Bytes of each reply streamed before it ended or saw its cancellation.
    pub(crate) streamed: Mutex<Vec<usize>>,
    /// A stand-in for a model's cache, for [`Backend::prefill_estimate`]: the prompts it holds, and
    /// the prefill speed it reports (`None`: it reports no estimate).
    pub(crate) cached: Mutex<Vec<String>>,
    pub(crate) ms_per_token: Option<f64>,
    /// The prompts given to [`Backend::warm`], in order.
    pub(crate) warmed: Mutex<Vec<Prompt>>,
}

impl ScriptedBackend {
    pub(crate) fn new(has_chat_template: bool, replies: &[&str]) -> ScriptedBackend {
        ScriptedBackend {
            info: ModelInfo {
                name: "scripted test double".into(),
                context_length: 4096,
                special: qwen_special(),
                has_chat_template,
                weights: String::new(),
            },
            replies: Mutex::new(replies.iter().map(|r| r.to_string()).collect()),
            received: Mutex::new(Vec::new()),
            streamed: Mutex::new(Vec::new()),
            cached: Mutex::new(Vec::new()),
            ms_per_token: None,
            warmed: Mutex::new(Vec::new()),
        }
    }

    /// Estimates prefills at `ms_per_token` for what [`Self::cached`] lacks.
    pub(crate) fn with_prefill_speed(mut self, ms_per_token: f64) -> ScriptedBackend {
        self.ms_per_token = Some(ms_per_token);
        self
    }

    /// A model whose tokenizer has no FIM tokens (a chat-only model).
    pub(crate) fn without_fim(mut self) -> ScriptedBackend {
        let special = &mut self.info.special;
        (special.fim_prefix, special.fim_suffix, special.fim_middle) = (None, None, None);
        self
    }

    pub(crate) fn with_context_length(mut self, context_length: usize) -> ScriptedBackend {
        self.info.context_length = context_length;
        self
    }

    pub(crate) fn prompts(&self) -> Vec<Prompt> {
        self.received
            .lock()
            .map(|r| r.iter().map(|(p, _)| p.clone()).collect())
            .unwrap_or_default()
    }
}

impl Backend for ScriptedBackend {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn prefill_estimate(&self, prompt: &Prompt) -> engine::Result<Option<PrefillEstimate>> {
        let (Some(ms_per_token), Prompt::Text(text)) = (self.ms_per_token, prompt) else {
            return Ok(None);
        };
        let cached = self.cached.lock().unwrap();
        let common = cached
            .iter()
            .map(|c| {
                let same = common_prefix(c, text);
                (0..=same)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0);
        let uncached_tokens = count_tokens(&text[common..])?.max(1);
        Ok(Some(PrefillEstimate {
            uncached_tokens,
            ms: uncached_tokens as f64 * ms_per_token,
        }))
    }

    fn warm(&self, prompt: &Prompt) -> engine::Result<()> {
        self.warmed.lock().unwrap().push(prompt.clone());
        Ok(())
    }

    fn count_tokens(&self, text: &str) -> engine::Result<usize> {
        count_tokens(text)
    }

    fn generate(
        &self,
        prompt: &Prompt,
        params: &SamplingParams,
        cancel: &CancellationToken,
        on_text: &mut dyn FnMut(&str),
    ) -> engine::Result<Generation> {
        if cancel.is_cancelled() {
            return Err(engine::Error::Cancelled);
        }
        if let Ok(mut received) = self.received.lock() {
            received.push((prompt.clone(), params.clone()));
        }
        let text = self
            .replies
            .lock()
            .ok()
            .and_then(|mut r| r.pop_front())
            .unwrap_or_default();
        // A character at a time, checking the cancellation between them as a model does per token.
        let mut sent = 0;
        for (i, c) in text.char_indices() {
            if cancel.is_cancelled() {
                break;
            }
            on_text(&text[i..i + c.len_utf8()]);
            sent = i + c.len_utf8();
        }
        if let Ok(mut streamed) = self.streamed.lock() {
            streamed.push(sent);
        }
        if sent < text.len() {
            return Err(engine::Error::Cancelled);
        }
        Ok(Generation {
            prompt_token_ids: Vec::new(),
            token_ids: Vec::new(),
            text,
            finish: FinishReason::Eos,
            prefill_ms: 0.0,
            decode_ms: 0.0,
        })
    }
}

fn request<'a>(
    doc: &'a Document,
    cursor: usize,
    options: &'a CompletionOptions,
) -> CompletionRequest<'a> {
    CompletionRequest {
        document: doc,
        cursor,
        open_documents: &[],
        workspace: None,
        options,
    }
}

#[test]
fn complete_post_processes_the_model_output() {
    let (doc, cursor) = with_cursor(
        "file:///p/geo.py",
        Language::Python,
        "import math\n\n\ndef area(r):$0\n\n\nprint(area(2))\n",
    );
    let backend = ScriptedBackend::new(
        false,
        &["<think>circle</think>\n    return math.pi * r ** 2\n\n\ndef perimeter(r):\n    pass\n"],
    );
    let options = CompletionOptions::default();
    let trace = complete::complete_traced(
        &backend,
        &request(&doc, cursor, &options),
        &CancellationToken::new(),
    )
    .expect("complete");
    expect![[r#"
        Some(
            Completion {
                text: "    return math.pi * r ** 2",
                replace_end: 26,
            },
        )
    "#]]
    .assert_debug_eq(&trace.completion);
    let received = backend
        .received
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    let [(Prompt::Text(prompt), params)] = received.as_slice() else {
        panic!("one text prompt: {received:?}")
    };
    expect![[r#"<|fim_prefix|>import math


def area(r):<|fim_suffix|>


print(area(2))
<|fim_middle|>"#]]
    .assert_eq(prompt);
    // Multi-line after `def area(r):`, so no newline stop; the FIM tokens always stop it.
    assert!(!params.stop.contains(&"\n".to_owned()));
    assert!(params.stop.contains(&"<|file_sep|>".to_owned()));
}

#[test]
fn single_line_requests_stop_at_a_newline() {
    let (doc, cursor) = with_cursor("file:///p/a.py", Language::Python, "x = compute($0)\n");
    let backend = ScriptedBackend::new(false, &["1, 2)"]);
    let options = CompletionOptions::default();
    let completion = complete::complete(
        &backend,
        &request(&doc, cursor, &options),
        &CancellationToken::new(),
    )
    .expect("complete");
    assert_eq!(
        completion.map(|c| (c.text, c.replace_end)),
        Some(("1, 2".to_owned(), cursor))
    );
    let received = backend
        .received
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    assert!(received[0].1.stop.contains(&"\n".to_owned()));
}

/// Decoding stops once the block has ended: the model is not left writing the rest of the file.
#[test]
fn decoding_stops_when_the_block_has_ended() {
    let (doc, cursor) = with_cursor("file:///p/a.py", Language::Python, "def f(x):$0\n");
    let reply = format!(
        "\n    y = x * 2\n    return y\n\nprint(f(1))\n{}",
        "z = 1\n".repeat(200)
    );
    let backend = ScriptedBackend::new(false, &[&reply]);
    let options = CompletionOptions::default();
    let request = request(&doc, cursor, &options);
    let caller = CancellationToken::new();
    let trace = complete::complete_traced(&backend, &request, &caller).expect("complete");
    assert_eq!(
        trace.completion.map(|c| c.text),
        Some("\n    y = x * 2\n    return y".to_owned())
    );
    let streamed = backend
        .streamed
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    // Stopped at the `p` of `print`, the first character outside the block.
    assert_eq!(streamed, vec![reply.find("print").unwrap() + 1]);
    assert_eq!(trace.raw.as_deref(), Some(&reply[..streamed[0]]));
    assert!(!caller.is_cancelled(), "the caller's token is untouched");
}

/// A request the caller cancels is still an error, even when the stream had ended the block.
#[test]
fn a_cancelled_request_is_an_error_not_an_early_answer() {
    let (doc, cursor) = with_cursor("file:///p/a.py", Language::Python, "def f(x):$0\n");
    let backend = ScriptedBackend::new(false, &["\n    return x\nprint(1)\n"]);
    let options = CompletionOptions::default();
    let caller = CancellationToken::new();
    caller.cancel();
    let result = complete::complete_traced(&backend, &request(&doc, cursor, &options), &caller);
    assert!(
        matches!(result, Err(engine::Error::Cancelled)),
        "{result:?}"
    );
}

/// The syntax at the cursor is computed once, in the context stage; the setting decides over it in
/// the prompt (its newline stop) and post-processing keeps to the same decision.
#[test]
fn the_multiline_setting_reaches_the_prompt_and_post_processing() {
    let (doc, cursor) = with_cursor("file:///p/a.py", Language::Python, "def f(x):$0\n");
    let reply = "\n    y = x * 2\n    return y\n";
    for (multiline, expected) in [
        (Multiline::Auto, Some("\n    y = x * 2\n    return y")),
        (Multiline::Never, None),
    ] {
        let backend = ScriptedBackend::new(false, &[reply]);
        let options = CompletionOptions {
            multiline,
            ..CompletionOptions::default()
        };
        let trace = complete::complete_traced(
            &backend,
            &request(&doc, cursor, &options),
            &CancellationToken::new(),
        )
        .expect("complete");
        assert_eq!(trace.context.cursor.offset, cursor);
        assert_eq!(
            trace.context.cursor.lines,
            engine::cursor::Lines::Multi,
            "the syntax asks for a block"
        );
        let single = multiline == Multiline::Never;
        assert_eq!(trace.prompt.lines == engine::cursor::Lines::Single, single);
        assert_eq!(trace.prompt.stop.contains(&"\n".to_owned()), single);
        // A single line that is empty (the reply starts with a newline) is no completion.
        assert_eq!(
            trace.completion.map(|c| c.text).as_deref(),
            expected,
            "{multiline:?}"
        );
    }
}

#[test]
fn syntax_breaking_completions_are_rejected_unless_validation_is_off() {
    let (doc, cursor) = with_cursor(
        "file:///p/a.py",
        Language::Python,
        "def f(x):\n    return $0\n",
    );
    let mut options = CompletionOptions::default();
    let backend = ScriptedBackend::new(false, &["x +* )"]);
    let trace = complete::complete_traced(
        &backend,
        &request(&doc, cursor, &options),
        &CancellationToken::new(),
    )
    .expect("complete");
    assert!(trace.processed.is_some());
    assert!(trace.syntax.is_some_and(|s| !s.passed()));
    assert_eq!(trace.completion, None);

    options.validate_syntax = false;
    let backend = ScriptedBackend::new(false, &["x +* )"]);
    let completion = complete::complete(
        &backend,
        &request(&doc, cursor, &options),
        &CancellationToken::new(),
    )
    .expect("complete");
    assert_eq!(completion.map(|c| c.text), Some("x +* )".to_owned()));
}

#[test]
fn a_cancelled_request_returns_cancelled() {
    let (doc, cursor) = with_cursor("file:///p/a.py", Language::Python, "x = $0\n");
    let backend = ScriptedBackend::new(false, &["1"]);
    let cancel = CancellationToken::new();
    cancel.cancel();
    let options = CompletionOptions::default();
    let result = complete::complete(&backend, &request(&doc, cursor, &options), &cancel);
    assert!(
        matches!(result, Err(engine::Error::Cancelled)),
        "{result:?}"
    );
    assert!(
        backend.prompts().is_empty(),
        "the backend was called after cancellation"
    );
}

#[test]
fn the_prompt_leaves_room_for_the_generated_tokens() {
    let (doc, cursor) = crate::context::fixture("python/cart.py");
    let backend = ScriptedBackend::new(false, &["x"]).with_context_length(300);
    let options = CompletionOptions::default(); // 2,048 context tokens, 128 generated
    complete::complete(
        &backend,
        &request(&doc, cursor.expect("cursor"), &options),
        &CancellationToken::new(),
    )
    .expect("complete");
    let prompts = backend.prompts();
    let [Prompt::Text(prompt)] = prompts.as_slice() else {
        panic!("{prompts:?}")
    };
    let tokens = count_tokens(prompt).expect("count");
    assert!(
        tokens + 128 <= 300,
        "{tokens} prompt tokens + 128 generated exceed the model's 300"
    );
    assert!(tokens > 100, "the budget was not used: {tokens} tokens");
}

#[test]
fn bad_requests_are_errors_not_panics() {
    let doc = Document::new("file:///p/a.py", Language::Python, "s = 'é'\n");
    let backend = ScriptedBackend::new(false, &[]);
    let options = CompletionOptions::default();
    for cursor in [6, 100] {
        let result = complete::complete(
            &backend,
            &request(&doc, cursor, &options),
            &CancellationToken::new(),
        );
        assert!(
            matches!(result, Err(engine::Error::InvalidInput(_))),
            "cursor {cursor}: {result:?}"
        );
    }
    let bad = CompletionOptions {
        sampling: SamplingParams {
            temperature: -1.0,
            ..SamplingParams::default()
        },
        ..options
    };
    let result = complete::complete(&backend, &request(&doc, 0, &bad), &CancellationToken::new());
    assert!(
        matches!(result, Err(engine::Error::InvalidInput(_))),
        "{result:?}"
    );
}

/// The real tiny Qwen3 checkpoint (random weights, real tokenizer), loaded once.
pub(crate) static TINY: LazyLock<LocalModel> = LazyLock::new(|| {
    let dir = workspace().join("tests/models/qwen3-tiny");
    let options = LoadOptions {
        source: dir.display().to_string(),
        ..LoadOptions::default()
    };
    LocalModel::load(&options).unwrap_or_else(|e| panic!("loading {}: {e}", dir.display()))
});

/// End to end through the real model. Its weights are random, so the text is noise; what is checked
/// is that the pipeline runs on real output and that post-processing holds its guarantees on it.
#[test]
fn end_to_end_with_the_tiny_qwen3_model() {
    let model: &LocalModel = &TINY;
    assert!(
        model.info().special.has_fim(),
        "the Qwen3 tokenizer has FIM tokens"
    );
    let (doc, cursor) = crate::context::fixture("python/cart.py");
    let cursor = cursor.expect("cursor");
    let open = [crate::context::fixture("python/money.py").0];
    for multiline in [Multiline::Never, Multiline::Always] {
        let options = CompletionOptions {
            sampling: SamplingParams {
                max_tokens: 24,
                ..SamplingParams::default()
            },
            context_tokens: 400,
            multiline,
            validate_syntax: false,
            ..CompletionOptions::default()
        };
        let request = CompletionRequest {
            document: &doc,
            cursor,
            open_documents: &open,
            workspace: None,
            options: &options,
        };
        let trace = complete::complete_traced(model, &request, &CancellationToken::new())
            .expect("complete");
        let Prompt::Text(prompt) = &trace.prompt.prompt else {
            panic!("FIM prompt expected")
        };
        assert!(
            prompt.starts_with("<|repo_name|>shop\n<|file_sep|>money.py\n"),
            "{prompt}"
        );
        assert!(prompt.ends_with("<|fim_middle|>"));
        let prompt_tokens = model.count_tokens(prompt).expect("count");
        assert!(
            prompt_tokens <= 400 + 20,
            "{prompt_tokens} prompt tokens for a budget of 400"
        );
        let raw = trace.raw.as_deref().expect("the model ran");
        if let Some(c) = &trace.completion {
            assert!(
                !c.text.contains("<think>") && !c.text.contains('\r'),
                "{c:?}"
            );
            assert!(c.text.trim_end() == c.text, "trailing whitespace in {c:?}");
            if multiline == Multiline::Never {
                assert!(
                    !c.text.contains('\n'),
                    "single-line completion spans lines: {c:?}"
                );
            }
            // Post-processing only cuts and trims: every line it keeps comes from the model.
            for line in c.text.lines() {
                assert!(
                    raw.contains(line.trim()),
                    "{line:?} is not in the model's output {raw:?}"
                );
            }
        }
    }
}

/// Waits until `model` has no warm-up left (a guard against a hang, not a timing).
fn wait_warm(model: &LocalModel) {
    let start = std::time::Instant::now();
    while model.warming() {
        assert!(
            start.elapsed().as_secs() < 120,
            "the warm-up never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// Warms `warm_at` of `cart.py` (with `open` documents beside it), then asks at its cursor with one
/// character typed; returns (tokens reused, tokens of the prompt before the cursor).
fn warmed_request(open: &[Document], warm_at: Option<usize>) -> (usize, usize) {
    let dir = workspace().join("tests/models/qwen3-tiny");
    let model = LocalModel::load(&LoadOptions {
        source: dir.display().to_string(),
        ..LoadOptions::default()
    })
    .unwrap();
    let (cart, cursor) = crate::context::fixture("python/cart.py");
    let cursor = cursor.unwrap();
    let options = CompletionOptions {
        sampling: SamplingParams {
            max_tokens: 2,
            ..SamplingParams::default()
        },
        ..CompletionOptions::default()
    };
    let warm = CompletionRequest {
        document: &cart,
        cursor: warm_at.unwrap_or(cart.len()),
        open_documents: open,
        workspace: None,
        options: &options,
    };
    complete::warm(&model, &warm).unwrap();
    wait_warm(&model);
    let typed = cart
        .with_edit(&engine::TextEdit {
            start: cursor,
            end: cursor,
            new_text: "d".into(),
        })
        .unwrap();
    let request = CompletionRequest {
        document: &typed,
        cursor: cursor + 1,
        ..warm
    };
    let trace = complete::complete_traced(&model, &request, &CancellationToken::new()).unwrap();
    let Prompt::Text(prompt) = &trace.prompt.prompt else {
        panic!("a text prompt")
    };
    let up_to_cursor = &prompt[..prompt.find("<|fim_suffix|>").unwrap()];
    (
        model.last_reused_tokens(),
        model.count_tokens(up_to_cursor).unwrap(),
    )
}

/// Warming a file at its end (`complete::warm`, as the server does when the editor opens it) caches a
/// prompt whose start is that of a request anywhere in it, when nothing before the file depends on the
/// cursor: the first request re-runs only its own token and what follows the cursor.
#[test]
fn a_file_warmed_at_its_end_serves_the_first_keystroke_anywhere_from_the_cache() {
    let (reused, before_cursor) = warmed_request(&[], None);
    assert!(
        reused + 3 >= before_cursor,
        "reused {reused} of {before_cursor}"
    );
}

/// With another file open, its definitions (chosen by the names near the cursor) come before the file:
/// warmed at the editor's cursor (`qwen-lsp/didFocus`), the first keystroke there still finds it all.
#[test]
fn a_file_warmed_at_the_cursor_serves_the_first_keystroke_there_with_other_files_open() {
    let (money, _) = crate::context::fixture("python/money.py");
    let (_, cursor) = crate::context::fixture("python/cart.py");
    let (reused, before_cursor) = warmed_request(&[money], cursor);
    assert!(
        reused + 3 >= before_cursor,
        "reused {reused} of {before_cursor}"
    );
}

fn prompt_text(prompt: &Prompt) -> &str {
    match prompt {
        Prompt::Text(text) => text,
        Prompt::Chat(_) => panic!("a completion prompt is text"),
    }
}

/// `f` of a request in the `cart.py` fixture, at its cursor, with `money.py` open beside it.
fn with_cart_request<T>(
    options: &CompletionOptions,
    f: impl FnOnce(&CompletionRequest<'_>) -> T,
) -> T {
    let (doc, cursor) = crate::context::fixture("python/cart.py");
    let open = [crate::context::fixture("python/money.py").0];
    f(&CompletionRequest {
        document: &doc,
        cursor: cursor.expect("cursor"),
        open_documents: &open,
        workspace: None,
        options,
    })
}

/// The prompt a completion sends through `backend`, and the context tokens it holds.
fn sent_prompt(backend: &ScriptedBackend, options: &CompletionOptions) -> (String, usize) {
    let trace = with_cart_request(options, |request| {
        complete::complete_traced(backend, request, &CancellationToken::new()).unwrap()
    });
    let sent = backend.prompts().pop().expect("a prompt was sent");
    assert_eq!(sent, trace.prompt.prompt);
    (prompt_text(&sent).to_owned(), trace.context.tokens)
}

#[test]
fn a_cold_cache_gets_the_small_context_until_the_whole_prompt_is_cached() {
    let options = CompletionOptions::default();
    assert!(options.cold_context_tokens < options.context_tokens);
    // Without an estimate (a remote model), the whole budget, as always.
    let (whole, whole_tokens) = sent_prompt(&ScriptedBackend::new(false, &[""]), &options);
    assert!(
        whole_tokens > 2 * options.cold_context_tokens,
        "{whole_tokens}"
    );

    let (before_suffix, whole_suffix) = split_at_suffix(&whole);

    // Nothing cached and 10 ms a token: the whole prompt would cost seconds more.
    let cold = ScriptedBackend::new(false, &["", "", ""]).with_prefill_speed(10.0);
    let (small, small_tokens) = sent_prompt(&cold, &options);
    assert!(
        small_tokens <= options.cold_context_tokens,
        "{small_tokens}"
    );
    assert!(small.len() < whole.len() / 2);
    assert!(
        small.contains("rate = bulk_discount(item.quantity)\n"),
        "the lines at the cursor"
    );
    // The whole prompt is queued to warm below the requests, for a later keystroke, with the suffix
    // a keystroke would send (below).
    let warmed: Vec<_> = cold.warmed.lock().unwrap().drain(..).collect();
    let [Prompt::Text(warmed)] = &warmed[..] else {
        panic!("{warmed:?}")
    };
    assert_eq!(split_at_suffix(warmed).0, before_suffix);

    // Once the model holds the prompt up to the cursor (a keystroke ago), re-running the ~50 tokens
    // after it would cost 500 ms: the suffix is cut to the whole lines that re-run in 200 ms.
    cold.cached.lock().unwrap().push(before_suffix.to_owned());
    let (short, _) = sent_prompt(&cold, &options);
    let (start, suffix) = split_at_suffix(&short);
    assert_eq!(start, before_suffix);
    assert_eq!(short, *warmed, "the prompt warmed");
    let suffix = suffix.trim_end_matches("<|fim_middle|>");
    assert!(whole_suffix.starts_with(suffix), "{suffix:?}");
    let tokens = count_tokens(suffix).unwrap();
    assert!(
        (10..=20 + 4).contains(&tokens),
        "{tokens} tokens: {suffix:?}"
    );
    assert!(suffix.ends_with('\n'), "whole lines: {suffix:?}");

    // The whole prompt cached, it is the one sent again.
    cold.cached.lock().unwrap().push(whole.clone());
    assert_eq!(sent_prompt(&cold, &options).0, whole);

    // A fast model (a GPU) saves too little with the small one to trade context for it.
    let fast = ScriptedBackend::new(false, &[""]).with_prefill_speed(0.05);
    assert_eq!(sent_prompt(&fast, &options).0, whole);

    // A budget of 0 turns the small context off: the whole one, its suffix cut.
    let off = CompletionOptions {
        cold_context_tokens: 0,
        ..CompletionOptions::default()
    };
    let cold = ScriptedBackend::new(false, &[""]).with_prefill_speed(10.0);
    assert_eq!(sent_prompt(&cold, &off).0, short);
    // And `suffixRerunMs: 0` keeps the whole suffix.
    let whole_suffix = CompletionOptions {
        suffix_rerun_ms: 0,
        ..CompletionOptions::default()
    };
    let cached = ScriptedBackend::new(false, &[""]).with_prefill_speed(10.0);
    cached.cached.lock().unwrap().push(before_suffix.to_owned());
    assert_eq!(sent_prompt(&cached, &whole_suffix).0, whole);
}

/// The bytes `a` and `b` start with alike.
fn common_prefix(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(a, b)| a == b).count()
}

/// A FIM prompt's text up to `<|fim_suffix|>`, and the rest.
fn split_at_suffix(prompt: &str) -> (&str, &str) {
    prompt.split_at(prompt.find("<|fim_suffix|>").expect("a FIM prompt") + "<|fim_suffix|>".len())
}

#[test]
fn warming_a_cold_file_queues_the_small_prompt_last_so_that_it_runs_first() {
    let options = CompletionOptions::default();
    let warm = |backend: &ScriptedBackend| {
        with_cart_request(&options, |request| {
            complete::warm(backend, request).unwrap()
        });
    };
    let (whole, _) = sent_prompt(&ScriptedBackend::new(false, &[""]), &options);
    let cold = ScriptedBackend::new(false, &[""]).with_prefill_speed(10.0);
    warm(&cold);
    let warmed: Vec<String> = cold
        .warmed
        .lock()
        .unwrap()
        .iter()
        .map(|p| prompt_text(p).to_owned())
        .collect();
    let (small, _) = sent_prompt(&cold, &options);
    assert_eq!(warmed.len(), 2, "the whole prompt, then the small one");
    assert_eq!(warmed[1], small);
    // The whole one as a request sends it at this speed: its suffix cut (see above).
    let (before_suffix, _) = split_at_suffix(&whole);
    assert_eq!(split_at_suffix(&warmed[0]).0, before_suffix);
    assert!(warmed[0].len() < whole.len());

    // A file whose whole prompt is cached already warms only that (the edit after a keystroke).
    let cached = ScriptedBackend::new(false, &[""]).with_prefill_speed(10.0);
    cached.cached.lock().unwrap().push(whole.clone());
    warm(&cached);
    assert_eq!(
        *cached.warmed.lock().unwrap(),
        [Prompt::Text(whole.clone())]
    );

    // Cached up to the cursor, the whole prompt with its suffix cut costs a keystroke little: only it
    // is warmed, not the small one, which no request would send.
    let started = ScriptedBackend::new(false, &[""]).with_prefill_speed(10.0);
    started
        .cached
        .lock()
        .unwrap()
        .push(before_suffix.to_owned());
    warm(&started);
    let warmed = started.warmed.lock().unwrap().clone();
    let [Prompt::Text(short)] = &warmed[..] else {
        panic!("{warmed:?}")
    };
    assert_eq!(split_at_suffix(short).0, before_suffix);
}

/// Lines typed into the middle of a file over twice the budget, a word or a line break at a time
/// (Enter with the editor's indentation): a keystroke keeps the model's cache when the previous
/// prompt, up to the line above the cursor, is still the start of the new one. Before the window's
/// start was put on a grid and the snippets' allowances made fixed, nearly every line typed moved the
/// prompt's start and the next keystroke prefilled it all again (17, 19 and 22 of these 95 keystrokes
/// at budgets of 2048, 1024 and 256 tokens; 2, 2 and 8 since).
#[test]
fn typing_lines_in_a_large_file_keeps_the_prompts_start() {
    // The fixture's imports, then its definitions eleven times over, each copy's names its own,
    // the cursor in the sixth.
    let (doc, cursor) = crate::context::fixture("python/large_cart.py");
    let cursor = cursor.expect("cursor");
    let indent = "\n            ";
    let lines = 24;
    let mut keystrokes = Vec::new();
    for i in 0..lines {
        if i > 0 {
            keystrokes.push(indent.to_owned());
        }
        keystrokes.extend([
            format!("line{i} "),
            "= ".into(),
            format!("item.total() * {i}"),
        ]);
    }
    let mut results = Vec::new();
    for (context_tokens, most_misses) in [(2048, lines / 8), (1024, lines / 8), (256, lines / 3)] {
        let options = CompletionOptions {
            context_tokens,
            ..CompletionOptions::default()
        };
        assert!(count_tokens(doc.text()).unwrap() > 2 * context_tokens);
        let backend = ScriptedBackend::new(false, &[""; 128]);
        let (mut typed, mut previous, mut misses) = (String::new(), None::<String>, 0);
        for keystroke in &keystrokes {
            typed.push_str(keystroke);
            let mut text = doc.text().to_owned();
            text.insert_str(cursor, &typed);
            let doc = Document::new(&doc.uri, doc.language, text);
            let request = CompletionRequest {
                document: &doc,
                cursor: cursor + typed.len(),
                open_documents: &[],
                workspace: None,
                options: &options,
            };
            let trace =
                complete::complete_traced(&backend, &request, &CancellationToken::new()).unwrap();
            // The grid costs at most a grid's lines of context.
            let tokens = trace.context.tokens;
            assert!(
                tokens <= context_tokens && tokens * 10 >= context_tokens * 7,
                "{tokens}"
            );
            let sent = prompt_text(&trace.prompt.prompt).to_owned();
            if let Some(previous) = previous {
                let before_cursor = &previous[..previous.find("<|fim_suffix|>").unwrap()];
                let line_above = before_cursor.rfind('\n').unwrap();
                if common_prefix(&previous, &sent) < line_above {
                    misses += 1;
                }
            }
            previous = Some(sent);
        }
        results.push((context_tokens, misses, most_misses));
    }
    assert!(
        results.iter().all(|(_, misses, most)| misses <= most),
        "(budget, keystrokes that missed the cache, most allowed) of {} keystrokes: {results:?}",
        keystrokes.len()
    );
}
