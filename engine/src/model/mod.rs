//! Qwen models in candle: loading (hub id, HF directory, GGUF), tokenizer, generation. [`LocalModel`]
//! implements [`crate::Backend`].
//!
//! Code map: `loading/` finds the files (and `loading::hub` the HF cache), `lora` merges PEFT LoRA
//! adapters into the weights as they load, `config` reads `config.json`,
//! `qwen` is the model (Qwen2, Qwen3, Qwen3-MoE), `kv_cache` its truncatable cache, `gguf` the quantized
//! Qwen3, `tokenizer` + `chat_template` the text side, `sampler` + `generate` the decoding loop.
//!
//! Decisions worth knowing:
//! - A prompt must leave room for one generated token (else [`crate::Error::PromptTooLong`]);
//!   `max_tokens` is then cut to the room left and generation ends with `FinishReason::Length`.
//! - Calls reuse cached keys/values for their longest common token prefix (at least one prompt token
//!   is always run, for its logits), from an LRU of several cached sequences bounded in bytes
//!   (`prefix_cache`; 512 MiB by default), so alternating between files keeps both. GGUF models can
//!   only clear their one cache, so they reuse only when the new prompt extends everything cached.
//! - `quantize` (`q8_0`, `q4_k`) quantizes a safetensors checkpoint's matrices at load (`quantize`).
//! - Safetensors weights are read tensor by tensor (`weights`), not memory-mapped: candle copies out of
//!   a map anyway, and the mapped pages doubled the peak RSS of a load.
//! - GGUF files are read for Qwen3 only, and need `tokenizer.json` (+ `tokenizer_config.json`) beside them.
//! - Defaults: f32 on CPU, bf16 on CUDA, f16 on Metal; the best device compiled in and present.
//! - GPUs: build with `--features cuda` (needs `nvcc` and `CUDA_COMPUTE_CAP`; README, "GPU builds") or
//!   `--features metal`; the model code is device-generic and CI checks only the CPU.

mod batcher;
pub mod chat_template;
pub mod config;
pub(crate) mod cpu_kernels;
pub mod generate;
pub mod gguf;
pub mod kv_cache;
pub mod loading;
pub mod lora;
pub mod prefix_cache;
pub mod quantize;
pub mod qwen;
pub mod random;
pub mod sampler;
pub mod tokenizer;
mod weights;

use std::sync::{Arc, Mutex, MutexGuard};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use serde::{Deserialize, Serialize};

use crate::error::candle_message;
use crate::{
    Backend, CancellationToken, Error, Generation, ModelInfo, Prompt, Result, SamplingParams,
};

use self::batcher::{Batcher, Job};
use self::config::{QwenConfig, RawConfig};
use self::generate::{CacheState, CausalLm, Request};
use self::gguf::GgufQwen;
use self::kv_cache::KvCache;
use self::loading::Resolved;
use self::prefix_cache::PrefixCache;
use self::quantize::Quantization;
use self::qwen::Qwen;
use self::tokenizer::{QwenTokenizer, TokenizerSources};

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
    /// `q8_0` or `q4_k`: quantize a safetensors checkpoint's matrices as they load (see
    /// [`quantize`]); `None` keeps `dtype`. GGUF files are quantized already and reject it.
    #[serde(default)]
    pub quantize: Option<String>,
    /// PEFT LoRA adapter directories, merged into the weights at load in this order (see [`lora`]).
    /// Safetensors checkpoints only.
    #[serde(default)]
    pub lora: Vec<String>,
    /// MiB of keys/values kept across requests for prefix reuse (see [`prefix_cache`]); `None` = 512.
    #[serde(default)]
    pub prefix_cache_mb: Option<usize>,
    /// The secret filter applied to prompts sent to a remote backend (on by default; see
    /// [`crate::secrets`]). Models in this process never send prompts anywhere and ignore it.
    #[serde(default)]
    pub secrets: crate::secrets::SecretFilterConfig,
}

/// Prompt tokens run per forward pass during prefill.
pub(crate) const PREFILL_CHUNK: usize = 512;

/// The weights plus the cache they fill.
enum Runner {
    Safetensors { model: Qwen, cache: KvCache },
    Gguf(GgufQwen),
}

