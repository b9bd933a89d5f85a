//! LoRA adapters merged at load against PEFT: tests/models/qwen3-tiny-lora/ holds adapters made with PEFT
//! on qwen3-tiny and the logits of PEFT's `merge_and_unload` models (scripts/make-tiny-lora.py).

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use model::{LoadOptions, LocalModel};
use serde_json::Value;

use crate::reference::load_error;

const TOLERANCE: f32 = 1e-4;

fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/models")
}

fn adapter_dir() -> PathBuf {
    models().join("qwen3-tiny-lora")
}

fn options(base: &str, lora: &[&Path]) -> LoadOptions {
    LoadOptions {
        source: models().join(base).display().to_string(),
        dtype: Some(model::options::WeightDtype::F32),
        device: Some(model::options::DeviceSpec::Cpu),
        lora: lora.iter().map(|p| p.display().to_string()).collect(),
        ..LoadOptions::default()
    }
}

fn load(lora: &[&Path]) -> LocalModel {
    assert!(
        models().join("qwen3-tiny/tokenizer.json").is_file(),
        "tests/models/qwen3-tiny lacks tokenizer.json: run scripts/fetch-tokenizer.sh"
    );
    LocalModel::load(&options("qwen3-tiny", lora)).unwrap_or_else(|e| panic!("loading: {e}"))
}

fn load_err(lora: &[&Path]) -> String {
    match LocalModel::load(&options("qwen3-tiny", lora)) {
        Ok(_) => panic!("loading {lora:?} should fail"),
        Err(e) => e.to_string(),
    }
}

