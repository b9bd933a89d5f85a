//! Per-sequence generation: reuse the cached prefix and prefill the rest a chunk at a time
//! ([`prefill_step`]), then sample token by token with EOS, `max_tokens` and stop strings, streaming
//! UTF-8-complete text as it decodes ([`Decoding`]). The batching worker drives both.

use std::time::Instant;

use candle_core::Tensor;

use super::sampler::Sampler;
use super::tokenizer::QwenTokenizer;
use crate::backend::{FinishReason, Generation};
use crate::error::{Error, Result};
use crate::sampling::SamplingParams;

/// A causal LM with a cache of the tokens it has seen, as the loop needs it.
pub(crate) trait CausalLm {
    /// Drops cached positions past `n`; returns how many it kept (a cache that cannot truncate keeps 0).
    fn truncate(&mut self, n: usize) -> usize;
    /// Appends `tokens` to the cache and returns the last position's logits, `(vocab,)` f32.
    fn forward(&mut self, tokens: &[u32]) -> Result<Tensor>;
}

/// What the cache holds, kept next to the model so the next request can reuse its prefix.
#[derive(Debug, Default)]
pub(crate) struct CacheState {
    /// Tokens whose keys/values are in the cache, in order.
    pub tokens: Vec<u32>,
    /// Prompt tokens the last call took from the cache instead of prefilling.
    pub last_reused: usize,
}

/// One step of a prefill that can be interleaved with other work: reuses the longest common prefix of
/// the cache and `prompt_ids` (always leaving at least one token to run), runs at most `chunk` more
/// prompt tokens, and returns the last position's logits once the whole prompt is in the cache. What a
/// step ran stays cached, so the next step (or a later request) continues from there. `first` marks a
/// prompt's first step, whose reuse [`CacheState::last_reused`] reports. Also returns how many tokens
/// the step ran.
pub(crate) fn prefill_step(
    lm: &mut dyn CausalLm,
    state: &mut CacheState,
    prompt_ids: &[u32],
    chunk: usize,
    first: bool,
) -> Result<(usize, Option<Tensor>)> {
    let common = state
        .tokens
        .iter()
        .zip(prompt_ids)
        .take_while(|(a, b)| a == b)
        .count();
    let kept = lm.truncate(common.min(prompt_ids.len().saturating_sub(1)));
    if first {
        state.last_reused = kept;
    }
    state.tokens.truncate(kept);
    let rest = &prompt_ids[kept..];
    if rest.is_empty() {
        return Err(Error::InvalidInput("no prompt tokens to run".into()));
    }
    let n = rest.len().min(chunk.max(1));
    let logits = forward(lm, state, &rest[..n])?;
    Ok((n, (n == rest.len()).then_some(logits)))
}

/// Checks a prompt against the context; returns each row's `max_tokens` cut to the room left. The
/// prompt must leave room for at least one generated token; a long `max_tokens` is cut to the room
/// left (finish reason `Length`) rather than rejected, since callers budget the prompt, not the answer.
pub(crate) fn check_prompt(
    prompt_ids: &[u32],
    params: &[SamplingParams],
    context_length: usize,
) -> Result<Vec<usize>> {
    for p in params {
        p.validate()?;
    }
    if prompt_ids.is_empty() {
        return Err(Error::InvalidInput(
            "the prompt encodes to no tokens".into(),
        ));
    }
    if prompt_ids.len() >= context_length {
        return Err(Error::PromptTooLong {
            prompt_tokens: prompt_ids.len(),
            context_length,
        });
    }
    Ok(params
        .iter()
        .map(|p| p.max_tokens.min(context_length - prompt_ids.len()))
        .collect())
}

type DecodeStream<'t> = tokenizers::tokenizer::DecodeStream<
    't,
    tokenizers::models::ModelWrapper,
    tokenizers::normalizers::NormalizerWrapper,
    tokenizers::pre_tokenizers::PreTokenizerWrapper,
    tokenizers::processors::PostProcessorWrapper,
    tokenizers::decoders::DecoderWrapper,
>;

