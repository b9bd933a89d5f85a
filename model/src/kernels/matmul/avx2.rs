//! The tile kernels with AVX2, FMA and F16C, for CPUs without AVX-512 VNNI: the same tiles, in two
//! parts of eight rows, products by `vpmaddubsw` (for `q8_0` on the weight's magnitude, the
//! activation carrying the weight's sign), giving the same integers and so the same floats.

use std::arch::x86_64::*;

use super::x86::Tiles;
use super::{QuantizedInput, quantize_body};

/// [`quantize_body`] compiled for AVX2 + FMA, where LLVM vectorizes it.
#[target_feature(enable = "avx2,fma")]
pub(super) fn quantize(x: &[f32], input: &mut QuantizedInput) {
    quantize_body(x, input)
}

/// [`Tiles`] with AVX2.
pub(super) struct Avx2;

variant!(Avx2, "avx2,fma,f16c");

/// `acc` plus the sums of adjacent pairs of 16-bit products (`vpmaddwd` by ones).
///
/// # Safety
/// AVX2.
#[inline(always)]
unsafe fn add_pairs(acc: __m256i, pairs: __m256i) -> __m256i {
    unsafe { _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1))) }
}

impl Tiles for Avx2 {
    type F = __m256;
    type I = __m256i;
    /// The signed weights, and their magnitudes (`vpmaddubsw` multiplies unsigned bytes by signed
    /// ones, and the weights plus 128 times an activation byte could saturate its sums).
    type Q8 = (__m256i, __m256i);
    const SPLIT: bool = false;
    const PREFETCH: bool = false;

    #[inline(always)]
    unsafe fn zero() -> __m256i {
        unsafe { _mm256_setzero_si256() }
    }

    #[inline(always)]
    unsafe fn splat(x: i32) -> __m256i {
        unsafe { _mm256_set1_epi32(x) }
    }

    #[inline(always)]
    unsafe fn splat_bytes(x: u8) -> __m256i {
        unsafe { _mm256_set1_epi8(x as i8) }
    }

    #[inline(always)]
    unsafe fn load(p: *const u8) -> __m256i {
        // SAFETY: by the caller (32 bytes, aligned).
        unsafe { _mm256_load_si256(p.cast::<__m256i>()) }
    }

    #[inline(always)]
    unsafe fn add(a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_add_epi32(a, b) }
    }

    #[inline(always)]
    unsafe fn and(a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_and_si256(a, b) }
    }

    #[inline(always)]
    unsafe fn or(a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_or_si256(a, b) }
    }

    /// By a count in a register (AVX2's immediate form takes an `i32` const), which LLVM folds
    /// into the immediate form.
    #[inline(always)]
    unsafe fn shl16<const K: u32>(a: __m256i) -> __m256i {
        unsafe { _mm256_sll_epi16(a, _mm_cvtsi32_si128(K as i32)) }
    }

    /// As `shl16`.
    #[inline(always)]
    unsafe fn shr16<const K: u32>(a: __m256i) -> __m256i {
        unsafe { _mm256_srl_epi16(a, _mm_cvtsi32_si128(K as i32)) }
    }

    /// Values below 64 times bytes: each pair at most `2 * 63 * 127`, no saturation.
    #[inline(always)]
    unsafe fn dot(acc: __m256i, w: __m256i, x: i32) -> __m256i {
        unsafe { add_pairs(acc, _mm256_maddubs_epi16(w, _mm256_set1_epi32(x))) }
    }

    /// The two products' pairs added in 16 bits (at most `4 * 63 * 127`), then widened once.
    #[inline(always)]
    unsafe fn dot2(acc: __m256i, lo: __m256i, xl: i32, hi: __m256i, xh: i32) -> __m256i {
        unsafe {
            let pairs = _mm256_add_epi16(
                _mm256_maddubs_epi16(lo, _mm256_set1_epi32(xl)),
                _mm256_maddubs_epi16(hi, _mm256_set1_epi32(xh)),
            );
            add_pairs(acc, pairs)
        }
    }

    #[inline(always)]
    unsafe fn q8_weights(w: __m256i) -> (__m256i, __m256i) {
        unsafe {
            let w = _mm256_xor_si256(w, _mm256_set1_epi8(0x80u8 as i8));
            (w, _mm256_abs_epi8(w))
        }
    }

    /// The weights are signed again here: nothing to cancel.
    #[inline(always)]
    unsafe fn q8_start(_offset: i32) -> __m256i {
        unsafe { _mm256_setzero_si256() }
    }

    /// `|w| * (x with w's sign)`: each pair at most `2 * 128 * 127`, no saturation.
    #[inline(always)]
    unsafe fn q8_dot(acc: __m256i, (w, magnitude): (__m256i, __m256i), x: i32) -> __m256i {
        unsafe {
            let x = _mm256_sign_epi8(_mm256_set1_epi32(x), w);
            add_pairs(acc, _mm256_maddubs_epi16(magnitude, x))
        }
    }
}
