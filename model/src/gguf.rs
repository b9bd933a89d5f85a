//! GGUF files (llama.cpp's format) as a source of weights for our own model ([`super::qwen::Qwen`]):
//! the metadata becomes a [`QwenConfig`], and each tensor is found by the Hugging Face name the model's
//! constructors ask for (see [`gguf_name`]).
//!
//! Quantized matrices keep the file's values: `q8_0`/`q4_k`/`q6_k` repacked for our kernels on x86
//! (`kernels::matmul`), other types (`q5_k`...) as candle `QMatMul`s over the file's blocks, so a
//! GGUF model runs the same kernels, caches and batching as a safetensors checkpoint quantized at
//! load. Matrices the file stores as f32/f16/bf16 become dense layers in the model dtype; norms and
//! biases are dequantized to it. Qwen's rope is the non-interleaved (NEOX) kind and llama.cpp's converter does not permute q/k
//! for qwen2/qwen3, so the weights are used as they are.
//!
//! Supported: `general.architecture` `qwen2` (Qwen2, Qwen2.5, Qwen2.5-Coder) and `qwen3` (dense).
//! Qwen3-MoE files (`qwen3moe`, experts stacked in 3-D tensors) and other architectures are refused.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::{DType, Device, Result, Shape, Tensor};

use super::config::{QwenConfig, RawConfig};
use crate::error::candle_message;

/// The architectures read from GGUF files.
const SUPPORTED: &str = "qwen2, qwen3";

/// An open GGUF file: its header, read once, and the file to read tensors from on demand.
pub(crate) struct GgufWeights {
    content: gguf_file::Content,
    /// Behind a lock because reading moves the file position (weight sources are shared).
    file: Mutex<File>,
    /// The dtype of the dense tensors (norms, biases, unquantized matrices) and of the activations.
    dtype: DType,
    device: Device,
}

impl GgufWeights {
    /// Opens `path` and reads its header. Errors are messages for the caller to wrap with the path.
    pub(crate) fn open(
        path: &Path,
        dtype: DType,
        device: &Device,
    ) -> std::result::Result<Self, String> {
        let mut file = File::open(path).map_err(|e| format!("cannot open the file: {e}"))?;
        let content = gguf_file::Content::read(&mut file)
            .map_err(|e| format!("not a valid GGUF file: {}", candle_message(&e)))?;
        Ok(GgufWeights {
            content,
            file: Mutex::new(file),
            dtype,
            device: device.clone(),
        })
    }

    pub(crate) fn dtype(&self) -> DType {
        self.dtype
    }

    pub(crate) fn device(&self) -> &Device {
        &self.device
    }

    fn architecture(&self) -> std::result::Result<&str, String> {
        match self.content.metadata.get("general.architecture") {
            Some(gguf_file::Value::String(arch)) => Ok(arch),
            Some(other) => Err(format!("general.architecture is not a string: {other:?}")),
            None => Err(format!(
                "general.architecture is missing; supported GGUF architectures: {SUPPORTED}"
            )),
        }
    }

    /// The tokenizer the file carries (`tokenizer.ggml.*`): a `tokenizer.json` document and a
    /// `tokenizer_config.json`; `None` when it carries none.
    pub(crate) fn tokenizer(
        &self,
    ) -> std::result::Result<Option<(String, serde_json::Value)>, String> {
        crate::gguf_tokenizer::tokenizer_from_metadata(&self.content.metadata)
    }

    /// The model configuration from the file's metadata (the `{arch}.*` keys llama.cpp writes) and
    /// tensors (vocabulary size, tied output layer, biases).
    pub(crate) fn config(&self) -> std::result::Result<QwenConfig, String> {
        let arch = self.architecture()?;
        let model_type = match arch {
            "qwen2" | "qwen3" => arch,
            "qwen3moe" | "qwen2moe" => {
                return Err(format!(
                    "GGUF architecture {arch:?} (mixture of experts) is not supported; supported GGUF \
                     architectures: {SUPPORTED} (load the safetensors checkpoint for MoE models)"
                ));
            }
            other => {
                return Err(format!(
                    "unsupported GGUF architecture {other:?}; supported: {SUPPORTED}"
                ));
            }
        };
        let md = &self.content.metadata;
        let key = |k: &str| format!("{arch}.{k}");
        let int = |k: &str| -> std::result::Result<Option<usize>, String> {
            md.get(&key(k))
                .map(|v| match v {
                    gguf_file::Value::I32(n) => usize::try_from(*n).ok(),
                    gguf_file::Value::I64(n) => usize::try_from(*n).ok(),
                    v => v.to_u64().ok().and_then(|n| usize::try_from(n).ok()),
                })
                .map(|n| n.ok_or_else(|| format!("{} is not a non-negative integer", key(k))))
                .transpose()
        };
        let required = |k: &str| int(k)?.ok_or_else(|| format!("{} is missing", key(k)));
        let float = |k: &str| -> std::result::Result<Option<f64>, String> {
            md.get(&key(k))
                .map(|v| match v {
                    // Through the shortest decimal that round-trips, so an f32 1e-6 is read as
                    // config.json's 1e-6 and not as 9.99999997e-7.
                    gguf_file::Value::F32(x) => {
                        Ok(x.to_string().parse::<f64>().unwrap_or(f64::from(*x)))
                    }
                    gguf_file::Value::F64(x) => Ok(*x),
                    other => Err(format!("{} is not a number: {other:?}", key(k))),
                })
                .transpose()
        };
        if let Some(gguf_file::Value::String(kind)) = md.get(&key("rope.scaling.type"))
            && kind != "none"
        {
            return Err(format!(
                "{} = {kind:?} is not supported (only plain rope)",
                key("rope.scaling.type")
            ));
        }
        let vocab_size = self
            .content
            .tensor_infos
            .get("token_embd.weight")
            .ok_or("tensor token_embd.weight is missing")?
            .shape
            .dims()
            .first()
            .copied()
            .unwrap_or(0);
        let has = |name: &str| self.content.tensor_infos.contains_key(name);
        let raw = RawConfig {
            model_type: Some(model_type.to_string()),
            architectures: Vec::new(),
            vocab_size,
            hidden_size: required("embedding_length")?,
            intermediate_size: required("feed_forward_length")?,
            num_hidden_layers: required("block_count")?,
            num_attention_heads: required("attention.head_count")?,
            num_key_value_heads: int("attention.head_count_kv")?,
            // Qwen3 files write it; Qwen2's is embedding_length / head_count (the default).
            head_dim: int("attention.key_length")?,
            // Only read for Qwen3 (Qwen2 always has q/k/v biases).
            attention_bias: Some(has("blk.0.attn_q.bias")),
            max_position_embeddings: required("context_length")?,
            rms_norm_eps: float("attention.layer_norm_rms_epsilon")?
                .ok_or_else(|| format!("{} is missing", key("attention.layer_norm_rms_epsilon")))?,
            tie_word_embeddings: !has("output.weight"),
            hidden_act: None,
            use_sliding_window: false,
            // llama.cpp's default when the file does not say.
            rope_theta: Some(float("rope.freq_base")?.unwrap_or(10_000.0)),
            rope_scaling: None,
            rope_parameters: None,
            torch_dtype: None,
            dtype: None,
            eos_token_id: None,
            num_experts: None,
            num_experts_per_tok: None,
            moe_intermediate_size: None,
            decoder_sparse_step: None,
            norm_topk_prob: false,
            mlp_only_layers: Vec::new(),
        };
        raw.resolve()
    }

