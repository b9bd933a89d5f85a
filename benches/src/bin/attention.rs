//! Bench: decode attention on the CPU (`model::bench::decode_attention`), alone: one query row of
//! Qwen3-0.6B's shape (16 query heads, 8 KV heads, head_dim 128) against 28 layers' caches of `t`
//! positions each (28 distinct caches, as a decode step reads them, so nothing stays in the CPU's
//! caches beyond their size), in f16, int8 (with a scale per row) and f32. Prints ms per decode step
//! (all 28 layers) and the rate at which the kernel reads the cache, next to the machine's read
//! bandwidth.
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo run --release -p benches --bin attention -- [--positions 64,512,1700] [--repeat 30]
//!     [--caches f16,int8,f32]
//! ```

use std::time::Instant;

use anyhow::Context;
use benches::read_bandwidth_gbs;
use candle_core::{DType, Device, Tensor};
use model::bench::{KvCache, KvType, decode_attention, decode_attention_applies as applies};

const LAYERS: usize = 28;
const HEADS: usize = 16;
const KV_HEADS: usize = 8;
const HEAD_DIM: usize = 128;

fn main() -> anyhow::Result<()> {
    let mut positions = vec![64, 512, 1700];
    let mut repeat = 30;
    let mut kinds = vec![
        KvType::Float(DType::F16),
        KvType::Int8,
        KvType::Float(DType::F32),
    ];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--positions" => {
                positions = value()?
                    .split(',')
                    .map(|p| p.parse().context("--positions: numbers"))
                    .collect::<anyhow::Result<_>>()?
            }
            "--repeat" => repeat = value()?.parse().context("--repeat: a number")?,
            "--caches" => {
                kinds = value()?
                    .split(',')
                    .map(|c| match c {
                        "f16" => Ok(KvType::Float(DType::F16)),
                        "f32" => Ok(KvType::Float(DType::F32)),
                        "int8" => Ok(KvType::Int8),
                        other => anyhow::bail!("--caches: unknown cache type {other}"),
                    })
                    .collect::<anyhow::Result<_>>()?
            }
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    // The pool the kernel runs on: candle's, sized by RAYON_NUM_THREADS.
    let threads = candle_core::utils::get_num_threads();
    let bandwidth = read_bandwidth_gbs(threads, 3);
    println!(
        "decode attention, Qwen3-0.6B shape ({HEADS}/{KV_HEADS} heads, head_dim {HEAD_DIM}), {LAYERS} layers; \
         threads {threads}; read bandwidth {bandwidth:.1} GB/s; best of {repeat}"
    );
    println!();
    println!("| cache | positions | cache MB per step | ms per step | GB/s read |");
    println!("|---|---:|---:|---:|---:|");
    let q = Tensor::randn(0f32, 1.0, (1, 1, HEADS, HEAD_DIM), &Device::Cpu)?;
    for &kind in &kinds {
        for &t in &positions {
            // One cache per layer, filled as a prefill fills it.
            let caches = (0..LAYERS)
                .map(|_| {
                    let k = Tensor::randn(0f32, 1.0, (1, t, KV_HEADS, HEAD_DIM), &Device::Cpu)?;
                    let v = Tensor::randn(0f32, 1.0, (1, t, KV_HEADS, HEAD_DIM), &Device::Cpu)?;
                    Ok(KvCache::new(1, kind).append(0, &k, &v)?)
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            anyhow::ensure!(
                applies(&q, &caches[0]),
                "the kernel does not take this shape"
            );
            let scale = 1.0 / (HEAD_DIM as f32).sqrt();
            let mut best = f64::MAX;
            for _ in 0..repeat.max(1) {
                let start = Instant::now();
                for kv in &caches {
                    decode_attention(&q, kv, scale)?;
                }
                best = best.min(start.elapsed().as_secs_f64());
            }
            let bytes = (2 * LAYERS * t * KV_HEADS * kind.row_bytes(HEAD_DIM, DType::F32)) as f64;
            let name = match kind {
                KvType::Float(dtype) => format!("{dtype:?}"),
                other => format!("{other:?}"),
            };
            println!(
                "| {name} | {t} | {:.1} | {:.3} | {:.1} |",
                bytes / 1e6,
                best * 1e3,
                bytes / best / 1e9
            );
        }
    }
    Ok(())
}
