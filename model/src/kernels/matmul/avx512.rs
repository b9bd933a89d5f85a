//! The `q8_0`, `q4_k` and `q6_k` kernels with AVX-512 F/BW and VNNI (`vpdpbusd`: 16 output rows'
//! four-byte dot products per instruction), and the activations' quantization in AVX-512 registers.

use std::arch::x86_64::*;

use super::{
    BLOCK, ColumnQ8_0, LINES_PER_BLOCK, QuantizedInput, TILE_ROWS, TileQ4K, TileQ6K, check,
    check_super_blocks, four,
};

/// [`quantize_body`](super::quantize_body) in AVX-512 registers, two per block (LLVM leaves the portable body scalar: a
/// float maximum and a rounding per value; prefill quantizes 12 million values per layer at 1,700
/// tokens). The same operations in the same order, so the same bytes and scales.
#[target_feature(enable = "avx512f,avx512bw")]
pub(super) fn quantize(x: &[f32], input: &mut QuantizedInput) {
    use std::arch::x86_64::*;
    let blocks = input.cols / BLOCK;
    for (i, x) in x.chunks_exact(BLOCK).enumerate() {
        let at = (i % blocks) * input.rows + i / blocks;
        let q = &mut input.q[at * BLOCK..][..BLOCK];
        // SAFETY: `x` and `q` hold 32 values each; unaligned loads and stores.
        let (d, sum) = unsafe {
            let (a, b) = (
                _mm512_loadu_ps(x.as_ptr()),
                _mm512_loadu_ps(x.as_ptr().add(16)),
            );
            let amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(a), _mm512_abs_ps(b)));
            let d = amax / 127.0;
            let inv = _mm512_set1_ps(if d > 0.0 { 1.0 / d } else { 0.0 });
            // `vcvtps2dq` rounds to nearest, ties to even (the default rounding mode).
            let limit = _mm512_set1_epi32(127);
            let round = |v: __m512| {
                let n = _mm512_cvtps_epi32(_mm512_mul_ps(v, inv));
                _mm512_max_epi32(
                    _mm512_min_epi32(n, limit),
                    _mm512_sub_epi32(_mm512_setzero_si512(), limit),
                )
            };
            let (qa, qb) = (round(a), round(b));
            _mm_storeu_si128(q.as_mut_ptr().cast::<__m128i>(), _mm512_cvtepi32_epi8(qa));
            _mm_storeu_si128(
                q.as_mut_ptr().add(16).cast::<__m128i>(),
                _mm512_cvtepi32_epi8(qb),
            );
            (
                d,
                [_mm512_reduce_add_epi32(qa), _mm512_reduce_add_epi32(qb)],
            )
        };
        input.set_sums(at, d, sum);
    }
}

const TILE_Q4K_BYTES: usize = size_of::<TileQ4K>();

/// `acc[r] += weights * (f32(s[r] + s1[r]) * x_scale[r])` for each row (`s1` only where
/// `split`): one block's exact integer dot products, times the weights' scales (one per output)
/// and the activations' (one per row), in this order in every kernel.
///
/// # Safety
/// The CPU has AVX-512F; `x_scale` points at `R` readable values.
#[inline(always)]
unsafe fn add_block<const R: usize>(
    acc: &mut [__m512; R],
    s: &[__m512i; R],
    s1: &[__m512i; R],
    split: bool,
    weights: __m512,
    x_scale: *const f32,
) {
    for (r, acc) in acc.iter_mut().enumerate() {
        // SAFETY: by the caller.
        unsafe {
            let sum = if split {
                _mm512_add_epi32(s[r], s1[r])
            } else {
                s[r]
            };
            let t = _mm512_mul_ps(_mm512_cvtepi32_ps(sum), _mm512_set1_ps(*x_scale.add(r)));
            *acc = _mm512_fmadd_ps(weights, t, *acc);
        }
    }
}

/// Each row's 16 outputs, `out[r * 16..]`.
///
/// # Safety
/// The CPU has AVX-512F; `out` holds `R * 16` values.
#[inline(always)]
unsafe fn store_rows<const R: usize>(acc: &[__m512; R], out: &mut [f32]) {
    debug_assert!(out.len() >= R * TILE_ROWS);
    for (r, acc) in acc.iter().enumerate() {
        // SAFETY: by the caller.
        unsafe { _mm512_storeu_ps(out.as_mut_ptr().add(r * TILE_ROWS), *acc) };
    }
}

