//! Sandbox benchmark: module compile time, cached load time, per-run overhead and throughput on
//! the bounded worker pool. Prints a table.
//!
//! `cargo run --release -p benches --bin sandbox` (needs `scripts/fetch-python-wasm.sh`).
//! Compiles CPython into a temporary cache dir, so the compile number is always a cold one.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use sandbox::{Config, Limits, Program, Sandbox, Verdict};

/// A small but real program: imports, a dict, a sort, a heap (what a LeetCode check costs).
const TYPICAL: &str = "import heapq, collections\n\
    counts = collections.Counter(i * 7919 % 1000 for i in range(20000))\n\
    print(heapq.nlargest(3, counts.items(), key=lambda kv: (kv[1], kv[0])))\n\
    print(sorted(counts)[:5])\n";

fn main() -> anyhow::Result<()> {
    let cache = std::env::temp_dir().join(format!("qwen-lsp-bench-sandbox-{}", std::process::id()));
    let config = Config {
        cache_dir: Some(cache.clone()),
        ..Config::default()
    };
    // The runtime itself stays where the fetch script put it.
    let config = Config {
        runtime_wasm: Some(Config::default().wasm_path()),
        ..config
    };
    let result = bench(&config);
    let _ = std::fs::remove_dir_all(&cache);
    result
}

fn bench(config: &Config) -> anyhow::Result<()> {
    let mut rows: Vec<(String, String)> = Vec::new();

    let sandbox = Sandbox::new(config).context("compile")?;
    rows.push((
        "module compile (cold, incl. rewrite)".into(),
        fmt(sandbox.load_stats().elapsed),
    ));

    let loads: Vec<Duration> = (0..5)
        .map(|_| Sandbox::new(config).map(|s| s.load_stats().elapsed))
        .collect::<Result<_, _>>()?;
    rows.push(("cached load (median of 5)".into(), fmt(median(loads))));

    let limits = Limits::default();
    let hello = Program {
        source: "print('hello')".into(),
        ..Program::default()
    };
    let typical = Program {
        source: TYPICAL.into(),
        ..Program::default()
    };
    for (name, program) in [("hello world", &hello), ("typical program", &typical)] {
        // One warm-up run (page cache, lazy init), then sequential runs.
        sandbox.run_blocking(program, &limits)?;
        let mut times = Vec::new();
        for _ in 0..10 {
            let started = Instant::now();
            let out = sandbox.run_blocking(program, &limits)?;
            anyhow::ensure!(out.verdict == Verdict::Passed, "{name}: {out:?}");
            times.push(started.elapsed());
        }
        rows.push((
            format!("per run, {name} (median of 10, sequential)"),
            fmt(median(times)),
        ));
    }

    // Trials (tests apart from the code they test): the cost of the second interpreter, and of
    // one call crossing between them (the difference of 1,001 and 1 calls, over 1,000).
    let trial = |calls: usize| sandbox::Trial {
        code: "def f(xs):\n    return sorted(xs)\n".into(),
        bind: vec![("f".into(), "f".into())],
        tests: format!("for _ in range({calls}):\n    assert f([3, 1, 2]) == [1, 2, 3]\n"),
        ..sandbox::Trial::default()
    };
    let mut per_trial = Vec::new();
    for calls in [1, 1001] {
        let trial = trial(calls);
        sandbox.judge_blocking(&trial, &limits)?;
        let mut times = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let out = sandbox.judge_blocking(&trial, &limits)?;
            anyhow::ensure!(
                out.verdict == sandbox::TrialVerdict::Passed,
                "trial: {out:?}"
            );
            times.push(started.elapsed());
        }
        per_trial.push(median(times));
    }
    rows.push(("per trial, 1 call (median of 5)".into(), fmt(per_trial[0])));
    rows.push((
        "per call crossing (1,001 - 1 calls, / 1,000)".into(),
        format!(
            "{:.0} us",
            per_trial[1].saturating_sub(per_trial[0]).as_secs_f64() * 1e6 / 1000.0
        ),
    ));

    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    for (name, program) in [("hello world", &hello), ("typical program", &typical)] {
        let n = 40;
        let started = Instant::now();
        let outcomes = runtime.block_on(async {
            // All submitted at once; the sandbox's pool runs `workers` of them at a time.
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..n {
                let (sandbox, program, limits) = (sandbox.clone(), program.clone(), limits.clone());
                set.spawn(async move { sandbox.run(&program, &limits).await });
            }
            set.join_all().await
        });
        let elapsed = started.elapsed();
        for out in outcomes {
            anyhow::ensure!(out?.verdict == Verdict::Passed, "{name} failed");
        }
        rows.push((
            format!("throughput, {name} ({n} runs, {workers} workers)"),
            format!("{:.1} programs/s", f64::from(n) / elapsed.as_secs_f64()),
        ));
    }

    // The differential corpus: how much slower the sandbox is than native python3, per program
    // (CPython start-up included on both sides).
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sandbox/tests/it/programs");
    let mut files: Vec<_> = std::fs::read_dir(&corpus)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    // The interpreter itself, not a launcher script (pyenv's shim adds ~100 ms per start).
    let python = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()?;
    let python = String::from_utf8(python.stdout)?.trim().to_owned();
    let (mut native_total, mut sandbox_total) = (Duration::ZERO, Duration::ZERO);
    for path in &files {
        let started = Instant::now();
        let native = std::process::Command::new(&python).arg(path).output()?;
        native_total += started.elapsed();
        anyhow::ensure!(native.status.success(), "{} fails natively", path.display());
        let program = Program {
            source: std::fs::read_to_string(path)?,
            ..Program::default()
        };
        let started = Instant::now();
        let out = sandbox.run_blocking(&program, &limits)?;
        sandbox_total += started.elapsed();
        anyhow::ensure!(
            out.stdout.as_bytes() == native.stdout,
            "{} differs",
            path.display()
        );
    }
    rows.push((
        format!(
            "differential corpus ({} programs), native python3",
            files.len()
        ),
        fmt(native_total),
    ));
    rows.push((
        format!("differential corpus ({} programs), sandbox", files.len()),
        format!(
            "{} ({:.1}x)",
            fmt(sandbox_total),
            sandbox_total.as_secs_f64() / native_total.as_secs_f64()
        ),
    ));

    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    println!("| {:width$} | {:>16} |", "sandbox", "value");
    println!("|{}|{}|", "-".repeat(width + 2), "-".repeat(18));
    for (k, v) in rows {
        println!("| {k:width$} | {v:>16} |");
    }
    Ok(())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn fmt(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
}
