//! `qwen-lsp generate`: the CLI contract other tools depend on, checked on the tiny Qwen3 checkpoint
//! against the greedy ids transformers produced (tests/models/qwen3-tiny/reference.json).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::tiny_model;

fn reference() -> Value {
    let text =
        std::fs::read_to_string(tiny_model().join("reference.json")).expect("reference.json");
    serde_json::from_str(&text).expect("reference.json parses")
}

fn run(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qwen-lsp"));
    cmd.arg("generate").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("qwen-lsp runs")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write temp file");
    p
}

/// Runs `generate --json` and returns (all stdout, the parsed last line).
fn generate_json(model: &Path, prompt: &Path, extra: &[&str]) -> (String, Value) {
    let mut args = vec![
        "--model",
        model.to_str().unwrap(),
        "--prompt-file",
        prompt.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = run(&args, &[]);
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().expect("some output");
    let json: Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("last line {last:?} is not JSON: {e}"));
    (stdout, json)
}

#[test]
fn greedy_json_matches_the_transformers_reference() {
    let r = reference();
    let tmp = tempfile::tempdir().unwrap();
    let case = &r["greedy"]["code"];
    let prompt = write(tmp.path(), "prompt.py", case["prompt"].as_str().unwrap());
    // One compute thread: the flag is accepted and changes nothing in the output.
    let (stdout, json) = generate_json(
        &tiny_model(),
        &prompt,
        &["--max-tokens", "20", "--threads", "1"],
    );
    assert_eq!(json["prompt_token_ids"], case["prompt_ids"]);
    assert_eq!(json["token_ids"], case["token_ids"]);
    assert_eq!(json["text"], case["text"]);
    assert_eq!(json["finish_reason"], "length");
    assert!(
        json["prefill_ms"].as_f64().is_some() && json["decode_ms"].as_f64().is_some(),
        "{json}"
    );
    // The completion streams before the JSON line.
    assert!(
        stdout.starts_with(case["text"].as_str().unwrap()),
        "{stdout:?}"
    );
}

#[test]
fn suffix_file_builds_the_fim_prompt() {
    let r = reference();
    let case = &r["greedy"]["fim"];
    let tmp = tempfile::tempdir().unwrap();
    let prefix = write(tmp.path(), "prefix.py", "def add(a, b):\n    ");
    let suffix = write(tmp.path(), "suffix.py", "\n\nprint(add(1, 2))");
    let (_, json) = generate_json(
        &tiny_model(),
        &prefix,
        &[
            "--suffix-file",
            suffix.to_str().unwrap(),
            "--max-tokens",
            "20",
        ],
    );
    assert_eq!(json["prompt_token_ids"], case["prompt_ids"]);
    assert_eq!(json["token_ids"], case["token_ids"]);
}

#[test]
fn stop_strings_apply_only_when_given() {
    let r = reference();
    let case = &r["greedy"]["fim"];
    let full = case["text"].as_str().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let prompt = write(tmp.path(), "prompt.txt", case["prompt"].as_str().unwrap());
    let (_, json) = generate_json(
        &tiny_model(),
        &prompt,
        &["--max-tokens", "20", "--stop", "adoles", "--stop", "zzz"],
    );
    assert_eq!(json["text"], &full[..full.find("adoles").unwrap()]);
    assert_eq!(
        (json["finish_reason"].as_str(), json["stop"].as_str()),
        (Some("stop"), Some("adoles"))
    );
    let out = run(
        &[
            "--model",
            tiny_model().to_str().unwrap(),
            "--prompt-file",
            prompt.to_str().unwrap(),
            "--max-tokens",
            "20",
        ],
        &[],
    );
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        full,
        "plain mode prints exactly the completion"
    );
}

#[test]
fn offline_hub_id_missing_from_the_cache_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let prompt = write(tmp.path(), "p.txt", "x");
    let out = run(
        &[
            "--model",
            "Qwen/Qwen3-0.6B",
            "--prompt-file",
            prompt.to_str().unwrap(),
        ],
        &[("HF_HOME", tmp.path()), ("HF_HUB_OFFLINE", Path::new("1"))],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Qwen/Qwen3-0.6B") && stderr.contains("HF_HUB_OFFLINE"),
        "{stderr}"
    );
}

