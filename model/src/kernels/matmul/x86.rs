//! What the x86 tile kernels share: the `q8_0`, `q4_k` and `q6_k` kernels written once over
//! [`Tiles`], an instruction set's integer products and its [`Register`] of f32 lanes, which
//! `avx512` (VNNI, `__m512`: a whole tile per register) and `avx2` (`__m256`: a tile in two parts
//! of eight rows) implement, and the `variant!` macro that compiles them for one instruction set.
//!
//! Every kernel computes a block's integer dot products exactly, then `acc = fma(weight scales,
//! f32(sum) * activation scale, acc)` in that order, so the variants give the same floats.

use super::{BLOCK, ColumnQ8_0, LINES_PER_BLOCK, QuantizedInput, TILE_ROWS, TileQ4K, TileQ6K};
use crate::kernels::simd::{Register, Widen, prefetch};

/// An instruction set's integer side of the tile kernels, in registers of [`Tiles::F`]'s width:
/// one i32 lane (four bytes of a packed line) per output row of a part of the tile.
///
/// # Safety
/// Every method needs the instruction set's features; pointers are to a register's worth of
/// readable bytes, aligned to it.
pub(super) trait Tiles {
    /// f32 lanes, one per output row.
    type F: Register<Int = Self::I>;
    /// i32 lanes, or four bytes each.
    type I: Copy;
    /// A `q8_0` line (weights plus 128) as [`Tiles::q8_dot`] takes it.
    type Q8: Copy;
    /// Two integer sums per row when the rows are fewer than four: more independent products to
    /// hide their latency (the rows do from four on).
    const SPLIT: bool;
    /// Whether the `q4_k` and `q6_k` kernels prefetch the tile after next (measured with AVX-512
    /// VNNI only: the hardware prefetchers fell behind its reads).
    const PREFETCH: bool;
    unsafe fn zero() -> Self::I;
    unsafe fn splat(x: i32) -> Self::I;
    unsafe fn splat_bytes(x: u8) -> Self::I;
    unsafe fn load(p: *const u8) -> Self::I;
    unsafe fn add(a: Self::I, b: Self::I) -> Self::I;
    unsafe fn and(a: Self::I, b: Self::I) -> Self::I;
    unsafe fn or(a: Self::I, b: Self::I) -> Self::I;
    /// Each 16-bit lane shifted left by `K`.
    unsafe fn shl16<const K: u32>(a: Self::I) -> Self::I;
    /// Each 16-bit lane shifted right by `K`, shifting in zeros.
    unsafe fn shr16<const K: u32>(a: Self::I) -> Self::I;
    /// `acc` plus, per i32 lane, the products of its four unsigned bytes of `w` (below 64) with
    /// the four signed bytes of `x`.
    unsafe fn dot(acc: Self::I, w: Self::I, x: i32) -> Self::I;
    /// `dot(dot(acc, lo, xl), hi, xh)`.
    unsafe fn dot2(acc: Self::I, lo: Self::I, xl: i32, hi: Self::I, xh: i32) -> Self::I;
    /// A line of `q8_0` weights plus 128, ready for [`Tiles::q8_dot`].
    unsafe fn q8_weights(w: Self::I) -> Self::Q8;
    /// The start of a `q8_0` block's sums, given `-128 * sum(x)` of the activation block.
    unsafe fn q8_start(offset: i32) -> Self::I;
    /// `acc` plus the products of the four weights (less 128) with the four bytes of `x`, from
    /// [`Tiles::q8_start`].
    unsafe fn q8_dot(acc: Self::I, w: Self::Q8, x: i32) -> Self::I;
}

/// Lanes, and bytes, of one register.
const fn lanes<S: Tiles>() -> (usize, usize) {
    (S::F::LANES, 4 * S::F::LANES)
}

