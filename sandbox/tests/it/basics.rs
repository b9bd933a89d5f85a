//! Verdicts and plumbing for ordinary programs: exit statuses, exceptions, stdin, args, output,
//! serialization, and the two ways of calling (async and blocking).

use std::time::Duration;

use sandbox::{Limits, Program, Verdict};

use crate::{limits, run, sandbox};

#[test]
fn hello_world_passes() {
    let out = run("print('hello, world')");
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    assert_eq!(out.exit_code, Some(0));
    assert_eq!(out.stdout, "hello, world\n");
    assert_eq!(out.stderr, "");
    assert!(out.peak_memory_bytes > 0);
}

#[test]
fn an_uncaught_assertion_error_fails() {
    let out = run("def check(x):\n    assert x == 2, 'x should be 2'\ncheck(1)\n");
    assert_eq!(out.verdict, Verdict::Failed, "{out:?}");
    assert_eq!(out.exit_code, Some(1));
    // The traceback reads as native CPython's: the program's file, line and source text.
    assert!(
        out.stderr
            .starts_with("Traceback (most recent call last):\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("File \"main.py\", line 3, in <module>"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("assert x == 2, 'x should be 2'"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with("AssertionError: x should be 2\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn other_uncaught_exceptions_are_errors() {
    for (src, name) in [
        ("raise ValueError('bad')", "ValueError: bad"),
        ("print(undefined_name)", "NameError"),
        ("1 / 0", "ZeroDivisionError"),
        ("raise KeyboardInterrupt", "KeyboardInterrupt"),
        (
            "class E(AssertionError.__base__):\n    pass\nraise E('sub')",
            "E: sub",
        ),
    ] {
        let out = run(src);
        assert_eq!(
            (out.verdict, out.exit_code),
            (Verdict::Error, Some(1)),
            "{src}: {out:?}"
        );
        assert!(out.stderr.contains(name), "{src}: {}", out.stderr);
    }
}

#[test]
fn a_subclass_of_assertion_error_is_a_failure() {
    let out = run("class Mismatch(AssertionError):\n    pass\nraise Mismatch('no')");
    assert_eq!(out.verdict, Verdict::Failed, "{out:?}");
}

#[test]
fn a_syntax_error_is_an_error() {
    let out = run("def f(:\n    pass\n");
    assert_eq!(
        (out.verdict, out.exit_code),
        (Verdict::Error, Some(1)),
        "{out:?}"
    );
    assert!(out.stderr.contains("SyntaxError"), "{}", out.stderr);
    assert!(out.stderr.contains("main.py"), "{}", out.stderr);
}

#[test]
fn a_nul_byte_in_the_source_is_a_syntax_error() {
    let out = run("print('a')\0print('b')");
    assert_eq!(out.verdict, Verdict::Error, "{out:?}");
    assert!(out.stderr.contains("SyntaxError"), "{}", out.stderr);
}

#[test]
fn the_program_runs_as_main_in_a_clean_namespace() {
    let src = "print(__name__, __file__)\nprint(sorted(k for k in globals() if not k.startswith('__')))\n\
               if __name__ == '__main__':\n    print('main')\n";
    let out = run(src);
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    assert_eq!(out.stdout, "__main__ main.py\n[]\nmain\n");
    // Names the runner used are not visible: `sys` needs an import, as natively.
    let out = run("print(sys.argv)");
    assert_eq!(out.verdict, Verdict::Error, "{out:?}");
    assert!(
        out.stderr.contains("NameError: name 'sys' is not defined"),
        "{}",
        out.stderr
    );
}

#[test]
fn stdin_and_args_reach_the_program() {
    let program = Program {
        source: "import sys\nprint(sys.argv)\nprint(int(input()) + int(input()))\nprint(repr(sys.stdin.read()))".to_owned(),
        stdin: b"40\n2\nrest\n".to_vec(),
        args: vec!["--flag".to_owned(), "two words".to_owned()],
        scratch_dir: false,
    };
    let out = sandbox().run_blocking(&program, &limits()).expect("run");
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    assert_eq!(
        out.stdout,
        "['main.py', '--flag', 'two words']\n42\n'rest\\n'\n"
    );
}

#[test]
fn unicode_output_round_trips() {
    let out = run("print('héllo ✓ 😀 日本')\nimport sys\nprint('ß', file=sys.stderr)");
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    assert_eq!(out.stdout, "héllo ✓ 😀 日本\n");
    assert_eq!(out.stderr, "ß\n");
}

#[test]
fn outcome_serializes_for_the_cli() {
    let out = run("print('hi')");
    let json = serde_json::to_value(&out).expect("serialize");
    assert_eq!(json["verdict"], "passed");
    assert_eq!(json["exit_code"], 0);
    assert_eq!(json["stdout"], "hi\n");
    assert_eq!(json["stderr"], "");
    assert_eq!(json["duration_ms"], out.duration_ms());
    let back: sandbox::Outcome = serde_json::from_value(json).expect("deserialize");
    assert_eq!(back.verdict, out.verdict);
    assert_eq!(
        serde_json::to_value(Verdict::MemoryLimit).expect("verdict"),
        "memory_limit"
    );
    assert_eq!(
        serde_json::to_value(Verdict::OutputLimit).expect("verdict"),
        "output_limit"
    );
}

#[test]
fn run_works_from_async_code_and_from_spawn_blocking() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let program = Program {
        source: "print(6 * 7)".to_owned(),
        ..Program::default()
    };
    let (from_async, from_blocking) = runtime.block_on(async {
        let from_async = sandbox().run(&program, &limits()).await.expect("async run");
        let p = program.clone();
        let from_blocking =
            tokio::task::spawn_blocking(move || sandbox().run_blocking(&p, &limits()))
                .await
                .expect("join")
                .expect("blocking run");
        (from_async, from_blocking)
    });
    assert_eq!(from_async.stdout, "42\n");
    assert_eq!(from_blocking.stdout, "42\n");
}

#[test]
fn a_dropped_sandbox_in_async_code_does_not_panic() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let own = sandbox().clone();
        drop(own);
        let fresh = sandbox::Sandbox::new(&sandbox::Config::default()).expect("cached load");
        let out = fresh
            .run(
                &Program {
                    source: "print(1)".to_owned(),
                    ..Program::default()
                },
                &limits(),
            )
            .await
            .expect("run");
        assert_eq!(out.stdout, "1\n");
        drop(fresh);
    });
}

