//! Bench: speculative decoding with prompt-lookup drafts. Prints three markdown tables, all from one
//! run:
//!
//! 1. The verify cost: a verify pass over the next token and K drafts against one decode step, on
//!    Qwen3-0.6B-shaped random weights (q8_0 GGUF, as the `model` bench writes them) after `--context`
//!    cached positions (`model::bench::verify_cost`, medians of `--reps` interleaved runs).
//! 2. The speed-up that cost gives as a function of the acceptance rate (random weights accept few
//!    drafts, so it is computed, not measured): with K drafts per pass costing `c` decode steps and a
//!    fraction `a` of the drafts kept, a pass yields `1 + a K` tokens, a speed-up of `(1 + a K) / c`;
//!    where each draft is kept with probability `a` independently until the first miss, it yields
//!    `(1 - a^(K+1)) / (1 - a)` tokens.
//! 3. Measured end to end: greedy decode tokens/s with speculation off and on, K = 4 and 8 (the same
//!    output, which is checked) on a repetitive prompt, on the tiny committed checkpoint (quantized to q8_0 at load)
//!    and on the 0.6B-shaped one, with the drafts proposed and kept.
//!
//! ```text
//! cargo run --release -p benches --bin speculative -- [--shape 0.6b] [--threads 1] [--context 512]
//!     [--drafts 1,2,4,8,15] [--reps 15] [--decode 64]
//! ```

use std::time::Instant;

use anyhow::{Context, bail, ensure};
use benches::{checkpoint, quantile, warm_up, workspace};
use engine::model::random::WeightFormat;
use engine::model::{LoadOptions, LocalModel};
use engine::{Backend, CancellationToken, Generation, Prompt, SamplingParams};

struct Args {
    shape: String,
    threads: usize,
    context: usize,
    drafts: Vec<usize>,
    reps: usize,
    decode: usize,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        shape: "0.6b".into(),
        threads: 1,
        context: 512,
        drafts: vec![1, 2, 4, 8, 15],
        reps: 15,
        decode: 64,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--shape" => a.shape = value()?,
            "--threads" => a.threads = value()?.parse()?,
            "--context" => a.context = value()?.parse()?,
            "--drafts" => {
                a.drafts = value()?
                    .split(',')
                    .map(|k| k.parse().context("--drafts takes numbers"))
                    .collect::<anyhow::Result<_>>()?
            }
            "--reps" => a.reps = value()?.parse()?,
            "--decode" => a.decode = value()?.parse()?,
            other => bail!("unknown argument {other}"),
        }
    }
    ensure!(
        a.reps > 0 && a.decode > 0,
        "--reps and --decode must be positive"
    );
    Ok(a)
}

fn load(source: &str, quantize: Option<&str>) -> anyhow::Result<LocalModel> {
    let model = LocalModel::load(&LoadOptions {
        source: source.into(),
        quantize: quantize.map(str::parse).transpose()?,
        device: Some(engine::model::options::DeviceSpec::Cpu),
        ..LoadOptions::default()
    })?;
    ensure!(model.speculates(), "{source} does not speculate");
    warm_up(&model)?;
    Ok(model)
}

/// A prompt whose continuation repeats what it has: the same statement over and over.
fn repetitive_prompt() -> Prompt {
    let line = "    total = total + values[index] * weights[index]\n";
    Prompt::Text(format!(
        "def dot(values, weights):\n    total = 0\n{}",
        line.repeat(12)
    ))
}

/// Decode tokens/s of one greedy request (the cache cleared first, so each run prefills alike).
fn run(model: &LocalModel, prompt: &Prompt, decode: usize) -> anyhow::Result<(Generation, f64)> {
    model.clear_cache();
    let params = SamplingParams {
        max_tokens: decode,
        ..SamplingParams::default()
    };
    let g = model.generate(prompt, &params, &CancellationToken::new(), &mut |_| {})?;
    let steps = benches::decode_steps(&g);
    Ok((g.clone(), steps as f64 / (g.decode_ms / 1e3)))
}

