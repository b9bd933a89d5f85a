//! Code actions: "Fix this" on a range with diagnostics, and "Complete this function" on an unfinished
//! body. Each produces at most one [`Fix`] whose title says how it was checked.

use std::ops::Range;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::context::{self, EditorContext};
use crate::cursor::Lines;
use crate::postprocess;
use crate::prompt::{self, CompletionPrompt, Problem};
use crate::syntax::{self, Definition, DefinitionKind};
use crate::text::{line_end, line_ending, line_start};
use crate::{
    Backend, CancellationToken, Document, Error, Language, ModelInfo, Prompt, Result,
    SamplingParams, TextEdit,
};

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
            sampling: SamplingParams {
                max_tokens: 512,
                ..SamplingParams::default()
            },
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

/// Tests to run apart from the code they test: `tests` in one interpreter, `code` in another, and
/// each name of `calls` bound in the tests to a function that calls the code's function of that
/// name, arguments and results crossing as plain data (None, bool, int, float, str, bytes, list,
/// tuple, dict, set). Built by [`candidate_tests`] and [`file_tests`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestJob {
    /// The code under test: a Python module.
    pub code: String,
    /// The tests: a Python program whose exit status is the verdict. It may report cases with
    /// `__qwen_lsp_report(name, passed, message, line)`.
    pub tests: String,
    /// Names the tests call across. Empty: nothing is untrusted and `code` is not started.
    pub calls: Vec<String>,
    /// Wall-clock limit of the whole job.
    pub timeout: Duration,
}

/// How a [`TestJob`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestVerdict {
    /// Every test ran and passed.
    Passed,
    /// A test failed (an assert, a doctest, a `test_*` function).
    Failed,
    /// The tests or the code raised, or answered something that is not plain data.
    Error,
    Timeout,
    /// Memory or output over the sandbox's caps.
    LimitExceeded,
    /// The code under test exited instead of answering a call.
    CodeExited,
    /// The tests pass values that cannot cross (objects): they cannot be run apart.
    Unsupported,
}

/// One test of a [`TestReport`]: an assert, a doctest, a `test_*` function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestCase {
    /// `assert (line 12)`, `square` (a doctest), `test_parse`.
    pub name: String,
    pub passed: bool,
    /// Why it failed (a doctest's report, an assertion's message); empty when it passed.
    pub message: String,
    /// The 1-based line of the file it belongs to, when known.
    pub line: Option<u32>,
}

/// The result of a [`TestJob`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestReport {
    pub verdict: TestVerdict,
    /// The tests that ran, in order (a test that stopped the run early is the last).
    pub cases: Vec<TestCase>,
    /// One line on why it did not pass.
    pub detail: Option<String>,
}

/// Runs a [`TestJob`] in isolation: the seam between the code actions and the sandbox. The engine
/// does not know the sandbox; whoever holds both (the server, a test) implements this over it.
pub trait TestRunner: Send + Sync {
    /// `Err` when the runner itself failed (not the code or its tests).
    fn run_tests(&self, job: &TestJob) -> std::result::Result<TestReport, String>;
}

/// Wall-clock limit of one test run of a candidate fix. CPython's start-up in the sandbox takes
/// ~0.1 s and doctest's imports ~0.3 s more; the rest is the file's own tests.
const TEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Temperature of the candidates after the first (greedy) one.
const RETRY_TEMPERATURE: f64 = 0.7;

