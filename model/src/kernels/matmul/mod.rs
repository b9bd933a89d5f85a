//! `q8_0`, `q4_k` and `q6_k` matrix products of our own for x86-64 CPUs (AVX-512 VNNI, else AVX2 +
//! FMA + F16C).
//!
//! A `q8_0` matrix holds 32 signed bytes and one f16 scale per 32 inputs of an output row; `q4_k`
//! holds 4-bit values in super-blocks of 256 with a 6-bit scale and minimum per 32; `q6_k` 6-bit
//! values (stored as 4 + 2 bits) with a signed 8-bit scale per 16. candle 0.11 multiplies them in
//! two ways: repacked into 16-row tiles for AVX-512 VNNI (which it keeps *beside* the original
//! blocks, so the matrix is in memory twice), or block by block. [`Packed`] takes over
//! the tile layout and drops the original, and its kernels do less per block:
//!
//! - Activations are quantized per 32 values (`d = max|x| / 127`, one f32 scale per block), the
//!   granularity of the weights' scales, where candle's tile path takes one scale per 256.
//! - `q8_0` weights are stored plus 128 so that one `vpdpbusd` (unsigned x signed bytes) multiplies
//!   four of them by four activation bytes for 16 output rows at once; the offset's `128 * sum(x)`
//!   is the initial value of the block's integer sum, so each block ends in an exact integer dot
//!   product and three vector operations (convert, times the activation scale, fused multiply-add
//!   with the 16 weight scales). `q4_k` nibbles are unsigned already; its minimum term is one more
//!   fused multiply-add with the activation block's scaled sum. `q6_k` values are unsigned too
//!   (`q - 32` is the weight): `-32 * sum(x)` of each 16 inputs starts their integer sum.
//! - Up to [`MAX_GROUP`] activation rows share each weight load (decode of a batch, or prefill in
//!   groups), each row with its own accumulators, so every output is computed the same way whatever
//!   the number of rows it came with: batched, prefix-cached and one-row results agree to the bit.
//! - The kernels prefetch the weights a few cache lines ahead (the hardware prefetchers alone fall
//!   short of the read bandwidth; benches/RESULTS.md, "Kernel notes").
//! - Without AVX-512 VNNI the same tiles run through AVX2 (`vpmaddubsw`; for `q8_0` on the weight's
//!   magnitude and the activation carrying the weight's sign), giving the same integers and so the
//!   same floats.
//!
//! The embedding table of a model whose LM head is tied to it is one of these matrices too: a lookup
//! dequantizes the rows it reads ([`Packed::rows_f32`]), equal to ggml's dequantization.
//!
//! Elsewhere (other types such as `q5_k`, other architectures, older x86, a CUDA device, shapes not
//! in whole tiles) the caller keeps candle's `QMatMul`: [`Packed::from_qtensor`] answers `None`.
//!
//! This module holds the tile layouts, the activations' quantization and the dispatch (a [`Kernel`]
//! picked once per matrix, when it is packed, from [`Isa::detected`]); the kernels are written once
//! in `x86`, compiled in `avx512` and `avx2`.

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::utils::barrier_pool;
use candle_core::{Device, Result, Tensor, bail};
use half::f16;
use std::sync::Mutex;

use crate::kernels::Isa;

/// Output rows per tile: one 512-bit register of i32 sums.
const TILE_ROWS: usize = 16;
/// Inputs per `q8_0` block.
const BLOCK: usize = 32;
/// Bytes of one `q8_0` block in ggml's layout: the f16 scale, then 32 signed bytes.
const GGML_BLOCK_BYTES: usize = 2 + BLOCK;
/// Cache lines per tile block (16 rows x 32 inputs).
const LINES_PER_BLOCK: usize = TILE_ROWS * BLOCK / 64;
/// Activation rows that share one pass over the weights. Each takes three registers (two integer
/// sums and an f32 accumulator): eight fill 24 of AVX-512's 32.
pub const MAX_GROUP: usize = 8;
/// Tile columns (16 output rows each) per parallel task: 64 outputs, 32 KiB of weights at 1,024
/// inputs, large enough that scheduling is noise, small enough for every thread to get many.
const TILES_PER_TASK: usize = 4;

/// One cache line of packed weights: line `g` of a tile block holds inputs `4g..4g + 4` of its 16
/// rows, row after row, each byte the weight plus 128.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; 64]);

/// The tile kernels a matrix runs: VNNI's, or AVX2's on every other CPU with AVX2 (none below).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kernel {
    #[cfg(target_arch = "x86_64")]
    Avx512Vnni,
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Kernel {
    /// The kernels for `isa` (a CPU that runs it), if any.
    pub(crate) fn for_isa(isa: Isa) -> Option<Kernel> {
        match isa {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512Vnni => Some(Kernel::Avx512Vnni),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 | Isa::Avx2 => Some(Kernel::Avx2),
            _ => None,
        }
    }

    /// Every kernel this CPU runs, best first (tests run each).
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Kernel> {
        let mut kernels: Vec<Kernel> = Isa::available()
            .into_iter()
            .filter_map(Kernel::for_isa)
            .collect();
        kernels.dedup();
        kernels
    }
}

/// A `q8_0`, `q4_k` or `q6_k` matrix `(rows, cols)` (`rows` outputs, `cols` inputs) in 16-row tiles.
pub struct Packed {
    rows: usize,
    cols: usize,
    data: Data,
    kernel: Kernel,
}

enum Data {
    Q8_0 {
        /// `[rows / 16][cols / 32][LINES_PER_BLOCK]`.
        qs: Vec<Line>,
        /// `[rows / 16][cols / 32][16]`: each row's block scale.
        scales: Vec<f16>,
    },
    /// `[rows / 16][cols / 256]`.
    Q4K(Vec<TileQ4K>),
    /// `[rows / 16][cols / 256]`.
    Q6K(Vec<TileQ6K>),
}

