//! Random-weight Qwen3 checkpoints written to disk, so benchmarks and tests load them through the normal
//! [`super::LocalModel::load`] path (safetensors memory-mapped, or GGUF) exactly as real weights.
//!
//! No weights can be downloaded here, and speed depends only on the shape and the storage format, so a
//! seeded random checkpoint of Qwen3-0.6B's shape measures what the real one would. The text it generates
//! is noise. Values are uniform with standard deviation 0.02 (transformers' `initializer_range`), norm
//! weights are 1; every tensor has its own stream derived from the seed and its name, so the bytes do not
//! depend on the order tensors are written in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::{DType, Device, Tensor};

use super::gguf::gguf_name;
use super::gguf_tokenizer::tokenizer_metadata;
use crate::error::{Error, Result};

/// How the weights are stored on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WeightFormat {
    F32,
    F16,
    Bf16,
    /// GGUF, every matrix (embedding included, which is also the tied output layer) in Q8_0; norms f32.
    Q8_0,
    /// GGUF, every matrix in Q4_K; norms f32. Needs dimensions that are multiples of 256.
    Q4K,
    /// GGUF as llama.cpp's `Q4_K_M` (the most downloaded kind): Q4_K matrices but Q6_K for the
    /// embedding (the tied output layer) and for the value and down projections of the first and
    /// last eighth of the layers and every third layer between; norms f32. Multiples of 256.
    Q4KM,
}

impl WeightFormat {
    pub const ALL: [WeightFormat; 6] = [
        Self::F32,
        Self::F16,
        Self::Bf16,
        Self::Q8_0,
        Self::Q4K,
        Self::Q4KM,
    ];

    /// The name used in tables and on the command line (`f32`, `q8_0`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::F16 => "f16",
            Self::Bf16 => "bf16",
            Self::Q8_0 => "q8_0",
            Self::Q4K => "q4_k",
            Self::Q4KM => "q4_k_m",
        }
    }

    pub fn parse(name: &str) -> Option<WeightFormat> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The `LoadOptions::dtype` that loads the file without conversion (`None` for GGUF).
    pub fn load_dtype(self) -> Option<super::options::WeightDtype> {
        use super::options::WeightDtype;
        match self {
            Self::F32 => Some(WeightDtype::F32),
            Self::F16 => Some(WeightDtype::F16),
            Self::Bf16 => Some(WeightDtype::Bf16),
            Self::Q8_0 | Self::Q4K | Self::Q4KM => None,
        }
    }

    fn safetensors_dtype(self) -> Option<DType> {
        match self {
            Self::F32 => Some(DType::F32),
            Self::F16 => Some(DType::F16),
            Self::Bf16 => Some(DType::BF16),
            Self::Q8_0 | Self::Q4K | Self::Q4KM => None,
        }
    }

    /// The GGUF type of matrix `name` (a safetensors name) of a model of `layers` layers, following
    /// llama.cpp's choices for `Q4_K_M` (`llama_tensor_get_type`).
    fn ggml_dtype(self, name: &str, layers: usize) -> GgmlDType {
        match self {
            Self::Q4K => GgmlDType::Q4K,
            Self::Q4KM => {
                // `use_more_bits`: the first and last eighth, and every third layer between.
                let more_bits =
                    |i: usize| i < layers / 8 || i >= 7 * layers / 8 || (i - layers / 8) % 3 == 2;
                let layer = name
                    .strip_prefix("model.layers.")
                    .and_then(|rest| rest.split('.').next())
                    .and_then(|i| i.parse::<usize>().ok());
                let wide = match layer {
                    Some(i) => {
                        (name.ends_with("v_proj.weight") || name.ends_with("down_proj.weight"))
                            && more_bits(i)
                    }
                    None => name == "model.embed_tokens.weight" || name == "lm_head.weight",
                };
                if wide { GgmlDType::Q6K } else { GgmlDType::Q4K }
            }
            _ => GgmlDType::Q8_0,
        }
    }
}

/// The shape of a dense Qwen3 model and the seed of its weights.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomQwen3 {
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub num_key_value_heads: usize,
    pub head_dim: usize,
    pub vocab_size: usize,
    pub max_position_embeddings: usize,
    pub tie_word_embeddings: bool,
    pub seed: u64,
}

