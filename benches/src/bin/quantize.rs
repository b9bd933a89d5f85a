//! Bench: quantization at load (`LoadOptions::quantize`) on Qwen3-0.6B-shaped random weights: weight
//! bytes held, peak and settled RSS, load time, prefill and decode tokens/s for f32, f32 -> q8_0 and
//! f32 -> q4_k (and f16 -> q8_0, which reads half the bytes from disk), next to the same shape's GGUF
//! files (`q8_0`, `q4_k`: every matrix quantized, loaded into the same model). Prints a
//! markdown table.
//!
//! ```text
//! cargo run --release -p benches --bin quantize -- [--shape 0.6b] [--prompt 256] [--decode 16]
//!     [--threads 2] [--rows f32,f32:q8_0,f32:q4_k,f16:q8_0,q8_0,q4_k] [--repeat 1]
//! ```
//!
//! `--matrices` prints instead the time of a product with 1 (decode), 4 and 10 (batched decode) and
//! 256 (prefill) rows per Qwen3-0.6B matrix shape, dense f32 against q8_0, q4_k and q6_k through
//! candle's kernels and through ours (`model::bench::Packed`): where the time goes, and whether the
//! LM head (151,936 x 1,024) pays for quantizing. The table runs once unprinted first (see
//! `matrices`).
//!
//! Each row runs in a fresh child process (this binary with `--row`), so its peak RSS is its own.
//! A row is `checkpoint-format[:quantize]`; checkpoints are cached in `target/bench-models/`. With
//! `--repeat N` every row runs N times (rows interleaved, so load from other processes spreads over
//! all of them) and the table shows each row's best speeds.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use benches::{checkpoint, decode_steps, peak_rss_bytes, warm_up};
use engine::model::random::WeightFormat;
use engine::model::{LoadOptions, LocalModel};
use engine::{Backend, CancellationToken, Prompt, SamplingParams};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Row {
    row: String,
    weight_mb: f64,
    load_s: f64,
    rss_after_load_mb: f64,
    peak_rss_mb: f64,
    prompt_tokens: usize,
    prefill_tps: f64,
    decode_tps: f64,
}

struct Args {
    shape: String,
    rows: Vec<String>,
    prompt: usize,
    decode: usize,
    threads: usize,
    row: Option<String>,
    repeat: usize,
    matrices: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        shape: "0.6b".into(),
        rows: ["f32", "f32:q8_0", "f32:q4_k", "f16:q8_0", "q8_0", "q4_k"]
            .map(String::from)
            .to_vec(),
        prompt: 256,
        decode: 16,
        threads: 2,
        row: None,
        repeat: 1,
        matrices: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--shape" => a.shape = value()?,
            "--rows" => a.rows = value()?.split(',').map(String::from).collect(),
            "--prompt" => a.prompt = value()?.parse()?,
            "--decode" => a.decode = value()?.parse()?,
            "--threads" => a.threads = value()?.parse()?,
            "--row" => a.row = Some(value()?),
            "--repeat" => a.repeat = value()?.parse()?,
            "--matrices" => a.matrices = true,
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(a)
}

/// `f32:q8_0` -> (F32, Some("q8_0")).
fn split_row(row: &str) -> anyhow::Result<(WeightFormat, Option<String>)> {
    let (format, quant) = match row.split_once(':') {
        Some((f, q)) => (f, Some(q.to_owned())),
        None => (row, None),
    };
    let format = WeightFormat::parse(format).with_context(|| format!("unknown format {format}"))?;
    if format.load_dtype().is_none() && quant.is_some() {
        bail!("{row}: quantize at load needs a safetensors format (f32, f16, bf16)");
    }
    Ok((format, quant))
}

fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn run_row(args: &Args, row: &str) -> anyhow::Result<()> {
    let (format, quantize) = split_row(row)?;
    let source = checkpoint(&args.shape, format)?;
    let start = Instant::now();
    let model = LocalModel::load(&LoadOptions {
        source: source.display().to_string(),
        // Activations in f32 whatever the file holds: candle's CPU f16 matmuls are slower. GGUF
        // files take no dtype.
        dtype: format
            .load_dtype()
            .map(|_| engine::model::options::WeightDtype::F32),
        device: Some(engine::model::options::DeviceSpec::Cpu),
        quantize: quantize.as_deref().map(str::parse).transpose()?,
        ..LoadOptions::default()
    })?;
    let load_s = start.elapsed().as_secs_f64();
    let rss_after_load = rss_bytes().unwrap_or(0);
    let weight_bytes = model.weight_bytes();
    let cancel = CancellationToken::new();
    let params = |max_tokens| SamplingParams {
        max_tokens,
        ..SamplingParams::default()
    };
    warm_up(&model)?;
    // Token ids straight from the vocabulary (random weights: the text does not matter, the count does).
    let fixture =
        include_str!("../../../engine/tests/fixtures/python/cart.py").replace("$0", "pass");
    let mut text = String::new();
    while model.count_tokens(&text)? < args.prompt + 16 {
        text.push_str(&fixture);
    }
    let ids = model.tokenizer().encode(&text)?;
    let prompt = Prompt::Text(model.tokenizer().decode(&ids[..args.prompt])?);
    let g = model.generate(&prompt, &params(args.decode + 1), &cancel, &mut |_| {})?;
    let steps = decode_steps(&g);
    let out = Row {
        row: row.to_owned(),
        weight_mb: weight_bytes as f64 / 1e6,
        load_s,
        rss_after_load_mb: rss_after_load as f64 / 1e6,
        peak_rss_mb: peak_rss_bytes().unwrap_or(0) as f64 / 1e6,
        prompt_tokens: g.prompt_token_ids.len(),
        prefill_tps: g.prompt_token_ids.len() as f64 / g.prefill_ms * 1e3,
        decode_tps: steps as f64 / g.decode_ms * 1e3,
    };
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    if let Some(row) = &args.row {
        return run_row(&args, row);
    }
    if args.matrices {
        return matrices();
    }
    for row in &args.rows {
        checkpoint(&args.shape, split_row(row)?.0)?;
    }
    println!(
        "| row | weights MB | vs f32 | load s | RSS after load MB | peak RSS MB | prefill tok/s | decode tok/s |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut best: Vec<Option<Row>> = args.rows.iter().map(|_| None).collect();
    for _ in 0..args.repeat.max(1) {
        for (row, slot) in args.rows.iter().zip(&mut best) {
            let out = Command::new(std::env::current_exe()?)
                .args(["--row", row, "--shape", &args.shape])
                .args(["--prompt", &args.prompt.to_string()])
                .args(["--decode", &args.decode.to_string()])
                .env("RAYON_NUM_THREADS", args.threads.to_string())
                .stderr(std::process::Stdio::inherit())
                .output()?;
            if !out.status.success() {
                bail!("row {row} failed: {}", out.status);
            }
            let stdout = String::from_utf8(out.stdout)?;
            let r: Row =
                serde_json::from_str(stdout.lines().last().context("child printed nothing")?)?;
            eprintln!("{}", serde_json::to_string(&r)?);
            *slot = Some(match slot.take() {
                None => r,
                Some(b) => Row {
                    prefill_tps: b.prefill_tps.max(r.prefill_tps),
                    decode_tps: b.decode_tps.max(r.decode_tps),
                    load_s: b.load_s.min(r.load_s),
                    ..b
                },
            });
        }
    }
    let f32_mb = best
        .iter()
        .flatten()
        .find(|r| r.row == "f32")
        .map(|r| r.weight_mb);
    for r in best.iter().flatten() {
        let vs = match f32_mb {
            Some(f) if r.weight_mb > 0.0 => format!("{:+.1}%", (r.weight_mb / f - 1.0) * 100.0),
            _ => "n/a".into(),
        };
        let weights = format!("{:.0}", r.weight_mb);
        println!(
            "| {} | {weights} | {vs} | {:.1} | {:.0} | {:.0} | {:.1} | {:.2} |",
            r.row, r.load_s, r.rss_after_load_mb, r.peak_rss_mb, r.prefill_tps, r.decode_tps
        );
    }
    Ok(())
}

/// Median milliseconds of `f` over enough runs to take about a second (at least 3).
fn time_ms(mut f: impl FnMut() -> candle_core::Result<()>) -> anyhow::Result<f64> {
    f()?;
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < 3 || (start.elapsed().as_secs_f64() < 1.0 && samples.len() < 50) {
        let t = Instant::now();
        f()?;
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(benches::quantile(&samples, 0.5))
}

fn matrices() -> anyhow::Result<()> {
    use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
    use candle_core::{Device, Module, Tensor};
    use model::bench::Packed;
    let dev = Device::Cpu;
    let shapes = [
        ("q_proj", 2048, 1024),
        ("k_proj/v_proj", 1024, 1024),
        ("o_proj", 1024, 2048),
        ("gate/up", 3072, 1024),
        ("down", 1024, 3072),
        ("lm_head", 151_936, 1024),
    ];
    // The whole table runs twice and only the second pass is printed: the first shape measured in a
    // fresh process ran up to 2x slower than the same shape measured later (the allocator's state after
    // the first large allocations, not the kernels), which had looked like a slow `q_proj`.
    for pass in ["warm-up", "measured"] {
        let print = pass == "measured";
        if print {
            println!(
                "| matrix (out x in) | m | f32 ms | q8_0 candle ms | q8_0 packed ms | q4_k candle ms | q4_k packed ms | \
                 q6_k candle ms | q6_k packed ms |"
            );
            println!("|---|---|---|---|---|---|---|---|---|");
        }
        for &(name, out, inp) in &shapes {
            let w = (Tensor::randn(0f32, 0.02, (out, inp), &dev)?).contiguous()?;
            // candle's kernels and ours over the same blocks.
            let both = |dtype| -> anyhow::Result<(QMatMul, Option<Packed>)> {
                let t = QTensor::quantize(&w, dtype)?;
                let packed = Packed::from_qtensor(&t)?;
                Ok((QMatMul::from_qtensor(t)?, packed))
            };
            let (q8, p8) = both(GgmlDType::Q8_0)?;
            let (q4, p4) = both(GgmlDType::Q4K)?;
            let (q6, p6) = both(GgmlDType::Q6K)?;
            let wt = w.t()?;
            for m in [1usize, 4, 10, 256] {
                let x = Tensor::randn(0f32, 1.0, (1, m, inp), &dev)?;
                let dense = time_ms(|| x.broadcast_matmul(&wt).map(drop))?;
                let candle = |q: &QMatMul| time_ms(|| q.forward(&x).map(drop));
                let ours = |p: &Option<Packed>| -> anyhow::Result<String> {
                    Ok(match p {
                        Some(p) => format!("{:.2}", time_ms(|| p.forward(&x).map(drop))?),
                        None => "n/a".into(),
                    })
                };
                let (t8, o8, t4, o4) = (candle(&q8)?, ours(&p8)?, candle(&q4)?, ours(&p4)?);
                let (t6, o6) = (candle(&q6)?, ours(&p6)?);
                if print {
                    println!(
                        "| {name} ({out} x {inp}) | {m} | {dense:.2} | {t8:.2} | {o8} | {t4:.2} | {o4} | {t6:.2} | {o6} |"
                    );
                }
            }
        }
    }
    Ok(())
}