/// Inputs per `q4_k` super-block (8 sub-blocks of 32, each with a 6-bit scale and minimum).
const SUPER_BLOCK: usize = 256;
/// Bytes of one `q4_k` super-block in ggml's layout: f16 `d` and `dmin`, 12 bytes of packed 6-bit
/// scales and minimums, 128 bytes of 4-bit values.
const GGML_Q4K_BYTES: usize = 4 + 12 + SUPER_BLOCK / 2;

/// 16 rows x 256 inputs of a `q4_k` matrix. A weight is `d * sc[j] * q - dmin * m[j]` for `q` in
/// `0..16` and sub-block `j`; the 6-bit `sc` and `m` are unpacked to bytes (4.625 bits per weight
/// in all, against ggml's 4.5).
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct TileQ4K {
    /// Sub-block `j`'s values are lines `4j..4j + 4`; line `c` holds 4 bytes per row, byte `i` =
    /// `q[8c + i] | q[8c + 4 + i] << 4` (the low nibbles are inputs `8c..8c + 4` of the sub-block,
    /// the high ones the next four), so one `vpdpbusd` per nibble takes 4 inputs of 16 rows.
    qs: [Line; 32],
    d: [f16; TILE_ROWS],
    dmin: [f16; TILE_ROWS],
    sc: [[u8; TILE_ROWS]; 8],
    m: [[u8; TILE_ROWS]; 8],
}

impl TileQ4K {
    const ZERO: TileQ4K = TileQ4K {
        qs: [Line([0; 64]); 32],
        d: [f16::ZERO; TILE_ROWS],
        dmin: [f16::ZERO; TILE_ROWS],
        sc: [[0; TILE_ROWS]; 8],
        m: [[0; TILE_ROWS]; 8],
    };
}

/// Bytes of one `q6_k` super-block in ggml's layout: 128 bytes of low 4 bits, 64 of high 2 bits,
/// 16 signed scales (one per 16 inputs), then the f16 `d`.
const GGML_Q6K_BYTES: usize = SUPER_BLOCK / 2 + SUPER_BLOCK / 4 + SUPER_BLOCK / 16 + 2;

/// 16 rows x 256 inputs of a `q6_k` matrix (what `Q4_K_M` files hold their LM head, embedding and
/// some value and down projections in). A weight is `d * sc[h] * (q - 32)` for `q` in `0..64` and
/// 16-input sub-block `h`: 6.625 bits per weight, against ggml's 6.5625.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct TileQ6K {
    /// The low 4 bits of `q`, as [`TileQ4K::qs`]: line `c` of 32-input block `j` (line `4j + c`)
    /// holds 4 bytes per row, byte `i` = inputs `8c + i` (low nibble) and `8c + 4 + i` (high).
    ql: [Line; 32],
    /// The high 2 bits: line `h` is sub-block `h`, lines `2h` and `2h + 1` of `ql`. Byte `4r + i`
    /// holds, from bit 0 up, those of line `2h`'s low-nibble input `i`, its high-nibble input `i`,
    /// then the same two of line `2h + 1`, so each moves to bits 4-5 with one shift.
    qh: [Line; 16],
    d: [f16; TILE_ROWS],
    sc: [[i8; TILE_ROWS]; 16],
}

impl TileQ6K {
    const ZERO: TileQ6K = TileQ6K {
        ql: [Line([0; 64]); 32],
        qh: [Line([0; 64]); 16],
        d: [f16::ZERO; TILE_ROWS],
        sc: [[0; TILE_ROWS]; 16],
    };

    /// Row `r`'s `q` (`0..64`) for input `i` of the super-block.
    fn q(&self, r: usize, i: usize) -> u8 {
        let (line, k) = (i / 8, i % 8);
        let (nibble, at) = (k / 4, r * 4 + k % 4);
        let low = (self.ql[line].0[at] >> (4 * nibble)) & 0xF;
        let high = (self.qh[line / 2].0[at] >> (4 * (line % 2) + 2 * nibble)) & 3;
        low | (high << 4)
    }
}

/// Input `i`'s `q` (`0..64`) of a `q6_k` block in ggml's layout (ggml's `dequantize_row_q6_K`:
/// halves of 128 inputs, each in four quarters of 32 that share their `ql` and `qh` bytes).
fn q6k_value(block: &[u8], i: usize) -> u8 {
    let (half, quarter, l) = (i / 128, i % 128 / 32, i % 32);
    let ql = &block[64 * half..];
    let qh = block[SUPER_BLOCK / 2 + 32 * half + l];
    let low = match quarter {
        0 => ql[l] & 0xF,
        1 => ql[l + 32] & 0xF,
        2 => ql[l] >> 4,
        _ => ql[l + 32] >> 4,
    };
    low | (((qh >> (2 * quarter)) & 3) << 4)
}

/// Sub-block `j`'s 6-bit scale and minimum from a `q4_k` block's 12 packed bytes (ggml's
/// `get_scale_min_k4`).
fn scale_min_k4(j: usize, q: &[u8]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        (
            (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4),
            (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
        )
    }
}

/// An error unless `data`, a `(rows, cols)` `name` matrix in ggml's blocks, holds `want` bytes.
fn check_bytes(data: &[u8], name: &str, (rows, cols): (usize, usize), want: usize) -> Result<()> {
    if data.len() != want {
        bail!(
            "{name} matrix {rows}x{cols} holds {} bytes, expected {want}",
            data.len()
        );
    }
    Ok(())
}