/// `org/name/file.gguf` reads that file of a hub repository from the HF cache (offline here, as a
/// `huggingface_hub` download leaves it), with the repository's tokenizer: the same greedy ids as the
/// file given by path.
#[test]
fn a_gguf_file_of_a_hub_repository_loads_from_the_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("hub/models--org--tiny-GGUF");
    let snapshot = repo.join("snapshots/c0ffee");
    std::fs::create_dir_all(&snapshot).unwrap();
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    std::fs::write(repo.join("refs/main"), "c0ffee").unwrap();
    for file in [
        "qwen3-tiny-q8_0.gguf",
        "tokenizer.json",
        "tokenizer_config.json",
    ] {
        std::fs::copy(tiny_model().join(file), snapshot.join(file)).unwrap();
    }
    let prompt = write(tmp.path(), "p.txt", "def fibonacci(n):");
    let ids = |model: &str, env: &[(&str, &Path)]| {
        let args = [
            "--model",
            model,
            "--prompt-file",
            prompt.to_str().unwrap(),
            "--max-tokens",
            "6",
            "--json",
        ];
        let out = run(&args, env);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{model}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let last: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        last["token_ids"].clone()
    };
    let offline = [("HF_HOME", tmp.path()), ("HF_HUB_OFFLINE", Path::new("1"))];
    let from_hub = ids("org/tiny-GGUF/qwen3-tiny-q8_0.gguf", &offline);
    let by_path = tiny_model().join("qwen3-tiny-q8_0.gguf");
    assert_eq!(from_hub, ids(by_path.to_str().unwrap(), &[]));
    assert_eq!(from_hub.as_array().map(Vec::len), Some(6), "{from_hub}");
}

#[test]
fn bad_input_fails_with_a_message_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let prompt = write(tmp.path(), "p.txt", "x");
    let model = tiny_model();
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "--model",
                "/no/such/model",
                "--prompt-file",
                prompt.to_str().unwrap(),
            ],
            "/no/such/model",
        ),
        (
            &[
                "--model",
                model.to_str().unwrap(),
                "--prompt-file",
                "/no/such/prompt.txt",
            ],
            "/no/such/prompt.txt",
        ),
        (
            &[
                "--model",
                model.to_str().unwrap(),
                "--prompt-file",
                prompt.to_str().unwrap(),
                "--top-p",
                "3",
            ],
            "top_p",
        ),
    ];
    for (args, needle) in cases {
        let out = run(args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains(needle) && !stderr.contains("panicked"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn errors_carry_no_backtrace_even_with_rust_backtrace_set() {
    // candle attaches a backtrace to its errors when RUST_BACKTRACE is set; users need one line.
    let tmp = tempfile::tempdir().unwrap();
    for f in [
        "tokenizer.json",
        "tokenizer_config.json",
        "model.safetensors",
    ] {
        std::fs::copy(tiny_model().join(f), tmp.path().join(f)).unwrap();
    }
    let config = std::fs::read_to_string(tiny_model().join("config.json")).unwrap();
    std::fs::write(
        tmp.path().join("config.json"),
        config.replace("\"hidden_size\": 32", "\"hidden_size\": 64"),
    )
    .unwrap();
    let prompt = write(tmp.path(), "p.txt", "x");
    let out = run(
        &[
            "--model",
            tmp.path().to_str().unwrap(),
            "--prompt-file",
            prompt.to_str().unwrap(),
        ],
        &[("RUST_BACKTRACE", Path::new("1"))],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("weights do not match config.json"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

/// `--model http://host:port/v1#name` takes the remote backend, as it does for `serve` and `evals run`:
/// the prompt (made FIM with the served model's special tokens) goes to the server, its stream comes
/// back on stdout.
#[test]
fn an_http_model_generates_through_the_remote_backend() {
    use crate::remote::{Act, OK_STREAM, scripted};

    let tmp = tempfile::tempdir().unwrap();
    let prefix = write(tmp.path(), "prefix.py", "def add(a, b):\n    ");
    let suffix = write(tmp.path(), "suffix.py", "\n\nprint(add(1, 2))");
    let (base, requests) = scripted(vec![Act::Send(OK_STREAM), Act::Send(OK_STREAM)]);
    let model = format!("{base}#served-model");
    let (stdout, json) = generate_json(
        Path::new(&model),
        &prefix,
        &[
            "--suffix-file",
            suffix.to_str().unwrap(),
            "--max-tokens",
            "4",
        ],
    );
    assert!(stdout.starts_with("hello\n"), "{stdout:?}");
    assert_eq!(
        (json["text"].as_str(), json["finish_reason"].as_str()),
        (Some("hello"), Some("length")),
        "{json}"
    );
    let out = run(
        &["--model", &model, "--prompt-file", prefix.to_str().unwrap()],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "hello",
        "plain mode prints exactly the completion"
    );

    let sent = requests.lock().unwrap().clone();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[0].starts_with("POST /v1/completions "), "{}", sent[0]);
    let body: Value = serde_json::from_str(sent[0].split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(body["model"], "served-model");
    assert_eq!(body["max_tokens"], 4);
    assert_eq!(
        body["prompt"],
        "<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))<|fim_middle|>"
    );
    let body: Value = serde_json::from_str(sent[1].split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(body["prompt"], "def add(a, b):\n    ");
}
