//! What a loaded model's calling threads and its batching worker share: the weights with the cache
//! they fill ([`Runner`]), the cached sequences ([`State`]) and the tokenizer ([`Core`]).

use std::sync::atomic::AtomicUsize;
use std::sync::{Mutex, MutexGuard};

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
}
