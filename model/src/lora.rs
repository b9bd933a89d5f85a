//! LoRA adapters in PEFT's format (`adapter_config.json` + `adapter_model.safetensors`), merged into the
//! base weights while they load: the model code never sees an adapter, so every layer type (and any later
//! quantization of the merged weights) works unchanged, and inference costs nothing extra.
//!
//! The merge is PEFT's `merge_and_unload`: `W' = W + scale * (B @ A)` with `scale = lora_alpha / r`
//! (`lora_alpha / sqrt(r)` with `use_rslora`), computed in f32 before the cast to the model's dtype.
//! Several adapters are merged in the order given. Supported config: `target_modules` (a list of module
//! names or suffixes, a regex string, or `all-linear`), `exclude_modules`, `rank_pattern`, `alpha_pattern`,
//! `use_rslora`, `fan_in_fan_out`. Everything that is not a plain low-rank delta on a linear weight (DoRA,
//! bias training, `modules_to_save`, embedding adapters, ...) is refused with an error naming the setting,
//! rather than merged wrongly.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Shape, Tensor};
use candle_nn::VarBuilder;
use candle_nn::var_builder::SimpleBackend;
use regex::Regex;
use serde_json::Value;

use crate::error::candle_message;
use crate::error::{Error, Result};
use crate::weights::ReadSafetensors;

/// The file names PEFT's `save_pretrained` writes.
pub const CONFIG_FILE: &str = "adapter_config.json";
pub const WEIGHTS_FILE: &str = "adapter_model.safetensors";

/// The prefix PEFT's `PeftModel` (`base_model`) and `LoraModel` (`model`) add to the base model's names.
const KEY_PREFIX: &str = "base_model.model.";

/// One module's low-rank update: `delta = scale * (B @ A)`, `A: (r, in)`, `B: (out, r)`, kept in f32 on
/// the CPU until its weight is loaded.
#[derive(Debug)]
struct LowRank {
    a: Tensor,
    b: Tensor,
    scale: f64,
}

/// A parsed and checked adapter: the updates it makes, by the base weight's name (`<module>.weight`).
#[derive(Debug)]
pub struct LoraAdapter {
    pub dir: PathBuf,
    updates: HashMap<String, LowRank>,
}

impl LoraAdapter {
    /// The base weights this adapter changes, sorted.
    pub fn targets(&self) -> Vec<&str> {
        let mut t: Vec<&str> = self.updates.keys().map(String::as_str).collect();
        t.sort_unstable();
        t
    }

    /// Reads and checks the adapter in `dir`; tensors are checked against the base model later, in
    /// [`merged_var_builder`].
    pub fn load(dir: &Path) -> Result<LoraAdapter> {
        let err = |message: String| adapter_error(dir, message);
        if !dir.is_dir() {
            return Err(err("no such directory".into()));
        }
        let config_path = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&config_path).map_err(|source| Error::Io {
            path: config_path.clone(),
            source,
        })?;
        let config = AdapterConfig::parse(&text).map_err(|m| err(format!("{CONFIG_FILE}: {m}")))?;
        let weights = dir.join(WEIGHTS_FILE);
        if !weights.is_file() {
            let hint = if dir.join("adapter_model.bin").is_file() {
                " (only adapter_model.bin is there: PyTorch pickles are not read; save with safe_serialization)"
            } else {
                ""
            };
            return Err(err(format!("{WEIGHTS_FILE} is missing{hint}")));
        }
        let tensors = candle_core::safetensors::load(&weights, &Device::Cpu)
            .map_err(|e| err(format!("{WEIGHTS_FILE}: {}", candle_message(&e))))?;
        let updates = config.updates(tensors).map_err(err)?;
        if updates.is_empty() {
            return Err(err(format!("{WEIGHTS_FILE} holds no LoRA weights")));
        }
        Ok(LoraAdapter {
            dir: dir.to_path_buf(),
            updates,
        })
    }
}

fn adapter_error(dir: &Path, message: String) -> Error {
    Error::ModelLoad {
        source_desc: format!("LoRA adapter {}", dir.display()),
        message,
    }
}

/// The parts of `adapter_config.json` the merge depends on.
#[derive(Debug)]
struct AdapterConfig {
    r: usize,
    lora_alpha: f64,
    use_rslora: bool,
    targets: Targets,
    exclude: Option<Targets>,
    rank_pattern: Vec<(Regex, usize)>,
    alpha_pattern: Vec<(Regex, f64)>,
}

