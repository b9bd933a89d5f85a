//! Attention on the CPU. Decode attention: one new query row against a sequence's cached keys and
//! values (f32, f16 or int8, position-major `(positions, kv_heads, head_dim)`, read where they lie
//! in the cache). Prefill ([`causal_prefill`]): candle's matrix products over blocks of queries,
//! with a causal softmax of our own in between.
//!
//! Decode reads the cache in its memory order: each thread takes a contiguous range of positions
//! for every head (flash-decoding: the threads' partial softmax sums are merged at the end, so any
//! thread count works with any number of KV heads), and each key and value row is read once for all
//! the query heads that share it (grouped-query attention). Two passes, scores then values, four
//! positions and a pair of query heads at a time, with software prefetching; the softmax's
//! exponential is a polynomial that vectorizes. The body is written once over the `Simd` trait:
//! `Portable` is the reference, the `x86` register types give it intrinsics (`avx512`, `avx2`), and
//! `vnni` scores an int8 cache with `vpdpbusd`. Against an int8 cache the query is rounded to int8
//! per head as the cache's rows are, so a score is an exact integer dot product times two scales in
//! every variant.
//!
//! Why this shape, and what the alternatives measured: benches/RESULTS.md, "Kernel notes".

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
#[cfg(target_arch = "x86_64")]
mod vnni;
#[cfg(target_arch = "x86_64")]
mod x86;

use candle_core::utils::barrier_pool;
use candle_core::{CpuStorage, DType, Device, Layout, Result, Storage, Tensor, bail};
use half::f16;
use std::sync::Mutex;

use crate::kernels::Isa;
use crate::kernels::float16::{self, Lane};
use crate::kernels::int8;

/// What a layer's attention reads: views of the first positions of the cache's buffers, keys and
/// values `(batch, positions, kv_heads, head_dim)` in the cache's type (int8 as `U8` bytes holding
/// `i8` bits), with their scales `(batch, positions, kv_heads)` f32 for an int8 cache. Made by
/// `kv_cache::KvCache::append`.
#[derive(Clone, Debug)]
pub struct KvView {
    pub k: Tensor,
    pub v: Tensor,
    pub scales: Option<(Tensor, Tensor)>,
}

/// Whether [`decode_attention`] takes `q` `(1, 1, heads, head_dim)` against the cached keys and
/// values `(1, positions, kv_heads, head_dim)`: on the CPU, `q` f32, keys and values contiguous and
/// both f32, both f16 or both int8 with their scales, heads a multiple of KV heads.
pub fn applies(q: &Tensor, kv: &KvView) -> bool {
    let (k, v) = (&kv.k, &kv.v);
    let (Ok((1, 1, h, d)), Ok((1, t, kvh, kd))) = (q.dims4(), k.dims4()) else {
        return false;
    };
    let cache_type = match (&kv.scales, k.dtype()) {
        (None, DType::F32 | DType::F16) => true,
        (Some((ks, vs)), DType::U8) => {
            ks.dims() == [1, t, kvh]
                && vs.dims() == ks.dims()
                && ks.dtype() == DType::F32
                && vs.dtype() == DType::F32
                && ks.is_contiguous()
                && vs.is_contiguous()
        }
        _ => false,
    };
    q.device().is_cpu()
        && q.dtype() == DType::F32
        && cache_type
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
pub fn decode_attention(q: &Tensor, kv: &KvView, scale: f32) -> Result<Tensor> {
    let q = q.contiguous()?;
    let (q_storage, q_layout) = q.storage_and_layout();
    let (k_storage, k_layout) = kv.k.storage_and_layout();
    let (v_storage, v_layout) = kv.v.storage_and_layout();
    let Storage::Cpu(CpuStorage::F32(q_data)) = &*q_storage else {
        bail!("decode attention needs an f32 query on the CPU");
    };
    let q_data = contiguous(q_data, q_layout)?;
    match (&*k_storage, &*v_storage, &kv.scales) {
        (Storage::Cpu(CpuStorage::F32(k)), Storage::Cpu(CpuStorage::F32(v)), None) => {
            let (k, v) = (contiguous(k, k_layout)?, contiguous(v, v_layout)?);
            run(&q, &kv.k, q_data, &Cache::unscaled(k, v), scale)
        }
        (Storage::Cpu(CpuStorage::F16(k)), Storage::Cpu(CpuStorage::F16(v)), None) => {
            let (k, v) = (contiguous(k, k_layout)?, contiguous(v, v_layout)?);
            run(&q, &kv.k, q_data, &Cache::unscaled(k, v), scale)
        }
        (Storage::Cpu(CpuStorage::U8(k)), Storage::Cpu(CpuStorage::U8(v)), Some((ks, vs))) => {
            let (ks_storage, ks_layout) = ks.storage_and_layout();
            let (vs_storage, vs_layout) = vs.storage_and_layout();
            let (Storage::Cpu(CpuStorage::F32(ks)), Storage::Cpu(CpuStorage::F32(vs))) =
                (&*ks_storage, &*vs_storage)
            else {
                bail!("decode attention needs f32 scales for an int8 cache");
            };
            let cache = Cache {
                k: bytemuck::cast_slice::<u8, i8>(contiguous(k, k_layout)?),
                v: bytemuck::cast_slice::<u8, i8>(contiguous(v, v_layout)?),
                k_scale: contiguous(ks, ks_layout)?,
                v_scale: contiguous(vs, vs_layout)?,
            };
            run(&q, &kv.k, q_data, &cache, scale)
        }
        _ => bail!("decode attention needs f32, f16 or int8 keys and values on the CPU"),
    }
}

fn contiguous<'a, T>(data: &'a [T], layout: &Layout) -> Result<&'a [T]> {
    match layout.contiguous_offsets() {
        Some((start, end)) if end <= data.len() => Ok(&data[start..end]),
        _ => bail!("decode attention needs contiguous tensors"),
    }
}

