//! Code actions: finding unfinished functions, "Fix this" and "Complete this function" with candidates
//! checked for syntax and, for Python, against the file's own tests in the real sandbox. Model output
//! comes from the scripted test double (see `pipeline.rs`); the sandbox and its verdicts are real.

use std::sync::LazyLock;

use engine::actions::{
    self, CompleteFunctionRequest, DiagnosticInfo, Fix, FixCheck, FixOptions, FixRequest, TestCase,
    TestJob, TestReport, TestRunner, TestVerdict,
};
use engine::{CancellationToken, Document, Language, Prompt};
use expect_test::expect;

use crate::context::with_cursor;
use crate::pipeline::ScriptedBackend;

/// The real sandbox (CPython on wasmtime), from the runtime scripts/fetch-python-wasm.sh installs,
/// behind the engine's seam as the server puts it there (`server/src/test_runner.rs`).
struct SandboxTests(sandbox::Sandbox);

impl TestRunner for SandboxTests {
    fn run_tests(&self, job: &TestJob) -> Result<TestReport, String> {
        let trial = sandbox::Trial {
            code: job.code.clone(),
            bind: job.calls.iter().map(|n| (n.clone(), n.clone())).collect(),
            tests: job.tests.clone(),
            ..sandbox::Trial::default()
        };
        let limits = sandbox::Limits {
            timeout: job.timeout,
            ..sandbox::Limits::default()
        };
        let outcome = self
            .0
            .judge_blocking(&trial, &limits)
            .map_err(|e| e.to_string())?;
        let verdict = match outcome.verdict {
            sandbox::TrialVerdict::Passed => TestVerdict::Passed,
            sandbox::TrialVerdict::Failed => TestVerdict::Failed,
            sandbox::TrialVerdict::Error => TestVerdict::Error,
            sandbox::TrialVerdict::Timeout => TestVerdict::Timeout,
            sandbox::TrialVerdict::MemoryLimit | sandbox::TrialVerdict::OutputLimit => {
                TestVerdict::LimitExceeded
            }
            sandbox::TrialVerdict::CodeExited => TestVerdict::CodeExited,
            sandbox::TrialVerdict::Unsupported => TestVerdict::Unsupported,
        };
        let cases = outcome
            .cases
            .iter()
            .map(|c| TestCase {
                name: c.name.clone(),
                passed: c.passed,
                message: c.message.clone(),
                line: c.line,
            })
            .collect();
        Ok(TestReport {
            verdict,
            cases,
            detail: outcome.detail(),
        })
    }
}

static SANDBOX: LazyLock<SandboxTests> = LazyLock::new(|| {
    SandboxTests(
        sandbox::Sandbox::new(&sandbox::Config::default())
            .unwrap_or_else(|e| panic!("sandbox: {e}")),
    )
});

fn runner() -> Option<&'static dyn TestRunner> {
    Some(&*SANDBOX)
}

fn one_candidate() -> FixOptions {
    FixOptions {
        candidates: 1,
        ..FixOptions::default()
    }
}

/// "Complete this function" at `cursor` with one candidate, which must be accepted.
fn complete_with_one_candidate(backend: &ScriptedBackend, doc: &Document, cursor: usize) -> Fix {
    let request = CompleteFunctionRequest {
        document: doc,
        offset: cursor,
        options: &one_candidate(),
    };
    actions::complete_function(backend, runner(), &request, &CancellationToken::new())
        .expect("ok")
        .expect("a fix")
}

/// "Fix this" at `range` with one diagnostic and one candidate.
fn fix_one(
    backend: &ScriptedBackend,
    doc: &Document,
    range: std::ops::Range<usize>,
    message: &str,
) -> Option<Fix> {
    let request = FixRequest {
        document: doc,
        range: range.clone(),
        diagnostics: vec![DiagnosticInfo {
            range,
            message: message.into(),
        }],
        options: &one_candidate(),
    };
    actions::fix(backend, runner(), &request, &CancellationToken::new()).expect("fix")
}

/// The document after applying the fix's edit.
fn applied(doc: &Document, fix: &Fix) -> String {
    let mut text = doc.text().to_owned();
    text.replace_range(fix.edit.start..fix.edit.end, &fix.edit.new_text);
    text
}