/// A `(rows, cols)` matrix of ggml super-blocks of 256 inputs (`bytes` each, a `name` matrix) in
/// 16-row tiles starting as `zero`: `fill(tile, r, block)` puts row `r`'s block into its tile.
fn pack_super_blocks<T: Copy>(
    data: &[u8],
    (rows, cols): (usize, usize),
    name: &str,
    bytes: usize,
    zero: T,
    fill: impl Fn(&mut T, usize, &[u8]),
) -> Result<Vec<T>> {
    let supers = cols / SUPER_BLOCK;
    check_bytes(data, name, (rows, cols), rows * supers * bytes)?;
    let mut tiles = vec![zero; rows / TILE_ROWS * supers];
    for (t, tile) in tiles.iter_mut().enumerate() {
        let (column, sb) = (t / supers, t % supers);
        for r in 0..TILE_ROWS {
            let at = ((column * TILE_ROWS + r) * supers + sb) * bytes;
            fill(tile, r, &data[at..at + bytes]);
        }
    }
    Ok(tiles)
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packed")
            .field("rows", &self.rows)
            .field("cols", &self.cols)
            .field("kernel", &self.kernel)
            .finish()
    }
}

impl Packed {
    /// `t` repacked, when it is a `q8_0`, `q4_k` or `q6_k` matrix on the CPU whose rows fill whole
    /// tiles and this CPU has a kernel; `None` otherwise (the caller keeps candle's). `t` can be
    /// dropped afterwards.
    pub fn from_qtensor(t: &QTensor) -> Result<Option<Self>> {
        match Kernel::for_isa(Isa::detected()) {
            Some(kernel) => Self::with_kernel(t, kernel),
            None => Ok(None),
        }
    }

    pub(crate) fn with_kernel(t: &QTensor, kernel: Kernel) -> Result<Option<Self>> {
        let &[rows, cols] = t.shape().dims() else {
            return Ok(None);
        };
        if !t.device().is_cpu() || rows == 0 || !rows.is_multiple_of(TILE_ROWS) || cols == 0 {
            return Ok(None);
        }
        let data = match t.dtype() {
            GgmlDType::Q8_0 if cols.is_multiple_of(BLOCK) => {
                Self::pack_q8_0(&t.data()?, rows, cols)?
            }
            GgmlDType::Q4K if cols.is_multiple_of(SUPER_BLOCK) => {
                Self::pack_q4k(&t.data()?, rows, cols)?
            }
            GgmlDType::Q6K if cols.is_multiple_of(SUPER_BLOCK) => {
                Self::pack_q6k(&t.data()?, rows, cols)?
            }
            _ => return Ok(None),
        };
        Ok(Some(Packed {
            rows,
            cols,
            data,
            kernel,
        }))
    }

    fn pack_q8_0(data: &[u8], rows: usize, cols: usize) -> Result<Data> {
        let blocks = cols / BLOCK;
        check_bytes(data, "q8_0", (rows, cols), rows * blocks * GGML_BLOCK_BYTES)?;
        let tiles = rows / TILE_ROWS * blocks;
        let mut qs = vec![Line([0; 64]); tiles * LINES_PER_BLOCK];
        let mut scales = vec![f16::ZERO; tiles * TILE_ROWS];
        for (tile, (lines, tile_scales)) in qs
            .chunks_exact_mut(LINES_PER_BLOCK)
            .zip(scales.chunks_exact_mut(TILE_ROWS))
            .enumerate()
        {
            let (column, b) = (tile / blocks, tile % blocks);
            for (r, scale) in tile_scales.iter_mut().enumerate() {
                let at = ((column * TILE_ROWS + r) * blocks + b) * GGML_BLOCK_BYTES;
                let block = &data[at..at + GGML_BLOCK_BYTES];
                *scale = f16::from_le_bytes([block[0], block[1]]);
                for (g, line) in lines.iter_mut().enumerate() {
                    for j in 0..4 {
                        line.0[r * 4 + j] = (block[2 + g * 4 + j] as i8 as u8) ^ 0x80;
                    }
                }
            }
        }
        Ok(Data::Q8_0 { qs, scales })
    }

    fn pack_q4k(data: &[u8], rows: usize, cols: usize) -> Result<Data> {
        let tiles = pack_super_blocks(
            data,
            (rows, cols),
            "q4_k",
            GGML_Q4K_BYTES,
            TileQ4K::ZERO,
            |tile, r, block| {
                tile.d[r] = f16::from_le_bytes([block[0], block[1]]);
                tile.dmin[r] = f16::from_le_bytes([block[2], block[3]]);
                let (packed_scales, qs) = (&block[4..16], &block[16..]);
                for j in 0..8 {
                    (tile.sc[j][r], tile.m[j][r]) = scale_min_k4(j, packed_scales);
                    // ggml keeps sub-blocks 2l and 2l + 1 in the low and high nibbles of the same
                    // 32 bytes.
                    let q = |i: usize| {
                        let byte = qs[32 * (j / 2) + i];
                        if j % 2 == 0 { byte & 0xF } else { byte >> 4 }
                    };
                    for c in 0..4 {
                        for i in 0..4 {
                            tile.qs[4 * j + c].0[r * 4 + i] =
                                q(8 * c + i) | (q(8 * c + 4 + i) << 4);
                        }
                    }
                }
            },
        )?;
        Ok(Data::Q4K(tiles))
    }

