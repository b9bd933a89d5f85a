//! Decode attention on the CPU: one new query row against a sequence's cached keys and values (f32,
//! position-major `(positions, kv_heads, head_dim)`, read where they lie in the cache).
//!
//! candle 0.11's flash decode kernel walks the positions once per *query* head with an online
//! softmax: a horizontal dot product, a scalar `expf` and often a rescaling of the whole accumulator
//! per position and head. At 600 cached positions it took as long as all of Qwen3-0.6B's `q8_0`
//! matrix products together. This kernel reads the cache in its memory order, position after
//! position, each thread taking a contiguous range of KV heads with all the query heads that share
//! them (grouped-query attention):
//!
//! 1. scores: each key row is read once and dotted with every query head of its group;
//! 2. softmax over each head's scores, with an exponential that vectorizes (a degree-6 polynomial
//!    after range reduction, within 2 ulp of `expf`);
//! 3. values: each value row is read once and added, weighted, into every head's output.
//!
//! Walking one KV head's positions instead jumps `kv_heads * head_dim` floats (4 KiB for Qwen3) per
//! row, a new page each time, where hardware prefetchers stop: that order ran at a third of the
//! memory bandwidth. The passes are plain Rust written so that LLVM vectorizes them (fixed-width lane
//! arrays), compiled for AVX-512, AVX2 + FMA and the baseline, the widest picked at run time.

use candle_core::utils::barrier_pool;
use candle_core::{CpuStorage, DType, Device, Result, Storage, Tensor, bail};
use std::sync::Mutex;

/// Whether [`decode_attention`] takes `q` `(1, 1, heads, head_dim)` against `k`/`v` `(1, positions,
/// kv_heads, head_dim)`: all f32 on the CPU, `k` and `v` contiguous, heads a multiple of KV heads.
pub(crate) fn applies(q: &Tensor, k: &Tensor, v: &Tensor) -> bool {
    let (Ok((1, 1, h, d)), Ok((1, t, kvh, kd))) = (q.dims4(), k.dims4()) else {
        return false;
    };
    q.device().is_cpu()
        && [q, k, v].iter().all(|x| x.dtype() == DType::F32)
        && k.is_contiguous()
        && v.is_contiguous()
        && v.dims() == k.dims()
        && kd == d
        && t > 0
        && kvh > 0
        && h.is_multiple_of(kvh)
}

/// Softmax attention of one query row over every cached position: `(1, 1, heads * head_dim)`.
/// The caller checks [`applies`].
pub(crate) fn decode_attention(q: &Tensor, k: &Tensor, v: &Tensor, scale: f32) -> Result<Tensor> {
    let (_, _, h, d) = q.dims4()?;
    let (_, t, kvh, _) = k.dims4()?;
    let q = q.contiguous()?;
    let (q_storage, q_layout) = q.storage_and_layout();
    let (k_storage, k_layout) = k.storage_and_layout();
    let (v_storage, v_layout) = v.storage_and_layout();
    let (
        Storage::Cpu(CpuStorage::F32(q_data)),
        Storage::Cpu(CpuStorage::F32(k_data)),
        Storage::Cpu(CpuStorage::F32(v_data)),
    ) = (&*q_storage, &*k_storage, &*v_storage)
    else {
        bail!("decode attention needs f32 tensors on the CPU");
    };
    let slice = |data: &'_ [f32], layout: &candle_core::Layout| -> Result<std::ops::Range<usize>> {
        match layout.contiguous_offsets() {
            Some((start, end)) if end <= data.len() => Ok(start..end),
            _ => bail!("decode attention needs contiguous tensors"),
        }
    };
    let q_data = &q_data[slice(q_data, q_layout)?];
    let k_data = &k_data[slice(k_data, k_layout)?];
    let v_data = &v_data[slice(v_data, v_layout)?];
    let shape = Shape {
        t,
        kvh,
        groups: h / kvh,
        d,
    };
    let mut out = vec![0f32; h * d];
    let kernel = pick();
    // One contiguous range of KV heads per thread of candle's pool (its workers plus the caller).
    let pool = barrier_pool();
    let threads = (pool.n_workers() + 1).min(kvh);
    let ranges: Vec<Heads> = (0..threads)
        .map(|i| i * kvh / threads..(i + 1) * kvh / threads)
        .collect();
    let mut rest = out.as_mut_slice();
    let mut tasks = Vec::with_capacity(threads);
    for heads in &ranges {
        let (mine, others) = rest.split_at_mut(heads.len() * shape.groups * d);
        tasks.push(Mutex::new(mine));
        rest = others;
    }
    pool.execute(|tid| {
        let (Some(heads), Some(task)) = (ranges.get(tid), tasks.get(tid)) else {
            return;
        };
        let mut scores = vec![0f32; heads.len() * shape.groups * t];
        // Each task is taken by one thread; the lock is never contended.
        if let Ok(mut out) = task.lock() {
            kernel(
                &shape,
                heads.clone(),
                q_data,
                k_data,
                v_data,
                scale,
                &mut scores,
                &mut out,
            );
        }
    });
    drop(tasks);
    Tensor::from_vec(out, (1, 1, h * d), &Device::Cpu)
}

