//! Qwen models in candle, and the seam every model sits behind: [`Backend`] and the plain types that
//! cross it ([`Prompt`], [`SamplingParams`], [`Generation`], [`ModelInfo`], [`Error`]).
//! [`LocalModel`] loads a hub id, an HF directory or a GGUF file and implements [`Backend`]; the engine's
//! remote backend implements it too.
//!
//! Architecture invariant: this crate knows candle, tokenizers and the model files, and nothing of
//! editors, prompts' contents or the pipeline around it. `unsafe` is allowed only in `kernels`.
//!
//! Code map: `loading/` finds the files (`loading::hub` the HF cache), `config` reads `config.json`,
//! `weights` reads safetensors tensor by tensor (not memory-mapped: the mapped pages doubled a load's
//! peak memory), `lora` merges PEFT adapters as they load, `gguf` + `weight_source` read GGUF blocks
//! (`gguf_tokenizer` its tokenizer, both ways), `quantize` quantizes at load; `qwen` is the model
//! (Qwen2, Qwen3, Qwen3-MoE), `kv_cache` its truncatable cache (f16, f32 or int8), `prefix_cache` the
//! LRU of cached sequences that requests reuse;
//! `tokenizer` + `chat_template` the text side; `sampler` + `generate` the decoding; `runner` what the
//! calling threads and the batching worker (`batcher`) share; `kernels` our CPU kernels.
//!
//! Decisions worth knowing:
//! - A prompt must leave room for one generated token (else [`Error::PromptTooLong`]); `max_tokens` is
//!   cut to the room left and generation then ends with `FinishReason::Length`.
//! - Calls reuse cached keys/values for their longest common token prefix; at least one prompt token is
//!   always run, for its logits.
//! - Defaults: f32 on CPU, bf16 on CUDA, f16 on Metal; the best device compiled in and present. On the
//!   CPU, 16-bit checkpoints keep 16-bit matrices but compute in f32, GGUF files run f32 activations,
//!   and the KV cache is f16 for quantized and 16-bit weights. The server asks for q8_0 on the CPU
//!   when no `quantize` or `dtype` is given ([`LoadOptions::cpu_default_quantize`]).
//! - GPUs: build with `--features cuda` (needs `nvcc` and `CUDA_COMPUTE_CAP`; README, "GPU builds") or
//!   `--features metal`; the model code is device-generic and CI checks only the CPU.

pub mod backend;
mod batcher;
#[cfg(feature = "bench")]
pub mod bench;
pub mod chat_template;
pub mod config;
pub mod error;
pub mod generate;
pub mod gguf;
mod gguf_tokenizer;
// The one module allowed `unsafe`: intrinsics and target features.
#[allow(unsafe_code)]
mod kernels;
pub mod kv_cache;
pub mod loading;
pub mod lora;
pub mod options;
pub mod prefix_cache;
pub mod quantize;
pub mod qwen;
pub mod random;
mod runner;
pub mod sampler;
pub mod sampling;
pub mod secrets;
pub mod speculative;
#[cfg(test)]
mod testing;
pub mod tokenizer;
mod weight_source;
mod weights;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use serde::{Deserialize, Serialize};

pub use backend::{
    Backend, ChatMessage, FinishReason, Generation, ModelInfo, PrefillEstimate, Prompt, Role,
    SpecialTokens,
};
pub use error::{Error, Result};
pub use sampling::SamplingParams;
pub use tokio_util::sync::CancellationToken;

use crate::error::candle_message;

pub use self::batcher::BatchStats;
use self::batcher::{Batcher, Job};
use self::config::{QwenConfig, RawConfig};
use self::generate::{CacheState, CausalLm};
use self::gguf::GgufWeights;
use self::kv_cache::KvType;
use self::loading::{GgufFiles, ModelFiles, Resolved};
use self::options::{DeviceSpec, KvCacheType, WeightDtype};
use self::prefix_cache::PrefixCache;
use self::quantize::Quantization;
use self::qwen::Qwen;
use self::runner::{Core, Runner, State};
use self::tokenizer::{QwenTokenizer, TokenizerSources};
use self::weight_source::WeightSource;

