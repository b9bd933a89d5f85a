//! The decode attention variant and prefill's softmax with AVX2, FMA and F16C: `__m256` registers
//! of 8 f32 lanes, for the bodies written once in `mod.rs` and `x86`.

use std::arch::x86_64::__m256;

use super::x86::Wide;
use super::{Cache, CacheElem, Partial, Positions, Query, Shape, chunk_body, softmax_body};
use crate::kernels::simd::Widen;

/// Decode attention over a cache of `T` rows.
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) fn decode<T: CacheElem + Widen<__m256>>(
    s: &Shape,
    positions: Positions,
    q: &Query,
    cache: &Cache<T>,
    scale: f32,
    partial: &mut Partial,
) {
    chunk_body::<T, Wide<__m256>, 8, true>(s, positions, q, cache, scale, partial)
}

#[target_feature(enable = "avx2,fma,f16c")]
pub(super) fn softmax(
    rows: &mut [f32],
    total: usize,
    first: usize,
    l: usize,
    offset: usize,
    scale: f32,
) {
    softmax_body::<8, true>(rows, total, first, l, offset, scale)
}
