//! The sandbox's integration tests: one binary, one shared [`Sandbox`] (compiling CPython is the
//! expensive part; the first test to need it loads it from the cache or compiles it once).

mod basics;
mod differential;
mod hostile;
mod judge;
mod recursion;

use std::sync::OnceLock;
use std::time::Duration;

use sandbox::{Config, Limits, Outcome, Program, Sandbox};

/// The sandbox every test shares. Panics (failing the test) when the runtime is missing: run
/// `scripts/fetch-python-wasm.sh` first, as `scripts/test.sh` does.
pub fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| match Sandbox::new(&Config::default()) {
        Ok(sandbox) => sandbox,
        Err(e) => panic!("{e}"),
    })
}

/// Limits for tests: short enough that hostile programs end quickly, long enough for CPython's
/// start-up on a loaded 2-core machine.
pub fn limits() -> Limits {
    Limits {
        timeout: Duration::from_secs(20),
        ..Limits::default()
    }
}

/// Runs `source` with the test limits.
pub fn run(source: &str) -> Outcome {
    run_with(source, &limits())
}

pub fn run_with(source: &str, limits: &Limits) -> Outcome {
    let program = Program {
        source: source.to_owned(),
        ..Program::default()
    };
    match sandbox().run_blocking(&program, limits) {
        Ok(outcome) => outcome,
        Err(e) => panic!("host error: {e}"),
    }
}
