//! Bench: prefill and decode tokens/s, time to first token and peak RSS of the local model on
//! Qwen3-0.6B-shaped random weights in f32, f16, bf16 (safetensors, mmap'd) and q8_0, q4_k (GGUF), next
//! to the memory-bandwidth bound of decoding and, with `--compare`, another engine's numbers for the same
//! rows: PyTorch's (`scripts/bench-torch.sh`) or llama.cpp's on the same GGUF files
//! (`scripts/bench-llama.sh`). Prints a markdown table.
//!
//! ```text
//! cargo run --release -p benches --bin model -- [--shape 0.6b] [--formats f32,f16,bf16,q8_0,q4_k,q4_k_m,q8_0@load,q4_k@load,q4_k+int8]
//!     [--prompt 512] [--decode 16] [--threads 2] [--compare torch.jsonl] [--prepare]
//! ```
//!
//! `--prepare` only writes the checkpoints and prints `FORMAT=SOURCE` lines. A format with `+int8` (or `+f16`, `+f32`) sets the KV
//! cache's type (`LoadOptions::kv_cache`; the default is f16 for every row but f32).
//!
//! Each row runs in a fresh child process (this binary with `--row`), so its peak RSS (`VmHWM`) is its
//! own. Checkpoints are written by the parent, before any child starts, and cached in
//! `target/bench-models/`. Threads: `RAYON_NUM_THREADS` (candle's CPU kernels read it) is set in the
//! children.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use benches::{
    checkpoint, copy_bandwidth_gbs, decode_steps, peak_rss_bytes, read_bandwidth_gbs, warm_up,
    weight_bytes,
};
use engine::model::random::WeightFormat;
use engine::model::{LoadOptions, LocalModel};
use engine::{Backend, CancellationToken, Prompt, SamplingParams};
use serde::{Deserialize, Serialize};

/// What one row measures; the line a child prints, and `torch_bench.py` and `llama_bench.py` print too.
#[derive(Debug, Serialize, Deserialize)]
struct Row {
    /// Who measured it: "torch", "llama.cpp"; absent in our own rows and older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    engine: Option<String>,
    format: String,
    prompt_tokens: usize,
    prefill_tps: f64,
    ttft_ms: f64,
    decode_tps: f64,
    decode_steps: usize,
    peak_rss_mb: f64,
    #[serde(default)]
    load_s: f64,
    /// Bytes of the weights as held in memory (0 where unknown).
    #[serde(default)]
    weight_mb: f64,
    /// Bytes of keys and values a decode step read, on average over the steps (0 where unknown).
    #[serde(default)]
    kv_mb: f64,
}

/// A row: a checkpoint format, optionally quantized as it loads (`q8_0@load`: the bf16 checkpoint,
/// as the hub ships Qwen3, loaded with `LoadOptions::quantize`), optionally with a KV cache type
/// (`q4_k+int8`).
#[derive(Clone, Copy, Debug)]
struct Spec {
    format: WeightFormat,
    quantize: Option<&'static str>,
    kv_cache: Option<&'static str>,
}

impl Spec {
    const DEFAULT: &[&str] = &[
        "f32",
        "f16",
        "bf16",
        "q8_0",
        "q4_k",
        "q4_k_m",
        "q8_0@load",
        "q4_k@load",
    ];

    fn parse(s: &str) -> anyhow::Result<Spec> {
        let (weights, kv_cache) = match s.split_once('+') {
            Some((weights, kv)) => {
                let kv = ["int8", "f16", "f32"]
                    .into_iter()
                    .find(|k| *k == kv)
                    .with_context(|| format!("unknown KV cache type {kv} in {s}"))?;
                (weights, Some(kv))
            }
            None => (s, None),
        };
        let (format, quantize) = match weights {
            "q8_0@load" => (WeightFormat::Bf16, Some("q8_0")),
            "q4_k@load" => (WeightFormat::Bf16, Some("q4_k")),
            _ => (
                WeightFormat::parse(weights).with_context(|| format!("unknown format {s}"))?,
                None,
            ),
        };
        Ok(Spec {
            format,
            quantize,
            kv_cache,
        })
    }

    fn name(self) -> String {
        let weights = match self.quantize {
            Some(q) => format!("{q}@load"),
            None => self.format.name().into(),
        };
        match self.kv_cache {
            Some(kv) => format!("{weights}+{kv}"),
            None => weights,
        }
    }
}