/// "Fix this": asks the model for a corrected version of the code the diagnostics point into (the
/// enclosing function, else the lines of the diagnostics), keeps the first candidate that parses
/// without new syntax errors and, for Python files with doctests, asserts or `test_*` functions,
/// passes them in `runner` (when given). `Ok(None)` when there are no diagnostics or no candidate
/// survives.
pub fn fix(
    backend: &dyn Backend,
    runner: Option<&dyn TestRunner>,
    request: &FixRequest<'_>,
    cancel: &CancellationToken,
) -> Result<Option<Fix>> {
    let document = request.document;
    let text = document.text();
    check_range(text, &request.range)?;
    for d in &request.diagnostics {
        check_range(text, &d.range)?;
    }
    let Some(first) = request.diagnostics.first() else {
        return Ok(None);
    };
    let target = Target::around(
        document,
        first.range.start.min(request.range.start),
        request.range.end.max(first.range.end),
    );
    let info = backend.info();
    let ask = if info.has_chat_template || !info.special.has_fim() {
        Ask::Chat(chat_prompt(info, document, &target, &request.diagnostics))
    } else {
        let hint = request
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        Ask::FillIn(Box::new(FillIn::new(
            backend,
            document,
            &target,
            Some(&hint),
            request.options,
        )?))
    };
    for attempt in 0..request.options.candidates.max(1) {
        let params = attempt_params(&request.options.sampling, attempt);
        let Some(edit) = ask.candidate(backend, document, &target, &params, cancel)? else {
            continue;
        };
        if let Some(check) = check_candidate(document, &edit, runner, request.options)? {
            return Ok(Some(Fix {
                title: format!("Fix this ({})", check.label()),
                edit,
                check,
            }));
        }
    }
    Ok(None)
}

/// The byte range of the function or method around `offset` whose body is unfinished: empty, only
/// `pass` / `...` (after an optional docstring), only comments such as `# TODO`, or
/// `raise NotImplementedError` (Python); empty, only comments, or `throw new
/// UnsupportedOperationException(...)` (Java). The server offers "Complete this function" when this
/// is `Some`.
pub fn unfinished_function_at(document: &Document, offset: usize) -> Option<Range<usize>> {
    unfinished(document, offset).map(|t| t.def.range)
}

/// "Complete this function": has the model write the body of the unfinished function at
/// `request.offset` (the file around it as FIM context, or a chat request for models without FIM
/// tokens) and checks it like [`fix`]. `Ok(None)` when there is no unfinished function there or no
/// candidate survives.
pub fn complete_function(
    backend: &dyn Backend,
    runner: Option<&dyn TestRunner>,
    request: &CompleteFunctionRequest<'_>,
    cancel: &CancellationToken,
) -> Result<Option<Fix>> {
    let document = request.document;
    let Some(target) = unfinished(document, request.offset) else {
        return Ok(None);
    };
    let info = backend.info();
    let ask = if info.special.has_fim() {
        Ask::FillIn(Box::new(FillIn::new(
            backend,
            document,
            &target,
            None,
            request.options,
        )?))
    } else {
        Ask::Chat(chat_prompt(info, document, &target, &[]))
    };
    for attempt in 0..request.options.candidates.max(1) {
        let params = attempt_params(&request.options.sampling, attempt);
        let Some(edit) = ask.candidate(backend, document, &target, &params, cancel)? else {
            continue;
        };
        if let Some(check) = check_candidate(document, &edit, runner, request.options)? {
            let title = format!("Complete this function ({})", check.label());
            return Ok(Some(Fix { title, edit, check }));
        }
    }
    Ok(None)
}

fn check_range(text: &str, range: &Range<usize>) -> Result<()> {
    if range.start > range.end
        || range.end > text.len()
        || !text.is_char_boundary(range.start)
        || !text.is_char_boundary(range.end)
    {
        return Err(Error::InvalidInput(format!(
            "range {}..{} is not a valid range of a {}-byte document",
            range.start,
            range.end,
            text.len()
        )));
    }
    Ok(())
}

/// The first candidate as configured (greedy by default); later ones sampled with other seeds.
fn attempt_params(base: &SamplingParams, attempt: usize) -> SamplingParams {
    let mut params = base.clone();
    if attempt > 0 {
        params.temperature = params.temperature.max(RETRY_TEMPERATURE);
        params.seed = base.seed.wrapping_add(attempt as u64);
    }
    params
}

/// The code an action rewrites: a whole function (`def` = the definition), or the lines of the
/// diagnostics outside any function.
struct Target {
    /// The function or method, when the target is one.
    def: Definition,
    /// Whether `def` is a real definition (else it spans the diagnostics' lines and has no body).
    is_function: bool,
    /// The statements the model rewrites (the whole body after the docstring, or the lines).
    body: Range<usize>,
}

