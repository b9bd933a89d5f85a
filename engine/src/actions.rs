//! Code actions: "Fix this" on a range with diagnostics, and "Complete this function" on an unfinished
//! body. Each produces at most one [`Fix`] whose title says how it was checked.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::{Backend, CancellationToken, Document, Result, SamplingParams, TextEdit};

/// A diagnostic the editor shows on the range the action is asked for (from a linter, a compiler or a
/// failing test), in byte offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagnosticInfo {
    pub range: Range<usize>,
    pub message: String,
}

/// Settings of the code actions, as the server resolves them from the editor's configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FixOptions {
    /// Sampling of the first candidate (greedy by default). Default `max_tokens` 512: a whole function.
    pub sampling: SamplingParams,
    /// How many candidates to try when the file's tests reject one; candidates after the first are
    /// sampled (temperature 0.7, seeds `sampling.seed + i`). Default 2.
    pub candidates: usize,
    /// Run the file's doctests and asserts in the sandbox (Python). Default true.
    pub run_tests: bool,
    /// Token budget of the prompt. Default 3072.
    pub context_tokens: usize,
}

impl Default for FixOptions {
    fn default() -> Self {
        FixOptions {
            sampling: SamplingParams { max_tokens: 512, ..SamplingParams::default() },
            candidates: 2,
            run_tests: true,
            context_tokens: 3072,
        }
    }
}

/// "Fix this": the diagnostics on `range` of `document`.
#[derive(Clone, Debug)]
pub struct FixRequest<'a> {
    pub document: &'a Document,
    /// The range the editor asks actions for (its selection or the diagnostic's range), in bytes.
    pub range: Range<usize>,
    pub diagnostics: Vec<DiagnosticInfo>,
    pub options: &'a FixOptions,
}

/// "Complete this function": the unfinished function at `offset` of `document`.
#[derive(Clone, Copy, Debug)]
pub struct CompleteFunctionRequest<'a> {
    pub document: &'a Document,
    /// Any byte offset inside the function (as [`unfinished_function_at`] accepted it).
    pub offset: usize,
    pub options: &'a FixOptions,
}

/// What was verified about a [`Fix`] before it was offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixCheck {
    /// The file's doctests and asserts ran in the sandbox against the fixed code and passed.
    TestsPass,
    /// The edited file parses with no more syntax errors than before; no tests were run (none found,
    /// no sandbox, or a language the sandbox cannot run).
    SyntaxOk,
    /// Nothing could be checked (a language without a grammar).
    NotChecked,
}

impl FixCheck {
    /// The words a title carries: "tests pass", "syntax ok", "unchecked".
    pub fn label(self) -> &'static str {
        match self {
            FixCheck::TestsPass => "tests pass",
            FixCheck::SyntaxOk => "syntax ok",
            FixCheck::NotChecked => "unchecked",
        }
    }
}

/// An edit to offer, e.g. titled "Fix this (tests pass)".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub edit: TextEdit,
    pub title: String,
    pub check: FixCheck,
}

/// Runs a test program in isolation. The seam between code actions and the sandbox:
/// `sandbox::Sandbox` implements it, and the engine never needs more of the sandbox than this.
pub trait TestRunner: Send + Sync {
    fn run_blocking(
        &self,
        program: &sandbox::Program,
        limits: &sandbox::Limits,
    ) -> std::result::Result<sandbox::Outcome, sandbox::Error>;
}

/// "Fix this": asks the model for a corrected version of the code the diagnostics point into (the
/// enclosing function, else the enclosing top-level statement), keeps the first candidate that parses
/// without new syntax errors and, for Python files with doctests or top-level asserts, passes them in
/// `runner` (when given). `Ok(None)` when there are no diagnostics or no candidate survives.
pub fn fix(
    backend: &dyn Backend,
    runner: Option<&dyn TestRunner>,
    request: &FixRequest<'_>,
    cancel: &CancellationToken,
) -> Result<Option<Fix>> {
    let _ = (backend, runner, request, cancel);
    Ok(None)
}

/// The byte range of the function or method around `offset` whose body is unfinished: empty, only
/// `pass` / `...` (with an optional docstring), a `TODO` comment, or `raise NotImplementedError`
/// (Python); an empty body, a `TODO` comment, or `throw new UnsupportedOperationException(...)` (Java).
/// The server offers "Complete this function" when this is `Some`.
pub fn unfinished_function_at(document: &Document, offset: usize) -> Option<Range<usize>> {
    let _ = (document, offset);
    None
}

/// "Complete this function": has the model write the body of the unfinished function at
/// `request.offset` (signature, docstring and the rest of the file as context) and checks it like
/// [`fix`]. `Ok(None)` when there is no unfinished function there or no candidate survives.
pub fn complete_function(
    backend: &dyn Backend,
    runner: Option<&dyn TestRunner>,
    request: &CompleteFunctionRequest<'_>,
    cancel: &CancellationToken,
) -> Result<Option<Fix>> {
    let _ = (backend, runner, request, cancel);
    Ok(None)
}