/// A sequence's cached keys and values as the kernels read them, position-major `(positions,
/// kv_heads, head_dim)`, with one scale per position and KV head for int8 rows (empty otherwise).
struct Cache<'a, T> {
    k: &'a [T],
    v: &'a [T],
    k_scale: &'a [f32],
    v_scale: &'a [f32],
}

impl<'a, T> Cache<'a, T> {
    fn unscaled(k: &'a [T], v: &'a [T]) -> Self {
        Cache {
            k,
            v,
            k_scale: &[],
            v_scale: &[],
        }
    }
}

/// The query row as the kernels read it: `[head][d]` values and, for an int8 cache, each head
/// quantized as the cache's rows are ([`int8::quantize_rows_into`]): `values` then holds the int8
/// values (as f32), `bytes` the same plus 128 (unsigned, for `vpdpbusd`), `scales` one per head.
/// A score is then an exact integer dot product times the query's and the key's scales, whichever
/// kernel computes it.
struct Query<'a> {
    values: &'a [f32],
    bytes: &'a [u8],
    scales: &'a [f32],
}

/// What an int8 cache's [`Query`] holds; empty for the other caches.
struct QuantizedQuery {
    values: Vec<f32>,
    bytes: Vec<u8>,
    scales: Vec<f32>,
}

impl QuantizedQuery {
    fn new<T: CacheElem>(q: &[f32], d: usize) -> Self {
        if !T::SCALED || d == 0 {
            return QuantizedQuery {
                values: Vec::new(),
                bytes: Vec::new(),
                scales: Vec::new(),
            };
        }
        let mut bytes = vec![0u8; q.len()];
        let mut scales = vec![0f32; q.len() / d];
        int8::quantize_rows_into(q, d, &mut bytes, &mut scales);
        QuantizedQuery {
            values: bytes.iter().map(|&b| f32::from(b as i8)).collect(),
            // Plus 128: the sign bit flipped.
            bytes: bytes.iter().map(|&b| b ^ 0x80).collect(),
            scales,
        }
    }

    /// The query `q` as the kernels for `T` read it.
    fn query<'a, T: CacheElem>(&'a self, q: &'a [f32]) -> Query<'a> {
        Query {
            values: if T::SCALED { &self.values } else { q },
            bytes: &self.bytes,
            scales: &self.scales,
        }
    }
}

fn run<T: CacheElem>(
    q: &Tensor,
    k: &Tensor,
    q_data: &[f32],
    cache: &Cache<T>,
    scale: f32,
) -> Result<Tensor> {
    let (_, _, h, d) = q.dims4()?;
    let (_, t, kvh, _) = k.dims4()?;
    let shape = Shape {
        kvh,
        groups: h / kvh,
        d,
    };
    if T::SCALED && (cache.k_scale.len() != t * kvh || cache.v_scale.len() != t * kvh) {
        bail!("decode attention: {t} positions of {kvh} KV heads with other counts of scales");
    }
    let quantized = QuantizedQuery::new::<T>(q_data, d);
    let query = quantized.query::<T>(q_data);
    let kernel = T::kernel(Isa::detected());
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
                &query,
                cache,
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

/// An element of the KV cache the kernels read, with its kernel for each instruction set.
trait CacheElem: Lane + Send + Sync + 'static {
    /// Whether each row has a scale ([`Cache::k_scale`], [`Cache::v_scale`]): int8 rows.
    const SCALED: bool = false;
    /// The variant for `isa` (a CPU that runs it).
    fn kernel(isa: Isa) -> Kernel<Self>;
}

