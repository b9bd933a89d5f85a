//! `config.json` of a Qwen checkpoint: parsed in both layouts (hub and transformers 5), then resolved once
//! into the [`QwenConfig`] the model code reads.

use candle_nn::Activation;
use serde::Deserialize;

/// The architectures this engine runs, detected from `model_type` / `architectures`, never the model name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Architecture {
    /// Qwen2 / Qwen2.5 / Qwen2.5-Coder: q/k/v biases, no q/k RMSNorm.
    Qwen2,
    /// Qwen3 dense: q/k RMSNorm, optional `attention_bias` on all four projections.
    Qwen3,
    /// Qwen3-MoE: Qwen3 attention with sparse expert MLPs.
    Qwen3Moe,
}

/// `config.json` as written: fields that moved between layouts are optional here and resolved in
/// [`RawConfig::resolve`].
#[derive(Clone, Debug, Deserialize)]
pub struct RawConfig {
    #[serde(default)]
    pub model_type: Option<String>,
    #[serde(default)]
    pub architectures: Vec<String>,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub num_key_value_heads: Option<usize>,
    /// Qwen3 sets it; Qwen2 derives it as `hidden_size / num_attention_heads`.
    pub head_dim: Option<usize>,
    pub attention_bias: Option<bool>,
    pub max_position_embeddings: usize,
    pub rms_norm_eps: f64,
    #[serde(default)]
    pub tie_word_embeddings: bool,
    pub hidden_act: Option<Activation>,
    #[serde(default)]
    pub use_sliding_window: bool,
    /// Hub layout.
    pub rope_theta: Option<f64>,
    /// Hub layout; must be absent or null (YaRN and friends are not implemented).
    pub rope_scaling: Option<serde_json::Value>,
    /// transformers 5 layout: `{"rope_theta": ..., "rope_type": "default"}`.
    pub rope_parameters: Option<RopeParameters>,
    /// Hub layout (`torch_dtype`) and transformers 5 layout (`dtype`).
    pub torch_dtype: Option<String>,
    pub dtype: Option<String>,
    /// An id or a list of ids.
    pub eos_token_id: Option<serde_json::Value>,
    // Qwen3-MoE. transformers 5 writes `num_local_experts` where hub configs have `num_experts`.
    #[serde(alias = "num_local_experts")]
    pub num_experts: Option<usize>,
    pub num_experts_per_tok: Option<usize>,
    pub moe_intermediate_size: Option<usize>,
    pub decoder_sparse_step: Option<usize>,
    #[serde(default)]
    pub norm_topk_prob: bool,
    #[serde(default)]
    pub mlp_only_layers: Vec<usize>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RopeParameters {
    pub rope_theta: Option<f64>,
    pub rope_type: Option<String>,
}

/// Sparse MLP settings of a Qwen3-MoE model.
#[derive(Clone, Debug, PartialEq)]
pub struct MoeConfig {
    pub num_experts: usize,
    pub num_experts_per_tok: usize,
    pub moe_intermediate_size: usize,
    pub decoder_sparse_step: usize,
    pub norm_topk_prob: bool,
    pub mlp_only_layers: Vec<usize>,
}

/// The resolved configuration the model code reads.
#[derive(Clone, Debug, PartialEq)]
pub struct QwenConfig {
    pub architecture: Architecture,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub num_key_value_heads: usize,
    pub head_dim: usize,
    /// Biases on q/k/v.
    pub qkv_bias: bool,
    /// Bias on o_proj.
    pub o_bias: bool,
    /// Per-head RMSNorm on q and k (Qwen3).
    pub qk_norm: bool,
    pub max_position_embeddings: usize,
    pub rms_norm_eps: f64,
    pub rope_theta: f64,
    pub tie_word_embeddings: bool,
    pub hidden_act: Activation,
    /// The dtype the checkpoint was saved in (`bfloat16`, ...), if the config says.
    pub checkpoint_dtype: Option<String>,
    pub eos_token_ids: Vec<u32>,
    pub moe: Option<MoeConfig>,
}

impl QwenConfig {
    /// Whether layer `i` uses the sparse MLP (transformers' rule for Qwen3-MoE).
    pub fn is_moe_layer(&self, i: usize) -> bool {
        match &self.moe {
            Some(m) => {
                !m.mlp_only_layers.contains(&i)
                    && m.num_experts > 0
                    && (i + 1).is_multiple_of(m.decoder_sparse_step.max(1))
            }
            None => false,
        }
    }
}

impl RawConfig {
    /// Parses `config.json` text. Errors are strings for the caller to wrap with the source's name.
    pub fn parse(text: &str) -> Result<RawConfig, String> {
        serde_json::from_str(text).map_err(|e| format!("config.json: {e}"))
    }

