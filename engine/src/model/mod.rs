//! Qwen models in candle: loading (hub id, HF directory, GGUF), tokenizer, generation. [`LocalModel`]
//! implements [`crate::Backend`].

use serde::{Deserialize, Serialize};

use crate::{Backend, CancellationToken, Generation, ModelInfo, Prompt, Result, SamplingParams};

/// Where and how to load a model. Plain data, parsed from CLI flags or editor settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LoadOptions {
    /// A Hugging Face hub id (`Qwen/Qwen3-0.6B`), a local HF directory, or a `.gguf` file.
    pub source: String,
    /// `f32`, `f16` or `bf16`; `None` = the best for the device.
    pub dtype: Option<String>,
    /// `cpu`, `cuda[:N]` or `metal`; `None` = the best available.
    pub device: Option<String>,
    /// Show a progress bar while downloading from the hub.
    pub show_progress: bool,
}

/// A model loaded in this process. Thread-safe; owns its KV cache.
pub struct LocalModel {
    info: ModelInfo,
}

impl LocalModel {
    pub fn load(options: &LoadOptions) -> Result<LocalModel> {
        Err(crate::Error::ModelLoad { source_desc: options.source.clone(), message: "not implemented yet".into() })
    }
}

impl Backend for LocalModel {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn count_tokens(&self, text: &str) -> Result<usize> {
        Ok(text.len())
    }

    fn generate(
        &self,
        _prompt: &Prompt,
        _params: &SamplingParams,
        _cancel: &CancellationToken,
        _on_text: &mut dyn FnMut(&str),
    ) -> Result<Generation> {
        Err(crate::Error::Model("not implemented yet".into()))
    }
}