struct Args {
    shape: String,
    formats: Vec<Spec>,
    prompt: usize,
    decode: usize,
    threads: usize,
    compare: Option<String>,
    row: Option<Spec>,
    /// Only write the checkpoints.
    prepare: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        shape: "0.6b".into(),
        formats: Spec::DEFAULT
            .iter()
            .map(|s| Spec::parse(s))
            .collect::<anyhow::Result<_>>()?,
        prompt: 512,
        decode: 16,
        threads: 2,
        compare: None,
        row: None,
        prepare: false,
    };
    let mut args = std::env::args().skip(1);
    let format = Spec::parse;
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--shape" => a.shape = value()?,
            "--formats" => {
                a.formats = value()?
                    .split(',')
                    .map(format)
                    .collect::<anyhow::Result<_>>()?
            }
            "--prompt" => a.prompt = value()?.parse()?,
            "--decode" => a.decode = value()?.parse()?,
            "--threads" => a.threads = value()?.parse()?,
            "--compare" => a.compare = Some(value()?),
            "--row" => a.row = Some(format(&value()?)?),
            "--prepare" => a.prepare = true,
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(a)
}

/// About `tokens` tokens of real Python (the context bench's fixture, repeated), cut on a token
/// boundary; the exact count is reported.
fn prompt_text(model: &LocalModel, tokens: usize) -> anyhow::Result<String> {
    let fixture =
        include_str!("../../../engine/tests/fixtures/python/cart.py").replace("$0", "pass");
    let mut text = String::new();
    while model.count_tokens(&text)? < tokens + 16 {
        text.push_str(&fixture);
    }
    let ids = model.tokenizer().encode(&text)?;
    Ok(model.tokenizer().decode(&ids[..tokens])?)
}

/// Child: loads one checkpoint, warms it up, then runs one request of `prompt` tokens and `decode + 1`
/// generated tokens (greedy) and prints a [`Row`] as one JSON line.
fn run_row(args: &Args, spec: Spec) -> anyhow::Result<()> {
    let format = spec.format;
    let source = checkpoint(&args.shape, format)?;
    let start = Instant::now();
    let model = LocalModel::load(&LoadOptions {
        source: source.display().to_string(),
        // Quantized at load: f32 activations, the CPU default.
        dtype: if spec.quantize.is_some() {
            None
        } else {
            format.load_dtype()
        },
        quantize: spec.quantize.map(str::parse).transpose()?,
        kv_cache: spec
            .kv_cache
            .map(str::parse)
            .transpose()?
            .unwrap_or_default(),
        device: Some(engine::model::options::DeviceSpec::Cpu),
        ..LoadOptions::default()
    })?;
    let load_s = start.elapsed().as_secs_f64();
    // Plain decoding, one forward pass per token: the rate the bandwidth bound and the other engines'
    // rows measure. Prompt-lookup drafts on this repeated prompt would beat the bound; the
    // `speculative` and `keystroke` benches measure them.
    model.set_draft_tokens(0);
    let cancel = CancellationToken::new();
    let params = |max_tokens| SamplingParams {
        max_tokens,
        ..SamplingParams::default()
    };
    warm_up(&model)?;

    let prompt = Prompt::Text(prompt_text(&model, args.prompt)?);
    let start = Instant::now();
    let g = model.generate(&prompt, &params(args.decode + 1), &cancel, &mut |_| {})?;
    let wall_ms = start.elapsed().as_secs_f64() * 1e3;
    let steps = decode_steps(&g);
    let row = Row {
        engine: None,
        format: spec.name(),
        prompt_tokens: g.prompt_token_ids.len(),
        prefill_tps: g.prompt_token_ids.len() as f64 / g.prefill_ms * 1e3,
        // Tokenizing + prefill; the first argmax (< 1 ms) is inside `decode_ms`.
        ttft_ms: wall_ms - g.decode_ms,
        decode_tps: steps as f64 / g.decode_ms * 1e3,
        decode_steps: steps,
        peak_rss_mb: peak_rss_bytes().unwrap_or(0) as f64 / 1e6,
        load_s,
        weight_mb: model.weight_bytes() as f64 / 1e6,
        // Decode step `i` attends over the prompt and the `i + 1` tokens generated before it.
        kv_mb: model.kv_bytes_per_position() as f64
            * (g.prompt_token_ids.len() as f64 + (steps as f64 + 1.0) / 2.0)
            / 1e6,
    };
    println!("{}", serde_json::to_string(&row)?);
    Ok(())
}