/// Where and how to load a model. Plain data, parsed from CLI flags or editor settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LoadOptions {
    /// A Hugging Face hub id (`Qwen/Qwen3-0.6B`), a local HF directory, or a `.gguf` file.
    pub source: String,
    /// The weights' dtype; `None` = the best for the device.
    pub dtype: Option<WeightDtype>,
    /// `None` = the best available.
    pub device: Option<DeviceSpec>,
    /// Show a progress bar while downloading from the hub.
    pub show_progress: bool,
    /// Quantize a safetensors checkpoint's matrices as they load (see [`quantize`]); `None` keeps
    /// `dtype`. GGUF files are quantized already and reject it.
    #[serde(default)]
    pub quantize: Option<Quantization>,
    /// What an unquantized safetensors checkpoint on the CPU is quantized to when neither `quantize`
    /// nor `dtype` is given. The server and its command line set q8_0 (a quarter of f32's bytes, and
    /// the int8 kernels); the library's default is none, so tests and benches load what they name.
    #[serde(default)]
    pub cpu_default_quantize: Option<Quantization>,
    /// PEFT LoRA adapter directories, merged into the weights at load in this order (see [`lora`]).
    /// Safetensors checkpoints only.
    #[serde(default)]
    pub lora: Vec<String>,
    /// MiB of keys/values kept across requests for prefix reuse (see [`prefix_cache`]); `None` = 512.
    #[serde(default)]
    pub prefix_cache_mb: Option<usize>,
    /// The type keys and values are cached in (see [`KvCacheType`]).
    #[serde(default)]
    pub kv_cache: KvCacheType,
    /// The secret filter applied to prompts sent to a remote backend (on by default; see
    /// [`crate::secrets`]). Models in this process never send prompts anywhere and ignore it.
    #[serde(default)]
    pub secrets: crate::secrets::SecretFilterConfig,
}

/// A model loaded in this process. Thread-safe; owns its KV caches, from which each call reuses the
/// longest common token prefix. Concurrent `generate` calls decode together (continuous batching, see
/// [`batcher`]).
pub struct LocalModel {
    info: ModelInfo,
    config: QwenConfig,
    device: Device,
    dtype: DType,
    core: Arc<Core>,
    batcher: Batcher,
}

