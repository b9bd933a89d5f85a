//! The problem format (a superset of HumanEval's JSONL; see `evals/README.md`) and its loader.

use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The longest wall-clock limit a run may be given, in seconds (`time_limit_s`, `--floor-s`,
/// `--default-limit-s`, and a calibrated limit after `--factor`).
pub const MAX_LIMIT_S: f64 = 86_400.0;

/// How hard a problem is, as its dataset rates it. HumanEval has no rating: `Unrated`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
    #[default]
    Unrated,
}

impl Difficulty {
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
            Difficulty::Unrated => "unrated",
        }
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stdin/stdout test of a contest-style problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoTest {
    pub input: String,
    pub output: String,
}

/// One problem. Unknown fields in the file are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub task_id: String,
    /// What the model continues; `prompt + canonical_solution` is a complete program.
    pub prompt: String,
    /// A Python expression naming the solution (`two_sum`, `Solution().twoSum`); functional form only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
    /// Source that defines `check(candidate)`; functional form only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_solution: Option<String>,
    #[serde(default)]
    pub difficulty: Difficulty,
    #[serde(default = "default_language")]
    pub language: String,
    /// Overrides the calibrated wall-clock limit of one run, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_s: Option<f64>,
    /// Stdin/stdout tests; non-empty makes this a contest-style problem.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<IoTest>,
}

fn default_language() -> String {
    "python".to_owned()
}

/// The two ways a problem is checked, borrowed from a validated [`Problem`].
#[derive(Clone, Copy, Debug)]
pub enum Form<'a> {
    /// HumanEval's layout: `check(entry_point)` after the completion.
    Functional { entry_point: &'a str, test: &'a str },
    /// Run once per test with `input` on stdin; compare stdout to `output`.
    Stdio { tests: &'a [IoTest] },
}

impl Problem {
    /// The form this problem is checked in. Problems that come out of [`load_problems`] always have one.
    pub fn form(&self) -> Option<Form<'_>> {
        if !self.tests.is_empty() {
            return Some(Form::Stdio { tests: &self.tests });
        }
        match (&self.entry_point, &self.test) {
            (Some(entry_point), Some(test)) => Some(Form::Functional { entry_point, test }),
            _ => None,
        }
    }

    /// Checks what serde cannot: the form, the language, the limits.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.task_id.trim().is_empty() {
            return Err("`task_id` is empty".into());
        }
        if self.language != "python" {
            return Err(format!(
                "language `{}` is not supported (only `python`)",
                self.language
            ));
        }
        if self.form().is_none() {
            return Err(format!(
                "task `{}` needs `entry_point` and `test` (functional form) or a non-empty `tests` (stdin/stdout form)",
                self.task_id
            ));
        }
        if let Some(entry_point) = &self.entry_point
            && (entry_point.trim().is_empty() || entry_point.contains('\n'))
        {
            return Err(format!(
                "task `{}`: `entry_point` must be one non-empty line",
                self.task_id
            ));
        }
        if let Some(t) = self.time_limit_s
            && !(t.is_finite() && t > 0.0 && t <= MAX_LIMIT_S)
        {
            return Err(format!(
                "task `{}`: `time_limit_s` must be > 0 and <= {}, got {t}",
                self.task_id, MAX_LIMIT_S
            ));
        }
        Ok(())
    }
}

/// Reads a `.jsonl` or gzip-compressed `.jsonl.gz` file (detected from its magic bytes, not its name). A
/// leading UTF-8 byte-order mark (as Windows editors write) is dropped.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .map_err(|e| Error::io(path, e))?;
        text
    } else {
        String::from_utf8(bytes).map_err(|e| {
            Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        })?
    };
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// Loads and validates a problem file. Blank lines are skipped; line numbers in errors are 1-based.
pub fn load_problems(path: &Path) -> Result<Vec<Problem>> {
    let text = read_text(path)?;
    parse_problems(&text, path)
}

/// Parses problem JSONL already in memory; `path` names it in errors.
pub fn parse_problems(text: &str, path: &Path) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let malformed = |message: String| Error::Malformed {
            path: path.to_owned(),
            line: index + 1,
            message,
        };
        let problem: Problem = serde_json::from_str(line).map_err(|e| malformed(e.to_string()))?;
        problem.validate().map_err(malformed)?;
        if !seen.insert(problem.task_id.clone()) {
            return Err(malformed(format!(
                "duplicate task_id `{}`",
                problem.task_id
            )));
        }
        problems.push(problem);
    }
    if problems.is_empty() {
        return Err(Error::Malformed {
            path: path.to_owned(),
            line: 0,
            message: "no problems in file".into(),
        });
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Problem>> {
        parse_problems(text, Path::new("t.jsonl"))
    }

    #[test]
    fn human_eval_lines_load_as_functional_unrated_python() {
        let line = r#"{"task_id": "HumanEval/0", "prompt": "def f(x):\n", "canonical_solution": "    return x\n", "test": "def check(candidate):\n    assert candidate(1) == 1\n", "entry_point": "f"}"#;
        let problems = parse(line).unwrap();
        assert_eq!(problems[0].difficulty, Difficulty::Unrated);
        assert_eq!(problems[0].language, "python");
        assert!(matches!(
            problems[0].form(),
            Some(Form::Functional {
                entry_point: "f",
                ..
            })
        ));
    }

    #[test]
    fn malformed_line_names_file_and_line() {
        let text = "{\"task_id\": \"a\", \"prompt\": \"\", \"tests\": [{\"input\": \"\", \"output\": \"1\"}]}\n\n{not json\n";
        let err = parse(text).unwrap_err().to_string();
        assert!(err.starts_with("t.jsonl:3: "), "{err}");
    }

    #[test]
    fn rejects_missing_form_bad_language_and_duplicates() {
        let no_form = r#"{"task_id": "a", "prompt": "x", "entry_point": "f"}"#;
        assert!(
            parse(no_form)
                .unwrap_err()
                .to_string()
                .contains("needs `entry_point` and `test`")
        );
        let java = r#"{"task_id": "a", "prompt": "x", "entry_point": "f", "test": "t", "language": "java"}"#;
        assert!(
            parse(java)
                .unwrap_err()
                .to_string()
                .contains("not supported")
        );
        let bad_difficulty = r#"{"task_id": "a", "prompt": "x", "entry_point": "f", "test": "t", "difficulty": "brutal"}"#;
        assert!(
            parse(bad_difficulty)
                .unwrap_err()
                .to_string()
                .starts_with("t.jsonl:1: unknown variant")
        );
        let dup = format!(
            "{no}\n{no}",
            no = r#"{"task_id": "a", "prompt": "x", "entry_point": "f", "test": "t"}"#
        );
        assert!(
            parse(&dup)
                .unwrap_err()
                .to_string()
                .starts_with("t.jsonl:2: duplicate")
        );
    }

    #[test]
    fn gzip_and_plain_files_load_alike() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let line = r#"{"task_id": "a", "prompt": "x", "entry_point": "f", "test": "t", "difficulty": "hard"}"#;
        let plain = dir.path().join("p.jsonl");
        std::fs::write(&plain, line).unwrap();
        let gz = dir.path().join("p.jsonl.gz");
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::fast(),
        );
        enc.write_all(line.as_bytes()).unwrap();
        enc.finish().unwrap();
        assert_eq!(load_problems(&plain).unwrap(), load_problems(&gz).unwrap());
        assert_eq!(load_problems(&gz).unwrap()[0].difficulty, Difficulty::Hard);
    }
}
