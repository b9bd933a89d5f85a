//! Where the model's constructors take their weights from: a safetensors checkpoint (a `VarBuilder`,
//! LoRA adapters merged into it, matrices optionally quantized at load) or a GGUF file (its quantized
//! blocks as they are). The constructors in [`super::qwen`] ask for layers by Hugging Face name and
//! never see which one it is, so one model implementation serves both formats.

use std::sync::Arc;

use candle_core::{DType, Device, Result, Shape, Tensor};
use candle_nn::{Embedding, Linear, RmsNorm, VarBuilder};

use super::gguf::{self, GgufWeights};
use super::quantize::{self, QEmbedding, QLinear, Quantization};

/// A position in the checkpoint's name tree (`model.layers.3.self_attn`) and the weights under it.
#[derive(Clone)]
pub(crate) struct WeightSource<'a> {
    origin: Origin<'a>,
}

#[derive(Clone)]
enum Origin<'a> {
    /// `vb` carries its own name prefix.
    Safetensors {
        vb: VarBuilder<'a>,
        quant: Option<Quantization>,
    },
    Gguf {
        file: Arc<GgufWeights>,
        /// The Hugging Face name prefix, without a trailing dot.
        prefix: String,
    },
}

impl<'a> WeightSource<'a> {
    /// Weights read from `vb` in its dtype, matrices quantized to `quant` as they load (see
    /// [`super::quantize`]).
    pub(crate) fn safetensors(vb: VarBuilder<'a>, quant: Option<Quantization>) -> Self {
        WeightSource {
            origin: Origin::Safetensors { vb, quant },
        }
    }

    pub(crate) fn gguf(file: Arc<GgufWeights>) -> Self {
        WeightSource {
            origin: Origin::Gguf {
                file,
                prefix: String::new(),
            },
        }
    }

    /// The source one level down the name tree.
    pub(crate) fn pp(&self, name: impl ToString) -> Self {
        let origin = match &self.origin {
            Origin::Safetensors { vb, quant } => Origin::Safetensors {
                vb: vb.pp(name),
                quant: *quant,
            },
            Origin::Gguf { file, prefix } => Origin::Gguf {
                file: file.clone(),
                prefix: join(prefix, &name.to_string()),
            },
        };
        WeightSource { origin }
    }

    /// The dtype of the activations (and of norms, biases and the KV cache): the checkpoint's dtype,
    /// except bf16 on the CPU, which computes in f32 (see [`quantize::compute_dtype`]).
    pub(crate) fn dtype(&self) -> DType {
        match &self.origin {
            Origin::Safetensors { vb, .. } => quantize::compute_dtype(vb.dtype(), vb.device()),
            Origin::Gguf { file, .. } => file.dtype(),
        }
    }

    pub(crate) fn device(&self) -> &Device {
        match &self.origin {
            Origin::Safetensors { vb, .. } => vb.device(),
            Origin::Gguf { file, .. } => file.device(),
        }
    }

    /// A dense tensor in the model dtype (the MoE router).
    pub(crate) fn get(&self, shape: impl Into<Shape>, name: &str) -> Result<Tensor> {
        match &self.origin {
            Origin::Safetensors { vb, .. } => vb.to_dtype(self.dtype()).get(shape, name),
            Origin::Gguf { file, prefix } => file.dense(&join(prefix, name), &shape.into()),
        }
    }

    /// The linear layer here: `weight` `(out, in)` and, with `bias`, `bias` `(out,)`.
    pub(crate) fn linear(&self, in_dim: usize, out_dim: usize, bias: bool) -> Result<QLinear> {
        match &self.origin {
            Origin::Safetensors { vb, quant } => {
                QLinear::new(in_dim, out_dim, bias, *quant, vb.clone())
            }
            Origin::Gguf { file, prefix } => {
                let weight = file.tensor(&join(prefix, "weight"), &(out_dim, in_dim).into())?;
                let bias = if bias {
                    Some(file.dense(&join(prefix, "bias"), &out_dim.into())?)
                } else {
                    None
                };
                if gguf::is_dense(&weight) {
                    let weight = weight.dequantize(file.device())?.to_dtype(file.dtype())?;
                    return Ok(QLinear::Dense(Linear::new(weight, bias)));
                }
                QLinear::quantized(weight, bias)
            }
        }
    }

    /// The untied LM head here (`lm_head`): `q8_0` when a safetensors checkpoint is quantized at load
    /// (see [`super::quantize`]), the file's type for GGUF.
    pub(crate) fn lm_head(&self, hidden: usize, vocab: usize) -> Result<QLinear> {
        match &self.origin {
            Origin::Safetensors { vb, quant } => {
                quantize::lm_head(hidden, vocab, *quant, vb.clone())
            }
            Origin::Gguf { .. } => self.linear(hidden, vocab, false),
        }
    }

    /// The RMSNorm here (`weight` `(size,)`).
    pub(crate) fn rms_norm(&self, size: usize, eps: f64) -> Result<RmsNorm> {
        match &self.origin {
            Origin::Safetensors { vb, .. } => {
                candle_nn::rms_norm(size, eps, vb.to_dtype(self.dtype()))
            }
            Origin::Gguf { file, prefix } => Ok(RmsNorm::new(
                file.dense(&join(prefix, "weight"), &size.into())?,
                eps,
            )),
        }
    }

    /// The token embedding here (`weight` `(vocab, hidden)`).
    pub(crate) fn embedding(&self, vocab: usize, hidden: usize) -> Result<QEmbedding> {
        match &self.origin {
            Origin::Safetensors { vb, quant } => QEmbedding::new(vocab, hidden, *quant, vb.clone()),
            Origin::Gguf { file, prefix } => {
                let table = file.tensor(&join(prefix, "weight"), &(vocab, hidden).into())?;
                if gguf::is_dense(&table) {
                    let table = table.dequantize(file.device())?.to_dtype(file.dtype())?;
                    return Ok(QEmbedding::Dense(
                        Embedding::new(table, hidden),
                        file.dtype(),
                    ));
                }
                QEmbedding::quantized(table, file.dtype())
            }
        }
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}
