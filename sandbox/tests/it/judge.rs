//! Trials: tests and the code they test in separate interpreters, calls crossing as plain data.

use std::time::Duration;

use sandbox::{Limits, Trial, TrialOutcome, TrialVerdict};

use crate::{limits, sandbox};

fn judge(code: &str, tests: &str) -> TrialOutcome {
    let trial = Trial {
        code: code.to_owned(),
        bind: vec![("f".to_owned(), "f".to_owned())],
        tests: tests.to_owned(),
        ..Trial::default()
    };
    sandbox()
        .judge_blocking(&trial, &limits())
        .unwrap_or_else(|e| panic!("host error: {e}"))
}

#[test]
fn plain_values_cross_both_ways_unchanged() {
    let code = "def f(*args, **kwargs):\n    return [args, kwargs]\n";
    let tests = r#"
values = [None, True, False, 0, -7, 10**40, 1.5, float('inf'), -0.0, 'é\n', b'\x00\xff',
          [1, [2]], (1, (2,)), {'a': {1: (2,)}}, {1, 2}, frozenset({3})]
for v in values:
    args, kwargs = f(v, key=v)
    assert args == (v,) and kwargs == {'key': v}, (v, args, kwargs)
    assert type(args[0]) is type(v), (v, type(args[0]))
nan = f(float('nan'))[0][0]
assert nan != nan
"#;
    let out = judge(code, tests);
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
    assert_eq!(out.calls, 17);
}

#[test]
fn mutated_arguments_are_mirrored_and_exceptions_re_raised() {
    let code = "def f(xs):\n    xs.append(1)\n    if len(xs) > 2:\n        raise ValueError('long')\n    return len(xs)\n";
    let tests = r#"
xs = []
assert f(xs) == 1 and xs == [1]
assert f(xs) == 2 and xs == [1, 1]
try:
    f(xs)
    raise AssertionError('no exception')
except ValueError as e:
    assert str(e) == 'long'
"#;
    let out = judge(code, tests);
    assert_eq!(out.verdict, TrialVerdict::Passed, "{out:?}");
}

#[test]
fn each_way_the_code_can_end_has_its_verdict() {
    let tests = "assert f() == 1\n";
    for (code, verdict) in [
        ("def f():\n    return 1\n", TrialVerdict::Passed),
        ("def f():\n    return 2\n", TrialVerdict::Failed),
        (
            "def f():\n    import os\n    os._exit(0)\n",
            TrialVerdict::CodeExited,
        ),
        ("import sys\nsys.exit(0)\n", TrialVerdict::CodeExited),
        ("def f(:\n", TrialVerdict::Error),
        ("def f():\n    return object()\n", TrialVerdict::Error),
        (
            "def f():\n    while True:\n        pass\n",
            TrialVerdict::Timeout,
        ),
    ] {
        let trial = Trial {
            code: code.to_owned(),
            bind: vec![("f".to_owned(), "f".to_owned())],
            tests: tests.to_owned(),
            ..Trial::default()
        };
        let tight = Limits {
            timeout: Duration::from_secs(4),
            ..limits()
        };
        let out = sandbox()
            .judge_blocking(&trial, &tight)
            .unwrap_or_else(|e| panic!("host error: {e}"));
        assert_eq!(out.verdict, verdict, "{code}: {out:?}");
    }
}

#[test]
fn tests_that_pass_objects_are_unsupported_and_cases_are_collected() {
    let out = judge(
        "def f(x):\n    return 1\n",
        "__qwen_lsp_report('one', True, '', 3)\nf(object())\n",
    );
    assert_eq!(out.verdict, TrialVerdict::Unsupported, "{out:?}");
    assert_eq!(out.cases.len(), 1);
    assert_eq!(out.cases[0].line, Some(3));
}