    fn pack_q6k(data: &[u8], rows: usize, cols: usize) -> Result<Data> {
        let tiles = pack_super_blocks(
            data,
            (rows, cols),
            "q6_k",
            GGML_Q6K_BYTES,
            TileQ6K::ZERO,
            |tile, r, block| {
                let scales = &block[SUPER_BLOCK / 2 + SUPER_BLOCK / 4..][..SUPER_BLOCK / 16];
                for (sc, &byte) in tile.sc.iter_mut().zip(scales) {
                    sc[r] = byte as i8;
                }
                tile.d[r] =
                    f16::from_le_bytes([block[GGML_Q6K_BYTES - 2], block[GGML_Q6K_BYTES - 1]]);
                for line in 0..32 {
                    for i in 0..4 {
                        let first = 8 * line + i;
                        let (lo, hi) = (q6k_value(block, first), q6k_value(block, first + 4));
                        tile.ql[line].0[r * 4 + i] = (lo & 0xF) | ((hi & 0xF) << 4);
                        tile.qh[line / 2].0[r * 4 + i] |=
                            ((lo >> 4) | ((hi >> 4) << 2)) << (4 * (line % 2));
                    }
                }
            },
        )?;
        Ok(Data::Q6K(tiles))
    }

    /// `(rows, cols)`.
    pub fn dims(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Bytes held: as ggml's blocks for `q8_0` (8.5 bits per weight), 4.625 bits per weight for
    /// `q4_k` (ggml's 4.5 with the 6-bit scales unpacked), 6.625 for `q6_k` (ggml's 6.5625).
    pub fn size_in_bytes(&self) -> usize {
        match &self.data {
            Data::Q8_0 { qs, scales } => {
                qs.len() * size_of::<Line>() + scales.len() * size_of::<f16>()
            }
            Data::Q4K(tiles) => tiles.len() * size_of::<TileQ4K>(),
            Data::Q6K(tiles) => tiles.len() * size_of::<TileQ6K>(),
        }
    }

    /// `x @ self^T` for an f32 `x` `(.., cols)` on the CPU: `(.., rows)` in f32.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let [y] = matmul_shared([self], x)?;
        Ok(y)
    }

