//! CPU kernels that candle 0.11 lacks: matrix-vector products with 16-bit weights for decode.
//!
//! candle's CPU matmul has no bf16 kernel: it widens both operands to f32 on every call, so
//! decoding one token converted the whole weight set (1.2 GB for Qwen3-0.6B) to f32 and read it
//! back, several times the bytes a token needs. Decode multiplies a few activation rows by each
//! weight, which is bound by memory bandwidth; [`bf16_matmul_t`] streams each bf16 or f16 weight
//! row once, widening it in registers, into f32 products (16-bit checkpoints compute in f32 on the
//! CPU, see `quantize::compute_dtype`). Prefill (many rows) keeps candle's path, where one widening
//! per product is amortized.
//!
//! The bf16 kernel is plain Rust written so that LLVM vectorizes it: each row of `w` is read in
//! fixed chunks with one independent accumulator per lane, and bf16 becomes f32 by a 16-bit shift.
//! The one body is compiled for the baseline target (SSE2) here and for AVX2 + FMA and AVX-512 in
//! `avx2` and `avx512`; the widest the CPU has is picked from [`Isa::detected`]. f16 takes the
//! CPU's conversion instruction (F16C) where there is one (`x86`, over the registers of
//! `kernels::simd`), else an exact bit manipulation. The kernels need optimization: in a debug
//! build (opt-level 0 for our crates) they are slower than candle's optimized widening.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
#[cfg(target_arch = "x86_64")]
mod x86;

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp2, DType, Layout, Result, Shape, Tensor, bail};
use half::{bf16, f16};
use rayon::prelude::*;

use crate::kernels::Isa;

/// At most this many activation rows (after flattening leading dimensions) go through the kernel.
/// Its time grows with the rows while candle's is dominated by the widening, and they meet about
/// here: on 2 cores, Qwen3-0.6B's projections take 35 ms for one row, 180 ms for 8, 370 ms for 16,
/// against roughly 400 ms for candle's widening.
pub(crate) const MAX_ROWS: usize = 16;

/// Values of a weight row processed per step by the baseline (SSE2) variant, one accumulator each: 16
/// f32 are four SSE registers, enough independent additions to hide their latency. The AVX2 and
/// AVX-512 variants take four of their registers per step likewise (32 and 64 lanes).
const LANES: usize = 16;

/// Output features per rayon task: large enough that scheduling is noise next to streaming the
/// rows (64 rows of 1024 bf16 are 128 KB), small enough that every thread gets several tasks.
const ROWS_PER_TASK: usize = 64;

/// Whether [`bf16_matmul_t`] handles `x @ w^T`: on the CPU, `w` a contiguous bf16 `(out, in)`
/// matrix and `x` f32 or bf16, or `w` f16 and `x` f32, `x` `(.., m, in)` with `1 <= m <= MAX_ROWS`
/// after flattening. A vector `x` is left to candle, whose matmul rejects it, so that the kernel
/// changes no behaviour.
pub(crate) fn bf16_matmul_t_applies(x: &Tensor, w: &Tensor) -> bool {
    let (Some(&k), [_, w_in]) = (x.dims().last(), w.dims()) else {
        return false;
    };
    let rows = x.elem_count() / k.max(1);
    x.device().is_cpu()
        && w.device().is_cpu()
        && w.is_contiguous()
        && matches!(
            (w.dtype(), x.dtype()),
            (DType::BF16, DType::F32 | DType::BF16) | (DType::F16, DType::F32)
        )
        && x.rank() >= 2
        && k == *w_in
        && k > 0
        && (1..=MAX_ROWS).contains(&rows)
}

/// `x @ w^T` for `x` `(.., m, in)` and a bf16 (or f16) `w` `(out, in)`, in `x`'s dtype, accumulated
/// in f32.
/// The caller checks [`bf16_matmul_t_applies`] first.
pub(crate) fn bf16_matmul_t(x: &Tensor, w: &Tensor) -> Result<Tensor> {
    x.contiguous()?.apply_op2_no_bwd(w, &Bf16MatMulT)
}