/// The decoding side of one sequence: sampling, EOS, stop strings, `max_tokens` and UTF-8-complete
/// streaming, fed one logits vector per step by whoever runs the model (the batcher).
pub(crate) struct Decoding<'t> {
    tokenizer: &'t QwenTokenizer,
    sampler: Sampler,
    history: Vec<u32>,
    decoder: DecodeStream<'t>,
    stops: StopScan,
    max_tokens: usize,
    generation: Generation,
    started: Instant,
}

impl<'t> Decoding<'t> {
    pub(crate) fn new(
        tokenizer: &'t QwenTokenizer,
        prompt_ids: Vec<u32>,
        params: &SamplingParams,
        max_tokens: usize,
        prefill_ms: f64,
    ) -> Self {
        let mut generation = Generation::empty(prompt_ids.clone());
        generation.prefill_ms = prefill_ms;
        Decoding {
            tokenizer,
            sampler: Sampler::new(params),
            history: prompt_ids,
            decoder: tokenizer.inner().decode_stream(false),
            stops: StopScan::new(params.stop.clone()),
            max_tokens,
            generation,
            started: Instant::now(),
        }
    }

    /// Samples the next token from `logits` `(vocab,)` and streams the text that is safe to show.
    /// Returns the token to feed the model next, or `None` when the sequence has finished (EOS, a stop
    /// string, `max_tokens`).
    pub(crate) fn step(
        &mut self,
        logits: &Tensor,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Option<u32>> {
        let token = self.sampler.sample(logits, &self.history)?;
        self.accept(token, on_text)
    }

    /// [`Self::step`] with `draft` proposed as the token (see [`Sampler::sample_draft`]): the same
    /// token [`Self::step`] would choose, so the caller keeps the draft iff it comes back.
    pub(crate) fn step_draft(
        &mut self,
        logits: &Tensor,
        draft: u32,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Option<u32>> {
        let (token, _kept) = self.sampler.sample_draft(logits, &self.history, draft)?;
        self.accept(token, on_text)
    }

    /// Tokens it may still generate before `max_tokens`.
    pub(crate) fn remaining(&self) -> usize {
        self.max_tokens
            .saturating_sub(self.generation.token_ids.len())
    }

    /// Whether [`Self::step`] takes the argmax of the logits, so the caller may pick the token itself
    /// (for many rows at once) and pass it to [`Self::accept`].
    pub(crate) fn is_argmax(&self) -> bool {
        self.sampler.is_argmax()
    }

    /// [`Self::step`] with the token already chosen.
    pub(crate) fn accept(
        &mut self,
        token: u32,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Option<u32>> {
        if self.tokenizer.eos_ids().contains(&token) {
            self.generation.finish = FinishReason::Eos;
            return Ok(None);
        }
        let g = &mut self.generation;
        g.token_ids.push(token);
        self.history.push(token);
        if let Some(piece) = self
            .decoder
            .step(token)
            .map_err(|e| Error::Tokenizer(e.to_string()))?
        {
            g.text.push_str(&piece);
        }
        if let Some(stop) = self.stops.scan(&mut g.text, on_text) {
            g.finish = FinishReason::Stop(stop);
            return Ok(None);
        }
        if g.token_ids.len() >= self.max_tokens {
            return Ok(None);
        }
        Ok(Some(token))
    }

    /// The prompt and the tokens generated so far.
    pub(crate) fn tokens(&self) -> &[u32] {
        &self.history
    }

    /// The finished generation, after streaming what the stop scan held back.
    pub(crate) fn finish(mut self, on_text: &mut dyn FnMut(&str)) -> Generation {
        self.stops.flush(&self.generation.text, on_text);
        self.generation.decode_ms = self.started.elapsed().as_secs_f64() * 1e3;
        self.generation
    }
}

fn forward(lm: &mut dyn CausalLm, state: &mut CacheState, tokens: &[u32]) -> Result<Tensor> {
    match lm.forward(tokens) {
        Ok(logits) => {
            state.tokens.extend_from_slice(tokens);
            Ok(logits)
        }
        Err(e) => {
            // A failed pass may have written part of its positions: start from scratch next time.
            lm.truncate(0);
            state.tokens.clear();
            Err(e)
        }
    }
}

/// Finds requested stop strings in the growing text (they may span tokens) and streams only text that
/// can no longer turn out to be the start of a stop string.
struct StopScan {
    stops: Vec<String>,
    /// Bytes of the text already passed to `on_text`.
    emitted: usize,
}

impl StopScan {
    fn new(stops: Vec<String>) -> Self {
        StopScan { stops, emitted: 0 }
    }

    /// Checks `text` after new text was appended. On a stop, cuts `text` before it, streams the rest
    /// and returns the stop; otherwise streams what is safe.
    fn scan(&mut self, text: &mut String, on_text: &mut dyn FnMut(&str)) -> Option<String> {
        let longest = self.stops.iter().map(String::len).max().unwrap_or(0);
        // A new match must end in the unemitted part, so it starts at most `longest` bytes before it.
        let mut from = self.emitted.saturating_sub(longest);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let hit = self
            .stops
            .iter()
            .filter_map(|s| text[from..].find(s.as_str()).map(|i| (from + i, s)))
            .min_by_key(|(i, s)| (*i, std::cmp::Reverse(s.len())));
        if let Some((at, stop)) = hit {
            let stop = stop.clone();
            text.truncate(at);
            self.flush(text, on_text);
            return Some(stop);
        }
        // Hold back the longest suffix that is a proper prefix of some stop string.
        let held = self
            .stops
            .iter()
            .flat_map(|s| {
                (1..s.len())
                    .filter(|&k| s.is_char_boundary(k))
                    .map(move |k| &s[..k])
            })
            .filter(|p| text.ends_with(p))
            .map(str::len)
            .max()
            .unwrap_or(0);
        let safe = text.len() - held;
        if safe > self.emitted {
            on_text(&text[self.emitted..safe]);
            self.emitted = safe;
        }
        None
    }

    fn flush(&mut self, text: &str, on_text: &mut dyn FnMut(&str)) {
        if text.len() > self.emitted {
            on_text(&text[self.emitted..]);
            self.emitted = text.len();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Feeds `pieces` one at a time; returns (streamed chunks, final text, stop).
    fn feed(stops: &[&str], pieces: &[&str]) -> (Vec<String>, String, Option<String>) {
        let stops: Vec<String> = stops.iter().map(|s| s.to_string()).collect();
        let mut scan = StopScan::new(stops);
        let mut text = String::new();
        let mut chunks = Vec::new();
        let mut found = None;
        for p in pieces {
            text.push_str(p);
            if let Some(s) = scan.scan(&mut text, &mut |c| chunks.push(c.to_string())) {
                found = Some(s);
                break;
            }
        }
        scan.flush(&text, &mut |c| chunks.push(c.to_string()));
        (chunks, text, found)
    }

    #[test]
    fn stop_spanning_pieces_is_cut_and_never_streamed() {
        let (chunks, text, stop) = feed(&["\n\n"], &["def f", "():\n", "\n    pass"]);
        assert_eq!(text, "def f():");
        assert_eq!(stop.as_deref(), Some("\n\n"));
        assert_eq!(chunks.concat(), text);
        assert_eq!(chunks, ["def f", "():"]);
    }

    #[test]
    fn no_stops_streams_everything() {
        let (chunks, text, stop) = feed(&[], &["a", "b\n\n", "c"]);
        assert_eq!(
            (chunks.concat(), text, stop),
            ("ab\n\nc".to_string(), "ab\n\nc".to_string(), None)
        );
    }

    #[test]
    fn partial_stop_is_released_when_it_does_not_complete() {
        let (chunks, text, stop) = feed(&["</code>"], &["x </", "b>"]);
        assert_eq!(stop, None);
        assert_eq!(text, "x </b>");
        assert_eq!(chunks, ["x ", "</b>"]);
    }

    #[test]
    fn earliest_stop_wins() {
        let (_, text, stop) = feed(&["world", "lo"], &["hello world"]);
        assert_eq!((text.as_str(), stop.as_deref()), ("hel", Some("lo")));
    }
}
