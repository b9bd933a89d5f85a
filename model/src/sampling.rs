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

impl SamplingParams {
    /// Rejects values no sampler can honour. Called once, where parameters enter (CLI, LSP settings, HTTP).
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |m: String| Err(crate::Error::InvalidInput(m));
        if !(self.temperature.is_finite() && self.temperature >= 0.0) {
            return bad(format!("temperature must be >= 0, got {}", self.temperature));
        }
        if let Some(p) = self.top_p
            && !(p > 0.0 && p <= 1.0)
        {
            return bad(format!("top_p must be in (0, 1], got {p}"));
        }
        if self.top_k == Some(0) {
            return bad("top_k must be >= 1".into());
        }
        if !(self.repetition_penalty.is_finite() && self.repetition_penalty > 0.0) {
            return bad(format!("repetition_penalty must be > 0, got {}", self.repetition_penalty));
        }
        if self.stop.iter().any(|s| s.is_empty()) {
            return bad("stop strings must not be empty".into());
        }
        Ok(())
    }
}
