//! Importer for LiveCodeBench's `code_generation_lite` JSONL (the release files its own tools download).
//! LeetCode tasks (functional tests, `starter_code`, `metadata.func_name`) become method-form problems;
//! AtCoder/Codeforces tasks (stdin tests) become stdin/stdout problems. Public and private tests are both used.
//!
//! `private_test_cases` is either a JSON string or, in later releases, base64 of zlib of a pickled JSON
//! string (LiveCodeBench's `CodeGenerationProblem.__post_init__` tries them in that order; so do we).

use std::io::Read;
use std::path::Path;

use base64::Engine as _;
use serde::Deserialize;

use super::docstring;
use crate::problem::{Difficulty, IoTest, Problem};
use crate::{Error, Result};

#[derive(Debug, Deserialize)]
struct Record {
    question_title: String,
    question_content: String,
    platform: String,
    question_id: String,
    #[serde(default)]
    starter_code: String,
    difficulty: String,
    public_test_cases: String,
    #[serde(default)]
    private_test_cases: String,
    #[serde(default)]
    metadata: String,
}

#[derive(Debug, Deserialize)]
struct TestCase {
    input: String,
    output: String,
    testtype: String,
}

#[derive(Debug, Default, Deserialize)]
struct Metadata {
    func_name: Option<String>,
}

/// Converts a `code_generation_lite` file (`.jsonl` or `.jsonl.gz`). A line that cannot be converted is an
/// error naming the file and line.
pub fn import_file(path: &Path) -> Result<Vec<Problem>> {
    let text = crate::problem::read_text(path)?;
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let malformed = |message: String| Error::Malformed {
            path: path.to_owned(),
            line: index + 1,
            message,
        };
        let record: Record = serde_json::from_str(line).map_err(|e| malformed(e.to_string()))?;
        problems.push(convert(&record).map_err(malformed)?);
    }
    Ok(problems)
}

fn decode_tests(field: &str) -> std::result::Result<Vec<TestCase>, String> {
    if field.trim().is_empty() {
        return Ok(Vec::new());
    }
    if let Ok(tests) = serde_json::from_str(field) {
        return Ok(tests);
    }
    let compressed = base64::engine::general_purpose::STANDARD
        .decode(field.trim())
        .map_err(|e| format!("private_test_cases is neither JSON nor base64: {e}"))?;
    let mut pickled = Vec::new();
    flate2::read::ZlibDecoder::new(&compressed[..])
        .read_to_end(&mut pickled)
        .map_err(|e| format!("private_test_cases: zlib: {e}"))?;
    let json: String = serde_pickle::from_slice(&pickled, serde_pickle::DeOptions::new())
        .map_err(|e| format!("private_test_cases: pickle: {e}"))?;
    serde_json::from_str(&json).map_err(|e| format!("private_test_cases: {e}"))
}