impl CausalLm for Runner {
    fn truncate(&mut self, n: usize) -> usize {
        match self {
            Runner::Safetensors { cache, .. } => {
                cache.truncate(n);
                cache.len()
            }
            Runner::Gguf(g) => g.truncate(n),
        }
    }

    fn forward(&mut self, tokens: &[u32]) -> Result<Tensor> {
        match self {
            Runner::Safetensors { model, cache } => {
                // Long prompts go in chunks: attention scores are (heads, chunk, cached + chunk), so a
                // whole 8k-token prompt at once would need gigabytes for one layer's scores.
                let mut last = None;
                for chunk in tokens.chunks(PREFILL_CHUNK) {
                    let input = Tensor::new(chunk, model.device())?.unsqueeze(0)?;
                    last = Some(model.forward(&input, cache, false)?);
                }
                let last = last.ok_or_else(|| Error::InvalidInput("no tokens to run".into()))?;
                Ok(last.squeeze(0)?)
            }
            Runner::Gguf(g) => g.forward(tokens),
        }
    }
}

pub(crate) struct State {
    runner: Runner,
    /// What the active cache (in `runner`) holds.
    cache: CacheState,
    /// The other cached sequences (safetensors models only: a GGUF cache cannot be swapped out).
    prefixes: PrefixCache,
}

/// What the calling threads and the batching worker share: the tokenizer and the state.
pub(crate) struct Core {
    tokenizer: QwenTokenizer,
    state: Mutex<State>,
}

impl Core {
    /// The state, recovered if a panic poisoned the lock (its cache is then cleared).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| {
            let mut state = poisoned.into_inner();
            state.runner.truncate(0);
            state.cache = CacheState::default();
            state.prefixes.clear();
            state
        })
    }
}

/// A model loaded in this process. Thread-safe; owns its KV caches, from which each call reuses the
/// longest common token prefix. Concurrent `generate` calls on a safetensors model decode together
/// (continuous batching, see [`batcher`]); on a GGUF model they are serialized.
pub struct LocalModel {
    info: ModelInfo,
    config: Option<QwenConfig>,
    device: Device,
    dtype: DType,
    core: Arc<Core>,
    /// The batching worker (safetensors models; `None` for GGUF).
    batcher: Option<Batcher>,
}

impl LocalModel {
    pub fn load(options: &LoadOptions) -> Result<LocalModel> {
        let model = Self::load_weights(options)?;
        if let Some(mb) = options.prefix_cache_mb {
            model.set_prefix_cache_bytes(mb.saturating_mul(1 << 20));
        }
        Ok(model)
    }

    fn load_weights(options: &LoadOptions) -> Result<LocalModel> {
        let device = loading::parse_device(options.device.as_deref())?;
        let dtype = loading::parse_dtype(options.dtype.as_deref(), &device)?;
        let quant = Quantization::parse(options.quantize.as_deref())?;
        let name = options.source.clone();
        let err = |message: String| Error::ModelLoad {
            source_desc: name.clone(),
            message,
        };
        match loading::resolve(&options.source, options.show_progress)? {
            Resolved::Safetensors(files) => {
                let text = std::fs::read_to_string(&files.config).map_err(|source| Error::Io {
                    path: files.config.clone(),
                    source,
                })?;
                let config = RawConfig::parse(&text)
                    .and_then(|c| c.resolve())
                    .map_err(err)?;
                let mut extra_eos = config.eos_token_ids.clone();
                if let Some(g) = &files.generation_config {
                    extra_eos.extend(tokenizer::generation_config_eos(g)?);
                }
                let tokenizer = QwenTokenizer::load(
                    &files.tokenizer,
                    TokenizerSources {
                        tokenizer_config: files.tokenizer_config.as_deref(),
                        chat_template_jinja: files.chat_template_jinja.as_deref(),
                        extra_eos_ids: extra_eos,
                    },
                )?;
                if tokenizer.vocab_size() > config.vocab_size {
                    return Err(err(format!(
                        "tokenizer has {} tokens but the model's vocab_size is {}",
                        tokenizer.vocab_size(),
                        config.vocab_size
                    )));
                }
                let vb = if options.lora.is_empty() {
                    read_safetensors(&files.weights, dtype, &device)
                        .map_err(|e| err(candle_message(&e)))?
                } else {
                    lora::merged_var_builder(&files.weights, &options.lora, dtype, &device)?
                };
                let model = Qwen::with_quantization(&config, vb, quant).map_err(|e| {
                    err(format!(
                        "weights do not match config.json: {}",
                        candle_message(&e)
                    ))
                })?;
                let cache = model.new_cache();
                let context_length = config.max_position_embeddings;
                Self::assemble(
                    name,
                    tokenizer,
                    Some(config),
                    context_length,
                    device,
                    dtype,
                    Runner::Safetensors { model, cache },
                )
            }
            Resolved::Gguf(files) => {
                if !options.lora.is_empty() {
                    return Err(err(
                        "LoRA adapters are not supported with GGUF files (their weights are quantized \
                         already); load the safetensors checkpoint instead"
                            .into(),
                    ));
                }
                if let Some(q) = quant {
                    return Err(err(format!(
                        "a GGUF file is quantized already; drop quantize = {:?} or load a \
                         safetensors checkpoint",
                        q.name()
                    )));
                }
                let tokenizer = QwenTokenizer::load(
                    &files.tokenizer,
                    TokenizerSources {
                        tokenizer_config: files.tokenizer_config.as_deref(),
                        chat_template_jinja: files.chat_template_jinja.as_deref(),
                        extra_eos_ids: Vec::new(),
                    },
                )?;
                let g = GgufQwen::load(&files.gguf, &device)?;
                let context_length = g.context_length;
                Self::assemble(
                    name,
                    tokenizer,
                    None,
                    context_length,
                    device,
                    DType::F32,
                    Runner::Gguf(g),
                )
            }
        }
    }