impl Target {
    fn around(document: &Document, start: usize, end: usize) -> Target {
        let text = document.text();
        let lines = line_start(text, start)..line_end(text, end.max(start));
        let broken_here = document.tree().is_some_and(|tree| {
            syntax::errors(tree)
                .iter()
                .any(|e| e.start < lines.end && lines.start <= e.end)
        });
        let innermost = if broken_here && document.language == Language::Python {
            // A syntax error misleads the parser about where functions end (an unclosed `(` swallows
            // the next method); Python's indentation still says it.
            python_function_by_indentation(text, start)
        } else {
            let outline = document.outline();
            syntax::enclosing(&outline, start.max(1))
                .filter(|d| d.kind.is_callable() && d.range.end >= end)
                .last()
                .cloned()
        };
        match innermost {
            Some(def) => {
                let body = body_statements(text, &def);
                Target {
                    def,
                    is_function: true,
                    body,
                }
            }
            None => {
                let lines = line_start(text, start)..line_end(text, end.max(start));
                let def = Definition {
                    name: String::new(),
                    kind: DefinitionKind::Function,
                    range: lines.clone(),
                    body: None,
                    docstring: None,
                };
                Target {
                    def,
                    is_function: false,
                    body: lines,
                }
            }
        }
    }
}

/// The innermost `def` above `offset` whose indented body contains it, by indentation alone: the
/// header is one line ending in `:`, the body runs to the next line indented no deeper than the `def`.
fn python_function_by_indentation(text: &str, offset: usize) -> Option<Definition> {
    let indent_of = |line: &str| line.len() - line.trim_start().len();
    let mut line_at = line_start(text, offset);
    let mut depth = indent_of(&text[line_at..line_end(text, line_at)]);
    // Walk up to a `def` line indented less than everything seen so far.
    let header = loop {
        if line_at == 0 {
            return None;
        }
        line_at = line_start(text, line_at - 1);
        let line = &text[line_at..line_end(text, line_at)];
        if line.trim().is_empty() {
            continue;
        }
        let indent = indent_of(line);
        let trimmed = line.trim();
        if indent < depth && (trimmed.starts_with("def ") || trimmed.starts_with("async def ")) {
            break line_at;
        }
        depth = depth.min(indent);
    };
    let header_line = &text[header..line_end(text, header)];
    let def_indent = indent_of(header_line);
    let name = header_line
        .trim()
        .trim_start_matches("async ")
        .trim_start_matches("def ");
    let name = name
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()?
        .to_owned();
    let body_start = line_end(text, header);
    let mut end = body_start;
    let mut at = body_start;
    while at < text.len() {
        let next = line_end(text, at);
        let line = &text[at..next];
        if !line.trim().is_empty() {
            if indent_of(line) <= def_indent {
                break;
            }
            end = at + line.trim_end().len();
        }
        at = next;
    }
    Some(Definition {
        name,
        kind: DefinitionKind::Function,
        range: header + def_indent..end.max(body_start),
        body: Some(body_start..end.max(body_start)),
        docstring: None,
    })
}

/// The lines of a function's body that an action rewrites: after the header and docstring (Python),
/// inside the braces (Java), to the end of the definition.
fn body_statements(text: &str, def: &Definition) -> Range<usize> {
    let Some(body) = &def.body else {
        return def.range.end..def.range.end;
    };
    if text[body.clone()].starts_with('{') {
        // Java: between the braces.
        let inner_end = if text[body.clone()].ends_with('}') {
            body.end - 1
        } else {
            body.end
        };
        return (body.start + 1).min(inner_end)..inner_end;
    }
    let start = match &def.docstring {
        Some(doc) => line_end(text, doc.end),
        None if line_start(text, body.start) > def.range.start => line_start(text, body.start),
        // A body on the header's line (`def f(): pass`) is rewritten from where it starts.
        None => body.start,
    };
    start.min(def.range.end)..def.range.end
}

fn unfinished(document: &Document, offset: usize) -> Option<Target> {
    let text = document.text();
    if document.tree().is_none() || offset > text.len() || !text.is_char_boundary(offset) {
        return None;
    }
    let outline = document.outline();
    let def = syntax::enclosing(&outline, offset.max(1))
        .chain(
            outline
                .definitions
                .iter()
                .filter(|d| d.range.start == offset),
        )
        .filter(|d| d.kind.is_callable() && d.body.is_some())
        .last()?
        .clone();
    let body = body_statements(text, &def);
    let rest = &text[body.clone()];
    let finished = rest
        .lines()
        .map(str::trim)
        .any(|line| !is_placeholder(document.language, line));
    (!finished).then_some(Target {
        def,
        is_function: true,
        body,
    })
}

