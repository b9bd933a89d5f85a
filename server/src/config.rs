//! The server's settings: parsed without IO from `initializationOptions` or
//! `workspace/didChangeConfiguration`, then resolved once (with the command line) into what the
//! workers use.
//!
//! The JSON shape (every key optional; camelCase):
//!
//! ```json
//! {
//!   "model": "Qwen/Qwen2.5-Coder-1.5B",   // hub id, HF directory, .gguf file or http://host:port/v1#name
//!   // How a model loaded in this process loads (an error with a remote `model`):
//!   "dtype": "f16",      // f32 | f16 | bf16 | null: the best for the device
//!   "device": "cpu",     // cpu | cuda | cuda:N | metal | null: the best available
//!   "quantize": "q8_0",  // q8_0 | q4_k | none; null: q8_0 on the CPU without a dtype, else none
//!   "kvCache": "auto",   // auto | f16 | f32 | int8 (CPU only); auto: f16 for quantized and 16-bit weights
//!   "lora": ["/path/to/adapter"],   // PEFT LoRA adapter directories, merged at load in order
//!   "prefixCacheMb": 512,   // keys/values kept across requests (prefix reuse over several files)
//!   "completion": {
//!     "sampling": { "maxTokens": 128, "temperature": 0, "topP": null, "topK": null, "seed": 1, "stop": [] },
//!     "contextTokens": 2048, "multiline": "auto", "validateSyntax": true,
//!     "coldContextTokens": 256,  // the budget while the model's cache is cold; 0: always the whole
//!     "suffixRerunMs": 200       // on a slow device, the suffix re-runs in about this; 0: never cut
//!   },
//!   "debounceMs": 0,
//!   "largeFileBytes": 4194304,   // larger documents: no syntax tree, context from around the cursor
//!   "secrets": { "enabled": true, "allow": [], "deny": [], "minEntropy": 3.0 },   // for remote models
//!   "actions": { "sampling": { "maxTokens": 512 }, "candidates": 2, "runTests": true, "contextTokens": 3072 },
//!   "workspaceIndex": { "enabled": true }   // definitions from the workspace's unopened files
//! }
//! ```
//!
//! Clients that namespace their settings (`{"qwen-lsp": {...}}` or `{"qwenLsp": {...}}`) are accepted too.
//! Unknown keys are returned to the caller (which logs them), never fatal. Bad values are errors that
//! name the key and, for the load options, the values it takes.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use engine::model::options::QuantizeSetting;

use crate::cli::WeightOptions;

/// The model used when neither `--model` nor the `model` setting names one: a base (not instruct)
/// coder model trained for fill-in-the-middle, small enough for a laptop CPU.
pub const DEFAULT_MODEL: &str = "Qwen/Qwen2.5-Coder-1.5B";

/// Settings as the editor sends them.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// Hub id, local HF directory, `.gguf` file or `http(s)://host:port/v1#model-name`. `--model` on
    /// the command line takes precedence.
    pub model: Option<String>,
    /// `dtype`, `device`, `quantize`, `kvCache`, `lora`: the same options as the command line's weight
    /// flags, which take precedence field by field (`--lora` replaces the whole list).
    #[serde(flatten)]
    pub weights: WeightOptions,
    /// MiB of keys/values kept across requests for prefix reuse (several files); default: 512.
    pub prefix_cache_mb: Option<usize>,
    /// Redaction of secrets from prompts sent to a remote model (`{"enabled", "allow", "deny", "minEntropy"}`);
    /// on by default.
    pub secrets: engine::secrets::SecretFilterConfig,
    /// The completion pipeline's settings (sampling, context budget, multi-line, syntax validation).
    pub completion: engine::complete::CompletionOptions,
    /// Server-side delay before generating, in milliseconds; a newer request for the same document
    /// during the delay supersedes this one without any model work. Default 0: editors debounce
    /// typing themselves.
    pub debounce_ms: u64,
    /// The code actions' settings ("Fix this", "Complete this function"): sampling, candidates, whether
    /// to run the file's tests in the Python sandbox, context budget.
    pub actions: engine::actions::FixOptions,
    /// The server's own diagnostics (`{"syntax": true, "runTests": true}`): Python syntax errors, and the
    /// file's failing tests run in the sandbox after each save.
    pub diagnostics: crate::diagnostics::DiagnosticsOptions,
    /// Documents larger than this many bytes keep their text but get no syntax tree, and completions
    /// see a window around the cursor; default 4 MiB ([`engine::document::DEFAULT_SYNTAX_LIMIT`]).
    pub large_file_bytes: Option<usize>,
    /// The workspace index (`{"enabled": true}`): definitions from the files of the workspace folders
    /// that are not open, for completions' context.
    pub workspace_index: crate::workspace::WorkspaceIndexOptions,
    /// Top-level keys nothing above reads. (With a flattened field serde hands them over here rather
    /// than to `serde_ignored`; declared last, it gets only what `weights` left.)
    #[serde(flatten)]
    unknown: BTreeMap<String, IgnoredAny>,
}