    fn assemble(
        name: String,
        tokenizer: QwenTokenizer,
        config: Option<QwenConfig>,
        context_length: usize,
        device: Device,
        dtype: DType,
        runner: Runner,
    ) -> Result<LocalModel> {
        let info = ModelInfo {
            name,
            context_length,
            special: tokenizer.special().clone(),
            has_chat_template: tokenizer.chat_template().is_some(),
        };
        let batching = matches!(runner, Runner::Safetensors { .. });
        let core = Arc::new(Core {
            tokenizer,
            state: Mutex::new(State {
                runner,
                cache: CacheState::default(),
                prefixes: PrefixCache::new(prefix_cache::DEFAULT_PREFIX_CACHE_BYTES),
            }),
        });
        let batcher = if batching {
            Some(Batcher::start(core.clone())?)
        } else {
            None
        };
        Ok(LocalModel {
            info,
            config,
            device,
            dtype,
            core,
            batcher,
        })
    }

    pub fn tokenizer(&self) -> &QwenTokenizer {
        &self.core.tokenizer
    }

    /// The resolved `config.json` (`None` for GGUF files).
    pub fn config(&self) -> Option<&QwenConfig> {
        self.config.as_ref()
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The dtype of the weights and activations (GGUF: the f32 activations of the quantized model).
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Encodes a prompt as `generate` would: text as is (special tokens recognized), chat messages
    /// through the model's chat template.
    pub fn encode_prompt(&self, prompt: &Prompt) -> Result<Vec<u32>> {
        match prompt {
            Prompt::Text(text) => self.core.tokenizer.encode(text),
            Prompt::Chat(messages) => {
                let template = self.core.tokenizer.chat_template().ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "{} has no chat template; send a text prompt",
                        self.info.name
                    ))
                })?;
                self.core.tokenizer.encode(&template.render(messages)?)
            }
        }
    }

    /// Forgets the cached prefix, so the next call prefills its whole prompt.
    pub fn clear_cache(&self) {
        let mut state = self.core.lock();
        state.runner.truncate(0);
        state.cache = CacheState::default();
        state.prefixes.clear();
    }

    /// Bounds the bytes of keys/values kept across requests (default
    /// [`prefix_cache::DEFAULT_PREFIX_CACHE_BYTES`]); the sequence in use is kept whatever its size.
    pub fn set_prefix_cache_bytes(&self, bytes: usize) {
        let mut state = self.core.lock();
        let State {
            runner, prefixes, ..
        } = &mut *state;
        match runner {
            Runner::Safetensors { cache, .. } => prefixes.set_budget(bytes, cache),
            Runner::Gguf(_) => prefixes.set_budget(bytes, &KvCache::new(0)),
        }
    }

    /// Sequences whose keys/values are cached: the one in use and those kept for later requests.
    pub fn cached_sequences(&self) -> usize {
        let state = self.core.lock();
        usize::from(!state.cache.tokens.is_empty()) + state.prefixes.parked_len()
    }

    /// Bytes of the weights as held in memory, quantized blocks included (`None` for GGUF models).
    pub fn weight_bytes(&self) -> Option<usize> {
        match &self.core.lock().runner {
            Runner::Safetensors { model, .. } => Some(model.weight_bytes()),
            Runner::Gguf(_) => None,
        }
    }

    /// Prompt tokens the last `generate` took from the cache instead of prefilling them.
    pub fn last_reused_tokens(&self) -> usize {
        self.core.lock().cache.last_reused
    }

    /// Logits at every position of `batch` (equal-length sequences), run from position 0 on a fresh
    /// cache: `[sequence][position][vocab]`. For checking the model against references and scoring.
    /// Not available for GGUF models.
    pub fn logits(&self, batch: &[Vec<u32>]) -> Result<Vec<Vec<Vec<f32>>>> {
        let len = batch.first().map(Vec::len).unwrap_or(0);
        if len == 0 || batch.iter().any(|s| s.len() != len) {
            return Err(Error::InvalidInput(
                "logits needs non-empty sequences of equal length".into(),
            ));
        }
        let mut state = self.core.lock();
        state.cache = CacheState::default();
        let Runner::Safetensors { model, cache } = &mut state.runner else {
            return Err(Error::InvalidInput(
                "per-position logits are not available for GGUF models".into(),
            ));
        };
        let flat: Vec<u32> = batch.concat();
        let input = Tensor::from_vec(flat, (batch.len(), len), model.device())?;
        cache.clear();
        let out = model.forward(&input, cache, true);
        // The cache now holds a batch that matches no single-sequence state.
        cache.clear();
        Ok(out?.to_vec3::<f32>()?)
    }

    /// Runs `tokens` after what the cache holds for the single sequence `prefix` (which must be what
    /// the previous `step_logits` calls fed) and returns the last position's logits. Incremental decoding
    /// for tests and scoring; `prefix` empty starts afresh.
    pub fn step_logits(&self, prefix: &[u32], tokens: &[u32]) -> Result<Vec<f32>> {
        if tokens.is_empty() {
            return Err(Error::InvalidInput(
                "step_logits needs at least one token".into(),
            ));
        }
        let mut state = self.core.lock();
        let State { runner, cache, .. } = &mut *state;
        let common = cache
            .tokens
            .iter()
            .zip(prefix)
            .take_while(|(a, b)| a == b)
            .count();
        if common < prefix.len() || cache.tokens.len() != prefix.len() {
            if runner.truncate(common) < prefix.len() {
                // Cannot continue from here: replay the prefix.
                runner.truncate(0);
                cache.tokens.clear();
                if !prefix.is_empty() {
                    runner.forward(prefix)?;
                    cache.tokens.extend_from_slice(prefix);
                }
            } else {
                cache.tokens.truncate(prefix.len());
            }
        }
        let logits = runner.forward(tokens);
        match logits {
            Ok(l) => {
                cache.tokens.extend_from_slice(tokens);
                Ok(l.to_vec1::<f32>()?)
            }
            Err(e) => {
                runner.truncate(0);
                cache.tokens.clear();
                Err(e)
            }
        }
    }
}

