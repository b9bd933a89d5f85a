//! The server's own diagnostics, where it can check something: Python syntax errors from the engine's
//! tree-sitter tree (on open and, debounced, on change), and the file's failing doctests, asserts and
//! `test_*` functions, run in the sandbox after a save (debounced). "Fix this" is then offered on them and
//! checks its candidates against the same tests (`engine::actions::fix`).
//!
//! This module holds their settings, their per-document state and the analysis (where a syntax error
//! or a failed test is in the document); `checks` runs them and publishes.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use engine::Document;
use engine::actions::{TestReport, TestVerdict};
use serde::Deserialize;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, NumberOrString};

use crate::convert::{self, PositionEncoding};

/// The `source` of every diagnostic the server publishes.
pub const SOURCE: &str = "qwen-lsp";
/// The `diagnostics` settings.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DiagnosticsOptions {
    /// Publish the syntax errors of Python files. Default true.
    pub syntax: bool,
    /// Run a Python file's doctests, asserts and `test_*` functions in the sandbox after each save and
    /// publish the failures. Default true.
    pub run_tests: bool,
}

impl Default for DiagnosticsOptions {
    fn default() -> Self {
        DiagnosticsOptions {
            syntax: true,
            run_tests: true,
        }
    }
}

/// What triggered a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Open,
    Change,
    Save,
}

/// Per-document state: the generation of the latest check, and the test failures of the last run (kept
/// across edits while the lines they point at are unchanged).
#[derive(Default)]
pub struct Diagnostics {
    next: AtomicU64,
    documents: Mutex<HashMap<String, Entry>>,
}

#[derive(Default)]
pub(crate) struct Entry {
    pub(crate) generation: u64,
    /// Test failures of the last run, each with the text of the line it starts on.
    pub(crate) tests: Vec<(String, Failure)>,
}

/// A failing test, located in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Byte range in the document.
    pub range: Range<usize>,
    pub message: String,
    /// Where the failing check is, when the failure is reported on the code it calls (an assert calling
    /// a function of the file): the assert's byte range.
    pub check: Option<Range<usize>>,
}

impl Diagnostics {
    pub(crate) fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.documents.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn begin(&self, uri: &str) -> u64 {
        let generation = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        self.lock().entry(uri.to_owned()).or_default().generation = generation;
        generation
    }

    pub(crate) fn is_current(&self, uri: &str, generation: u64) -> bool {
        self.lock()
            .get(uri)
            .is_some_and(|e| e.generation == generation)
    }
}

pub(crate) fn diagnostic(
    text: &str,
    range: Range<usize>,
    message: String,
    code: &str,
    encoding: PositionEncoding,
) -> Diagnostic {
    Diagnostic {
        range: convert::range(text, range, encoding),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(code.to_owned())),
        source: Some(SOURCE.to_owned()),
        message,
        ..Diagnostic::default()
    }
}

/// The syntax errors of `document`, each narrowed to the line it starts on (an ERROR node can span a
/// whole function).
pub fn syntax_errors(document: &Document) -> Vec<(Range<usize>, String)> {
    let Some(tree) = document.tree() else {
        return Vec::new();
    };
    let text = document.text();
    engine::syntax::errors(tree)
        .into_iter()
        .map(|range| {
            if range.is_empty() {
                (range, "syntax error: something is missing here".to_owned())
            } else {
                let end = range.end.min(line_end(text, range.start)).max(range.start);
                let end = if end == range.start { range.end } else { end };
                (range.start..end, "syntax error".to_owned())
            }
        })
        .collect()
}

/// The failures a report gives, located in `document`: each failed case at its line (a doctest at its
/// failed example), and a run that stopped without a failed case (a timeout, a limit, an error outside
/// any test) at the file's first line of code.
pub fn failures(document: &Document, report: &TestReport) -> Vec<Failure> {
    let text = document.text();
    if report.verdict == TestVerdict::Passed {
        return Vec::new();
    }
    let mut found = Vec::new();
    for case in report.cases.iter().filter(|case| !case.passed) {
        let doctests = doctest_failures(text, text, &case.message);
        if !doctests.is_empty() {
            found.extend(doctests);
            continue;
        }
        let Some(at) = case.line.and_then(|n| line_offset(text, n)) else {
            continue;
        };
        found.push(case_failure(document, at, &case.message));
    }
    if found.is_empty() {
        let why = report
            .detail
            .clone()
            .unwrap_or_else(|| format!("{:?}", report.verdict).to_lowercase());
        let start = first_code_offset(text);
        found.push(Failure {
            range: start..line_end(text, start),
            message: format!("the file's tests did not pass: {why}"),
            check: None,
        });
    }
    found
}

