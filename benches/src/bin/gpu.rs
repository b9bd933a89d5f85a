//! Bench: the local model on a GPU, in one run that fits a short loan of a device (`benches/gpu.sh`).
//!
//! 1. Correctness, on the tiny checkpoint (`<models>/qwen3-tiny`), greedy, against the CPU in f32:
//!    - `--device` in f32 must produce the CPU's ids exactly, and its logits over the prompt and the
//!      CPU's continuation must be within 1e-3 of the CPU's, both when the sequence runs as one
//!      prefill and when it runs one token at a time against the KV cache (the decode path);
//!    - `--device` in bf16 passes vLLM's `check_logprobs_close` rule: its ids equal the CPU's up to the
//!      first difference, and there each side's token is among the other side's 5 most likely
//!      tokens (both taken from the logits after the common prefix). After a difference the two
//!      continuations are different texts and are not compared.
//!
//!    The CPU ids recorded when the artifact was built (`--expected-ids`) are compared too, for
//!    information (another CPU may round differently).
//! 2. Speed: random-weight Qwen3 shapes (0.6b, 1.7b, 4b, 8b: the hub configs' dimensions; `tiny` for a
//!    machine without a GPU) in `--dtype`, each in a fresh child process: load time, prefill at each
//!    `--prompts` length (tok/s and time to first token), decode through the continuous batcher at
//!    each `--batches` size (that many different requests at once), and the peak GPU memory
//!    (`nvidia-smi`, sampled every 100 ms) or, without one, the peak resident memory. The checkpoints
//!    are written (on this machine, under `--cache`) while part 1 runs.
//!
//! Results go to stdout as Markdown and, with `--out DIR`, to `DIR/gpu-bench.json` and
//! `DIR/gpu-bench.md` (rewritten after every row, so a run cut short keeps what it measured).
//!
//! ```text
//! gpu [--device cuda] [--shapes 0.6b,1.7b,4b,8b] [--dtype bf16] [--prompts 512,2048]
//!     [--batches 1,8,32] [--decode 32] [--decode-prompt 128] [--check-tokens 32]
//!     [--models tests/models] [--cache target/bench-models] [--out DIR] [--time-limit SECONDS]
//!     [--expected-ids FILE] [--skip-check] [--skip-speed]
//! gpu --device cpu --expected-ids-out FILE     # record the CPU's ids (scripts/build-gpu-artifact.sh)
//! ```

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, bail};
use benches::{decode_steps, peak_rss_bytes, workspace};
use engine::model::random::{RandomQwen3, WeightFormat};
use engine::model::{LoadOptions, LocalModel};
use engine::{Backend, CancellationToken, Prompt, SamplingParams};
use serde::{Deserialize, Serialize};

/// The prompt of the correctness check.
const CHECK_PROMPT: &str = "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n";
/// How many of the other side's most likely tokens the bf16 check accepts at the first difference.
const BF16_TOP_K: usize = 5;
/// The largest |logit difference| the f32 check accepts: candle's f32 GEMMs on CUDA keep full f32
/// (no TF32 unless asked), so only the order of additions differs from the CPU's.
const F32_LOGIT_TOL: f32 = 1e-3;

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
        // The test checkpoint's dimensions with the window of the others, so 2,048-token prompts fit.
        "tiny" => RandomQwen3 {
            max_position_embeddings: 4096,
            ..RandomQwen3::tiny()
        },
        other => bail!("unknown shape {other} (0.6b, 1.7b, 4b, 8b, tiny)"),
    })
}

#[derive(Clone)]
struct Args {
    device: String,
    shapes: Vec<String>,
    dtype: String,
    prompts: Vec<usize>,
    batches: Vec<usize>,
    decode: usize,
    decode_prompt: usize,
    check_tokens: usize,
    models: PathBuf,
    cache: PathBuf,
    out: Option<PathBuf>,
    time_limit: Option<f64>,
    expected_ids: Option<PathBuf>,
    expected_ids_out: Option<PathBuf>,
    skip_check: bool,
    skip_speed: bool,
    row: Option<String>,
}