/// A body line that holds no real code yet.
fn is_placeholder(language: Language, line: &str) -> bool {
    let comment = match language {
        Language::Python => line.starts_with('#'),
        _ => line.starts_with("//") || line.starts_with("/*") || line.starts_with('*'),
    };
    line.is_empty()
        || comment
        || match language {
            Language::Python => {
                matches!(line, "pass" | "...") || line.starts_with("raise NotImplementedError")
            }
            Language::Java => line.starts_with("throw new UnsupportedOperationException"),
            Language::Other => false,
        }
}

/// How an action asks the model for candidates, decided once for all of them.
enum Ask {
    /// A base model fills in the target's body (boxed: its context is most of the enum's size).
    FillIn(Box<FillIn>),
    /// An instruct model rewrites the target in a chat.
    Chat(Prompt),
}

impl Ask {
    /// One candidate edit sampled with `params`; `None` when the reply yields none.
    fn candidate(
        &self,
        backend: &dyn Backend,
        document: &Document,
        target: &Target,
        params: &SamplingParams,
        cancel: &CancellationToken,
    ) -> Result<Option<TextEdit>> {
        let (prompt, params) = match self {
            Ask::FillIn(fill_in) => (&fill_in.prompt.prompt, fill_in.prompt.sampling(params)),
            Ask::Chat(prompt) => (prompt, params.clone()),
        };
        let generation = backend.generate(prompt, &params, cancel, &mut |_| {})?;
        let think = postprocess::think_tags(&backend.info().special);
        Ok(match self {
            Ask::FillIn(fill_in) => fill_in.edit(document, target, &generation.text, think),
            Ask::Chat(_) => chat_reply_edit(document, target, &generation.text, think),
        })
    }
}

/// A base model's request: the document with the target's body emptied to one line at the body's
/// indentation (after a `FIXME` comment with the diagnostics, for "Fix this"), the cursor on that line,
/// through the same context and prompt stages as a completion. The context stage budgets it and
/// reads the cursor's syntax (a blank line in the body: multi-line, ending at the first line indented
/// less than the body).
struct FillIn {
    context: EditorContext,
    prompt: CompletionPrompt,
    body_indent: String,
    def_indent: String,
    /// Java: the body sits between braces, the closing one on a line of its own.
    java: bool,
}

impl FillIn {
    fn new(
        backend: &dyn Backend,
        document: &Document,
        target: &Target,
        hint: Option<&str>,
        options: &FixOptions,
    ) -> Result<FillIn> {
        let text = document.text();
        let nl = line_ending(text);
        let java = document.language == Language::Java && target.is_function;
        let def_line = line_start(text, target.def.range.start);
        let def_indent = text[def_line..target.def.range.start].to_owned();
        let first_line = text[target.body.clone()]
            .lines()
            .find(|l| !l.trim().is_empty());
        let body_indent = match first_line {
            Some(line) if !line.trim_start().starts_with('}') => {
                line[..line.len() - line.trim_start().len()].to_owned()
            }
            _ if target.is_function => format!("{def_indent}    "),
            _ => def_indent.clone(),
        };
        let comment = if document.language == Language::Python {
            "#"
        } else {
            "//"
        };
        // What replaces `def_line..body.end`: the hint's comment, the header (and docstring), and the
        // body's indentation, where the cursor goes.
        let mut head = String::new();
        if let Some(hint) = hint {
            let indent = if target.is_function {
                &def_indent
            } else {
                &body_indent
            };
            head.push_str(&format!(
                "{indent}{comment} FIXME: {}{nl}",
                hint.replace(['\r', '\n'], " ")
            ));
        }
        head.push_str(&text[def_line..target.body.start]);
        if !head.is_empty() && !head.ends_with('\n') {
            head.push_str(nl);
        }
        head.push_str(&body_indent);
        let cursor = def_line + head.len();
        if java {
            head.push_str(nl);
            head.push_str(&def_indent);
        }
        let emptied = document.with_edit(&TextEdit {
            start: def_line,
            end: target.body.end,
            new_text: head,
        })?;
        let info = backend.info();
        let count = |text: &str| backend.count_tokens(text);
        let budget =
            prompt::context_budget(info, options.sampling.max_tokens, options.context_tokens);
        let context = context::build(&count, &emptied, cursor, &[], budget)?;
        let prompt = prompt::completion(info, &context, Lines::Multi);
        Ok(FillIn {
            context,
            prompt,
            body_indent,
            def_indent,
            java,
        })
    }