/// How PEFT selects modules: a string is a regex matched against the whole module name; a list matches
/// a module named exactly so or ending in `.<entry>`; `all-linear` is every linear layer but the output head.
#[derive(Debug)]
enum Targets {
    Regex(Regex),
    Names(Vec<String>),
    AllLinear,
}

impl Targets {
    fn parse(v: &Value, field: &str) -> Result<Option<Targets>, String> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) if s == "all-linear" => Ok(Some(Targets::AllLinear)),
            Value::String(s) => Regex::new(&format!("^(?:{s})$"))
                .map(|r| Some(Targets::Regex(r)))
                .map_err(|e| format!("{field} {s:?} is not a regex this loader can read: {e}")),
            Value::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("{field} holds a non-string {i}"))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|names| Some(Targets::Names(names))),
            other => Err(format!("{field} must be a string or a list, not {other}")),
        }
    }

    fn matches(&self, module: &str) -> bool {
        match self {
            Targets::Regex(r) => r.is_match(module),
            Targets::Names(names) => names
                .iter()
                .any(|n| module == n || module.ends_with(&format!(".{n}"))),
            Targets::AllLinear => module != "lm_head" && !module.ends_with(".lm_head"),
        }
    }
}

/// `rank_pattern` / `alpha_pattern` keys match as PEFT's `get_pattern_key` does: `(.*\.)?(key)$` from the
/// start of the module name; the first key (in file order) that matches wins.
fn patterns<T>(
    v: Option<&Value>,
    field: &str,
    value: impl Fn(&Value) -> Option<T>,
) -> Result<Vec<(Regex, T)>, String> {
    let Some(Value::Object(map)) = v else {
        return match v {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(other) => Err(format!("{field} must be an object, not {other}")),
        };
    };
    map.iter()
        .map(|(k, v)| {
            let re = Regex::new(&format!(r"^(?:.*\.)?(?:{k})$")).map_err(|e| {
                format!("{field} key {k:?} is not a regex this loader can read: {e}")
            })?;
            let val = value(v).ok_or_else(|| format!("{field}[{k:?}] = {v} is not a number"))?;
            Ok((re, val))
        })
        .collect()
}

/// Settings whose adapters are not a plain `B @ A` delta on linear weights, with what each one means.
/// Any of them set to something other than its default is refused.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("use_dora", "DoRA (weight-decomposed LoRA)"),
    ("modules_to_save", "fully trained modules (modules_to_save)"),
    (
        "layers_to_transform",
        "layer selection (layers_to_transform)",
    ),
    ("layer_replication", "layer replication"),
    ("lora_bias", "trained LoRA biases (lora_bias)"),
    ("use_qalora", "QA-LoRA"),
    ("trainable_token_indices", "trainable tokens"),
    (
        "target_parameters",
        "adapters on parameters (target_parameters)",
    ),
    ("use_bdlora", "block-diagonal LoRA"),
    ("velora_config", "VeLoRA"),
    ("monteclora_config", "MonteCLoRA"),
    ("kasa_config", "KaSA"),
    ("arrow_config", "Arrow routing"),
    (
        "alora_invocation_tokens",
        "activated LoRA (alora_invocation_tokens)",
    ),
    ("megatron_config", "Megatron parallel layers"),
];

