//! The generation loop: reuse the cached prefix, prefill the rest, then sample token by token with
//! EOS, `max_tokens`, stop strings and cancellation, streaming UTF-8-complete text as it decodes.

use std::time::Instant;

use candle_core::Tensor;

use super::sampler::Sampler;
use super::tokenizer::QwenTokenizer;
use crate::{CancellationToken, Error, FinishReason, Generation, Result, SamplingParams};

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

pub(crate) struct Request<'a> {
    pub prompt_ids: Vec<u32>,
    pub params: &'a SamplingParams,
    pub context_length: usize,
    pub cancel: &'a CancellationToken,
}

pub(crate) fn run(
    lm: &mut dyn CausalLm,
    state: &mut CacheState,
    tokenizer: &QwenTokenizer,
    req: Request<'_>,
    on_text: &mut dyn FnMut(&str),
) -> Result<Generation> {
    let Request {
        prompt_ids,
        params,
        context_length,
        cancel,
    } = req;
    let max_tokens = check_prompt(&prompt_ids, std::slice::from_ref(params), context_length)?[0];
    let mut generation = Generation {
        prompt_token_ids: prompt_ids.clone(),
        token_ids: Vec::new(),
        text: String::new(),
        finish: FinishReason::Length,
        prefill_ms: 0.0,
        decode_ms: 0.0,
    };
    if max_tokens == 0 {
        return Ok(generation);
    }
    if cancel.is_cancelled() {
        return Err(Error::Cancelled);
    }

    let start = Instant::now();
    let mut logits = prefill(lm, state, &prompt_ids, cancel)?;
    generation.prefill_ms = start.elapsed().as_secs_f64() * 1e3;

    let start = Instant::now();
    let mut sampler = Sampler::new(params);
    let mut history = prompt_ids;
    let mut decoder = tokenizer.inner().decode_stream(false);
    let mut stops = StopScan::new(&params.stop);
    loop {
        let token = sampler.sample(&logits, &history)?;
        if tokenizer.eos_ids().contains(&token) {
            generation.finish = FinishReason::Eos;
            break;
        }
        generation.token_ids.push(token);
        history.push(token);
        if let Some(piece) = decoder
            .step(token)
            .map_err(|e| Error::Tokenizer(e.to_string()))?
        {
            generation.text.push_str(&piece);
        }
        if let Some(stop) = stops.scan(&mut generation.text, on_text) {
            generation.finish = FinishReason::Stop(stop);
            break;
        }
        if generation.token_ids.len() >= max_tokens {
            break;
        }
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        logits = forward(lm, state, &[token])?;
    }
    stops.flush(&generation.text, on_text);
    generation.decode_ms = start.elapsed().as_secs_f64() * 1e3;
    Ok(generation)
}

/// Makes the cache hold `prompt_ids` (reusing the longest common prefix, but always running at least one
/// token) and returns the last position's logits, `(vocab,)`.
pub(crate) fn prefill(
    lm: &mut dyn CausalLm,
    state: &mut CacheState,
    prompt_ids: &[u32],
    cancel: &CancellationToken,
) -> Result<Tensor> {
    let common = state
        .tokens
        .iter()
        .zip(prompt_ids)
        .take_while(|(a, b)| a == b)
        .count();
    let kept = lm.truncate(common.min(prompt_ids.len() - 1));
    state.tokens.truncate(kept);
    state.last_reused = kept;
    // In chunks, so a long prefill notices cancellation; the chunks fed stay cached for the next call.
    let mut logits = None;
    for chunk in prompt_ids[kept..].chunks(super::PREFILL_CHUNK) {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        logits = Some(forward(lm, state, chunk)?);
    }
    logits.ok_or_else(|| Error::InvalidInput("no prompt tokens to run".into()))
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

/// One row of a batched decode.
struct Row<'a> {
    sampler: Sampler,
    history: Vec<u32>,
    decoder: tokenizers::tokenizer::DecodeStream<
        'a,
        tokenizers::models::ModelWrapper,
        tokenizers::normalizers::NormalizerWrapper,
        tokenizers::pre_tokenizers::PreTokenizerWrapper,
        tokenizers::processors::PostProcessorWrapper,
        tokenizers::decoders::DecoderWrapper,
    >,
    stops: StopScan<'a>,
    max_tokens: usize,
    generation: Generation,
    done: bool,
}

/// Decodes `params.len()` samples of one prompt together: `logits` are the prompt's last logits
/// `(vocab,)`, and `step` runs one token per row at the shared next position, returning `(rows, vocab)`.
/// Each row has its own sampler, EOS, stop strings and `max_tokens`; finished rows keep being computed
/// (their last token is fed again) but are ignored. `decode_ms` is the whole batch's decode time.
#[allow(clippy::too_many_arguments)]
pub(crate) fn decode_batch(
    step: &mut dyn FnMut(&[u32]) -> Result<Tensor>,
    logits: Tensor,
    tokenizer: &QwenTokenizer,
    prompt_ids: &[u32],
    params: &[SamplingParams],
    max_tokens: &[usize],
    prefill_ms: f64,
    cancel: &CancellationToken,
) -> Result<Vec<Generation>> {
    let start = Instant::now();
    let mut rows: Vec<Row<'_>> = params
        .iter()
        .zip(max_tokens)
        .map(|(p, &max_tokens)| Row {
            sampler: Sampler::new(p),
            history: prompt_ids.to_vec(),
            decoder: tokenizer.inner().decode_stream(false),
            stops: StopScan::new(&p.stop),
            max_tokens,
            generation: Generation {
                prompt_token_ids: prompt_ids.to_vec(),
                token_ids: Vec::new(),
                text: String::new(),
                finish: FinishReason::Length,
                prefill_ms,
                decode_ms: 0.0,
            },
            done: max_tokens == 0,
        })
        .collect();
    let mut batch_logits: Option<Tensor> = None;
    let mut fed: Vec<u32> = vec![0; rows.len()];
    while rows.iter().any(|r| !r.done) {
        for (i, row) in rows.iter_mut().enumerate() {
            if row.done {
                continue;
            }
            let row_logits = match &batch_logits {
                Some(b) => b.get(i)?,
                None => logits.clone(),
            };
            let token = row.sampler.sample(&row_logits, &row.history)?;
            fed[i] = token;
            if tokenizer.eos_ids().contains(&token) {
                row.generation.finish = FinishReason::Eos;
                row.done = true;
                continue;
            }
            row.generation.token_ids.push(token);
            row.history.push(token);
            if let Some(piece) = row
                .decoder
                .step(token)
                .map_err(|e| Error::Tokenizer(e.to_string()))?
            {
                row.generation.text.push_str(&piece);
            }
            if let Some(stop) = row.stops.scan(&mut row.generation.text, &mut |_| {}) {
                row.generation.finish = FinishReason::Stop(stop);
                row.done = true;
                continue;
            }
            if row.generation.token_ids.len() >= row.max_tokens {
                row.done = true;
            }
        }
        if rows.iter().all(|r| r.done) {
            break;
        }
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        batch_logits = Some(step(&fed)?);
    }
    let decode_ms = start.elapsed().as_secs_f64() * 1e3;
    Ok(rows
        .into_iter()
        .map(|r| Generation {
            decode_ms,
            ..r.generation
        })
        .collect())
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
struct StopScan<'a> {
    stops: &'a [String],
    /// Bytes of the text already passed to `on_text`.
    emitted: usize,
}

impl<'a> StopScan<'a> {
    fn new(stops: &'a [String]) -> Self {
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
        let mut scan = StopScan::new(&stops);
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
