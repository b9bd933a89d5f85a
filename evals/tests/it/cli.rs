//! The `evals` binary's contracts that need no model: `exec` (issue 3's CLI), errors for bad input.

use std::process::{Command, Output};

use serde_json::Value;

fn evals(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evals"))
        .args(args)
        .output()
        .expect("evals runs")
}

fn last_json_line(output: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.lines().last().expect("output")).expect("the last line is JSON")
}

#[test]
fn exec_json_reports_the_outcome_with_stdin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let program = dir.path().join("p.py");
    let input = dir.path().join("in.txt");
    std::fs::write(
        &program,
        "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n",
    )
    .expect("write");
    std::fs::write(&input, "1 2 3\n").expect("write");
    let output = evals(&[
        "exec",
        program.to_str().expect("utf-8"),
        "--stdin",
        input.to_str().expect("utf-8"),
        "--json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let outcome = last_json_line(&output);
    assert_eq!(outcome["verdict"], "passed");
    assert_eq!(outcome["exit_code"], 0);
    assert_eq!(outcome["stdout"], "6\n");
    assert_eq!(outcome["stderr"], "");
    assert!(outcome["duration_ms"].as_f64().is_some_and(|ms| ms > 0.0));
}

#[test]
fn exec_enforces_the_timeout_and_reports_failures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let looping = dir.path().join("loop.py");
    std::fs::write(&looping, "while True:\n    pass\n").expect("write");
    let output = evals(&[
        "exec",
        looping.to_str().expect("utf-8"),
        "--timeout-ms",
        "500",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(last_json_line(&output)["verdict"], "timeout");

    let failing = dir.path().join("fail.py");
    std::fs::write(&failing, "assert 1 + 1 == 3, 'math'\n").expect("write");
    let output = evals(&["exec", failing.to_str().expect("utf-8"), "--json"]);
    let outcome = last_json_line(&output);
    assert_eq!(outcome["verdict"], "failed");
    assert!(
        outcome["stderr"]
            .as_str()
            .is_some_and(|s| s.contains("AssertionError: math")),
        "{outcome}"
    );
}

#[test]
fn malformed_dataset_line_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dataset = dir.path().join("bad.jsonl");
    let good = r#"{"task_id": "a", "prompt": "def f():\n", "entry_point": "f", "test": "def check(c):\n    pass\n"}"#;
    std::fs::write(
        &dataset,
        format!("{good}\n{{\"task_id\": \"b\", \"prompt\": 3}}\n"),
    )
    .expect("write");
    let samples = dir.path().join("s.jsonl");
    std::fs::write(
        &samples,
        "{\"task_id\": \"a\", \"completion\": \"    return 1\\n\"}\n",
    )
    .expect("write");
    let output = evals(&[
        "score",
        "--dataset",
        dataset.to_str().expect("utf-8"),
        "--samples",
        samples.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}:2: invalid type", dataset.display())),
        "{stderr}"
    );
}

#[test]
fn samples_for_unknown_tasks_are_rejected_before_anything_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dataset = dir.path().join("d.jsonl");
    let good = r#"{"task_id": "a", "prompt": "def f():\n", "entry_point": "f", "test": "def check(c):\n    pass\n"}"#;
    std::fs::write(&dataset, format!("{good}\n")).expect("write");
    let samples = dir.path().join("s.jsonl");
    std::fs::write(&samples, "{\"task_id\": \"a\", \"completion\": \"\"}\n\n{\"task_id\": \"zz\", \"completion\": \"\"}\n").expect("write");
    let output = evals(&[
        "score",
        "--dataset",
        dataset.to_str().expect("utf-8"),
        "--samples",
        samples.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(":3: task `zz` is not in dataset `d`"),
        "{stderr}"
    );
}

#[test]
fn openai_compatible_url_without_model_name_is_rejected_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("run");
    let output = evals(&[
        "run",
        "--model",
        "http://localhost:8000/v1",
        "--dataset",
        "leetcode",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("name the served model after '#'"));
    assert!(!out.exists(), "nothing is written for a rejected run");
}

/// Issue 15: limits out of range exit 2 with the field's name, never a panic (`Duration::from_secs_f64`
/// panics on 1e20); a dataset file starting with a UTF-8 byte-order mark loads.
#[test]
fn out_of_range_limits_exit_2_naming_the_field_and_a_bom_loads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let problem = r#"{"task_id": "t", "prompt": "def f():\n", "entry_point": "f", "test": "def check(c):\n    assert c() == 1\n", "canonical_solution": "    return 1\n"}"#;
    let good = dir.path().join("good.jsonl");
    std::fs::write(&good, format!("\u{feff}{problem}\n")).expect("write");
    let listed = evals(&["list", "--dataset", good.to_str().expect("utf-8")]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(String::from_utf8_lossy(&listed.stdout).contains('t'));

    let slow = dir.path().join("slow.jsonl");
    std::fs::write(
        &slow,
        problem.replace(
            r#""task_id": "t","#,
            r#""task_id": "t", "time_limit_s": 1e20,"#,
        ),
    )
    .expect("write");
    let samples = dir.path().join("s.jsonl");
    std::fs::write(
        &samples,
        "{\"task_id\": \"t\", \"completion\": \"    return 1\\n\"}\n",
    )
    .expect("write");
    let (good, slow, samples) = (
        good.to_str().expect("utf-8"),
        slow.to_str().expect("utf-8"),
        samples.to_str().expect("utf-8"),
    );
    for (args, field) in [
        (
            vec!["--dataset", slow, "--samples", samples],
            "time_limit_s",
        ),
        (
            vec!["--dataset", good, "--samples", samples, "--floor-s", "1e20"],
            "--floor-s",
        ),
        (
            vec![
                "--dataset",
                good,
                "--samples",
                samples,
                "--default-limit-s",
                "1e20",
            ],
            "--default-limit-s",
        ),
        (
            vec!["--dataset", good, "--samples", samples, "--factor", "1e300"],
            "--factor",
        ),
    ] {
        let output = evals(&[&["score"], args.as_slice()].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(field) && !stderr.contains("panicked"),
            "{args:?}: {stderr}"
        );
    }
}