impl Backend for LocalModel {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn count_tokens(&self, text: &str) -> Result<usize> {
        Ok(self.core.tokenizer.encode(text)?.len())
    }

    fn generate(
        &self,
        prompt: &Prompt,
        params: &SamplingParams,
        cancel: &CancellationToken,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Generation> {
        params.validate()?;
        let prompt_ids = self.encode_prompt(prompt)?;
        let Some(batcher) = &self.batcher else {
            return self.generate_serialized(prompt_ids, params, cancel, on_text);
        };
        let max_tokens = generate::check_prompt(
            &prompt_ids,
            std::slice::from_ref(params),
            self.info.context_length,
        )?[0];
        if max_tokens == 0 {
            return Ok(Generation::empty(prompt_ids));
        }
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let (job, rx) = Job::new(prompt_ids, params.clone(), max_tokens, cancel.clone());
        batcher.submit(vec![job]);
        batcher::wait(&rx, cancel, on_text)
    }

    /// Queues every sample at once, so they prefill the prompt once (the later ones reuse its cache)
    /// and decode together. A GGUF model runs [`Backend::generate`] per sample.
    fn generate_batch(
        &self,
        prompt: &Prompt,
        params: &[SamplingParams],
        cancel: &CancellationToken,
    ) -> Result<Vec<Generation>> {
        let requests: Vec<(Prompt, SamplingParams)> =
            params.iter().map(|p| (prompt.clone(), p.clone())).collect();
        self.generate_many(&requests, cancel)
    }
}

/// Counters of the batching worker, cumulative since the model loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Decode steps run (one forward pass each).
    pub steps: usize,
    /// Sequences decoded, summed over the steps (`rows / steps` is the mean batch size).
    pub rows: usize,
    /// The largest number of sequences decoded in one step.
    pub max_rows: usize,
}

