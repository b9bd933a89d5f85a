//! Quantized Qwen3 from a GGUF file, through candle-transformers' `quantized_qwen3`.
//!
//! Two of its limits are handled here: its rope tables are built in the file's `general.dtype`, which
//! llama.cpp files omit and candle then takes as f16 (logits drift by 1e-2 at 1,000 positions), so we
//! declare f32 when the file is silent; and its cache can only be cleared, so prefix reuse is off and
//! batches are size 1 (its CPU path panics on larger ones).

use std::path::Path;

use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_qwen3::ModelWeights;

use crate::error::candle_message;
use crate::{Error, Result};

pub struct GgufQwen {
    model: ModelWeights,
    /// Positions in the model's internal cache.
    len: usize,
    device: Device,
    pub context_length: usize,
}

impl GgufQwen {
    pub fn load(path: &Path, device: &Device) -> Result<Self> {
        let err = |message: String| Error::ModelLoad {
            source_desc: path.display().to_string(),
            message,
        };
        let mut file = std::fs::File::open(path).map_err(|source| Error::Io {
            path: path.into(),
            source,
        })?;
        let mut content = gguf_file::Content::read(&mut file)
            .map_err(|e| err(format!("not a valid GGUF file: {}", candle_message(&e))))?;
        let arch = content
            .metadata
            .get("general.architecture")
            .and_then(|v| v.to_string().ok())
            .cloned();
        if arch.as_deref() != Some("qwen3") {
            return Err(err(format!(
                "unsupported GGUF architecture {:?}; only qwen3 GGUF files are supported",
                arch.as_deref().unwrap_or("<missing>")
            )));
        }
        content
            .metadata
            .entry("general.dtype".to_string())
            .or_insert(gguf_file::Value::U32(0));
        let context_length = content
            .metadata
            .get("qwen3.context_length")
            .and_then(|v| v.to_u32().ok())
            .ok_or_else(|| err("qwen3.context_length missing".into()))?
            as usize;
        let model = ModelWeights::from_gguf(content, &mut file, device)
            .map_err(|e| err(candle_message(&e)))?;
        Ok(GgufQwen {
            model,
            len: 0,
            device: device.clone(),
            context_length,
        })
    }

    /// The cache can only be cleared: truncating to anything shorter than it holds clears it.
    /// Returns the length kept.
    pub fn truncate(&mut self, n: usize) -> usize {
        if n < self.len {
            self.model.clear_kv_cache();
            self.len = 0;
        }
        self.len
    }

    /// Runs `tokens` (one sequence) after what the cache holds; returns the last position's f32 logits.
    pub fn forward(&mut self, tokens: &[u32]) -> Result<Tensor> {
        let input = Tensor::new(tokens, &self.device)?.unsqueeze(0)?;
        let logits = self.model.forward(&input, self.len)?;
        self.len += tokens.len();
        Ok(logits.squeeze(0)?.to_dtype(candle_core::DType::F32)?)
    }
}