/// The kernel for CPUs without AVX2 (and the reference the others are tested against).
fn portable<T: CacheElem>() -> Kernel<T> {
    |s, positions, q, cache, scale, partial| {
        chunk_body::<T, Portable, 8, false>(s, positions, q, cache, scale, partial)
    }
}

/// The two products of the kernel's body, for `G` query heads of one group and `P` consecutive
/// positions at once: each key and value row is widened once for all `G` heads, each query and
/// output row loaded once for all `P` positions, and the `G * P` dot products summed across lanes
/// together.
trait Simd<T: CacheElem> {
    /// `[g][p]`: query head `first + g` of `q` (heads of `k[0].len()` values) times key row `k[p]`
    /// (for an int8 cache: the query's int8 values, before the scales).
    fn dots<const G: usize, const P: usize>(q: &Query, first: usize, k: [&[T]; P])
    -> [[f32; P]; G];
    /// Output row `g` of `out` (`G` rows) `+= sum over p of w[g][p] * v[p]`, in order of `p`.
    fn axpys<const G: usize, const P: usize>(out: &mut [f32], w: &[[f32; P]; G], v: [&[T]; P]);
    /// Asks for `rows` to be brought into the cache (the hardware prefetchers lose track of a
    /// block's four interleaved rows); a hint, nothing where there is no such instruction.
    #[inline(always)]
    fn prefetch(_rows: &[T]) {}
}

/// [`Simd`] in plain Rust, for CPUs without AVX2.
struct Portable;

impl<T: CacheElem> Simd<T> for Portable {
    #[inline(always)]
    fn dots<const G: usize, const P: usize>(
        q: &Query,
        first: usize,
        k: [&[T]; P],
    ) -> [[f32; P]; G] {
        let d = k[0].len();
        let q = &q.values[first * d..][..G * d];
        std::array::from_fn(|g| {
            std::array::from_fn(|p| float16::dot_body::<T, 8, false>(k[p], &q[g * d..][..d]))
        })
    }

    #[inline(always)]
    fn axpys<const G: usize, const P: usize>(out: &mut [f32], w: &[[f32; P]; G], v: [&[T]; P]) {
        let d = v[0].len();
        for (out, w) in out.chunks_exact_mut(d).zip(w) {
            for (&w, v) in w.iter().zip(v) {
                axpy::<T, false>(out, w, v);
            }
        }
    }
}

/// The variant for `isa` (a CPU that runs it) with [`Simd`] in its registers.
#[cfg(target_arch = "x86_64")]
fn wide_kernel<T>(isa: Isa) -> Kernel<T>
where
    T: CacheElem
        + crate::kernels::simd::Widen<std::arch::x86_64::__m512>
        + crate::kernels::simd::Widen<std::arch::x86_64::__m256>,
{
    match isa {
        // SAFETY (both arms): the CPU has the level's features, which include the variant's.
        Isa::Avx512Vnni | Isa::Avx512 => {
            |s, ps, q, c, scale, p| unsafe { avx512::decode(s, ps, q, c, scale, p) }
        }
        Isa::Avx2 => |s, ps, q, c, scale, p| unsafe { avx2::decode(s, ps, q, c, scale, p) },
        Isa::Portable => portable::<T>(),
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn wide_kernel<T: CacheElem>(_: Isa) -> Kernel<T> {
    portable::<T>()
}

impl CacheElem for f32 {
    fn kernel(isa: Isa) -> Kernel<f32> {
        wide_kernel(isa)
    }
}

impl CacheElem for f16 {
    fn kernel(isa: Isa) -> Kernel<f16> {
        wide_kernel(isa)
    }
}

impl CacheElem for i8 {
    const SCALED: bool = true;

    fn kernel(isa: Isa) -> Kernel<i8> {
        match isa {
            // SAFETY: the CPU has the level's features, which include the variant's.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512Vnni => {
                |s, ps, q, c, scale, p| unsafe { vnni::decode(s, ps, q, c, scale, p) }
            }
            _ => wide_kernel(isa),
        }
    }
}

/// The sizes a kernel needs: KV heads, query heads per KV head, head dimension.
struct Shape {
    kvh: usize,
    groups: usize,
    d: usize,
}

/// Every query head's share of the cached `positions` into a [`Partial`] sized for them.
type Kernel<T> = fn(&Shape, Positions, &Query, &Cache<T>, f32, &mut Partial);

/// Positions taken together by [`Simd`]'s products (the rest of a chunk goes one at a time): four
/// keep `2 * 4` accumulators, four widened rows and the query or output chunk in registers, even
/// in AVX2's sixteen.
const BLOCK: usize = 4;

/// The kernel's one body (see the module docs), inlined into each variant with its [`Simd`]
/// products. `L` is the lane count of the sums, `FMA` whether `mul_add` is an instruction. The
/// head dimension of every Qwen3 and Qwen2.5 model, 128, gets a copy of its own in which every
/// product's length is a constant: short loops over runtime lengths and their tails had cost as
/// much as the arithmetic.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn chunk_body<T: CacheElem, S: Simd<T>, const L: usize, const FMA: bool>(
    s: &Shape,
    positions: Positions,
    q: &Query,
    cache: &Cache<T>,
    scale: f32,
    partial: &mut Partial,
) {
    if s.d == 128 {
        chunk_body_d::<T, S, L, FMA, 128>(s, positions, q, cache, scale, partial)
    } else {
        chunk_body_d::<T, S, L, FMA, 0>(s, positions, q, cache, scale, partial)
    }
}