impl RandomQwen3 {
    /// Qwen/Qwen3-0.6B's shape (its config.json), with a 4,096-position window: enough for the benches,
    /// and rope tables of the full 40,960 positions would only cost load time.
    pub fn qwen3_0_6b() -> Self {
        RandomQwen3 {
            hidden_size: 1024,
            intermediate_size: 3072,
            num_hidden_layers: 28,
            num_attention_heads: 16,
            num_key_value_heads: 8,
            head_dim: 128,
            vocab_size: 151_936,
            max_position_embeddings: 4096,
            tie_word_embeddings: true,
            seed: 0x5eed,
        }
    }

    /// The shape of `tests/models/qwen3-tiny` (hidden 32, 2 layers), for tests.
    pub fn tiny() -> Self {
        RandomQwen3 {
            hidden_size: 32,
            intermediate_size: 64,
            num_hidden_layers: 2,
            num_attention_heads: 4,
            num_key_value_heads: 2,
            head_dim: 16,
            vocab_size: 151_936,
            max_position_embeddings: 1024,
            tie_word_embeddings: true,
            seed: 0x5eed,
        }
    }

    /// Number of weights (the tied output layer counted once).
    pub fn parameter_count(&self) -> usize {
        self.tensor_shapes()
            .iter()
            .map(|(_, s)| s.iter().product::<usize>())
            .sum()
    }

    /// `config.json` in the hub layout (top-level `rope_theta`, `torch_dtype`).
    pub fn config_json(&self, torch_dtype: &str) -> serde_json::Value {
        serde_json::json!({
            "architectures": ["Qwen3ForCausalLM"],
            "model_type": "qwen3",
            "attention_bias": false,
            "attention_dropout": 0.0,
            "bos_token_id": 151643,
            "eos_token_id": 151643,
            "head_dim": self.head_dim,
            "hidden_act": "silu",
            "hidden_size": self.hidden_size,
            "initializer_range": 0.02,
            "intermediate_size": self.intermediate_size,
            "max_position_embeddings": self.max_position_embeddings,
            "max_window_layers": self.num_hidden_layers,
            "num_attention_heads": self.num_attention_heads,
            "num_hidden_layers": self.num_hidden_layers,
            "num_key_value_heads": self.num_key_value_heads,
            "rms_norm_eps": 1e-6,
            "rope_scaling": null,
            "rope_theta": 1_000_000.0,
            "sliding_window": null,
            "tie_word_embeddings": self.tie_word_embeddings,
            "torch_dtype": torch_dtype,
            "use_cache": true,
            "use_sliding_window": false,
            "vocab_size": self.vocab_size,
        })
    }

    /// Writes a checkpoint in `format` into the directory `dir` (created), with `tokenizer.json` and
    /// `tokenizer_config.json` (if present) copied from `tokenizer_dir`. Returns what to pass as
    /// `LoadOptions::source`: `dir` for safetensors, the `.gguf` file inside it for GGUF.
    pub fn write(&self, dir: &Path, format: WeightFormat, tokenizer_dir: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(dir).map_err(|source| io(dir, source))?;
        for (name, required) in [("tokenizer.json", true), ("tokenizer_config.json", false)] {
            let from = tokenizer_dir.join(name);
            if !required && !from.exists() {
                continue;
            }
            std::fs::copy(&from, dir.join(name)).map_err(|source| io(&from, source))?;
        }
        if let Some(dtype) = format.safetensors_dtype() {
            let torch_dtype = match dtype {
                DType::F16 => "float16",
                DType::BF16 => "bfloat16",
                _ => "float32",
            };
            let config = serde_json::to_string_pretty(&self.config_json(torch_dtype))
                .map_err(|e| Error::InvalidInput(e.to_string()))?;
            let path = dir.join("config.json");
            std::fs::write(&path, config).map_err(|source| io(&path, source))?;
            self.write_safetensors(&dir.join("model.safetensors"), dtype)?;
            Ok(dir.to_path_buf())
        } else {
            let path = dir.join(format!("model-{}.gguf", format.name()));
            self.write_gguf(&path, format, dir)?;
            Ok(path)
        }
    }