    /// The generated body, post-processed as a multi-line completion at the cursor, as an edit of
    /// the target's body in `document`.
    fn edit(
        &self,
        document: &Document,
        target: &Target,
        raw: &str,
        think: (&str, &str),
    ) -> Option<TextEdit> {
        let processed = postprocess::process(raw, &self.context.cursor, self.prompt.lines, think)?;
        // The lines around the generated body end the way the document's lines do.
        let text = document.text();
        let nl = self.context.cursor.line_ending;
        let (body_indent, def_indent) = (&self.body_indent, &self.def_indent);
        let new_text = if self.java {
            format!("{nl}{body_indent}{}{nl}{def_indent}", processed.text)
        } else {
            let on_own_line = target.body.start == 0 || text[..target.body.start].ends_with('\n');
            let lead = if on_own_line { "" } else { nl };
            let trail = if text[target.body.clone()].ends_with('\n') {
                nl
            } else {
                ""
            };
            format!("{lead}{body_indent}{}{trail}", processed.text)
        };
        Some(TextEdit {
            start: target.body.start,
            end: target.body.end,
            new_text,
        })
    }
}

/// An instruct model's prompt: the target's code and the diagnostics on it, with their lines.
fn chat_prompt(
    info: &ModelInfo,
    document: &Document,
    target: &Target,
    diagnostics: &[DiagnosticInfo],
) -> Prompt {
    let text = document.text();
    let start = line_start(text, target.def.range.start);
    let problems: Vec<Problem> = diagnostics
        .iter()
        .map(|d| Problem {
            line: text[..d.range.start].matches('\n').count() + 1,
            message: d.message.clone(),
        })
        .collect();
    prompt::chat_edit(
        info,
        document.language,
        &text[start..target.def.range.end],
        &problems,
    )
}

/// An instruct model's candidate: the reply's code block parsed and the definition of the same name
/// (or the whole block) put in the target's place, at its indentation.
fn chat_reply_edit(
    document: &Document,
    target: &Target,
    raw: &str,
    think: (&str, &str),
) -> Option<TextEdit> {
    let text = document.text();
    let start = line_start(text, target.def.range.start);
    let reply = postprocess::strip_think(raw, think.0, think.1);
    let code_block = fenced_code(&reply)?;
    let replacement = if target.is_function {
        // The model may return helpers or the whole class; take the function of the same name.
        let candidate = Document::new("candidate", document.language, code_block.clone());
        let found = candidate.tree().and_then(|tree| {
            syntax::outline(document.language, tree, &code_block)
                .definitions
                .into_iter()
                .find(|d| d.name == target.def.name && d.kind.is_callable())
        });
        let def = found?;
        code_block[line_start(&code_block, def.range.start)..def.range.end].to_owned()
    } else {
        code_block
    };
    let indent = &text[start..target.def.range.start];
    let new_text = reindent(&replacement, indent);
    let new_text = if text[start..target.def.range.end].ends_with('\n') {
        format!("{new_text}\n")
    } else {
        new_text
    };
    // The reply's lines end the way the document's lines do.
    let new_text = match line_ending(text) {
        "\n" => new_text,
        nl => new_text.replace('\n', nl),
    };
    Some(TextEdit {
        start,
        end: target.def.range.end,
        new_text,
    })
}

