//! Verdicts and plumbing for ordinary programs: exit statuses, exceptions, stdin, args, output.

use sandbox::{Program, Verdict};

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
