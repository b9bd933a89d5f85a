//! Command-line flags shared by every subcommand that loads a model (`serve`, `generate`, `serve-http`).

/// How to load the weights, whatever the model source is.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct WeightArgs {
    /// Weights' dtype: f32, f16 or bf16 (default: the best for the device).
    #[arg(long)]
    pub dtype: Option<String>,
    /// Device: cpu, cuda[:N] or metal (default: the best available).
    #[arg(long)]
    pub device: Option<String>,
    /// Quantize a safetensors checkpoint's weights at load: q8_0 or q4_k (default: none).
    #[arg(long)]
    pub quantize: Option<String>,
    /// The type keys and values are cached in: f16, f32, int8 (CPU only: a byte per value and a
    /// scale per row, half of f16's memory) or auto (default: f16 on the CPU for quantized and
    /// 16-bit weights, the activations' type otherwise).
    #[arg(long)]
    pub kv_cache: Option<String>,
    /// A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors), merged into the
    /// weights at load; repeat to merge several, in order. Safetensors checkpoints only.
    #[arg(long = "lora", value_name = "DIR")]
    pub lora: Vec<String>,
    /// CPU threads for the model (default: the physical cores less one, so the editor keeps a core;
    /// `RAYON_NUM_THREADS` also sets it). Read once, when the process starts.
    #[arg(long, env = "QWEN_LSP_THREADS")]
    pub threads: Option<usize>,
}

impl WeightArgs {
    /// The engine's load options for `source` with these flags.
    pub fn load_options(&self, source: String, show_progress: bool) -> engine::model::LoadOptions {
        engine::model::LoadOptions {
            source,
            dtype: self.dtype.clone(),
            device: self.device.clone(),
            show_progress,
            quantize: self.quantize.clone(),
            kv_cache: self.kv_cache.clone(),
            lora: self.lora.clone(),
            ..Default::default()
        }
    }
}
