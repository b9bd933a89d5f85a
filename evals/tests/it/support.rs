//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use evals::dataset::Dataset;
use evals::score::{Sample, SampleResult, ScoreOptions, Scorer};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

pub fn scorer(options: ScoreOptions) -> Scorer {
    let sandbox = sandbox::Sandbox::new(&sandbox::Config::default())
        .expect("the Python runtime is installed by scripts/setup-deps.sh");
    Scorer::new(sandbox, options)
}

/// `(line, sample)` pairs, one per problem, with the completion `make` builds from it.
pub fn samples_for(
    dataset: &Dataset,
    make: impl Fn(&evals::problem::Problem) -> String,
) -> Vec<(usize, Sample)> {
    dataset
        .problems
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                i,
                Sample {
                    task_id: p.task_id.clone(),
                    completion: make(p),
                },
            )
        })
        .collect()
}

/// A body that does nothing, indented like the prompt's last line (the docstring's closing quotes).
pub fn empty_body(prompt: &str) -> String {
    let last = prompt
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    format!("{}pass\n", &last[..last.len() - last.trim_start().len()])
}

/// Scores and returns the results in sample order.
pub async fn score_all(
    scorer: &Scorer,
    dataset: &Dataset,
    samples: &[(usize, Sample)],
) -> Vec<SampleResult> {
    let mut results = Vec::new();
    scorer
        .score(dataset, samples, |r| {
            results.push(r);
            Ok(())
        })
        .await
        .expect("scoring runs");
    results.sort_by_key(|r| r.sample);
    results
}