/// The tile kernels compiled for `$features` with `$tiles`' products: `q8_0`, `q4k` and `q6k`
/// for `R` activation rows from `row0`, into `out` (`[row][16]`).
///
/// Their safety contract: the CPU has `$features`; `row0 + R <= input.rows`; `out.len() >= R * 16`;
/// the column spans `input.cols` inputs.
macro_rules! variant {
    ($tiles:ty, $features:literal) => {
        /// # Safety
        /// See `variant!`.
        #[target_feature(enable = $features)]
        pub(super) unsafe fn q8_0<const R: usize>(
            column: &super::ColumnQ8_0,
            input: &super::QuantizedInput,
            row0: usize,
            out: &mut [f32],
        ) {
            // SAFETY: the same contract.
            unsafe { super::x86::q8_0::<$tiles, R>(column, input, row0, out) }
        }

        /// # Safety
        /// See `variant!`.
        #[target_feature(enable = $features)]
        pub(super) unsafe fn q4k<const R: usize>(
            tiles: &[super::TileQ4K],
            input: &super::QuantizedInput,
            row0: usize,
            out: &mut [f32],
        ) {
            // SAFETY: the same contract.
            unsafe { super::x86::q4k::<$tiles, R>(tiles, input, row0, out) }
        }

        /// # Safety
        /// See `variant!`.
        #[target_feature(enable = $features)]
        pub(super) unsafe fn q6k<const R: usize>(
            tiles: &[super::TileQ6K],
            input: &super::QuantizedInput,
            row0: usize,
            out: &mut [f32],
        ) {
            // SAFETY: the same contract.
            unsafe { super::x86::q6k::<$tiles, R>(tiles, input, row0, out) }
        }
    };
}

/// Four activation bytes as one `i32` (to broadcast to every 32-bit lane).
///
/// # Safety
/// `x + at` and the 3 bytes after it are in one allocation.
#[inline(always)]
unsafe fn four(x: *const i8, at: usize) -> i32 {
    // SAFETY: in bounds by the caller; an unaligned read of 4 bytes.
    unsafe { x.add(at).cast::<i32>().read_unaligned() }
}

/// `acc[r] += weights * (f32(s[r] + s1[r]) * x_scale[r])` for each row (`s1` only where
/// `split`): one block's exact integer dot products, times the weights' scales (one per output)
/// and the activations' (one per row), in this order in every kernel.
///
/// # Safety
/// `S`'s instructions; `x_scale` points at `R` readable values.
#[inline(always)]
unsafe fn add_block<S: Tiles, const R: usize>(
    acc: &mut [S::F; R],
    s: &[S::I; R],
    s1: &[S::I; R],
    split: bool,
    weights: S::F,
    x_scale: *const f32,
) {
    for (r, acc) in acc.iter_mut().enumerate() {
        // SAFETY: by the caller.
        unsafe {
            let sum = if split { S::add(s[r], s1[r]) } else { s[r] };
            let t = S::F::mul(S::F::from_int(sum), S::F::splat(*x_scale.add(r)));
            *acc = S::F::fmadd(weights, t, *acc);
        }
    }
}

/// Each row's sums plus the products of a line's low and high nibbles `lo` and `hi` (values below
/// 64) with its four activation bytes at `at` and the four at `at + 4` (the high ones into `s1`
/// where `split`).
///
/// # Safety
/// `S`'s instructions; rows of 32 bytes at `x` hold `at + 8` each.
#[inline(always)]
unsafe fn dot_rows<S: Tiles, const R: usize>(
    s: &mut [S::I; R],
    s1: &mut [S::I; R],
    split: bool,
    (lo, hi): (S::I, S::I),
    x: *const i8,
    at: usize,
) {
    for r in 0..R {
        // SAFETY: by the caller.
        unsafe {
            let (xl, xh) = (four(x, r * BLOCK + at), four(x, r * BLOCK + at + 4));
            if split {
                s[r] = S::dot(s[r], lo, xl);
                s1[r] = S::dot(s1[r], hi, xh);
            } else {
                s[r] = S::dot2(s[r], lo, xl, hi, xh);
            }
        }
    }
}

