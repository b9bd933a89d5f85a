//! Scoring rules that need the sandbox: calibrated time limits, `time_limit_s`, and broken problems.

use std::process::Command;
use std::time::Duration;

use evals::dataset::Dataset;
use evals::problem::parse_problems;
use evals::score::{Sample, ScoreOptions, ScoreVerdict};
use serde_json::{Value, json};

use crate::support::{score_all, scorer};

/// A problem whose canonical solution sleeps `canonical_sleep` seconds; a sample sleeps what it returns.
fn sleepy(task_id: &str, canonical_sleep: f64, time_limit_s: Option<f64>) -> Value {
    let mut p = json!({
        "task_id": task_id,
        "prompt": "import time\n\n\ndef nap(seconds):\n    \"\"\"Sleep, then return 1.\"\"\"\n",
        "entry_point": "nap",
        "test": "def check(candidate):\n    assert candidate(0) == 1\n",
        "canonical_solution": format!("    time.sleep({canonical_sleep})\n    return 1\n"),
    });
    if let Some(t) = time_limit_s {
        p["time_limit_s"] = json!(t);
    }
    p
}

fn dataset(problems: &[Value]) -> Dataset {
    let text: String = problems.iter().map(|p| format!("{p}\n")).collect();
    let problems = parse_problems(&text, std::path::Path::new("t.jsonl")).expect("valid problems");
    Dataset {
        name: "t".into(),
        problems,
    }
}

fn sample(task_id: &str, sleep: f64) -> Sample {
    Sample {
        task_id: task_id.into(),
        completion: format!("    time.sleep({sleep})\n    return 1\n"),
    }
}

#[tokio::test]
async fn limits_are_calibrated_from_the_canonical_time_above_the_floor() {
    let dataset = dataset(&[sleepy("slow", 0.3, None), sleepy("fixed", 0.0, Some(0.8))]);
    let options = ScoreOptions {
        floor: Duration::from_millis(500),
        factor: 5.0,
        ..ScoreOptions::default()
    };
    let mut scorer = scorer(options);
    let calibrations = scorer
        .calibrate(&dataset.problems, |_| {})
        .await
        .expect("calibrates");
    let slow = calibrations
        .iter()
        .find(|c| c.task_id == "slow")
        .expect("calibrated");
    assert_eq!(slow.verdict, ScoreVerdict::Passed);
    assert!(
        slow.duration_ms >= 300 && slow.limit_ms >= 5 * slow.duration_ms - 1,
        "{slow:?}"
    );
    let fixed = calibrations
        .iter()
        .find(|c| c.task_id == "fixed")
        .expect("calibrated");
    assert_eq!(fixed.limit_ms, 800, "time_limit_s overrides calibration");

    let samples: Vec<(usize, Sample)> = [
        sample("slow", 1.0),
        sample("slow", 30.0),
        sample("fixed", 2.0),
    ]
    .into_iter()
    .enumerate()
    .collect();
    let results = score_all(&scorer, &dataset, &samples).await;
    let verdicts: Vec<_> = results.iter().map(|r| r.verdict).collect();
    // 1 s is over the floor but inside 5 x 0.3 s; 30 s is not; 2 s is over the problem's own 0.8 s.
    assert_eq!(
        verdicts,
        [
            ScoreVerdict::Passed,
            ScoreVerdict::Timeout,
            ScoreVerdict::Timeout
        ],
        "{results:?}"
    );
}

#[test]
fn a_problem_whose_canonical_solution_fails_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut broken = sleepy("broken", 0.0, None);
    broken["canonical_solution"] = json!("    return 2\n");
    let path = dir.path().join("d.jsonl");
    std::fs::write(
        &path,
        format!("{}\n{}\n", sleepy("fine", 0.0, None), broken),
    )
    .expect("write");
    let samples = dir.path().join("s.jsonl");
    let lines: String = ["fine", "broken"]
        .iter()
        .map(|t| json!({"task_id": t, "completion": "    return 1\n"}).to_string() + "\n")
        .collect();
    std::fs::write(&samples, lines).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_evals"))
        .args(["score", "--json", "--dataset"])
        .arg(&path)
        .arg("--samples")
        .arg(&samples)
        .output()
        .expect("evals runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("problem broken is broken: its canonical solution gives `failed`"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: Value =
        serde_json::from_str(stdout.lines().last().expect("summary")).expect("JSON");
    let broken: Vec<&str> = summary["broken_problems"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["task_id"].as_str())
        .collect();
    assert_eq!(broken, ["broken"]);
    assert_eq!(
        summary["pass_at_k"]["1"], 1.0,
        "its samples are still scored: {summary}"
    );
}
