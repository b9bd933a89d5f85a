//! Quantization at load: safetensors weights become `q8_0` or `q4_k` matrices as they are read, so a
//! checkpoint shipped in f32/f16/bf16 runs with a quarter (or less) of the weight bytes. Matrices run
//! through our packed kernels on x86 CPUs (`kernels::matmul`), else through candle's `QMatMul`;
//! GGUF files' matrices take the same two paths.
//!
//! What is quantized, and why:
//! - Every projection of the decoder layers (attention q/k/v/o, MLP gate/up/down, every MoE expert)
//!   in the requested type. Decode reads each weight once per token, so bytes are time.
//! - The token embedding and the LM head in `q8_0` whatever was requested: with tied embeddings they are
//!   one matrix, a quarter of Qwen3-0.6B's weights, and the LM head decides the logits directly (4-bit
//!   output layers cost the most accuracy; llama.cpp's `Q4_K_M` keeps it at 6 bits or more).
//!   Embedding lookups dequantize only the rows they read.
//! - Biases, norms and the MoE router stay in the model dtype: they are tiny, and routing is
//!   sensitive to rounding.
//!
//! A matrix is quantized along its input dimension in blocks (`q8_0`: 32 values, `q4_k`: 256). When a
//! matrix's input dimension is not a multiple of the block, it falls back per tensor: `q4_k` to
//! `q8_0`, and `q8_0` to the dense dtype. Real Qwen checkpoints are multiples of 256 everywhere; the
//! fallback exists for small test models (hidden size 32), so `q4_k` there is exactly `q8_0`.

use std::sync::Arc;

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{DType, Device, Module, Result, Tensor};
use candle_nn::{Embedding, Linear, VarBuilder};

use crate::kernels::float16;
use crate::kernels::matmul::{self, Packed};

/// The dtype activations run in for weights stored as `weights` on `device`. 16-bit weights compute
/// in f32 on the CPU: candle has no bf16 matmul there (it widens both operands on every call), its f16
/// and bf16 elementwise ops convert on every call, and `kernels::float16` reads the 16-bit weights straight
/// into f32 products in decode. Keys and values are then cached in f32 too. On GPUs every dtype
/// computes in itself.
pub(crate) fn compute_dtype(weights: DType, device: &Device) -> DType {
    if matches!(weights, DType::BF16 | DType::F16) && device.is_cpu() {
        DType::F32
    } else {
        weights
    }
}

/// The weight types `LoadOptions::quantize` accepts (parsed where they enter; see `super::options`).
pub use super::options::Quantization;

impl Quantization {
    fn ggml(self) -> GgmlDType {
        match self {
            Self::Q8_0 => GgmlDType::Q8_0,
            Self::Q4K => GgmlDType::Q4K,
        }
    }
}

/// The ggml type a matrix with `in_dim` inputs gets when `want` is requested: `want` if its block
/// divides `in_dim`, else the next finer type that fits, else `None` (stay dense).
fn fitting(want: GgmlDType, in_dim: usize) -> Option<GgmlDType> {
    [want, GgmlDType::Q8_0]
        .into_iter()
        .find(|t| in_dim.is_multiple_of(t.block_size()))
}

/// A linear layer whose weight is dense (the checkpoint's dtype) or quantized.
#[derive(Clone, Debug)]
pub(crate) enum QLinear {
    Dense(Linear),
    /// Through candle's quantized kernels.
    Quantized {
        weight: QMatMul,
        bias: Option<Tensor>,
    },
    /// `q8_0`, `q4_k` or `q6_k` through [`Packed`]'s kernels (x86 CPUs).
    Packed {
        weight: Arc<Packed>,
        bias: Option<Tensor>,
    },
}