    /// The tensor the model knows as `hf_name`, checked against `shape` (`(out, in)` for matrices).
    pub(crate) fn tensor(&self, hf_name: &str, shape: &Shape) -> Result<QTensor> {
        let Some(name) = gguf_name(hf_name) else {
            candle_core::bail!("{hf_name} has no GGUF name (not a Qwen2/Qwen3 dense weight)")
        };
        let Some(info) = self.content.tensor_infos.get(&name) else {
            candle_core::bail!("tensor {name} ({hf_name}) is missing")
        };
        if &info.shape != shape {
            candle_core::bail!(
                "tensor {name} has shape {:?}, the metadata implies {:?}",
                info.shape.dims(),
                shape.dims()
            )
        }
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        info.read(&mut *file, self.content.tensor_data_offset, &self.device)
            .map_err(|e| candle_core::Error::Msg(format!("tensor {name}: {}", candle_message(&e))))
    }

    /// A dense tensor (norm, bias, router) in the model dtype.
    pub(crate) fn dense(&self, hf_name: &str, shape: &Shape) -> Result<Tensor> {
        self.tensor(hf_name, shape)?
            .dequantize(&self.device)?
            .to_dtype(self.dtype)
    }
}

/// Whether a GGUF tensor of this type is stored unquantized (then used as a dense tensor).
pub(crate) fn is_dense(t: &QTensor) -> bool {
    matches!(t.dtype(), GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16)
}

/// The llama.cpp name of a Hugging Face Qwen2/Qwen3 tensor name (`model.layers.3.mlp.up_proj.weight`
/// -> `blk.3.ffn_up.weight`), or `None` for names llama.cpp has no counterpart for here.
pub fn gguf_name(hf_name: &str) -> Option<String> {
    match hf_name {
        "model.embed_tokens.weight" => return Some("token_embd.weight".into()),
        "model.norm.weight" => return Some("output_norm.weight".into()),
        "lm_head.weight" => return Some("output.weight".into()),
        _ => {}
    }
    let rest = hf_name.strip_prefix("model.layers.")?;
    let (layer, tail) = rest.split_once('.')?;
    layer.parse::<usize>().ok()?;
    let (module, kind) = tail.rsplit_once('.')?;
    if kind != "weight" && kind != "bias" {
        return None;
    }
    let module = match module {
        "self_attn.q_proj" => "attn_q",
        "self_attn.k_proj" => "attn_k",
        "self_attn.v_proj" => "attn_v",
        "self_attn.o_proj" => "attn_output",
        "self_attn.q_norm" => "attn_q_norm",
        "self_attn.k_norm" => "attn_k_norm",
        "input_layernorm" => "attn_norm",
        "post_attention_layernorm" => "ffn_norm",
        "mlp.gate_proj" => "ffn_gate",
        "mlp.up_proj" => "ffn_up",
        "mlp.down_proj" => "ffn_down",
        _ => return None,
    };
    Some(format!("blk.{layer}.{module}.{kind}"))
}

#[cfg(test)]
mod tests {
    use super::gguf_name;

    #[test]
    fn hugging_face_names_map_to_llama_cpp_names() {
        for (hf, gguf) in [
            ("model.embed_tokens.weight", Some("token_embd.weight")),
            ("lm_head.weight", Some("output.weight")),
            ("model.norm.weight", Some("output_norm.weight")),
            (
                "model.layers.11.self_attn.k_proj.bias",
                Some("blk.11.attn_k.bias"),
            ),
            (
                "model.layers.0.post_attention_layernorm.weight",
                Some("blk.0.ffn_norm.weight"),
            ),
            ("model.layers.0.mlp.experts.0.up_proj.weight", None),
            ("model.layers.x.mlp.up_proj.weight", None),
        ] {
            assert_eq!(gguf_name(hf).as_deref(), gguf, "{hf}");
        }
    }
}
