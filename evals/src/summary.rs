//! Aggregation of per-sample results: pass@k overall and per difficulty, verdict counts, broken problems.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::passk::mean_pass_at_k;
use crate::problem::Difficulty;
use crate::score::{Calibration, SampleResult, ScoreVerdict};

/// pass@k for one group of problems.
pub type PassAtK = BTreeMap<usize, f64>;

/// The `--json` summary and `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub dataset: String,
    pub samples: usize,
    /// Problems with at least one sample.
    pub problems: usize,
    /// Problems of the dataset without any sample (left out of pass@k).
    pub problems_without_samples: usize,
    pub pass_at_k: PassAtK,
    pub by_difficulty: BTreeMap<Difficulty, PassAtK>,
    /// Problems per difficulty (with samples).
    pub problems_by_difficulty: BTreeMap<Difficulty, usize>,
    /// Samples per verdict.
    pub verdicts: BTreeMap<ScoreVerdict, usize>,
    /// Problems whose canonical solution fails their own tests.
    pub broken_problems: Vec<Calibration>,
}

/// Aggregates results into pass@k, overall and per difficulty.
pub fn summarize(
    dataset: &Dataset,
    results: &[SampleResult],
    ks: &[usize],
    calibrations: &[Calibration],
) -> Summary {
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut verdicts = BTreeMap::new();
    for r in results {
        let entry = counts.entry(r.task_id.as_str()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(r.passed);
        *verdicts.entry(r.verdict).or_default() += 1;
    }
    let mut by_group: BTreeMap<Difficulty, Vec<(usize, usize)>> = BTreeMap::new();
    for problem in &dataset.problems {
        if let Some(&nc) = counts.get(problem.task_id.as_str()) {
            by_group.entry(problem.difficulty).or_default().push(nc);
        }
    }
    let all: Vec<(usize, usize)> = by_group.values().flatten().copied().collect();
    Summary {
        dataset: dataset.name.clone(),
        samples: results.len(),
        problems: all.len(),
        problems_without_samples: dataset.problems.len() - all.len(),
        pass_at_k: mean_pass_at_k(&all, ks),
        by_difficulty: by_group
            .iter()
            .map(|(d, nc)| (*d, mean_pass_at_k(nc, ks)))
            .collect(),
        problems_by_difficulty: by_group.iter().map(|(d, nc)| (*d, nc.len())).collect(),
        verdicts,
        broken_problems: calibrations
            .iter()
            .filter(|c| c.verdict != ScoreVerdict::Passed)
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::parse_problems;

    #[test]
    fn pass_at_k_is_averaged_per_difficulty_and_overall() {
        let line = |id: &str, d: &str| {
            format!(
                r#"{{"task_id": "{id}", "prompt": "", "entry_point": "f", "test": "t", "difficulty": "{d}"}}"#
            )
        };
        let text = [
            line("e1", "easy"),
            line("e2", "easy"),
            line("h1", "hard"),
            line("unsampled", "hard"),
        ]
        .join("\n");
        let problems = parse_problems(&text, std::path::Path::new("d.jsonl")).unwrap();
        let dataset = Dataset {
            name: "d".into(),
            problems,
        };
        let result = |sample: usize, task_id: &str, passed: bool| SampleResult {
            sample,
            task_id: task_id.into(),
            passed,
            verdict: if passed {
                ScoreVerdict::Passed
            } else {
                ScoreVerdict::Failed
            },
            duration_ms: 1,
            detail: None,
        };
        // e1: 1 of 2 pass, e2: 2 of 2, h1: 0 of 2.
        let results = [
            result(0, "e1", true),
            result(1, "e1", false),
            result(2, "e2", true),
            result(3, "e2", true),
            result(4, "h1", false),
            result(5, "h1", false),
        ];
        let s = summarize(&dataset, &results, &[1, 2, 5], &[]);
        assert_eq!(
            (s.samples, s.problems, s.problems_without_samples),
            (6, 3, 1)
        );
        assert_eq!(s.by_difficulty[&Difficulty::Easy][&1], 0.75);
        assert_eq!(s.by_difficulty[&Difficulty::Easy][&2], 1.0);
        assert_eq!(s.by_difficulty[&Difficulty::Hard][&1], 0.0);
        assert!((s.pass_at_k[&1] - 1.5 / 3.0).abs() < 1e-12);
        assert!((s.pass_at_k[&2] - 2.0 / 3.0).abs() < 1e-12);
        assert!(!s.pass_at_k.contains_key(&5), "no problem has 5 samples");
        assert_eq!(s.problems_by_difficulty[&Difficulty::Hard], 1);
        assert_eq!(
            (
                s.verdicts[&ScoreVerdict::Passed],
                s.verdicts[&ScoreVerdict::Failed]
            ),
            (3, 3)
        );
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["by_difficulty"]["easy"]["1"], 0.75, "{json}");
    }
}
