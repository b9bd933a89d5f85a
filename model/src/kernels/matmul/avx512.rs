//! The tile kernels with AVX-512 F/BW and VNNI: `vpdpbusd` takes four-byte dot products for a
//! whole tile (16 output rows) per instruction. And the activations' quantization in AVX-512
//! registers.

use std::arch::x86_64::*;

use super::x86::Tiles;
use super::{BLOCK, QuantizedInput};

/// [`Tiles`] with AVX-512 VNNI.
pub(super) struct Vnni;

variant!(Vnni, "avx512f,avx512bw,avx512vnni,avx2,fma,f16c");

impl Tiles for Vnni {
    type F = __m512;
    type I = __m512i;
    /// The weights plus 128 as they are: `vpdpbusd` multiplies unsigned bytes by signed ones.
    type Q8 = __m512i;
    const SPLIT: bool = true;
    const PREFETCH: bool = true;

    #[inline(always)]
    unsafe fn zero() -> __m512i {
        unsafe { _mm512_setzero_si512() }
    }

    #[inline(always)]
    unsafe fn splat(x: i32) -> __m512i {
        unsafe { _mm512_set1_epi32(x) }
    }

    #[inline(always)]
    unsafe fn splat_bytes(x: u8) -> __m512i {
        unsafe { _mm512_set1_epi8(x as i8) }
    }

    #[inline(always)]
    unsafe fn load(p: *const u8) -> __m512i {
        // SAFETY: by the caller (64 bytes, aligned).
        unsafe { _mm512_load_si512(p.cast::<__m512i>()) }
    }

    #[inline(always)]
    unsafe fn add(a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_add_epi32(a, b) }
    }

    #[inline(always)]
    unsafe fn and(a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_and_si512(a, b) }
    }

    #[inline(always)]
    unsafe fn or(a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_or_si512(a, b) }
    }

    #[inline(always)]
    unsafe fn shl16<const K: u32>(a: __m512i) -> __m512i {
        unsafe { _mm512_slli_epi16::<K>(a) }
    }

    #[inline(always)]
    unsafe fn shr16<const K: u32>(a: __m512i) -> __m512i {
        unsafe { _mm512_srli_epi16::<K>(a) }
    }

    #[inline(always)]
    unsafe fn dot(acc: __m512i, w: __m512i, x: i32) -> __m512i {
        unsafe { _mm512_dpbusd_epi32(acc, w, _mm512_set1_epi32(x)) }
    }

    #[inline(always)]
    unsafe fn dot2(acc: __m512i, lo: __m512i, xl: i32, hi: __m512i, xh: i32) -> __m512i {
        unsafe { Self::dot(Self::dot(acc, lo, xl), hi, xh) }
    }

    #[inline(always)]
    unsafe fn q8_weights(w: __m512i) -> __m512i {
        w
    }

    /// The offset cancels the weights' +128 (`QuantizedInput::offset`).
    #[inline(always)]
    unsafe fn q8_start(offset: i32) -> __m512i {
        unsafe { _mm512_set1_epi32(offset) }
    }

    #[inline(always)]
    unsafe fn q8_dot(acc: __m512i, w: __m512i, x: i32) -> __m512i {
        unsafe { Self::dot(acc, w, x) }
    }
}

/// [`quantize_body`](super::quantize_body) in AVX-512 registers, two per block (LLVM leaves the portable body scalar: a
/// float maximum and a rounding per value; prefill quantizes 12 million values per layer at 1,700
/// tokens). The same operations in the same order, so the same bytes and scales.
#[target_feature(enable = "avx512f,avx512bw")]
pub(super) fn quantize(x: &[f32], input: &mut QuantizedInput) {
    use std::arch::x86_64::*;
    let blocks = input.cols / BLOCK;
    for (i, x) in x.chunks_exact(BLOCK).enumerate() {
        let at = (i % blocks) * input.rows + i / blocks;
        let q = &mut input.q[at * BLOCK..][..BLOCK];
        // SAFETY: `x` and `q` hold 32 values each; unaligned loads and stores.
        let (d, sum) = unsafe {
            let (a, b) = (
                _mm512_loadu_ps(x.as_ptr()),
                _mm512_loadu_ps(x.as_ptr().add(16)),
            );
            let amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(a), _mm512_abs_ps(b)));
            let d = amax / 127.0;
            let inv = _mm512_set1_ps(if d > 0.0 { 1.0 / d } else { 0.0 });
            // `vcvtps2dq` rounds to nearest, ties to even (the default rounding mode).
            let limit = _mm512_set1_epi32(127);
            let round = |v: __m512| {
                let n = _mm512_cvtps_epi32(_mm512_mul_ps(v, inv));
                _mm512_max_epi32(
                    _mm512_min_epi32(n, limit),
                    _mm512_sub_epi32(_mm512_setzero_si512(), limit),
                )
            };
            let (qa, qb) = (round(a), round(b));
            _mm_storeu_si128(q.as_mut_ptr().cast::<__m128i>(), _mm512_cvtepi32_epi8(qa));
            _mm_storeu_si128(
                q.as_mut_ptr().add(16).cast::<__m128i>(),
                _mm512_cvtepi32_epi8(qb),
            );
            (
                d,
                [_mm512_reduce_add_epi32(qa), _mm512_reduce_add_epi32(qb)],
            )
        };
        input.set_sums(at, d, sum);
    }
}
