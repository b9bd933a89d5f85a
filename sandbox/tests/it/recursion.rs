//! Deep recursion: memoized recursion through `functools.cache` (a C-implemented wrapper) must
//! work as natively; recursion too deep for any stack must end as a clean error, never a crash.

use sandbox::{Limits, Verdict};

use crate::{limits, run, run_with};

fn cached_recursion(depth: u32) -> String {
    format!(
        "import functools, sys\n\
         sys.setrecursionlimit(100_000)\n\
         @functools.cache\n\
         def f(n):\n    return 0 if n == 0 else f(n - 1) + 1\n\
         print(f({depth}))\n"
    )
}

#[test]
fn functools_cache_recursion_1000_deep_passes() {
    let out = run(&cached_recursion(1000));
    assert_eq!(
        (out.verdict, out.stdout.as_str()),
        (Verdict::Passed, "1000\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn functools_cache_recursion_5000_deep_passes() {
    let out = run(&cached_recursion(5000));
    assert_eq!(
        (out.verdict, out.stdout.as_str()),
        (Verdict::Passed, "5000\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn lru_cache_dp_on_a_grid_passes() {
    // The everyday LeetCode shape: memoized DFS with two arguments, 600 levels deep.
    let src = "from functools import lru_cache\nimport sys\nsys.setrecursionlimit(10**6)\n\
               @lru_cache(maxsize=None)\n\
               def paths(r, c):\n    if r == 0 or c == 0:\n        return 1\n    \
               return (paths(r - 1, c) + paths(r, c - 1)) % 1_000_000_007\n\
               print(paths(300, 300))\n";
    let out = run(src);
    assert_eq!(out.verdict, Verdict::Passed, "{}", out.stderr);
    assert_eq!(out.stdout, "272165270\n");
}

#[test]
fn pure_python_recursion_50000_deep_passes() {
    let src = "import sys\nsys.setrecursionlimit(100_000)\n\
               def f(n):\n    return 0 if n == 0 else f(n - 1) + 1\nprint(f(50_000))\n";
    let out = run(src);
    assert_eq!(
        (out.verdict, out.stdout.as_str()),
        (Verdict::Passed, "50000\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn runaway_cached_recursion_is_a_recursion_error_not_a_crash() {
    let src = "import functools, sys\nsys.setrecursionlimit(10**9)\n\
               @functools.cache\ndef f(n):\n    return f(n + 1)\nf(0)\n";
    let out = run(src);
    assert_eq!(out.verdict, Verdict::Error, "{out:?}");
    assert_eq!(
        out.exit_code,
        Some(1),
        "{}",
        &out.stderr[out.stderr.len().saturating_sub(3000)..]
    );
    assert!(out.stderr.contains("RecursionError"), "{}", out.stderr);
}

#[test]
fn runaway_python_recursion_with_a_raised_limit_hits_the_memory_cap() {
    // Python frames live on the heap in 3.12: unbounded recursion is a memory bomb.
    let src =
        "import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return f(n + 1) + 1\nf(0)\n";
    let limits = Limits {
        memory_bytes: 48 << 20,
        ..limits()
    };
    let out = run_with(src, &limits);
    assert_eq!(out.verdict, Verdict::MemoryLimit, "{out:?}");
    assert!(out.peak_memory_bytes <= 48 << 20);
}

#[test]
fn deeply_nested_code_is_an_error_not_a_crash() {
    // Recursion inside the parser, the compiler, repr and json: all C code.
    for src in [
        "eval('(' * 100_000 + ')' * 100_000)",
        "eval('-' * 1_000_000 + '1')",
        "eval('1+' * 300_000 + '1')",
        "x = []\nfor _ in range(100_000):\n    x = [x]\nprint(len(repr(x)))",
        "import json\nx = []\nfor _ in range(100_000):\n    x = [x]\njson.dumps(x)",
    ] {
        let out = run(src);
        assert_eq!(out.verdict, Verdict::Error, "{}: {out:?}", &src[..20]);
        // CPython's own guards answer (parser stack, C recursion limit), not a trap.
        let last = out.stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("RecursionError") || last.starts_with("MemoryError: Parser"),
            "{last}"
        );
    }
}

#[test]
fn a_recursion_error_through_alternating_frames_is_an_error_not_an_output_flood() {
    // The traceback alternates two frames, so CPython cannot fold it into "[Previous line
    // repeated]"; printed whole it would be megabytes.
    let src = "import sys\nsys.setrecursionlimit(10**9)\n\
               def f(n):\n    return sorted([n], key=lambda x: f(x - 1) if x > 0 else 0)\nf(100000)\n";
    let out = run(src);
    assert_eq!(out.verdict, Verdict::Error, "{:?}", out.verdict);
    assert!(out.stderr.len() < 100_000, "{}", out.stderr.len());
    let last = out.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("RecursionError: maximum recursion depth exceeded"),
        "{}",
        out.stderr
    );
}