/// The head dimension: `D`, or the shape's where `D` is 0.
#[inline(always)]
fn dim<const D: usize>(s: &Shape) -> usize {
    if D == 0 { s.d } else { D }
}

/// [`chunk_body`] for a head dimension [`dim`]`::<D>`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn chunk_body_d<T: CacheElem, S: Simd<T>, const L: usize, const FMA: bool, const D: usize>(
    s: &Shape,
    positions: Positions,
    q: &Query,
    cache: &Cache<T>,
    scale: f32,
    partial: &mut Partial,
) {
    let (h, len) = (s.kvh * s.groups, positions.len());
    let Partial {
        scores,
        out,
        max,
        sum: sums,
    } = partial;
    let scores = &mut scores[..h * len];
    let split = len / BLOCK * BLOCK;
    // 1. Scores, each key row read once for its group of query heads.
    for i in (0..split).step_by(BLOCK) {
        scores_block::<T, S, BLOCK, D>(s, positions.start, i, q, cache, scale, scores);
    }
    for i in split..len {
        scores_block::<T, S, 1, D>(s, positions.start, i, q, cache, scale, scores);
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
    for i in (0..split).step_by(BLOCK) {
        values_block::<T, S, BLOCK, D>(s, positions.start, i, scores, cache, out);
    }
    for i in split..len {
        values_block::<T, S, 1, D>(s, positions.start, i, scores, cache, out);
    }
}

/// Row `kv` of positions `first + i ..+ P` of the cache `rows` (position-major).
#[inline(always)]
fn rows<'a, T, const P: usize, const D: usize>(
    s: &Shape,
    rows: &'a [T],
    first: usize,
    i: usize,
    kv: usize,
) -> [&'a [T]; P] {
    // Loops rather than `std::array::from_fn`, whose closures are not inlined into the
    // `target_feature` variants (an out-of-line call and a `vzeroupper` per block).
    let d = dim::<D>(s);
    let mut out: [&[T]; P] = [&[]; P];
    for (j, out) in out.iter_mut().enumerate() {
        *out = &rows[((first + i + j) * s.kvh + kv) * d..][..d];
    }
    out
}

/// How far ahead of the rows being read [`Simd::prefetch`] asks for the cache's rows: 16 KiB, eight
/// positions of an f16 cache of Qwen3-0.6B. Measured there: without prefetching the kernel read the
/// cache at 20-23 GB/s, with it at 39-43 (4, 12 and 32 positions ahead were slower than 8).
const PREFETCH_BYTES: usize = 16 << 10;

/// Prefetches row `kv` of the `P` positions [`PREFETCH_BYTES`] after `position`, those that exist.
#[inline(always)]
fn prefetch_ahead<T: CacheElem, S: Simd<T>, const P: usize, const D: usize>(
    s: &Shape,
    cache: &[T],
    position: usize,
    kv: usize,
) {
    let d = dim::<D>(s);
    let ahead = (PREFETCH_BYTES / (s.kvh * d * std::mem::size_of::<T>())).max(1);
    for j in 0..P {
        let start = ((position + ahead + j) * s.kvh + kv) * d;
        if let Some(row) = cache.get(start..start + d) {
            S::prefetch(row);
        }
    }
}