fn list<T: std::str::FromStr>(s: &str) -> anyhow::Result<Vec<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    s.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| Ok(s.trim().parse()?))
        .collect()
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        device: "cuda".into(),
        shapes: ["0.6b", "1.7b", "4b", "8b"].map(String::from).to_vec(),
        dtype: "bf16".into(),
        prompts: vec![512, 2048],
        batches: vec![1, 8, 32],
        decode: 32,
        decode_prompt: 128,
        check_tokens: 32,
        models: workspace().join("tests/models"),
        cache: workspace().join("target/bench-models"),
        out: None,
        time_limit: None,
        expected_ids: None,
        expected_ids_out: None,
        skip_check: false,
        skip_speed: false,
        row: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--device" => a.device = value()?,
            "--shapes" => a.shapes = list(&value()?)?,
            "--dtype" => a.dtype = value()?,
            "--prompts" => a.prompts = list(&value()?)?,
            "--batches" => a.batches = list(&value()?)?,
            "--decode" => a.decode = value()?.parse()?,
            "--decode-prompt" => a.decode_prompt = value()?.parse()?,
            "--check-tokens" => a.check_tokens = value()?.parse()?,
            "--models" => a.models = value()?.into(),
            "--cache" => a.cache = value()?.into(),
            "--out" => a.out = Some(value()?.into()),
            "--time-limit" => a.time_limit = Some(value()?.parse()?),
            "--expected-ids" => a.expected_ids = Some(value()?.into()),
            "--expected-ids-out" => a.expected_ids_out = Some(value()?.into()),
            "--skip-check" => a.skip_check = true,
            "--skip-speed" => a.skip_speed = true,
            "--row" => a.row = Some(value()?),
            other => bail!("unknown argument {other}"),
        }
    }
    for s in &a.shapes {
        shape(s)?;
    }
    anyhow::ensure!(
        a.prompts.iter().chain(&a.batches).all(|&n| n > 0) && a.decode > 0 && a.check_tokens > 0,
        "--prompts, --batches, --decode and --check-tokens must be positive"
    );
    WeightFormat::parse(&a.dtype)
        .and_then(WeightFormat::load_dtype)
        .context("--dtype: f32, f16 or bf16")?;
    Ok(a)
}

fn load(source: &Path, device: &str, dtype: &str) -> anyhow::Result<LocalModel> {
    LocalModel::load(&LoadOptions {
        source: source.display().to_string(),
        dtype: Some(dtype.parse()?),
        device: Some(device.parse()?),
        ..LoadOptions::default()
    })
    .with_context(|| format!("loading {} on {device} in {dtype}", source.display()))
}

fn greedy(max_tokens: usize) -> SamplingParams {
    SamplingParams {
        max_tokens,
        ..SamplingParams::default()
    }
}

// ---------------------------------------------------------------------------------------------------
// Part 1: correctness.

/// The CPU's greedy ids, as recorded by `--expected-ids-out`.
#[derive(Debug, Serialize, Deserialize)]
struct ExpectedIds {
    checkpoint: String,
    prompt: String,
    prompt_ids: Vec<u32>,
    ids: Vec<u32>,
}

/// What part 1 found.
#[derive(Debug, Default, Serialize)]
struct Check {
    tokens: usize,
    cpu_ids: Vec<u32>,
    f32_ids: Vec<u32>,
    f32_equal: bool,
    /// Largest |logit difference| between the CPU and the device in f32, over the prompt and the CPU's
    /// continuation, fed as one sequence.
    f32_max_logit_diff: f32,
    /// The same with the continuation fed one token at a time (decode steps against the cache).
    f32_decode_max_logit_diff: f32,
    f32_ok: bool,
    bf16_ids: Vec<u32>,
    /// Leading ids of the bf16 continuation equal to the CPU's.
    bf16_leading_equal: usize,
    /// At the first difference (if any): (cpu token, its rank on the device; device token, its rank on
    /// the CPU), ranks from 0.
    bf16_divergence: Option<(u32, usize, u32, usize)>,
    bf16_ok: bool,
    bf16_max_logit_diff: f32,
    bf16_decode_max_logit_diff: f32,
    /// The CPU ids equal those recorded when the artifact was built (`None`: none given).
    cpu_equal_recorded: Option<bool>,
}

