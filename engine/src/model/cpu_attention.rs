//! Decode attention on the CPU: one new query row against a sequence's cached keys and values (f32 or
//! f16, position-major `(positions, kv_heads, head_dim)`, read where they lie in the cache; f16 rows
//! are widened by the CPU's conversion instruction as they are read).
//!
//! candle 0.11's flash decode kernel walks the positions once per *query* head with an online
//! softmax: a horizontal dot product, a scalar `expf` and often a rescaling of the whole accumulator
//! per position and head. At 600 cached positions it took as long as all of Qwen3-0.6B's `q8_0`
//! matrix products together. This kernel reads the cache in its memory order, position after
//! position, each thread taking a contiguous range of positions for every head (flash-decoding: the
//! threads' partial softmax sums are merged at the end, so any number of threads works on any number
//! of KV heads, Qwen2.5-Coder-1.5B's two included), and within a position each key and value row
//! once for all the query heads that share it (grouped-query attention):
//!
//! 1. scores: each key row is read once and dotted with every query head of its group;
//! 2. softmax over each head's scores, with an exponential that vectorizes (a degree-6 polynomial
//!    after range reduction, within 2 ulp of `expf`);
//! 3. values: each value row is read once and added, weighted, into every head's output.
//!
//! Walking one KV head's positions instead jumps `kv_heads * head_dim` values (4 KiB of f32 for
//! Qwen3-0.6B) per row, a new page each time, where hardware prefetchers stop: that order ran at a
//! third of the memory bandwidth. The passes are plain Rust written so that LLVM vectorizes them (fixed-width lane
//! arrays), compiled for AVX-512, AVX2 + FMA and the baseline, the widest picked at run time.

use candle_core::utils::barrier_pool;
use candle_core::{CpuStorage, DType, Device, Layout, Result, Storage, Tensor, bail};
use half::f16;
use std::sync::Mutex;

use super::cpu_kernels::{self, Lane};

/// Whether [`decode_attention`] takes `q` `(1, 1, heads, head_dim)` against `k`/`v` `(1, positions,
/// kv_heads, head_dim)`: on the CPU, `q` f32, `k` and `v` contiguous and both f32 or both f16, heads
/// a multiple of KV heads.
pub(crate) fn applies(q: &Tensor, k: &Tensor, v: &Tensor) -> bool {
    let (Ok((1, 1, h, d)), Ok((1, t, kvh, kd))) = (q.dims4(), k.dims4()) else {
        return false;
    };
    q.device().is_cpu()
        && q.dtype() == DType::F32
        && matches!(k.dtype(), DType::F32 | DType::F16)
        && v.dtype() == k.dtype()
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
    let q = q.contiguous()?;
    let (q_storage, q_layout) = q.storage_and_layout();
    let (k_storage, k_layout) = k.storage_and_layout();
    let (v_storage, v_layout) = v.storage_and_layout();
    let Storage::Cpu(CpuStorage::F32(q_data)) = &*q_storage else {
        bail!("decode attention needs an f32 query on the CPU");
    };
    let q_data = contiguous(q_data, q_layout)?;
    match (&*k_storage, &*v_storage) {
        (Storage::Cpu(CpuStorage::F32(k_data)), Storage::Cpu(CpuStorage::F32(v_data))) => run(
            &q,
            k,
            q_data,
            contiguous(k_data, k_layout)?,
            contiguous(v_data, v_layout)?,
            scale,
        ),
        (Storage::Cpu(CpuStorage::F16(k_data)), Storage::Cpu(CpuStorage::F16(v_data))) => run(
            &q,
            k,
            q_data,
            contiguous(k_data, k_layout)?,
            contiguous(v_data, v_layout)?,
            scale,
        ),
        _ => bail!("decode attention needs f32 or f16 keys and values on the CPU"),
    }
}

fn contiguous<'a, T>(data: &'a [T], layout: &Layout) -> Result<&'a [T]> {
    match layout.contiguous_offsets() {
        Some((start, end)) if end <= data.len() => Ok(&data[start..end]),
        _ => bail!("decode attention needs contiguous tensors"),
    }
}