impl AdapterConfig {
    fn parse(text: &str) -> Result<AdapterConfig, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let peft_type = v.get("peft_type").and_then(Value::as_str).unwrap_or("LORA");
        if !peft_type.eq_ignore_ascii_case("lora") {
            return Err(format!(
                "peft_type {peft_type:?} is not supported; only LORA adapters can be merged"
            ));
        }
        for (key, what) in UNSUPPORTED {
            let set = match v.get(*key) {
                None | Some(Value::Null) | Some(Value::Bool(false)) => false,
                Some(Value::Array(a)) => !a.is_empty(),
                Some(Value::Object(o)) => !o.is_empty(),
                Some(Value::String(s)) => !s.is_empty(),
                Some(_) => true,
            };
            if set {
                return Err(format!("{what} is not supported ({key} is set)"));
            }
        }
        match v.get("bias").and_then(Value::as_str).unwrap_or("none") {
            "none" => {}
            other => {
                return Err(format!(
                    "bias = {other:?} is not supported (trained biases); only \"none\""
                ));
            }
        }
        // These initialisations change the base weights too; such an adapter is only correct on that
        // changed base, unless PEFT converted it when saving.
        if let Some(init) = v.get("init_lora_weights").and_then(Value::as_str) {
            let lower = init.to_ascii_lowercase();
            if ["pissa", "olora", "corda", "loftq"]
                .iter()
                .any(|p| lower.starts_with(p))
            {
                return Err(format!(
                    "init_lora_weights = {init:?} modifies the base weights; convert the adapter with PEFT's \
                     path_initial_model_for_weight_conversion first"
                ));
            }
        }
        if v.get("loftq_config")
            .is_some_and(|l| l.as_object().is_some_and(|o| !o.is_empty()))
        {
            return Err("LoftQ (loftq_config) is not supported".into());
        }
        let r = v
            .get("r")
            .and_then(Value::as_u64)
            .filter(|r| *r > 0)
            .ok_or("r must be a positive integer")? as usize;
        let lora_alpha = v
            .get("lora_alpha")
            .and_then(Value::as_f64)
            .ok_or("lora_alpha must be a number")?;
        let use_rslora = v
            .get("use_rslora")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let targets = Targets::parse(
            v.get("target_modules").unwrap_or(&Value::Null),
            "target_modules",
        )?
        .ok_or("target_modules is not set")?;
        let exclude = Targets::parse(
            v.get("exclude_modules").unwrap_or(&Value::Null),
            "exclude_modules",
        )?;
        if matches!(exclude, Some(Targets::AllLinear)) {
            return Err("exclude_modules = \"all-linear\" excludes everything".into());
        }
        // PEFT turns `fan_in_fan_out` off for `torch.nn.Linear` layers (with a warning): it only applies
        // to GPT-2's Conv1D, which stores weights as (in, out). Every Qwen layer LoRA can target is a
        // Linear, so the merge is the same either way; the flag is accepted and has no effect, as in PEFT.
        Ok(AdapterConfig {
            r,
            lora_alpha,
            use_rslora,
            targets,
            exclude,
            rank_pattern: patterns(v.get("rank_pattern"), "rank_pattern", |x| {
                x.as_u64().map(|n| n as usize)
            })?,
            alpha_pattern: patterns(v.get("alpha_pattern"), "alpha_pattern", Value::as_f64)?,
        })
    }

    fn selects(&self, module: &str) -> bool {
        !self.exclude.as_ref().is_some_and(|e| e.matches(module)) && self.targets.matches(module)
    }

    fn scale(&self, module: &str) -> (usize, f64) {
        let r = self
            .rank_pattern
            .iter()
            .find(|(re, _)| re.is_match(module))
            .map_or(self.r, |(_, r)| *r);
        let alpha = self
            .alpha_pattern
            .iter()
            .find(|(re, _)| re.is_match(module))
            .map_or(self.lora_alpha, |(_, a)| *a);
        let scale = if self.use_rslora {
            alpha / (r as f64).sqrt()
        } else {
            alpha / r as f64
        };
        (r, scale)
    }

    /// Pairs the `lora_A`/`lora_B` tensors by module and checks them against this config.
    fn updates(
        &self,
        tensors: HashMap<String, Tensor>,
    ) -> Result<HashMap<String, LowRank>, String> {
        let mut halves: HashMap<String, (Option<Tensor>, Option<Tensor>)> = HashMap::new();
        let mut names: Vec<&String> = tensors.keys().collect();
        names.sort();
        for name in names {
            let (module, is_a) = split_key(name)?;
            if !self.selects(module) {
                return Err(format!(
                    "tensor {name} adapts {module}, which target_modules (less exclude_modules) does not select"
                ));
            }
            let t = tensors[name]
                .to_dtype(DType::F32)
                .map_err(|e| format!("{name}: {}", candle_message(&e)))?;
            if t.rank() != 2 {
                return Err(format!(
                    "tensor {name} has shape {:?}; expected a matrix",
                    t.dims()
                ));
            }
            let slot = halves.entry(module.to_owned()).or_default();
            if is_a {
                slot.0 = Some(t);
            } else {
                slot.1 = Some(t);
            }
        }
        let mut out = HashMap::new();
        for (module, pair) in halves {
            let (a, b) = match pair {
                (Some(a), Some(b)) => (a, b),
                (None, _) => return Err(format!("{KEY_PREFIX}{module}.lora_A.weight is missing")),
                (_, None) => return Err(format!("{KEY_PREFIX}{module}.lora_B.weight is missing")),
            };
            let (r, scale) = self.scale(&module);
            if a.dims()[0] != r || b.dims()[1] != r {
                return Err(format!(
                    "{KEY_PREFIX}{module}: lora_A is {:?} and lora_B is {:?}, but the config's rank for it is {r}",
                    a.dims(),
                    b.dims()
                ));
            }
            out.insert(format!("{module}.weight"), LowRank { a, b, scale });
        }
        Ok(out)
    }
}