fn convert(r: &Record) -> std::result::Result<Problem, String> {
    let difficulty = match r.difficulty.to_ascii_lowercase().as_str() {
        "easy" => Difficulty::Easy,
        "medium" => Difficulty::Medium,
        "hard" => Difficulty::Hard,
        other => return Err(format!("unknown difficulty `{other}`")),
    };
    let mut tests =
        decode_tests(&r.public_test_cases).map_err(|e| format!("public_test_cases: {e}"))?;
    tests.extend(decode_tests(&r.private_test_cases)?);
    if tests.is_empty() {
        return Err("no test cases".into());
    }
    let statement = format!(
        "{}\n\n{}",
        r.question_title.trim(),
        r.question_content.trim()
    );
    let task_id = format!("livecodebench/{}/{}", r.platform, r.question_id);
    let functional = tests.iter().all(|t| t.testtype == "functional");
    let mut problem = Problem {
        task_id,
        prompt: String::new(),
        entry_point: None,
        test: None,
        canonical_solution: None,
        difficulty,
        language: "python".into(),
        time_limit_s: None,
        tests: Vec::new(),
    };
    if functional {
        let metadata: Metadata = serde_json::from_str(&r.metadata).unwrap_or_default();
        let func_name = metadata
            .func_name
            .ok_or("functional tests but no metadata.func_name")?;
        problem.prompt = method_prompt(&r.starter_code, &statement);
        let cases: Vec<(String, String)> = tests.into_iter().map(|t| (t.input, t.output)).collect();
        let cases =
            serde_json::to_string(&serde_json::to_string(&cases).map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        // Inputs are one JSON value per line, one line per argument; LiveCodeBench compares results with
        // `==` after turning tuples into lists.
        problem.test = Some(format!(
            "import json\n\n\ndef check(candidate):\n    for inputs, output in json.loads({cases}):\n        \
             args = [json.loads(line) for line in inputs.split(\"\\n\")]\n        \
             result = candidate(*args)\n        if isinstance(result, tuple):\n            result = list(result)\n        \
             assert result == json.loads(output), (inputs, result)\n"
        ));
        problem.entry_point = Some(format!("Solution().{func_name}"));
    } else if tests.iter().all(|t| t.testtype == "stdin") {
        problem.prompt = docstring(&statement, 0);
        problem.tests = tests
            .into_iter()
            .map(|t| IoTest {
                input: t.input,
                output: t.output,
            })
            .collect();
    } else {
        return Err("mixed functional and stdin tests".into());
    }
    problem.validate()?;
    Ok(problem)
}

/// LiveCodeBench's starter code (`class Solution:` + one method, body empty) with the statement as the
/// method's docstring, so a base model continues with the body.
fn method_prompt(starter_code: &str, statement: &str) -> String {
    let code = starter_code.trim_end();
    let def_indent = code
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("def "))
        .map(|l| l.len() - l.trim_start().len());
    match def_indent {
        Some(indent) => format!(
            "from typing import *\n\n{code}\n{}",
            docstring(statement, indent + 4)
        ),
        None => format!(
            "from typing import *\n\n{}{code}\n",
            docstring(statement, 0)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_tests_decode_from_base64_zlib_pickle() {
        use std::io::Write;
        // Python: base64.b64encode(zlib.compress(pickle.dumps(json.dumps([...]))))
        let json = r#"[{"input": "1\n", "output": "2\n", "testtype": "stdin"}]"#;
        let pickled = serde_pickle::to_vec(&json, serde_pickle::SerOptions::new()).unwrap();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&pickled).unwrap();
        let encoded = base64::engine::general_purpose::STANDARD.encode(z.finish().unwrap());
        let tests = decode_tests(&encoded).unwrap();
        assert_eq!(
            (tests[0].input.as_str(), tests[0].output.as_str()),
            ("1\n", "2\n")
        );
        assert_eq!(decode_tests(json).unwrap().len(), 1);
        assert!(decode_tests("%%%").is_err());
    }

    #[test]
    fn leetcode_records_become_method_form() {
        let record = Record {
            question_title: "Sum".into(),
            question_content: "Return the \"\"\"sum\"\"\".".into(),
            platform: "leetcode".into(),
            question_id: "1".into(),
            starter_code: "class Solution:\n    def total(self, nums: List[int]) -> int:\n        "
                .into(),
            difficulty: "easy".into(),
            public_test_cases: r#"[{"input": "[1, 2]", "output": "3", "testtype": "functional"}]"#
                .into(),
            private_test_cases: String::new(),
            metadata: r#"{"func_name": "total"}"#.into(),
        };
        let p = convert(&record).unwrap();
        assert_eq!(p.entry_point.as_deref(), Some("Solution().total"));
        assert!(
            p.prompt
                .contains("def total(self, nums: List[int]) -> int:\n        \"\"\"\n        Sum"),
            "{}",
            p.prompt
        );
        assert_eq!(p.difficulty, Difficulty::Easy);
    }
}
