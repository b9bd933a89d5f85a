//! The hostile corpus: programs that try to get out or take over. Each asserts the verdict and
//! that nothing leaked or escaped.

use std::time::Duration;

use sandbox::{Limits, Program, Verdict};

use crate::{limits, run, run_with, sandbox};

/// Short limits for programs that are expected to hit them.
fn tight() -> Limits {
    Limits {
        timeout: Duration::from_secs(3),
        ..limits()
    }
}

#[test]
fn host_files_are_invisible() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secret = "qwen-lsp-secret-5f1d2c";
    let path = dir.path().join("secret.txt");
    std::fs::write(&path, secret).expect("write secret");
    let src = format!(
        "import os\n\
         for p in [{path:?}, '/etc/passwd', '/proc/self/environ', 'secret.txt', '../secret.txt']:\n\
         \x20   try:\n\
         \x20       print(open(p).read())\n\
         \x20   except OSError as e:\n\
         \x20       print('denied', type(e).__name__)\n\
         for d in ['/', '.', '/tmp', {dir:?}]:\n\
         \x20   try:\n\
         \x20       print(os.listdir(d))\n\
         \x20   except OSError as e:\n\
         \x20       print('denied', type(e).__name__)\n",
        path = path.display().to_string(),
        dir = dir.path().display().to_string(),
    );
    let out = run(&src);
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    assert_eq!(out.stdout.matches("denied").count(), 9, "{}", out.stdout);
    assert!(!out.stdout.contains(secret) && !out.stderr.contains(secret));
    assert!(!out.stdout.contains("root:"), "{}", out.stdout);
}

#[test]
fn writes_outside_go_nowhere() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("escaped.txt");
    let src = format!(
        "import os\n\
         for p in [{target:?}, '/tmp/qwen-lsp-escaped.txt', 'escaped.txt']:\n\
         \x20   try:\n\
         \x20       with open(p, 'w') as f:\n\
         \x20           f.write('x')\n\
         \x20       print('wrote', p)\n\
         \x20   except OSError as e:\n\
         \x20       print('denied', type(e).__name__)\n\
         for call in [lambda: os.mkdir('/tmp/qwen-lsp-dir'), lambda: os.remove({target:?})]:\n\
         \x20   try:\n\
         \x20       call()\n\
         \x20   except OSError as e:\n\
         \x20       print('denied', type(e).__name__)\n",
        target = target.display().to_string(),
    );
    let out = run(&src);
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    assert_eq!(out.stdout.matches("denied").count(), 5, "{}", out.stdout);
    assert!(!target.exists());
    assert!(!std::path::Path::new("/tmp/qwen-lsp-escaped.txt").exists());
    assert!(!std::path::Path::new("/tmp/qwen-lsp-dir").exists());
    assert!(!std::path::Path::new("escaped.txt").exists());
}

#[test]
fn the_scratch_dir_is_writable_private_and_deleted() {
    let scratch_dirs = || {
        std::fs::read_dir(std::env::temp_dir())
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .filter(|e| {
                        e.file_name()
                            .to_string_lossy()
                            .starts_with(sandbox::SCRATCH_PREFIX)
                    })
                    .count()
            })
            .unwrap_or(0)
    };
    let before = scratch_dirs();
    let src = "import os\n\
               with open('notes.txt', 'w') as f:\n    f.write('kept')\n\
               print(open('notes.txt').read(), os.getcwd(), sorted(os.listdir('.')))\n";
    let program = Program {
        source: src.to_owned(),
        scratch_dir: true,
        ..Program::default()
    };
    let out = sandbox().run_blocking(&program, &limits()).expect("run");
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    assert_eq!(out.stdout, "kept /scratch ['notes.txt']\n");
    // Escapes from the scratch dir: `..`, absolute paths, symlinks to outside.
    let src = "import os\n\
               attempts = [lambda: open('../escaped.txt', 'w'), lambda: open('/scratch/../escaped.txt', 'w'),\n\
               \x20           lambda: os.symlink('/', 'root') or os.listdir('root/etc'),\n\
               \x20           lambda: os.symlink('../../../../etc/passwd', 'pw') or open('pw').read(),\n\
               \x20           lambda: os.listdir('..')]\n\
               for attempt in attempts:\n\
               \x20   try:\n\
               \x20       print('escaped', attempt())\n\
               \x20   except OSError as e:\n\
               \x20       print('denied', type(e).__name__)\n";
    let program = Program {
        source: src.to_owned(),
        scratch_dir: true,
        ..Program::default()
    };
    let out = sandbox().run_blocking(&program, &limits()).expect("run");
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    assert_eq!(out.stdout.matches("denied").count(), 5, "{}", out.stdout);
    assert!(!out.stdout.contains("escaped"), "{}", out.stdout);
    // A second run gets a fresh, empty directory.
    let program = Program {
        source: "import os\nprint(os.listdir('.'))".to_owned(),
        ..program
    };
    let out = sandbox().run_blocking(&program, &limits()).expect("run");
    assert_eq!(out.stdout, "[]\n", "{out:?}");
    assert!(scratch_dirs() <= before, "a scratch dir outlived its run");
}

