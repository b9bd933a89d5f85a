//! The stateful sampler built from [`SamplingParams`]: repetition penalty, then greedy or
//! temperature/top-k/top-p sampling from a seeded RNG (candle's `LogitsProcessor`).
//!
//! [`Sampler::sample_draft`] is the choice when a speculative draft token is on offer. For a draft
//! chosen without randomness (prompt lookup), speculative sampling's rule (keep the draft `d` with
//! probability `p(d)`, else draw from `p` without `d`) is what drawing `t ~ p` and keeping `d` iff
//! `t == d` does: `d` comes out with probability `p(d)`, any other `t` with `p(t)`, and a refusal is
//! `t` drawn from `p` without `d`. So the draft step draws exactly as [`Sampler::sample`] does, one
//! draw per token from the same generator: sampled output is not only distributed as without
//! speculation, it is the same for the same seed.

use candle_core::Tensor;
use candle_transformers::generation::{LogitsProcessor, Sampling};

use crate::error::Result;
use crate::sampling::SamplingParams;

pub struct Sampler {
    processor: LogitsProcessor,
    repetition_penalty: f32,
    repeat_last_n: usize,
    greedy: bool,
}

impl Sampler {
    pub fn new(params: &SamplingParams) -> Self {
        let t = params.temperature;
        let sampling = if t <= 0.0 {
            Sampling::ArgMax
        } else {
            match (params.top_k, params.top_p) {
                (None, None) => Sampling::All { temperature: t },
                (Some(k), None) => Sampling::TopK { k, temperature: t },
                (None, Some(p)) => Sampling::TopP { p, temperature: t },
                (Some(k), Some(p)) => Sampling::TopKThenTopP {
                    k,
                    p,
                    temperature: t,
                },
            }
        };
        Sampler {
            processor: LogitsProcessor::from_sampling(params.seed, sampling),
            repetition_penalty: params.repetition_penalty,
            repeat_last_n: params.repeat_last_n,
            greedy: t <= 0.0,
        }
    }

    /// Whether [`Self::sample`] is the plain argmax of the logits (greedy, no repetition penalty),
    /// which a caller may compute for many rows at once.
    pub fn is_argmax(&self) -> bool {
        self.greedy && !self.penalizes()
    }

    fn penalizes(&self) -> bool {
        self.repetition_penalty != 1.0 && self.repeat_last_n > 0
    }

    /// The token at a position where speculation proposed `draft`, and whether the draft is kept (the
    /// rule in the module docs): the sample [`Self::sample`] draws, kept as the draft iff equal.
    pub fn sample_draft(
        &mut self,
        logits: &Tensor,
        history: &[u32],
        draft: u32,
    ) -> Result<(u32, bool)> {
        let token = self.sample(logits, history)?;
        Ok((token, token == draft))
    }

    /// Picks the next token from `logits` (shape `(vocab,)`, f32). `history` is every token so far
    /// (prompt and generated); the penalty looks at its last `repeat_last_n`.
    pub fn sample(&mut self, logits: &Tensor, history: &[u32]) -> Result<u32> {
        let logits = if self.penalizes() {
            let start = history.len().saturating_sub(self.repeat_last_n);
            candle_transformers::utils::apply_repeat_penalty(
                logits,
                self.repetition_penalty,
                &history[start..],
            )?
        } else {
            logits.clone()
        };
        Ok(self.processor.sample(&logits)?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn logits() -> Tensor {
        Tensor::new(&[0.1f32, 2.0, 1.9, -1.0, 0.5, 1.5], &Device::Cpu).unwrap()
    }

    #[test]
    fn greedy_takes_the_argmax() {
        let mut s = Sampler::new(&SamplingParams::default());
        assert_eq!(s.sample(&logits(), &[]).unwrap(), 1);
    }

    #[test]
    fn only_greedy_sampling_without_a_penalty_is_the_argmax() {
        assert!(Sampler::new(&SamplingParams::default()).is_argmax());
        let sampled = SamplingParams {
            temperature: 0.7,
            ..Default::default()
        };
        assert!(!Sampler::new(&sampled).is_argmax());
        let penalized = SamplingParams {
            repetition_penalty: 1.1,
            ..Default::default()
        };
        assert!(!Sampler::new(&penalized).is_argmax());
        // A penalty over no tokens is none.
        let empty_window = SamplingParams {
            repeat_last_n: 0,
            ..penalized
        };
        assert!(Sampler::new(&empty_window).is_argmax());
    }

    #[test]
    fn repetition_penalty_demotes_seen_tokens() {
        let params = SamplingParams {
            repetition_penalty: 2.0,
            ..Default::default()
        };
        let mut s = Sampler::new(&params);
        assert_eq!(s.sample(&logits(), &[1]).unwrap(), 2);
        // Outside the window the token is not penalized.
        let params = SamplingParams {
            repetition_penalty: 2.0,
            repeat_last_n: 1,
            ..Default::default()
        };
        let mut s = Sampler::new(&params);
        assert_eq!(s.sample(&logits(), &[1, 4]).unwrap(), 1);
    }

    #[test]
    fn same_seed_same_samples_and_top_k_restricts() {
        let params = SamplingParams {
            temperature: 5.0,
            top_k: Some(2),
            seed: 7,
            ..Default::default()
        };
        let draw = |p: &SamplingParams| {
            let mut s = Sampler::new(p);
            (0..64)
                .map(|_| s.sample(&logits(), &[]).unwrap())
                .collect::<Vec<_>>()
        };
        let a = draw(&params);
        assert_eq!(a, draw(&params));
        assert!(a.iter().all(|&t| t == 1 || t == 2), "{a:?}");
        assert!(a.contains(&1) && a.contains(&2), "{a:?}");
        let other = draw(&SamplingParams {
            seed: 8,
            ..params.clone()
        });
        assert_ne!(a, other);
    }
}