#[test]
fn unfinished_functions_are_found() {
    use Language::{Java, Python};
    let unfinished = [
        (Python, "def f(x):\n    pa$0ss\n"),
        (Python, "def f(x):\n    \"\"\"Doubles x.\"\"\"\n    ...$0\n"),
        (
            Python,
            "class A:\n    def f(self):\n        # TODO: write it$0\n        pass\n",
        ),
        (
            Python,
            "def f(x):$0\n    raise NotImplementedError(\"later\")\n",
        ),
        (Java, "class A {\n    int f(int x) {$0\n    }\n}\n"),
        (
            Java,
            "class A {\n    int f(int x) {\n        // TODO$0\n    }\n}\n",
        ),
        (
            Java,
            "class A {\n    int f(int x) {\n        throw new UnsupportedOperationException();$0\n    }\n}\n",
        ),
        (Python, "import os\n\ndef f(x):$0\n"),
        (Python, "def f(x):\n    pass$0\n\ndef g():\n    return 1\n"),
    ];
    for (language, fixture) in unfinished {
        let (doc, cursor) = with_cursor("file:///p/t", language, fixture);
        let range = actions::unfinished_function_at(&doc, cursor)
            .unwrap_or_else(|| panic!("not found in {fixture:?}"));
        let def = &doc.text()[range];
        assert!(def.contains("f("), "{def:?}");
    }
    let finished = [
        (Python, "def f(x):\n    return x$0\n"),
        (Python, "def f(x):\n    pass\n\nx = 1$0\n"),
        (
            Java,
            "class A {\n    int f(int x) {\n        return x;$0\n    }\n}\n",
        ),
        (Language::Other, "function f() {$0}\n"),
        (
            Java,
            "abstract class A {\n    abstract int f(int x);$0\n}\n",
        ),
        (Python, "s = 'é$0'\n"),
    ];
    for (language, fixture) in finished {
        let (doc, cursor) = with_cursor("file:///p/t", language, fixture);
        assert_eq!(
            actions::unfinished_function_at(&doc, cursor),
            None,
            "{fixture:?}"
        );
    }
    // Offsets inside a character or past the end find nothing rather than panic.
    let doc = Document::new(
        "file:///p/t",
        Language::Python,
        "def f():\n    s = 'é'\n    pass\n",
    );
    for offset in [19, 1000] {
        assert_eq!(actions::unfinished_function_at(&doc, offset), None);
    }
}

const SQUARES: &str = r#"def square(x):
    """The square of x.

    >>> square(3)
    9
    """
    $0pass


def cube(x):
    return x * x * x


assert cube(2) == 8
main()
"#;

