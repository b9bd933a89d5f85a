//! The kernels for the bench binaries (`benches/`), behind the `bench` feature: a deliberate surface, so
//! that the kernels' modules stay private to the crate. Also the cost of a speculative verify pass
//! against a decode step ([`verify_cost`]), which needs the model inside a `LocalModel`.

pub use crate::kernels::attention::{applies as decode_attention_applies, decode_attention};
pub use crate::kernels::matmul::Packed;
pub use crate::kv_cache::{KvCache, KvType};

/// Times one decode step and one speculative verify pass of `rows` tokens on `model`'s weights, each
/// after a fresh cache of `context` positions (cut back after every run), interleaved `reps` times.
/// Returns the median seconds of the decode step and of the verify pass: the verify pass's cost in
/// decode steps, what speculation's speed-up divides by.
pub fn verify_cost(
    model: &crate::LocalModel,
    context: usize,
    rows: usize,
    reps: usize,
) -> crate::Result<(f64, f64)> {
    use candle_core::Tensor;
    use std::time::Instant;

    let state = model.core.lock();
    let qwen = &state.runner.model;
    let mut cache = qwen.new_cache();
    // Ids spread over the vocabulary, away from the special tokens.
    let ids = |n: usize, seed: usize| -> Vec<u32> {
        (0..n)
            .map(|i| (((i + seed) * 7919) % 150_000 + 100) as u32)
            .collect()
    };
    for chunk in ids(context, 0).chunks(crate::runner::PREFILL_CHUNK) {
        let input = Tensor::new(chunk, qwen.device())?.unsqueeze(0)?;
        qwen.forward(&input, &mut cache, false)?;
    }
    let tokens = ids(rows, context);
    let (mut decode, mut verify) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let start = Instant::now();
        let input = Tensor::new(&tokens[..1], qwen.device())?.unsqueeze(0)?;
        qwen.forward(&input, &mut cache, false)?;
        decode.push(start.elapsed().as_secs_f64());
        cache.truncate(context);
        let start = Instant::now();
        qwen.forward_verify(&tokens, &mut cache)?;
        verify.push(start.elapsed().as_secs_f64());
        cache.truncate(context);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    Ok((median(decode), median(verify)))
}