fn reference() -> Value {
    let text = std::fs::read_to_string(adapter_dir().join("reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

/// Max abs difference between our logits and a reference slice over every position: the sampled ids,
/// each position's top 8 and the logsumexp over the whole vocabulary.
fn max_diff(ours: &[Vec<f32>], reference: &Value, sample_ids: &[u32]) -> f32 {
    let rows = reference.as_array().unwrap();
    assert_eq!(ours.len(), rows.len());
    let mut worst = 0f32;
    for (row, r) in ours.iter().zip(rows) {
        for (id, want) in sample_ids.iter().zip(floats(&r["values"])) {
            worst = worst.max((row[*id as usize] - want).abs());
        }
        for (id, want) in ids(&r["top_ids"]).iter().zip(floats(&r["top_values"])) {
            worst = worst.max((row[*id as usize] - want).abs());
        }
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        let lse = max
            + row
                .iter()
                .map(|&x| (x as f64 - max).exp())
                .sum::<f64>()
                .ln();
        worst = worst.max((lse - r["logsumexp"].as_f64().unwrap()).abs() as f32);
    }
    worst
}

/// For each reference prompt: (max diff to `want`, max diff to `other`) of `model`'s logits.
fn compare(model: &LocalModel, want: &str, other: &str) -> Vec<(String, f32, f32)> {
    let r = reference();
    let sample = ids(&r["sample_ids"]);
    r["prompt_ids"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, prompt)| {
            let logits = model.logits(&[ids(prompt)]).unwrap().remove(0);
            (
                name.clone(),
                max_diff(&logits, &r[want][name], &sample),
                max_diff(&logits, &r[other][name], &sample),
            )
        })
        .collect()
}

#[test]
fn merged_adapter_matches_peft_merge_and_unload() {
    let merged = load(&[&adapter_dir()]);
    for (prompt, to_peft, to_base) in compare(&merged, "first", "base") {
        eprintln!(
            "{prompt}: max |ours - PEFT merged| = {to_peft:e}, max |ours - base| = {to_base}"
        );
        assert!(
            to_peft <= TOLERANCE,
            "{prompt}: merged logits differ from PEFT's by {to_peft}"
        );
        // The adapter must matter, or matching PEFT would prove nothing.
        assert!(
            to_base > 0.5,
            "{prompt}: merged logits are within {to_base} of the base model's"
        );
    }
    // The base model itself still matches its reference: the merge touched only the adapter's run.
    for (prompt, to_base, _) in compare(&load(&[]), "base", "first") {
        assert!(
            to_base <= TOLERANCE,
            "{prompt}: base logits off by {to_base}"
        );
    }
}

#[test]
fn several_adapters_merge_in_order() {
    let second = adapter_dir().join("second");
    let both = load(&[&adapter_dir(), &second]);
    for (prompt, to_peft, to_first) in compare(&both, "first_then_second", "first") {
        assert!(
            to_peft <= TOLERANCE,
            "{prompt}: first+second logits differ from PEFT's by {to_peft}"
        );
        assert!(
            to_first > 0.01,
            "{prompt}: the second (rsLoRA, regex-targeted) adapter changed nothing ({to_first})"
        );
    }
}

#[test]
fn missing_adapter_directory_is_named() {
    let err = load_err(&[Path::new("/no/such/adapter")]);
    assert!(
        err.contains("/no/such/adapter") && err.contains("no such directory"),
        "{err}"
    );
    let empty = tempfile::tempdir().unwrap();
    let err = load_err(&[empty.path()]);
    assert!(err.contains("adapter_config.json"), "{err}");
}

/// A copy of the PEFT adapter with its config edited by `edit`.
fn edited_copy(edit: impl FnOnce(&mut Value)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut config: Value = serde_json::from_str(
        &std::fs::read_to_string(adapter_dir().join("adapter_config.json")).unwrap(),
    )
    .unwrap();
    edit(&mut config);
    std::fs::write(
        dir.path().join("adapter_config.json"),
        serde_json::to_string(&config).unwrap(),
    )
    .unwrap();
    std::fs::copy(
        adapter_dir().join("adapter_model.safetensors"),
        dir.path().join("adapter_model.safetensors"),
    )
    .unwrap();
    dir
}

#[test]
fn unsupported_peft_features_are_refused_by_name() {
    let dora = edited_copy(|c| c["use_dora"] = Value::Bool(true));
    let err = load_err(&[dora.path()]);
    assert!(err.contains("DoRA") && err.contains("use_dora"), "{err}");
    let saved = edited_copy(|c| c["modules_to_save"] = serde_json::json!(["lm_head"]));
    let err = load_err(&[saved.path()]);
    assert!(err.contains("modules_to_save"), "{err}");
    let ia3 = edited_copy(|c| c["peft_type"] = Value::String("IA3".into()));
    let err = load_err(&[ia3.path()]);
    assert!(err.contains("IA3"), "{err}");
    // Weights for a module the config does not target would be dropped by PEFT: refused, not ignored.
    let narrow = edited_copy(|c| c["target_modules"] = serde_json::json!(["q_proj"]));
    let err = load_err(&[narrow.path()]);
    assert!(
        err.contains("model.layers.0.mlp.down_proj") && err.contains("target_modules"),
        "{err}"
    );
}

/// An adapter directory with the given tensors and the PEFT adapter's config.
fn adapter_with(tensors: HashMap<String, Tensor>) -> tempfile::TempDir {
    let dir = edited_copy(|_| {});
    candle_core::safetensors::save(&tensors, dir.path().join("adapter_model.safetensors")).unwrap();
    dir
}

#[test]
fn adapter_for_another_base_is_refused_naming_the_tensor() {
    let key = |m: &str, ab: &str| {
        format!("base_model.model.model.layers.0.self_attn.{m}.lora_{ab}.weight")
    };
    // Made for a model with hidden size 48: q_proj's A takes 48 inputs where qwen3-tiny has 32.
    let wider = adapter_with(HashMap::from([
        (
            key("q_proj", "A"),
            Tensor::ones((4, 48), candle_core::DType::F32, &Device::Cpu).unwrap(),
        ),
        (
            key("q_proj", "B"),
            Tensor::ones((64, 4), candle_core::DType::F32, &Device::Cpu).unwrap(),
        ),
    ]));
    let err = load_err(&[wider.path()]);
    assert!(
        err.contains("shape mismatch")
            && err.contains("model.layers.0.self_attn.q_proj")
            && err.contains("[64, 48]")
            && err.contains("[64, 32]"),
        "{err}"
    );
    // Made for a deeper model: qwen3-tiny has 2 layers.
    let deeper = adapter_with(HashMap::from([
        (
            "base_model.model.model.layers.7.mlp.up_proj.lora_A.weight".to_string(),
            Tensor::ones((4, 32), candle_core::DType::F32, &Device::Cpu).unwrap(),
        ),
        (
            "base_model.model.model.layers.7.mlp.up_proj.lora_B.weight".to_string(),
            Tensor::ones((64, 4), candle_core::DType::F32, &Device::Cpu).unwrap(),
        ),
    ]));
    let err = load_err(&[deeper.path()]);
    assert!(
        err.contains("model.layers.7.mlp.up_proj.weight") && err.contains("does not have"),
        "{err}"
    );
    // Half a pair.
    let half = adapter_with(HashMap::from([(
        key("v_proj", "A"),
        Tensor::ones((4, 32), candle_core::DType::F32, &Device::Cpu).unwrap(),
    )]));
    let err = load_err(&[half.path()]);
    assert!(err.contains("v_proj.lora_B.weight is missing"), "{err}");
}

#[test]
fn gguf_with_lora_is_not_supported() {
    let opts = LoadOptions {
        source: models()
            .join("qwen3-tiny/qwen3-tiny-q8_0.gguf")
            .display()
            .to_string(),
        lora: vec![adapter_dir().display().to_string()],
        ..LoadOptions::default()
    };
    let err = load_error(&opts);
    assert!(err.contains("LoRA") && err.contains("GGUF"), "{err}");
}
