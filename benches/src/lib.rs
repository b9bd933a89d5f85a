//! Shared helpers of the bench binaries in `benches/src/bin/`: random-weight checkpoints cached on disk,
//! peak memory, percentiles, memory bandwidth.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use engine::model::random::{RandomQwen3, WeightFormat};

/// The workspace root (benches run from anywhere).
pub fn workspace() -> PathBuf {
    let benches = Path::new(env!("CARGO_MANIFEST_DIR"));
    benches.parent().unwrap_or(benches).to_path_buf()
}

/// The model shapes the benches know, by name.
pub fn shape(name: &str) -> anyhow::Result<RandomQwen3> {
    match name {
        "0.6b" => Ok(RandomQwen3::qwen3_0_6b()),
        // A quarter of 0.6B's layers and width, for runs where 0.6B is too slow on two cores.
        "small" => Ok(RandomQwen3 {
            hidden_size: 512,
            intermediate_size: 1536,
            num_hidden_layers: 8,
            num_attention_heads: 8,
            num_key_value_heads: 4,
            head_dim: 64,
            ..RandomQwen3::qwen3_0_6b()
        }),
        "tiny" => Ok(RandomQwen3::tiny()),
        other => anyhow::bail!("unknown shape {other} (0.6b, small, tiny)"),
    }
}

/// A random checkpoint of `shape` in `format`, written on first use under `target/bench-models/` and
/// reused afterwards (writing 0.6B in f32 takes a while and 2.4 GB). Returns the `LoadOptions::source`.
/// The directory is renamed into place once complete, so an interrupted write is never reused.
pub fn checkpoint(shape_name: &str, format: WeightFormat) -> anyhow::Result<PathBuf> {
    let shape = shape(shape_name)?;
    let root = workspace().join("target/bench-models");
    // `-w2`: the writer's output version (2: GGUF files carry the tokenizer), so a checkpoint an older
    // writer left here is not reused.
    let dir = root.join(format!(
        "qwen3-{shape_name}-{}-seed{}-w2",
        format.name(),
        shape.seed
    ));
    let source = |dir: &Path| match format.load_dtype() {
        Some(_) => dir.to_path_buf(),
        None => dir.join(format!("model-{}.gguf", format.name())),
    };
    if dir.exists() {
        return Ok(source(&dir));
    }
    let tokenizer = workspace().join("tests/models/qwen3-tiny");
    anyhow::ensure!(
        tokenizer.join("tokenizer.json").exists(),
        "{} has no tokenizer.json: run scripts/fetch-tokenizer.sh",
        tokenizer.display()
    );
    let tmp = root.join(format!(".partial-{}-{}", std::process::id(), format.name()));
    let _ = std::fs::remove_dir_all(&tmp);
    let start = Instant::now();
    shape
        .write(&tmp, format, &tokenizer)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &dir).with_context(|| format!("renaming into {}", dir.display()))?;
    eprintln!(
        "wrote {} in {:.1} s",
        dir.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(source(&dir))
}

/// Bytes of the weight files of a checkpoint source (a directory's `*.safetensors`, or the GGUF file).
pub fn weight_bytes(source: &Path) -> anyhow::Result<u64> {
    if source.is_file() {
        return Ok(std::fs::metadata(source)?.len());
    }
    let mut total = 0;
    for entry in std::fs::read_dir(source)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "safetensors") {
            total += std::fs::metadata(&path)?.len();
        }
    }
    Ok(total)
}

/// The forward passes a generation's decode took: every sampled token but the last was fed back, and
/// an EOS is sampled but not returned.
pub fn decode_steps(g: &engine::Generation) -> usize {
    let samples = g.token_ids.len() + usize::from(g.finish == engine::FinishReason::Eos);
    samples.saturating_sub(1)
}

