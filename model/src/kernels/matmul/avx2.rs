//! The `q8_0`, `q4_k` and `q6_k` kernels with AVX2, FMA and F16C, for CPUs without AVX-512 VNNI: the
//! same tiles as the AVX-512 kernels, products by `vpmaddubsw` (for `q8_0` on the weight's magnitude,
//! the activation carrying the weight's sign), giving the same integers and so the same floats.

use std::arch::x86_64::*;

use super::{
    BLOCK, ColumnQ8_0, LINES_PER_BLOCK, QuantizedInput, TILE_ROWS, TileQ4K, TileQ6K, check,
    check_super_blocks, four, quantize_body,
};

/// [`quantize_body`] compiled for AVX2 + FMA, where LLVM vectorizes it.
#[target_feature(enable = "avx2,fma")]
pub(super) fn quantize(x: &[f32], input: &mut QuantizedInput) {
    quantize_body(x, input)
}

/// [`add_block`] for half a tile in AVX2 registers (whose kernels keep one sum per row).
///
/// # Safety
/// The CPU has AVX2 and FMA; `x_scale` points at `R` readable values.
#[inline(always)]
unsafe fn add_half_block<const R: usize>(
    acc: &mut [__m256; R],
    s: &[__m256i; R],
    weights: __m256,
    x_scale: *const f32,
) {
    for (r, acc) in acc.iter_mut().enumerate() {
        // SAFETY: by the caller.
        unsafe {
            let t = _mm256_mul_ps(_mm256_cvtepi32_ps(s[r]), _mm256_set1_ps(*x_scale.add(r)));
            *acc = _mm256_fmadd_ps(weights, t, *acc);
        }
    }
}

/// Half `half` (rows 0-7 or 8-15 of the tile) of each row's 16 outputs.
///
/// # Safety
/// The CPU has AVX; `half` is 0 or 1 and `out` holds `R * 16` values.
#[inline(always)]
unsafe fn store_half_rows<const R: usize>(acc: &[__m256; R], half: usize, out: &mut [f32]) {
    debug_assert!(half < 2 && out.len() >= R * TILE_ROWS);
    for (r, acc) in acc.iter().enumerate() {
        // SAFETY: by the caller.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(r * TILE_ROWS + half * 8), *acc) };
    }
}

/// # Safety
/// The CPU has AVX2, FMA and F16C; otherwise as [`avx512::q8_0`](super::avx512::q8_0).
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn q8_0<const R: usize>(
    column: &ColumnQ8_0,
    input: &QuantizedInput,
    row0: usize,
    out: &mut [f32],
) {
    check::<R>(column, input, row0, out);
    let (blocks, m) = (input.cols / BLOCK, input.rows);
    let flip = _mm256_set1_epi8(0x80u8 as i8);
    let ones = _mm256_set1_epi16(1);
    // Rows 0-7 of the tile are the first half of each line, rows 8-15 the second.
    for half in 0..2 {
        let mut acc = [_mm256_setzero_ps(); R];
        for b in 0..blocks {
            // SAFETY (the whole block): as in `q8_0`.
            unsafe {
                let lines = column.qs.as_ptr().add(b * LINES_PER_BLOCK).cast::<u8>();
                let x = input.q.as_ptr().add((b * m + row0) * BLOCK);
                let scale = input.scale.as_ptr().add(b * m + row0);
                let mut s = [_mm256_setzero_si256(); R];
                for g in 0..LINES_PER_BLOCK {
                    let w = _mm256_load_si256(lines.add(g * 64 + half * 32).cast::<__m256i>());
                    let w = _mm256_xor_si256(w, flip);
                    let magnitude = _mm256_abs_epi8(w);
                    for (r, s) in s.iter_mut().enumerate() {
                        let xv = _mm256_set1_epi32(four(x, r * BLOCK + g * 4));
                        // |w| * (x with w's sign): each pair at most 2 * 128 * 127, no
                        // saturation.
                        let pairs = _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(xv, w));
                        *s = _mm256_add_epi32(*s, _mm256_madd_epi16(pairs, ones));
                    }
                }
                let dw = _mm256_cvtph_ps(_mm_loadu_si128(
                    column
                        .scales
                        .as_ptr()
                        .add(b * TILE_ROWS + half * 8)
                        .cast::<__m128i>(),
                ));
                add_half_block(&mut acc, &s, dw, scale);
            }
        }
        // SAFETY: AVX and `out`'s size are this kernel's preconditions.
        unsafe { store_half_rows(&acc, half, out) };
    }
}