/// Measured end to end: speculation off and on, interleaved, 3 runs each; one table row.
fn end_to_end(name: &str, model: &LocalModel, decode: usize, k: usize) -> anyhow::Result<String> {
    let prompt = repetitive_prompt();
    let (mut off, mut on) = (Vec::new(), Vec::new());
    let before = model.batch_stats();
    let mut tokens = 0;
    for _ in 0..3 {
        model.set_draft_tokens(0);
        let (plain, tps) = run(model, &prompt, decode)?;
        off.push(tps);
        model.set_draft_tokens(k);
        let (spec, tps) = run(model, &prompt, decode)?;
        on.push(tps);
        ensure!(
            plain.token_ids == spec.token_ids,
            "{name}: speculation changed the greedy output"
        );
        tokens = spec.token_ids.len();
    }
    let after = model.batch_stats();
    let (verifies, drafted, kept) = (
        after.verify_steps - before.verify_steps,
        after.drafted - before.drafted,
        after.accepted - before.accepted,
    );
    let (off, on) = (quantile(&off, 0.5), quantile(&on, 0.5));
    Ok(format!(
        "| {name} | {k} | {tokens} | {off:.1} | {on:.1} | {:.2}x | {verifies} | {drafted} | {kept} ({:.0}%) |",
        on / off,
        100.0 * kept as f64 / drafted.max(1) as f64
    ))
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let threads = engine::threads::configure(Some(args.threads));
    let source = checkpoint(&args.shape, WeightFormat::Q8_0)?;
    let big = load(&source.display().to_string(), None)?;

    println!(
        "## Verify cost ({} q8_0, {threads} thread(s), {} cached positions, medians of {})\n",
        args.shape, args.context, args.reps
    );
    println!("| drafts K | rows | decode step ms | verify pass ms | cost in decode steps |");
    println!("|---:|---:|---:|---:|---:|");
    let mut costs = Vec::new();
    let start = Instant::now();
    for &k in &args.drafts {
        let (decode, verify) = model::bench::verify_cost(&big, args.context, k + 1, args.reps)?;
        let cost = verify / decode;
        costs.push((k, cost));
        println!(
            "| {k} | {} | {:.1} | {:.1} | {cost:.2} |",
            k + 1,
            decode * 1e3,
            verify * 1e3
        );
    }
    eprintln!("verify costs took {:.0} s", start.elapsed().as_secs_f64());

    println!("\n## Speed-up from those costs, by acceptance rate a\n");
    println!(
        "`kept a of drafts`: (1 + aK) / cost. `each kept w.p. a`: (1 - a^(K+1)) / (1 - a) / cost.\n"
    );
    let header: Vec<String> = costs.iter().map(|(k, _)| format!("K={k}")).collect();
    println!(
        "| a | {} | {} |",
        header
            .iter()
            .map(|h| format!("{h} kept a of drafts"))
            .collect::<Vec<_>>()
            .join(" | "),
        header
            .iter()
            .map(|h| format!("{h} each kept w.p. a"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---:|{}", "---:|".repeat(2 * costs.len()));
    for step in 0..=10 {
        let a = step as f64 / 10.0;
        let fraction = costs
            .iter()
            .map(|&(k, c)| format!("{:.2}x", (1.0 + a * k as f64) / c));
        let chain = costs.iter().map(|&(k, c)| {
            let tokens = if a < 1.0 {
                (1.0 - a.powi(k as i32 + 1)) / (1.0 - a)
            } else {
                k as f64 + 1.0
            };
            format!("{:.2}x", tokens / c)
        });
        println!(
            "| {:.0}% | {} |",
            a * 100.0,
            fraction.chain(chain).collect::<Vec<_>>().join(" | ")
        );
    }

    println!(
        "\n## Measured: greedy decode, speculation off and on, repetitive prompt, {} tokens\n",
        args.decode
    );
    println!(
        "| model | K | tokens | off tok/s | on tok/s | speed-up | verify passes | drafts | kept |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let tiny = workspace().join("tests/models/qwen3-tiny");
    let tiny = load(&tiny.display().to_string(), Some("q8_0"))?;
    for k in [4, 8] {
        println!("{}", end_to_end("tiny q8_0@load", &tiny, args.decode, k)?);
    }
    drop(tiny);
    for k in [4, 8] {
        let name = format!("{} q8_0 (random)", args.shape);
        println!("{}", end_to_end(&name, &big, args.decode, k)?);
    }
    Ok(())
}