/// The query heads of KV head `kv`, two at a time and the last alone when they are odd: `(first
/// head, 2 or 1)`.
#[inline(always)]
fn head_pairs(s: &Shape, kv: usize) -> impl Iterator<Item = (usize, usize)> {
    let end = (kv + 1) * s.groups;
    (kv * s.groups..end)
        .step_by(2)
        .map(move |g| (g, (end - g).min(2)))
}

/// Scores of every query head for the chunk's positions `i ..+ P` (`first` is the chunk's first).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn scores_block<T: CacheElem, S: Simd<T>, const P: usize, const D: usize>(
    s: &Shape,
    first: usize,
    i: usize,
    q: &Query,
    cache: &Cache<T>,
    scale: f32,
    scores: &mut [f32],
) {
    let (len, k) = (scores.len() / (s.kvh * s.groups), cache.k);
    for kv in 0..s.kvh {
        let k_rows = rows::<T, P, D>(s, k, first, i, kv);
        prefetch_ahead::<T, S, P, D>(s, k, first + i, kv);
        // An int8 row's scale, and the query head's, multiply its dot products.
        let mut scales = [scale; P];
        if T::SCALED {
            for (j, x) in scales.iter_mut().enumerate() {
                *x *= cache.k_scale[(first + i + j) * s.kvh + kv];
            }
        }
        let mut put = |g: usize, dots: &[[f32; P]]| {
            for (head, dots) in dots.iter().enumerate() {
                let q_scale = if T::SCALED { q.scales[g + head] } else { 1.0 };
                let scores = scores[(g + head) * len + i..][..P].iter_mut();
                for ((score, dot), scale) in scores.zip(dots).zip(scales) {
                    *score = if T::SCALED {
                        dot * q_scale * scale
                    } else {
                        dot * scale
                    };
                }
            }
        };
        for (g, n) in head_pairs(s, kv) {
            if n == 2 {
                put(g, &S::dots::<2, P>(q, g, k_rows));
            } else {
                put(g, &S::dots::<1, P>(q, g, k_rows));
            }
        }
    }
}

/// The value rows of the chunk's positions `i ..+ P`, weighted by `weights` (`[head][position]`),
/// added into every query head's output.
#[inline(always)]
fn values_block<T: CacheElem, S: Simd<T>, const P: usize, const D: usize>(
    s: &Shape,
    first: usize,
    i: usize,
    weights: &[f32],
    cache: &Cache<T>,
    out: &mut [f32],
) {
    let (d, len, v) = (dim::<D>(s), weights.len() / (s.kvh * s.groups), cache.v);
    for kv in 0..s.kvh {
        let v_rows = rows::<T, P, D>(s, v, first, i, kv);
        prefetch_ahead::<T, S, P, D>(s, v, first + i, kv);
        // An int8 row's scale multiplies its weight.
        let mut row_scales = [1f32; P];
        if T::SCALED {
            for (j, x) in row_scales.iter_mut().enumerate() {
                *x = cache.v_scale[(first + i + j) * s.kvh + kv];
            }
        }
        for (g, n) in head_pairs(s, kv) {
            let w0 = head_weights::<T, P>(weights, g * len + i, &row_scales);
            if n == 2 {
                let w1 = head_weights::<T, P>(weights, (g + 1) * len + i, &row_scales);
                S::axpys::<2, P>(&mut out[g * d..][..2 * d], &[w0, w1], v_rows);
            } else {
                S::axpys::<1, P>(&mut out[g * d..][..d], &[w0], v_rows);
            }
        }
    }
}

/// The `P` weights from `weights[at..]`, times the rows' scales for an int8 cache. A function, not a
/// closure: closures were not inlined into the `target_feature` variants.
#[inline(always)]
fn head_weights<T: CacheElem, const P: usize>(
    weights: &[f32],
    at: usize,
    row_scales: &[f32; P],
) -> [f32; P] {
    let mut w = [0f32; P];
    w.copy_from_slice(&weights[at..][..P]);
    if T::SCALED {
        for (w, scale) in w.iter_mut().zip(row_scales) {
            *w *= scale;
        }
    }
    w
}

