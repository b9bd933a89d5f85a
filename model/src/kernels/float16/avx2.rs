//! The 16-bit products and conversions with AVX2 + FMA and F16C (`vcvtph2ps`, `vcvtps2ph`).

use half::f16;

use super::{Lane, dot_body};

/// 32 f16 values per step, converted eight at a time by `vcvtph2ps` into four 256-bit accumulators.
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) fn dot_f16(w: &[f16], x: &[f32]) -> f32 {
    use std::arch::x86_64::{
        __m128i, _mm_loadu_si128, _mm256_add_ps, _mm256_cvtph_ps, _mm256_fmadd_ps, _mm256_loadu_ps,
        _mm256_setzero_ps, _mm256_storeu_ps,
    };
    let n = w.len().min(x.len());
    let mut acc = [_mm256_setzero_ps(); 4];
    for c in 0..n / 32 {
        for (j, acc) in acc.iter_mut().enumerate() {
            let at = c * 32 + j * 8;
            // SAFETY: `at + 8 <= n` for every chunk counted by `n / 32`; unaligned loads.
            let (h, xv) = unsafe {
                (
                    _mm_loadu_si128(w.as_ptr().add(at).cast::<__m128i>()),
                    _mm256_loadu_ps(x.as_ptr().add(at)),
                )
            };
            *acc = _mm256_fmadd_ps(_mm256_cvtph_ps(h), xv, *acc);
        }
    }
    let sum = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
    let mut lanes = [0f32; 8];
    // SAFETY: `lanes` holds 8 f32.
    unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sum) };
    let tail: f32 = (n / 32 * 32..n).map(|i| w[i].widen() * x[i]).sum();
    lanes.iter().sum::<f32>() + tail
}

/// 32 lanes: four 256-bit accumulators.
#[target_feature(enable = "avx2,fma")]
pub(super) fn dot<T: Lane>(w: &[T], x: &[f32]) -> f32 {
    dot_body::<T, 32, true>(w, x)
}

#[target_feature(enable = "avx,f16c")]
pub(super) fn widen_f16(src: &[f16], dst: &mut [f32]) {
    use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm256_cvtph_ps, _mm256_storeu_ps};
    let chunks = src.len() / 8;
    for c in 0..chunks {
        // SAFETY: `c * 8 + 8 <= len` for both slices (equal lengths); unaligned loads and stores.
        unsafe {
            let h = _mm_loadu_si128(src.as_ptr().add(c * 8).cast::<__m128i>());
            _mm256_storeu_ps(dst.as_mut_ptr().add(c * 8), _mm256_cvtph_ps(h));
        }
    }
    for i in chunks * 8..src.len() {
        dst[i] = src[i].widen();
    }
}

#[target_feature(enable = "avx,f16c")]
pub(super) fn narrow_f16(src: &[f32], dst: &mut [f16]) {
    use std::arch::x86_64::{
        __m128i, _MM_FROUND_TO_NEAREST_INT, _mm_storeu_si128, _mm256_cvtps_ph, _mm256_loadu_ps,
    };
    let chunks = src.len() / 8;
    for c in 0..chunks {
        // SAFETY: `c * 8 + 8 <= len` for both slices (equal lengths); unaligned loads and stores.
        unsafe {
            let x = _mm256_loadu_ps(src.as_ptr().add(c * 8));
            let h = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(x);
            _mm_storeu_si128(dst.as_mut_ptr().add(c * 8).cast::<__m128i>(), h);
        }
    }
    for i in chunks * 8..src.len() {
        dst[i] = f16::from_f32(src[i]);
    }
}
