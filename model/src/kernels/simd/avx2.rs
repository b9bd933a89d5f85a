//! [`Register`] and [`Widen`] in `__m256`: 8 f32 lanes, AVX2 + FMA (F16C for f16).

use std::arch::x86_64::*;

use half::f16;

use super::{Register, Widen};

impl Register for __m256 {
    const LANES: usize = 8;
    type Int = __m256i;

    #[inline(always)]
    unsafe fn zero() -> Self {
        unsafe { _mm256_setzero_ps() }
    }

    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        unsafe { _mm256_set1_ps(x) }
    }

    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: by the caller.
        unsafe { _mm256_loadu_ps(p) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: by the caller.
        unsafe { _mm256_storeu_ps(p, self) }
    }

    #[inline(always)]
    unsafe fn store_f16(self, p: *mut f16) {
        // SAFETY: by the caller (8 f16 values).
        unsafe {
            let h = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(self);
            _mm_storeu_si128(p.cast::<__m128i>(), h);
        }
    }

    #[inline(always)]
    unsafe fn add(a: Self, b: Self) -> Self {
        unsafe { _mm256_add_ps(a, b) }
    }

    #[inline(always)]
    unsafe fn mul(a: Self, b: Self) -> Self {
        unsafe { _mm256_mul_ps(a, b) }
    }

    #[inline(always)]
    unsafe fn fmadd(a: Self, b: Self, c: Self) -> Self {
        unsafe { _mm256_fmadd_ps(a, b, c) }
    }

    #[inline(always)]
    unsafe fn fnmadd(a: Self, b: Self, c: Self) -> Self {
        unsafe { _mm256_fnmadd_ps(a, b, c) }
    }

    #[inline(always)]
    unsafe fn from_int(i: __m256i) -> Self {
        unsafe { _mm256_cvtepi32_ps(i) }
    }

    #[inline(always)]
    unsafe fn sums<const P: usize>(a: &[Self; P]) -> [f32; P] {
        let mut out = [0f32; P];
        // SAFETY (the block): AVX2 by the caller; the store writes 4 values into `out` of 4.
        unsafe {
            if let [a0, a1, a2, a3] = a.as_slice() {
                // Each 128-bit half: `a[i]`'s partial sums in lane `i`.
                let h = _mm256_hadd_ps(_mm256_hadd_ps(*a0, *a1), _mm256_hadd_ps(*a2, *a3));
                let sums = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps::<1>(h));
                _mm_storeu_ps(out.as_mut_ptr(), sums);
            } else {
                for (o, a) in out.iter_mut().zip(a) {
                    let quad =
                        _mm_add_ps(_mm256_castps256_ps128(*a), _mm256_extractf128_ps::<1>(*a));
                    let pair = _mm_add_ps(quad, _mm_movehl_ps(quad, quad));
                    *o = _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps::<1>(pair, pair)));
                }
            }
        }
        out
    }
}

impl Widen<__m256> for f32 {
    #[inline(always)]
    unsafe fn load_wide(p: *const f32) -> __m256 {
        // SAFETY: by the caller.
        unsafe { _mm256_loadu_ps(p) }
    }
}

impl Widen<__m256> for f16 {
    #[inline(always)]
    unsafe fn load_wide(p: *const f16) -> __m256 {
        // SAFETY: by the caller.
        unsafe { _mm256_cvtph_ps(_mm_loadu_si128(p.cast::<__m128i>())) }
    }
}

impl Widen<__m256> for i8 {
    #[inline(always)]
    unsafe fn load_wide(p: *const i8) -> __m256 {
        // SAFETY: by the caller (8 bytes).
        unsafe { _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(p.cast::<__m128i>()))) }
    }
}

impl Widen<__m256> for u8 {
    #[inline(always)]
    unsafe fn load_wide(p: *const u8) -> __m256 {
        // SAFETY: by the caller (8 bytes).
        unsafe { _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(p.cast::<__m128i>()))) }
    }
}