/// # Safety
/// The CPU has AVX-512 F/BW/VNNI; `row0 + R <= input.rows`; `out.len() >= R * 16`; `column`
/// spans `input.cols` inputs.
#[target_feature(enable = "avx512f,avx512bw,avx512vnni,avx2,fma,f16c")]
pub(super) unsafe fn q8_0<const R: usize>(
    column: &ColumnQ8_0,
    input: &QuantizedInput,
    row0: usize,
    out: &mut [f32],
) {
    check::<R>(column, input, row0, out);
    let (blocks, m) = (input.cols / BLOCK, input.rows);
    // With few rows, two integer sums per row keep enough `vpdpbusd`s independent to hide
    // their latency; from four rows on, the rows do.
    let split = R < 4;
    let mut acc = [_mm512_setzero_ps(); R];
    for b in 0..blocks {
        // SAFETY (the whole block): the preconditions put block `b`'s 8 lines and 16 scales in
        // `column`, and rows `row0..row0 + R` of block `b` (32 bytes, a scale and an offset
        // each) at `(b * m + row0 + r)` in `input`'s block-major arrays.
        unsafe {
            let lines = column
                .qs
                .as_ptr()
                .add(b * LINES_PER_BLOCK)
                .cast::<__m512i>();
            let x = input.q.as_ptr().add((b * m + row0) * BLOCK);
            let offset = input.offset.as_ptr().add(b * m + row0);
            let scale = input.scale.as_ptr().add(b * m + row0);
            let mut s: [__m512i; R] = std::array::from_fn(|r| _mm512_set1_epi32(*offset.add(r)));
            let mut s1 = [_mm512_setzero_si512(); R];
            for g in 0..LINES_PER_BLOCK {
                let w = _mm512_load_si512(lines.add(g));
                for r in 0..R {
                    let xv = _mm512_set1_epi32(four(x, r * BLOCK + g * 4));
                    if split && g % 2 == 1 {
                        s1[r] = _mm512_dpbusd_epi32(s1[r], w, xv);
                    } else {
                        s[r] = _mm512_dpbusd_epi32(s[r], w, xv);
                    }
                }
            }
            let dw = _mm512_cvtph_ps(_mm256_loadu_si256(
                column.scales.as_ptr().add(b * TILE_ROWS).cast::<__m256i>(),
            ));
            add_block(&mut acc, &s, &s1, split, dw, scale);
        }
    }
    // SAFETY: AVX-512F and `out`'s size are this kernel's preconditions.
    unsafe { store_rows(&acc, out) };
}

/// `q4_k` tiles against `R` activation rows: per 32-input sub-block and row, the exact integer
/// dot product `s` of the 4-bit values with the activation bytes, then
/// `acc = fma(d * sc, f32(s) * scale, acc)` and `acc = fma(-(dmin * m), scale * sum(x), acc)`.
///
/// # Safety
/// The CPU has AVX-512 F/BW/VNNI; `row0 + R <= input.rows`; `out.len() >= R * 16`; `tiles`
/// span `input.cols` inputs.
#[target_feature(enable = "avx512f,avx512bw,avx512vnni,avx2,fma,f16c")]
pub(super) unsafe fn q4k<const R: usize>(
    tiles: &[TileQ4K],
    input: &QuantizedInput,
    row0: usize,
    out: &mut [f32],
) {
    check_super_blocks::<R>(tiles.len(), input, row0, out);
    let m = input.rows;
    let split = R < 4;
    let nibble = _mm512_set1_epi8(0x0F);
    let mut acc = [_mm512_setzero_ps(); R];
    for (sb, tile) in tiles.iter().enumerate() {
        // SAFETY (the whole super-block): `tile` is one `TileQ4K`; rows `row0..row0 + R` of
        // blocks `sb * 8..sb * 8 + 8` are at `(b * m + row0 + r)` in `input`'s arrays.
        unsafe {
            let d = _mm512_cvtph_ps(_mm256_loadu_si256(tile.d.as_ptr().cast::<__m256i>()));
            let dmin = _mm512_cvtph_ps(_mm256_loadu_si256(tile.dmin.as_ptr().cast::<__m256i>()));
            // The hardware prefetchers fall behind on these tiles (the kernel ran at 70% of
            // the read bandwidth): fetch the tile after next, 5 lines per sub-block.
            let ahead = std::ptr::from_ref(tile)
                .cast::<i8>()
                .wrapping_add(2 * TILE_Q4K_BYTES);
            for j in 0..8 {
                for l in 0..5 {
                    _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add((j * 5 + l) * 64));
                }
                let b = sb * 8 + j;
                let widen = |bytes: &[u8; TILE_ROWS]| {
                    _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(
                        bytes.as_ptr().cast::<__m128i>(),
                    )))
                };
                let scale = _mm512_mul_ps(d, widen(&tile.sc[j]));
                let min = _mm512_mul_ps(dmin, widen(&tile.m[j]));
                let x = input.q.as_ptr().add((b * m + row0) * BLOCK);
                let mut s = [_mm512_setzero_si512(); R];
                let mut s1 = [_mm512_setzero_si512(); R];
                for c in 0..4 {
                    let w = _mm512_load_si512(tile.qs[4 * j + c].0.as_ptr().cast::<__m512i>());
                    let lo = _mm512_and_si512(w, nibble);
                    let hi = _mm512_and_si512(_mm512_srli_epi16::<4>(w), nibble);
                    for r in 0..R {
                        let xl = _mm512_set1_epi32(four(x, r * BLOCK + 8 * c));
                        let xh = _mm512_set1_epi32(four(x, r * BLOCK + 8 * c + 4));
                        s[r] = _mm512_dpbusd_epi32(s[r], lo, xl);
                        if split {
                            s1[r] = _mm512_dpbusd_epi32(s1[r], hi, xh);
                        } else {
                            s[r] = _mm512_dpbusd_epi32(s[r], hi, xh);
                        }
                    }
                }
                let xs = input.scale.as_ptr().add(b * m + row0);
                let xsum = input.scaled_sum.as_ptr().add(b * m + row0);
                add_block(&mut acc, &s, &s1, split, scale, xs);
                for (r, acc) in acc.iter_mut().enumerate() {
                    *acc = _mm512_fnmadd_ps(min, _mm512_set1_ps(*xsum.add(r)), *acc);
                }
            }
        }
    }
    // SAFETY: AVX-512F and `out`'s size are this kernel's preconditions.
    unsafe { store_rows(&acc, out) };
}

