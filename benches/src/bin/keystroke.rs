//! Bench: keystroke latency of the whole editor pipeline (`engine::complete::complete`: context,
//! prompt, generation, post-processing, validation) on a ~1,500-token Python file while a line is typed
//! one character at a time, cold (cache cleared before every request) vs warm (the model's prefix KV
//! cache reused from the previous keystroke). Prints a markdown table.
//!
//! ```text
//! cargo run --release -p benches --bin keystroke -- [--shape 0.6b|small] [--format f32] [--steps 20]
//!     [--max-tokens 16] [--kv-cache f16|int8|f32] [--after-open-s 2] [--open-trials 3] [--lines 8]
//! ```
//!
//! Two model instances on the same mmap'd checkpoint (the pages are shared) run the same requests,
//! interleaved step by step, so load on the machine hits both columns alike.
//!
//! Then, on the cold instance, the first keystroke in a file just opened: the cache is cleared, the
//! prompt at the editor's cursor is warmed (`complete::warm`, what the server does on `didOpen` and
//! `qwen-lsp/didFocus`), and the first character is typed `--after-open-s` later, or once the warm-up
//! has finished. And typing through the suggestion a warm keystroke showed
//! (`engine::suggestion::Shown`, what the server answers without the model).
//!
//! Last, on the warm instance, `--lines` lines typed into the middle of a file over twice the
//! context budget (`benches::large_python_file`), a word or a line break per request, starting from a
//! cache that holds the prompt at the cursor (the file has been open a while).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use benches::{checkpoint, quantile};
use engine::complete::{Completion, CompletionOptions, CompletionRequest, complete_traced};
use engine::model::random::WeightFormat;
use engine::model::{Generation, LoadOptions, LocalModel, ModelInfo};
use engine::suggestion::Shown;
use engine::{Backend, CancellationToken, Document, Language, Prompt, SamplingParams, TextEdit};

/// The context bench's fixture: `$0` marks the cursor, inside a method body near the end.
const OTHER: &str = include_str!("../../../engine/tests/fixtures/python/money.py");
/// What the user types at the cursor, one character per request.
const TYPED: &str = "discounted = item.total()";

struct Args {
    shape: String,
    format: WeightFormat,
    steps: usize,
    max_tokens: usize,
    /// `LoadOptions::kv_cache` (`None`: the default).
    kv_cache: Option<String>,
    /// Seconds between opening the file (its warm-up starts) and the first keystroke.
    after_open_s: f64,
    open_trials: usize,
    /// Lines typed into the large file.
    lines: usize,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        shape: "0.6b".into(),
        format: WeightFormat::F32,
        steps: 20,
        max_tokens: 16,
        kv_cache: None,
        after_open_s: 2.0,
        open_trials: 3,
        lines: 8,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--shape" => a.shape = value()?,
            "--format" => {
                let v = value()?;
                a.format =
                    WeightFormat::parse(&v).with_context(|| format!("unknown format {v}"))?;
            }
            "--steps" => a.steps = value()?.parse()?,
            "--max-tokens" => a.max_tokens = value()?.parse()?,
            "--kv-cache" => a.kv_cache = Some(value()?),
            "--after-open-s" => a.after_open_s = value()?.parse()?,
            "--open-trials" => a.open_trials = value()?.parse()?,
            "--lines" => a.lines = value()?.parse()?,
            other => bail!("unknown argument {other}"),
        }
    }
    if a.steps > TYPED.len() {
        bail!("--steps is at most {}", TYPED.len());
    }
    Ok(a)
}

struct Sample {
    ms: f64,
    prompt_tokens: usize,
    reused: usize,
    /// The generation's prefill (tokenize, the tokens not cached, the first token) and decode steps.
    prefill_ms: f64,
    decode_ms: f64,
    completion: Option<Completion>,
}