fn run<T: CacheElem>(
    q: &Tensor,
    k: &Tensor,
    q_data: &[f32],
    k_data: &[T],
    v_data: &[T],
    scale: f32,
) -> Result<Tensor> {
    let (_, _, h, d) = q.dims4()?;
    let (_, t, kvh, _) = k.dims4()?;
    let shape = Shape {
        kvh,
        groups: h / kvh,
        d,
    };
    let kernel = T::kernels().first().copied().unwrap_or(portable::<T>());
    // One contiguous range of positions per thread of candle's pool (its workers plus the caller),
    // none shorter than `MIN_CHUNK`.
    let pool = barrier_pool();
    let chunks = (pool.n_workers() + 1).min(t.div_ceil(MIN_CHUNK)).max(1);
    let ranges: Vec<Positions> = (0..chunks)
        .map(|c| c * t / chunks..(c + 1) * t / chunks)
        .collect();
    let partials: Vec<Mutex<Partial>> = ranges
        .iter()
        .map(|r| Mutex::new(Partial::new(&shape, r.len())))
        .collect();
    pool.execute(|tid| {
        let (Some(positions), Some(partial)) = (ranges.get(tid), partials.get(tid)) else {
            return;
        };
        // Each partial is taken by one thread; the lock is never contended.
        if let Ok(mut partial) = partial.lock() {
            kernel(
                &shape,
                positions.clone(),
                q_data,
                k_data,
                v_data,
                scale,
                &mut partial,
            );
        }
    });
    let partials = partials
        .into_iter()
        .map(|p| p.into_inner())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| candle_core::Error::Msg("decode attention: a thread panicked".into()))?;
    Tensor::from_vec(merge(&partials, h, d), (1, 1, h * d), &Device::Cpu)
}

/// Positions per thread below which the work is not split further: splitting costs a merge and a
/// wake-up, and 64 positions are about 10 microseconds of work for Qwen3-0.6B's 16 heads.
const MIN_CHUNK: usize = 64;

type Positions = std::ops::Range<usize>;

/// One chunk of positions' share of every query head (flash-decoding): the softmax statistics of
/// its scores and the value rows summed with weights relative to the chunk's own maximum.
struct Partial {
    /// `[head][position in the chunk]`.
    scores: Vec<f32>,
    /// `[head][d]`: `sum exp(score - max) * v`, not yet divided by `sum`.
    out: Vec<f32>,
    /// Per head: the chunk's highest score and `sum exp(score - max)`.
    max: Vec<f32>,
    sum: Vec<f32>,
}

impl Partial {
    fn new(s: &Shape, positions: usize) -> Self {
        let h = s.kvh * s.groups;
        Partial {
            scores: vec![0.0; h * positions],
            out: vec![0.0; h * s.d],
            max: vec![f32::NEG_INFINITY; h],
            sum: vec![0.0; h],
        }
    }
}

/// The attention output `(heads * d)` from the chunks' partial results: each chunk's share rescaled
/// to the overall maximum, summed, divided by the overall sum.
fn merge(partials: &[Partial], h: usize, d: usize) -> Vec<f32> {
    let mut out = vec![0f32; h * d];
    for (head, out) in out.chunks_exact_mut(d).enumerate() {
        let max = partials
            .iter()
            .fold(f32::NEG_INFINITY, |m, p| m.max(p.max[head]));
        let mut total = 0f32;
        for p in partials {
            let w = (p.max[head] - max).exp();
            total += w * p.sum[head];
            for (o, x) in out.iter_mut().zip(&p.out[head * d..(head + 1) * d]) {
                *o += w * x;
            }
        }
        let inv = 1.0 / total;
        for o in out.iter_mut() {
            *o *= inv;
        }
    }
    out
}

/// An element of the KV cache the kernels read, with the kernels for it, best first.
trait CacheElem: Lane + Send + Sync + 'static {
    /// Every kernel this CPU runs for this element type, best first; the last is portable.
    fn kernels() -> Vec<Kernel<Self>>;
}

/// The kernel for CPUs without AVX2 (and the reference the others are tested against).
fn portable<T: CacheElem>() -> Kernel<T> {
    |s, positions, q, k, v, scale, partial| {
        chunk_body::<T, 8, false>(
            |q, k| cpu_kernels::dot_body::<T, 8, false>(k, q),
            axpy::<T, false>,
            s,
            positions,
            q,
            k,
            v,
            scale,
            partial,
        )
    }
}