    /// Checkpoint names and shapes (`(out, in)` for matrices), in the safetensors layout.
    fn tensor_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let (h, i, hd) = (self.hidden_size, self.intermediate_size, self.head_dim);
        let (q, kv) = (self.num_attention_heads * hd, self.num_key_value_heads * hd);
        let mut shapes = vec![
            (
                "model.embed_tokens.weight".to_owned(),
                vec![self.vocab_size, h],
            ),
            ("model.norm.weight".to_owned(), vec![h]),
        ];
        if !self.tie_word_embeddings {
            shapes.push(("lm_head.weight".to_owned(), vec![self.vocab_size, h]));
        }
        for l in 0..self.num_hidden_layers {
            let p = format!("model.layers.{l}");
            for (name, shape) in [
                ("self_attn.q_proj.weight", vec![q, h]),
                ("self_attn.k_proj.weight", vec![kv, h]),
                ("self_attn.v_proj.weight", vec![kv, h]),
                ("self_attn.o_proj.weight", vec![h, q]),
                ("self_attn.q_norm.weight", vec![hd]),
                ("self_attn.k_norm.weight", vec![hd]),
                ("mlp.gate_proj.weight", vec![i, h]),
                ("mlp.up_proj.weight", vec![i, h]),
                ("mlp.down_proj.weight", vec![h, i]),
                ("input_layernorm.weight", vec![h]),
                ("post_attention_layernorm.weight", vec![h]),
            ] {
                shapes.push((format!("{p}.{name}"), shape));
            }
        }
        shapes
    }

    /// One tensor's values in f32: ones for norms (1-D), seeded uniform noise for matrices.
    fn values(&self, name: &str, shape: &[usize]) -> Result<Tensor> {
        let n: usize = shape.iter().product();
        if shape.len() == 1 {
            return Ok(Tensor::ones(shape, DType::F32, &Device::Cpu)?);
        }
        let mut rng = SplitMix64(self.seed ^ fnv1a(name));
        // Uniform on [-a, a) has standard deviation a / sqrt(3).
        let a = 0.02 * 3f32.sqrt();
        let data: Vec<f32> = (0..n).map(|_| (rng.next_unit() * 2.0 - 1.0) * a).collect();
        Ok(Tensor::from_vec(data, shape, &Device::Cpu)?)
    }

    fn write_safetensors(&self, path: &Path, dtype: DType) -> Result<()> {
        let mut tensors = HashMap::new();
        for (name, shape) in self.tensor_shapes() {
            let t = self.values(&name, &shape)?.to_dtype(dtype)?;
            tensors.insert(name, t);
        }
        candle_core::safetensors::save(&tensors, path)?;
        Ok(())
    }

    /// The GGUF file, with the tokenizer in `tokenizer_dir` as its `tokenizer.ggml.*` metadata (so
    /// llama.cpp runs the same file).
    fn write_gguf(&self, path: &Path, format: WeightFormat, tokenizer_dir: &Path) -> Result<()> {
        let mut tensors: Vec<(String, QTensor)> = Vec::new();
        for (name, shape) in self.tensor_shapes() {
            let values = self.values(&name, &shape)?;
            // llama.cpp keeps norms in f32; matrices take the format's quantization.
            let dtype = if shape.len() == 1 {
                GgmlDType::F32
            } else {
                format.ggml_dtype(&name, self.num_hidden_layers)
            };
            let q = QTensor::quantize(&values, dtype)?;
            let gguf = gguf_name(&name)
                .ok_or_else(|| Error::InvalidInput(format!("{name} has no GGUF name")))?;
            tensors.push((gguf, q));
        }
        let u32v = |v: usize| gguf_file::Value::U32(v as u32);
        let metadata = [
            (
                "general.architecture",
                gguf_file::Value::String("qwen3".into()),
            ),
            // The block layout's version, as llama.cpp's quantizer writes it.
            ("general.quantization_version", u32v(2)),
            ("qwen3.attention.head_count", u32v(self.num_attention_heads)),
            (
                "qwen3.attention.head_count_kv",
                u32v(self.num_key_value_heads),
            ),
            ("qwen3.attention.key_length", u32v(self.head_dim)),
            ("qwen3.attention.value_length", u32v(self.head_dim)),
            ("qwen3.block_count", u32v(self.num_hidden_layers)),
            ("qwen3.embedding_length", u32v(self.hidden_size)),
            ("qwen3.feed_forward_length", u32v(self.intermediate_size)),
            ("qwen3.context_length", u32v(self.max_position_embeddings)),
            (
                "qwen3.attention.layer_norm_rms_epsilon",
                gguf_file::Value::F32(1e-6),
            ),
            ("qwen3.rope.freq_base", gguf_file::Value::F32(1_000_000.0)),
        ];
        let tokenizer = tokenizer_metadata(tokenizer_dir, self.vocab_size, &self.config_json(""))?;
        let metadata: Vec<(&str, &gguf_file::Value)> = metadata
            .iter()
            .map(|(k, v)| (*k, v))
            .chain(tokenizer.iter().map(|(k, v)| (k.as_str(), v)))
            .collect();
        let tensors: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let file = std::fs::File::create(path).map_err(|source| io(path, source))?;
        let mut w = std::io::BufWriter::new(file);
        gguf_file::write(&mut w, &metadata, &tensors)?;
        std::io::Write::flush(&mut w).map_err(|source| io(path, source))?;
        Ok(())
    }
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A stable name hash (FNV-1a), so a tensor's stream does not depend on std's randomized hasher.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// SplitMix64: tiny, fast and good enough for weights nobody reads; avoids a `rand` dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1) from the top 24 bits (an f32's mantissa).
    fn next_unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::backend::{Backend, Prompt};
    use crate::options::{DeviceSpec, WeightDtype};
    use crate::sampling::SamplingParams;
    use crate::{LoadOptions, LocalModel};
    use tokio_util::sync::CancellationToken;

    fn tokenizer_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/models/qwen3-tiny")
    }

    fn generate(source: &Path, dtype: Option<WeightDtype>) -> Vec<u32> {
        let model = LocalModel::load(&LoadOptions {
            source: source.display().to_string(),
            dtype,
            device: Some(DeviceSpec::Cpu),
            ..LoadOptions::default()
        })
        .unwrap();
        let params = SamplingParams {
            max_tokens: 4,
            ..SamplingParams::default()
        };
        let prompt = Prompt::Text("def add(a, b):".into());
        let out = model
            .generate(&prompt, &params, &CancellationToken::new(), &mut |_| {})
            .unwrap();
        out.token_ids
    }

    #[test]
    fn written_checkpoints_load_and_generate() {
        let tmp = tempfile::tempdir().unwrap();
        let shape = RandomQwen3::tiny();
        // q4_k needs multiples of 256, which the tiny shape is not; 0.6B's shape is.
        for format in [WeightFormat::F32, WeightFormat::Bf16, WeightFormat::Q8_0] {
            let source = shape
                .write(&tmp.path().join(format.name()), format, &tokenizer_dir())
                .unwrap();
            assert_eq!(
                generate(&source, format.load_dtype()).len(),
                4,
                "{format:?}"
            );
        }
    }

    /// A q4_k GGUF (every matrix, the embedding and tied head included, in q4_k: what the benches load)
    /// and a `Q4_K_M`-like one (q6_k embedding and, in a one-layer model, q6_k value and down
    /// projections) run: llama.cpp's k-quant files keep the embedding in 4-6 bits, which quantizing
    /// at load never makes.
    #[test]
    fn a_q4_k_gguf_loads_and_generates() {
        let tmp = tempfile::tempdir().unwrap();
        let shape = RandomQwen3 {
            hidden_size: 256,
            intermediate_size: 256,
            num_hidden_layers: 1,
            head_dim: 64,
            ..RandomQwen3::tiny()
        };
        for format in [WeightFormat::Q4K, WeightFormat::Q4KM] {
            let source = shape
                .write(&tmp.path().join(format.name()), format, &tokenizer_dir())
                .unwrap();
            assert_eq!(generate(&source, None).len(), 4, "{format:?}");
        }
    }

    #[test]
    fn the_same_seed_writes_the_same_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let shape = RandomQwen3 {
            vocab_size: 512,
            ..RandomQwen3::tiny()
        };
        let write = |name: &str, shape: &RandomQwen3| {
            let dir = tmp.path().join(name);
            shape
                .write(&dir, WeightFormat::F32, &tokenizer_dir())
                .unwrap();
            std::fs::read(dir.join("model.safetensors")).unwrap()
        };
        let a = write("a", &shape);
        assert_eq!(a, write("b", &shape));
        assert_ne!(
            a,
            write(
                "c",
                &RandomQwen3 {
                    seed: 1,
                    ..shape.clone()
                }
            )
        );
    }

    #[test]
    fn qwen3_0_6b_shape_has_its_parameter_count() {
        // Qwen3-0.6B: 596M weights without the tied output layer (0.44B without the embedding).
        let n = RandomQwen3::qwen3_0_6b().parameter_count();
        assert!((590_000_000..600_000_000).contains(&n), "{n}");
    }
}