impl QLinear {
    /// Reads `weight` (`(out, in)`) and, with `bias`, `bias` under `vb`, quantizing the weight to
    /// `quant` (with the per-tensor fallback described in the module docs).
    pub(crate) fn new(
        in_dim: usize,
        out_dim: usize,
        bias: bool,
        quant: Option<Quantization>,
        vb: VarBuilder,
    ) -> Result<Self> {
        let weight = vb.get((out_dim, in_dim), "weight")?;
        let bias = if bias {
            let compute = compute_dtype(vb.dtype(), vb.device());
            Some(vb.to_dtype(compute).get(out_dim, "bias")?)
        } else {
            None
        };
        Self::from_weight(weight, bias, quant.map(Quantization::ggml))
    }

    pub(crate) fn from_weight(
        weight: Tensor,
        bias: Option<Tensor>,
        quant: Option<GgmlDType>,
    ) -> Result<Self> {
        let in_dim = weight.dim(1)?;
        match quant.and_then(|q| fitting(q, in_dim)) {
            None => Ok(QLinear::Dense(Linear::new(weight, bias))),
            Some(t) => Self::quantized(QTensor::quantize(&weight, t)?, bias),
        }
    }

    /// A layer over the quantized matrix `weight`: packed for our kernels where they run,
    /// else candle's (the original blocks are dropped after packing).
    pub(crate) fn quantized(weight: QTensor, bias: Option<Tensor>) -> Result<Self> {
        Ok(match Packed::from_qtensor(&weight)? {
            Some(packed) => QLinear::Packed {
                weight: Arc::new(packed),
                bias,
            },
            None => QLinear::Quantized {
                weight: QMatMul::from_arc(Arc::new(weight))?,
                bias,
            },
        })
    }

    /// Whether each output row is computed the same whatever the row count, for up to
    /// [`ROWS_INDEPENDENT_MAX`] rows: our packed kernels, and the 16-bit-weight kernel (CPU, f32
    /// activations). candle's own matmuls pick kernels by shape and may add in another order.
    pub(crate) fn rows_independent(&self) -> bool {
        match self {
            QLinear::Packed { .. } => true,
            QLinear::Dense(l) => {
                let w = l.weight();
                w.device().is_cpu()
                    && w.is_contiguous()
                    && matches!(w.dtype(), DType::BF16 | DType::F16)
            }
            QLinear::Quantized { .. } => false,
        }
    }

    fn bias(&self) -> Option<&Tensor> {
        match self {
            QLinear::Dense(l) => l.bias(),
            QLinear::Quantized { bias, .. } | QLinear::Packed { bias, .. } => bias.as_ref(),
        }
    }

    /// Bytes of the weight and bias as held in memory.
    pub(crate) fn weight_bytes(&self) -> usize {
        match self {
            QLinear::Dense(l) => tensor_bytes(l.weight()) + l.bias().map_or(0, tensor_bytes),
            QLinear::Quantized { weight, bias } => {
                qmatmul_bytes(weight) + bias.as_ref().map_or(0, tensor_bytes)
            }
            QLinear::Packed { weight, bias } => {
                weight.size_in_bytes() + bias.as_ref().map_or(0, tensor_bytes)
            }
        }
    }
}

impl Module for QLinear {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            // candle's CPU matmul widens bf16 weights to f32 on every call; decode-sized inputs
            // take a kernel that streams them instead.
            QLinear::Dense(l) if float16::bf16_matmul_t_applies(x, l.weight()) => {
                let y = float16::bf16_matmul_t(x, l.weight())?;
                match l.bias() {
                    Some(b) => y.broadcast_add(b),
                    None => Ok(y),
                }
            }
            // Weights stored in another dtype than the activations (bf16 on the CPU, see
            // `compute_dtype`) with more rows than the kernel takes: widened for this product, as
            // candle's own bf16 matmul does.
            QLinear::Dense(l) if l.weight().dtype() != x.dtype() => {
                let w = l.weight().to_dtype(x.dtype())?;
                Linear::new(w, l.bias().cloned()).forward(x)
            }
            QLinear::Dense(l) => l.forward(x),
            QLinear::Quantized { weight, bias } => {
                // The quantized kernels need a contiguous input; on GPUs they take f32 only.
                let dtype = x.dtype();
                let x = if x.device().is_cpu() {
                    x.contiguous()?
                } else {
                    x.to_dtype(DType::F32)?.contiguous()?
                };
                let y = weight.forward(&x)?.to_dtype(dtype)?;
                add_bias(y, bias.as_ref())
            }
            QLinear::Packed { weight, bias } => {
                let y = weight.forward(x)?.to_dtype(x.dtype())?;
                add_bias(y, bias.as_ref())
            }
        }
    }
}