/// The sizes a kernel needs: positions, KV heads, query heads per KV head, head dimension.
struct Shape {
    t: usize,
    kvh: usize,
    groups: usize,
    d: usize,
}

/// Attention of the query heads of the KV heads `heads` (`q`: every query head), written to `out`
/// (`heads.len() * groups * d`); `scores` is scratch of `heads.len() * groups * t`.
type Kernel = fn(&Shape, Heads, &[f32], &[f32], &[f32], f32, &mut [f32], &mut [f32]);

type Heads = std::ops::Range<usize>;

fn pick() -> Kernel {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            return |s, heads, q, k, v, scale, scores, out| {
                // SAFETY: the CPU has AVX-512F, checked above.
                #[allow(unsafe_code)]
                unsafe {
                    group_avx512(s, heads, q, k, v, scale, scores, out)
                }
            };
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return |s, heads, q, k, v, scale, scores, out| {
                // SAFETY: the CPU has AVX2 and FMA, checked above.
                #[allow(unsafe_code)]
                unsafe {
                    group_avx2(s, heads, q, k, v, scale, scores, out)
                }
            };
        }
    }
    group_body::<8, false>
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
#[allow(clippy::too_many_arguments)]
fn group_avx512(
    s: &Shape,
    heads: Heads,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    scale: f32,
    scores: &mut [f32],
    out: &mut [f32],
) {
    group_body::<16, true>(s, heads, q, k, v, scale, scores, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
fn group_avx2(
    s: &Shape,
    heads: Heads,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    scale: f32,
    scores: &mut [f32],
    out: &mut [f32],
) {
    group_body::<8, true>(s, heads, q, k, v, scale, scores, out)
}

/// The kernel's one body (see the module docs), inlined into each target-feature function above.
/// `L` is the lanes of one accumulator; `FMA` whether `mul_add` is an instruction.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn group_body<const L: usize, const FMA: bool>(
    s: &Shape,
    heads: Heads,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    scale: f32,
    scores: &mut [f32],
    out: &mut [f32],
) {
    let Shape { t, kvh, groups, d } = *s;
    // Query heads `heads.start * groups..`, in order: one row of scores and of `out` each.
    let n = heads.len() * groups;
    let q = &q[heads.start * groups * d..][..n * d];
    let scores = &mut scores[..n * t];
    let rows = |p: usize| (p * kvh + heads.start) * d..(p * kvh + heads.end) * d;
    // 1. Scores, each key row read once for its group.
    for p in 0..t {
        for (i, k_row) in k[rows(p)].chunks_exact(d).enumerate() {
            for g in i * groups..(i + 1) * groups {
                scores[g * t + p] = dot::<L, FMA>(&q[g * d..][..d], k_row) * scale;
            }
        }
    }
    // 2. Softmax per query head, normalized at the end.
    let mut inv_sums = vec![0f32; n];
    for (row_scores, inv) in scores.chunks_exact_mut(t).zip(inv_sums.iter_mut()) {
        let max = row_scores.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
        for x in row_scores.iter_mut() {
            *x = exp_nonpositive::<FMA>(*x - max);
        }
        *inv = 1.0 / sum::<L>(row_scores);
    }
    // 3. Values, each row read once and added into its group's outputs.
    out.fill(0.0);
    for p in 0..t {
        for (i, v_row) in v[rows(p)].chunks_exact(d).enumerate() {
            for g in i * groups..(i + 1) * groups {
                let w = scores[g * t + p];
                for (o, x) in out[g * d..][..d].iter_mut().zip(v_row) {
                    *o = if FMA { w.mul_add(*x, *o) } else { *o + w * x };
                }
            }
        }
    }
    for (out, inv) in out.chunks_exact_mut(d).zip(&inv_sums) {
        for o in out {
            *o *= inv;
        }
    }
}

/// `a . b` with `L` independent lanes (LLVM keeps them in one register and vectorizes).
#[inline(always)]
fn dot<const L: usize, const FMA: bool>(a: &[f32], b: &[f32]) -> f32 {
    let (a_chunks, a_rest) = a.as_chunks::<L>();
    let (b_chunks, b_rest) = b.as_chunks::<L>();
    let mut acc = [0f32; L];
    for (a, b) in a_chunks.iter().zip(b_chunks) {
        for l in 0..L {
            acc[l] = if FMA {
                a[l].mul_add(b[l], acc[l])
            } else {
                acc[l] + a[l] * b[l]
            };
        }
    }
    let tail: f32 = a_rest.iter().zip(b_rest).map(|(a, b)| a * b).sum();
    acc.iter().sum::<f32>() + tail
}

#[inline(always)]
fn sum<const L: usize>(x: &[f32]) -> f32 {
    let (chunks, rest) = x.as_chunks::<L>();
    let mut acc = [0f32; L];
    for c in chunks {
        for l in 0..L {
            acc[l] += c[l];
        }
    }
    acc.iter().sum::<f32>() + rest.iter().sum::<f32>()
}

/// `e^x` for `x <= 0` (a score minus its row's maximum), in operations that vectorize: `x = n ln 2
/// + r` with `|r| <= ln 2 / 2`, `e^r` by its Taylor polynomial to degree 6 (truncation below
/// 1.2e-7 relative), `2^n` built in the exponent bits. Below -87.3 (where `expf` goes subnormal)
/// the result is `e^-87.3`, 1e-38, which adds nothing next to the maximum's 1.
#[inline(always)]
fn exp_nonpositive<const FMA: bool>(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    let fma = |a: f32, b: f32, c: f32| if FMA { a.mul_add(b, c) } else { a * b + c };
    let x = x.max(-87.3);
    let n = (x * std::f32::consts::LOG2_E).round_ties_even();
    let r = fma(-n, LN2_LO, fma(-n, LN2_HI, x));
    let mut p = 1.0 / 720.0;
    for c in [1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
        p = fma(p, r, c);
    }
    // `n` is in -126..=0, so `n + 127` is a normal float's biased exponent.
    f32::from_bits(((n as i32 + 127) as u32) << 23) * p
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn random(len: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        (0..len)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    /// Attention in f64, the textbook way.
    fn reference(
        q: &[f32],
        k: &[f32],
        v: &[f32],
        h: usize,
        kvh: usize,
        d: usize,
        scale: f32,
    ) -> Vec<f32> {
        let t = k.len() / (kvh * d);
        let mut out = vec![0f32; h * d];
        for head in 0..h {
            let kv = head / (h / kvh);
            let scores: Vec<f64> = (0..t)
                .map(|p| {
                    (0..d)
                        .map(|i| f64::from(q[head * d + i]) * f64::from(k[(p * kvh + kv) * d + i]))
                        .sum::<f64>()
                        * f64::from(scale)
                })
                .collect();
            let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let weights: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
            let total: f64 = weights.iter().sum();
            for i in 0..d {
                let o: f64 = (0..t)
                    .map(|p| weights[p] * f64::from(v[(p * kvh + kv) * d + i]))
                    .sum();
                out[head * d + i] = (o / total) as f32;
            }
        }
        out
    }

    #[test]
    fn matches_f64_attention_for_group_sizes_and_lengths() {
        for (h, kvh, d, t) in [
            (16, 8, 128, 700),
            (4, 2, 8, 1),
            (4, 1, 16, 37),
            (6, 6, 24, 5),
        ] {
            let q = random(h * d, 1);
            // Large scores make the softmax peaked, as trained models do.
            let k: Vec<f32> = random(t * kvh * d, 2).iter().map(|x| x * 4.0).collect();
            let v = random(t * kvh * d, 3);
            let scale = 1.0 / (d as f32).sqrt();
            let want = reference(&q, &k, &v, h, kvh, d, scale);
            let qt = Tensor::from_vec(q, (1, 1, h, d), &Device::Cpu).unwrap();
            let kt = Tensor::from_vec(k, (1, t, kvh, d), &Device::Cpu).unwrap();
            let vt = Tensor::from_vec(v, (1, t, kvh, d), &Device::Cpu).unwrap();
            assert!(applies(&qt, &kt, &vt));
            let got = decode_attention(&qt, &kt, &vt, scale).unwrap();
            assert_eq!(got.dims(), &[1, 1, h * d]);
            let got = got.flatten_all().unwrap().to_vec1::<f32>().unwrap();
            let worst = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(
                worst < 1e-5,
                "h {h} kvh {kvh} d {d} t {t}: max abs diff {worst}"
            );
        }
    }

    #[test]
    fn every_variant_of_the_body_agrees() {
        let (h, kvh, d, t) = (8, 2, 64, 50);
        let q = random(h * d, 4);
        let k = random(t * kvh * d, 5);
        let v = random(t * kvh * d, 6);
        let s = Shape {
            t,
            kvh,
            groups: h / kvh,
            d,
        };
        let run = |kernel: Kernel| {
            let mut out = vec![0f32; h * d];
            let mut scores = vec![0f32; h * t];
            kernel(&s, 0..kvh, &q, &k, &v, 0.125, &mut scores, &mut out);
            out
        };
        let portable = run(group_body::<8, false>);
        let picked = run(pick());
        let worst = portable
            .iter()
            .zip(&picked)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-6, "{worst}");
    }

    #[test]
    fn the_exponential_is_within_two_ulp_of_expf() {
        let mut x = 0f32;
        while x > -90.0 {
            let (got, want) = (exp_nonpositive::<true>(x), x.exp());
            if x >= -87.3 {
                let ulp = got.to_bits().abs_diff(want.to_bits());
                assert!(ulp <= 2, "e^{x}: {got} vs {want} ({ulp} ulp)");
            } else {
                assert!(got < 1.3e-38, "e^{x}: {got}");
            }
            let unfused = exp_nonpositive::<false>(x);
            assert!(
                unfused.to_bits().abs_diff(got.to_bits()) <= 1,
                "e^{x}: {unfused} vs {got}"
            );
            x -= 0.0173;
        }
    }

    #[test]
    fn other_inputs_are_left_to_the_general_path() {
        let q = Tensor::zeros((1, 2, 4, 8), DType::F32, &Device::Cpu).unwrap();
        let k = Tensor::zeros((1, 3, 2, 8), DType::F32, &Device::Cpu).unwrap();
        assert!(!applies(&q, &k, &k), "two query rows");
        let q = Tensor::zeros((1, 1, 3, 8), DType::F32, &Device::Cpu).unwrap();
        assert!(!applies(&q, &k, &k), "3 heads over 2 KV heads");
        let q = Tensor::zeros((1, 1, 4, 8), DType::F16, &Device::Cpu).unwrap();
        assert!(!applies(
            &q,
            &k.to_dtype(DType::F16).unwrap(),
            &k.to_dtype(DType::F16).unwrap()
        ));
    }
}