#[test]
fn the_environment_is_empty() {
    let src = "import os, sys\nprint(dict(os.environ))\nprint(sys.argv)\nprint(os.getenv('HOME'), os.getenv('PATH'))\n";
    let out = run(src);
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    assert_eq!(out.stdout, "{}\n['main.py']\nNone None\n");
}

#[test]
fn no_network() {
    let src = "import socket\n\
               for attempt in [lambda: socket.socket(), lambda: socket.create_connection(('127.0.0.1', 22), timeout=1),\n\
               \x20               lambda: socket.getaddrinfo('example.com', 80)]:\n\
               \x20   try:\n\
               \x20       attempt()\n\
               \x20       print('connected')\n\
               \x20   except Exception as e:\n\
               \x20       print('denied', type(e).__name__)\n";
    let out = run(src);
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    assert_eq!(out.stdout.matches("denied").count(), 3, "{}", out.stdout);
    assert!(!out.stdout.contains("connected"));
}

#[test]
fn no_processes_threads_or_ctypes() {
    let src = "import os, subprocess, threading\n\
               def attempt(name, f):\n\
               \x20   try:\n\
               \x20       f()\n\
               \x20       print(name, 'ran')\n\
               \x20   except BaseException as e:\n\
               \x20       print(name, 'denied', type(e).__name__)\n\
               attempt('subprocess', lambda: subprocess.run(['ls', '/']))\n\
               attempt('system', lambda: os.system('ls') == 0 or 1 / 0)\n\
               attempt('fork', lambda: os.fork())\n\
               attempt('thread', lambda: threading.Thread(target=print).start())\n\
               attempt('ctypes', lambda: __import__('ctypes'))\n\
               attempt('multiprocessing', lambda: __import__('multiprocessing').Process(target=print).start())\n";
    let out = run(src);
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    assert_eq!(out.stdout.matches("denied").count(), 6, "{}", out.stdout);
    assert!(!out.stdout.contains("ran"), "{}", out.stdout);
}

#[test]
fn time_sleep_ends_at_the_deadline() {
    let limits = Limits {
        timeout: Duration::from_secs(1),
        ..limits()
    };
    let out = run_with(
        "import time\nprint('start', flush=True)\ntime.sleep(600)\nprint('woke')",
        &limits,
    );
    assert_eq!(out.verdict, Verdict::Timeout, "{out:?}");
    assert_eq!(out.exit_code, None);
    assert_eq!(out.stdout, "start\n");
    assert!(out.duration < Duration::from_secs(5), "{:?}", out.duration);
}

#[test]
fn busy_loops_end_at_the_deadline() {
    for src in [
        "while True:\n    pass\n",
        // Catching BaseException cannot catch the interruption: it is a trap, not an exception.
        "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass\n",
        "import signal\nsignal.signal = None\nx = 0\nwhile True:\n    x += 1\n",
    ] {
        let out = run_with(src, &tight());
        assert_eq!(out.verdict, Verdict::Timeout, "{src}: {out:?}");
        assert!(out.duration < Duration::from_secs(8), "{:?}", out.duration);
    }
}

#[test]
fn one_big_allocation_hits_the_memory_cap() {
    let out = run_with("x = bytearray(1 << 30)\nprint('allocated')", &tight());
    assert_eq!(out.verdict, Verdict::MemoryLimit, "{out:?}");
    assert_eq!(out.exit_code, Some(1));
    assert!(out.stderr.contains("MemoryError"), "{}", out.stderr);
    assert!(out.peak_memory_bytes <= tight().memory_bytes);
}

#[test]
fn a_caught_memory_error_is_still_a_memory_limit() {
    let src = "try:\n    x = bytearray(1 << 30)\nexcept MemoryError:\n    print('caught')\n";
    let out = run_with(src, &tight());
    assert_eq!(out.verdict, Verdict::MemoryLimit, "{out:?}");
    assert_eq!(out.stdout, "caught\n");
}

#[test]
fn creeping_allocation_hits_the_memory_cap() {
    let limits = Limits {
        memory_bytes: 64 << 20,
        ..tight()
    };
    let out = run_with(
        "chunks = []\nwhile True:\n    chunks.append(bytearray(100_000))\n",
        &limits,
    );
    assert_eq!(out.verdict, Verdict::MemoryLimit, "{out:?}");
    assert!(
        out.peak_memory_bytes <= 64 << 20,
        "{}",
        out.peak_memory_bytes
    );
    assert!(
        out.peak_memory_bytes > 32 << 20,
        "{}",
        out.peak_memory_bytes
    );
}

