//! The 16-bit products and conversions with AVX2, FMA and F16C: `__m256` registers of 8 f32 lanes.

use std::arch::x86_64::__m256;

use half::f16;

use super::{Lane, dot_body, x86};

/// 32 f16 values per step, converted eight at a time by `vcvtph2ps` into four accumulators.
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) fn dot_f16(w: &[f16], x: &[f32]) -> f32 {
    x86::dot::<__m256, f16>(w, x)
}

/// 32 lanes: four 256-bit accumulators.
#[target_feature(enable = "avx2,fma")]
pub(super) fn dot<T: Lane>(w: &[T], x: &[f32]) -> f32 {
    dot_body::<T, 32, true>(w, x)
}

#[target_feature(enable = "avx2,fma,f16c")]
pub(super) fn widen_f16(src: &[f16], dst: &mut [f32]) {
    x86::widen::<__m256>(src, dst)
}

#[target_feature(enable = "avx2,fma,f16c")]
pub(super) fn narrow_f16(src: &[f32], dst: &mut [f16]) {
    x86::narrow::<__m256>(src, dst)
}