struct Bf16MatMulT;

impl CustomOp2 for Bf16MatMulT {
    fn name(&self) -> &'static str {
        "bf16-matmul-t"
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        x_l: &Layout,
        ws: &CpuStorage,
        w_l: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (Some((x_start, x_end)), Some((w_start, w_end))) =
            (x_l.contiguous_offsets(), w_l.contiguous_offsets())
        else {
            bail!("bf16-matmul-t needs contiguous operands");
        };
        let (n, k) = w_l.shape().dims2()?;
        let mut out_dims = x_l.dims().to_vec();
        match out_dims.last_mut() {
            Some(d) if *d == k => *d = n,
            _ => bail!(
                "bf16-matmul-t: input {:?} does not match weight {:?}",
                x_l.dims(),
                (n, k)
            ),
        }
        let isa = Isa::detected();
        let (dot_bf16, dot_f16) = (dot_variant::<bf16>(isa), dot_f16_variant(isa));
        let out = match (xs, ws) {
            (CpuStorage::F32(x), CpuStorage::BF16(w)) => CpuStorage::F32(matmul_t(
                &x[x_start..x_end],
                &w[w_start..w_end],
                k,
                dot_bf16,
            )),
            (CpuStorage::BF16(x), CpuStorage::BF16(w)) => {
                let x: Vec<f32> = x[x_start..x_end].iter().map(|v| v.to_f32()).collect();
                let out = matmul_t(&x, &w[w_start..w_end], k, dot_bf16);
                CpuStorage::BF16(out.into_iter().map(bf16::from_f32).collect())
            }
            (CpuStorage::F32(x), CpuStorage::F16(w)) => {
                CpuStorage::F32(matmul_t(&x[x_start..x_end], &w[w_start..w_end], k, dot_f16))
            }
            (x, w) => bail!(
                "bf16-matmul-t: unsupported dtypes {:?} x {:?}",
                x.dtype(),
                w.dtype()
            ),
        };
        Ok((out, Shape::from(out_dims)))
    }
}

/// `x @ w^T` with `x` `(m, k)` and `w` `(n, k)`, both row-major: returns `(m, n)`. `dot` multiplies
/// one weight row by one activation row.
fn matmul_t<W: Sync>(x: &[f32], w: &[W], k: usize, dot: Dot<W>) -> Vec<f32> {
    let m = x.len() / k;
    let n = w.len() / k;
    // Tasks own disjoint ranges of output features, so they fill a transposed `(n, m)` result; with
    // one activation row (decode) it already is `(m, n)`.
    let mut out_t = vec![0f32; n * m];
    out_t
        .par_chunks_mut(ROWS_PER_TASK * m)
        .zip(w.par_chunks(ROWS_PER_TASK * k))
        .for_each(|(out, w)| {
            for (out, w_row) in out.chunks_exact_mut(m).zip(w.chunks_exact(k)) {
                // Each row of `w` is read from memory once; the other activation rows find it in L1.
                for (o, x_row) in out.iter_mut().zip(x.chunks_exact(k)) {
                    *o = dot(w_row, x_row);
                }
            }
        });
    if m == 1 {
        return out_t;
    }
    let mut out = vec![0f32; m * n];
    for (j, col) in out_t.chunks_exact(m).enumerate() {
        for (i, v) in col.iter().enumerate() {
            out[i * n + j] = *v;
        }
    }
    out
}

/// The dot product of a bf16 row and an f32 row of the same length, compiled for the widest vectors
/// the CPU has: one `LANES`-wide chunk of accumulators per step, with fused multiply-adds where the
/// CPU has them.
type Dot<T> = fn(&[T], &[f32]) -> f32;

/// A weight element the dot products read: widened to f32 in registers.
pub(crate) trait Lane: Copy {
    fn widen(self) -> f32;
}

