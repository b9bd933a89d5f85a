//! Bench: an editor alternating between two files (prompts A, B, A, B, ...) on Qwen3-0.6B-shaped random
//! weights, with the prefix cache's default budget against a budget of 0 (only the sequence in use is
//! kept, as before the cache held several). Prints each call's prefill time and reused tokens.
//!
//! ```text
//! cargo run --release -p benches --bin prefix -- [--shape 0.6b] [--format f32] [--quantize q8_0]
//!     [--tokens 1000] [--calls 4]
//! ```

use std::time::Instant;

use anyhow::Context;
use benches::checkpoint;
use engine::model::random::WeightFormat;
use engine::model::{LoadOptions, LocalModel};
use engine::{Backend, CancellationToken, Prompt, SamplingParams};

fn main() -> anyhow::Result<()> {
    let mut shape = "0.6b".to_owned();
    let mut format = WeightFormat::F32;
    let mut quantize = Some("q8_0".to_owned());
    let mut tokens = 1000usize;
    let mut calls = 4usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--shape" => shape = value()?,
            "--format" => {
                let v = value()?;
                format = WeightFormat::parse(&v).with_context(|| format!("unknown format {v}"))?
            }
            "--quantize" => quantize = Some(value()?).filter(|q| q != "none"),
            "--tokens" => tokens = value()?.parse()?,
            "--calls" => calls = value()?.parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let source = checkpoint(&shape, format)?;
    println!("| budget | call | prompt | prompt tokens | reused | prefill ms | total ms |");
    println!("|---|---|---|---|---|---|---|");
    for budget in [None, Some(0)] {
        let model = LocalModel::load(&LoadOptions {
            source: source.display().to_string(),
            dtype: format.load_dtype(),
            device: Some(engine::model::options::DeviceSpec::Cpu),
            quantize: quantize.as_deref().map(str::parse).transpose()?,
            prefix_cache_mb: budget,
            ..LoadOptions::default()
        })?;
        let fixture = include_str!("../../../engine/tests/fixtures/python/cart.py");
        let prompt = |tag: &str| -> anyhow::Result<Prompt> {
            // Two files that differ from their first line.
            let mut text = format!("# file {tag}\n");
            while model.count_tokens(&text)? < tokens {
                text.push_str(&fixture.replace("$0", "pass").replace("cart", tag));
            }
            let ids = model.tokenizer().encode(&text)?;
            Ok(Prompt::Text(model.tokenizer().decode(&ids[..tokens])?))
        };
        let (a, b) = (prompt("alpha")?, prompt("beta")?);
        let params = SamplingParams {
            max_tokens: 4,
            ..SamplingParams::default()
        };
        for call in 0..calls {
            let (name, p) = if call % 2 == 0 { ("A", &a) } else { ("B", &b) };
            let start = Instant::now();
            let g = model.generate(p, &params, &CancellationToken::new(), &mut |_| {})?;
            println!(
                "| {} | {} | {name} | {} | {} | {:.0} | {:.0} |",
                budget.map_or("512 MiB (default)".to_owned(), |mb| format!("{mb} MiB")),
                call + 1,
                g.prompt_token_ids.len(),
                model.last_reused_tokens(),
                g.prefill_ms,
                start.elapsed().as_secs_f64() * 1e3
            );
        }
    }
    Ok(())
}