impl LocalModel {
    /// Generates for several requests (different prompts and parameters) queued together, so they decode
    /// as one batch; the answers come back in the order of `requests`. Concurrent [`Backend::generate`]
    /// calls batch the same way, as they arrive. A GGUF model runs them one after another.
    pub fn generate_many(
        &self,
        requests: &[(Prompt, SamplingParams)],
        cancel: &CancellationToken,
    ) -> Result<Vec<Generation>> {
        let Some(batcher) = self.batcher.as_ref().filter(|_| requests.len() > 1) else {
            return requests
                .iter()
                .map(|(prompt, p)| self.generate(prompt, p, cancel, &mut |_| {}))
                .collect();
        };
        let mut out: Vec<Option<Generation>> = vec![None; requests.len()];
        let mut jobs = Vec::new();
        let mut waits = Vec::new();
        for (i, (prompt, p)) in requests.iter().enumerate() {
            let prompt_ids = self.encode_prompt(prompt)?;
            let max_tokens = generate::check_prompt(
                &prompt_ids,
                std::slice::from_ref(p),
                self.info.context_length,
            )?[0];
            if max_tokens == 0 {
                out[i] = Some(Generation::empty(prompt_ids));
                continue;
            }
            let (job, rx) = Job::new(prompt_ids, p.clone(), max_tokens, cancel.clone());
            jobs.push(job);
            waits.push((i, rx));
        }
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        batcher.submit(jobs);
        for (i, rx) in waits {
            out[i] = Some(batcher::wait(&rx, cancel, &mut |_| {})?);
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// The batching worker's counters (`None` for GGUF models, which do not batch).
    pub fn batch_stats(&self) -> Option<BatchStats> {
        self.batcher.as_ref().map(Batcher::stats)
    }
}

impl LocalModel {
    /// One request at a time under the state's lock: GGUF models, whose cache cannot be batched.
    fn generate_serialized(
        &self,
        prompt_ids: Vec<u32>,
        params: &SamplingParams,
        cancel: &CancellationToken,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Generation> {
        let mut state = self.core.lock();
        let State {
            runner,
            cache,
            prefixes,
        } = &mut *state;
        if let Runner::Safetensors { cache: kv, .. } = runner {
            prefixes.select(kv, &mut cache.tokens, &prompt_ids)?;
        }
        let request = Request {
            prompt_ids,
            params,
            context_length: self.info.context_length,
            cancel,
        };
        let out = generate::run(runner, cache, &self.core.tokenizer, request, on_text);
        if let Runner::Safetensors { cache: kv, .. } = runner {
            prefixes.evict(kv);
        }
        out
    }
}

/// The safetensors files (one or the shards of an index) as a `VarBuilder` that reads each tensor when
/// it is asked for (see [`weights`] for why not a memory map).
fn read_safetensors(
    paths: &[std::path::PathBuf],
    dtype: DType,
    device: &Device,
) -> candle_core::Result<VarBuilder<'static>> {
    let backend = weights::ReadSafetensors::open(paths)?;
    Ok(VarBuilder::from_backend(
        Box::new(backend),
        dtype,
        device.clone(),
    ))
}