impl Lane for bf16 {
    /// bf16 is the top half of an f32, so widening is exact and needs no rounding or special cases.
    #[inline(always)]
    fn widen(self) -> f32 {
        f32::from_bits(u32::from(self.to_bits()) << 16)
    }
}

impl Lane for f16 {
    /// Exact and branch-free, so it vectorizes: the f16 bits moved into an f32's place read as the
    /// value times 2^-112 (the exponent biases differ by 112), subnormals included, so one multiply by
    /// 2^112 gives the value; infinities and NaNs get the f32 all-ones exponent instead.
    #[inline(always)]
    fn widen(self) -> f32 {
        let h = u32::from(self.to_bits());
        let magnitude = (h & 0x7fff) << 13;
        let scaled = f32::from_bits(magnitude) * f32::from_bits(0x7780_0000);
        let bits = if h & 0x7c00 == 0x7c00 {
            magnitude | 0x7f80_0000
        } else {
            scaled.to_bits()
        };
        f32::from_bits(bits | ((h & 0x8000) << 16))
    }
}

impl Lane for f32 {
    #[inline(always)]
    fn widen(self) -> f32 {
        self
    }
}

/// An int8 KV cache's values, before their row's scale (see `kv_cache::KvType::Int8`).
impl Lane for i8 {
    #[inline(always)]
    fn widen(self) -> f32 {
        f32::from(self)
    }
}

/// The dot product for `isa` (a CPU that runs it): [`dot_body`] compiled for its vectors.
fn dot_variant<T: Lane>(isa: Isa) -> Dot<T> {
    match isa {
        // SAFETY (both arms): the CPU has the level's features, which include the variant's.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512Vnni | Isa::Avx512 => |w, x| unsafe { avx512::dot(w, x) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => |w, x| unsafe { avx2::dot(w, x) },
        _ => dot_body::<T, LANES, false>,
    }
}

/// f16 rows: the CPU's own conversion (F16C) where it has one, which the portable bit manipulation
/// of [`Lane::widen`] costs several instructions per value to match. In 256-bit registers on
/// AVX-512 CPUs too (the product is bound by memory, and its sums stay those of every AVX2 CPU).
fn dot_f16_variant(isa: Isa) -> Dot<f16> {
    match isa {
        // SAFETY: the CPU has the level's features, which include the variant's.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512Vnni | Isa::Avx512 | Isa::Avx2 => |w, x| unsafe { avx2::dot_f16(w, x) },
        _ => dot_variant::<f16>(isa),
    }
}

/// The kernel's one body, inlined into each target-feature function above so that LLVM vectorizes it
/// for that instruction set (and the portable decode attention's query-key products).
#[inline(always)]
pub(crate) fn dot_body<T: Lane, const L: usize, const FMA: bool>(w: &[T], x: &[f32]) -> f32 {
    // Fixed-size chunks and a tail summed apart keep every lane's accumulator independent, the
    // shape LLVM's SLP vectorizer turns into whole-register loads, widenings and multiply-adds;
    // folding the tail into `acc` made it vectorize across the wrong lanes at a third of the speed.
    let (w_chunks, w_rest) = w.as_chunks::<L>();
    let (x_chunks, x_rest) = x.as_chunks::<L>();
    let mut acc = [0f32; L];
    for (w, x) in w_chunks.iter().zip(x_chunks) {
        for l in 0..L {
            // `mul_add` is one instruction with FMA and a slow library call without it.
            acc[l] = if FMA {
                w[l].widen().mul_add(x[l], acc[l])
            } else {
                acc[l] + w[l].widen() * x[l]
            };
        }
    }
    let tail: f32 = w_rest.iter().zip(x_rest).map(|(w, x)| w.widen() * x).sum();
    acc.iter().sum::<f32>() + tail
}