/// The doctest report's "Failed example" blocks, each located at its `>>>` line.
fn doctest_failures(text: &str, program: &str, stdout: &str) -> Vec<Failure> {
    let mut found = Vec::new();
    for block in
        stdout.split("\n**********************************************************************")
    {
        let lines: Vec<&str> = block.lines().collect();
        let Some(at) = lines.iter().position(|l| l.trim_end() == "Failed example:") else {
            continue;
        };
        let Some(example) = lines.get(at + 1).map(|l| l.trim()) else {
            continue;
        };
        let program_line = lines
            .iter()
            .find_map(|l| {
                l.trim_start()
                    .strip_prefix("File \"")
                    .and_then(|rest| rest.split_once("line "))
            })
            .and_then(|(_, n)| {
                n.split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse::<usize>()
                    .ok()
            });
        let section = |name: &str| -> Option<String> {
            let start = lines.iter().position(|l| l.trim_end() == name)? + 1;
            let body: Vec<&str> = lines[start..]
                .iter()
                .take_while(|l| l.starts_with("    ") || l.is_empty())
                .map(|l| l.strip_prefix("    ").unwrap_or(l))
                .collect();
            Some(body.join("\n").trim().to_owned())
        };
        let message = if let Some(raised) = section("Exception raised:") {
            let last = raised
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim();
            format!("doctest `{example}` raised {last}")
        } else {
            let expected = section("Expected:").unwrap_or_default();
            let got = section("Got:")
                .or_else(|| section("Got nothing").map(|_| String::new()))
                .unwrap_or_default();
            format!("doctest `{example}`: expected {expected}, got {got}")
        };
        let wanted = format!(">>> {example}");
        let located = program_line
            .and_then(|n| {
                map_line(text, program, n).filter(|&at| line_text(text, at).trim() == wanted)
            })
            .or_else(|| line_starts(text).find(|&at| line_text(text, at).trim() == wanted));
        if let Some(at) = located {
            let start = at + indent(line_text(text, at));
            found.push(Failure {
                range: start..line_end(text, at),
                message,
                check: None,
            });
        }
    }
    found
}

/// A failed case at the line starting at `at`. An assert that calls a function of the file is reported
/// on that function (where "Fix this" rewrites it), with the assert as related information.
fn case_failure(document: &Document, at: usize, why: &str) -> Failure {
    let text = document.text();
    let line = line_text(text, at);
    let here = at + indent(line)..line_end(text, at);
    let statement = line.trim();
    let why = why
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if let Some(condition) = statement.strip_prefix("assert ") {
        let message = if why.is_empty() || why == "assertion failed" || why == "AssertionError" {
            format!("`{statement}` fails")
        } else {
            format!("`{statement}` fails: {why}")
        };
        let outline = document.outline();
        let tested = outline.definitions.iter().find(|d| {
            d.kind.is_callable()
                && !d.name.starts_with("test_")
                && !d.range.contains(&at)
                && condition.contains(&format!("{}(", d.name))
        });
        if let Some(def) = tested {
            let name = text[def.range.clone()]
                .find(&format!("def {}", def.name))
                .map(|i| def.range.start + i + 4);
            let range = name.map_or(def.range.start..line_end(text, def.range.start), |s| {
                s..s + def.name.len()
            });
            return Failure {
                range,
                message,
                check: Some(here),
            };
        }
        return Failure {
            range: here,
            message,
            check: None,
        };
    }
    let message = if why.is_empty() {
        format!("`{statement}` fails")
    } else {
        why.to_owned()
    };
    Failure {
        range: here,
        message,
        check: None,
    }
}

/// The offset of the 1-based line `n` of `text`.
fn line_offset(text: &str, n: u32) -> Option<usize> {
    line_starts(text).nth(usize::try_from(n).ok()?.checked_sub(1)?)
}

/// The document offset of the program's 1-based line `n`: the same line text, at the same occurrence
/// among equal lines (the program keeps the document's lines in order, leaving some out).
fn map_line(text: &str, program: &str, n: usize) -> Option<usize> {
    let lines: Vec<&str> = program.split('\n').collect();
    let wanted = *lines.get(n.checked_sub(1)?)?;
    if wanted.trim().is_empty() {
        return None;
    }
    let occurrence = lines[..n - 1].iter().filter(|l| **l == wanted).count();
    line_starts(text)
        .filter(|&at| line_text(text, at) == wanted)
        .nth(occurrence)
}

fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(move |&i| i <= text.len())
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The text of the line `at` is on, without its line break.
pub(crate) fn line_text(text: &str, at: usize) -> &str {
    let start = line_start(text, at);
    text[start..line_end(text, start)].trim_end_matches('\r')
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn first_code_offset(text: &str) -> usize {
    line_starts(text)
        .find(|&at| !line_text(text, at).trim().is_empty())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::Language;
    use engine::actions::TestCase;

    fn python(text: &str) -> Document {
        Document::new("file:///t.py", Language::Python, text)
    }

    fn case(name: &str, message: &str, line: Option<u32>) -> TestCase {
        TestCase {
            name: name.to_owned(),
            passed: false,
            message: message.to_owned(),
            line,
        }
    }

    fn report(verdict: TestVerdict, cases: Vec<TestCase>, detail: Option<&str>) -> TestReport {
        TestReport {
            verdict,
            cases,
            detail: detail.map(str::to_owned),
        }
    }

    #[test]
    fn syntax_errors_are_narrowed_to_their_first_line() {
        let doc = python("def f(x):\n    return (x +\n\ndef g():\n    pass\n");
        let errors = syntax_errors(&doc);
        assert!(!errors.is_empty());
        for (range, _) in &errors {
            assert!(!doc.text()[range.clone()].contains('\n'), "{range:?}");
        }
        assert!(syntax_errors(&python("def f(x):\n    return x\n")).is_empty());
    }

    #[test]
    fn a_program_line_maps_to_the_same_occurrence_of_its_text() {
        let text = "x = 1\nimport os\nprint(x)\nx = 1\nassert x == 2\n";
        // The program leaves `print(x)` out; its line 3 is the second `x = 1`.
        let program = "x = 1\nimport os\nx = 1\nassert x == 2\n";
        assert_eq!(map_line(text, program, 3), text.rfind("x = 1"));
        assert_eq!(map_line(text, program, 4), text.find("assert"));
        assert_eq!(map_line(text, program, 99), None);
        assert_eq!(map_line(text, program, 0), None);
    }

    #[test]
    fn a_failed_doctest_is_reported_on_its_example() {
        let text =
            "def add(a, b):\n    \"\"\"\n    >>> add(1, 2)\n    3\n    \"\"\"\n    return a - b\n";
        let doc = python(text);
        let message = "**********************************************************************\nFile \"file.py\", line 3, in add\nFailed example:\n    add(1, 2)\nExpected:\n    3\nGot:\n    -1\n";
        let found = failures(
            &doc,
            &report(
                TestVerdict::Failed,
                vec![case("add", message, Some(1))],
                None,
            ),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&text[found[0].range.clone()], ">>> add(1, 2)");
        assert_eq!(found[0].message, "doctest `add(1, 2)`: expected 3, got -1");
    }

    #[test]
    fn an_assert_on_a_function_of_the_file_is_reported_on_the_function() {
        let text = "def add(a, b):\n    return a - b\n\nprint('hi')\nassert add(1, 2) == 3\n";
        let cases = vec![case("assert (line 5)", "assertion failed", Some(5))];
        let found = failures(&python(text), &report(TestVerdict::Failed, cases, None));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&text[found[0].range.clone()], "add");
        assert_eq!(found[0].message, "`assert add(1, 2) == 3` fails");
        assert_eq!(
            &text[found[0].check.clone().expect("the assert's range")],
            "assert add(1, 2) == 3"
        );
    }

    #[test]
    fn a_failed_test_function_is_reported_on_its_line_with_its_error() {
        let text =
            "def div(a, b):\n    return a / b\n\ndef test_div():\n    assert div(1, 0) == 0\n";
        let cases = vec![case(
            "test_div",
            "ZeroDivisionError: division by zero",
            Some(4),
        )];
        let found = failures(&python(text), &report(TestVerdict::Failed, cases, None));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&text[found[0].range.clone()], "def test_div():");
        assert_eq!(found[0].message, "ZeroDivisionError: division by zero");
    }

    #[test]
    fn a_passing_run_reports_nothing_and_a_timeout_says_so() {
        let doc = python("\n\nx = 1\n");
        assert!(failures(&doc, &report(TestVerdict::Passed, Vec::new(), None)).is_empty());
        let found = failures(
            &doc,
            &report(
                TestVerdict::Timeout,
                Vec::new(),
                Some("wall-clock limit of 10 s"),
            ),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(&doc.text()[found[0].range.clone()], "x = 1");
        assert!(
            found[0].message.contains("wall-clock limit"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn hostile_reports_locate_nothing_out_of_range_and_do_not_panic() {
        let text = "def f():\n    pass\n";
        let doc = python(text);
        for (message, line) in [
            ("Failed example:", None),
            ("Failed example:\n    nowhere()\nExpected:\n", Some(1)),
            ("E", Some(u32::MAX)),
            ("E", Some(0)),
            ("\u{1F600}Failed example:\n    \u{1F600}\n", Some(2)),
        ] {
            let found = failures(
                &doc,
                &report(TestVerdict::Error, vec![case("x", message, line)], None),
            );
            assert!(!found.is_empty());
            for f in &found {
                assert!(f.range.end <= text.len());
            }
        }
    }
}
