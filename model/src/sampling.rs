//! Sampling parameters: plain, serializable data. The stateful sampler lives in `model::sampler`.

use serde::{Deserialize, Serialize};

/// How to pick tokens and when to stop. `temperature == 0` means greedy decoding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SamplingParams {
    /// Upper bound on generated tokens. Default 128.
    pub max_tokens: usize,
    /// 0 = greedy (the default). Otherwise softmax temperature.
    pub temperature: f64,
    /// Nucleus sampling; `None` = off.
    pub top_p: Option<f64>,
    /// Keep only the k most likely tokens; `None` = off.
    pub top_k: Option<usize>,
    /// Seed of the sampler's RNG, so sampled runs reproduce.
    pub seed: u64,
    /// 1.0 = off. Applied to the last `repeat_last_n` tokens (prompt and generated).
    pub repetition_penalty: f32,
    pub repeat_last_n: usize,
    /// Stop strings: generation ends *before* the first occurrence; only these (and EOS) stop it.
    pub stop: Vec<String>,
}

impl Default for SamplingParams {
    fn default() -> Self {
        SamplingParams {
            max_tokens: 128,
            temperature: 0.0,
            top_p: None,
            top_k: None,
            seed: 299792458,
            repetition_penalty: 1.0,
            repeat_last_n: 64,
            stop: Vec::new(),
        }
    }
}

/// The smallest temperature other than 0 (greedy): below it, logits divided by the temperature
/// overflow, and the distribution is greedy anyway (vLLM's threshold).
pub const MIN_TEMPERATURE: f64 = 1e-5;
/// Above this, every token is about equally likely: a larger value is a mistake, not a choice.
pub const MAX_TEMPERATURE: f64 = 100.0;
/// The smallest nucleus: a smaller one keeps the top token, as this does.
pub const MIN_TOP_P: f64 = 1e-5;
/// Repetition penalties outside this range only overflow the logits they divide or multiply.
pub const REPETITION_PENALTY_RANGE: (f32, f32) = (0.01, 100.0);

impl SamplingParams {
    /// Rejects values no sampler can honour, naming the field: NaN, infinities, subnormals and values
    /// out of range (see the constants above). The one check of sampling values, called where they
    /// enter: the CLI, LSP settings and HTTP bodies.
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |m: String| Err(crate::Error::InvalidInput(m));
        let t = self.temperature;
        if !(t == 0.0 || (MIN_TEMPERATURE..=MAX_TEMPERATURE).contains(&t)) {
            return bad(format!(
                "temperature must be 0 (greedy) or between {MIN_TEMPERATURE:e} and {MAX_TEMPERATURE}, got {t:e}"
            ));
        }
        if let Some(p) = self.top_p
            && !(MIN_TOP_P..=1.0).contains(&p)
        {
            return bad(format!(
                "top_p must be between {MIN_TOP_P:e} and 1, got {p:e}"
            ));
        }
        if self.top_k == Some(0) {
            return bad("top_k must be >= 1".into());
        }
        let (low, high) = REPETITION_PENALTY_RANGE;
        let penalty = self.repetition_penalty;
        if !(low..=high).contains(&penalty) {
            return bad(format!(
                "repetition_penalty must be between {low} and {high} (1 = off), got {penalty:e}"
            ));
        }
        if self.stop.iter().any(|s| s.is_empty()) {
            return bad("stop strings must not be empty".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(params: SamplingParams) -> String {
        match params.validate() {
            Err(crate::Error::InvalidInput(message)) => message,
            other => panic!("{params:?} was accepted: {other:?}"),
        }
    }

    #[test]
    fn hostile_values_are_rejected_naming_the_field() {
        let d = SamplingParams::default;
        let subnormal = 1e-320_f64;
        assert!(subnormal.is_subnormal());
        for t in [
            subnormal,
            -subnormal,
            1e-300,
            1e-6,
            -1.0,
            101.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert!(
                error(SamplingParams {
                    temperature: t,
                    ..d()
                })
                .starts_with("temperature "),
                "{t}"
            );
        }
        for p in [
            subnormal,
            0.0,
            -0.5,
            1.0000001,
            1e-300,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert!(
                error(SamplingParams {
                    top_p: Some(p),
                    ..d()
                })
                .starts_with("top_p "),
                "{p}"
            );
        }
        for r in [1e-40_f32, 0.0, -1.0, 1e-3, 1e3, f32::NAN, f32::INFINITY] {
            assert!(
                error(SamplingParams {
                    repetition_penalty: r,
                    ..d()
                })
                .starts_with("repetition_penalty "),
                "{r}"
            );
        }
        assert!(
            error(SamplingParams {
                top_k: Some(0),
                ..d()
            })
            .starts_with("top_k ")
        );
        assert!(
            error(SamplingParams {
                stop: vec![String::new()],
                ..d()
            })
            .starts_with("stop ")
        );
    }

    #[test]
    fn ordinary_values_pass() {
        let d = SamplingParams::default;
        for params in [
            d(),
            SamplingParams {
                temperature: 0.2,
                top_p: Some(0.95),
                top_k: Some(40),
                repetition_penalty: 1.1,
                ..d()
            },
            SamplingParams {
                temperature: MIN_TEMPERATURE,
                top_p: Some(1.0),
                ..d()
            },
            SamplingParams {
                temperature: MAX_TEMPERATURE,
                top_p: Some(MIN_TOP_P),
                repetition_penalty: 0.01,
                ..d()
            },
        ] {
            assert!(params.validate().is_ok(), "{params:?}");
        }
    }
}