const TILE_Q6K_BYTES: usize = size_of::<TileQ6K>();

/// `q6_k` tiles against `R` activation rows: per 16-input sub-block `h` and row, the exact
/// integer dot product `s` of the 6-bit values with the activation bytes, less `32 * sum(x)`,
/// then `acc = fma(d * sc[h], f32(s) * scale, acc)`.
///
/// # Safety
/// The CPU has AVX-512 F/BW/VNNI; `row0 + R <= input.rows`; `out.len() >= R * 16`; `tiles`
/// span `input.cols` inputs.
#[target_feature(enable = "avx512f,avx512bw,avx512vnni,avx2,fma,f16c")]
pub(super) unsafe fn q6k<const R: usize>(
    tiles: &[TileQ6K],
    input: &QuantizedInput,
    row0: usize,
    out: &mut [f32],
) {
    check_super_blocks::<R>(tiles.len(), input, row0, out);
    let m = input.rows;
    let split = R < 4;
    let nibble = _mm512_set1_epi8(0x0F);
    let top = _mm512_set1_epi8(0x30);
    let mut acc = [_mm512_setzero_ps(); R];
    for (sb, tile) in tiles.iter().enumerate() {
        // SAFETY (the whole super-block): `tile` is one `TileQ6K`; rows `row0..row0 + R` of
        // blocks `sb * 8..sb * 8 + 8` are at `(b * m + row0 + r)` in `input`'s arrays (twice
        // that in `half_offset`).
        unsafe {
            let d = _mm512_cvtph_ps(_mm256_loadu_si256(tile.d.as_ptr().cast::<__m256i>()));
            // As in `q4k`: the tile after next, 4 of its 53 lines per sub-block.
            let ahead = std::ptr::from_ref(tile)
                .cast::<i8>()
                .wrapping_add(2 * TILE_Q6K_BYTES);
            for h in 0..16 {
                for l in 0..4 {
                    _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add((h * 4 + l) * 64));
                }
                let b = sb * 8 + h / 2;
                let sc = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(
                    tile.sc[h].as_ptr().cast::<__m128i>(),
                )));
                let scale = _mm512_mul_ps(d, sc);
                let qh = _mm512_load_si512(tile.qh[h].0.as_ptr().cast::<__m512i>());
                let x = input.q.as_ptr().add((b * m + row0) * BLOCK + (h % 2) * 16);
                let offset = input.half_offset.as_ptr().add((b * m + row0) * 2 + h % 2);
                let mut s: [__m512i; R] =
                    std::array::from_fn(|r| _mm512_set1_epi32(*offset.add(2 * r)));
                let mut s1 = [_mm512_setzero_si512(); R];
                for e in 0..2 {
                    let w = _mm512_load_si512(tile.ql[2 * h + e].0.as_ptr().cast::<__m512i>());
                    // Each 16-bit shift drags in bits of the next byte, which `top` drops.
                    let (lo_top, hi_top) = if e == 0 {
                        (_mm512_slli_epi16::<4>(qh), _mm512_slli_epi16::<2>(qh))
                    } else {
                        (qh, _mm512_srli_epi16::<2>(qh))
                    };
                    let lo =
                        _mm512_or_si512(_mm512_and_si512(w, nibble), _mm512_and_si512(lo_top, top));
                    let hi = _mm512_or_si512(
                        _mm512_and_si512(_mm512_srli_epi16::<4>(w), nibble),
                        _mm512_and_si512(hi_top, top),
                    );
                    for r in 0..R {
                        let xl = _mm512_set1_epi32(four(x, r * BLOCK + 8 * e));
                        let xh = _mm512_set1_epi32(four(x, r * BLOCK + 8 * e + 4));
                        s[r] = _mm512_dpbusd_epi32(s[r], lo, xl);
                        if split {
                            s1[r] = _mm512_dpbusd_epi32(s1[r], hi, xh);
                        } else {
                            s[r] = _mm512_dpbusd_epi32(s[r], hi, xh);
                        }
                    }
                }
                let xs = input.scale.as_ptr().add(b * m + row0);
                add_block(&mut acc, &s, &s1, split, scale, xs);
            }
        }
    }
    // SAFETY: AVX-512F and `out`'s size are this kernel's preconditions.
    unsafe { store_rows(&acc, out) };
}