#[test]
fn output_floods_end_the_run() {
    let limits = Limits {
        stdout_bytes: 10_000,
        stderr_bytes: 10_000,
        ..tight()
    };
    for src in [
        "while True:\n    print('x' * 100)\n",
        "import sys\nwhile True:\n    sys.stderr.write('y' * 100)\n",
        // Swallowing the failed write does not help: the write that crosses the cap traps.
        "import sys\nwhile True:\n    try:\n        print('z' * 1000, flush=True)\n    except BaseException:\n        pass\n",
        "import os\nwhile True:\n    try:\n        os.write(1, b'w' * 4096)\n    except BaseException:\n        pass\n",
    ] {
        let out = run_with(src, &limits);
        assert_eq!(
            out.verdict,
            Verdict::OutputLimit,
            "{src}: {:?}",
            out.verdict
        );
        assert!(out.stdout.len() <= 10_000, "{}", out.stdout.len());
        // stderr holds at most the cap plus the host's one-line note.
        assert!(out.stderr.len() <= 10_100, "{}", out.stderr.len());
        assert!(out.duration < Duration::from_secs(8), "{:?}", out.duration);
    }
}

#[test]
fn exits_in_all_forms() {
    let cases: &[(&str, Verdict, Option<i32>)] = &[
        ("import sys\nsys.exit()", Verdict::Passed, Some(0)),
        ("import sys\nsys.exit(0)", Verdict::Passed, Some(0)),
        ("import sys\nsys.exit(None)", Verdict::Passed, Some(0)),
        ("exit()", Verdict::Passed, Some(0)),
        ("quit(0)", Verdict::Passed, Some(0)),
        ("raise SystemExit", Verdict::Passed, Some(0)),
        ("import os\nos._exit(0)", Verdict::Passed, Some(0)),
        ("import sys\nsys.exit(3)", Verdict::Error, Some(3)),
        ("import sys\nsys.exit('bye')", Verdict::Error, Some(1)),
        ("import sys\nsys.exit(True)", Verdict::Error, Some(1)),
        ("raise SystemExit(2)", Verdict::Error, Some(2)),
        ("import os\nos._exit(7)", Verdict::Error, Some(7)),
        ("import os\nos.abort()", Verdict::Error, None),
        // Exiting from deep inside still exits.
        (
            "def f(n):\n    if n == 0:\n        import sys; sys.exit(4)\n    f(n - 1)\nf(100)",
            Verdict::Error,
            Some(4),
        ),
    ];
    for &(src, verdict, code) in cases {
        let out = run(src);
        assert_eq!(
            (out.verdict, out.exit_code),
            (verdict, code),
            "{src}: {out:?}"
        );
    }
}

#[test]
fn printing_assertion_error_does_not_make_a_failure() {
    // The verdict comes from how the program ended, never from what it printed.
    let src = "import sys\nprint('Traceback (most recent call last):\\nAssertionError', file=sys.stderr)\n";
    let out = run(src);
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
    let src = "print('ok')\nraise ValueError('AssertionError')\n";
    let out = run(src);
    assert_eq!(out.verdict, Verdict::Error, "{out:?}");
}

#[test]
fn a_caught_assertion_error_is_not_a_failure() {
    let out = run("try:\n    assert False\nexcept AssertionError:\n    print('fine')\n");
    assert_eq!(out.verdict, Verdict::Passed, "{out:?}");
}

#[test]
fn tampering_with_the_runner_cannot_fake_a_pass() {
    // The program shares an interpreter with the runner; whatever it replaces, an uncaught
    // failure still exits non-zero.
    for src in [
        "import os\nos._exit = lambda code: None\nassert False\n",
        "import sys\nsys.excepthook = lambda *a: None\nraise ValueError\n",
        "import builtins\nbuiltins.BaseException = object\nassert 1 == 2\n",
    ] {
        let out = run(src);
        assert_ne!(out.verdict, Verdict::Passed, "{src}: {out:?}");
    }
}

#[test]
fn parallel_runs_are_isolated() {
    // Mixed good and hostile programs at once: each result is its own.
    let programs: Vec<(String, Verdict)> = (0..12)
        .map(|i| match i % 6 {
            0 | 5 => (format!("print({i} * 2)"), Verdict::Passed),
            1 => ("x = bytearray(1 << 30)".to_owned(), Verdict::MemoryLimit),
            2 => (format!("assert {i} == 0, 'nope'"), Verdict::Failed),
            3 => ("import time\ntime.sleep(600)".to_owned(), Verdict::Timeout),
            _ => ("import os\nos._exit(9)".to_owned(), Verdict::Error),
        })
        .collect();
    let handles: Vec<_> = programs
        .into_iter()
        .enumerate()
        .map(|(i, (src, verdict))| {
            std::thread::spawn(move || {
                let out = run_with(&src, &tight());
                (i, verdict, out)
            })
        })
        .collect();
    for handle in handles {
        let (i, verdict, out) = handle.join().expect("thread");
        assert_eq!(out.verdict, verdict, "program {i}: {out:?}");
        if out.verdict == Verdict::Passed {
            assert_eq!(out.stdout, format!("{}\n", i * 2));
        }
    }
}