/// The first fenced code block of a chat reply, or the whole reply when it has no fence.
fn fenced_code(reply: &str) -> Option<String> {
    let code = match reply.find("```") {
        Some(open) => {
            let after = &reply[open + 3..];
            // Skip the info string (```python).
            let body = after.find('\n').map_or("", |i| &after[i + 1..]);
            body.find("```").map_or(body, |close| &body[..close])
        }
        None => reply,
    };
    let code = code.trim_end();
    (!code.trim().is_empty()).then(|| code.replace("\r\n", "\n"))
}

/// Shifts `code` so that its least indented line starts with `indent`.
fn reindent(code: &str, indent: &str) -> String {
    let common = code
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    code.lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("{indent}{}", &l[common.min(l.len())..])
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks a candidate edit: it must change the file, parse with no more syntax errors than before and
/// none in the edited lines, and (Python, with tests in the file and a runner) pass the file's
/// doctests, asserts and `test_*` functions. `None` when it fails.
fn check_candidate(
    document: &Document,
    edit: &TextEdit,
    runner: Option<&dyn TestRunner>,
    options: &FixOptions,
) -> Result<Option<FixCheck>> {
    let edited_doc = document.with_edit(edit)?;
    let new_text = edited_doc.text();
    if new_text == document.text() {
        return Ok(None);
    }
    let (Some(before), Some(after)) = (document.tree(), edited_doc.tree()) else {
        return Ok(Some(FixCheck::NotChecked));
    };
    let edited =
        line_start(new_text, edit.start)..line_end(new_text, edit.start + edit.new_text.len());
    let errors_after = syntax::errors(after);
    let in_edit = errors_after
        .iter()
        .any(|e| edited.start <= e.start && e.end <= edited.end);
    if errors_after.len() > syntax::error_count(before) || in_edit {
        tracing::debug!(in_edit, "candidate rejected: syntax errors");
        return Ok(None);
    }
    if document.language != Language::Python || !options.run_tests {
        return Ok(Some(FixCheck::SyntaxOk));
    }
    let edited_new = edit.start..edit.start + edit.new_text.len();
    let (Some(runner), Some(job)) = (runner, candidate_tests(document, &edited_doc, edited_new))
    else {
        return Ok(Some(FixCheck::SyntaxOk));
    };
    match runner.run_tests(&job) {
        Ok(report) if report.verdict == TestVerdict::Passed => Ok(Some(FixCheck::TestsPass)),
        // The file's tests pass objects to the edited code: they cannot be run apart from it.
        Ok(report) if report.verdict == TestVerdict::Unsupported => Ok(Some(FixCheck::SyntaxOk)),
        Ok(report) => {
            tracing::debug!(verdict = ?report.verdict, detail = ?report.detail, "candidate rejected by the file's tests");
            Ok(None)
        }
        // The sandbox itself failed (not the candidate): say only what was checked.
        Err(e) => {
            tracing::warn!("cannot run the file's tests: {e}");
            Ok(Some(FixCheck::SyntaxOk))
        }
    }
}

/// The tests' side of a [`TestJob`] built from a file: `__qwen_lsp_check(payload)` runs the file's
/// kept statements one at a time (each top-level assert is a case), then the doctests of the
/// functions and classes it defined, the doctests given in the payload (those of the functions
/// under test, taken from the file before the edit), then every `test_*` function, and fails with
/// an `AssertionError` when any case failed.
const FILE_TESTS: &str = r#"
def __qwen_lsp_check(payload):
    import ast, doctest, io, json, sys
    payload = json.loads(payload)
    report = globals()["__qwen_lsp_report"]
    lines = payload["lines"]
    g = globals()
    failed = total = 0

    def case(name, passed, message="", line=None):
        nonlocal failed, total
        total += 1
        failed += not passed
        report(name, passed, message, line)

    for node in ast.parse(payload["source"], "file.py").body:
        code = compile(ast.Module([node], []), "file.py", "exec")
        if not isinstance(node, ast.Assert):
            exec(code, g)
            continue
        try:
            exec(code, g)
            case(f"assert (line {node.lineno})", True, "", node.lineno)
        except AssertionError as error:
            case(f"assert (line {node.lineno})", False, str(error) or "assertion failed", node.lineno)

    finder, parser = doctest.DocTestFinder(), doctest.DocTestParser()
    tests = [t for t in finder.find(sys.modules[__name__]) if t.examples]
    for name, docstring in payload["doctests"]:
        tests.append(parser.get_doctest(docstring, dict(g), name, "file.py", None))
    for test in tests:
        if not test.examples:
            continue
        name = test.name.removeprefix(__name__ + ".")
        out = io.StringIO()
        runner = doctest.DocTestRunner(verbose=False)
        result = runner.run(test, out=out.write, clear_globs=True)
        case(name, result.failed == 0, out.getvalue(), lines.get(name.split(".")[0]))

    for name, value in list(g.items()):
        if name.startswith("test_") and callable(value):
            try:
                value()
                case(name, True, "", lines.get(name))
            except Exception as error:
                case(name, False, f"{type(error).__name__}: {error}", lines.get(name))
    if failed:
        raise AssertionError(f"{failed} of {total} tests failed")
"#;

/// Whether a top-level statement belongs to the program that tests a file: imports, definitions,
/// assignments and asserts, not its other statements (which could wait for input or start a
/// server).
fn kept_statement(node: tree_sitter::Node<'_>) -> bool {
    match node.kind() {
        "import_statement"
        | "import_from_statement"
        | "future_import_statement"
        | "class_definition"
        | "function_definition"
        | "decorated_definition"
        | "assert_statement" => true,
        "expression_statement" => node
            .named_child(0)
            .is_some_and(|e| e.kind() == "assignment"),
        _ => false,
    }
}

/// The name a top-level function definition (decorated or not) defines; `None` for anything else.
fn function_name<'t>(node: tree_sitter::Node<'_>, text: &'t str) -> Option<&'t str> {
    let def = match node.kind() {
        "function_definition" => node,
        "decorated_definition" => node.child_by_field_name("definition")?,
        _ => return None,
    };
    if def.kind() != "function_definition" {
        return None;
    }
    def.child_by_field_name("name")?
        .utf8_text(text.as_bytes())
        .ok()
}

/// The docstring of a function definition node, as Python would read it.
fn docstring_of(node: tree_sitter::Node<'_>, text: &str) -> Option<String> {
    let def = match node.kind() {
        "decorated_definition" => node.child_by_field_name("definition")?,
        _ => node,
    };
    let first = def.child_by_field_name("body")?.named_child(0)?;
    let string = match first.kind() {
        "expression_statement" => first.named_child(0)?,
        _ => return None,
    };
    if string.kind() != "string" {
        return None;
    }
    let raw = &text[string.byte_range()];
    // Quotes and prefix off; escapes are left as written, which is what doctest sees for the
    // raw docstrings tests usually are and close enough for the others.
    let start = raw.find(['"', '\''])?;
    let quote = if raw[start..].starts_with("\"\"\"") || raw[start..].starts_with("\'\'\'") {
        3
    } else {
        1
    };
    raw.get(start + quote..raw.len().checked_sub(quote)?)
        .map(str::to_owned)
}

/// `text` with every top-level statement `drop` selects blanked out (spaces, line breaks kept), so
/// the rest keeps its line numbers.
fn blank_statements(
    text: &str,
    tree: &tree_sitter::Tree,
    drop: impl Fn(tree_sitter::Node<'_>) -> bool,
) -> String {
    let root = tree.root_node();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut cursor = root.walk();
    for node in root.named_children(&mut cursor) {
        if !drop(node) {
            continue;
        }
        let range = node.byte_range();
        out.push_str(&text[at..range.start]);
        out.extend(
            text[range.clone()]
                .chars()
                .map(|c| if c == '\n' || c == '\r' { c } else { ' ' }),
        );
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Whether the file has anything to test: a top-level assert, a `test_*` function, a doctest.
fn has_tests(text: &str, tree: &tree_sitter::Tree) -> bool {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let mut found = text.lines().any(|l| l.trim_start().starts_with(">>> "));
    for node in root.named_children(&mut cursor) {
        found |= node.kind() == "assert_statement"
            || function_name(node, text).is_some_and(|n| n.starts_with("test_"));
    }
    found
}

/// 1-based lines of the file's top-level definitions, by name.
fn definition_lines(
    text: &str,
    tree: &tree_sitter::Tree,
) -> serde_json::Map<String, serde_json::Value> {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let mut lines = serde_json::Map::new();
    for node in root.named_children(&mut cursor) {
        let name = function_name(node, text).or_else(|| {
            (node.kind() == "class_definition")
                .then(|| {
                    node.child_by_field_name("name")?
                        .utf8_text(text.as_bytes())
                        .ok()
                })
                .flatten()
        });
        if let Some(name) = name {
            lines.insert(name.to_owned(), (node.start_position().row + 1).into());
        }
    }
    lines
}

fn tests_source(
    source: String,
    doctests: Vec<(String, String)>,
    lines: serde_json::Map<String, serde_json::Value>,
) -> String {
    let payload = serde_json::json!({ "source": source, "doctests": doctests, "lines": lines });
    // A JSON string literal is a Python string literal.
    let literal = serde_json::Value::String(payload.to_string()).to_string();
    format!("{FILE_TESTS}\n__qwen_lsp_check({literal})\n")
}

/// The job that checks a Python file against its own tests (top-level asserts, doctests, `test_*`
/// functions), every line of it trusted: one interpreter, cases reported by name and line. `None`
/// when the file has none. For diagnostics on save: `runner.run_tests(&job)?.cases`.
pub fn file_tests(text: &str, tree: &tree_sitter::Tree) -> Option<TestJob> {
    if !has_tests(text, tree) {
        return None;
    }
    let source = blank_statements(text, tree, |node| !kept_statement(node));
    Some(TestJob {
        code: String::new(),
        tests: tests_source(source, Vec::new(), definition_lines(text, tree)),
        calls: Vec::new(),
        timeout: TEST_TIMEOUT,
    })
}

/// The job that checks a candidate edit against the file's tests with the edited code apart from
/// them. `after` is `before` with the edit applied and `edited` the edit's new text in `after`. The
/// edited top-level functions run in their own interpreter (the whole edited file, as a module);
/// the tests run the rest of the file, with those names calling across, and the edited functions'
/// doctests as they were before the edit (a candidate cannot rewrite its own tests). `None` when the
/// file has no tests, or when the edit reaches anything but whole top-level functions that are not
/// `test_*` (a method, a class, a statement, a test): such code cannot be judged apart from its
/// tests, so no candidate touching it is ever said to pass them.
pub fn candidate_tests(
    before: &Document,
    after: &Document,
    edited: Range<usize>,
) -> Option<TestJob> {
    let (old_tree, tree) = (before.tree()?, after.tree()?);
    let (old_text, text) = (before.text(), after.text());
    if !has_tests(old_text, old_tree) {
        return None;
    }
    let root = tree.root_node();
    let mut cursor = root.walk();
    let mut names = Vec::new();
    let mut edited_nodes = Vec::new();
    for node in root.named_children(&mut cursor) {
        let range = node.byte_range();
        let touched = range.start < edited.end.max(edited.start + 1) && edited.start < range.end;
        if !touched || node.kind() == "comment" {
            continue;
        }
        let name = function_name(node, text)?;
        if name.starts_with("test_") {
            return None;
        }
        names.push(name.to_owned());
        edited_nodes.push(range);
    }
    if names.is_empty() {
        return None;
    }
    // The edited functions' doctests, from the file before the edit.
    let mut doctests = Vec::new();
    let old_root = old_tree.root_node();
    let mut cursor = old_root.walk();
    for node in old_root.named_children(&mut cursor) {
        if let Some(name) = function_name(node, old_text).filter(|n| names.iter().any(|m| m == n))
            && let Some(doc) = docstring_of(node, old_text)
        {
            doctests.push((name.to_owned(), doc));
        }
    }
    let is_edited = |node: tree_sitter::Node<'_>| edited_nodes.contains(&node.byte_range());
    let code = blank_statements(text, tree, |node| {
        !kept_statement(node) || node.kind() == "assert_statement"
    });
    let source = blank_statements(text, tree, |node| !kept_statement(node) || is_edited(node));
    Some(TestJob {
        code,
        tests: tests_source(source, doctests, definition_lines(text, tree)),
        calls: names,
        timeout: TEST_TIMEOUT,
    })
}