fn add_bias(y: Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
    match bias {
        Some(b) => y.broadcast_add(b),
        None => Ok(y),
    }
}

/// `x` through several layers that read the same input (attention q/k/v, MLP gate/up). Packed
/// layers take one call for all of them at any row count, and candle's quantized layers in decode
/// where candle has one (CPU, f32 input; x86 with AVX-512 VNNI, or aarch64 for one row): the input
/// is quantized once and the cores synchronize once instead of once per layer. Otherwise, one call
/// each.
pub(crate) fn forward_shared<const N: usize>(
    layers: [&QLinear; N],
    x: &Tensor,
) -> Result<[Tensor; N]> {
    let outs = match fused(&layers, x)? {
        Some(outs) => outs,
        None => layers
            .iter()
            .map(|l| x.apply(*l))
            .collect::<Result<Vec<_>>>()?,
    };
    outs.try_into()
        .map_err(|_| candle_core::Error::Msg("fused projections returned a wrong count".into()))
}

/// Rows up to which [`QLinear::rows_independent`] holds (the 16-bit kernel's limit).
pub(crate) const ROWS_INDEPENDENT_MAX: usize = float16::MAX_ROWS;

/// Rows up to which [`forward_shared`] fuses: decode steps. Prefill keeps candle's own choice of
/// kernel per matrix (it has large-batch paths the fused one lacks).
const FUSED_MAX_ROWS: usize = 16;