impl Settings {
    pub fn large_file_bytes(&self) -> usize {
        self.large_file_bytes
            .unwrap_or(engine::document::DEFAULT_SYNTAX_LIMIT)
    }
}

/// Settings that cannot be used. The previous settings stay in force.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value of the wrong type or out of its type's range, at the dotted path it names.
    #[error("invalid qwen-lsp settings: {0}")]
    Malformed(#[from] serde_path_to_error::Error<serde_json::Error>),
    #[error("invalid qwen-lsp settings: {0}")]
    Invalid(#[from] engine::Error),
}

/// Parsed settings and the dotted paths of keys that were ignored.
#[derive(Debug)]
pub struct Parsed {
    pub settings: Settings,
    pub unknown_keys: Vec<String>,
}

impl Settings {
    /// Parses `value` (`null` or `[]` = defaults) and validates the sampling parameters.
    pub fn parse(value: &serde_json::Value) -> Result<Parsed, ConfigError> {
        let mut value = value;
        if let Some(map) = value.as_object()
            && let (1, Some(inner)) = (
                map.len(),
                map.get("qwen-lsp").or_else(|| map.get("qwenLsp")),
            )
        {
            value = inner;
        }
        // Lua clients encode an empty table as `[]`.
        if value.is_null() || value.as_array().is_some_and(Vec::is_empty) {
            return Ok(Parsed {
                settings: Settings::default(),
                unknown_keys: Vec::new(),
            });
        }
        let mut unknown_keys = Vec::new();
        // Ignored keys are reported; a bad value's error names its dotted path.
        let mut ignore = |path: serde_ignored::Path<'_>| unknown_keys.push(path.to_string());
        let ignored = serde_ignored::Deserializer::new(value, &mut ignore);
        let mut settings: Settings = serde_path_to_error::deserialize(ignored)?;
        unknown_keys.extend(std::mem::take(&mut settings.unknown).into_keys());
        // Top-level keys come from the map above, nested ones as serde meets them: report them sorted.
        unknown_keys.sort();
        settings.completion.sampling.validate()?;
        settings.actions.sampling.validate()?;
        Ok(Parsed {
            settings,
            unknown_keys,
        })
    }
}

/// What the command line says about the model; it overrides the settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CliModel {
    pub model: Option<String>,
    /// `--lora` (repeatable), when given, replaces the `lora` setting.
    pub weights: WeightOptions,
}

/// The model to load: the command line, else the settings, else [`DEFAULT_MODEL`]. Whether it is
/// local or remote, and whether the options fit it, is [`engine::remote::BackendSpec::new`]'s to say.
pub fn load_options(cli: &CliModel, settings: &Settings) -> engine::model::LoadOptions {
    let (cli_w, set_w) = (&cli.weights, &settings.weights);
    let quantize = cli_w.quantize.or(set_w.quantize);
    engine::model::LoadOptions {
        source: cli
            .model
            .clone()
            .or_else(|| settings.model.clone())
            .unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        dtype: cli_w.dtype.or(set_w.dtype),
        device: cli_w.device.or(set_w.device),
        // Stderr is the only place a language server can draw a bar; progress goes to the editor instead.
        show_progress: false,
        quantize: quantize.and_then(QuantizeSetting::quantization),
        cpu_default_quantize: crate::cli::cpu_default_quantize(quantize),
        kv_cache: cli_w.kv_cache.or(set_w.kv_cache).unwrap_or_default(),
        lora: if cli_w.lora.is_empty() {
            set_w.lora.clone()
        } else {
            cli_w.lora.clone()
        },
        prefix_cache_mb: settings.prefix_cache_mb,
        secrets: settings.secrets.clone(),
    }
}

#[cfg(test)]
mod tests {
    use engine::model::options::{KvCacheType, WeightDtype};
    use serde_json::json;

    use super::*;

    #[test]
    fn null_and_empty_give_defaults() {
        let defaults = Settings::default();
        assert_eq!(
            Settings::parse(&json!(null)).expect("parses").settings,
            defaults
        );
        assert_eq!(
            Settings::parse(&json!({})).expect("parses").settings,
            defaults
        );
        assert_eq!(
            Settings::parse(&json!([]))
                .expect("an empty Lua table")
                .settings,
            defaults
        );
        assert!(Settings::parse(&json!([1])).is_err());
        assert!(defaults.actions.run_tests);
        assert!(defaults.completion.validate_syntax);
    }