impl CacheElem for f32 {
    #[allow(unsafe_code)]
    fn kernels() -> Vec<Kernel<f32>> {
        let mut kernels: Vec<Kernel<f32>> = Vec::new();
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has AVX-512F, checked above.
                kernels.push(|s, ps, q, k, v, scale, partial| unsafe {
                    x86::f32_avx512(s, ps, q, k, v, scale, partial)
                });
            }
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has AVX2 and FMA, checked above.
                kernels.push(|s, ps, q, k, v, scale, partial| unsafe {
                    x86::f32_avx2(s, ps, q, k, v, scale, partial)
                });
            }
        }
        kernels.push(portable::<f32>());
        kernels
    }
}

impl CacheElem for f16 {
    #[allow(unsafe_code)]
    fn kernels() -> Vec<Kernel<f16>> {
        let mut kernels: Vec<Kernel<f16>> = Vec::new();
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has AVX-512F, checked above.
                kernels.push(|s, ps, q, k, v, scale, partial| unsafe {
                    x86::f16_avx512(s, ps, q, k, v, scale, partial)
                });
            }
            if is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("fma")
                && is_x86_feature_detected!("f16c")
            {
                // SAFETY: the CPU has AVX2, FMA and F16C, checked above.
                kernels.push(|s, ps, q, k, v, scale, partial| unsafe {
                    x86::f16_avx2(s, ps, q, k, v, scale, partial)
                });
            }
        }
        kernels.push(portable::<f16>());
        kernels
    }
}

/// The sizes a kernel needs: KV heads, query heads per KV head, head dimension.
struct Shape {
    kvh: usize,
    groups: usize,
    d: usize,
}

/// Every query head's share of the cached `positions` into a [`Partial`] sized for them.
type Kernel<T> = fn(&Shape, Positions, &[f32], &[T], &[T], f32, &mut Partial);

/// The kernel's one body (see the module docs), inlined into each variant. `dot(q, k)` is a query
/// row times a key row, `axpy(out, w, v)` adds `w` times a value row to `out`; `FMA` whether
/// `mul_add` is an instruction.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn chunk_body<T: CacheElem, const L: usize, const FMA: bool>(
    dot: impl Fn(&[f32], &[T]) -> f32,
    axpy: impl Fn(&mut [f32], f32, &[T]),
    s: &Shape,
    positions: Positions,
    q: &[f32],
    k: &[T],
    v: &[T],
    scale: f32,
    partial: &mut Partial,
) {
    let Shape { kvh, groups, d } = *s;
    let (h, len) = (kvh * groups, positions.len());
    let Partial {
        scores,
        out,
        max,
        sum: sums,
    } = partial;
    let scores = &mut scores[..h * len];
    // Every KV head of a position: one contiguous row of the cache.
    let row = |p: usize| p * kvh * d..(p + 1) * kvh * d;
    // 1. Scores, each key row read once for its group of query heads.
    for (i, p) in positions.clone().enumerate() {
        for (kv, k_row) in k[row(p)].chunks_exact(d).enumerate() {
            for g in kv * groups..(kv + 1) * groups {
                scores[g * len + i] = dot(&q[g * d..][..d], k_row) * scale;
            }
        }
    }
    // 2. Softmax statistics per query head; the weights stay relative to the chunk's maximum.
    for ((head_scores, max), sum_out) in scores.chunks_exact_mut(len).zip(max).zip(sums) {
        let m = head_scores.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
        for x in head_scores.iter_mut() {
            *x = exp_nonpositive::<FMA>(*x - m);
        }
        (*max, *sum_out) = (m, sum::<L>(head_scores));
    }
    // 3. Values, each row read once and added into its group's outputs.
    out.fill(0.0);
    for (i, p) in positions.enumerate() {
        for (kv, v_row) in v[row(p)].chunks_exact(d).enumerate() {
            for g in kv * groups..(kv + 1) * groups {
                axpy(&mut out[g * d..][..d], scores[g * len + i], v_row);
            }
        }
    }
}