/// What a load produced, before the model is assembled around it.
struct Loaded {
    tokenizer: QwenTokenizer,
    config: QwenConfig,
    model: Qwen,
    dtype: DType,
    /// The matrices' type as held: a quantization, or the dtype they were read in.
    matrices: String,
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
        let device = loading::open_device(options.device)?;
        let dtype = loading::weight_dtype(options.dtype, &device);
        let resolved = loading::resolve(&options.source, options.show_progress)?;
        let (mut loaded, dense_f32) = match resolved {
            Resolved::Safetensors(files) => {
                let quant = options.quantize.or(options
                    .cpu_default_quantize
                    .filter(|_| options.dtype.is_none() && device.is_cpu()));
                (
                    Self::load_safetensors(options, &files, dtype, quant, &device)?,
                    dtype == DType::F32 && quant.is_none(),
                )
            }
            Resolved::Gguf(files) => (
                Self::load_gguf(options, &files, dtype, options.quantize, &device)?,
                false,
            ),
        };
        let kv_type = kv_type(options.kv_cache, &device, dense_f32)
            .map_err(|message| load_error(&options.source, message))?;
        loaded.model.set_kv_type(kv_type);
        Self::assemble(options.source.clone(), loaded, device)
    }

    fn load_safetensors(
        options: &LoadOptions,
        files: &ModelFiles,
        dtype: DType,
        quant: Option<Quantization>,
        device: &Device,
    ) -> Result<Loaded> {
        let err = |message: String| load_error(&options.source, message);
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
        check_vocab(&tokenizer, &config).map_err(err)?;
        let vb = if options.lora.is_empty() {
            read_safetensors(&files.weights, dtype, device).map_err(|e| err(candle_message(&e)))?
        } else {
            lora::merged_var_builder(&files.weights, &options.lora, dtype, device)?
        };
        let model = Qwen::load(&config, &WeightSource::safetensors(vb, quant)).map_err(|e| {
            err(format!(
                "weights do not match config.json: {}",
                candle_message(&e)
            ))
        })?;
        Ok(Loaded {
            tokenizer,
            config,
            model,
            dtype: quantize::compute_dtype(dtype, device),
            matrices: quant.map_or_else(|| dtype_name(dtype).to_owned(), |q| q.name().to_owned()),
        })
    }

    /// A GGUF file into the same model: quantized matrices kept as the file's blocks, activations in
    /// f32 on the CPU (candle's quantized CPU kernels take f32) and in `dtype` on GPUs.
    fn load_gguf(
        options: &LoadOptions,
        files: &GgufFiles,
        dtype: DType,
        quant: Option<Quantization>,
        device: &Device,
    ) -> Result<Loaded> {
        let err = |message: String| load_error(&options.source, message);
        if !options.lora.is_empty() {
            return Err(err(
                "LoRA adapters are not supported with GGUF files (their weights are quantized \
                 already); load the safetensors checkpoint instead"
                    .into(),
            ));
        }
        if let Some(q) = quant {
            return Err(err(format!(
                "a GGUF file is quantized already; drop quantize = {:?} or load a safetensors \
                 checkpoint",
                q.name()
            )));
        }
        let dtype = if device.is_cpu() { DType::F32 } else { dtype };
        let weights = GgufWeights::open(&files.gguf, dtype, device).map_err(err)?;
        let config = weights.config().map_err(err)?;
        let tokenizer = Self::gguf_tokenizer(files, &weights).map_err(err)?;
        check_vocab(&tokenizer, &config).map_err(err)?;
        let model = Qwen::load(&config, &WeightSource::gguf(Arc::new(weights)))
            .map_err(|e| err(candle_message(&e)))?;
        Ok(Loaded {
            tokenizer,
            config,
            model,
            dtype,
            matrices: "gguf".to_owned(),
        })
    }

    /// A GGUF file's tokenizer: the files beside it when there is a `tokenizer.json`, else the one the
    /// file carries (`tokenizer.ggml.*`).
    fn gguf_tokenizer(
        files: &GgufFiles,
        weights: &GgufWeights,
    ) -> std::result::Result<QwenTokenizer, String> {
        if let Some(path) = &files.tokenizer {
            let sources = TokenizerSources {
                tokenizer_config: files.tokenizer_config.as_deref(),
                chat_template_jinja: files.chat_template_jinja.as_deref(),
                extra_eos_ids: Vec::new(),
            };
            return QwenTokenizer::load(path, sources).map_err(|e| e.to_string());
        }
        let (json, tok_config) = weights
            .tokenizer()
            .map_err(|e| format!("no tokenizer.json beside the file, and {e}"))?
            .ok_or(
                "no tokenizer.json beside the file, and the file carries no tokenizer \
                 (tokenizer.ggml.*); put the model's tokenizer.json and tokenizer_config.json next \
                 to it",
            )?;
        QwenTokenizer::from_json(&json, &tok_config, &files.gguf.display().to_string())
            .map_err(|e| e.to_string())
    }

    fn assemble(name: String, loaded: Loaded, device: Device) -> Result<LocalModel> {
        let Loaded {
            tokenizer,
            config,
            model,
            dtype,
            matrices,
        } = loaded;
        let info = ModelInfo {
            name,
            context_length: config.max_position_embeddings,
            special: tokenizer.special().clone(),
            has_chat_template: tokenizer.chat_template().is_some(),
            weights: format!(
                "{matrices}, {} MB, {}",
                model.weight_bytes() / 1_000_000,
                device_name(&device)
            ),
        };
        let cache = model.new_cache();
        let verify_rows = model.verify_rows();
        let core = Arc::new(Core {
            tokenizer,
            state: Mutex::new(State {
                runner: Runner { model, cache },
                cache: CacheState::default(),
                prefixes: PrefixCache::new(prefix_cache::DEFAULT_PREFIX_CACHE_BYTES),
            }),
            draft_tokens: AtomicUsize::new(speculative::draft_tokens_from_env()),
            verify_rows,
            view: Mutex::default(),
        });
        let batcher = Batcher::start(core.clone())?;
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

    /// The resolved configuration: from `config.json`, or from a GGUF file's metadata.
    pub fn config(&self) -> &QwenConfig {
        &self.config
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The dtype of the activations: the weights' dtype, except f32 for 16-bit weights on the CPU and
    /// for GGUF files on the CPU. (The KV cache may be f16 under f32 activations; see
    /// [`LoadOptions::kv_cache`].)
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
        self.core.publish(&state, []);
    }

    /// Bounds the bytes of keys/values kept across requests (default
    /// [`prefix_cache::DEFAULT_PREFIX_CACHE_BYTES`]); the sequence in use is kept whatever its size.
    pub fn set_prefix_cache_bytes(&self, bytes: usize) {
        let mut state = self.core.lock();
        let State {
            runner, prefixes, ..
        } = &mut *state;
        prefixes.set_budget(bytes, &runner.cache);
    }

    /// Sequences whose keys/values are cached: the one in use and those kept for later requests.
    pub fn cached_sequences(&self) -> usize {
        let state = self.core.lock();
        usize::from(!state.cache.tokens.is_empty()) + state.prefixes.parked_len()
    }

    /// Bytes of the weights as held in memory, quantized blocks included.
    pub fn weight_bytes(&self) -> usize {
        self.core.lock().runner.model.weight_bytes()
    }

    /// Bytes of keys and values one cached position holds, every layer's: what a decode step reads
    /// per position of context, besides the weights.
    pub fn kv_bytes_per_position(&self) -> usize {
        let c = &self.config;
        let kind = self.core.lock().runner.model.kv_type();
        2 * c.num_hidden_layers * c.num_key_value_heads * kind.row_bytes(c.head_dim, self.dtype)
    }

    /// Prompt tokens the last `generate` took from the cache instead of prefilling them.
    pub fn last_reused_tokens(&self) -> usize {
        self.core.lock().cache.last_reused
    }

    /// Logits at every position of `batch` (equal-length sequences), run from position 0 on a fresh
    /// cache: `[sequence][position][vocab]`. For checking the model against references and scoring.
    pub fn logits(&self, batch: &[Vec<u32>]) -> Result<Vec<Vec<Vec<f32>>>> {
        let len = batch.first().map(Vec::len).unwrap_or(0);
        if len == 0 || batch.iter().any(|s| s.len() != len) {
            return Err(Error::InvalidInput(
                "logits needs non-empty sequences of equal length".into(),
            ));
        }
        let mut state = self.core.lock();
        state.cache = CacheState::default();
        let Runner { model, cache } = &mut state.runner;
        let flat: Vec<u32> = batch.concat();
        let input = Tensor::from_vec(flat, (batch.len(), len), model.device())?;
        cache.clear();
        let out = model.forward(&input, cache, true);
        // The cache now holds a batch that matches no single-sequence state.
        cache.clear();
        self.core.publish(&state, []);
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
        let logits = match logits {
            Ok(l) => {
                cache.tokens.extend_from_slice(tokens);
                l.to_vec1::<f32>().map_err(Error::from)
            }
            Err(e) => {
                runner.truncate(0);
                cache.tokens.clear();
                Err(e)
            }
        };
        self.core.publish(&state, []);
        logits
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
        let (job, rx) = match self.queued(prompt, params, cancel)? {
            Queued::Answer(generation) => return Ok(generation),
            Queued::Job(job, rx) => (job, rx),
        };
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        self.batcher.submit(vec![job]);
        batcher::wait(&rx, cancel, on_text)
    }

    fn prefill_estimate(&self, prompt: &Prompt) -> Result<Option<PrefillEstimate>> {
        let prompt_ids = self.encode_prompt(prompt)?;
        let view = self.core.view();
        let Some(ms_per_token) = view.ms_per_token() else {
            return Ok(None);
        };
        let cached = view
            .cached_prefix(&prompt_ids)
            .min(prompt_ids.len().saturating_sub(1));
        let uncached_tokens = prompt_ids.len() - cached;
        Ok(Some(PrefillEstimate {
            uncached_tokens,
            ms: uncached_tokens as f64 * ms_per_token,
        }))
    }

    fn warm(&self, prompt: &Prompt) -> Result<()> {
        let prompt_ids = self.encode_prompt(prompt)?;
        generate::check_prompt(&prompt_ids, &[], self.info.context_length)?;
        self.batcher.warm(prompt_ids);
        Ok(())
    }

    /// Queues every sample at once, so they prefill the prompt once (the later ones reuse its cache)
    /// and decode together.
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

impl LocalModel {
    /// Generates for several requests (different prompts and parameters) queued together, so they decode
    /// as one batch; the answers come back in the order of `requests`. Concurrent [`Backend::generate`]
    /// calls batch the same way, as they arrive.
    pub fn generate_many(
        &self,
        requests: &[(Prompt, SamplingParams)],
        cancel: &CancellationToken,
    ) -> Result<Vec<Generation>> {
        if let [(prompt, p)] = requests {
            return Ok(vec![self.generate(prompt, p, cancel, &mut |_| {})?]);
        }
        let batcher = &self.batcher;
        let mut out: Vec<Option<Generation>> = vec![None; requests.len()];
        let mut jobs = Vec::new();
        let mut waits = Vec::new();
        for (i, (prompt, p)) in requests.iter().enumerate() {
            match self.queued(prompt, p, cancel)? {
                Queued::Answer(generation) => out[i] = Some(generation),
                Queued::Job(job, rx) => {
                    jobs.push(job);
                    waits.push((i, rx));
                }
            }
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

    /// Sets the draft tokens each speculative verify pass checks when one sequence decodes alone
    /// (prompt-lookup drafts, see [`speculative`]); 0 turns speculation off. Greedy output is the
    /// same to the bit either way and sampled output follows the same distribution; only the speed
    /// changes. The default is [`speculative::DEFAULT_DRAFT_TOKENS`], or
    /// [`speculative::DRAFT_TOKENS_ENV`] when set at load.
    pub fn set_draft_tokens(&self, draft_tokens: usize) {
        self.core
            .draft_tokens
            .store(draft_tokens, Ordering::Relaxed);
    }

    /// Draft tokens per speculative verify pass (0: off); see [`Self::set_draft_tokens`].
    pub fn draft_tokens(&self) -> usize {
        self.core.draft_tokens.load(Ordering::Relaxed)
    }

    /// Whether this model speculates at all: its kernels compute a verify pass's rows exactly as
    /// decode steps (q8_0/q4_k GGUF or quantized at load, or 16-bit weights, on the CPU; not dense
    /// f32 weights, see [`Qwen::verify_rows`]).
    pub fn speculates(&self) -> bool {
        self.core.verify_rows > 1
    }

    /// Whether [`Backend::warm`] prompts are still queued or being prefilled.
    pub fn warming(&self) -> bool {
        self.batcher.warming()
    }

    /// The batching worker's counters.
    pub fn batch_stats(&self) -> BatchStats {
        self.batcher.stats()
    }

    /// A checked request for the batching worker, or its answer when there is nothing to generate
    /// (`max_tokens` of 0).
    fn queued(
        &self,
        prompt: &Prompt,
        params: &SamplingParams,
        cancel: &CancellationToken,
    ) -> Result<Queued> {
        params.validate()?;
        let prompt_ids = self.encode_prompt(prompt)?;
        let max_tokens = generate::check_prompt(
            &prompt_ids,
            std::slice::from_ref(params),
            self.info.context_length,
        )?[0];
        if max_tokens == 0 {
            return Ok(Queued::Answer(Generation::empty(prompt_ids)));
        }
        let (job, rx) = Job::new(prompt_ids, params.clone(), max_tokens, cancel.clone());
        Ok(Queued::Job(job, rx))
    }
}

/// What [`LocalModel::queued`] makes of a request.
enum Queued {
    Answer(Generation),
    Job(Job, std::sync::mpsc::Receiver<batcher::Event>),
}

/// The cache's type asked for by `spec` for weights on `device`, `dense_f32` when they are an f32
/// checkpoint kept unquantized.
fn kv_type(
    spec: KvCacheType,
    device: &Device,
    dense_f32: bool,
) -> std::result::Result<KvType, String> {
    match spec {
        KvCacheType::Auto if device.is_cpu() && !dense_f32 => Ok(KvType::Float(DType::F16)),
        KvCacheType::Auto => Ok(KvType::Activations),
        KvCacheType::Int8 if !device.is_cpu() => Err(
            "kv_cache int8 is read by the CPU's attention kernels only; use f16 or auto on a GPU"
                .into(),
        ),
        KvCacheType::Int8 => Ok(KvType::Int8),
        KvCacheType::F16 => Ok(KvType::Float(DType::F16)),
        KvCacheType::F32 => Ok(KvType::Float(DType::F32)),
    }
}

fn dtype_name(dtype: DType) -> &'static str {
    match dtype {
        DType::F32 => "f32",
        DType::F16 => "f16",
        DType::BF16 => "bf16",
        _ => "other",
    }
}

fn device_name(device: &Device) -> &'static str {
    match device {
        Device::Cpu => "cpu",
        Device::Cuda(_) => "cuda",
        Device::Metal(_) => "metal",
    }
}

/// A load error naming the model's source.
fn load_error(source: &str, message: String) -> Error {
    Error::ModelLoad {
        source_desc: source.to_string(),
        message,
    }
}

/// The tokenizer's ids must all have rows in the embedding.
fn check_vocab(tokenizer: &QwenTokenizer, config: &QwenConfig) -> std::result::Result<(), String> {
    if tokenizer.vocab_size() > config.vocab_size {
        return Err(format!(
            "tokenizer has {} tokens but the model's vocab_size is {}",
            tokenizer.vocab_size(),
            config.vocab_size
        ));
    }
    Ok(())
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