/// Part `part` of each row's 16 outputs, `out[r * 16 + part * LANES..]`.
///
/// # Safety
/// `S`'s instructions; `out` holds `R * 16` values.
#[inline(always)]
unsafe fn store_rows<S: Tiles, const R: usize>(acc: &[S::F; R], part: usize, out: &mut [f32]) {
    debug_assert!(out.len() >= R * TILE_ROWS);
    for (r, acc) in acc.iter().enumerate() {
        // SAFETY: by the caller.
        unsafe { acc.store(out.as_mut_ptr().add(r * TILE_ROWS + part * S::F::LANES)) };
    }
}

/// Checks the preconditions every kernel relies on for its unchecked reads (debug builds).
fn check<const R: usize>(column: &ColumnQ8_0, input: &QuantizedInput, row0: usize, out: &[f32]) {
    let blocks = input.cols / BLOCK;
    debug_assert!(row0 + R <= input.rows && out.len() >= R * TILE_ROWS);
    debug_assert_eq!(column.qs.len(), blocks * LINES_PER_BLOCK);
    debug_assert_eq!(column.scales.len(), blocks * TILE_ROWS);
    debug_assert_eq!(input.q.len(), input.rows * input.cols);
    debug_assert_eq!(input.scale.len(), input.rows * blocks);
    debug_assert_eq!(input.offset.len(), input.rows * blocks);
}

/// The preconditions of the `q4_k` and `q6_k` kernels (debug builds): `supers` tiles of 256
/// inputs span the input rows, and every array of `input` a kernel reads has its size.
fn check_super_blocks<const R: usize>(
    supers: usize,
    input: &QuantizedInput,
    row0: usize,
    out: &[f32],
) {
    let blocks = input.rows * input.cols / BLOCK;
    debug_assert!(row0 + R <= input.rows && out.len() >= R * TILE_ROWS);
    debug_assert_eq!(supers * 256, input.cols);
    debug_assert_eq!(input.q.len(), input.rows * input.cols);
    debug_assert_eq!(input.scale.len(), blocks);
    debug_assert_eq!(input.scaled_sum.len(), blocks);
    debug_assert_eq!(input.half_offset.len(), 2 * blocks);
}

/// `q8_0` tiles against `R` activation rows: per 32-input block and row, the exact integer dot
/// product of the weights with the activation bytes.
///
/// # Safety
/// See `variant!`.
#[inline(always)]
pub(super) unsafe fn q8_0<S: Tiles, const R: usize>(
    column: &ColumnQ8_0,
    input: &QuantizedInput,
    row0: usize,
    out: &mut [f32],
) where
    half::f16: Widen<S::F>,
{
    check::<R>(column, input, row0, out);
    let (blocks, m) = (input.cols / BLOCK, input.rows);
    let (lanes, bytes) = lanes::<S>();
    let split = S::SPLIT && R < 4;
    for part in 0..TILE_ROWS / lanes {
        // SAFETY (the whole part): `S`'s instructions by the caller. The preconditions put block
        // `b`'s 8 lines and 16 scales in `column` (a part is `bytes` of each line, aligned), and
        // rows `row0..row0 + R` of block `b` (32 bytes, a scale and an offset each) at
        // `(b * m + row0 + r)` in `input`'s block-major arrays.
        unsafe {
            let mut acc = [S::F::zero(); R];
            for b in 0..blocks {
                let lines = column.qs.as_ptr().add(b * LINES_PER_BLOCK).cast::<u8>();
                let x = input.q.as_ptr().add((b * m + row0) * BLOCK);
                let offset = input.offset.as_ptr().add(b * m + row0);
                let scale = input.scale.as_ptr().add(b * m + row0);
                let mut s: [S::I; R] = std::array::from_fn(|r| S::q8_start(*offset.add(r)));
                let mut s1 = [S::zero(); R];
                for g in 0..LINES_PER_BLOCK {
                    let w = S::q8_weights(S::load(lines.add(g * 64 + part * bytes)));
                    for r in 0..R {
                        let x = four(x, r * BLOCK + g * 4);
                        if split && g % 2 == 1 {
                            s1[r] = S::q8_dot(s1[r], w, x);
                        } else {
                            s[r] = S::q8_dot(s[r], w, x);
                        }
                    }
                }
                let dw =
                    half::f16::load_wide(column.scales.as_ptr().add(b * TILE_ROWS + part * lanes));
                add_block::<S, R>(&mut acc, &s, &s1, split, dw, scale);
            }
            store_rows::<S, R>(&acc, part, out);
        }
    }
}