#[test]
fn fuel_bounds_a_busy_loop_deterministically() {
    let limits = Limits {
        fuel: Some(2_000_000_000),
        timeout: Duration::from_secs(60),
        ..limits()
    };
    let out = crate::run_with("while True:\n    pass\n", &limits);
    assert_eq!(out.verdict, Verdict::Timeout, "{out:?}");
    assert!(out.stderr.contains("fuel"), "{}", out.stderr);
    let out = crate::run_with("print(sum(range(1000)))", &limits);
    assert_eq!(
        (out.verdict, out.stdout.as_str()),
        (Verdict::Passed, "499500\n"),
        "{out:?}"
    );
}

#[test]
fn extreme_limits_are_not_a_crash() {
    let huge = Limits {
        timeout: Duration::MAX,
        memory_bytes: usize::MAX,
        stdout_bytes: usize::MAX,
        stderr_bytes: usize::MAX,
        fuel: None,
    };
    let out = crate::run_with("print('ok')", &huge);
    assert_eq!(
        (out.verdict, out.stdout.as_str()),
        (Verdict::Passed, "ok\n"),
        "{out:?}"
    );
    let nothing = Limits {
        timeout: Duration::ZERO,
        ..limits()
    };
    assert_eq!(
        crate::run_with("print('ok')", &nothing).verdict,
        Verdict::Timeout
    );
    let no_memory = Limits {
        memory_bytes: 0,
        ..limits()
    };
    assert_eq!(
        crate::run_with("print('ok')", &no_memory).verdict,
        Verdict::MemoryLimit
    );
    let no_output = Limits {
        stdout_bytes: 0,
        ..limits()
    };
    assert_eq!(
        crate::run_with("print('ok')", &no_output).verdict,
        Verdict::OutputLimit
    );
}

#[test]
fn a_missing_runtime_is_a_clear_error() {
    let config = sandbox::Config {
        runtime_wasm: Some("/nonexistent/python.wasm".into()),
        cache_dir: Some(std::env::temp_dir()),
        workers: Some(1),
    };
    match sandbox::Sandbox::new(&config) {
        Err(e @ sandbox::Error::RuntimeMissing { .. }) => {
            assert!(e.to_string().contains("fetch-python-wasm.sh"), "{e}");
        }
        other => panic!("expected RuntimeMissing, got {other:?}"),
    }
}