/// `base_model.model.<module>.lora_A.weight` -> (`<module>`, true). Any other tensor is an adapter part
/// this loader cannot merge, and is named in the error.
fn split_key(name: &str) -> Result<(&str, bool), String> {
    let rest = name.strip_prefix(KEY_PREFIX).ok_or_else(|| {
        format!("tensor {name} does not start with {KEY_PREFIX:?}: not a PEFT causal-LM adapter")
    })?;
    if let Some(m) = rest.strip_suffix(".lora_A.weight") {
        return Ok((m, true));
    }
    if let Some(m) = rest.strip_suffix(".lora_B.weight") {
        return Ok((m, false));
    }
    Err(format!(
        "tensor {name} is not a lora_A/lora_B weight (embedding adapters, DoRA magnitudes and biases are not supported)"
    ))
}

/// The safetensors checkpoint with adapters merged in: tensors without an update are read as they are,
/// tensor by tensor, as without adapters (see `weights`).
struct Merged {
    base: ReadSafetensors,
    /// Per base weight, the updates of every adapter that changes it, in adapter order.
    updates: HashMap<String, Vec<LowRank>>,
}

impl Merged {
    fn load(&self, name: &str, dtype: DType, dev: &Device) -> candle_core::Result<Tensor> {
        let Some(updates) = self.updates.get(name) else {
            return self.base.load(name, dev)?.to_dtype(dtype);
        };
        let mut w = self.base.load(name, dev)?.to_dtype(DType::F32)?;
        for u in updates {
            let delta = u.b.to_device(dev)?.matmul(&u.a.to_device(dev)?)?;
            w = (w + (delta * u.scale)?)?;
        }
        w.to_dtype(dtype)
    }
}

impl SimpleBackend for Merged {
    fn get(
        &self,
        s: Shape,
        name: &str,
        _: candle_nn::Init,
        dtype: DType,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
        let tensor = self.load(name, dtype, dev)?;
        if tensor.shape() != &s {
            return Err(candle_core::Error::UnexpectedShape {
                msg: format!("shape mismatch for {name}"),
                expected: s,
                got: tensor.shape().clone(),
            }
            .bt());
        }
        Ok(tensor)
    }

    fn get_unchecked(&self, name: &str, dtype: DType, dev: &Device) -> candle_core::Result<Tensor> {
        self.load(name, dtype, dev)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.base.contains_tensor(name)
    }
}