const TILE_Q4K_BYTES: usize = size_of::<TileQ4K>();

/// `q4_k` tiles against `R` activation rows: per 32-input sub-block and row, the exact integer
/// dot product `s` of the 4-bit values with the activation bytes, then
/// `acc = fma(d * sc, f32(s) * scale, acc)` and `acc = fma(-(dmin * m), scale * sum(x), acc)`.
///
/// # Safety
/// See `variant!`.
#[inline(always)]
pub(super) unsafe fn q4k<S: Tiles, const R: usize>(
    tiles: &[TileQ4K],
    input: &QuantizedInput,
    row0: usize,
    out: &mut [f32],
) where
    half::f16: Widen<S::F>,
    u8: Widen<S::F>,
{
    check_super_blocks::<R>(tiles.len(), input, row0, out);
    let m = input.rows;
    let (lanes, bytes) = lanes::<S>();
    let split = S::SPLIT && R < 4;
    for part in 0..TILE_ROWS / lanes {
        // SAFETY (the whole part): `S`'s instructions by the caller; each `tile` is one
        // `TileQ4K`, whose arrays of 16 rows hold part `part` at `part * lanes` (`part * bytes`
        // of a line); rows `row0..row0 + R` of blocks `sb * 8..sb * 8 + 8` are at
        // `(b * m + row0 + r)` in `input`'s arrays.
        unsafe {
            let nibble = S::splat_bytes(0x0F);
            let mut acc = [S::F::zero(); R];
            for (sb, tile) in tiles.iter().enumerate() {
                let d = half::f16::load_wide(tile.d.as_ptr().add(part * lanes));
                let dmin = half::f16::load_wide(tile.dmin.as_ptr().add(part * lanes));
                // The tile after next, 5 lines per sub-block.
                let ahead = std::ptr::from_ref(tile)
                    .cast::<u8>()
                    .wrapping_add(2 * TILE_Q4K_BYTES);
                for j in 0..8 {
                    if S::PREFETCH {
                        for l in 0..5 {
                            prefetch(ahead.wrapping_add((j * 5 + l) * 64));
                        }
                    }
                    let b = sb * 8 + j;
                    let widen =
                        |bytes: &[u8; TILE_ROWS]| u8::load_wide(bytes.as_ptr().add(part * lanes));
                    let scale = S::F::mul(d, widen(&tile.sc[j]));
                    let min = S::F::mul(dmin, widen(&tile.m[j]));
                    let x = input.q.as_ptr().add((b * m + row0) * BLOCK);
                    let mut s = [S::zero(); R];
                    let mut s1 = [S::zero(); R];
                    for c in 0..4 {
                        let w = S::load(tile.qs[4 * j + c].0.as_ptr().add(part * bytes));
                        let lo = S::and(w, nibble);
                        let hi = S::and(S::shr16::<4>(w), nibble);
                        dot_rows::<S, R>(&mut s, &mut s1, split, (lo, hi), x, 8 * c);
                    }
                    let xs = input.scale.as_ptr().add(b * m + row0);
                    let xsum = input.scaled_sum.as_ptr().add(b * m + row0);
                    add_block::<S, R>(&mut acc, &s, &s1, split, scale, xs);
                    for (r, acc) in acc.iter_mut().enumerate() {
                        *acc = S::F::fnmadd(min, S::F::splat(*xsum.add(r)), *acc);
                    }
                }
            }
            store_rows::<S, R>(&acc, part, out);
        }
    }
}