fn fused<const N: usize>(layers: &[&QLinear; N], x: &Tensor) -> Result<Option<Vec<Tensor>>> {
    let packed = layers.map(|l| match l {
        QLinear::Packed { weight, .. } => Some(weight.as_ref()),
        _ => None,
    });
    if let Some(weights) = packed.iter().copied().collect::<Option<Vec<_>>>() {
        let weights: [&Packed; N] = weights
            .try_into()
            .map_err(|_| candle_core::Error::Msg("packed layers miscounted".into()))?;
        let outs = matmul::matmul_shared(weights, x)?;
        return outs
            .into_iter()
            .zip(layers)
            .map(|(y, l)| add_bias(y.to_dtype(x.dtype())?, l.bias()))
            .collect::<Result<Vec<_>>>()
            .map(Some);
    }
    let rows = x.elem_count() / x.dim(candle_core::D::Minus1)?.max(1);
    if !x.device().is_cpu() || x.dtype() != DType::F32 || rows > FUSED_MAX_ROWS {
        return Ok(None);
    }
    let mut weights = Vec::with_capacity(layers.len());
    let mut biases = Vec::with_capacity(layers.len());
    for layer in layers {
        let QLinear::Quantized {
            weight: QMatMul::QTensor(w),
            bias,
        } = layer
        else {
            return Ok(None);
        };
        weights.push(w.as_ref());
        biases.push(bias);
    }
    let Some(outs) = QTensor::gemv_fused_shared_lhs(&weights, &x.contiguous()?)? else {
        return Ok(None);
    };
    outs.into_iter()
        .zip(biases)
        .map(|(y, b)| add_bias(y, b.as_ref()))
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// The token embedding, and through it a tied LM head: dense, or one `q8_0` matrix serving both.
#[derive(Clone, Debug)]
pub(crate) enum QEmbedding {
    /// The table, and the dtype its rows are returned in.
    Dense(Embedding, DType),
    Quantized {
        table: Arc<QTensor>,
        dtype: DType,
    },
    /// A `q8_0`, `q4_k` or `q6_k` table packed for [`Packed`]'s kernels, which also serve the tied LM
    /// head.
    Packed {
        table: Arc<Packed>,
        dtype: DType,
    },
}

impl QEmbedding {
    /// Reads `weight` (`(vocab, hidden)`) under `vb`; quantized to `q8_0` when any quantization is
    /// requested and the hidden size is a multiple of 32.
    pub(crate) fn new(
        vocab: usize,
        hidden: usize,
        quant: Option<Quantization>,
        vb: VarBuilder,
    ) -> Result<Self> {
        let dtype = vb.dtype();
        let table = vb.get((vocab, hidden), "weight")?;
        match quant.and_then(|_| fitting(GgmlDType::Q8_0, hidden)) {
            Some(t) => Self::quantized(QTensor::quantize(&table, t)?, dtype),
            None => Ok(QEmbedding::Dense(
                Embedding::new(table, hidden),
                compute_dtype(dtype, vb.device()),
            )),
        }
    }

    /// An embedding over the quantized `table`, its rows returned in `dtype`: packed where
    /// [`Packed`] runs (see [`QLinear::quantized`]).
    pub(crate) fn quantized(table: QTensor, dtype: DType) -> Result<Self> {
        Ok(match Packed::from_qtensor(&table)? {
            Some(packed) => QEmbedding::Packed {
                table: Arc::new(packed),
                dtype,
            },
            None => QEmbedding::Quantized {
                table: Arc::new(table),
                dtype,
            },
        })
    }

    /// The LM head that shares this table (tied word embeddings).
    pub(crate) fn tied_head(&self) -> Result<QLinear> {
        match self {
            QEmbedding::Dense(e, _) => {
                Ok(QLinear::Dense(Linear::new(e.embeddings().clone(), None)))
            }
            QEmbedding::Quantized { table, .. } => Ok(QLinear::Quantized {
                weight: QMatMul::from_arc(table.clone())?,
                bias: None,
            }),
            QEmbedding::Packed { table, .. } => Ok(QLinear::Packed {
                weight: table.clone(),
                bias: None,
            }),
        }
    }

    pub(crate) fn weight_bytes(&self) -> usize {
        match self {
            QEmbedding::Dense(e, _) => tensor_bytes(e.embeddings()),
            QEmbedding::Quantized { table, .. } => table.storage_size_in_bytes(),
            QEmbedding::Packed { table, .. } => table.size_in_bytes(),
        }
    }
}

impl Module for QEmbedding {
    fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        match self {
            QEmbedding::Dense(e, dtype) => e.forward(ids)?.to_dtype(*dtype),
            QEmbedding::Quantized { table, dtype } => table.embedding(ids)?.to_dtype(*dtype),
            QEmbedding::Packed { table, dtype } => {
                let rows = table.rows_f32(&ids.flatten_all()?.to_vec1::<u32>()?)?;
                let mut dims = ids.dims().to_vec();
                dims.push(table.dims().1);
                Tensor::from_vec(rows, dims, ids.device())?.to_dtype(*dtype)
            }
        }
    }
}

/// The untied LM head: `q8_0` when any quantization is requested (see the module docs).
pub(crate) fn lm_head(
    hidden: usize,
    vocab: usize,
    quant: Option<Quantization>,
    vb: VarBuilder,
) -> Result<QLinear> {
    QLinear::new(hidden, vocab, false, quant.map(|_| Quantization::Q8_0), vb)
}

pub(crate) fn tensor_bytes(t: &Tensor) -> usize {
    t.elem_count() * t.dtype().size_in_bytes()
}

fn qmatmul_bytes(m: &QMatMul) -> usize {
    match m {
        QMatMul::QTensor(t) => t.storage_size_in_bytes(),
        QMatMul::Tensor(t) | QMatMul::TensorF16(t) => tensor_bytes(t),
    }
}