    /// The weight rows `ids` (an embedding lookup), dequantized: `(ids.len(), cols)` row-major.
    pub fn rows_f32(&self, ids: &[u32]) -> Result<Vec<f32>> {
        let blocks = self.cols / BLOCK;
        let mut out = vec![0f32; ids.len() * self.cols];
        for (row_out, &id) in out.chunks_exact_mut(self.cols).zip(ids) {
            let id = id as usize;
            if id >= self.rows {
                bail!(
                    "index {id} out of range for an embedding of {} rows",
                    self.rows
                );
            }
            let (column, r) = (id / TILE_ROWS, id % TILE_ROWS);
            match &self.data {
                Data::Q8_0 { qs, scales } => {
                    for (b, values) in row_out.chunks_exact_mut(BLOCK).enumerate() {
                        let tile = column * blocks + b;
                        let scale = scales[tile * TILE_ROWS + r].to_f32();
                        let lines = &qs[tile * LINES_PER_BLOCK..][..LINES_PER_BLOCK];
                        for (g, four) in values.chunks_exact_mut(4).enumerate() {
                            for (j, v) in four.iter_mut().enumerate() {
                                *v = f32::from((lines[g].0[r * 4 + j] ^ 0x80) as i8) * scale;
                            }
                        }
                    }
                }
                Data::Q4K(tiles) => {
                    let supers = self.cols / SUPER_BLOCK;
                    for (sb, values) in row_out.chunks_exact_mut(SUPER_BLOCK).enumerate() {
                        let tile = &tiles[column * supers + sb];
                        let (d, dmin) = (tile.d[r].to_f32(), tile.dmin[r].to_f32());
                        for (j, values) in values.chunks_exact_mut(BLOCK).enumerate() {
                            // ggml's order of operations, so that rows equal its dequantization.
                            let d1 = d * f32::from(tile.sc[j][r]);
                            let m1 = dmin * f32::from(tile.m[j][r]);
                            for c in 0..4 {
                                for i in 0..4 {
                                    let byte = tile.qs[4 * j + c].0[r * 4 + i];
                                    values[8 * c + i] = d1 * f32::from(byte & 0xF) - m1;
                                    values[8 * c + 4 + i] = d1 * f32::from(byte >> 4) - m1;
                                }
                            }
                        }
                    }
                }
                Data::Q6K(tiles) => {
                    let supers = self.cols / SUPER_BLOCK;
                    for (sb, values) in row_out.chunks_exact_mut(SUPER_BLOCK).enumerate() {
                        let tile = &tiles[column * supers + sb];
                        let d = tile.d[r].to_f32();
                        for (i, v) in values.iter_mut().enumerate() {
                            // ggml's order of operations: `d * sc`, then times `q - 32`.
                            let q = i32::from(tile.q(r, i)) - 32;
                            *v = d * f32::from(tile.sc[i / 16][r]) * q as f32;
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// `x` through several matrices with the same input width (attention q/k/v, MLP gate/up): the input
/// is quantized once and one parallel loop runs over all their tiles.
pub fn matmul_shared<const N: usize>(mats: [&Packed; N], x: &Tensor) -> Result<[Tensor; N]> {
    let Some(cols) = x.dims().last().copied() else {
        bail!("packed matmul: a scalar input");
    };
    if let Some(m) = mats.iter().find(|m| m.cols != cols) {
        bail!(
            "packed matmul: input {:?} against a {}x{} matrix",
            x.dims(),
            m.rows,
            m.cols
        );
    }
    if !x.device().is_cpu() {
        bail!("packed matmul: the kernels run on the CPU");
    }
    let lead = &x.dims()[..x.rank() - 1];
    let values = x
        .to_dtype(candle_core::DType::F32)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    let input = QuantizedInput::new(&values, cols, mats.first().map(|m| m.kernel));
    let outs = matmul_many(&mats, &input);
    let mut result = Vec::with_capacity(N);
    for (mat, out) in mats.iter().zip(outs) {
        let mut dims = lead.to_vec();
        dims.push(mat.rows);
        result.push(Tensor::from_vec(out, dims, &Device::Cpu)?);
    }
    result
        .try_into()
        .map_err(|_| candle_core::Error::Msg("packed matmul returned a wrong count".into()))
}

/// Activation rows quantized per 32 values for the kernels, block-major: block `b` of every row,
/// row after row, then block `b + 1`. A kernel running rows `row0..row0 + R` then finds all it
/// needs for a block at one address plus offsets fixed at compile time, which keeps the per-row
/// pointers out of the registers the accumulators need.
pub(crate) struct QuantizedInput {
    rows: usize,
    cols: usize,
    /// `[cols / 32][rows][32]`.
    q: Vec<i8>,
    /// `[cols / 32][rows]`: each block's scale.
    scale: Vec<f32>,
    /// `[cols / 32][rows]`: `-128 * sum(q)` of each block, which cancels the `q8_0` weights' +128
    /// offset.
    offset: Vec<i32>,
    /// `[cols / 32][rows]`: `scale * sum(q)`, what a `q4_k` block's minimum multiplies.
    scaled_sum: Vec<f32>,
    /// `[cols / 32][rows][2]`: `-32 * sum(q)` of each half of a block, which cancels the `-32` of
    /// a `q6_k` weight (16 inputs per scale).
    half_offset: Vec<i32>,
}

impl QuantizedInput {
    /// `x` (`[rows][cols]`, `cols` a multiple of 32) quantized with the instructions of `kernel`'s
    /// CPU, or portable code (the result is the same).
    pub(crate) fn new(x: &[f32], cols: usize, kernel: Option<Kernel>) -> Self {
        let rows = x.len() / cols;
        let blocks = cols / BLOCK;
        let mut input = QuantizedInput {
            rows,
            cols,
            q: vec![0; rows * cols],
            scale: vec![0.0; rows * blocks],
            offset: vec![0; rows * blocks],
            scaled_sum: vec![0.0; rows * blocks],
            half_offset: vec![0; rows * blocks * 2],
        };
        match kernel {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Kernel::Avx512Vnni` exists only where `Isa` found AVX-512 F/BW.
            Some(Kernel::Avx512Vnni) => unsafe { avx512::quantize(x, &mut input) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: every kernel needs AVX2 and FMA, which `Isa` checked.
            Some(Kernel::Avx2) => unsafe { avx2::quantize(x, &mut input) },
            None => quantize_body(x, &mut input),
        }
        input
    }

    /// Stores block `at`'s scale `d` and what the kernels need of the sums of its two halves' bytes.
    #[inline(always)]
    fn set_sums(&mut self, at: usize, d: f32, halves: [i32; 2]) {
        let sum = halves[0] + halves[1];
        self.scale[at] = d;
        self.offset[at] = -128 * sum;
        self.scaled_sum[at] = d * sum as f32;
        self.half_offset[2 * at] = -32 * halves[0];
        self.half_offset[2 * at + 1] = -32 * halves[1];
    }
}

/// One body for [`QuantizedInput::new`], vectorized by LLVM for the target features of its caller.
#[inline(always)]
fn quantize_body(x: &[f32], input: &mut QuantizedInput) {
    let blocks = input.cols / BLOCK;
    for (i, x) in x.chunks_exact(BLOCK).enumerate() {
        // Block `b` of row `r`, stored at `b * rows + r`.
        let at = (i % blocks) * input.rows + i / blocks;
        let q = &mut input.q[at * BLOCK..][..BLOCK];
        let amax = x.iter().fold(0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        let inv = if d > 0.0 { 1.0 / d } else { 0.0 };
        let mut sum = [0i32; 2];
        for (k, (q, v)) in q.iter_mut().zip(x).enumerate() {
            // Ties to even is one instruction on every x86 kernel's CPU; |v * inv| <= 127 by `d`.
            *q = (v * inv).round_ties_even().clamp(-127.0, 127.0) as i8;
            sum[k / 16] += i32::from(*q);
        }
        input.set_sums(at, d, sum);
    }
}

/// `input @ mat^T` for each matrix: `[input.rows][mat.rows]` row-major.
pub(crate) fn matmul_many(mats: &[&Packed], input: &QuantizedInput) -> Vec<Vec<f32>> {
    let m = input.rows;
    if m == 0 {
        return vec![Vec::new(); mats.len()];
    }
    // Tasks own disjoint tile columns, so they fill a `[tile column][row][16]` result, which is the
    // final layout for one row and is transposed for more.
    let mut scratch: Vec<Vec<f32>> = mats.iter().map(|mat| vec![0f32; m * mat.rows]).collect();
    let mut tasks = Vec::new();
    for (mat, out) in mats.iter().zip(scratch.iter_mut()) {
        for (task, out) in out.chunks_mut(TILES_PER_TASK * TILE_ROWS * m).enumerate() {
            tasks.push((*mat, task * TILES_PER_TASK, out));
        }
    }
    // candle's pool, which the rest of a forward pass runs on: its workers spin between the many
    // short products of a decode step, where rayon's sleep and wake-up cost tens of microseconds
    // each, and with one thread it runs the tasks inline.
    let tasks: Vec<Mutex<_>> = tasks.into_iter().map(Mutex::new).collect();
    barrier_pool().execute_chunked(tasks.len(), |range| {
        for task in &tasks[range] {
            // Each task is taken once; the lock is never contended (or poisoned: a panic ends the
            // pool's call).
            if let Ok(mut task) = task.lock() {
                let (mat, first_column, ref mut out) = *task;
                mat.columns(input, first_column, out);
            }
        }
    });
    if m == 1 {
        return scratch;
    }
    mats.iter()
        .zip(scratch)
        .map(|(mat, tiled)| {
            let mut out = vec![0f32; m * mat.rows];
            for (column, tile) in tiled.chunks_exact(TILE_ROWS * m).enumerate() {
                for (r, values) in tile.chunks_exact(TILE_ROWS).enumerate() {
                    out[r * mat.rows + column * TILE_ROWS..][..TILE_ROWS].copy_from_slice(values);
                }
            }
            out
        })
        .collect()
}

impl Packed {
    /// Fills `out` (`[column][input row][16]`) for the tile columns from `first_column` on.
    fn columns(&self, input: &QuantizedInput, first_column: usize, out: &mut [f32]) {
        let blocks = self.cols / BLOCK;
        let m = input.rows;
        let groups = m.div_ceil(MAX_GROUP);
        let group = m.div_ceil(groups.max(1));
        for row0 in (0..m).step_by(group.max(1)) {
            let rows = group.min(m - row0);
            for (c, out) in out.chunks_exact_mut(TILE_ROWS * m).enumerate() {
                let column = first_column + c;
                let cols = match &self.data {
                    Data::Q8_0 { qs, scales } => {
                        let tiles = column * blocks..(column + 1) * blocks;
                        Column::Q8_0(ColumnQ8_0 {
                            qs: &qs[tiles.start * LINES_PER_BLOCK..tiles.end * LINES_PER_BLOCK],
                            scales: &scales[tiles.start * TILE_ROWS..tiles.end * TILE_ROWS],
                        })
                    }
                    Data::Q4K(tiles) => {
                        let supers = self.cols / SUPER_BLOCK;
                        Column::Q4K(&tiles[column * supers..(column + 1) * supers])
                    }
                    Data::Q6K(tiles) => {
                        let supers = self.cols / SUPER_BLOCK;
                        Column::Q6K(&tiles[column * supers..(column + 1) * supers])
                    }
                };
                let out = &mut out[row0 * TILE_ROWS..(row0 + rows) * TILE_ROWS];
                run_group(self.kernel, &cols, input, row0, rows, out);
            }
        }
    }
}

/// The tiles of one tile column (16 output rows), all inputs.
enum Column<'a> {
    Q8_0(ColumnQ8_0<'a>),
    Q4K(&'a [TileQ4K]),
    Q6K(&'a [TileQ6K]),
}

struct ColumnQ8_0<'a> {
    qs: &'a [Line],
    scales: &'a [f16],
}

/// Dispatches `rows` activation rows (from `row0`) to `kernel`'s code for that count.
fn run_group(
    kernel: Kernel,
    column: &Column,
    input: &QuantizedInput,
    row0: usize,
    rows: usize,
    out: &mut [f32],
) {
    macro_rules! dispatch {
        ($isa:ident::$f:ident, $column:expr) => {
            match rows {
                1 => $isa::$f::<1>($column, input, row0, out),
                2 => $isa::$f::<2>($column, input, row0, out),
                3 => $isa::$f::<3>($column, input, row0, out),
                4 => $isa::$f::<4>($column, input, row0, out),
                5 => $isa::$f::<5>($column, input, row0, out),
                6 => $isa::$f::<6>($column, input, row0, out),
                7 => $isa::$f::<7>($column, input, row0, out),
                _ => $isa::$f::<8>($column, input, row0, out),
            }
        };
    }
    // SAFETY (all arms): a `Kernel` exists only where `Isa` found its features.
    match (kernel, column) {
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx512Vnni, Column::Q8_0(c)) => unsafe { dispatch!(avx512::q8_0, c) },
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2, Column::Q8_0(c)) => unsafe { dispatch!(avx2::q8_0, c) },
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx512Vnni, Column::Q4K(c)) => unsafe { dispatch!(avx512::q4k, c) },
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2, Column::Q4K(c)) => unsafe { dispatch!(avx2::q4k, c) },
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx512Vnni, Column::Q6K(c)) => unsafe { dispatch!(avx512::q6k, c) },
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2, Column::Q6K(c)) => unsafe { dispatch!(avx2::q6k, c) },
        // No `Kernel` exists elsewhere (`Kernel::for_isa` is `None`), so no `Packed` either.
        #[cfg(not(target_arch = "x86_64"))]
        _ => {
            let _ = (input, row0, rows, out);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[macro_use]
mod x86;
#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The products as the kernels define them, one output at a time, from ggml's blocks: exact
    /// integer block sums, then (q8_0) `acc = fma(weight scale, f32(sum) * activation scale, acc)`
    /// or (q4_k) the same with `d * sc` and then `acc = fma(-(dmin * m), scale * sum(x), acc)`, or
    /// (q6_k) per 16 inputs with `d * sc` and the sum of `(q - 32) * x`.
    fn reference(t: &QTensor, x: &[f32], cols: usize) -> Vec<f32> {
        let data = t.data().unwrap();
        let rows = t.shape().dims()[0];
        let blocks = cols / BLOCK;
        let input = QuantizedInput::new(x, cols, None);
        let xq =
            |i: usize, b: usize, k: usize| i32::from(input.q[(b * input.rows + i) * BLOCK + k]);
        let mut out = vec![0f32; input.rows * rows];
        for i in 0..input.rows {
            for o in 0..rows {
                let mut acc = 0f32;
                for b in 0..blocks {
                    let dx = input.scale[b * input.rows + i];
                    if t.dtype() == GgmlDType::Q6K {
                        let supers = cols / SUPER_BLOCK;
                        let block =
                            &data[(o * supers + b / 8) * GGML_Q6K_BYTES..][..GGML_Q6K_BYTES];
                        let d = f16::from_le_bytes([block[208], block[209]]).to_f32();
                        for half in 0..2 {
                            let h = (b % 8) * 2 + half;
                            let sc = f32::from(block[192 + h] as i8);
                            let s: i32 = (0..16)
                                .map(|k| {
                                    let q = i32::from(q6k_value(block, 16 * h + k)) - 32;
                                    q * xq(i, b, 16 * half + k)
                                })
                                .sum();
                            acc = (d * sc).mul_add(s as f32 * dx, acc);
                        }
                    } else if t.dtype() == GgmlDType::Q8_0 {
                        let block =
                            &data[(o * blocks + b) * GGML_BLOCK_BYTES..][..GGML_BLOCK_BYTES];
                        let dw = f16::from_le_bytes([block[0], block[1]]).to_f32();
                        let s: i32 = (0..BLOCK)
                            .map(|k| i32::from(block[2 + k] as i8) * xq(i, b, k))
                            .sum();
                        acc = dw.mul_add(s as f32 * dx, acc);
                    } else {
                        let (sb, j) = (b / 8, b % 8);
                        let supers = cols / SUPER_BLOCK;
                        let block = &data[(o * supers + sb) * GGML_Q4K_BYTES..][..GGML_Q4K_BYTES];
                        let d = f16::from_le_bytes([block[0], block[1]]).to_f32();
                        let dmin = f16::from_le_bytes([block[2], block[3]]).to_f32();
                        let (sc, m) = scale_min_k4(j, &block[4..16]);
                        let byte = |k: usize| block[16 + 32 * (j / 2) + k];
                        let s: i32 = (0..BLOCK)
                            .map(|k| {
                                let q = if j % 2 == 0 {
                                    byte(k) & 0xF
                                } else {
                                    byte(k) >> 4
                                };
                                i32::from(q) * xq(i, b, k)
                            })
                            .sum();
                        acc = (d * f32::from(sc)).mul_add(s as f32 * dx, acc);
                        let min = dmin * f32::from(m);
                        acc = (-min).mul_add(input.scaled_sum[b * input.rows + i], acc);
                    }
                }
                out[i * rows + o] = acc;
            }
        }
        out
    }

    use crate::testing::uniform as random;

    fn quantized(rows: usize, cols: usize, seed: u64) -> QTensor {
        quantized_as(GgmlDType::Q8_0, rows, cols, seed)
    }

    fn quantized_as(dtype: GgmlDType, rows: usize, cols: usize, seed: u64) -> QTensor {
        let w = Tensor::from_vec(random(rows * cols, seed), (rows, cols), &Device::Cpu).unwrap();
        QTensor::quantize(&w, dtype).unwrap()
    }

    #[test]
    fn every_kernel_matches_the_reference_to_the_bit_for_any_row_count() {
        for (dtype, rows, cols) in [
            (GgmlDType::Q8_0, 48, 96),
            (GgmlDType::Q4K, 32, 512),
            (GgmlDType::Q6K, 32, 512),
        ] {
            let t = quantized_as(dtype, rows, cols, 1);
            for kernel in Kernel::available() {
                let packed = Packed::with_kernel(&t, kernel).unwrap().unwrap();
                // Every group size (1 to MAX_GROUP rows share a pass), then groups and a rest.
                for m in [1, 2, 3, 4, 5, 6, 7, 8, 9, 17] {
                    let x = random(m * cols, 10 + m as u64);
                    let want = reference(&t, &x, cols);
                    let input = QuantizedInput::new(&x, cols, Some(kernel));
                    let got = matmul_many(&[&packed], &input).pop().unwrap();
                    assert_eq!(got, want, "{dtype:?} {kernel:?}, {m} rows");
                }
            }
        }
    }

    #[test]
    fn products_are_close_to_the_dense_ones() {
        for dtype in [GgmlDType::Q8_0, GgmlDType::Q4K, GgmlDType::Q6K] {
            close_to_dense(dtype);
        }
    }

    /// Against the dense product of candle's dequantized weights: only the 8-bit activations round.
    fn close_to_dense(dtype: GgmlDType) {
        let (rows, cols) = (32, 256);
        let w = random(rows * cols, 3);
        let x = random(2 * cols, 4);
        let t = QTensor::quantize(
            &Tensor::from_vec(w.clone(), (rows, cols), &Device::Cpu).unwrap(),
            dtype,
        )
        .unwrap();
        let Some(packed) = Packed::from_qtensor(&t).unwrap() else {
            return; // no kernel on this CPU: nothing to compare
        };
        let w = t
            .dequantize(&Device::Cpu)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        let xt = Tensor::from_vec(x.clone(), (1, 2, cols), &Device::Cpu).unwrap();
        let got = packed.forward(&xt).unwrap();
        assert_eq!(got.dims(), &[1, 2, rows]);
        let got = got.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        for i in 0..2 {
            for o in 0..rows {
                let dense: f32 = (0..cols).map(|j| w[o * cols + j] * x[i * cols + j]).sum();
                let diff = (got[i * rows + o] - dense).abs();
                // 8-bit activations over 256 products of unit-range values.
                assert!(
                    diff < 0.05,
                    "row {i} output {o}: {} vs {dense}",
                    got[i * rows + o]
                );
            }
        }
    }

    #[test]
    fn every_kernel_quantizes_activations_alike_ties_included() {
        // A block whose maximum is 127 has scale 1, so halves are exact ties (to even: 2, -4, 0).
        let mut x = vec![0f32; 64];
        x[0] = 127.0;
        for (i, v) in [2.5, -3.5, 0.5, -0.5, 126.5, 1e-9].into_iter().enumerate() {
            x[1 + i] = v;
        }
        x.extend(random(5 * 64, 12).iter().map(|v| v * 3.0));
        x.extend([0f32; 64]);
        let want = QuantizedInput::new(&x, 64, None);
        assert_eq!(&want.q[..7], &[127, 2, -4, 0, 0, 126, 0]);
        for kernel in Kernel::available() {
            let got = QuantizedInput::new(&x, 64, Some(kernel));
            assert_eq!(got.q, want.q, "{kernel:?}");
            assert_eq!(got.scale, want.scale, "{kernel:?}");
            assert_eq!(got.offset, want.offset, "{kernel:?}");
            assert_eq!(got.scaled_sum, want.scaled_sum, "{kernel:?}");
            assert_eq!(got.half_offset, want.half_offset, "{kernel:?}");
        }
    }

    #[test]
    fn an_input_without_rows_gives_an_output_without_rows() {
        let t = quantized(32, 64, 2);
        let Some(packed) = Packed::from_qtensor(&t).unwrap() else {
            return;
        };
        let x = Tensor::zeros((0, 64), candle_core::DType::F32, &Device::Cpu).unwrap();
        assert_eq!(packed.forward(&x).unwrap().dims(), &[0, 32]);
    }

    #[test]
    fn shared_input_products_equal_separate_ones() {
        let cols = 64;
        let (a, b) = (quantized(32, cols, 5), quantized(16, cols, 6));
        let (Some(pa), Some(pb)) = (
            Packed::from_qtensor(&a).unwrap(),
            Packed::from_qtensor(&b).unwrap(),
        ) else {
            return;
        };
        let x = Tensor::from_vec(random(3 * cols, 7), (3, cols), &Device::Cpu).unwrap();
        let [ya, yb] = matmul_shared([&pa, &pb], &x).unwrap();
        let same = |p: Tensor, q: Tensor| {
            p.flatten_all().unwrap().to_vec1::<f32>().unwrap()
                == q.flatten_all().unwrap().to_vec1::<f32>().unwrap()
        };
        assert!(same(ya, pa.forward(&x).unwrap()));
        assert!(same(yb, pb.forward(&x).unwrap()));
    }

    #[test]
    fn rows_dequantize_like_candle() {
        for (dtype, cols) in [
            (GgmlDType::Q4K, 512),
            (GgmlDType::Q6K, 512),
            (GgmlDType::Q8_0, 64),
        ] {
            let t = quantized_as(dtype, 32, cols, 8);
            let Some(packed) = Packed::from_qtensor(&t).unwrap() else {
                return; // no kernel on this CPU: nothing to compare
            };
            let dense = t
                .dequantize(&Device::Cpu)
                .unwrap()
                .to_vec2::<f32>()
                .unwrap();
            let got = packed.rows_f32(&[0, 17, 31]).unwrap();
            for (i, id) in [0, 17, 31].into_iter().enumerate() {
                assert_eq!(
                    &got[i * cols..(i + 1) * cols],
                    dense[id].as_slice(),
                    "{dtype:?} row {id}"
                );
            }
        }
        let packed = Packed::from_qtensor(&quantized(32, 64, 8)).unwrap();
        let Some(packed) = packed else { return };
        let err = packed.rows_f32(&[32]).unwrap_err().to_string();
        assert!(err.contains("out of range"), "{err}");
    }

    /// A matrix whose bytes are one short or one long of its shape (a truncated or corrupt
    /// checkpoint) is an error naming the type and shape, never a read past its end.
    #[test]
    fn a_matrix_of_the_wrong_byte_count_is_an_error() {
        let (rows, cols) = (32, 512);
        type Pack = fn(&[u8], usize, usize) -> Result<Data>;
        for (name, pack, bytes) in [
            (
                "q8_0",
                Packed::pack_q8_0 as Pack,
                cols / BLOCK * GGML_BLOCK_BYTES,
            ),
            (
                "q4_k",
                Packed::pack_q4k,
                cols / SUPER_BLOCK * GGML_Q4K_BYTES,
            ),
            (
                "q6_k",
                Packed::pack_q6k,
                cols / SUPER_BLOCK * GGML_Q6K_BYTES,
            ),
        ] {
            let data = vec![0u8; rows * bytes + 1];
            assert!(pack(&data[..rows * bytes], rows, cols).is_ok(), "{name}");
            for wrong in [&data[..rows * bytes - 1], &data[..]] {
                let Err(err) = pack(wrong, rows, cols) else {
                    panic!("{name}: {} bytes accepted", wrong.len());
                };
                let err = err.to_string();
                assert!(
                    err.contains(&format!("{name} matrix 32x512 holds")),
                    "{err}"
                );
            }
        }
    }

    #[test]
    fn other_types_and_shapes_are_left_to_candle() {
        let w = Tensor::from_vec(random(24 * 64, 9), (24, 64), &Device::Cpu).unwrap();
        let q8 = QTensor::quantize(&w, GgmlDType::Q8_0).unwrap();
        assert!(
            Packed::from_qtensor(&q8).unwrap().is_none(),
            "24 rows is not whole tiles"
        );
        let w = Tensor::from_vec(random(32 * 256, 9), (32, 256), &Device::Cpu).unwrap();
        let q5 = QTensor::quantize(&w, GgmlDType::Q5K).unwrap();
        assert!(
            Packed::from_qtensor(&q5).unwrap().is_none(),
            "q5_k has no packed kernel"
        );
    }
}