fn tiny(args: &Args) -> PathBuf {
    args.models.join("qwen3-tiny")
}

/// Greedy ids after the check prompt, and the prompt's ids.
fn greedy_ids(model: &LocalModel, n: usize) -> anyhow::Result<(Vec<u32>, Vec<u32>)> {
    let g = model.generate(
        &Prompt::Text(CHECK_PROMPT.into()),
        &greedy(n),
        &CancellationToken::new(),
        &mut |_| {},
    )?;
    Ok((g.prompt_token_ids, g.token_ids))
}

/// Logits at every position of `ids` fed as one sequence.
fn logits(model: &LocalModel, ids: &[u32]) -> anyhow::Result<Vec<Vec<f32>>> {
    let mut batch = model.logits(&[ids.to_vec()])?;
    batch.pop().context("no logits")
}

/// Rank of `token` in `logits` (0 = the largest).
fn rank(logits: &[f32], token: u32) -> usize {
    let value = logits
        .get(token as usize)
        .copied()
        .unwrap_or(f32::NEG_INFINITY);
    logits.iter().filter(|&&l| l > value).count()
}

fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &l) in logits.iter().enumerate() {
        if l > logits[best] {
            best = i;
        }
    }
    best as u32
}

/// The logits after `ids[..from]` and then after each of `ids[from..]`, fed one at a time against the
/// cache (what decoding runs): the rows `from - 1..` of [`logits`] of `ids`.
fn stepped_logits(model: &LocalModel, ids: &[u32], from: usize) -> anyhow::Result<Vec<Vec<f32>>> {
    let mut out = vec![model.step_logits(&[], &ids[..from])?];
    for i in from..ids.len() {
        out.push(model.step_logits(&ids[..i], &ids[i..=i])?);
    }
    Ok(out)
}

