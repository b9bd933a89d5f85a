//! Bench: the local model on a GPU. Two parts, both printed as markdown:
//!
//! 1. Correctness: `tests/models/qwen3-tiny` generated greedily on the CPU (f32) and on `--device`
//!    (f32, then bf16). The f32 token ids must match exactly (exit status 1 otherwise); bf16 reports how
//!    many of the first N ids match the CPU's.
//! 2. Speed: random-weight Qwen3 shapes (0.6b, 1.7b, 4b, 8b: the real configs' dimensions; `tiny` for a
//!    check on a machine without a GPU) in `--dtype` (default bf16): prefill tok/s of a ~512-token
//!    prompt, decode tok/s, time to first token, load time and the GPU memory of the process
//!    (`nvidia-smi`, where present). Each shape runs in a fresh child process (this binary with `--row`),
//!    so the memory is its own.
//!
//! ```text
//! cargo run --release -p benches --features cuda --bin gpu -- [--device cuda] [--shapes 0.6b,1.7b,4b,8b]
//!     [--dtype bf16] [--prompt 512] [--decode 32] [--check-tokens 32] [--skip-check] [--skip-speed] [--prepare]
//! cargo run --release -p benches --bin gpu -- --device cpu --shapes tiny     # the table code, no GPU
//! ```
//!
//! `--prepare` only writes the checkpoints. Checkpoints are written before any row runs and cached in `target/bench-models/`
//! (`qwen3-<shape>-<dtype>-seed<seed>`; the 8B one is ~16 GB in bf16).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use benches::{decode_steps, workspace};
use engine::model::random::{RandomQwen3, WeightFormat};
use engine::model::{LoadOptions, LocalModel};
use engine::{Backend, CancellationToken, Prompt, SamplingParams};
use serde::{Deserialize, Serialize};

/// Qwen3 shapes by name: the dimensions of the hub's config.json files (`max_position_embeddings`
/// cut to 4,096 as in [`RandomQwen3::qwen3_0_6b`]); 0.6B-4B tie the output layer to the embedding.
fn shape(name: &str) -> anyhow::Result<RandomQwen3> {
    let base = RandomQwen3::qwen3_0_6b();
    let dims = |hidden, layers, heads, kv, inter, tied| RandomQwen3 {
        hidden_size: hidden,
        num_hidden_layers: layers,
        num_attention_heads: heads,
        num_key_value_heads: kv,
        head_dim: 128,
        intermediate_size: inter,
        tie_word_embeddings: tied,
        ..base.clone()
    };
    Ok(match name {
        "0.6b" => dims(1024, 28, 16, 8, 3072, true),
        "1.7b" => dims(2048, 28, 16, 8, 6144, true),
        "4b" => dims(2560, 36, 32, 8, 9728, true),
        "8b" => dims(4096, 36, 32, 8, 12288, false),
        "tiny" => RandomQwen3::tiny(),
        other => bail!("unknown shape {other} (0.6b, 1.7b, 4b, 8b, tiny)"),
    })
}

/// A random checkpoint of `name` in `format` (safetensors), written on first use under
/// `target/bench-models/` and renamed into place once complete.
fn checkpoint(name: &str, format: WeightFormat) -> anyhow::Result<PathBuf> {
    let shape = shape(name)?;
    let root = workspace().join("target/bench-models");
    let dir = root.join(format!("qwen3-{name}-{}-seed{}", format.name(), shape.seed));
    if dir.exists() {
        return Ok(dir);
    }
    let tmp = root.join(format!(".partial-gpu-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let start = Instant::now();
    shape
        .write(&tmp, format, &workspace().join("tests/models/qwen3-tiny"))
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &dir).with_context(|| format!("renaming into {}", dir.display()))?;
    eprintln!(
        "wrote {} ({:.2} B parameters) in {:.1} s",
        dir.display(),
        shape.parameter_count() as f64 / 1e9,
        start.elapsed().as_secs_f64()
    );
    Ok(dir)
}

struct Args {
    device: String,
    shapes: Vec<String>,
    dtype: String,
    prompt: usize,
    decode: usize,
    check_tokens: usize,
    skip_check: bool,
    skip_speed: bool,
    /// Only write the checkpoints.
    prepare: bool,
    row: Option<String>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        device: "cuda".into(),
        shapes: ["0.6b", "1.7b", "4b", "8b"].map(String::from).to_vec(),
        dtype: "bf16".into(),
        prompt: 512,
        decode: 32,
        check_tokens: 32,
        skip_check: false,
        skip_speed: false,
        prepare: false,
        row: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--device" => a.device = value()?,
            "--shapes" => {
                a.shapes = value()?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            }
            "--dtype" => a.dtype = value()?,
            "--prompt" => a.prompt = value()?.parse()?,
            "--decode" => a.decode = value()?.parse()?,
            "--check-tokens" => a.check_tokens = value()?.parse()?,
            "--skip-check" => a.skip_check = true,
            "--skip-speed" => a.skip_speed = true,
            "--prepare" => a.prepare = true,
            "--row" => a.row = Some(value()?),
            other => bail!("unknown argument {other}"),
        }
    }
    for s in &a.shapes {
        shape(s)?;
    }
    Ok(a)
}