/// `out += w * v`, widening `v`; LLVM vectorizes it for the caller's target features.
#[inline(always)]
fn axpy<T: CacheElem, const FMA: bool>(out: &mut [f32], w: f32, v: &[T]) {
    for (o, x) in out.iter_mut().zip(v) {
        let x = x.widen();
        *o = if FMA { w.mul_add(x, *o) } else { *o + w * x };
    }
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    //! The variants: the body compiled for AVX-512 or AVX2, with dot products summed across lanes by
    //! shuffles (a plain sum of lanes is a chain of dependent scalar additions, which cost these
    //! 128-value products more than their multiplications) and f16 rows widened by `vcvtph2ps` as
    //! they are loaded.

    use std::arch::x86_64::*;

    use half::f16;

    use super::{CacheElem, Lane, Partial, Positions, Shape, axpy, chunk_body};

    macro_rules! variant {
        ($name:ident, $t:ty, $features:literal, $lanes:literal, $dot:ident, $axpy:expr) => {
            #[target_feature(enable = $features)]
            #[allow(clippy::too_many_arguments)]
            pub(super) fn $name(
                s: &Shape,
                positions: Positions,
                q: &[f32],
                k: &[$t],
                v: &[$t],
                scale: f32,
                partial: &mut Partial,
            ) {
                chunk_body::<$t, $lanes, true>(
                    |a, b| $dot(a, b),
                    $axpy,
                    s,
                    positions,
                    q,
                    k,
                    v,
                    scale,
                    partial,
                )
            }
        };
    }

    variant!(
        f32_avx512,
        f32,
        "avx512f,avx2,fma",
        16,
        dot_f32_avx512,
        |o, w, x| { axpy::<f32, true>(o, w, x) }
    );
    variant!(
        f16_avx512,
        f16,
        "avx512f,avx2,fma,f16c",
        16,
        dot_f16_avx512,
        |o, w, x| { axpy_f16_avx512(o, w, x) }
    );
    variant!(f32_avx2, f32, "avx2,fma", 8, dot_f32_avx2, |o, w, x| {
        axpy::<f32, true>(o, w, x)
    });
    variant!(
        f16_avx2,
        f16,
        "avx2,fma,f16c",
        8,
        dot_f16_avx2,
        |o, w, x| { axpy_f16_avx2(o, w, x) }
    );

    /// Loads 16 values from `p` as f32.
    trait Load512: CacheElem {
        /// # Safety
        /// 16 values from `p` are readable; the CPU has AVX-512F.
        unsafe fn load16(p: *const Self) -> __m512;
    }

    impl Load512 for f32 {
        #[inline(always)]
        unsafe fn load16(p: *const f32) -> __m512 {
            // SAFETY: by the caller.
            unsafe { _mm512_loadu_ps(p) }
        }
    }

    impl Load512 for f16 {
        #[inline(always)]
        unsafe fn load16(p: *const f16) -> __m512 {
            // SAFETY: by the caller.
            unsafe { _mm512_cvtph_ps(_mm256_loadu_si256(p.cast::<__m256i>())) }
        }
    }

    /// Loads 8 values from `p` as f32.
    trait Load256: CacheElem {
        /// # Safety
        /// 8 values from `p` are readable; the CPU has AVX2 and F16C.
        unsafe fn load8(p: *const Self) -> __m256;
    }

    impl Load256 for f32 {
        #[inline(always)]
        unsafe fn load8(p: *const f32) -> __m256 {
            // SAFETY: by the caller.
            unsafe { _mm256_loadu_ps(p) }
        }
    }

    impl Load256 for f16 {
        #[inline(always)]
        unsafe fn load8(p: *const f16) -> __m256 {
            // SAFETY: by the caller.
            unsafe { _mm256_cvtph_ps(_mm_loadu_si128(p.cast::<__m128i>())) }
        }
    }

    /// `q . k` in two 512-bit accumulators.
    #[inline(always)]
    fn dot512<T: Load512>(q: &[f32], k: &[T]) -> f32 {
        let n = q.len().min(k.len());
        // SAFETY (the block): the variants calling this are compiled for AVX-512F; every load
        // reads 16 values at `c * 32 (+ 16) + 16 <= n` of both slices.
        unsafe {
            let (mut acc0, mut acc1) = (_mm512_setzero_ps(), _mm512_setzero_ps());
            for c in 0..n / 32 {
                let (qp, kp) = (q.as_ptr().add(c * 32), k.as_ptr().add(c * 32));
                acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(qp), T::load16(kp), acc0);
                acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(qp.add(16)), T::load16(kp.add(16)), acc1);
            }
            let tail: f32 = (n / 32 * 32..n).map(|i| q[i] * k[i].widen()).sum();
            _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) + tail
        }
    }

    /// `q . k` in two 256-bit accumulators.
    #[inline(always)]
    fn dot256<T: Load256>(q: &[f32], k: &[T]) -> f32 {
        let n = q.len().min(k.len());
        // SAFETY (the block): the variants calling this are compiled for AVX2, FMA and F16C;
        // every load reads 8 values at `c * 16 (+ 8) + 8 <= n` of both slices.
        unsafe {
            let (mut acc0, mut acc1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
            for c in 0..n / 16 {
                let (qp, kp) = (q.as_ptr().add(c * 16), k.as_ptr().add(c * 16));
                acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(qp), T::load8(kp), acc0);
                acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(qp.add(8)), T::load8(kp.add(8)), acc1);
            }
            let tail: f32 = (n / 16 * 16..n).map(|i| q[i] * k[i].widen()).sum();
            let acc = _mm256_add_ps(acc0, acc1);
            let quad = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps::<1>(acc));
            let pair = _mm_add_ps(quad, _mm_movehl_ps(quad, quad));
            let one = _mm_add_ss(pair, _mm_shuffle_ps::<1>(pair, pair));
            _mm_cvtss_f32(one) + tail
        }
    }

    #[inline(always)]
    fn dot_f32_avx512(q: &[f32], k: &[f32]) -> f32 {
        dot512(q, k)
    }

    #[inline(always)]
    fn dot_f16_avx512(q: &[f32], k: &[f16]) -> f32 {
        dot512(q, k)
    }

    #[inline(always)]
    fn dot_f32_avx2(q: &[f32], k: &[f32]) -> f32 {
        dot256(q, k)
    }

    #[inline(always)]
    fn dot_f16_avx2(q: &[f32], k: &[f16]) -> f32 {
        dot256(q, k)
    }

    /// `out += w * v` for f16 `v`, 16 values per step.
    #[inline(always)]
    fn axpy_f16_avx512(out: &mut [f32], w: f32, v: &[f16]) {
        let n = out.len().min(v.len());
        // SAFETY (the block): compiled for AVX-512F by the calling variant; `c * 16 + 16 <= n`.
        unsafe {
            let wv = _mm512_set1_ps(w);
            for c in 0..n / 16 {
                let o = out.as_mut_ptr().add(c * 16);
                let x = f16::load16(v.as_ptr().add(c * 16));
                _mm512_storeu_ps(o, _mm512_fmadd_ps(wv, x, _mm512_loadu_ps(o)));
            }
        }
        for i in n / 16 * 16..n {
            out[i] = w.mul_add(v[i].widen(), out[i]);
        }
    }

    /// `out += w * v` for f16 `v`, 8 values per step.
    #[inline(always)]
    fn axpy_f16_avx2(out: &mut [f32], w: f32, v: &[f16]) {
        let n = out.len().min(v.len());
        // SAFETY (the block): compiled for AVX2, FMA and F16C by the calling variant;
        // `c * 8 + 8 <= n`.
        unsafe {
            let wv = _mm256_set1_ps(w);
            for c in 0..n / 8 {
                let o = out.as_mut_ptr().add(c * 8);
                let x = f16::load8(v.as_ptr().add(c * 8));
                _mm256_storeu_ps(o, _mm256_fmadd_ps(wv, x, _mm256_loadu_ps(o)));
            }
        }
        for i in n / 8 * 8..n {
            out[i] = w.mul_add(v[i].widen(), out[i]);
        }
    }
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

