//! The 16-bit products and conversions with AVX-512F: `__m512` registers of 16 f32 lanes.

use std::arch::x86_64::__m512;

use half::f16;

use super::{Lane, dot_body, x86};

/// 64 lanes: four 512-bit accumulators, enough independent multiply-adds to cover their latency.
#[target_feature(enable = "avx512f")]
pub(super) fn dot<T: Lane>(w: &[T], x: &[f32]) -> f32 {
    dot_body::<T, 64, true>(w, x)
}

#[target_feature(enable = "avx512f,avx2,fma,f16c")]
pub(super) fn widen_f16(src: &[f16], dst: &mut [f32]) {
    x86::widen::<__m512>(src, dst)
}

#[target_feature(enable = "avx512f,avx2,fma,f16c")]
pub(super) fn narrow_f16(src: &[f32], dst: &mut [f16]) {
    x86::narrow::<__m512>(src, dst)
}