fn max_abs_diff(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    a.iter()
        .flatten()
        .zip(b.iter().flatten())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Writes the CPU's ids for `--expected-ids-out`.
fn record_expected(args: &Args, path: &Path) -> anyhow::Result<()> {
    let cpu = load(&tiny(args), "cpu", "f32")?;
    let (prompt_ids, ids) = greedy_ids(&cpu, args.check_tokens)?;
    let expected = ExpectedIds {
        checkpoint: "qwen3-tiny".into(),
        prompt: CHECK_PROMPT.into(),
        prompt_ids,
        ids,
    };
    std::fs::write(path, serde_json::to_string_pretty(&expected)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {} ({} ids)", path.display(), expected.ids.len());
    Ok(())
}

fn check(args: &Args) -> anyhow::Result<Check> {
    let n = args.check_tokens;
    let cpu = load(&tiny(args), "cpu", "f32")?;
    let (prompt_ids, cpu_ids) = greedy_ids(&cpu, n)?;
    let mut c = Check {
        tokens: n,
        ..Check::default()
    };
    if let Some(path) = &args.expected_ids {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let recorded: ExpectedIds = serde_json::from_str(&text)?;
        c.cpu_equal_recorded = Some(recorded.prompt_ids == prompt_ids && recorded.ids == cpu_ids);
    }
    // The prompt and the CPU's continuation but its last token: the logits that chose every id.
    let mut sequence = prompt_ids.clone();
    sequence.extend_from_slice(&cpu_ids[..cpu_ids.len().saturating_sub(1)]);
    let cpu_logits = logits(&cpu, &sequence)?;
    let decoded = &cpu_logits[prompt_ids.len() - 1..];

    let dev = load(&tiny(args), &args.device, "f32")?;
    c.f32_ids = greedy_ids(&dev, n)?.1;
    c.f32_equal = c.f32_ids == cpu_ids;
    c.f32_max_logit_diff = max_abs_diff(&cpu_logits, &logits(&dev, &sequence)?);
    c.f32_decode_max_logit_diff =
        max_abs_diff(decoded, &stepped_logits(&dev, &sequence, prompt_ids.len())?);
    c.f32_ok = c.f32_equal
        && c.f32_max_logit_diff <= F32_LOGIT_TOL
        && c.f32_decode_max_logit_diff <= F32_LOGIT_TOL;
    drop(dev);

    let dev = load(&tiny(args), &args.device, "bf16")?;
    c.bf16_ids = greedy_ids(&dev, n)?.1;
    c.bf16_max_logit_diff = max_abs_diff(&cpu_logits, &logits(&dev, &sequence)?);
    c.bf16_decode_max_logit_diff =
        max_abs_diff(decoded, &stepped_logits(&dev, &sequence, prompt_ids.len())?);
    let lead = cpu_ids
        .iter()
        .zip(&c.bf16_ids)
        .take_while(|(a, b)| a == b)
        .count();
    c.bf16_leading_equal = lead;
    if lead == cpu_ids.len() && lead == c.bf16_ids.len() {
        c.bf16_ok = true;
    } else {
        // The logits after the common prefix, on both sides; a side that stopped (EOS) chose its
        // argmax there too.
        let mut prefix = prompt_ids.clone();
        prefix.extend_from_slice(&cpu_ids[..lead]);
        let at_cpu = logits(&cpu, &prefix)?.pop().context("no logits")?;
        let at_dev = logits(&dev, &prefix)?.pop().context("no logits")?;
        let (cpu_token, dev_token) = (argmax(&at_cpu), argmax(&at_dev));
        let (cpu_rank_on_dev, dev_rank_on_cpu) =
            (rank(&at_dev, cpu_token), rank(&at_cpu, dev_token));
        c.bf16_divergence = Some((cpu_token, cpu_rank_on_dev, dev_token, dev_rank_on_cpu));
        c.bf16_ok = cpu_rank_on_dev < BF16_TOP_K && dev_rank_on_cpu < BF16_TOP_K;
    }
    c.cpu_ids = cpu_ids;
    Ok(c)
}

fn check_markdown(args: &Args, c: &Check) -> String {
    let verdict = |ok: bool| if ok { "pass" } else { "FAIL" };
    let mut md = format!(
        "## Correctness: tests/models/qwen3-tiny, greedy, {} tokens, cpu f32 vs {}\n\n\
         | device | dtype | ids | leading ids equal to cpu f32 | max abs logit diff (prefill / decode) | rule | verdict |\n\
         |---|---|---:|---:|---:|---|---|\n\
         | cpu | f32 | {} | - | - | reference{} | - |\n",
        c.tokens,
        args.device,
        c.cpu_ids.len(),
        match c.cpu_equal_recorded {
            Some(true) => "; equal to the ids recorded at build time",
            Some(false) => "; DIFFERS from the ids recorded at build time",
            None => "",
        },
    );
    let lead = |ids: &[u32]| {
        c.cpu_ids
            .iter()
            .zip(ids)
            .take_while(|(a, b)| a == b)
            .count()
    };
    md += &format!(
        "| {} | f32 | {} | {} | {:.2e} / {:.2e} | all ids equal, logits within {F32_LOGIT_TOL:.0e} | {} |\n",
        args.device,
        c.f32_ids.len(),
        lead(&c.f32_ids),
        c.f32_max_logit_diff,
        c.f32_decode_max_logit_diff,
        verdict(c.f32_ok)
    );
    let rule = match c.bf16_divergence {
        None => "equal up to the first difference (none)".to_string(),
        Some((cpu_t, cpu_rank, dev_t, dev_rank)) => format!(
            "first difference at {}: cpu's {cpu_t} is #{} on {}, its {dev_t} is #{} on cpu (top {BF16_TOP_K} allowed)",
            c.bf16_leading_equal,
            cpu_rank + 1,
            args.device,
            dev_rank + 1
        ),
    };
    md += &format!(
        "| {} | bf16 | {} | {} | {:.2e} / {:.2e} | {rule} | {} |\n\n",
        args.device,
        c.bf16_ids.len(),
        c.bf16_leading_equal,
        c.bf16_max_logit_diff,
        c.bf16_decode_max_logit_diff,
        verdict(c.bf16_ok)
    );
    md
}

// ---------------------------------------------------------------------------------------------------
// Part 2: speed.

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PrefillRow {
    tokens: usize,
    ms: f64,
    tps: f64,
    /// Wall time from the request to its first token.
    ttft_ms: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DecodeRow {
    /// Requests decoded together.
    batch: usize,
    /// Tokens decoded (summed over the requests).
    tokens: usize,
    /// Mean sequences per decode step (from the batcher's counters).
    rows_per_step: f64,
    /// Decoded tokens per second of decoding (the wall time less the requests' prefills).
    tps: f64,
    /// `tps` per request.
    tps_per_request: f64,
}

/// One shape's measurements; the child prints it as one JSON line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Row {
    shape: String,
    params_b: f64,
    load_s: f64,
    prefill: Vec<PrefillRow>,
    decode: Vec<DecodeRow>,
    /// Peak GPU memory in use (`nvidia-smi` memory.used less its value before the model loaded), MiB.
    peak_gpu_mib: Option<f64>,
    /// Peak resident memory of the process, MiB.
    peak_rss_mib: Option<f64>,
    error: Option<String>,
}

/// A random checkpoint of `name` in `format` (safetensors), written on first use under `cache` and
/// renamed into place once complete.
fn checkpoint(args: &Args, name: &str, format: WeightFormat) -> anyhow::Result<PathBuf> {
    let shape = shape(name)?;
    let dir = args
        .cache
        .join(format!("qwen3-{name}-{}-seed{}", format.name(), shape.seed));
    if dir.exists() {
        return Ok(dir);
    }
    let tmp = args
        .cache
        .join(format!(".partial-gpu-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let start = Instant::now();
    shape
        .write(&tmp, format, &tiny(args))
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

/// About `tokens` tokens of real Python, cut on a token boundary (as the `model` bench does); `salt`
/// makes prompts of one length differ from their first token, so none reuses another's cache.
fn prompt_text(model: &LocalModel, tokens: usize, salt: usize) -> anyhow::Result<Prompt> {
    let fixture =
        include_str!("../../../engine/tests/fixtures/python/cart.py").replace("$0", "pass");
    let mut text = format!("# request {salt}\n");
    while model.count_tokens(&text)? < tokens + 16 {
        text.push_str(&fixture);
    }
    let ids = model.tokenizer().encode(&text)?;
    Ok(Prompt::Text(model.tokenizer().decode(&ids[..tokens])?))
}

/// Samples `nvidia-smi`'s memory.used of the first GPU every 100 ms until dropped; keeps the peak.
struct GpuMemory {
    child: std::process::Child,
    peak: Arc<Mutex<Option<f64>>>,
    stop: Arc<AtomicBool>,
}

impl GpuMemory {
    fn start() -> Option<GpuMemory> {
        let mut child = Command::new("nvidia-smi")
            .args([
                "--query-gpu=memory.used",
                "--format=csv,noheader,nounits",
                "--id=0",
                "-lms",
                "100",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let stdout = child.stdout.take()?;
        let peak = Arc::new(Mutex::new(None::<f64>));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if s.load(Ordering::Relaxed) {
                    break;
                }
                if let (Ok(mib), Ok(mut peak)) = (line.trim().parse::<f64>(), p.lock()) {
                    *peak = Some(peak.map_or(mib, |old: f64| old.max(mib)));
                }
            }
        });
        Some(GpuMemory { child, peak, stop })
    }

    fn peak(&self) -> Option<f64> {
        self.peak.lock().ok().and_then(|p| *p)
    }
}

impl Drop for GpuMemory {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `nvidia-smi` reading of the first GPU's memory.used, MiB.
fn gpu_used_mib() -> Option<f64> {
    let out = Command::new("nvidia-smi")
        .args([
            "--query-gpu=memory.used",
            "--format=csv,noheader,nounits",
            "--id=0",
        ])
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// Child: one shape. A warm-up, then each prefill length, then each batch size.
fn run_row(args: &Args, name: &str) -> anyhow::Result<Row> {
    let format = WeightFormat::parse(&args.dtype).context("--dtype")?;
    let source = checkpoint(args, name, format)?;
    let baseline = gpu_used_mib();
    let monitor = GpuMemory::start();
    let start = Instant::now();
    let model = load(&source, &args.device, &args.dtype)?;
    let mut row = Row {
        shape: name.into(),
        params_b: shape(name)?.parameter_count() as f64 / 1e9,
        load_s: start.elapsed().as_secs_f64(),
        ..Row::default()
    };
    let cancel = CancellationToken::new();
    // Warm-up: kernels loaded (PTX JIT-compiled on first use), cuBLAS handles created, for prefill
    // and for batched decoding.
    let warm: Vec<(Prompt, SamplingParams)> = (0..2)
        .map(|i| Ok((prompt_text(&model, 32, 1000 + i)?, greedy(3))))
        .collect::<anyhow::Result<_>>()?;
    model.generate_many(&warm, &cancel)?;
    model.clear_cache();

    for (i, &tokens) in args.prompts.iter().enumerate() {
        let prompt = prompt_text(&model, tokens, i)?;
        model.clear_cache();
        let start = Instant::now();
        let g = model.generate(&prompt, &greedy(1), &cancel, &mut |_| {})?;
        let wall_ms = start.elapsed().as_secs_f64() * 1e3;
        row.prefill.push(PrefillRow {
            tokens: g.prompt_token_ids.len(),
            ms: g.prefill_ms,
            tps: g.prompt_token_ids.len() as f64 / g.prefill_ms * 1e3,
            ttft_ms: wall_ms,
        });
    }

    for &batch in &args.batches {
        let requests: Vec<(Prompt, SamplingParams)> = (0..batch)
            .map(|i| {
                Ok((
                    prompt_text(&model, args.decode_prompt, 100 + i)?,
                    greedy(args.decode + 1),
                ))
            })
            .collect::<anyhow::Result<_>>()?;
        model.clear_cache();
        let before = model.batch_stats();
        let start = Instant::now();
        let out = model.generate_many(&requests, &cancel)?;
        let wall_s = start.elapsed().as_secs_f64();
        let after = model.batch_stats();
        let tokens: usize = out.iter().map(decode_steps).sum();
        let prefill_s: f64 = out.iter().map(|g| g.prefill_ms).sum::<f64>() / 1e3;
        let tps = tokens as f64 / (wall_s - prefill_s).max(1e-9);
        row.decode.push(DecodeRow {
            batch,
            tokens,
            rows_per_step: (after.rows - before.rows) as f64
                / (after.steps - before.steps).max(1) as f64,
            tps,
            tps_per_request: tps / batch as f64,
        });
    }
    row.peak_gpu_mib = monitor
        .as_ref()
        .and_then(GpuMemory::peak)
        .map(|peak| peak - baseline.unwrap_or(0.0));
    row.peak_rss_mib = peak_rss_bytes().map(|b| b as f64 / (1 << 20) as f64);
    Ok(row)
}

fn spawn_row(args: &Args, name: &str) -> anyhow::Result<Row> {
    let join = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    let out = Command::new(std::env::current_exe()?)
        .args([
            "--row",
            name,
            "--device",
            &args.device,
            "--dtype",
            &args.dtype,
        ])
        .args([
            "--prompts",
            &join(&args.prompts),
            "--batches",
            &join(&args.batches),
        ])
        .args(["--decode", &args.decode.to_string()])
        .args(["--decode-prompt", &args.decode_prompt.to_string()])
        .arg("--models")
        .arg(&args.models)
        .arg("--cache")
        .arg(&args.cache)
        .stderr(Stdio::inherit())
        .output()?;
    let stdout = String::from_utf8(out.stdout)?;
    match stdout.lines().last().map(serde_json::from_str::<Row>) {
        Some(Ok(row)) => Ok(row),
        _ if !out.status.success() => bail!("the row's process failed: {}", out.status),
        _ => bail!("the row's process printed no result"),
    }
}

fn speed_markdown(args: &Args, rows: &[Row]) -> String {
    let mut md = format!(
        "## Speed: random-weight Qwen3 shapes on {}, {}; decode: {} greedy tokens for each of `batch` \
         different {}-token requests at once, through the continuous batcher\n\n",
        args.device, args.dtype, args.decode, args.decode_prompt
    );
    md += "| shape | params B | load s |";
    for p in &args.prompts {
        md += &format!(" prefill {p} tok/s | TTFT {p} ms |");
    }
    for b in &args.batches {
        md += &format!(" decode b{b} tok/s |");
    }
    md += " rows/step | peak GPU MiB | peak RSS MiB |\n|---|---:|---:|";
    md += &"---:|".repeat(2 * args.prompts.len() + args.batches.len() + 3);
    md += "\n";
    for r in rows {
        if let Some(e) = &r.error {
            md += &format!("| {} | failed: {e} |\n", r.shape);
            continue;
        }
        md += &format!("| {} | {:.3} | {:.1} |", r.shape, r.params_b, r.load_s);
        for p in &r.prefill {
            md += &format!(" {:.0} | {:.1} |", p.tps, p.ttft_ms);
        }
        for d in &r.decode {
            md += &format!(" {:.1} |", d.tps);
        }
        let steps: Vec<String> = r
            .decode
            .iter()
            .map(|d| format!("{:.1}", d.rows_per_step))
            .collect();
        let mib = |m: Option<f64>| m.map_or("n/a".into(), |m| format!("{m:.0}"));
        md += &format!(
            " {} | {} | {} |\n",
            steps.join(" / "),
            mib(r.peak_gpu_mib),
            mib(r.peak_rss_mib)
        );
    }
    md + "\n"
}

// ---------------------------------------------------------------------------------------------------

/// Everything one run found, as written to `gpu-bench.json`.
#[derive(Debug, Serialize)]
struct Report<'a> {
    device: &'a str,
    gpu: Option<String>,
    dtype: &'a str,
    check: Option<&'a Check>,
    check_error: Option<String>,
    rows: &'a [Row],
}

fn gpu_name() -> Option<String> {
    let out = Command::new("nvidia-smi")
        .args([
            "--query-gpu=name,memory.total,driver_version",
            "--format=csv,noheader",
            "--id=0",
        ])
        .output()
        .ok()?;
    let name = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!name.is_empty()).then_some(name)
}

fn write_report(args: &Args, report: &Report, markdown: &str) -> anyhow::Result<()> {
    let Some(dir) = &args.out else { return Ok(()) };
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("gpu-bench.json"),
        serde_json::to_string_pretty(report)? + "\n",
    )?;
    std::fs::write(dir.join("gpu-bench.md"), markdown)?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let args = parse_args()?;
    if let Some(name) = &args.row {
        let row = run_row(&args, name).unwrap_or_else(|e| Row {
            shape: name.clone(),
            error: Some(format!("{e:#}")),
            ..Row::default()
        });
        println!("{}", serde_json::to_string(&row)?);
        return Ok(());
    }
    if let Some(path) = &args.expected_ids_out {
        return record_expected(&args, path);
    }
    let format = WeightFormat::parse(&args.dtype).context("--dtype")?;
    let gpu = gpu_name();
    let mut header = format!(
        "# GPU bench: {} ({}), {}\n\n",
        args.device,
        gpu.as_deref().unwrap_or("no nvidia-smi"),
        args.dtype
    );
    // What built the binary (the artifact's BUILD-INFO, passed on by benches/gpu.sh).
    if let Ok(info) = std::env::var("GPU_BENCH_BUILD_INFO") {
        header += &format!("```text\n{}\n```\n\n", info.trim());
    }

    std::thread::scope(|s| -> anyhow::Result<()> {
        // The speed rows' checkpoints are written while the check runs (it needs the device, they the
        // CPU and the disk).
        let writers: Vec<_> = if args.skip_speed {
            Vec::new()
        } else {
            args.shapes
                .iter()
                .map(|name| {
                    let args = &args;
                    s.spawn(move || checkpoint(args, name, format))
                })
                .collect()
        };
        let (check, check_error) = if args.skip_check {
            (None, None)
        } else {
            match check(&args) {
                Ok(c) => (Some(c), None),
                Err(e) => (None, Some(format!("{e:#}"))),
            }
        };
        let mut markdown = header.clone();
        match (&check, &check_error) {
            (Some(c), _) => markdown += &check_markdown(&args, c),
            (None, Some(e)) => markdown += &format!("## Correctness\n\nFAILED to run: {e}\n\n"),
            (None, None) => {}
        }
        print!("{markdown}");
        let mut rows: Vec<Row> = Vec::new();
        let report = |rows: &[Row]| {
            let md = if args.skip_speed {
                markdown.clone()
            } else {
                markdown.clone() + &speed_markdown(&args, rows)
            };
            let report = Report {
                device: &args.device,
                gpu: gpu.clone(),
                dtype: &args.dtype,
                check: check.as_ref(),
                check_error: check_error.clone(),
                rows,
            };
            write_report(&args, &report, &md)
        };
        report(&rows)?;
        for (name, writer) in args.shapes.iter().zip(writers) {
            let written = writer
                .join()
                .map_err(|_| anyhow::anyhow!("checkpoint writer panicked"))?;
            let out_of_time = args
                .time_limit
                .is_some_and(|limit| started.elapsed().as_secs_f64() > limit);
            let row_start = Instant::now();
            let row = match written {
                Err(e) => Err(e),
                Ok(_) if out_of_time => Err(anyhow::anyhow!("skipped: --time-limit reached")),
                Ok(_) => spawn_row(&args, name),
            };
            rows.push(row.unwrap_or_else(|e| Row {
                shape: name.clone(),
                error: Some(format!("{e:#}")),
                ..Row::default()
            }));
            eprintln!("{name}: {:.1} s", row_start.elapsed().as_secs_f64());
            report(&rows)?;
        }
        if !args.skip_speed {
            print!("{}", speed_markdown(&args, &rows));
        }
        if let Some(e) = &check_error {
            bail!("the correctness check did not run: {e}");
        }
        if let Some(c) = &check
            && (!c.f32_ok || !c.bf16_ok)
        {
            bail!(
                "{} fails the check (f32 ids equal and logits within {F32_LOGIT_TOL}: {}, bf16 \
                 within the top-{BF16_TOP_K} rule: {})",
                args.device,
                c.f32_ok,
                c.bf16_ok
            );
        }
        if let Some(r) = rows.iter().find(|r| r.error.is_some()) {
            bail!("shape {} failed", r.shape);
        }
        Ok(())
    })
}