const TILE_Q6K_BYTES: usize = size_of::<TileQ6K>();

/// `q6_k` tiles against `R` activation rows: per 16-input sub-block `h` and row, the exact
/// integer dot product `s` of the 6-bit values with the activation bytes, less `32 * sum(x)`,
/// then `acc = fma(d * sc[h], f32(s) * scale, acc)`.
///
/// # Safety
/// See `variant!`.
#[inline(always)]
pub(super) unsafe fn q6k<S: Tiles, const R: usize>(
    tiles: &[TileQ6K],
    input: &QuantizedInput,
    row0: usize,
    out: &mut [f32],
) where
    half::f16: Widen<S::F>,
    i8: Widen<S::F>,
{
    check_super_blocks::<R>(tiles.len(), input, row0, out);
    let m = input.rows;
    let (lanes, bytes) = lanes::<S>();
    let split = S::SPLIT && R < 4;
    for part in 0..TILE_ROWS / lanes {
        // SAFETY (the whole part): as in `q4k`, with `TileQ6K`s (twice the offsets in
        // `half_offset`).
        unsafe {
            let nibble = S::splat_bytes(0x0F);
            let top = S::splat_bytes(0x30);
            let mut acc = [S::F::zero(); R];
            for (sb, tile) in tiles.iter().enumerate() {
                let d = half::f16::load_wide(tile.d.as_ptr().add(part * lanes));
                // As in `q4k`: the tile after next, 4 of its 53 lines per sub-block.
                let ahead = std::ptr::from_ref(tile)
                    .cast::<u8>()
                    .wrapping_add(2 * TILE_Q6K_BYTES);
                for h in 0..16 {
                    if S::PREFETCH {
                        for l in 0..4 {
                            prefetch(ahead.wrapping_add((h * 4 + l) * 64));
                        }
                    }
                    let b = sb * 8 + h / 2;
                    let sc = i8::load_wide(tile.sc[h].as_ptr().add(part * lanes));
                    let scale = S::F::mul(d, sc);
                    let qh = S::load(tile.qh[h].0.as_ptr().add(part * bytes));
                    let x = input.q.as_ptr().add((b * m + row0) * BLOCK + (h % 2) * 16);
                    let offset = input.half_offset.as_ptr().add((b * m + row0) * 2 + h % 2);
                    let mut s: [S::I; R] = std::array::from_fn(|r| S::splat(*offset.add(2 * r)));
                    let mut s1 = [S::zero(); R];
                    for e in 0..2 {
                        let w = S::load(tile.ql[2 * h + e].0.as_ptr().add(part * bytes));
                        // Each 16-bit shift drags in bits of the next byte, which `top` drops.
                        let (lo_top, hi_top) = if e == 0 {
                            (S::shl16::<4>(qh), S::shl16::<2>(qh))
                        } else {
                            (qh, S::shr16::<2>(qh))
                        };
                        let lo = S::or(S::and(w, nibble), S::and(lo_top, top));
                        let hi = S::or(S::and(S::shr16::<4>(w), nibble), S::and(hi_top, top));
                        dot_rows::<S, R>(&mut s, &mut s1, split, (lo, hi), x, 8 * e);
                    }
                    let xs = input.scale.as_ptr().add(b * m + row0);
                    add_block::<S, R>(&mut acc, &s, &s1, split, scale, xs);
                }
            }
            store_rows::<S, R>(&acc, part, out);
        }
    }
}
