//! `evals run` end to end with the tiny random-weight checkpoints in `tests/models/` (their samples fail,
//! which is fine: the pipeline is what is tested): every output file, and a killed run that resumes
//! without losing or repeating a sample.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn model(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("tests")
        .join("models")
        .join(name)
}

/// Three small functional problems (HumanEval's format), so scoring takes seconds.
fn dataset(dir: &Path) -> PathBuf {
    let path = dir.join("small.jsonl");
    let problems = [
        (
            "small/add",
            "def add(a: int, b: int) -> int:\n    \"\"\"Return a + b.\"\"\"\n",
            "add",
            "def check(candidate):\n    assert candidate(2, 3) == 5\n",
            "easy",
        ),
        (
            "small/rev",
            "def rev(s: str) -> str:\n    \"\"\"Return s reversed.\"\"\"\n",
            "rev",
            "def check(candidate):\n    assert candidate('ab') == 'ba'\n",
            "medium",
        ),
        (
            "small/sq",
            "def sq(x: int) -> int:\n    \"\"\"Return x squared.\"\"\"\n",
            "sq",
            "def check(candidate):\n    assert candidate(3) == 9\n",
            "hard",
        ),
    ];
    let text: String = problems
        .iter()
        .map(|(id, prompt, entry, test, difficulty)| {
            serde_json::json!({"task_id": id, "prompt": prompt, "entry_point": entry, "test": test, "difficulty": difficulty}).to_string() + "\n"
        })
        .collect();
    std::fs::write(&path, text).expect("write dataset");
    path
}

fn run(model: &Path, dataset: &Path, out: &Path, n: usize) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evals"))
        .args([
            "run",
            "--temperature",
            "0.8",
            "--max-tokens",
            "12",
            "--k",
            "1,2",
            "--no-calibrate",
            "--n",
        ])
        .arg(n.to_string())
        .arg("--model")
        .arg(model)
        .arg("--dataset")
        .arg(dataset)
        .arg("--out")
        .arg(out)
        .output()
        .expect("evals runs")
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("read")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_killed_run_resumes_without_losing_or_repeating_samples() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dataset = dataset(dir.path());
    let out = dir.path().join("run");
    let qwen2 = model("qwen2-tiny");

    let first = run(&qwen2, &dataset, &out, 3);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let samples = lines(&out.join("samples.jsonl"));
    assert_eq!(samples.len(), 9);
    assert_eq!(lines(&out.join("results.jsonl")).len(), 9);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary"))
            .expect("JSON");
    assert_eq!(summary["samples"], 9);
    assert!(summary["pass_at_k"]["2"].is_number(), "{summary}");
    assert!(
        summary["by_difficulty"]["hard"]["1"].is_number(),
        "{summary}"
    );
    assert_eq!(
        summary["settings"]["style"], "completion",
        "qwen2-tiny has no chat template"
    );
    assert!(
        std::fs::read_to_string(out.join("report.md"))
            .expect("report")
            .contains("| **all** | 3 |")
    );
    assert!(
        std::fs::read_to_string(out.join("chart.svg"))
            .expect("chart")
            .starts_with("<svg")
    );

    // A kill in the middle of writing line 5: four whole lines and half of the fifth survive.
    let samples_path = out.join("samples.jsonl");
    let cut = samples[..4].iter().map(|l| l.len() + 1).sum::<usize>() + samples[4].len() / 2;
    let bytes = std::fs::read(&samples_path).expect("read");
    std::fs::write(&samples_path, &bytes[..cut]).expect("truncate");

    let second = run(&qwen2, &dataset, &out, 3);
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let resumed = lines(&samples_path);
    assert_eq!(resumed.len(), 9, "no sample lost or repeated");
    assert_eq!(
        resumed[..4],
        samples[..4],
        "samples already written are kept as they were"
    );
    let keys: HashSet<(String, u64)> = resumed
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("whole JSON lines");
            (
                v["task_id"].as_str().expect("task_id").to_owned(),
                v["index"].as_u64().expect("index"),
            )
        })
        .collect();
    assert_eq!(keys.len(), 9, "each (task, index) once");
    // Each sample is seeded by (task, index), so the regenerated ones are the ones the first run drew (all
    // but their timing).
    let without_timing = |lines: &[String]| -> Vec<Value> {
        lines
            .iter()
            .map(|l| {
                let mut v: Value = serde_json::from_str(l).expect("JSON");
                v["generate_ms"] = Value::Null;
                v
            })
            .collect()
    };
    assert_eq!(without_timing(&resumed), without_timing(&samples));
    let results = lines(&out.join("results.jsonl"));
    let scored: HashSet<u64> = results
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("JSON")["sample"]
                .as_u64()
                .expect("sample")
        })
        .collect();
    assert_eq!(
        (results.len(), scored.len()),
        (9, 9),
        "every sample scored once"
    );

    // A kill while scoring: the results already written are kept and only the rest are scored.
    let results_path = out.join("results.jsonl");
    let cut = results[..3].iter().map(|l| l.len() + 1).sum::<usize>() + 5;
    let bytes = std::fs::read(&results_path).expect("read");
    std::fs::write(&results_path, &bytes[..cut]).expect("truncate");
    let third = run(&qwen2, &dataset, &out, 3);
    assert!(
        third.status.success(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    let rescored = lines(&results_path);
    assert_eq!(rescored.len(), 9);
    assert_eq!(rescored[..3], results[..3]);
    assert_eq!(lines(&samples_path), resumed, "nothing regenerated");

    // The same directory with other settings is refused rather than mixed.
    let other = run(&qwen2, &dataset, &out, 4);
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("other settings"));
}

#[test]
fn chat_models_get_chat_prompts_and_code_extraction() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dataset = dataset(dir.path());
    let out = dir.path().join("run");
    let output = run(&model("qwen3-tiny"), &dataset, &out, 1);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary"))
            .expect("JSON");
    assert_eq!(
        summary["settings"]["style"], "chat",
        "qwen3-tiny ships a chat template"
    );
    for line in lines(&out.join("samples.jsonl")) {
        let sample: Value = serde_json::from_str(&line).expect("JSON");
        // Extracted code always sits on its own lines after the prompt.
        assert!(
            sample["completion"]
                .as_str()
                .is_some_and(|c| c.starts_with('\n') && c.ends_with('\n')),
            "{sample}"
        );
    }
}

#[test]
fn prompts_longer_than_the_context_fail_without_stopping_the_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("long.jsonl");
    let long_doc = vec!["word"; 3000].join(" ");
    let problems = [
        json!({"task_id": "long", "prompt": format!("def f():\n    \"\"\"{long_doc}\"\"\"\n"), "entry_point": "f", "test": "def check(c):\n    assert c() == 1\n"}),
        json!({"task_id": "short", "prompt": "def f():\n", "entry_point": "f", "test": "def check(c):\n    assert c() == 1\n"}),
    ];
    std::fs::write(
        &path,
        problems
            .iter()
            .map(|p| format!("{p}\n"))
            .collect::<String>(),
    )
    .expect("write");
    let out = dir.path().join("run");
    let output = run(&model("qwen2-tiny"), &path, &out, 1);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let samples: Vec<Value> = lines(&out.join("samples.jsonl"))
        .iter()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(samples.len(), 2);
    assert_eq!(samples[0]["completion"], "");
    assert!(
        samples[0]["finish"]
            .as_str()
            .is_some_and(|f| f.contains("prompt too long")),
        "{}",
        samples[0]
    );
    assert_eq!(lines(&out.join("results.jsonl")).len(), 2);
}
