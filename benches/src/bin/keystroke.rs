//! Bench: keystroke latency of the whole editor pipeline (`engine::complete::complete`: context,
//! prompt, generation, post-processing, validation) on a ~1,500-token Python file while a line is typed
//! one character at a time, cold (cache cleared before every request) vs warm (the model's prefix KV
//! cache reused from the previous keystroke). Prints a markdown table.
//!
//! ```text
//! cargo run --release -p benches --bin keystroke -- [--shape 0.6b|small] [--format f32] [--steps 20]
//!     [--max-tokens 16] [--kv-cache f16|int8|f32]
//! ```
//!
//! Two model instances on the same mmap'd checkpoint (the pages are shared) run the same requests,
//! interleaved step by step, so load on the machine hits both columns alike.

use std::time::Instant;

use anyhow::{Context, bail};
use benches::{checkpoint, quantile};
use engine::complete::{CompletionOptions, CompletionRequest, complete_traced};
use engine::model::random::WeightFormat;
use engine::model::{LoadOptions, LocalModel};
use engine::{Backend, CancellationToken, Document, Language, Prompt, SamplingParams};

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
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        shape: "0.6b".into(),
        format: WeightFormat::F32,
        steps: 20,
        max_tokens: 16,
        kv_cache: None,
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
}

fn request(
    model: &LocalModel,
    doc: &Document,
    cursor: usize,
    open: &[Document],
    options: &CompletionOptions,
) -> anyhow::Result<Sample> {
    let req = CompletionRequest {
        document: doc,
        cursor,
        open_documents: open,
        workspace: None,
        options,
    };
    let start = Instant::now();
    let trace = complete_traced(model, &req, &CancellationToken::new())?;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let prompt_tokens = match &trace.prompt.prompt {
        Prompt::Text(text) => model.count_tokens(text)?,
        Prompt::Chat(_) => 0,
    };
    Ok(Sample {
        ms,
        prompt_tokens,
        reused: model.last_reused_tokens(),
    })
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
    let doc_at = |typed: usize| {
        let mut t = text.clone();
        t.insert_str(cursor, &TYPED[..typed]);
        (
            Document::new("file:///repo/shop/cart.py", Language::Python, t),
            cursor + typed,
        )
    };
    // The editor's request before the first typed character fills the warm cache (and both models'
    // pages); it is not timed.
    let (doc, at) = doc_at(0);
    request(&warm, &doc, at, &open, &options)?;
    request(&cold, &doc, at, &open, &options)?;

    let (mut cold_s, mut warm_s) = (Vec::new(), Vec::new());
    for step in 1..=args.steps {
        let (doc, at) = doc_at(step);
        cold.clear_cache();
        cold_s.push(request(&cold, &doc, at, &open, &options)?);
        warm_s.push(request(&warm, &doc, at, &open, &options)?);
        eprintln!(
            "step {step}: cold {:.0} ms, warm {:.0} ms",
            cold_s[step - 1].ms,
            warm_s[step - 1].ms
        );
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
    println!("| cache | p50 ms | p95 ms | mean ms | prompt tokens (mean) | reused tokens (mean) |");
    println!("|---|---:|---:|---:|---:|---:|");
    let row = |name: &str, s: &[Sample]| {
        let ms: Vec<f64> = s.iter().map(|s| s.ms).collect();
        let n = s.len() as f64;
        println!(
            "| {name} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            quantile(&ms, 0.5),
            quantile(&ms, 0.95),
            ms.iter().sum::<f64>() / n,
            s.iter().map(|s| s.prompt_tokens as f64).sum::<f64>() / n,
            s.iter().map(|s| s.reused as f64).sum::<f64>() / n,
        );
    };
    row("cold (cleared)", &cold_s);
    row("warm (prefix reuse)", &warm_s);
    let p50 = |s: &[Sample]| quantile(&s.iter().map(|s| s.ms).collect::<Vec<_>>(), 0.5);
    println!();
    println!("warm/cold p50: {:.0}%", p50(&warm_s) / p50(&cold_s) * 100.0);
    Ok(())
}
