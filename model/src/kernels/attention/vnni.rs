//! The int8 cache's decode attention with AVX-512 VNNI: scores as `vpdpbusd` integer dot products.

use std::arch::x86_64::*;

use super::x86::{Wide, prefetch_lines, tails};
use super::{Cache, Partial, Positions, Query, Shape, Simd, chunk_body};
use crate::kernels::simd::Register;

/// Decode attention over an int8 cache.
#[target_feature(enable = "avx512f,avx512bw,avx512vnni,avx2,fma,f16c")]
pub(super) fn decode(
    s: &Shape,
    positions: Positions,
    q: &Query,
    cache: &Cache<i8>,
    scale: f32,
    partial: &mut Partial,
) {
    chunk_body::<i8, Vnni, 16, true>(s, positions, q, cache, scale, partial)
}

/// [`Simd`] for an int8 cache with AVX-512 VNNI: a key row's dot products with the query's int8
/// heads are `vpdpbusd`s, 64 multiply-adds each, where widening the row to f32 took two
/// conversions and four FMAs per 16 values. `vpdpbusd` multiplies unsigned bytes by signed ones,
/// so the query is held plus 128 ([`Query::bytes`]) and `128 * sum(k)`, one more `vpdpbusd` per
/// key row for all its heads, is taken off. Integer products are exact, so the sums equal the
/// other variants'. Values are widened as in [`Wide`].
pub(super) struct Vnni;

impl Simd<i8> for Vnni {
    #[inline(always)]
    fn dots<const G: usize, const P: usize>(
        q: &Query,
        first: usize,
        k: [&[i8]; P],
    ) -> [[f32; P]; G] {
        const BYTES: usize = 64;
        let d = k[0].len();
        let bytes = &q.bytes[first * d..][..G * d];
        assert!(k.iter().all(|k| k.len() == d));
        let full = d / BYTES * BYTES;
        // The values past the last full register, in f32 (exact: small integers).
        let mut out = tails::<i8, G, P>(&q.values[first * d..][..G * d], k, full);
        // SAFETY (the block): AVX-512F/BW/VNNI by this module's contract; every load reads 64
        // bytes at `c + 64 <= full <= d` of a row of `d` (`bytes`' rows sliced above).
        unsafe {
            let offset = _mm512_set1_epi8(i8::MIN);
            let mut acc = [[_mm512_setzero_si512(); P]; G];
            let mut correction = [_mm512_setzero_si512(); P];
            for c in (0..full).step_by(BYTES) {
                let mut kv = [_mm512_setzero_si512(); P];
                for ((kv, k), correction) in kv.iter_mut().zip(k).zip(&mut correction) {
                    *kv = _mm512_loadu_si512(k.as_ptr().add(c).cast::<__m512i>());
                    *correction = _mm512_dpbusd_epi32(*correction, offset, *kv);
                }
                for (g, acc) in acc.iter_mut().enumerate() {
                    let qv = _mm512_loadu_si512(bytes.as_ptr().add(g * d + c).cast::<__m512i>());
                    for (acc, kv) in acc.iter_mut().zip(kv) {
                        *acc = _mm512_dpbusd_epi32(*acc, qv, kv);
                    }
                }
            }
            for (out, acc) in out.iter_mut().zip(&acc) {
                let mut lanes = [_mm512_setzero_ps(); P];
                for ((lanes, acc), correction) in lanes.iter_mut().zip(acc).zip(&correction) {
                    *lanes = _mm512_cvtepi32_ps(_mm512_sub_epi32(*acc, *correction));
                }
                for (o, s) in out.iter_mut().zip(<__m512 as Register>::sums(&lanes)) {
                    *o += s;
                }
            }
        }
        out
    }

    #[inline(always)]
    fn axpys<const G: usize, const P: usize>(out: &mut [f32], w: &[[f32; P]; G], v: [&[i8]; P]) {
        <Wide<__m512> as Simd<i8>>::axpys(out, w, v)
    }

    #[inline(always)]
    fn prefetch(rows: &[i8]) {
        prefetch_lines(rows);
    }
}