/// Opens `weights` and merges the adapters in `adapter_dirs` (in order) into them. Every adapted
/// weight must exist in the checkpoint with the shape `(B rows, A columns)`: an adapter made for another
/// base model fails here, naming the tensor.
pub fn merged_var_builder(
    weights: &[PathBuf],
    adapter_dirs: &[String],
    dtype: DType,
    device: &Device,
) -> Result<VarBuilder<'static>> {
    let adapters = adapter_dirs
        .iter()
        .map(|d| LoraAdapter::load(Path::new(d)))
        .collect::<Result<Vec<_>>>()?;
    let base = ReadSafetensors::open(weights).map_err(|e| Error::ModelLoad {
        source_desc: weights
            .first()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        message: candle_message(&e),
    })?;
    let mut updates: HashMap<String, Vec<LowRank>> = HashMap::new();
    for adapter in adapters {
        let err = |m: String| adapter_error(&adapter.dir, m);
        for (name, u) in &adapter.updates {
            let want = [u.b.dims()[0], u.a.dims()[1]];
            let module = name.strip_suffix(".weight").unwrap_or(name);
            let shape = base.shape(name).ok_or_else(|| {
                err(format!(
                    "{KEY_PREFIX}{module}.lora_A.weight adapts {name}, which the base model does not have: \
                     is the adapter for another model?"
                ))
            })?;
            if shape != want {
                return Err(err(format!(
                    "shape mismatch for {KEY_PREFIX}{module}.lora_B.weight @ lora_A.weight: the update is {want:?} \
                     but the base model's {name} is {:?}: is the adapter for another model?",
                    shape
                )));
            }
        }
        tracing::info!(
            "merging LoRA adapter {} into {} weights",
            adapter.dir.display(),
            adapter.updates.len()
        );
        for (name, u) in adapter.updates {
            updates.entry(name).or_default().push(u);
        }
    }
    let backend = Merged { base, updates };
    Ok(VarBuilder::from_backend(
        Box::new(backend),
        dtype,
        device.clone(),
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Result<AdapterConfig, String> {
        AdapterConfig::parse(&format!(
            r#"{{"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": ["q_proj", "mlp.up_proj"]{extra}}}"#
        ))
    }

    #[test]
    fn target_lists_match_whole_names_or_dotted_suffixes() {
        let c = config("").unwrap();
        assert!(c.selects("model.layers.0.self_attn.q_proj"));
        assert!(c.selects("model.layers.3.mlp.up_proj"));
        assert!(!c.selects("model.layers.0.self_attn.qq_proj"));
        assert!(!c.selects("model.layers.0.self_attn.k_proj"));
        let c = config(r#", "exclude_modules": ["layers.0.self_attn.q_proj"]"#).unwrap();
        assert!(!c.selects("model.layers.0.self_attn.q_proj"));
        assert!(c.selects("model.layers.1.self_attn.q_proj"));
    }

    #[test]
    fn target_strings_are_full_match_regexes() {
        let c = config(r#", "target_modules": "model\\.layers\\.1\\..*_proj""#).unwrap();
        assert!(c.selects("model.layers.1.mlp.down_proj"));
        assert!(!c.selects("model.layers.11.mlp.down_proj"));
        assert!(!c.selects("x.model.layers.1.mlp.down_proj"));
        let all = config(r#", "target_modules": "all-linear""#).unwrap();
        assert!(all.selects("model.layers.0.mlp.gate_proj") && !all.selects("lm_head"));
    }

    #[test]
    fn scale_follows_rslora_and_patterns() {
        let c = config("").unwrap();
        assert_eq!(c.scale("model.layers.0.self_attn.q_proj"), (4, 2.0));
        let c = config(r#", "use_rslora": true"#).unwrap();
        assert_eq!(c.scale("model.layers.0.self_attn.q_proj"), (4, 4.0));
        let c = config(r#", "rank_pattern": {"layers.1.self_attn.q_proj": 2}, "alpha_pattern": {"up_proj": 16}"#)
            .unwrap();
        assert_eq!(c.scale("model.layers.1.self_attn.q_proj"), (2, 4.0));
        assert_eq!(c.scale("model.layers.0.self_attn.q_proj"), (4, 2.0));
        assert_eq!(c.scale("model.layers.0.mlp.up_proj"), (4, 4.0));
    }

    #[test]
    fn unsupported_settings_are_named() {
        for (extra, needle) in [
            (r#", "use_dora": true"#, "DoRA"),
            (r#", "bias": "all""#, "bias"),
            (r#", "modules_to_save": ["lm_head"]"#, "modules_to_save"),
            (r#", "layers_to_transform": [0]"#, "layers_to_transform"),
            (r#", "peft_type": "IA3""#, "IA3"),
            (r#", "init_lora_weights": "pissa""#, "pissa"),
            (r#", "r": 0"#, "r must be"),
        ] {
            let e = config(extra).unwrap_err();
            assert!(e.contains(needle), "{extra}: {e}");
        }
        // Defaults written by PEFT are not mistaken for features.
        config(r#", "use_dora": false, "modules_to_save": null, "rank_pattern": {}, "loftq_config": {}, "fan_in_fan_out": true"#)
            .unwrap();
    }

    #[test]
    fn tensor_names_outside_lora_a_b_are_refused() {
        assert_eq!(
            split_key("base_model.model.model.layers.0.mlp.up_proj.lora_B.weight").unwrap(),
            ("model.layers.0.mlp.up_proj", false)
        );
        let e = split_key("base_model.model.model.layers.0.mlp.up_proj.lora_magnitude_vector")
            .unwrap_err();
        assert!(e.contains("lora_magnitude_vector"), "{e}");
        assert!(split_key("model.layers.0.mlp.up_proj.lora_A.weight").is_err());
    }
}
