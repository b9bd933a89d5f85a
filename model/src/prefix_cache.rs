//! Several cached sequences kept across requests, so an editor that alternates between files (or evals
//! sampling one prompt n times) finds its keys/values again: an LRU of KV caches bounded in bytes.
//!
//! One entry is *active*: it lives in the runner and the generation loop extends it. The others are
//! *parked* here. Before each request the entry with the longest common token prefix becomes active;
//! the loop then truncates it to that prefix and prefills the rest. Truncating destroys the entry's
//! tail, which is right when the new prompt is an edit of the same document (a keystroke) or the same
//! prompt again (the tail is the previous answer), and wrong when it is another document that shares
//! only a preamble. So an entry whose prompt the new one keeps less than half of stays parked, and the
//! request runs on a copy of the shared prefix instead.
//!
//! Bytes count the allocated buffers of every entry, the active one included; over the budget, the
//! least recently used parked entries go. The active entry is never evicted: a request needs it.

use super::kv_cache::KvCache;

/// The default budget: a 1,500-token prompt of Qwen3-0.6B in f32 takes 172 MB of keys/values (28
/// layers x 8 KV heads x 128 x 2 x 4 bytes per token), so 512 MiB keeps about three files.
pub const DEFAULT_PREFIX_CACHE_BYTES: usize = 512 << 20;

struct Parked {
    tokens: Vec<u32>,
    prompt_len: usize,
    kv: KvCache,
    last_used: u64,
}

pub(crate) struct PrefixCache {
    parked: Vec<Parked>,
    budget: usize,
    clock: u64,
    /// Prompt length and last use of the active entry.
    active_prompt_len: usize,
    active_last_used: u64,
}

impl PrefixCache {
    pub(crate) fn new(budget: usize) -> Self {
        PrefixCache {
            parked: Vec::new(),
            budget,
            clock: 0,
            active_prompt_len: 0,
            active_last_used: 0,
        }
    }

    pub(crate) fn set_budget(&mut self, budget: usize, active: &KvCache) {
        self.budget = budget;
        self.evict(active);
    }

    pub(crate) fn clear(&mut self) {
        self.parked.clear();
        self.active_prompt_len = 0;
    }

    /// Parked entries (for tests and stats).
    pub(crate) fn parked_len(&self) -> usize {
        self.parked.len()
    }

    /// The token sequences of the parked entries.
    pub(crate) fn sequences(&self) -> impl Iterator<Item = &[u32]> {
        self.parked.iter().map(|e| e.tokens.as_slice())
    }

    /// Makes the entry that shares the longest prefix with `prompt` active in (`kv`, `tokens`), parking
    /// the current one or forking as the module docs say, then evicts down to the budget.
    pub(crate) fn select(
        &mut self,
        kv: &mut KvCache,
        tokens: &mut Vec<u32>,
        prompt: &[u32],
    ) -> candle_core::Result<()> {
        let common = |t: &[u32]| t.iter().zip(prompt).take_while(|(a, b)| a == b).count();
        let active_common = common(tokens);
        let best = self
            .parked
            .iter()
            .enumerate()
            .map(|(i, e)| (common(&e.tokens), i))
            .max();
        let k = match best {
            Some((k, i)) if k > active_common => {
                let e = self.parked.swap_remove(i);
                self.park(
                    std::mem::replace(kv, e.kv),
                    std::mem::replace(tokens, e.tokens),
                );
                self.active_prompt_len = e.prompt_len;
                k
            }
            _ => active_common,
        };
        if k < tokens.len() && 2 * k < self.active_prompt_len {
            let copy = kv.fork(k)?;
            let shared = tokens[..k].to_vec();
            self.park(
                std::mem::replace(kv, copy),
                std::mem::replace(tokens, shared),
            );
        }
        self.clock += 1;
        self.active_prompt_len = prompt.len();
        self.active_last_used = self.clock;
        self.evict(kv);
        Ok(())
    }

    /// Takes back the cache of a finished sequence (`seq_tokens`: the prompt of `seq_prompt_len` tokens
    /// and the answer tokens fed after it). If it extends the active entry (a request that took the active
    /// cache with it leaves the active entry empty), it becomes the active entry, so a follow-up request
    /// that continues the answer reuses it; otherwise it is parked, unless an entry already holds its
    /// whole prompt (n samples of one prompt keep one copy). Then evicts down to the budget.
    pub(crate) fn give_back(
        &mut self,
        kv: &mut KvCache,
        tokens: &mut Vec<u32>,
        seq_kv: KvCache,
        seq_tokens: Vec<u32>,
        seq_prompt_len: usize,
    ) {
        self.clock += 1;
        let covers_prompt = |t: &[u32]| {
            t.iter()
                .zip(&seq_tokens)
                .take_while(|(a, b)| a == b)
                .count()
                >= seq_prompt_len
        };
        let covered = covers_prompt(tokens) || self.parked.iter().any(|e| covers_prompt(&e.tokens));
        if seq_tokens.starts_with(tokens) {
            *kv = seq_kv;
            *tokens = seq_tokens;
            self.active_prompt_len = seq_prompt_len;
            self.active_last_used = self.clock;
        } else if !covered && !seq_tokens.is_empty() && !seq_kv.is_empty() {
            self.parked.push(Parked {
                tokens: seq_tokens,
                prompt_len: seq_prompt_len,
                kv: seq_kv,
                last_used: self.clock,
            });
        }
        self.evict(kv);
    }

    /// Evicts least recently used parked entries while everything cached exceeds the budget.
    pub(crate) fn evict(&mut self, active: &KvCache) {
        let mut total = active.bytes() + self.parked.iter().map(|e| e.kv.bytes()).sum::<usize>();
        while total > self.budget {
            let Some((i, _)) = self
                .parked
                .iter()
                .enumerate()
                .min_by_key(|(_, e)| e.last_used)
            else {
                break;
            };
            total -= self.parked.swap_remove(i).kv.bytes();
        }
    }

    fn park(&mut self, kv: KvCache, tokens: Vec<u32>) {
        if tokens.is_empty() || kv.is_empty() {
            return;
        }
        self.parked.push(Parked {
            tokens,
            prompt_len: self.active_prompt_len,
            kv,
            last_used: self.active_last_used,
        });
    }
}