/// Prefill's softmax on the CPU: `scores` `(.., groups * l, total)` (f32, contiguous, fresh from
/// the product of `l` queries with every cached key) scaled by `scale`, masked causally and
/// normalized per row, in place. Row `r` is query `r % l`, at position `total - l + r % l`, which sees
/// positions `..=total - l + r % l`; the others become 0.
///
/// It replaces three passes over the scores, each allocating a tensor of their size (16 MiB per layer
/// at 512 queries over 512 positions): the scaling, the additive mask and candle's softmax, with its
/// scalar `expf`. Those took longer than the prefill's matrix products.
pub(crate) fn causal_softmax_in_place(scores: &Tensor, l: usize, scale: f32) -> Result<()> {
    scores.inplace_op1(&CausalSoftmax { l, scale })
}

struct CausalSoftmax {
    l: usize,
    scale: f32,
}

/// Rows per parallel task.
const SOFTMAX_ROWS_PER_TASK: usize = 32;

impl candle_core::InplaceOp1 for CausalSoftmax {
    fn name(&self) -> &'static str {
        "causal-softmax"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> Result<()> {
        let CpuStorage::F32(data) = storage else {
            bail!("causal softmax needs f32 scores");
        };
        let (Some(&total), Some((start, end))) =
            (layout.dims().last(), layout.contiguous_offsets())
        else {
            bail!("causal softmax needs contiguous scores");
        };
        if total < self.l || self.l == 0 || end > data.len() {
            bail!("causal softmax: {} queries over {total} positions", self.l);
        }
        let (l, offset, scale) = (self.l, total - self.l, self.scale);
        let body = pick_softmax();
        let tasks: Vec<Mutex<&mut [f32]>> = data[start..end]
            .chunks_mut(SOFTMAX_ROWS_PER_TASK * total)
            .map(Mutex::new)
            .collect();
        barrier_pool().execute_chunked(tasks.len(), |range| {
            for task in range {
                // Each task is taken once; the lock is never contended.
                if let Ok(mut rows) = tasks[task].lock() {
                    let first = task * SOFTMAX_ROWS_PER_TASK;
                    body(&mut rows, total, first, l, offset, scale);
                }
            }
        });
        Ok(())
    }
}