    pub fn architecture(&self) -> Result<Architecture, String> {
        let by_type = match self.model_type.as_deref() {
            Some("qwen2") => Some(Architecture::Qwen2),
            Some("qwen3") => Some(Architecture::Qwen3),
            Some("qwen3_moe") => Some(Architecture::Qwen3Moe),
            _ => None,
        };
        let by_arch = self.architectures.iter().find_map(|a| match a.as_str() {
            "Qwen2ForCausalLM" => Some(Architecture::Qwen2),
            "Qwen3ForCausalLM" => Some(Architecture::Qwen3),
            "Qwen3MoeForCausalLM" => Some(Architecture::Qwen3Moe),
            _ => None,
        });
        by_type.or(by_arch).ok_or_else(|| {
            format!(
                "unsupported architecture (model_type {:?}, architectures {:?}); supported: qwen2, qwen3, qwen3_moe",
                self.model_type.as_deref().unwrap_or("<missing>"),
                self.architectures
            )
        })
    }

    pub fn resolve(&self) -> Result<QwenConfig, String> {
        let architecture = self.architecture()?;
        if self.use_sliding_window {
            return Err("use_sliding_window = true is not supported".into());
        }
        if let Some(scaling) = self.rope_scaling.as_ref().filter(|v| !v.is_null()) {
            return Err(format!("rope_scaling {scaling} is not supported"));
        }
        let rope_theta = match (&self.rope_parameters, self.rope_theta) {
            (Some(p), _) => {
                if let Some(kind) = p.rope_type.as_deref().filter(|t| *t != "default") {
                    return Err(format!("rope_type {kind:?} is not supported"));
                }
                p.rope_theta.or(self.rope_theta)
            }
            (None, theta) => theta,
        }
        .ok_or("neither rope_theta nor rope_parameters.rope_theta is set")?;
        if self.num_attention_heads == 0 || self.num_hidden_layers == 0 {
            return Err("num_attention_heads and num_hidden_layers must be > 0".into());
        }
        let num_key_value_heads = self.num_key_value_heads.unwrap_or(self.num_attention_heads);
        if num_key_value_heads == 0 || !self.num_attention_heads.is_multiple_of(num_key_value_heads)
        {
            return Err(format!(
                "num_attention_heads {} is not a multiple of num_key_value_heads {num_key_value_heads}",
                self.num_attention_heads
            ));
        }
        let head_dim = self
            .head_dim
            .unwrap_or(self.hidden_size / self.num_attention_heads);
        if head_dim == 0 || !head_dim.is_multiple_of(2) {
            return Err(format!("head_dim {head_dim} must be even and > 0"));
        }
        let (qkv_bias, o_bias, qk_norm) = match architecture {
            Architecture::Qwen2 => (true, false, false),
            Architecture::Qwen3 | Architecture::Qwen3Moe => {
                let b = self.attention_bias.unwrap_or(false);
                (b, b, true)
            }
        };
        let moe = match architecture {
            Architecture::Qwen3Moe => {
                let need = |v: Option<usize>, name: &str| {
                    v.ok_or(format!("qwen3_moe config lacks {name}"))
                };
                let m = MoeConfig {
                    num_experts: need(self.num_experts, "num_experts")?,
                    num_experts_per_tok: need(self.num_experts_per_tok, "num_experts_per_tok")?,
                    moe_intermediate_size: need(
                        self.moe_intermediate_size,
                        "moe_intermediate_size",
                    )?,
                    decoder_sparse_step: self.decoder_sparse_step.unwrap_or(1),
                    norm_topk_prob: self.norm_topk_prob,
                    mlp_only_layers: self.mlp_only_layers.clone(),
                };
                if m.num_experts_per_tok == 0 || m.num_experts_per_tok > m.num_experts {
                    return Err(format!(
                        "num_experts_per_tok {} must be in 1..={}",
                        m.num_experts_per_tok, m.num_experts
                    ));
                }
                Some(m)
            }
            _ => None,
        };
        Ok(QwenConfig {
            architecture,
            vocab_size: self.vocab_size,
            hidden_size: self.hidden_size,
            intermediate_size: self.intermediate_size,
            num_hidden_layers: self.num_hidden_layers,
            num_attention_heads: self.num_attention_heads,
            num_key_value_heads,
            head_dim,
            qkv_bias,
            o_bias,
            qk_norm,
            max_position_embeddings: self.max_position_embeddings,
            rms_norm_eps: self.rms_norm_eps,
            rope_theta,
            tie_word_embeddings: self.tie_word_embeddings,
            hidden_act: self.hidden_act.unwrap_or(Activation::Silu),
            checkpoint_dtype: self.dtype.clone().or_else(|| self.torch_dtype.clone()),
            eos_token_ids: token_ids(self.eos_token_id.as_ref()),
            moe,
        })
    }
}

/// Reads `eos_token_id`-style values: a number, a list of numbers, or null.
pub(crate) fn token_ids(v: Option<&serde_json::Value>) -> Vec<u32> {
    match v {
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .into_iter()
            .collect(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_u64())
            .filter_map(|n| u32::try_from(n).ok())
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const HUB: &str = r#"{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","vocab_size":10,
        "hidden_size":8,"intermediate_size":16,"num_hidden_layers":1,"num_attention_heads":2,
        "num_key_value_heads":1,"head_dim":4,"max_position_embeddings":32,"rms_norm_eps":1e-6,
        "rope_theta":10000.0,"torch_dtype":"bfloat16","eos_token_id":151645,"rope_scaling":null}"#;

    #[test]
    fn both_rope_layouts_resolve_to_the_same_theta() {
        let hub = RawConfig::parse(HUB).and_then(|c| c.resolve()).unwrap();
        let t5 = HUB
            .replace(
                r#""rope_theta":10000.0"#,
                r#""rope_parameters":{"rope_theta":10000.0,"rope_type":"default"}"#,
            )
            .replace("torch_dtype", "dtype");
        let t5 = RawConfig::parse(&t5).and_then(|c| c.resolve()).unwrap();
        assert_eq!(hub, t5);
        assert_eq!(hub.rope_theta, 10000.0);
        assert_eq!(hub.checkpoint_dtype.as_deref(), Some("bfloat16"));
        assert_eq!(hub.eos_token_ids, vec![151645]);
    }

    #[test]
    fn unknown_architecture_is_named() {
        let llama = HUB
            .replace(r#""qwen3""#, r#""llama""#)
            .replace("Qwen3ForCausalLM", "LlamaForCausalLM");
        let err = RawConfig::parse(&llama)
            .and_then(|c| c.resolve())
            .unwrap_err();
        assert!(
            err.contains("llama") && err.contains("unsupported architecture"),
            "{err}"
        );
    }

    #[test]
    fn yarn_scaling_is_rejected() {
        let yarn = HUB.replace(
            r#""rope_scaling":null"#,
            r#""rope_scaling":{"type":"yarn","factor":4.0}"#,
        );
        let err = RawConfig::parse(&yarn)
            .and_then(|c| c.resolve())
            .unwrap_err();
        assert!(err.contains("rope_scaling"), "{err}");
    }
}