/// `out += w * v`, widening `v`; LLVM vectorizes it for the caller's target features.
#[inline(always)]
fn axpy<T: CacheElem, const FMA: bool>(out: &mut [f32], w: f32, v: &[T]) {
    for (o, x) in out.iter_mut().zip(v) {
        let x = x.widen();
        *o = if FMA { w.mul_add(x, *o) } else { *o + w * x };
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

/// Queries of a prefill chunk taken together by [`causal_prefill`].
pub(crate) const PREFILL_QUERY_BLOCK: usize = 128;

/// Causal attention of a prefill chunk's `l` queries on the CPU: `q` `(b, kv_heads, groups * l, d)`
/// (each KV head's query heads one after another), `k` and `v` `(b, kv_heads, total, d)` f32 with
/// the queries at the last `l` positions; returns `(b, kv_heads, groups * l, d)`.
///
/// The queries go `block` at a time, each block against only the positions it can see: the products
/// and the softmax skip most of the masked upper triangle that one product over all `total`
/// positions computes and then zeroes (at 512 queries over 512 positions, 37% of the work in blocks
/// of 128).
pub(crate) fn causal_prefill(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    l: usize,
    scale: f32,
    block: usize,
) -> Result<Tensor> {
    let (b, kvh, rows, d) = q.dims4()?;
    let total = k.dim(2)?;
    if l == 0 || !rows.is_multiple_of(l) || total < l {
        bail!("causal prefill: {rows} query rows, {l} queries over {total} positions");
    }
    if l <= block {
        let scores = q.matmul(&k.t()?)?;
        causal_softmax_in_place(&scores, l, scale)?;
        return scores.matmul(v);
    }
    let groups = rows / l;
    let q = q.reshape((b, kvh, groups, l, d))?;
    let mut outs = Vec::with_capacity(l.div_ceil(block));
    for start in (0..l).step_by(block.max(1)) {
        let n = block.min(l - start);
        let seen = total - l + start + n;
        let q = q
            .narrow(3, start, n)?
            .contiguous()?
            .reshape((b, kvh, groups * n, d))?;
        let scores = q.matmul(&k.narrow(2, 0, seen)?.t()?)?;
        causal_softmax_in_place(&scores, n, scale)?;
        outs.push(
            scores
                .matmul(&v.narrow(2, 0, seen)?)?
                .reshape((b, kvh, groups, n, d))?,
        );
    }
    Tensor::cat(&outs, 3)?.reshape((b, kvh, groups * l, d))
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
        let body = softmax_variant(Isa::detected());
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

/// The softmax for `isa` (a CPU that runs it).
fn softmax_variant(isa: Isa) -> SoftmaxRows {
    match isa {
        // SAFETY (both arms): the CPU has the level's features, which include the variant's.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512Vnni | Isa::Avx512 => |rows, total, first, l, offset, scale| unsafe {
            avx512::softmax(rows, total, first, l, offset, scale)
        },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => |rows, total, first, l, offset, scale| unsafe {
            avx2::softmax(rows, total, first, l, offset, scale)
        },
        _ => softmax_body::<8, false>,
    }
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
    use crate::kv_cache::{KvCache, KvType};

    use crate::testing::uniform as random;

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
            // Odd groups (Qwen2.5-Coder-7B's 7:1): pairs of heads and one alone.
            (21, 3, 128, 23),
            (6, 2, 40, 9),
        ] {
            let q = random(h * d, 1);
            // Large scores make the softmax peaked, as trained models do.
            let k: Vec<f32> = random(t * kvh * d, 2).iter().map(|x| x * 4.0).collect();
            let v = random(t * kvh * d, 3);
            let scale = 1.0 / (d as f32).sqrt();
            let qt = Tensor::from_vec(q.clone(), (1, 1, h, d), &Device::Cpu).unwrap();
            let kt = Tensor::from_vec(k, (1, t, kvh, d), &Device::Cpu).unwrap();
            let vt = Tensor::from_vec(v, (1, t, kvh, d), &Device::Cpu).unwrap();
            for kind in [
                KvType::Float(DType::F32),
                KvType::Float(DType::F16),
                KvType::Int8,
            ] {
                let mut cache = KvCache::new(1, kind);
                let kv = cache.append(0, &kt, &vt).unwrap();
                // The reference sees the values the cache holds (rounded to f16, or int8 rows
                // times their scales).
                let (kf, vf) = kv.to_float(DType::F32).unwrap();
                let values = |x: &Tensor| x.flatten_all().unwrap().to_vec1::<f32>().unwrap();
                // Against an int8 cache the query is rounded the same way (see `Query`).
                let q_seen = if kind == KvType::Int8 {
                    let (mut int8, mut scales) = (vec![0u8; q.len()], vec![0f32; h]);
                    int8::quantize_rows_into(&q, d, &mut int8, &mut scales);
                    let rows = int8.chunks(d).zip(scales);
                    rows.flat_map(|(row, s)| row.iter().map(move |&x| f32::from(x as i8) * s))
                        .collect()
                } else {
                    q.clone()
                };
                let want = reference(&q_seen, &values(&kf), &values(&vf), h, kvh, d, scale);
                assert!(applies(&qt, &kv));
                let got = decode_attention(&qt, &kv, scale).unwrap();
                assert_eq!(got.dims(), &[1, 1, h * d]);
                let got = got.flatten_all().unwrap().to_vec1::<f32>().unwrap();
                let worst = got
                    .iter()
                    .zip(&want)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0f32, f32::max);
                assert!(
                    worst < 1e-5,
                    "{kind:?} h {h} kvh {kvh} d {d} t {t}: max abs diff {worst}"
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
        cache: &Cache<T>,
    ) -> Vec<f32> {
        let t = cache.k.len() / (s.kvh * s.d);
        let quantized = QuantizedQuery::new::<T>(q, s.d);
        let q = quantized.query::<T>(q);
        let partials: Vec<Partial> = (0..chunks)
            .map(|c| {
                let positions = c * t / chunks..(c + 1) * t / chunks;
                let mut partial = Partial::new(s, positions.len());
                kernel(s, positions, &q, cache, 0.125, &mut partial);
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

    /// Every variant this CPU runs, for each cache type, agrees with the portable kernel on head
    /// dimensions that are not a multiple of a register (or shorter than one), the specialized
    /// 128, odd group sizes and position counts around the blocks of four, one included.
    #[test]
    fn every_variant_agrees_with_the_portable_one() {
        fn check<T: CacheElem>(s: &Shape, q: &[f32], cache: &Cache<T>, what: &str) {
            let want = attend(portable::<T>(), s, 1, q, cache);
            for isa in Isa::available() {
                let worst = max_diff(&attend(T::kernel(isa), s, 1, q, cache), &want);
                assert!(worst < 1e-6, "{what} {isa:?}: {worst}");
            }
        }
        for (h, kvh, d, t) in [
            (8, 2, 72, 50),
            (4, 1, 20, 1),
            (6, 2, 40, 9),
            (3, 3, 7, 5),
            (2, 1, 17, 33),
            (21, 3, 128, 23),
            (16, 8, 128, 4),
            (7, 1, 64, 3),
        ] {
            let what = format!("h {h} kvh {kvh} d {d} t {t}");
            let q = random(h * d, 4);
            let k = random(t * kvh * d, 5);
            let v = random(t * kvh * d, 6);
            let s = Shape {
                kvh,
                groups: h / kvh,
                d,
            };
            check::<f32>(&s, &q, &Cache::unscaled(&k, &v), &format!("f32 {what}"));
            let half = |x: &[f32]| x.iter().map(|&x| f16::from_f32(x)).collect::<Vec<_>>();
            let (kh, vh) = (half(&k), half(&v));
            check::<f16>(&s, &q, &Cache::unscaled(&kh, &vh), &format!("f16 {what}"));
            let bytes = |x: &[f32]| x.iter().map(|&x| (x * 127.0) as i8).collect::<Vec<_>>();
            let scales = |seed| -> Vec<f32> {
                random(t * kvh, seed)
                    .iter()
                    .map(|x| x.abs() / 64.0)
                    .collect()
            };
            let (k8, v8, ks, vs) = (bytes(&k), bytes(&v), scales(10), scales(11));
            let int8 = Cache {
                k: &k8,
                v: &v8,
                k_scale: &ks,
                v_scale: &vs,
            };
            check::<i8>(&s, &q, &int8, &format!("i8 {what}"));
        }
    }

    /// Every softmax variant this CPU runs agrees with the portable one, on rows whose length is
    /// not a multiple of a register (one value included), from a first row inside the block.
    #[test]
    fn every_softmax_variant_agrees_with_the_portable_one() {
        for (l, total, rows) in [(1, 1, 3), (1, 9, 2), (5, 9, 30), (17, 17, 34), (3, 35, 12)] {
            let values: Vec<f32> = random(rows * total, 11).iter().map(|x| x * 8.0).collect();
            let first = 3 % l;
            let mut want = values.clone();
            softmax_body::<8, false>(&mut want, total, first, l, total - l, 0.3);
            for isa in Isa::available() {
                let mut got = values.clone();
                softmax_variant(isa)(&mut got, total, first, l, total - l, 0.3);
                let worst = max_diff(&got, &want);
                assert!(
                    worst < 1e-6,
                    "{l} queries over {total} positions, {isa:?}: {worst}"
                );
            }
        }
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
        let kernel = f32::kernel(Isa::detected());
        let cache = Cache::unscaled(&k, &v);
        let whole = attend(kernel, &s, 1, &q, &cache);
        for chunks in [2, 3, 7, 301] {
            let worst = max_diff(&attend(kernel, &s, chunks, &q, &cache), &whole);
            assert!(worst < 1e-6, "{chunks} chunks: {worst}");
        }
    }

    /// Blocks of queries, each against the positions it sees, give causal attention; any block
    /// size, the last block short, the queries after a cached prefix.
    #[test]
    fn causal_prefill_in_blocks_matches_f64_attention() {
        let (kvh, groups, l, offset, d) = (2, 3, 11, 4, 16);
        let total = offset + l;
        let q = random(kvh * groups * l * d, 21);
        let k: Vec<f32> = random(kvh * total * d, 22)
            .iter()
            .map(|x| x * 4.0)
            .collect();
        let v = random(kvh * total * d, 23);
        let scale = 0.25f32;
        let tensor = |x: &[f32], rows: usize| {
            Tensor::from_vec(x.to_vec(), (1, kvh, rows, d), &Device::Cpu).unwrap()
        };
        let (qt, kt, vt) = (tensor(&q, groups * l), tensor(&k, total), tensor(&v, total));
        for block in [1, 4, 11, 128] {
            let got = causal_prefill(&qt, &kt, &vt, l, scale, block).unwrap();
            assert_eq!(got.dims(), &[1, kvh, groups * l, d]);
            let got = got.flatten_all().unwrap().to_vec1::<f32>().unwrap();
            let mut worst = 0f32;
            for kv in 0..kvh {
                for row in 0..groups * l {
                    let seen = offset + row % l + 1;
                    let query = &q[(kv * groups * l + row) * d..][..d];
                    let key = |p: usize| &k[(kv * total + p) * d..][..d];
                    let scores: Vec<f64> = (0..seen)
                        .map(|p| {
                            let dot: f64 = query
                                .iter()
                                .zip(key(p))
                                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                                .sum();
                            dot * f64::from(scale)
                        })
                        .collect();
                    let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let weights: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
                    let sum: f64 = weights.iter().sum();
                    for i in 0..d {
                        let want: f64 = (0..seen)
                            .map(|p| weights[p] * f64::from(v[(kv * total + p) * d + i]))
                            .sum::<f64>()
                            / sum;
                        let diff = (got[(kv * groups * l + row) * d + i] - want as f32).abs();
                        worst = worst.max(diff);
                    }
                }
            }
            assert!(worst < 1e-5, "block {block}: max abs diff {worst}");
        }
        let err = causal_prefill(&qt, &kt, &vt, 0, scale, 4).unwrap_err();
        assert!(err.to_string().contains("causal prefill"), "{err}");
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
        let view = |k: &Tensor, v: &Tensor| KvView {
            k: k.clone(),
            v: v.clone(),
            scales: None,
        };
        let q = Tensor::zeros((1, 2, 4, 8), DType::F32, &Device::Cpu).unwrap();
        let k = Tensor::zeros((1, 3, 2, 8), DType::F32, &Device::Cpu).unwrap();
        assert!(!applies(&q, &view(&k, &k)), "two query rows");
        let q = Tensor::zeros((1, 1, 3, 8), DType::F32, &Device::Cpu).unwrap();
        assert!(!applies(&q, &view(&k, &k)), "3 heads over 2 KV heads");
        let q16 = Tensor::zeros((1, 1, 4, 8), DType::F16, &Device::Cpu).unwrap();
        let k16 = k.to_dtype(DType::F16).unwrap();
        assert!(!applies(&q16, &view(&k16, &k16)), "an f16 query");
        let q = Tensor::zeros((1, 1, 4, 8), DType::F32, &Device::Cpu).unwrap();
        assert!(applies(&q, &view(&k16, &k16)));
        assert!(
            !applies(&q, &view(&k, &k16)),
            "keys and values of different types"
        );
        let kb = k.to_dtype(DType::BF16).unwrap();
        assert!(!applies(&q, &view(&kb, &kb)), "a bf16 cache");
        let int8 = KvCache::new(1, KvType::Int8).append(0, &k, &k).unwrap();
        assert!(applies(&q, &int8));
        assert!(!applies(&q, &view(&int8.k, &int8.v)), "int8 without scales");
        let (ks, vs) = int8.scales.clone().unwrap();
        let short = KvView {
            scales: Some((ks.narrow(1, 0, 2).unwrap(), vs)),
            ..int8.clone()
        };
        assert!(!applies(&q, &short), "fewer scales than positions");
    }
}