    #[test]
    fn nested_keys_parse_and_unknown_keys_are_reported() {
        let parsed = Settings::parse(&json!({
            "model": "tests/models/qwen3-tiny",
            "completion": {
                "sampling": { "maxTokens": 7, "temprature": 0.5 }, "validateSyntax": false,
                "coldContextTokens": 0, "suffixRerunMs": 0,
            },
            "debounceMs": 30,
            "colour": "blue",
        }))
        .expect("parses");
        assert_eq!(
            parsed.settings.model.as_deref(),
            Some("tests/models/qwen3-tiny")
        );
        assert_eq!(parsed.settings.completion.sampling.max_tokens, 7);
        assert!(!parsed.settings.completion.validate_syntax);
        assert_eq!(parsed.settings.completion.cold_context_tokens, 0);
        assert_eq!(Settings::default().completion.cold_context_tokens, 256);
        assert_eq!(parsed.settings.completion.suffix_rerun_ms, 0);
        assert_eq!(Settings::default().completion.suffix_rerun_ms, 200);
        assert_eq!(parsed.settings.debounce_ms, 30);
        let mut unknown = parsed.unknown_keys;
        unknown.sort();
        assert_eq!(unknown, ["colour", "completion.sampling.temprature"]);
    }

    #[test]
    fn the_workspace_index_is_on_unless_switched_off() {
        let parse = |value| Settings::parse(&value).map(|p| (p.settings, p.unknown_keys));
        let (settings, _) = parse(json!({})).expect("parses");
        assert!(settings.workspace_index.enabled);
        let (settings, unknown) =
            parse(json!({ "workspaceIndex": { "enabled": false } })).expect("parses");
        assert!(!settings.workspace_index.enabled);
        assert!(unknown.is_empty(), "{unknown:?}");
        // Neovim sends an empty Lua table as `[]`; a misspelt key is reported and changes nothing.
        let (settings, _) = parse(json!({ "workspaceIndex": [] })).expect("an empty table");
        assert!(settings.workspace_index.enabled);
        let (settings, unknown) =
            parse(json!({ "workspaceIndex": { "enable": false } })).expect("parses");
        assert!(settings.workspace_index.enabled);
        assert_eq!(unknown, ["workspaceIndex.enable"]);
        let err = parse(json!({ "workspaceIndex": { "enabled": "no" } })).expect_err("not a bool");
        assert!(err.to_string().contains("invalid type"), "{err}");
        assert!(parse(json!({ "workspaceIndex": false })).is_err());
    }

    #[test]
    fn namespaced_settings_are_unwrapped() {
        let parsed = Settings::parse(&json!({ "qwen-lsp": { "debounceMs": 5 } })).expect("parses");
        assert_eq!(parsed.settings.debounce_ms, 5);
        assert!(parsed.unknown_keys.is_empty());
    }

    #[test]
    fn bad_values_are_errors() {
        let err = Settings::parse(&json!({ "debounceMs": "soon" }))
            .expect_err("a string is not a number");
        assert!(err.to_string().contains("debounceMs"), "{err}");
        let err = Settings::parse(&json!({ "completion": { "sampling": { "temperature": -1 } } }))
            .expect_err("negative temperature");
        assert!(err.to_string().contains("temperature"), "{err}");
        for (value, want) in [
            (
                json!({ "kvCache": "int4" }),
                "kvCache: \"int4\" is not a KV cache type",
            ),
            (json!({ "kvCache": true }), "kvCache: invalid type: boolean"),
        ] {
            let err = Settings::parse(&value)
                .expect_err("a bad value")
                .to_string();
            assert!(
                err.contains(want) && err.matches("kvCache").count() == 1,
                "{err}"
            );
        }
        // Out of its type's range, nested: the dotted path is named.
        let err = Settings::parse(&json!({ "completion": { "suffixRerunMs": -200 } }))
            .expect_err("a negative time");
        assert!(
            err.to_string().contains("completion.suffixRerunMs"),
            "{err}"
        );
    }

    #[test]
    fn load_options_parse_typed_and_null_is_unset() {
        use engine::model::options::{DeviceSpec, Quantization};
        let parsed = Settings::parse(&json!({
            "dtype": "bf16", "device": "cuda:1", "quantize": "Q4_K", "kvCache": "int8", "lora": ["/a"], "colour": 1,
        }))
        .expect("valid settings");
        let want = WeightOptions {
            dtype: Some(WeightDtype::Bf16),
            device: Some(DeviceSpec::Cuda(1)),
            quantize: Some(QuantizeSetting::To(Quantization::Q4K)),
            kv_cache: Some(KvCacheType::Int8),
            lora: vec!["/a".into()],
            threads: None,
        };
        assert_eq!(parsed.settings.weights, want);
        assert_eq!(
            parsed.unknown_keys,
            ["colour"],
            "the flattened keys are known, the rest reported"
        );
        let parsed = Settings::parse(
            &json!({ "dtype": null, "device": null, "quantize": null, "kvCache": null }),
        )
        .expect("null is unset");
        assert_eq!(parsed.settings, Settings::default());
        assert!(parsed.unknown_keys.is_empty(), "{:?}", parsed.unknown_keys);
    }

