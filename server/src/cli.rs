//! How to load a model's weights: one struct that the command line (`serve`, `generate`, `serve-http`)
//! and the editor's settings share. Values are the engine's typed options, parsed as they enter, so a
//! bad one is an error naming the flag or setting and the values it takes.

use engine::model::options::{DeviceSpec, KvCacheType, Quantization, QuantizeSetting, WeightDtype};
use serde::{Deserialize, Deserializer};

/// The weight flags, and the same keys in the settings (camelCase there: `kvCache`). Every field is
/// optional; on the command line a flag wins over the setting.
#[derive(clap::Args, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct WeightOptions {
    /// Weights' dtype: f32, f16 or bf16 (default: the best for the device).
    #[arg(long)]
    #[serde(deserialize_with = "dtype")]
    pub dtype: Option<WeightDtype>,
    /// Device: cpu, cuda, cuda:N or metal (default: the best available).
    #[arg(long)]
    #[serde(deserialize_with = "device")]
    pub device: Option<DeviceSpec>,
    /// Quantize a safetensors checkpoint's weights at load: q8_0, q4_k or none. Default: q8_0 on the
    /// CPU when no --dtype is given (a quarter of f32's bytes, and the int8 kernels), none on GPUs.
    #[arg(long)]
    #[serde(deserialize_with = "quantize")]
    pub quantize: Option<QuantizeSetting>,
    /// The type keys and values are cached in: auto, f16, f32 or int8 (CPU only: a byte per value and
    /// a scale per row, half of f16's memory). Default auto: f16 on the CPU for quantized and 16-bit
    /// weights, the activations' type otherwise.
    #[arg(long)]
    #[serde(deserialize_with = "kv_cache")]
    pub kv_cache: Option<KvCacheType>,
    /// A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors), merged into the
    /// weights at load; repeat to merge several, in order. Safetensors checkpoints only.
    #[arg(long = "lora", value_name = "DIR")]
    pub lora: Vec<String>,
    /// CPU threads for the model (default: $QWEN_LSP_THREADS, else the physical cores less one, so the
    /// editor keeps a core; `RAYON_NUM_THREADS` also sets it). Read once, when the process starts, so
    /// not a setting.
    #[arg(long)]
    #[serde(skip)]
    pub threads: Option<usize>,
}

/// The product's default when `quantize` is not given: q8_0 on the CPU (the engine applies it only there,
/// to unquantized safetensors checkpoints, and only without a `dtype`).
pub fn cpu_default_quantize(quantize: Option<QuantizeSetting>) -> Option<Quantization> {
    quantize.is_none().then_some(Quantization::Q8_0)
}

/// Environment variable for `--threads` when the flag is absent.
pub const THREADS_ENV: &str = "QWEN_LSP_THREADS";

impl WeightOptions {
    /// The engine's load options for `source` with these flags.
    pub fn load_options(&self, source: String, show_progress: bool) -> engine::model::LoadOptions {
        engine::model::LoadOptions {
            source,
            dtype: self.dtype,
            device: self.device,
            show_progress,
            quantize: self.quantize.and_then(QuantizeSetting::quantization),
            cpu_default_quantize: cpu_default_quantize(self.quantize),
            kv_cache: self.kv_cache.unwrap_or_default(),
            lora: self.lora.clone(),
            ..Default::default()
        }
    }

    /// `--threads`, else [`THREADS_ENV`]; a value that is not a count is an error naming it.
    pub fn threads(&self) -> anyhow::Result<Option<usize>> {
        if self.threads.is_some() {
            return Ok(self.threads);
        }
        match std::env::var(THREADS_ENV) {
            Ok(value) if !value.trim().is_empty() => {
                value.trim().parse().map(Some).map_err(|_| {
                    anyhow::anyhow!("{THREADS_ENV}={value:?} is not a number of threads")
                })
            }
            _ => Ok(None),
        }
    }

    /// The backend `spec` names, checked against these flags: `--threads` sets the threads of a model
    /// loaded in this process, so with a remote model it is an error, as the weight options are
    /// ([`engine::remote::BackendSpec::new`]). `$QWEN_LSP_THREADS` is process-wide and not checked.
    pub fn check_threads(&self, spec: &engine::remote::BackendSpec) -> anyhow::Result<()> {
        if let (Some(_), engine::remote::BackendSpec::Remote(_)) = (self.threads, spec) {
            anyhow::bail!(
                "{} is a remote server: --threads is for a model loaded in this process only (remove it)",
                spec.source()
            );
        }
        Ok(())
    }
}

/// A setting's value, with an error that names the setting: serde's own path is lost for the
/// fields of a flattened struct.
fn named<'de, D, T>(deserializer: D, key: &str) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
        .map_err(|e| serde::de::Error::custom(format!("{key}: {e}")))
}

fn dtype<'de, D: Deserializer<'de>>(d: D) -> Result<Option<WeightDtype>, D::Error> {
    named(d, "dtype")
}

fn device<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DeviceSpec>, D::Error> {
    named(d, "device")
}

fn quantize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<QuantizeSetting>, D::Error> {
    named(d, "quantize")
}

fn kv_cache<'de, D: Deserializer<'de>>(d: D) -> Result<Option<KvCacheType>, D::Error> {
    named(d, "kvCache")
}
