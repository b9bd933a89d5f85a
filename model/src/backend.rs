//! The one narrow seam between the pipeline and a model: [`Backend`].
//!
//! The local candle model ([`crate::LocalModel`]) implements it, and so does the engine's backend for an
//! OpenAI-compatible server (`engine::remote`). Everything that crosses it is plain data.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::sampling::SamplingParams;
use tokio_util::sync::CancellationToken;

/// What the pipeline needs to know about a model to build prompts for it. Detected from the tokenizer
/// and config files, never from the model's name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Hub id, directory or file the model came from.
    pub name: String,
    /// Maximum positions (prompt + generated).
    pub context_length: usize,
    pub special: SpecialTokens,
    /// Whether the model ships a chat template (instruct models).
    pub has_chat_template: bool,
    /// How the weights are held, in words (`q8_0, 633 MB, cpu`); empty for a remote model.
    #[serde(default)]
    pub weights: String,
}

/// Special tokens found in the tokenizer. `None` where the tokenizer lacks them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpecialTokens {
    pub fim_prefix: Option<String>,
    pub fim_suffix: Option<String>,
    pub fim_middle: Option<String>,
    pub fim_pad: Option<String>,
    pub repo_name: Option<String>,
    pub file_sep: Option<String>,
    /// Tokens that end generation (`<|endoftext|>`, `<|im_end|>`, ...).
    pub eos: Vec<String>,
    pub think_start: Option<String>,
    pub think_end: Option<String>,
}

impl SpecialTokens {
    /// True when the model can fill in the middle.
    pub fn has_fim(&self) -> bool {
        self.fim_prefix.is_some() && self.fim_suffix.is_some() && self.fim_middle.is_some()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

/// A prompt as the pipeline hands it to a backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Prompt {
    /// Raw text; special tokens written in it (e.g. `<|fim_prefix|>`) are encoded as special tokens.
    Text(String),
    /// Messages, rendered with the model's own chat template by the backend.
    Chat(Vec<ChatMessage>),
}

/// Why generation ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// `max_tokens` reached.
    Length,
    /// An end-of-sequence token.
    Eos,
    /// One of the requested stop strings (not included in `text`).
    Stop(String),
}

/// A finished generation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// The encoded prompt.
    pub prompt_token_ids: Vec<u32>,
    /// Generated ids only (EOS excluded).
    pub token_ids: Vec<u32>,
    /// Decoded text, cut before a stop string; `<think>` blocks are not stripped here.
    pub text: String,
    pub finish: FinishReason,
    pub prefill_ms: f64,
    pub decode_ms: f64,
}

impl Generation {
    /// Nothing generated yet (finish reason `Length`, what a `max_tokens` of 0 returns).
    pub fn empty(prompt_token_ids: Vec<u32>) -> Generation {
        Generation {
            prompt_token_ids,
            token_ids: Vec::new(),
            text: String::new(),
            finish: FinishReason::Length,
            prefill_ms: 0.0,
            decode_ms: 0.0,
        }
    }
}

/// What prefilling a prompt would cost ([`Backend::prefill_estimate`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PrefillEstimate {
    /// Prompt tokens the cache lacks (at least one: the last prompt token always runs).
    pub uncached_tokens: usize,
    /// Milliseconds those tokens take at the measured prefill speed.
    pub ms: f64,
}

/// A model that turns a prompt into text. Implementations are thread-safe; `generate` blocks, so async
/// callers run it on a blocking thread. It checks `cancel` at least once per token and then returns
/// [`crate::error::Error::Cancelled`]. `on_text` receives the text as it decodes, in UTF-8-complete pieces.
pub trait Backend: Send + Sync {
    fn info(&self) -> &ModelInfo;

    /// Number of tokens `text` encodes to (special tokens written in it count as one), for budgeting.
    fn count_tokens(&self, text: &str) -> Result<usize>;

    fn generate(
        &self,
        prompt: &Prompt,
        params: &SamplingParams,
        cancel: &CancellationToken,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Generation>;

    /// Runs `prompt` into the model's cache in the background, at a priority that yields to every
    /// request, so that a later request that starts the same way finds its keys and values cached
    /// (an editor warms a file's prompt when it opens it). Returns at once; what is warmed stays within
    /// the cache's byte budget, and a newer warm-up replaces ones not yet started. The default does
    /// nothing: a remote server keeps its own cache.
    fn warm(&self, prompt: &Prompt) -> Result<()> {
        let _ = prompt;
        Ok(())
    }

    /// What prefilling `prompt` would cost now: the tokens the model's cache lacks, and the time they
    /// take at the prefill speed measured so far. `None` when the backend cannot tell (a remote server,
    /// or a local model before its first prefill). A guess for choosing between prompts, not a promise:
    /// the cache may change before the prompt runs.
    fn prefill_estimate(&self, prompt: &Prompt) -> Result<Option<PrefillEstimate>> {
        let _ = prompt;
        Ok(None)
    }

    /// `params.len()` samples of one prompt, one `SamplingParams` per sample (each with its own seed,
    /// stop strings and `max_tokens`), in order. The default runs [`Self::generate`] once per sample;
    /// the local model decodes them together, one forward pass per step. No streaming.
    fn generate_batch(
        &self,
        prompt: &Prompt,
        params: &[SamplingParams],
        cancel: &CancellationToken,
    ) -> Result<Vec<Generation>> {
        params
            .iter()
            .map(|p| self.generate(prompt, p, cancel, &mut |_| {}))
            .collect()
    }
}