    #[test]
    fn bad_load_options_name_the_setting_and_the_values_it_takes() {
        for (value, want) in [
            (
                json!({ "dtype": "int4" }),
                r#"dtype: "int4" is not a dtype: expected f32, f16 or bf16"#,
            ),
            (
                json!({ "device": "tpu" }),
                r#"device: "tpu" is not a device: expected cpu, cuda, cuda:N or metal"#,
            ),
            (
                json!({ "device": "cuda:one" }),
                r#"device: "cuda:one" is not a device"#,
            ),
            (
                json!({ "quantize": "int3" }),
                r#"quantize: "int3" is not a quantization: expected q8_0, q4_k or none"#,
            ),
            (
                json!({ "kvCache": "int4" }),
                r#"kvCache: "int4" is not a KV cache type: expected auto, f16, f32 or int8"#,
            ),
            (
                json!({ "kvCache": 8 }),
                "kvCache: invalid type: integer `8`, expected a string",
            ),
            (
                json!({ "qwen-lsp": { "dtype": ["f16"] } }),
                "dtype: invalid type: sequence",
            ),
        ] {
            let err = Settings::parse(&value)
                .expect_err("a bad value")
                .to_string();
            assert!(err.starts_with("invalid qwen-lsp settings: "), "{err}");
            assert!(err.contains(want), "{value}: {err}");
        }
    }

    #[test]
    fn command_line_wins_over_settings_over_default() {
        let weights = WeightOptions {
            dtype: Some(WeightDtype::F32),
            ..WeightOptions::default()
        };
        let settings = Settings {
            model: Some("from-settings".into()),
            weights,
            ..Settings::default()
        };
        let cli = CliModel {
            model: Some("from-cli".into()),
            ..CliModel::default()
        };
        let options = load_options(&cli, &settings);
        assert_eq!(
            (options.source.as_str(), options.dtype),
            ("from-cli", Some(WeightDtype::F32))
        );
        assert_eq!(
            load_options(&CliModel::default(), &Settings::default()).source,
            DEFAULT_MODEL
        );
    }

    #[test]
    fn kv_cache_setting_reaches_the_load_options_and_the_command_line_wins() {
        let settings = Settings::parse(&json!({ "kvCache": "f32" })).expect("valid settings");
        assert!(
            settings.unknown_keys.is_empty(),
            "{:?}",
            settings.unknown_keys
        );
        let settings = settings.settings;
        assert_eq!(
            load_options(&CliModel::default(), &settings).kv_cache,
            KvCacheType::F32
        );
        let weights = WeightOptions {
            kv_cache: Some(KvCacheType::F16),
            ..WeightOptions::default()
        };
        let cli = CliModel {
            weights,
            ..CliModel::default()
        };
        assert_eq!(load_options(&cli, &settings).kv_cache, KvCacheType::F16);
        assert_eq!(
            load_options(&CliModel::default(), &Settings::default()).kv_cache,
            KvCacheType::Auto
        );
    }

    #[test]
    fn lora_setting_is_read_and_command_line_adapters_replace_it() {
        let settings = Settings::parse(&json!({ "lora": ["/a", "/b"] }))
            .expect("valid settings")
            .settings;
        assert_eq!(
            load_options(&CliModel::default(), &settings).lora,
            ["/a", "/b"]
        );
        let weights = WeightOptions {
            lora: vec!["/c".into()],
            ..WeightOptions::default()
        };
        let cli = CliModel {
            weights,
            ..CliModel::default()
        };
        assert_eq!(load_options(&cli, &settings).lora, ["/c"]);
        assert!(
            Settings::parse(&json!({ "lora": "/a" })).is_err(),
            "a list of directories, not a string"
        );
    }

    #[test]
    fn secrets_setting_reaches_the_backend_options() {
        let parsed =
            Settings::parse(&json!({ "secrets": { "enabled": false, "deny": ["corp-[0-9]+"] } }))
                .expect("valid settings");
        assert!(parsed.unknown_keys.is_empty(), "{:?}", parsed.unknown_keys);
        let options = load_options(&CliModel::default(), &parsed.settings);
        assert!(!options.secrets.enabled);
        assert_eq!(options.secrets.deny, ["corp-[0-9]+"]);
        assert!(
            load_options(&CliModel::default(), &Settings::default())
                .secrets
                .enabled,
            "on by default"
        );
    }
}