/// The model as the pipeline sees it, keeping the last generation's timings.
struct Timed<'a> {
    model: &'a LocalModel,
    last: Mutex<(f64, f64)>,
}

impl Backend for Timed<'_> {
    fn info(&self) -> &ModelInfo {
        self.model.info()
    }

    fn count_tokens(&self, text: &str) -> engine::model::Result<usize> {
        self.model.count_tokens(text)
    }

    fn generate(
        &self,
        prompt: &Prompt,
        params: &SamplingParams,
        cancel: &CancellationToken,
        on_text: &mut dyn FnMut(&str),
    ) -> engine::model::Result<Generation> {
        let generation = self.model.generate(prompt, params, cancel, on_text)?;
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
            (generation.prefill_ms, generation.decode_ms);
        Ok(generation)
    }

    fn warm(&self, prompt: &Prompt) -> engine::model::Result<()> {
        self.model.warm(prompt)
    }

    fn prefill_estimate(
        &self,
        prompt: &Prompt,
    ) -> engine::model::Result<Option<engine::PrefillEstimate>> {
        self.model.prefill_estimate(prompt)
    }
}

fn request(
    model: &LocalModel,
    doc: &Document,
    cursor: usize,
    open: &[Document],
    options: &CompletionOptions,
) -> anyhow::Result<Sample> {
    let timed = Timed {
        model,
        last: Mutex::new((0.0, 0.0)),
    };
    let req = CompletionRequest {
        document: doc,
        cursor,
        open_documents: open,
        workspace: None,
        options,
    };
    let start = Instant::now();
    let trace = complete_traced(&timed, &req, &CancellationToken::new())?;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let prompt_tokens = match &trace.prompt.prompt {
        Prompt::Text(text) => model.count_tokens(text)?,
        Prompt::Chat(_) => 0,
    };
    let (prefill_ms, decode_ms) = *timed.last.lock().unwrap_or_else(|p| p.into_inner());
    Ok(Sample {
        ms,
        prompt_tokens,
        reused: model.last_reused_tokens(),
        prefill_ms,
        decode_ms,
        // Random weights rarely write valid Python: what post-processing kept stands in for the
        // suggestion validation dropped (typing through it costs the same).
        completion: trace.completion.or_else(|| {
            trace.processed.map(|p| Completion {
                text: p.text,
                replace_end: p.replace_end,
            })
        }),
    })
}

/// The bench's document `text` with `typed` typed at `cursor`, and the cursor after it.
fn typed_at(text: &str, cursor: usize, typed: &str) -> (Document, usize) {
    let mut text = text.to_owned();
    text.insert_str(cursor, typed);
    (
        Document::new("file:///repo/shop/cart.py", Language::Python, text),
        cursor + typed.len(),
    )
}