/// `t` in `dtype`, through [`widen_f16`] / [`narrow_f16`] for f16 <-> f32 on the CPU (candle converts
/// one value at a time in software), else candle's conversion.
pub(crate) fn convert(t: &Tensor, dtype: DType) -> Result<Tensor> {
    if t.dtype() == dtype || !t.device().is_cpu() {
        return t.to_dtype(dtype);
    }
    let t = t.contiguous()?;
    let (storage, layout) = t.storage_and_layout();
    let candle_core::Storage::Cpu(cpu) = &*storage else {
        return t.to_dtype(dtype);
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        return t.to_dtype(dtype);
    };
    let shape = t.shape().clone();
    match (cpu, dtype) {
        (CpuStorage::F16(src), DType::F32) => {
            let mut out = vec![0f32; end - start];
            widen_f16(&src[start..end], &mut out);
            Tensor::from_vec(out, shape, t.device())
        }
        (CpuStorage::F32(src), DType::F16) => {
            let mut out = vec![f16::ZERO; end - start];
            narrow_f16(&src[start..end], &mut out);
            Tensor::from_vec(out, shape, t.device())
        }
        _ => t.to_dtype(dtype),
    }
}

/// A slice conversion: `src` into `dst`, over the shorter of the two.
type Convert<S, D> = fn(&[S], &mut [D]);

/// `src` widened to f32 into `dst` (the same length): the CPU's conversion instruction (F16C, 8 or
/// 16 values per instruction) where it has one, else [`Lane::widen`]'s exact bit manipulation.
/// Reads of an f16 KV cache go through it.
pub(crate) fn widen_f16(src: &[f16], dst: &mut [f32]) {
    widen_variant(Isa::detected())(src, dst)
}

/// `src` rounded to f16 (to nearest, ties to even, as `f16::from_f32`) into `dst`: F16C where the
/// CPU has it. Writes to an f16 KV cache go through it.
pub(crate) fn narrow_f16(src: &[f32], dst: &mut [f16]) {
    narrow_variant(Isa::detected())(src, dst)
}

/// The widening for `isa` (a CPU that runs it).
fn widen_variant(isa: Isa) -> Convert<f16, f32> {
    match isa {
        // SAFETY (both arms): the CPU has the level's features, which include the variant's.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512Vnni | Isa::Avx512 => |src, dst| unsafe { avx512::widen_f16(src, dst) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => |src, dst| unsafe { avx2::widen_f16(src, dst) },
        _ => |src, dst| {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = s.widen();
            }
        },
    }
}