fn load(source: &Path, device: &str, dtype: &str) -> anyhow::Result<LocalModel> {
    Ok(LocalModel::load(&LoadOptions {
        source: source.display().to_string(),
        dtype: Some(dtype.parse()?),
        device: Some(device.parse()?),
        ..LoadOptions::default()
    })?)
}

fn greedy(max_tokens: usize) -> SamplingParams {
    SamplingParams {
        max_tokens,
        ..SamplingParams::default()
    }
}

/// Greedy ids of the tiny checkpoint for a fixed code prompt.
fn tiny_ids(device: &str, dtype: &str, n: usize) -> anyhow::Result<Vec<u32>> {
    let model = load(&workspace().join("tests/models/qwen3-tiny"), device, dtype)
        .with_context(|| format!("loading qwen3-tiny on {device} in {dtype}"))?;
    let prompt = Prompt::Text(
        "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n".into(),
    );
    let g = model.generate(&prompt, &greedy(n), &CancellationToken::new(), &mut |_| {})?;
    Ok(g.token_ids)
}

/// Part 1. Returns false when the f32 ids differ.
fn check(args: &Args) -> anyhow::Result<bool> {
    let n = args.check_tokens;
    let cpu = tiny_ids("cpu", "f32", n)?;
    let f32_ids = tiny_ids(&args.device, "f32", n)?;
    let bf16_ids = tiny_ids(&args.device, "bf16", n)?;
    let same = |ids: &[u32]| cpu.iter().zip(ids).take_while(|(a, b)| a == b).count();
    let f32_ok = f32_ids == cpu;
    println!(
        "## Correctness: tests/models/qwen3-tiny, greedy, {n} tokens, cpu f32 vs {}",
        args.device
    );
    println!();
    println!("| device | dtype | ids | leading ids equal to cpu f32 | verdict |");
    println!("|---|---|---:|---:|---|");
    println!("| cpu | f32 | {} | - | reference |", cpu.len());
    println!(
        "| {} | f32 | {} | {} | {} |",
        args.device,
        f32_ids.len(),
        same(&f32_ids),
        if f32_ok { "match" } else { "MISMATCH" }
    );
    println!(
        "| {} | bf16 | {} | {} | informational |",
        args.device,
        bf16_ids.len(),
        same(&bf16_ids)
    );
    println!();
    if !f32_ok {
        eprintln!("cpu f32:  {cpu:?}\n{} f32: {f32_ids:?}", args.device);
    }
    Ok(f32_ok)
}

/// What one speed row measures; printed by the child as one JSON line.
#[derive(Debug, Serialize, Deserialize)]
struct Row {
    shape: String,
    params_b: f64,
    prompt_tokens: usize,
    load_s: f64,
    prefill_tps: f64,
    ttft_ms: f64,
    decode_tps: f64,
    decode_steps: usize,
    /// GPU memory of this process (MiB) from `nvidia-smi`, or `None`.
    gpu_mib: Option<f64>,
}

/// About `tokens` tokens of real Python, cut on a token boundary (as the `model` bench does).
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

/// GPU memory used by this process, in MiB, as `nvidia-smi` reports it.
fn gpu_mib() -> Option<f64> {
    let out = Command::new("nvidia-smi")
        .args([
            "--query-compute-apps=pid,used_memory",
            "--format=csv,noheader,nounits",
        ])
        .output()
        .ok()?;
    let me = std::process::id().to_string();
    String::from_utf8(out.stdout).ok()?.lines().find_map(|l| {
        let (pid, mib) = l.split_once(',')?;
        (pid.trim() == me).then(|| mib.trim().parse().ok())?
    })
}

