//! Bench: generation throughput for n = 1, 4, 10 different prompts, run one after another
//! (sequential) vs from n threads at once on the same model (concurrent), as concurrent editor requests
//! would (the model's batching worker decodes them together as they arrive); and for n samples of one
//! prompt (evals' case), one `generate` after another vs one `generate_batch`. Prints a markdown table,
//! with the mean number of sequences per decode step of the concurrent run.
//!
//! ```text
//! cargo run --release -p benches --bin batch -- [--shape 0.6b] [--format f32] [--ns 1,4,10]
//!     [--prompt 64] [--max-tokens 16]
//! ```

use std::time::Instant;

use anyhow::{Context, bail};
use benches::checkpoint;
use engine::model::random::WeightFormat;
use engine::model::{LoadOptions, LocalModel};
use engine::{Backend, CancellationToken, Prompt, SamplingParams};

struct Args {
    shape: String,
    format: WeightFormat,
    ns: Vec<usize>,
    prompt: usize,
    max_tokens: usize,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        shape: "0.6b".into(),
        format: WeightFormat::F32,
        ns: vec![1, 4, 10],
        prompt: 64,
        max_tokens: 16,
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
            "--ns" => {
                a.ns = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            "--prompt" => a.prompt = value()?.parse()?,
            "--max-tokens" => a.max_tokens = value()?.parse()?,
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(a)
}

/// `n` different prompts of exactly `tokens` tokens: numbered functions, cut on a token boundary.
fn prompts(model: &LocalModel, n: usize, tokens: usize) -> anyhow::Result<Vec<Prompt>> {
    (0..n)
        .map(|i| {
            let mut text = String::new();
            let mut j = 0;
            while model.count_tokens(&text)? < tokens + 8 {
                text.push_str(&format!(
                    "def f{i}_{j}(x{i}, y):\n    return x{i} * {j} + y\n\n"
                ));
                j += 1;
            }
            let ids = model.tokenizer().encode(&text)?;
            Ok(Prompt::Text(model.tokenizer().decode(&ids[..tokens])?))
        })
        .collect()
}

/// Generates every prompt with fixed length (EOS aside) and returns (generated tokens, seconds).
fn run(
    model: &LocalModel,
    prompts: &[Prompt],
    max_tokens: usize,
    concurrent: bool,
) -> anyhow::Result<(usize, f64)> {
    let params = SamplingParams {
        max_tokens,
        ..SamplingParams::default()
    };
    let one = |p: &Prompt| -> anyhow::Result<usize> {
        Ok(model
            .generate(p, &params, &CancellationToken::new(), &mut |_| {})?
            .token_ids
            .len())
    };
    model.clear_cache();
    let start = Instant::now();
    let counts: Vec<usize> = if concurrent {
        std::thread::scope(|s| {
            let handles: Vec<_> = prompts.iter().map(|p| s.spawn(move || one(p))).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("generation thread panicked")))
                })
                .collect::<anyhow::Result<_>>()
        })?
    } else {
        prompts.iter().map(one).collect::<anyhow::Result<_>>()?
    };
    Ok((counts.iter().sum(), start.elapsed().as_secs_f64()))
}

/// `n` greedy samples of one prompt: `generate` n times (the prompt's cache reused after the first), or
/// one `generate_batch`. Returns (generated tokens, seconds).
fn run_one_prompt(
    model: &LocalModel,
    prompt: &Prompt,
    n: usize,
    max_tokens: usize,
    batched: bool,
) -> anyhow::Result<(usize, f64)> {
    let params = vec![
        SamplingParams {
            max_tokens,
            ..SamplingParams::default()
        };
        n
    ];
    let cancel = CancellationToken::new();
    model.clear_cache();
    let start = Instant::now();
    let tokens: usize = if batched {
        model
            .generate_batch(prompt, &params, &cancel)?
            .iter()
            .map(|g| g.token_ids.len())
            .sum()
    } else {
        let mut sum = 0;
        for p in &params {
            sum += model
                .generate(prompt, p, &cancel, &mut |_| {})?
                .token_ids
                .len();
        }
        sum
    };
    Ok((tokens, start.elapsed().as_secs_f64()))
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let source = checkpoint(&args.shape, args.format)?;
    let model = LocalModel::load(&LoadOptions {
        source: source.display().to_string(),
        dtype: args.format.load_dtype(),
        device: Some(engine::model::options::DeviceSpec::Cpu),
        ..LoadOptions::default()
    })?;
    // Warm-up: page the weights in.
    let warm = prompts(&model, 1, 8)?;
    run(&model, &warm, 2, false)?;

    println!(
        "shape {}, {}, prompts of {} tokens, maxTokens {} (greedy), threads: RAYON_NUM_THREADS={}. \
         Concurrent requests join the model's continuous batch as they arrive; \"rows/step\" is the mean \
         number of sequences per decode step of that run. \"one prompt\" columns draw n samples of one \
         prompt, sequentially (prompt cache reused) or with generate_batch.",
        args.shape,
        args.format.name(),
        args.prompt,
        args.max_tokens,
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "unset (all cores)".into()),
    );
    println!();
    println!(
        "| n | sequential tok/s | concurrent (threads) tok/s | concurrent/sequential | rows/step | \
         sequential (one prompt) tok/s | batched (one prompt) tok/s | batched/sequential (one prompt) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &n in &args.ns {
        let ps = prompts(&model, n, args.prompt)?;
        let (seq_tokens, seq_s) = run(&model, &ps, args.max_tokens, false)?;
        let before = model.batch_stats();
        let (con_tokens, con_s) = run(&model, &ps, args.max_tokens, true)?;
        let after = model.batch_stats();
        let rows_per_step =
            (after.rows - before.rows) as f64 / (after.steps - before.steps).max(1) as f64;
        let (seq, con) = (seq_tokens as f64 / seq_s, con_tokens as f64 / con_s);
        let (one_tokens, one_s) = run_one_prompt(&model, &ps[0], n, args.max_tokens, false)?;
        let (bat_tokens, bat_s) = run_one_prompt(&model, &ps[0], n, args.max_tokens, true)?;
        let (one, bat) = (one_tokens as f64 / one_s, bat_tokens as f64 / bat_s);
        println!(
            "| {n} | {seq:.2} | {con:.2} | {:.2}x | {rows_per_step:.2} | {one:.2} | {bat:.2} | {:.2}x |",
            con / seq,
            bat / one
        );
    }
    Ok(())
}