fn spawn_row(args: &Args, format: Spec) -> anyhow::Result<Row> {
    let exe = std::env::current_exe()?;
    let out = Command::new(exe)
        .args(["--row", &format.name(), "--shape", &args.shape])
        .args([
            "--prompt",
            &args.prompt.to_string(),
            "--decode",
            &args.decode.to_string(),
        ])
        .env("RAYON_NUM_THREADS", args.threads.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()?;
    if !out.status.success() {
        bail!("row {} failed: {}", format.name(), out.status);
    }
    let stdout = String::from_utf8(out.stdout)?;
    let line = stdout.lines().last().context("child printed nothing")?;
    Ok(serde_json::from_str(line)?)
}

fn read_compare(path: &Path) -> anyhow::Result<HashMap<String, Row>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = HashMap::new();
    for line in text.lines().filter(|l| l.trim_start().starts_with('{')) {
        let row: Row = serde_json::from_str(line).with_context(|| format!("parsing {line}"))?;
        rows.insert(row.format.clone(), row);
    }
    Ok(rows)
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    if let Some(format) = args.row {
        return run_row(&args, format);
    }
    let theirs = match &args.compare {
        Some(path) => read_compare(Path::new(path))?,
        None => HashMap::new(),
    };
    // Write every checkpoint before measuring anything: writing is memory- and CPU-heavy.
    let mut sources = Vec::new();
    for &spec in &args.formats {
        sources.push((spec, checkpoint(&args.shape, spec.format)?));
    }
    if args.prepare {
        // `FORMAT=SOURCE`, what scripts/bench-llama.sh passes on.
        for (spec, source) in &sources {
            println!("{}={}", spec.name(), source.display());
        }
        return Ok(());
    }
    // The read bandwidth of this VM moves by 2x from one second to the next, so it is measured
    // three times before and three after every row, and every row's bound uses the highest reading:
    // the hardest bound this machine showed during the run.
    let measure = || {
        (0..3)
            .map(|_| read_bandwidth_gbs(args.threads, 8))
            .fold(0.0, f64::max)
    };
    let mut readings = vec![measure()];
    let copy = copy_bandwidth_gbs(args.threads, 8);
    let mut rows = Vec::new();
    for (format, source) in sources {
        let file_bytes = weight_bytes(&source)? as f64;
        let ours = spawn_row(&args, format);
        readings.push(measure());
        rows.push((format, file_bytes, ours));
    }
    let bandwidth = readings.iter().copied().fold(0.0, f64::max);
    let lowest = readings.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "shape {}, {} threads, prompt ~{} tokens, {} decode steps per row (greedy), one request per row \
         after a warm-up; memory bandwidth ({} threads, 128 MiB buffers, read before and after every \
         row): read {lowest:.1}-{bandwidth:.1} GB/s, memcpy {copy:.1} GB/s read (+ as much written); \
         bound = the highest read bandwidth / weight bytes; KV MB = keys and values a decode step \
         read (mean over the steps), bound w+KV = the bandwidth / (weight + KV bytes)",
        args.shape, args.threads, args.prompt, args.decode, args.threads
    );
    println!();
    // The comparison's columns carry its engine's name (PyTorch's rows before the engine field).
    let other = theirs
        .values()
        .find_map(|r| r.engine.clone())
        .unwrap_or_else(|| "torch".into());
    println!(
        "| format | weights MB | load s | prefill tok/s | TTFT s | decode tok/s | peak RSS MB | bound tok/s | \
         decode/bound | KV MB | decode/bound w+KV | {other} prefill | {other} TTFT s | {other} decode | {other} RSS MB | \
         prefill ours/{other} | decode ours/{other} |"
    );
    println!(
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for (format, file_bytes, ours) in rows {
        let ours = match ours {
            Ok(row) => row,
            Err(e) => {
                println!(
                    "| {} | {:.0} | failed: {e:#} |",
                    format.name(),
                    file_bytes / 1e6
                );
                continue;
            }
        };
        // Decoding reads every weight once per token, as held in memory (the tied embedding as the
        // output layer).
        let bytes = if ours.weight_mb > 0.0 {
            ours.weight_mb * 1e6
        } else {
            file_bytes
        };
        let bound = bandwidth * 1e9 / bytes;
        let bound_kv = bandwidth * 1e9 / (bytes + ours.kv_mb * 1e6);
        let t = theirs.get(&format.name());
        let cell = |f: &dyn Fn(&Row) -> String| t.map(f).unwrap_or_else(|| "n/a".into());
        println!(
            "| {} | {:.0} | {:.1} | {:.1} | {:.2} | {:.2} | {:.0} | {:.2} | {:.0}% | {:.0} | {:.0}% | {} | {} | {} | {} | {} | {} |",
            format.name(),
            bytes / 1e6,
            ours.load_s,
            ours.prefill_tps,
            ours.ttft_ms / 1e3,
            ours.decode_tps,
            ours.peak_rss_mb,
            bound,
            ours.decode_tps / bound * 100.0,
            ours.kv_mb,
            ours.decode_tps / bound_kv * 100.0,
            cell(&|r| format!("{:.1}", r.prefill_tps)),
            cell(&|r| format!("{:.2}", r.ttft_ms / 1e3)),
            cell(&|r| format!("{:.2}", r.decode_tps)),
            cell(&|r| format!("{:.0}", r.peak_rss_mb)),
            cell(&|r| format!("{:.2}x", ours.prefill_tps / r.prefill_tps)),
            cell(&|r| format!("{:.2}x", ours.decode_tps / r.decode_tps)),
        );
    }
    Ok(())
}
