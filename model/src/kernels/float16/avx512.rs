//! The 16-bit products and f16 widening with AVX-512F.

use half::f16;

use super::{Lane, dot_body};

/// 64 lanes: four 512-bit accumulators, enough independent multiply-adds to cover their latency.
#[target_feature(enable = "avx512f")]
pub(super) fn dot<T: Lane>(w: &[T], x: &[f32]) -> f32 {
    dot_body::<T, 64, true>(w, x)
}

#[target_feature(enable = "avx512f")]
pub(super) fn widen_f16(src: &[f16], dst: &mut [f32]) {
    use std::arch::x86_64::{__m256i, _mm256_loadu_si256, _mm512_cvtph_ps, _mm512_storeu_ps};
    let chunks = src.len() / 16;
    for c in 0..chunks {
        // SAFETY: `c * 16 + 16 <= len` for both slices (equal lengths); unaligned loads and stores.
        unsafe {
            let h = _mm256_loadu_si256(src.as_ptr().add(c * 16).cast::<__m256i>());
            _mm512_storeu_ps(dst.as_mut_ptr().add(c * 16), _mm512_cvtph_ps(h));
        }
    }
    for i in chunks * 16..src.len() {
        dst[i] = src[i].widen();
    }
}
