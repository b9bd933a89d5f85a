//! Differential test: ordinary LeetCode-style programs (`programs/*.py`) print the same stdout in
//! the sandbox as under the host's native `python3`.

use std::path::PathBuf;
use std::process::Command;

use sandbox::{Program, Verdict};

use crate::{limits, sandbox};

fn programs() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/programs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/it/programs")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    files.sort();
    files
}

#[test]
fn ordinary_programs_match_native_python() {
    let files = programs();
    assert!(files.len() >= 15, "corpus shrank: {files:?}");
    // Run them all in parallel through the pool: this is also the "many runs at once" check.
    let jobs: Vec<_> = files
        .iter()
        .map(|path| {
            let source = std::fs::read_to_string(path).expect("read program");
            let program = Program {
                source,
                ..Program::default()
            };
            let path = path.clone();
            std::thread::spawn(move || (path, sandbox().run_blocking(&program, &limits())))
        })
        .collect();
    let mut mismatches = Vec::new();
    for job in jobs {
        let (path, outcome) = job.join().expect("thread");
        let outcome = outcome.expect("host error");
        let native = Command::new("python3")
            .arg(&path)
            .output()
            .expect("native python3 on PATH");
        assert!(native.status.success(), "{} fails natively", path.display());
        let native_stdout = String::from_utf8_lossy(&native.stdout);
        if outcome.verdict != Verdict::Passed || outcome.stdout != native_stdout {
            mismatches.push(format!(
                "{}: {:?}\n--- sandbox stdout\n{}--- native stdout\n{}--- sandbox stderr\n{}",
                path.display(),
                outcome.verdict,
                outcome.stdout,
                native_stdout,
                outcome.stderr
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
