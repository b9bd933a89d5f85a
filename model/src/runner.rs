//! What a loaded model's calling threads and its batching worker share: the weights with the cache
//! they fill ([`Runner`]), the cached sequences ([`State`]) and the tokenizer ([`Core`]).

use std::sync::atomic::AtomicUsize;
use std::sync::{Mutex, MutexGuard, PoisonError};

use candle_core::Tensor;

use crate::error::{Error, Result};
use crate::generate::{CacheState, CausalLm};
use crate::kv_cache::KvCache;
use crate::prefix_cache::PrefixCache;
use crate::qwen::Qwen;
use crate::tokenizer::QwenTokenizer;

/// Prompt tokens run per forward pass during prefill.
pub(crate) const PREFILL_CHUNK: usize = 512;

/// The weights plus the active cache they fill.
pub(crate) struct Runner {
    pub(crate) model: Qwen,
    pub(crate) cache: KvCache,
}

impl CausalLm for Runner {
    fn truncate(&mut self, n: usize) -> usize {
        self.cache.truncate(n);
        self.cache.len()
    }

    fn forward(&mut self, tokens: &[u32]) -> Result<Tensor> {
        // Long prompts go in chunks: attention scores are (heads, chunk, cached + chunk), so a whole
        // 8k-token prompt at once would need gigabytes for one layer's scores.
        let mut last = None;
        for chunk in tokens.chunks(PREFILL_CHUNK) {
            let input = Tensor::new(chunk, self.model.device())?.unsqueeze(0)?;
            last = Some(self.model.forward(&input, &mut self.cache, false)?);
        }
        let last = last.ok_or_else(|| Error::InvalidInput("no tokens to run".into()))?;
        Ok(last.squeeze(0)?)
    }
}

pub(crate) struct State {
    pub(crate) runner: Runner,
    /// What the active cache (in `runner`) holds.
    pub(crate) cache: CacheState,
    /// The other cached sequences.
    pub(crate) prefixes: PrefixCache,
}

/// What the calling threads and the batching worker share: the tokenizer and the state.
pub(crate) struct Core {
    pub(crate) tokenizer: QwenTokenizer,
    pub(crate) state: Mutex<State>,
    /// Draft tokens per speculative verify pass of a lone sequence; 0 turns speculation off (see
    /// `crate::speculative`).
    pub(crate) draft_tokens: AtomicUsize,
    /// The model's [`Qwen::verify_rows`]: 0 where speculation would not be exact.
    pub(crate) verify_rows: usize,
    /// What is cached, readable while the worker holds `state` (see [`CacheView`]).
    pub(crate) view: Mutex<CacheView>,
}

impl Core {
    /// The state, recovered if a panic poisoned the lock (its cache is then cleared).
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| {
            let mut state = poisoned.into_inner();
            state.runner.truncate(0);
            state.cache = CacheState::default();
            state.prefixes.clear();
            state
        })
    }

    pub(crate) fn view(&self) -> MutexGuard<'_, CacheView> {
        // Every critical section leaves the view consistent: a poisoned lock is recovered as it is.
        self.view.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Publishes what `state` caches, plus `decoding` (sequences out of the cache while they decode).
    pub(crate) fn publish<'a>(
        &self,
        state: &'a State,
        decoding: impl IntoIterator<Item = &'a [u32]>,
    ) {
        let sequences = std::iter::once(state.cache.tokens.as_slice())
            .chain(state.prefixes.sequences())
            .chain(decoding);
        self.view().publish(sequences);
    }
}

/// What is cached, as callers may read it without waiting for the model: the token sequences whose
/// keys/values are held (the active entry, the parked ones, and the sequences being decoded, which go
/// back to the cache when they end) and the prefill speed measured so far. The batching worker
/// publishes it after every turn; between turns it may lag by one step, which is fine for what it is
/// for: guessing what a prompt would cost ([`crate::Backend::prefill_estimate`]).
#[derive(Default)]
pub(crate) struct CacheView {
    sequences: Vec<Vec<u32>>,
    /// Milliseconds per prompt token, a moving average over prefill steps; `None` before the first.
    ms_per_token: Option<f64>,
}

/// Weight of the newest prefill step in [`CacheView`]'s moving average.
const RATE_WEIGHT: f64 = 0.3;

/// Prefill steps shorter than this do not count towards the measured speed: a step of a few tokens
/// (a keystroke's) costs what a decode step does, far more per token than a prompt's chunk.
const RATE_MIN_TOKENS: usize = 16;

impl CacheView {
    /// Replaces the published sequences with `sequences`, reusing the buffers.
    pub(crate) fn publish<'a>(&mut self, sequences: impl IntoIterator<Item = &'a [u32]>) {
        let mut n = 0;
        for tokens in sequences.into_iter().filter(|t| !t.is_empty()) {
            match self.sequences.get_mut(n) {
                Some(slot) => {
                    slot.clear();
                    slot.extend_from_slice(tokens);
                }
                None => self.sequences.push(tokens.to_vec()),
            }
            n += 1;
        }
        self.sequences.truncate(n);
    }

    /// The longest run of `prompt`'s leading tokens that a cached sequence holds.
    pub(crate) fn cached_prefix(&self, prompt: &[u32]) -> usize {
        self.sequences
            .iter()
            .map(|t| t.iter().zip(prompt).take_while(|(a, b)| a == b).count())
            .max()
            .unwrap_or(0)
    }

    /// Folds a prefill step of `tokens` that took `ms` into the measured speed.
    pub(crate) fn record_prefill(&mut self, tokens: usize, ms: f64) {
        if tokens < RATE_MIN_TOKENS || !ms.is_finite() {
            return;
        }
        let rate = ms / tokens as f64;
        self.ms_per_token = Some(match self.ms_per_token {
            Some(old) => old + RATE_WEIGHT * (rate - old),
            None => rate,
        });
    }

    pub(crate) fn ms_per_token(&self) -> Option<f64> {
        self.ms_per_token
    }
}
