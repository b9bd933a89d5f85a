//! Opening a backend from load options: what only applies to a local model is refused for a remote
//! one, not dropped unnoticed.

use std::path::PathBuf;

use engine::model::LoadOptions;

/// The committed PEFT adapter (`tests/models/qwen3-tiny-lora`).
fn adapter_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/models/qwen3-tiny-lora")
}

#[test]
fn remote_backend_with_lora_is_refused() {
    let opts = LoadOptions {
        source: "http://127.0.0.1:9/v1#qwen".into(),
        lora: vec![adapter_dir().display().to_string()],
        ..LoadOptions::default()
    };
    let err = engine::remote::open_backend(&opts)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("LoRA") && err.contains("http://127.0.0.1:9/v1"),
        "{err}"
    );
}
