//! [`Register`] and [`Widen`] in `__m512`: 16 f32 lanes, AVX-512F.

use std::arch::x86_64::*;

use half::f16;

use super::{Register, Widen};

impl Register for __m512 {
    const LANES: usize = 16;
    type Int = __m512i;

    #[inline(always)]
    unsafe fn zero() -> Self {
        unsafe { _mm512_setzero_ps() }
    }

    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        unsafe { _mm512_set1_ps(x) }
    }

    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: by the caller.
        unsafe { _mm512_loadu_ps(p) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: by the caller.
        unsafe { _mm512_storeu_ps(p, self) }
    }

    #[inline(always)]
    unsafe fn store_f16(self, p: *mut f16) {
        // SAFETY: by the caller (16 f16 values).
        unsafe {
            let h = _mm512_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(self);
            _mm256_storeu_si256(p.cast::<__m256i>(), h);
        }
    }

    #[inline(always)]
    unsafe fn add(a: Self, b: Self) -> Self {
        unsafe { _mm512_add_ps(a, b) }
    }

    #[inline(always)]
    unsafe fn mul(a: Self, b: Self) -> Self {
        unsafe { _mm512_mul_ps(a, b) }
    }

    #[inline(always)]
    unsafe fn fmadd(a: Self, b: Self, c: Self) -> Self {
        unsafe { _mm512_fmadd_ps(a, b, c) }
    }

    #[inline(always)]
    unsafe fn fnmadd(a: Self, b: Self, c: Self) -> Self {
        unsafe { _mm512_fnmadd_ps(a, b, c) }
    }

    #[inline(always)]
    unsafe fn from_int(i: __m512i) -> Self {
        unsafe { _mm512_cvtepi32_ps(i) }
    }

    #[inline(always)]
    unsafe fn sums<const P: usize>(a: &[Self; P]) -> [f32; P] {
        let mut out = [0f32; P];
        // SAFETY (the block): AVX-512F by the caller; the store writes 4 values into `out` of 4.
        unsafe {
            if let [a0, a1, a2, a3] = a.as_slice() {
                // Each 128-bit quarter `i` of `s01` holds half of `a0` (i < 2) or `a1`.
                let s01 = _mm512_add_ps(
                    _mm512_shuffle_f32x4::<0b01_00_01_00>(*a0, *a1),
                    _mm512_shuffle_f32x4::<0b11_10_11_10>(*a0, *a1),
                );
                let s23 = _mm512_add_ps(
                    _mm512_shuffle_f32x4::<0b01_00_01_00>(*a2, *a3),
                    _mm512_shuffle_f32x4::<0b11_10_11_10>(*a2, *a3),
                );
                // Quarter `i` of `t`: four partial sums of `a[i]`.
                let t = _mm512_add_ps(
                    _mm512_shuffle_f32x4::<0b10_00_10_00>(s01, s23),
                    _mm512_shuffle_f32x4::<0b11_01_11_01>(s01, s23),
                );
                let t = _mm512_add_ps(t, _mm512_permute_ps::<0b10_11_00_01>(t));
                let t = _mm512_add_ps(t, _mm512_permute_ps::<0b01_00_11_10>(t));
                let firsts = _mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
                let sums = _mm512_castps512_ps128(_mm512_permutexvar_ps(firsts, t));
                _mm_storeu_ps(out.as_mut_ptr(), sums);
            } else {
                for (o, a) in out.iter_mut().zip(a) {
                    *o = _mm512_reduce_add_ps(*a);
                }
            }
        }
        out
    }
}

impl Widen<__m512> for f32 {
    #[inline(always)]
    unsafe fn load_wide(p: *const f32) -> __m512 {
        // SAFETY: by the caller.
        unsafe { _mm512_loadu_ps(p) }
    }
}

impl Widen<__m512> for f16 {
    #[inline(always)]
    unsafe fn load_wide(p: *const f16) -> __m512 {
        // SAFETY: by the caller.
        unsafe { _mm512_cvtph_ps(_mm256_loadu_si256(p.cast::<__m256i>())) }
    }
}

impl Widen<__m512> for i8 {
    #[inline(always)]
    unsafe fn load_wide(p: *const i8) -> __m512 {
        // SAFETY: by the caller (16 bytes).
        unsafe { _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(p.cast::<__m128i>()))) }
    }
}

impl Widen<__m512> for u8 {
    #[inline(always)]
    unsafe fn load_wide(p: *const u8) -> __m512 {
        // SAFETY: by the caller (16 bytes).
        unsafe { _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(p.cast::<__m128i>()))) }
    }
}