/// Softmax of the rows of `rows` (`total` values each; the first is row `first` overall).
type SoftmaxRows = fn(&mut [f32], usize, usize, usize, usize, f32);

#[allow(unsafe_code)]
fn pick_softmax() -> SoftmaxRows {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked above.
            return |rows, total, first, l, offset, scale| unsafe {
                softmax_avx512(rows, total, first, l, offset, scale)
            };
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA, checked above.
            return |rows, total, first, l, offset, scale| unsafe {
                softmax_avx2(rows, total, first, l, offset, scale)
            };
        }
    }
    softmax_body::<8, false>
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn softmax_avx512(
    rows: &mut [f32],
    total: usize,
    first: usize,
    l: usize,
    offset: usize,
    scale: f32,
) {
    softmax_body::<16, true>(rows, total, first, l, offset, scale)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn softmax_avx2(rows: &mut [f32], total: usize, first: usize, l: usize, offset: usize, scale: f32) {
    softmax_body::<8, true>(rows, total, first, l, offset, scale)
}

#[inline(always)]
fn softmax_body<const L: usize, const FMA: bool>(
    rows: &mut [f32],
    total: usize,
    first: usize,
    l: usize,
    offset: usize,
    scale: f32,
) {
    for (r, row) in rows.chunks_exact_mut(total).enumerate() {
        let visible = (offset + (first + r) % l + 1).min(total);
        let (live, dead) = row.split_at_mut(visible);
        let max = live.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x)) * scale;
        for x in live.iter_mut() {
            let shifted = if FMA {
                x.mul_add(scale, -max)
            } else {
                *x * scale - max
            };
            *x = exp_nonpositive::<FMA>(shifted);
        }
        let inv = 1.0 / sum::<L>(live);
        for x in live.iter_mut() {
            *x *= inv;
        }
        dead.fill(0.0);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    use crate::model::testing::uniform as random;

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
    fn matches_f64_attention_for_group_sizes_lengths_and_cache_types() {
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
            let qt = Tensor::from_vec(q.clone(), (1, 1, h, d), &Device::Cpu).unwrap();
            let kt = Tensor::from_vec(k, (1, t, kvh, d), &Device::Cpu).unwrap();
            let vt = Tensor::from_vec(v, (1, t, kvh, d), &Device::Cpu).unwrap();
            for dtype in [DType::F32, DType::F16] {
                // The reference sees the values the cache holds (rounded to f16 for an f16 cache).
                let (kt, vt) = (kt.to_dtype(dtype).unwrap(), vt.to_dtype(dtype).unwrap());
                let values = |x: &Tensor| {
                    let x = x.to_dtype(DType::F32).unwrap();
                    x.flatten_all().unwrap().to_vec1::<f32>().unwrap()
                };
                let want = reference(&q, &values(&kt), &values(&vt), h, kvh, d, scale);
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
                    "{dtype:?} h {h} kvh {kvh} d {d} t {t}: max abs diff {worst}"
                );
            }
        }
    }

    /// `kernel` over `chunks` equal ranges of the `t` positions, merged.
    fn attend<T: CacheElem>(
        kernel: Kernel<T>,
        s: &Shape,
        chunks: usize,
        q: &[f32],
        k: &[T],
        v: &[T],
    ) -> Vec<f32> {
        let t = k.len() / (s.kvh * s.d);
        let partials: Vec<Partial> = (0..chunks)
            .map(|c| {
                let positions = c * t / chunks..(c + 1) * t / chunks;
                let mut partial = Partial::new(s, positions.len());
                kernel(s, positions, q, k, v, 0.125, &mut partial);
                partial
            })
            .collect();
        merge(&partials, s.kvh * s.groups, s.d)
    }

    fn max_diff(a: &[f32], b: &[f32]) -> f32 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0f32, f32::max)
    }

    #[test]
    fn every_variant_agrees_with_the_portable_one() {
        let (h, kvh, d, t) = (8, 2, 72, 50);
        let q = random(h * d, 4);
        let k = random(t * kvh * d, 5);
        let v = random(t * kvh * d, 6);
        let s = Shape {
            kvh,
            groups: h / kvh,
            d,
        };
        fn check<T: CacheElem>(s: &Shape, q: &[f32], k: &[T], v: &[T]) {
            let kernels = T::kernels();
            let want = attend(portable::<T>(), s, 1, q, k, v);
            for (i, kernel) in kernels.iter().enumerate() {
                let worst = max_diff(&attend(*kernel, s, 1, q, k, v), &want);
                assert!(worst < 1e-6, "variant {i} of {}: {worst}", kernels.len());
            }
        }
        check::<f32>(&s, &q, &k, &v);
        let half = |x: &[f32]| x.iter().map(|&x| f16::from_f32(x)).collect::<Vec<_>>();
        check::<f16>(&s, &q, &half(&k), &half(&v));
    }

    /// Splitting the positions among threads changes only the order of summation.
    #[test]
    fn chunks_merge_into_the_single_pass_result() {
        let (h, kvh, d, t) = (12, 2, 64, 301);
        let q = random(h * d, 7);
        let k: Vec<f32> = random(t * kvh * d, 8).iter().map(|x| x * 4.0).collect();
        let v = random(t * kvh * d, 9);
        let s = Shape {
            kvh,
            groups: h / kvh,
            d,
        };
        let kernel = f32::kernels()[0];
        let whole = attend(kernel, &s, 1, &q, &k, &v);
        for chunks in [2, 3, 7, 301] {
            let worst = max_diff(&attend(kernel, &s, chunks, &q, &k, &v), &whole);
            assert!(worst < 1e-6, "{chunks} chunks: {worst}");
        }
    }

    #[test]
    fn causal_softmax_matches_scale_mask_and_softmax() {
        // 2 KV heads x (3 query heads x 5 queries) rows over 9 positions (4 cached before them).
        let (l, total, rows) = (5, 9, 2 * 3 * 5);
        let values: Vec<f32> = random(rows * total, 11).iter().map(|x| x * 8.0).collect();
        let scale = 0.3f32;
        let scores = Tensor::from_vec(values.clone(), (1, 2, 3 * l, total), &Device::Cpu).unwrap();
        causal_softmax_in_place(&scores, l, scale).unwrap();
        let got = scores.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        for r in 0..rows {
            let visible = total - l + r % l + 1;
            let row = &values[r * total..(r + 1) * total];
            let max = row[..visible]
                .iter()
                .fold(f64::NEG_INFINITY, |m, &x| m.max(f64::from(x)));
            let exps: Vec<f64> = row[..visible]
                .iter()
                .map(|&x| ((f64::from(x) - max) * f64::from(scale)).exp())
                .collect();
            let sum: f64 = exps.iter().sum();
            for p in 0..total {
                let want = if p < visible { exps[p] / sum } else { 0.0 };
                let diff = (f64::from(got[r * total + p]) - want).abs();
                assert!(
                    diff < 1e-6,
                    "row {r} position {p}: {} vs {want}",
                    got[r * total + p]
                );
            }
        }
        let portable = {
            let mut rows_data = values.clone();
            softmax_body::<8, false>(&mut rows_data, total, 0, l, total - l, scale);
            rows_data
        };
        let worst = got
            .iter()
            .zip(&portable)
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
        let q16 = Tensor::zeros((1, 1, 4, 8), DType::F16, &Device::Cpu).unwrap();
        let k16 = k.to_dtype(DType::F16).unwrap();
        assert!(!applies(&q16, &k16, &k16), "an f16 query");
        let q = Tensor::zeros((1, 1, 4, 8), DType::F32, &Device::Cpu).unwrap();
        assert!(applies(&q, &k16, &k16));
        assert!(!applies(&q, &k, &k16), "keys and values of different types");
        let kb = k.to_dtype(DType::BF16).unwrap();
        assert!(!applies(&q, &kb, &kb), "a bf16 cache");
    }
}