/// The narrowing for `isa` (a CPU that runs it).
fn narrow_variant(isa: Isa) -> Convert<f32, f16> {
    match isa {
        // SAFETY (both arms): the CPU has the level's features, which include the variant's.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512Vnni | Isa::Avx512 => |src, dst| unsafe { avx512::narrow_f16(src, dst) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => |src, dst| unsafe { avx2::narrow_f16(src, dst) },
        _ => |src, dst| {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = f16::from_f32(*s);
            }
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use candle_core::{D, Device, Module};
    use candle_nn::Linear;

    use super::*;

    /// Random `(out, in)` weight and `(.., m, in)` input on the CPU, seeded by candle's RNG.
    fn operands(x_dims: &[usize], out: usize, x_dtype: DType) -> (Tensor, Tensor) {
        let dev = Device::Cpu;
        let k = *x_dims.last().unwrap();
        let w = Tensor::randn(0f32, 1.0, (out, k), &dev).unwrap();
        let x = Tensor::randn(0f32, 1.0, x_dims, &dev).unwrap();
        (
            x.to_dtype(x_dtype).unwrap(),
            w.to_dtype(DType::BF16).unwrap(),
        )
    }

    /// candle's own answer, everything widened to f32.
    fn reference(x: &Tensor, w: &Tensor, bias: Option<&Tensor>) -> Tensor {
        let x = x.to_dtype(DType::F32).unwrap();
        let w = w.to_dtype(DType::F32).unwrap();
        let b = bias.map(|b| b.to_dtype(DType::F32).unwrap());
        Linear::new(w, b).forward(&x).unwrap()
    }

    /// Largest `|got - want| / (|want| + floor)`, so that values near zero (a dot product of random
    /// signs can cancel) are judged against the scale of the outputs rather than themselves.
    fn max_rel_diff(got: &Tensor, want: &Tensor) -> f32 {
        let got = got.to_dtype(DType::F32).unwrap().flatten_all().unwrap();
        let want = want.flatten_all().unwrap();
        let want_v = want.to_vec1::<f32>().unwrap();
        let floor = want_v.iter().map(|v| v.abs()).sum::<f32>() / want_v.len() as f32;
        got.to_vec1::<f32>()
            .unwrap()
            .iter()
            .zip(&want_v)
            .map(|(g, w)| (g - w).abs() / (w.abs() + floor))
            .fold(0.0, f32::max)
    }

    fn check(x_dims: &[usize], out: usize, x_dtype: DType, with_bias: bool) {
        let (x, w) = operands(x_dims, out, x_dtype);
        let bias = with_bias.then(|| {
            Tensor::randn(0f32, 1.0, out, &Device::Cpu)
                .unwrap()
                .to_dtype(x_dtype)
                .unwrap()
        });
        assert!(bf16_matmul_t_applies(&x, &w), "{x_dims:?} x {out}");
        let mut got = bf16_matmul_t(&x, &w).unwrap();
        if let Some(b) = &bias {
            got = got.broadcast_add(b).unwrap();
        }
        let want = reference(&x, &w, bias.as_ref());
        assert_eq!(got.dims(), want.dims());
        assert_eq!(got.dtype(), x_dtype);
        // f32 outputs differ from candle's only in the order of additions; bf16 outputs by up to one
        // rounding of the result (2^-8 relative), plus one of the bias add.
        let tol = if x_dtype == DType::F32 {
            1e-4
        } else {
            2.0 / 256.0
        };
        let diff = max_rel_diff(&got, &want);
        assert!(
            diff < tol,
            "{x_dims:?} x {out} {x_dtype:?} bias={with_bias}: {diff}"
        );
    }

    #[test]
    fn matches_candle_matmul_for_decode_shapes() {
        for x_dtype in [DType::F32, DType::BF16] {
            for with_bias in [false, true] {
                check(&[1, 1, 1000], 300, x_dtype, with_bias);
                check(&[3, 33], 129, x_dtype, with_bias);
                check(&[2, 1, 64], ROWS_PER_TASK + 1, x_dtype, with_bias);
                check(&[1, 2, 2, 17], 5, x_dtype, with_bias);
                check(&[MAX_ROWS, 256], 2 * ROWS_PER_TASK, x_dtype, with_bias);
            }
        }
    }

    /// f16 weights (f32 activations only), through F16C where the CPU has it.
    #[test]
    fn f16_weights_match_candle_matmul() {
        for (x_dims, out) in [
            (vec![1, 1000], 300),
            (vec![3, 33], 129),
            (vec![MAX_ROWS, 64], 65),
        ] {
            let dev = Device::Cpu;
            let k = *x_dims.last().unwrap();
            let w = Tensor::randn(0f32, 1.0, (out, k), &dev)
                .unwrap()
                .to_dtype(DType::F16)
                .unwrap();
            let x = Tensor::randn(0f32, 1.0, x_dims.as_slice(), &dev).unwrap();
            assert!(bf16_matmul_t_applies(&x, &w));
            // f16 weights with f16 activations stay with candle, whose f16 matmul is native.
            assert!(!bf16_matmul_t_applies(&x.to_dtype(DType::F16).unwrap(), &w));
            let got = bf16_matmul_t(&x, &w).unwrap();
            let want = reference(&x, &w, None);
            let diff = max_rel_diff(&got, &want);
            assert!(diff < 1e-4, "{x_dims:?} x {out}: {diff}");
        }
    }

    /// Every variant's widening is exact for each of the 65,536 bit patterns, every f16
    /// round-trips through its narrowing, and values between f16s round as `f16::from_f32` does.
    #[test]
    fn f16_slice_conversions_match_half_for_every_value_and_variant() {
        let all: Vec<f16> = (0..=u16::MAX).map(f16::from_bits).collect();
        let between: Vec<f32> = (0..10_000).map(|i| (i as f32 - 5000.0) * 0.013_7).collect();
        for isa in Isa::available() {
            let mut wide = vec![0f32; all.len()];
            widen_variant(isa)(&all, &mut wide);
            for (h, w) in all.iter().zip(&wide) {
                let want = h.to_f32();
                assert!(
                    want.to_bits() == w.to_bits() || (want.is_nan() && w.is_nan()),
                    "{isa:?}: {h:?}"
                );
            }
            let mut narrow = vec![f16::ZERO; all.len()];
            narrow_variant(isa)(&wide, &mut narrow);
            for (h, n) in all.iter().zip(&narrow) {
                assert!(
                    h.to_bits() == n.to_bits() || (h.is_nan() && n.is_nan()),
                    "{isa:?}: {h:?}"
                );
            }
            let mut rounded = vec![f16::ZERO; between.len()];
            narrow_variant(isa)(&between, &mut rounded);
            for (x, r) in between.iter().zip(&rounded) {
                assert_eq!(r.to_bits(), f16::from_f32(*x).to_bits(), "{isa:?}: {x}");
            }
        }
    }

    /// Lengths that are not a multiple of any register (and 0 and 1), at offsets that leave the
    /// slices unaligned, and a destination longer than the source: each variant converts exactly
    /// the common length and leaves the rest of the destination alone.
    #[test]
    fn every_conversion_variant_handles_odd_lengths_and_offsets() {
        let src: Vec<f32> = (0..200).map(|i| (i as f32 - 97.0) * 0.731).collect();
        let halves: Vec<f16> = src.iter().map(|&x| f16::from_f32(x)).collect();
        for isa in Isa::available() {
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 47, 100, 199] {
                let at = len % 3;
                let (src, halves) = (&src[at..at + len], &halves[at..at + len]);
                let mut narrow = vec![f16::from_bits(0x7c01); len + 5];
                narrow_variant(isa)(src, &mut narrow);
                let mut wide = vec![-1f32; len + 5];
                widen_variant(isa)(halves, &mut wide);
                for i in 0..len {
                    assert_eq!(narrow[i], halves[i], "{isa:?}, length {len}, narrow {i}");
                    assert_eq!(
                        wide[i],
                        halves[i].to_f32(),
                        "{isa:?}, length {len}, widen {i}"
                    );
                }
                assert!(
                    narrow[len..].iter().all(|h| h.to_bits() == 0x7c01),
                    "{isa:?} {len}"
                );
                assert!(wide[len..].iter().all(|&w| w == -1.0), "{isa:?} {len}");
            }
        }
    }

    #[test]
    fn f16_widening_is_exact() {
        for bits in 0..=u16::MAX {
            let h = f16::from_bits(bits);
            let (got, want) = (h.widen(), h.to_f32());
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{bits:#06x}: {got} vs {want}"
            );
        }
        // And the portable f16 dot product (the fallback without F16C) agrees with the F16C one.
        let w: Vec<f16> = (0..100)
            .map(|i| f16::from_f32(i as f32 / 7.0 - 5.0))
            .collect();
        let x: Vec<f32> = (0..100).map(|i| (i % 13) as f32 - 6.0).collect();
        let want: f32 = w.iter().zip(&x).map(|(w, x)| w.to_f32() * x).sum();
        for (name, dot) in [
            ("portable", dot_body::<f16, LANES, false> as Dot<f16>),
            ("picked", dot_f16_variant(Isa::detected())),
        ] {
            assert!((dot(&w, &x) - want).abs() < 1e-3, "{name}");
        }
    }

    /// Every compiled variant of the bf16 and f16 dot products this CPU can run agrees with an
    /// f64 reference, lengths below, at and past each variant's chunk included (0 and 1 too).
    #[test]
    fn every_dot_variant_matches_f64() {
        fn check<T: Lane>(name: &str, variants: &[(Isa, Dot<T>)], from: fn(f32) -> T) {
            for len in [
                0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 200, 1024, 1031,
            ] {
                let w: Vec<T> = (0..len)
                    .map(|i| from(((i * 37 % 101) as f32 - 50.0) / 16.0))
                    .collect();
                let x: Vec<f32> = (0..len)
                    .map(|i| ((i * 53 % 89) as f32 - 44.0) / 8.0)
                    .collect();
                let want: f64 = w
                    .iter()
                    .zip(&x)
                    .map(|(w, x)| f64::from(w.widen()) * f64::from(*x))
                    .sum();
                for (isa, dot) in variants {
                    let got = f64::from(dot(&w, &x));
                    assert!(
                        (got - want).abs() <= 1e-4 * want.abs().max(1.0),
                        "{name} {isa:?}, length {len}: {got} vs {want}"
                    );
                }
            }
        }
        let isas = Isa::available();
        let bf16s: Vec<(Isa, Dot<bf16>)> = isas.iter().map(|&i| (i, dot_variant(i))).collect();
        check("bf16", &bf16s, bf16::from_f32);
        let f16s: Vec<(Isa, Dot<f16>)> = isas.iter().map(|&i| (i, dot_f16_variant(i))).collect();
        check("f16", &f16s, f16::from_f32);
    }

    /// Each output must pair the right weight row with the right activation row: one-hot inputs
    /// pick out single weights, so a transposed or shifted kernel gives exact, visible mismatches.
    #[test]
    fn one_hot_inputs_pick_single_weights() {
        let (m, k, n) = (3, 40, 70);
        let w: Vec<f32> = (0..n * k).map(|i| i as f32).collect();
        let w = Tensor::from_vec(w, (n, k), &Device::Cpu)
            .unwrap()
            .to_dtype(DType::BF16)
            .unwrap();
        let mut x = vec![0f32; m * k];
        for (i, col) in [(0, 0), (1, 17), (2, 39)] {
            x[i * k + col] = 1.0;
        }
        let x = Tensor::from_vec(x, (m, k), &Device::Cpu).unwrap();
        let got = bf16_matmul_t(&x, &w).unwrap().to_vec2::<f32>().unwrap();
        let w = w.to_dtype(DType::F32).unwrap().to_vec2::<f32>().unwrap();
        for (i, col) in [(0, 0), (1, 17), (2, 39)] {
            let want: Vec<f32> = w.iter().map(|row| row[col]).collect();
            assert_eq!(got[i], want, "row {i}");
        }
    }

    #[test]
    fn other_shapes_and_devices_fall_back() {
        let (x, w) = operands(&[MAX_ROWS + 1, 32], 8, DType::BF16);
        assert!(!bf16_matmul_t_applies(&x, &w), "prefill-sized input");
        let (x, w) = operands(&[2, 32], 32, DType::BF16);
        assert!(bf16_matmul_t_applies(&x, &w));
        assert!(
            !bf16_matmul_t_applies(&x, &w.to_dtype(DType::F16).unwrap()),
            "f16 weight with a bf16 input"
        );
        assert!(
            !bf16_matmul_t_applies(&x, &w.t().unwrap()),
            "strided weight"
        );
        assert!(
            !bf16_matmul_t_applies(&x.narrow(D::Minus1, 0, 16).unwrap(), &w),
            "in mismatch"
        );
        assert!(
            !bf16_matmul_t_applies(&x.get(0).unwrap(), &w),
            "vector input"
        );
    }
}