/// Returns once `model` has prefilled every warm-up it was given.
fn wait_warmed(model: &LocalModel) {
    while model.warming() {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// What the user types into the large file: `lines` lines, a word or a line break (with the editor's
/// indentation) per keystroke.
fn typed_lines(lines: usize) -> Vec<String> {
    let mut keystrokes = Vec::new();
    for i in 0..lines {
        if i > 0 {
            keystrokes.push("\n            ".to_owned());
        }
        keystrokes.extend([
            format!("line{i} "),
            "= ".into(),
            format!("item.total() * {i}"),
        ]);
    }
    keystrokes
}

/// Warms the prompt of a request at `cursor` (as the server does when the file opens and the editor
/// says where its cursor is).
fn warm_at(
    model: &LocalModel,
    doc: &Document,
    cursor: usize,
    open: &[Document],
    options: &CompletionOptions,
) -> anyhow::Result<()> {
    let req = CompletionRequest {
        document: doc,
        cursor,
        open_documents: open,
        workspace: None,
        options,
    };
    Ok(engine::complete::warm(model, &req)?)
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let source = checkpoint(&args.shape, args.format)?;
    let kv_cache = args
        .kv_cache
        .as_deref()
        .map(str::parse)
        .transpose()?
        .unwrap_or_default();
    let load = || {
        LocalModel::load(&LoadOptions {
            source: source.display().to_string(),
            dtype: args.format.load_dtype(),
            kv_cache,
            device: Some(engine::model::options::DeviceSpec::Cpu),
            ..LoadOptions::default()
        })
    };
    let (cold, warm) = (load()?, load()?);
    let (text, cursor) = benches::long_python_file()?;
    let file_tokens = warm.count_tokens(&text)?;
    let open = [Document::new(
        "file:///repo/shop/money.py",
        Language::Python,
        OTHER,
    )];
    let options = CompletionOptions {
        sampling: SamplingParams {
            max_tokens: args.max_tokens,
            ..SamplingParams::default()
        },
        ..CompletionOptions::default()
    };
    let doc_at = |typed: usize| typed_at(&text, cursor, &TYPED[..typed]);
    // The editor's request before the first typed character fills the warm cache (and both models'
    // pages); it is not timed.
    let (doc, at) = doc_at(0);
    request(&warm, &doc, at, &open, &options)?;
    request(&cold, &doc, at, &open, &options)?;

    let (mut cold_s, mut warm_s, mut through_us) = (Vec::new(), Vec::new(), Vec::new());
    for step in 1..=args.steps {
        let (doc, at) = doc_at(step);
        cold.clear_cache();
        cold_s.push(request(&cold, &doc, at, &open, &options)?);
        let sample = request(&warm, &doc, at, &open, &options)?;
        // Typing the first character of the suggestion shown: answered from what is left of it.
        if let Some(shown) = &sample.completion
            && let Some(first) = shown.text.chars().next()
        {
            let typed = doc.with_edit(&TextEdit {
                start: at,
                end: at,
                new_text: first.to_string(),
            })?;
            let start = Instant::now();
            let rest = Shown::new(&doc, at, shown).typed_through(&typed, at + first.len_utf8());
            through_us.push(start.elapsed().as_secs_f64() * 1e6);
            if rest.is_none() && shown.text.len() > first.len_utf8() {
                bail!("typing through {:?} found no rest", shown.text);
            }
        }
        warm_s.push(sample);
        eprintln!(
            "step {step}: cold {:.0} ms, warm {:.0} ms",
            cold_s[step - 1].ms,
            warm_s[step - 1].ms
        );
    }

    // The first keystroke in a file opened `after_open_s` ago, and once its warm-up has finished.
    let (mut opened_s, mut warmed_s, mut warm_up_ms) = (Vec::new(), Vec::new(), Vec::new());
    let (doc, at) = doc_at(0);
    let (first, first_at) = doc_at(1);
    for trial in 1..=args.open_trials {
        for finished in [false, true] {
            cold.clear_cache();
            let opened = Instant::now();
            warm_at(&cold, &doc, at, &open, &options)?;
            if finished {
                wait_warmed(&cold);
                warm_up_ms.push(opened.elapsed().as_secs_f64() * 1e3);
            } else {
                std::thread::sleep(Duration::from_secs_f64(args.after_open_s));
            }
            let sample = request(&cold, &first, first_at, &open, &options)?;
            eprintln!(
                "open trial {trial} ({}): {:.0} ms, {} reused",
                if finished { "warmed" } else { "after open" },
                sample.ms,
                sample.reused
            );
            if finished {
                &mut warmed_s
            } else {
                &mut opened_s
            }
            .push(sample);
            wait_warmed(&cold);
        }
    }

    // Lines typed into a file larger than the budget, from a cache that holds the prompt at the cursor.
    let (large, large_cursor) = benches::large_python_file()?;
    let large_tokens = warm.count_tokens(&large)?;
    let (doc, at) = typed_at(&large, large_cursor, "");
    warm_at(&warm, &doc, at, &open, &options)?;
    wait_warmed(&warm);
    request(&warm, &doc, at, &open, &options)?;
    let (mut lines_s, mut typed) = (Vec::new(), String::new());
    for keystroke in typed_lines(args.lines) {
        typed.push_str(&keystroke);
        let (doc, at) = typed_at(&large, large_cursor, &typed);
        let sample = request(&warm, &doc, at, &open, &options)?;
        eprintln!(
            "large file, {keystroke:?}: {:.0} ms, {} of {} prompt tokens reused",
            sample.ms, sample.reused, sample.prompt_tokens
        );
        lines_s.push(sample);
    }

    println!(
        "shape {}, {}, KV cache {}, file {} bytes / {file_tokens} tokens, {} keystrokes, maxTokens {}, context \
         budget {} tokens, threads: RAYON_NUM_THREADS={}",
        args.shape,
        args.format.name(),
        args.kv_cache.as_deref().unwrap_or("default"),
        text.len(),
        args.steps,
        args.max_tokens,
        options.context_tokens,
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "unset (all cores)".into()),
    );
    println!();
    println!(
        "| cache | p50 ms | p95 ms | mean ms | prompt tokens (mean) | reused tokens (mean) | prefill ms (p50) | \
         decode ms (p50) | outside decode ms (p50) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let p50 =
        |s: &[Sample], f: fn(&Sample) -> f64| quantile(&s.iter().map(f).collect::<Vec<_>>(), 0.5);
    let row = |name: &str, s: &[Sample]| {
        if s.is_empty() {
            return;
        }
        let ms: Vec<f64> = s.iter().map(|s| s.ms).collect();
        let n = s.len() as f64;
        println!(
            "| {name} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            quantile(&ms, 0.5),
            quantile(&ms, 0.95),
            ms.iter().sum::<f64>() / n,
            s.iter().map(|s| s.prompt_tokens as f64).sum::<f64>() / n,
            s.iter().map(|s| s.reused as f64).sum::<f64>() / n,
            p50(s, |s| s.prefill_ms),
            p50(s, |s| s.decode_ms),
            p50(s, |s| s.ms - s.decode_ms),
        );
    };
    row("cold (cleared)", &cold_s);
    row("warm (prefix reuse)", &warm_s);
    row(
        &format!("first keystroke {} s after open", args.after_open_s),
        &opened_s,
    );
    row("first keystroke after the warm-up", &warmed_s);
    row(
        &format!("typing {} lines in a {large_tokens}-token file", args.lines),
        &lines_s,
    );
    let ms = |s: &Sample| s.ms;
    println!();
    println!(
        "warm/cold p50: {:.0}%",
        p50(&warm_s, ms) / p50(&cold_s, ms) * 100.0
    );
    if !opened_s.is_empty() {
        println!(
            "first keystroke {} s after open / warm p50: {:.2}x; after the warm-up / warm: {:.2}x",
            args.after_open_s,
            p50(&opened_s, ms) / p50(&warm_s, ms),
            p50(&warmed_s, ms) / p50(&warm_s, ms),
        );
        println!(
            "the warm-up after open (every prompt it queued cached): p50 {:.0} ms",
            quantile(&warm_up_ms, 0.5)
        );
    }
    if !lines_s.is_empty() {
        let missed = lines_s
            .iter()
            .filter(|s| s.reused * 2 < s.prompt_tokens)
            .count();
        println!(
            "typing {} lines in the {large_tokens}-token file: {missed} of {} keystrokes reused under \
             half their prompt",
            args.lines,
            lines_s.len()
        );
    }
    if !through_us.is_empty() {
        println!(
            "typing through the suggestion shown (engine::suggestion, {} keystrokes): p50 {:.1} us, max {:.1} us",
            through_us.len(),
            quantile(&through_us, 0.5),
            through_us.iter().copied().fold(0.0, f64::max),
        );
    }
    Ok(())
}