/// One short request, then a cleared cache: every weight is touched once, so a measured request
/// that follows does not pay the first page-ins and kernel set-ups.
pub fn warm_up(model: &engine::model::LocalModel) -> anyhow::Result<()> {
    use engine::Backend;
    let params = engine::SamplingParams {
        max_tokens: 2,
        ..engine::SamplingParams::default()
    };
    let cancel = engine::CancellationToken::new();
    model.generate(
        &engine::Prompt::Text("def f(x):".into()),
        &params,
        &cancel,
        &mut |_| {},
    )?;
    model.clear_cache();
    Ok(())
}

/// This process's peak resident memory (`VmHWM`) in bytes; Linux only.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The `q` quantile (0..=1) of `samples` by nearest rank.
pub fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Read bandwidth in GB/s (10^9 bytes): `threads` threads each summing its own 128 MiB buffer (far
/// beyond any cache) `rounds` times, after one untimed pass that faults the pages in. This is the
/// access pattern of decoding, which streams every weight once per token.
pub fn read_bandwidth_gbs(threads: usize, rounds: usize) -> f64 {
    const WORDS: usize = (128 << 20) / 8;
    let barrier = std::sync::Barrier::new(threads);
    let seconds: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let buf: Vec<u64> = (0..WORDS as u64).collect();
                    let sum = |b: &[u64]| b.iter().fold(0u64, |a, &x| a.wrapping_add(x));
                    std::hint::black_box(sum(&buf));
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..rounds {
                        std::hint::black_box(sum(std::hint::black_box(&buf)));
                    }
                    start.elapsed().as_secs_f64()
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let slowest = seconds.iter().copied().fold(0.0, f64::max);
    (threads * rounds * WORDS * 8) as f64 / slowest / 1e9
}

/// Memory bandwidth in GB/s (10^9 bytes) counted as bytes read, from `threads` threads each copying
/// its own 128 MiB buffer (far beyond any cache) `rounds` times after one untimed copy that faults the
/// pages in. A copy also writes as many bytes as it reads, so this is a lower bound of what a read-only
/// stream (decoding's weight reads) can reach.
pub fn copy_bandwidth_gbs(threads: usize, rounds: usize) -> f64 {
    const BYTES: usize = 128 << 20;
    let barrier = std::sync::Barrier::new(threads);
    let seconds: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let src = vec![1u8; BYTES];
                    let mut dst = vec![0u8; BYTES];
                    dst.copy_from_slice(&src);
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..rounds {
                        dst.copy_from_slice(std::hint::black_box(&src));
                        std::hint::black_box(&mut dst);
                    }
                    start.elapsed().as_secs_f64()
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let slowest = seconds.iter().copied().fold(0.0, f64::max);
    (threads * rounds * BYTES) as f64 / slowest / 1e9
}

/// The engine's Python fixture with a cursor (`cart.py`, `$0`).
const CART_FIXTURE: &str = include_str!("../../engine/tests/fixtures/python/cart.py");

/// A realistic ~1,700-token Python file and its cursor (byte offset): three renamed copies of the
/// engine's `cart.py` fixture, then the fixture itself, so the cursor sits near the end like mid-edit.
pub fn long_python_file() -> anyhow::Result<(String, usize)> {
    let mut text = String::new();
    for i in 1..4 {
        text.push_str(
            &CART_FIXTURE
                .replace("$0", "pass")
                .replace("Cart", &format!("Cart{i}"))
                .replace("LineItem", &format!("LineItem{i}")),
        );
        text.push('\n');
    }
    text.push_str(CART_FIXTURE);
    let cursor = text.find("$0").context("the fixture has no cursor")?;
    Ok((text.replacen("$0", "", 1), cursor))
}

/// A ~4,300-token Python module and its cursor (`large_cart.py`: the fixture's imports, then its
/// definitions eleven times over, each copy with names of its own, the cursor in the middle one).
/// Over twice the default context budget, so the prompt shows a window of it.
pub fn large_python_file() -> anyhow::Result<(String, usize)> {
    const LARGE_FIXTURE: &str = include_str!("../../engine/tests/fixtures/python/large_cart.py");
    let cursor = LARGE_FIXTURE
        .find("$0")
        .context("the fixture has no cursor")?;
    Ok((LARGE_FIXTURE.replacen("$0", "", 1), cursor))
}