/// Child: one shape, a warm-up, then one request of `prompt` tokens and `decode + 1` greedy tokens.
fn run_row(args: &Args, name: &str) -> anyhow::Result<()> {
    let format = WeightFormat::parse(&args.dtype).context("--dtype: f32, f16 or bf16")?;
    let source = checkpoint(name, format)?;
    let start = Instant::now();
    let model = load(&source, &args.device, &args.dtype)?;
    let load_s = start.elapsed().as_secs_f64();
    let cancel = CancellationToken::new();
    // Warm-up: kernels compiled/loaded, cuBLAS handles created.
    let warm = Prompt::Text(prompt_text(&model, 32)?);
    model.generate(&warm, &greedy(2), &cancel, &mut |_| {})?;
    model.clear_cache();

    let prompt = Prompt::Text(prompt_text(&model, args.prompt)?);
    let start = Instant::now();
    let g = model.generate(&prompt, &greedy(args.decode + 1), &cancel, &mut |_| {})?;
    let wall_ms = start.elapsed().as_secs_f64() * 1e3;
    let steps = decode_steps(&g);
    let row = Row {
        shape: name.into(),
        params_b: shape(name)?.parameter_count() as f64 / 1e9,
        prompt_tokens: g.prompt_token_ids.len(),
        load_s,
        prefill_tps: g.prompt_token_ids.len() as f64 / g.prefill_ms * 1e3,
        ttft_ms: wall_ms - g.decode_ms,
        decode_tps: steps as f64 / g.decode_ms * 1e3,
        decode_steps: steps,
        gpu_mib: gpu_mib(),
    };
    println!("{}", serde_json::to_string(&row)?);
    Ok(())
}

fn spawn_row(args: &Args, name: &str) -> anyhow::Result<Row> {
    let out = Command::new(std::env::current_exe()?)
        .args([
            "--row",
            name,
            "--device",
            &args.device,
            "--dtype",
            &args.dtype,
        ])
        .args(["--prompt", &args.prompt.to_string()])
        .args(["--decode", &args.decode.to_string()])
        .stderr(std::process::Stdio::inherit())
        .output()?;
    if !out.status.success() {
        bail!("{}", out.status);
    }
    let stdout = String::from_utf8(out.stdout)?;
    let line = stdout.lines().last().context("child printed nothing")?;
    Ok(serde_json::from_str(line)?)
}

/// Writes the missing checkpoints of `--shapes`, one thread each (single-threaded random fill; 8B takes
/// minutes alone).
fn prepare(args: &Args, format: WeightFormat) -> anyhow::Result<()> {
    let start = Instant::now();
    std::thread::scope(|s| {
        let handles: Vec<_> = args
            .shapes
            .iter()
            .map(|name| s.spawn(move || checkpoint(name, format)))
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .map_err(|_| anyhow::anyhow!("writer panicked"))?
                .map(drop)
        })
    })?;
    eprintln!(
        "checkpoints ready in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Part 2.
fn speed(args: &Args) -> anyhow::Result<()> {
    let format = WeightFormat::parse(&args.dtype).context("--dtype: f32, f16 or bf16")?;
    anyhow::ensure!(format.load_dtype().is_some(), "--dtype: f32, f16 or bf16");
    prepare(args, format)?;
    println!(
        "## Speed: random-weight Qwen3 shapes on {}, {}, prompt ~{} tokens, {} decode steps (greedy), \
         one request per row after a warm-up",
        args.device, args.dtype, args.prompt, args.decode
    );
    println!();
    println!(
        "| shape | params B | dtype | load s | prefill tok/s | TTFT ms | decode tok/s | GPU memory MiB |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    for name in &args.shapes {
        let start = Instant::now();
        match spawn_row(args, name) {
            Ok(r) => println!(
                "| {} | {:.3} | {} | {:.1} | {:.0} | {:.1} | {:.1} | {} |",
                r.shape,
                r.params_b,
                args.dtype,
                r.load_s,
                r.prefill_tps,
                r.ttft_ms,
                r.decode_tps,
                r.gpu_mib.map_or("n/a".into(), |m| format!("{m:.0}")),
            ),
            Err(e) => println!("| {name} | failed: {e:#} |"),
        }
        eprintln!("{name}: {:.1} s", start.elapsed().as_secs_f64());
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    if let Some(name) = &args.row {
        return run_row(&args, name);
    }
    if args.prepare {
        let format = WeightFormat::parse(&args.dtype).context("--dtype: f32, f16 or bf16")?;
        return prepare(&args, format);
    }
    let mut ok = true;
    if !args.skip_check {
        ok = check(&args)?;
    }
    if !args.skip_speed {
        speed(&args)?;
    }
    if !ok {
        bail!("{} f32 greedy ids differ from the CPU's", args.device);
    }
    Ok(())
}