#[test]
fn complete_function_runs_the_files_tests_in_the_sandbox() {
    let (doc, cursor) = with_cursor("file:///p/squares.py", Language::Python, SQUARES);
    let backend = ScriptedBackend::new(false, &["return x * x\n\n\ndef cube(x):"]);
    let request = CompleteFunctionRequest {
        document: &doc,
        offset: cursor,
        options: &one_candidate(),
    };
    let fix = actions::complete_function(&backend, runner(), &request, &CancellationToken::new())
        .expect("complete_function")
        .expect("a fix");
    assert_eq!(fix.title, "Complete this function (tests pass)");
    assert_eq!(fix.check, FixCheck::TestsPass);
    expect![[r#"
        def square(x):
            """The square of x.

            >>> square(3)
            9
            """
            return x * x


        def cube(x):
            return x * x * x


        assert cube(2) == 8
        main()
    "#]]
    .assert_eq(&applied(&doc, &fix));
    // The model saw the header and docstring as the prefix and the rest of the file as the suffix.
    let prompts = backend.prompts();
    let [Prompt::Text(prompt)] = prompts.as_slice() else {
        panic!("{prompts:?}")
    };
    expect![[r#"
        <|fim_prefix|>def square(x):
            """The square of x.

            >>> square(3)
            9
            """
            <|fim_suffix|>


        def cube(x):
            return x * x * x


        assert cube(2) == 8
        main()
        <|fim_middle|>"#]]
    .assert_eq(prompt);
}

#[test]
fn long_files_are_trimmed_to_the_budget_around_the_function() {
    let filler: String = (0..60)
        .map(|i| format!("def helper_{i}(x):\n    return x + {i}\n\n\n"))
        .collect();
    let text = format!("{filler}{SQUARES}{}", filler.replace("helper", "late"));
    let (doc, cursor) = with_cursor("file:///p/squares.py", Language::Python, &text);
    let backend = ScriptedBackend::new(false, &["return x * x"]);
    let options = FixOptions {
        candidates: 1,
        context_tokens: 200,
        ..FixOptions::default()
    };
    let request = CompleteFunctionRequest {
        document: &doc,
        offset: cursor,
        options: &options,
    };
    let fix = actions::complete_function(&backend, runner(), &request, &CancellationToken::new())
        .expect("ok");
    assert_eq!(fix.map(|f| f.check), Some(FixCheck::TestsPass));
    let prompts = backend.prompts();
    let [Prompt::Text(prompt)] = prompts.as_slice() else {
        panic!("{prompts:?}")
    };
    let tokens = crate::context::count_tokens(prompt).expect("count");
    assert!(tokens <= 200 + 3, "{tokens} tokens for a budget of 200");
    assert!(
        prompt.contains("def square(x):") && prompt.contains("def late_0(x):"),
        "{prompt}"
    );
    assert!(!prompt.contains("def helper_0(x):"), "{prompt}");
}

#[test]
fn a_candidate_that_fails_the_tests_is_not_offered() {
    let (doc, cursor) = with_cursor("file:///p/squares.py", Language::Python, SQUARES);
    let backend = ScriptedBackend::new(false, &["return x + x"]);
    let request = CompleteFunctionRequest {
        document: &doc,
        offset: cursor,
        options: &one_candidate(),
    };
    let fix = actions::complete_function(&backend, runner(), &request, &CancellationToken::new())
        .expect("ok");
    assert_eq!(fix, None);
}

#[test]
fn a_later_candidate_is_tried_when_the_first_fails() {
    let (doc, cursor) = with_cursor("file:///p/squares.py", Language::Python, SQUARES);
    let backend = ScriptedBackend::new(false, &["return x + x", "return x ** 2"]);
    let options = FixOptions {
        candidates: 2,
        ..FixOptions::default()
    };
    let request = CompleteFunctionRequest {
        document: &doc,
        offset: cursor,
        options: &options,
    };
    let fix = actions::complete_function(&backend, runner(), &request, &CancellationToken::new())
        .expect("ok")
        .expect("the second candidate passes");
    assert!(fix.edit.new_text.contains("x ** 2"), "{fix:?}");
    let received = backend
        .received
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].1.temperature, 0.0,
        "the first candidate is greedy"
    );
    assert!(received[1].1.temperature > 0.0 && received[1].1.seed != received[0].1.seed);
}

const BUGGY: &str = r#"import math


def hypotenuse(a, b):
    """Length of the hypotenuse.

    >>> hypotenuse(3, 4)
    5.0
    """
    return math.sqrt(a * a + b * $0c)
"#;

#[test]
fn fix_this_with_a_chat_model_parses_the_code_block_and_runs_the_doctests() {
    let (doc, cursor) = with_cursor("file:///p/geometry.py", Language::Python, BUGGY);
    let reply = "<think>\n</think>\n\nThe name `c` is undefined; it should be `b`.\n\n```python\ndef hypotenuse(a, b):\n    \"\"\"Length of the hypotenuse.\n\n    >>> hypotenuse(3, 4)\n    5.0\n    \"\"\"\n    return math.sqrt(a * a + b * b)\n```\n";
    let backend = ScriptedBackend::new(true, &[reply]);
    let request = FixRequest {
        document: &doc,
        range: cursor..cursor + 1,
        diagnostics: vec![DiagnosticInfo {
            range: cursor..cursor + 1,
            message: "undefined name 'c'".into(),
        }],
        options: &one_candidate(),
    };
    let fix = actions::fix(&backend, runner(), &request, &CancellationToken::new())
        .expect("fix")
        .expect("a fix");
    assert_eq!(fix.title, "Fix this (tests pass)");
    assert!(
        applied(&doc, &fix).contains("return math.sqrt(a * a + b * b)\n"),
        "{fix:?}"
    );
    let prompts = backend.prompts();
    let [Prompt::Chat(messages)] = prompts.as_slice() else {
        panic!("{prompts:?}")
    };
    expect![[r#"
        Fix the problems reported in this code:
        - line 10: undefined name 'c'

        ```python
        def hypotenuse(a, b):
            """Length of the hypotenuse.

            >>> hypotenuse(3, 4)
            5.0
            """
            return math.sqrt(a * a + b * c)
        ```

        Reply with the complete corrected code in one fenced code block and nothing else. /no_think"#]]
    .assert_eq(&messages[1].content);
}

#[test]
fn fix_this_without_tests_says_syntax_ok() {
    let (doc, cursor) = with_cursor(
        "file:///p/a.py",
        Language::Python,
        "class Stack:\n    def push(self, x):\n        self.items.append(x$0\n\n    def pop(self):\n        return self.items.pop()\n",
    );
    // A base model (no chat template): FIM over the method body, the diagnostic as a comment.
    let backend = ScriptedBackend::new(false, &["self.items.append(x)\n\n    def pop(self):"]);
    let request = FixRequest {
        document: &doc,
        range: cursor..cursor,
        diagnostics: vec![DiagnosticInfo {
            range: cursor..cursor,
            message: "'(' was never closed".into(),
        }],
        options: &one_candidate(),
    };
    let fix = actions::fix(&backend, runner(), &request, &CancellationToken::new())
        .expect("fix")
        .expect("a fix");
    assert_eq!(
        (fix.title.as_str(), fix.check),
        ("Fix this (syntax ok)", FixCheck::SyntaxOk)
    );
    expect![[r#"
        class Stack:
            def push(self, x):
                self.items.append(x)

            def pop(self):
                return self.items.pop()
    "#]]
    .assert_eq(&applied(&doc, &fix));
    let prompts = backend.prompts();
    let [Prompt::Text(prompt)] = prompts.as_slice() else {
        panic!("{prompts:?}")
    };
    assert!(
        prompt.contains(
            "    # FIXME: '(' was never closed\n    def push(self, x):\n        <|fim_suffix|>"
        ),
        "{prompt}"
    );
}

#[test]
fn a_fix_that_breaks_the_syntax_is_not_offered() {
    let (doc, cursor) = with_cursor(
        "file:///p/a.py",
        Language::Python,
        "def f(x):\n    return x +$0\n",
    );
    let backend = ScriptedBackend::new(true, &["```python\ndef f(x):\n    return x + (1\n```"]);
    let request = FixRequest {
        document: &doc,
        range: cursor..cursor,
        diagnostics: vec![DiagnosticInfo {
            range: cursor..cursor,
            message: "invalid syntax".into(),
        }],
        options: &one_candidate(),
    };
    assert_eq!(
        actions::fix(&backend, runner(), &request, &CancellationToken::new()).expect("fix"),
        None
    );
}

#[test]
fn java_fixes_are_checked_for_syntax_only() {
    let (doc, cursor) = with_cursor(
        "file:///p/A.java",
        Language::Java,
        "class A {\n    int twice(int x) {\n        $0// TODO\n    }\n}\n",
    );
    let backend = ScriptedBackend::new(false, &["return 2 * x;\n    }\n}"]);
    let fix = complete_with_one_candidate(&backend, &doc, cursor);
    assert_eq!(fix.check, FixCheck::SyntaxOk);
    expect![[r#"
        class A {
            int twice(int x) {
                return 2 * x;
            }
        }
    "#]]
    .assert_eq(&applied(&doc, &fix));
}

#[test]
fn complete_function_with_a_chat_only_model_asks_in_a_chat() {
    let (doc, cursor) = with_cursor("file:///p/squares.py", Language::Python, SQUARES);
    let reply = "```python\ndef square(x):\n    \"\"\"The square of x.\n\n    >>> square(3)\n    9\n    \"\"\"\n    return x * x\n```";
    let backend = ScriptedBackend::new(true, &[reply]).without_fim();
    let fix = complete_with_one_candidate(&backend, &doc, cursor);
    assert_eq!(fix.title, "Complete this function (tests pass)");
    assert!(
        applied(&doc, &fix).contains("    return x * x\n\n\ndef cube(x):"),
        "{fix:?}"
    );
    let prompts = backend.prompts();
    let [Prompt::Chat(messages)] = prompts.as_slice() else {
        panic!("{prompts:?}")
    };
    assert!(
        messages[1]
            .content
            .starts_with("Complete the body of this function."),
        "{messages:?}"
    );
}

#[test]
fn java_fix_this_replaces_the_method_from_the_reply() {
    let (doc, cursor) = with_cursor(
        "file:///p/A.java",
        Language::Java,
        "class A {\n    int twice(int x) {\n        return 2 * y$0;\n    }\n\n    int once(int x) {\n        return x;\n    }\n}\n",
    );
    let reply = "Here:\n```java\nint twice(int x) {\n    return 2 * x;\n}\n```";
    let backend = ScriptedBackend::new(true, &[reply]);
    let request = FixRequest {
        document: &doc,
        range: cursor - 1..cursor,
        diagnostics: vec![DiagnosticInfo {
            range: cursor - 1..cursor,
            message: "cannot find symbol: y".into(),
        }],
        options: &one_candidate(),
    };
    let fix = actions::fix(&backend, runner(), &request, &CancellationToken::new())
        .expect("fix")
        .expect("a fix");
    assert_eq!(
        (fix.title.as_str(), fix.check),
        ("Fix this (syntax ok)", FixCheck::SyntaxOk)
    );
    expect![[r#"
        class A {
            int twice(int x) {
                return 2 * x;
            }

            int once(int x) {
                return x;
            }
        }
    "#]]
    .assert_eq(&applied(&doc, &fix));
}

#[test]
fn crlf_files_get_crlf_bodies() {
    let (doc, cursor) = with_cursor(
        "file:///p/A.java",
        Language::Java,
        "class A {\r\n    int twice(int x) {$0\r\n    }\r\n}\r\n",
    );
    let backend = ScriptedBackend::new(false, &["int y = 2 * x;\n        return y;"]);
    let fix = complete_with_one_candidate(&backend, &doc, cursor);
    let after = applied(&doc, &fix);
    assert_eq!(
        after.matches('\n').count(),
        after.matches("\r\n").count(),
        "{after:?}"
    );
    assert!(
        after.contains("        return y;\r\n    }\r\n}"),
        "{after:?}"
    );
}

#[test]
fn bad_ranges_are_errors_and_no_diagnostics_means_no_fix() {
    let doc = Document::new("file:///p/a.py", Language::Python, "x = 'é'\n");
    let backend = ScriptedBackend::new(true, &[]);
    let options = one_candidate();
    let bad = FixRequest {
        document: &doc,
        range: 6..7,
        diagnostics: Vec::new(),
        options: &options,
    };
    assert!(actions::fix(&backend, None, &bad, &CancellationToken::new()).is_err());
    let past_end = FixRequest {
        document: &doc,
        range: 0..100,
        diagnostics: Vec::new(),
        options: &options,
    };
    assert!(actions::fix(&backend, None, &past_end, &CancellationToken::new()).is_err());
    let none = FixRequest {
        document: &doc,
        range: 0..1,
        diagnostics: Vec::new(),
        options: &options,
    };
    assert_eq!(
        actions::fix(&backend, None, &none, &CancellationToken::new()).expect("ok"),
        None
    );
    assert!(backend.prompts().is_empty());
}

#[test]
fn the_file_tests_keep_definitions_and_tests_only_at_their_lines() {
    let doc = Document::new(
        "file:///p/squares.py",
        Language::Python,
        SQUARES.replace("$0", ""),
    );
    let job =
        actions::file_tests(doc.text(), doc.tree().expect("tree")).expect("the file has tests");
    assert!(job.tests.contains("def cube(x)") && job.tests.contains("assert cube(2) == 8"));
    assert!(
        !job.tests.contains("main()"),
        "top-level calls are not run: {}",
        job.tests
    );
    assert!(job.calls.is_empty() && job.code.is_empty());
    let report = SANDBOX.run_tests(&job).expect("runs");
    assert_eq!(
        report.verdict,
        TestVerdict::Failed,
        "square is unfinished: {report:?}"
    );
    let cases: Vec<_> = report
        .cases
        .iter()
        .map(|c| (c.name.as_str(), c.passed, c.line))
        .collect();
    assert_eq!(
        cases,
        [
            ("assert (line 14)", true, Some(14)),
            ("square", false, Some(1))
        ],
        "{report:?}"
    );
    let no_tests = Document::new(
        "file:///p/a.py",
        Language::Python,
        "def f():\n    return 1\n\nprint(f())\n",
    );
    assert_eq!(
        actions::file_tests(no_tests.text(), no_tests.tree().expect("tree")),
        None
    );
}

/// Both actions through the real tiny Qwen3 checkpoint (random weights: the text is noise, so a
/// candidate is rarely offered). What is checked is that real model output flows through prompting,
/// parsing and checking without errors, and that anything offered holds the promise of its title.
#[test]
fn actions_end_to_end_with_the_tiny_qwen3_model() {
    let model: &engine::model::LocalModel = &crate::pipeline::TINY;
    let options = FixOptions {
        sampling: engine::SamplingParams {
            max_tokens: 24,
            ..engine::SamplingParams::default()
        },
        candidates: 1,
        ..FixOptions::default()
    };
    let (doc, cursor) = with_cursor("file:///p/squares.py", Language::Python, SQUARES);
    let request = CompleteFunctionRequest {
        document: &doc,
        offset: cursor,
        options: &options,
    };
    let completed =
        actions::complete_function(model, runner(), &request, &CancellationToken::new())
            .expect("runs");
    let (doc2, cursor2) = with_cursor("file:///p/geometry.py", Language::Python, BUGGY);
    let request = FixRequest {
        document: &doc2,
        range: cursor2..cursor2 + 1,
        diagnostics: vec![DiagnosticInfo {
            range: cursor2..cursor2 + 1,
            message: "undefined name 'c'".into(),
        }],
        options: &options,
    };
    let fixed = actions::fix(model, runner(), &request, &CancellationToken::new()).expect("runs");
    for (doc, fix) in [(&doc, completed), (&doc2, fixed)] {
        if let Some(fix) = fix {
            assert!(
                fix.title.ends_with(&format!("({})", fix.check.label())),
                "{fix:?}"
            );
            let after = Document::new("after", Language::Python, applied(doc, &fix));
            let errors = engine::syntax::error_count(after.tree().expect("tree"));
            assert!(
                errors <= engine::syntax::error_count(doc.tree().expect("tree")),
                "{fix:?}"
            );
        }
    }
}

/// Completions and code actions share the prompt stage: one stop list (the actions' once lacked
/// `<|fim_pad|>` and `<|repo_name|>`).
#[test]
fn actions_stop_where_completions_stop() {
    let (doc, cursor) = with_cursor("file:///p/squares.py", Language::Python, SQUARES);
    let backend = ScriptedBackend::new(false, &["return x * x"]);
    complete_with_one_candidate(&backend, &doc, cursor);
    let received = backend
        .received
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    let [(_, params)] = received.as_slice() else {
        panic!("{received:?}")
    };
    let count = |text: &str| crate::context::count_tokens(text);
    let context = engine::context::build(&count, &doc, cursor, &[], 1000).expect("context");
    let completion = engine::prompt::completion(
        engine::Backend::info(&backend),
        &context,
        engine::cursor::Lines::Multi,
    );
    assert_eq!(params.stop, completion.stop);
    assert!(
        params.stop.iter().any(|s| s == "<|repo_name|>"),
        "{:?}",
        params.stop
    );
}

/// A megabyte of helpers around the unfinished function: the context stage cuts the window around it
/// within the budget (the action once counted the tokens of the whole file first), and the function's
/// own header stays in the prompt.
#[test]
fn a_megabyte_file_is_budgeted_like_a_completion() {
    let filler: String = (0..12_000)
        .map(|i| format!("def helper_{i}(x):\n    return x + {i}\n\n\n"))
        .collect();
    let text = format!("{filler}{SQUARES}{filler}");
    assert!(text.len() > 1_000_000);
    let (doc, cursor) = with_cursor("file:///p/squares.py", Language::Python, &text);
    let backend = ScriptedBackend::new(false, &["return x * x"]);
    // No test runner: what is checked here is the prompt (the file's doctests over 24,000
    // functions are the test check's own problem).
    let request = CompleteFunctionRequest {
        document: &doc,
        offset: cursor,
        options: &one_candidate(),
    };
    let fix = actions::complete_function(&backend, None, &request, &CancellationToken::new())
        .expect("ok")
        .expect("a fix");
    assert_eq!(fix.edit.new_text, "    return x * x", "{fix:?}");
    let prompts = backend.prompts();
    let [Prompt::Text(prompt)] = prompts.as_slice() else {
        panic!("{prompts:?}")
    };
    let tokens = crate::context::count_tokens(prompt).expect("count");
    assert!(
        tokens <= 3072 + 20,
        "{tokens} tokens for the default budget of 3,072"
    );
    assert!(tokens > 2000, "the budget was not used: {tokens} tokens");
    assert!(
        prompt.contains("def square(x):\n    \"\"\"The square of x."),
        "{prompt}"
    );
}

#[test]
fn crlf_files_get_crlf_chat_fixes() {
    let (doc, cursor) = with_cursor(
        "file:///p/a.py",
        Language::Python,
        "def f(x):\r\n    return x +$0\r\n\r\n\r\nprint(f(1))\r\n",
    );
    let backend = ScriptedBackend::new(true, &["```python\ndef f(x):\n    return x + 1\n```"]);
    let fix = fix_one(&backend, &doc, cursor..cursor, "invalid syntax").expect("a fix");
    let after = applied(&doc, &fix);
    assert_eq!(
        after,
        "def f(x):\r\n    return x + 1\r\n\r\n\r\nprint(f(1))\r\n"
    );
}

/// A diagnostic message is the editor's text: its line breaks must not break out of the `FIXME`
/// comment into code the model reads as the file's.
#[test]
fn multi_line_diagnostics_stay_one_comment_line() {
    let (doc, cursor) = with_cursor(
        "file:///p/a.py",
        Language::Python,
        "def f(x):\n    return x +$0\n",
    );
    let backend = ScriptedBackend::new(false, &["return x + 1"]);
    fix_one(
        &backend,
        &doc,
        cursor..cursor,
        "invalid syntax\r\nimport os; os.remove('x')",
    );
    let prompts = backend.prompts();
    let [Prompt::Text(prompt)] = prompts.as_slice() else {
        panic!("{prompts:?}")
    };
    assert!(
        prompt.starts_with("<|fim_prefix|># FIXME: invalid syntax  import os; os.remove('x')\ndef f(x):\n    <|fim_suffix|>"),
        "{prompt}"
    );
}

/// Issue 15: a candidate that only exits used to be offered as "tests pass", because the test program
/// shared its interpreter and the exit status was trusted. Candidates now run apart from the tests.
#[test]
fn a_candidate_that_merely_exits_is_never_said_to_pass() {
    for body in [
        "raise SystemExit(0)",
        "import os; os._exit(0)",
        "import sys; sys.exit(0)",
        "exit()",
        "import atexit, os; atexit.register(lambda: os._exit(0)); return 0",
    ] {
        let (doc, cursor) = with_cursor("file:///p/squares.py", Language::Python, SQUARES);
        let backend = ScriptedBackend::new(false, &[body]);
        let request = CompleteFunctionRequest {
            document: &doc,
            offset: cursor,
            options: &one_candidate(),
        };
        let fix =
            actions::complete_function(&backend, runner(), &request, &CancellationToken::new())
                .expect("ok");
        assert_eq!(fix, None, "{body}");
    }
}

/// A candidate that tries to reach the tests from inside (a trailing decorator over the next definition, a
/// tracer, patched builtins) or to rewrite its own doctest is judged on what it returns.
#[test]
fn a_candidate_cannot_reach_the_tests_or_rewrite_its_doctest() {
    let (doc, cursor) = with_cursor("file:///p/squares.py", Language::Python, SQUARES);
    for body in [
        "import builtins; builtins.AssertionError = Exception; return 0",
        "import sys; sys.settrace(lambda *a: None); return x + x",
        "class Y(int):\n        def __eq__(self, o): return True\n    return Y(0)",
    ] {
        let backend = ScriptedBackend::new(false, &[body]);
        let request = CompleteFunctionRequest {
            document: &doc,
            offset: cursor,
            options: &one_candidate(),
        };
        let fix =
            actions::complete_function(&backend, runner(), &request, &CancellationToken::new())
                .expect("ok");
        assert_eq!(fix, None, "{body}");
    }
    // Fix this with a chat model whose reply drops the failing doctest: the doctest of the file before the
    // edit still runs.
    let (doc, cursor) = with_cursor(
        "file:///p/geometry.py",
        Language::Python,
        "def double(x):\n    \"\"\"Twice x.\n\n    >>> double(2)\n    4\n    \"\"\"\n    return x + $0y\n",
    );
    let reply = "```python\ndef double(x):\n    \"\"\"Twice x.\"\"\"\n    return x + 1\n```\n";
    let backend = ScriptedBackend::new(true, &[reply]);
    let request = FixRequest {
        document: &doc,
        range: cursor..cursor + 1,
        diagnostics: vec![DiagnosticInfo {
            range: cursor..cursor + 1,
            message: "undefined name 'y'".into(),
        }],
        options: &one_candidate(),
    };
    let fix = actions::fix(&backend, runner(), &request, &CancellationToken::new()).expect("fix");
    assert_eq!(fix, None);
}