/// [`avx512::q4k`](super::avx512::q4k) with AVX2 (`vpmaddubsw`: 4-bit values times bytes cannot saturate).
///
/// # Safety
/// The CPU has AVX2, FMA and F16C; otherwise as [`avx512::q4k`](super::avx512::q4k).
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn q4k<const R: usize>(
    tiles: &[TileQ4K],
    input: &QuantizedInput,
    row0: usize,
    out: &mut [f32],
) {
    check_super_blocks::<R>(tiles.len(), input, row0, out);
    let m = input.rows;
    let nibble = _mm256_set1_epi8(0x0F);
    let ones = _mm256_set1_epi16(1);
    // Rows 0-7 of the tile are the first half of each line, rows 8-15 the second.
    for half in 0..2 {
        let mut acc = [_mm256_setzero_ps(); R];
        for (sb, tile) in tiles.iter().enumerate() {
            // SAFETY (the whole super-block): as in `q4k`.
            unsafe {
                let halves = |h: &[half::f16; TILE_ROWS]| {
                    _mm256_cvtph_ps(_mm_loadu_si128(h[half * 8..].as_ptr().cast::<__m128i>()))
                };
                let (d, dmin) = (halves(&tile.d), halves(&tile.dmin));
                for j in 0..8 {
                    let b = sb * 8 + j;
                    let widen = |bytes: &[u8; TILE_ROWS]| {
                        _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(
                            bytes[half * 8..].as_ptr().cast::<__m128i>(),
                        )))
                    };
                    let scale = _mm256_mul_ps(d, widen(&tile.sc[j]));
                    let min = _mm256_mul_ps(dmin, widen(&tile.m[j]));
                    let x = input.q.as_ptr().add((b * m + row0) * BLOCK);
                    let mut s = [_mm256_setzero_si256(); R];
                    for c in 0..4 {
                        let line = tile.qs[4 * j + c].0.as_ptr().add(half * 32);
                        let w = _mm256_load_si256(line.cast::<__m256i>());
                        let lo = _mm256_and_si256(w, nibble);
                        let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(w), nibble);
                        for (r, s) in s.iter_mut().enumerate() {
                            let xl = _mm256_set1_epi32(four(x, r * BLOCK + 8 * c));
                            let xh = _mm256_set1_epi32(four(x, r * BLOCK + 8 * c + 4));
                            let pairs = _mm256_add_epi16(
                                _mm256_maddubs_epi16(lo, xl),
                                _mm256_maddubs_epi16(hi, xh),
                            );
                            *s = _mm256_add_epi32(*s, _mm256_madd_epi16(pairs, ones));
                        }
                    }
                    let xs = input.scale.as_ptr().add(b * m + row0);
                    let xsum = input.scaled_sum.as_ptr().add(b * m + row0);
                    add_half_block(&mut acc, &s, scale, xs);
                    for (r, acc) in acc.iter_mut().enumerate() {
                        *acc = _mm256_fnmadd_ps(min, _mm256_set1_ps(*xsum.add(r)), *acc);
                    }
                }
            }
        }
        // SAFETY: AVX and `out`'s size are this kernel's preconditions.
        unsafe { store_half_rows(&acc, half, out) };
    }
}

/// [`avx512::q6k`](super::avx512::q6k) with AVX2 (`vpmaddubsw`: two 6-bit values times bytes, at most
/// `2 * 63 * 127`, and two such pairs added cannot saturate).
///
/// # Safety
/// The CPU has AVX2, FMA and F16C; otherwise as [`avx512::q6k`](super::avx512::q6k).
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn q6k<const R: usize>(
    tiles: &[TileQ6K],
    input: &QuantizedInput,
    row0: usize,
    out: &mut [f32],
) {
    check_super_blocks::<R>(tiles.len(), input, row0, out);
    let m = input.rows;
    let nibble = _mm256_set1_epi8(0x0F);
    let top = _mm256_set1_epi8(0x30);
    let ones = _mm256_set1_epi16(1);
    // Rows 0-7 of the tile are the first half of each line, rows 8-15 the second.
    for half in 0..2 {
        let mut acc = [_mm256_setzero_ps(); R];
        for (sb, tile) in tiles.iter().enumerate() {
            // SAFETY (the whole super-block): as in `q6k`.
            unsafe {
                let d = _mm256_cvtph_ps(_mm_loadu_si128(
                    tile.d[half * 8..].as_ptr().cast::<__m128i>(),
                ));
                for h in 0..16 {
                    let b = sb * 8 + h / 2;
                    let sc = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(
                        tile.sc[h][half * 8..].as_ptr().cast::<__m128i>(),
                    )));
                    let scale = _mm256_mul_ps(d, sc);
                    let qh =
                        _mm256_load_si256(tile.qh[h].0.as_ptr().add(half * 32).cast::<__m256i>());
                    let x = input.q.as_ptr().add((b * m + row0) * BLOCK + (h % 2) * 16);
                    let offset = input.half_offset.as_ptr().add((b * m + row0) * 2 + h % 2);
                    let mut s: [__m256i; R] =
                        std::array::from_fn(|r| _mm256_set1_epi32(*offset.add(2 * r)));
                    for e in 0..2 {
                        let line = tile.ql[2 * h + e].0.as_ptr().add(half * 32);
                        let w = _mm256_load_si256(line.cast::<__m256i>());
                        let (lo_top, hi_top) = if e == 0 {
                            (_mm256_slli_epi16::<4>(qh), _mm256_slli_epi16::<2>(qh))
                        } else {
                            (qh, _mm256_srli_epi16::<2>(qh))
                        };
                        let lo = _mm256_or_si256(
                            _mm256_and_si256(w, nibble),
                            _mm256_and_si256(lo_top, top),
                        );
                        let hi = _mm256_or_si256(
                            _mm256_and_si256(_mm256_srli_epi16::<4>(w), nibble),
                            _mm256_and_si256(hi_top, top),
                        );
                        for (r, s) in s.iter_mut().enumerate() {
                            let xl = _mm256_set1_epi32(four(x, r * BLOCK + 8 * e));
                            let xh = _mm256_set1_epi32(four(x, r * BLOCK + 8 * e + 4));
                            let pairs = _mm256_add_epi16(
                                _mm256_maddubs_epi16(lo, xl),
                                _mm256_maddubs_epi16(hi, xh),
                            );
                            *s = _mm256_add_epi32(*s, _mm256_madd_epi16(pairs, ones));
                        }
                    }
                    let xs = input.scale.as_ptr().add(b * m + row0);
                    add_half_block(&mut acc, &s, scale, xs);
                }
            }
        }
        // SAFETY: AVX and `out`'s size are this kernel's preconditions.
        unsafe { store_half_rows(&acc, half, out) };
    }
}
