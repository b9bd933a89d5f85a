//! Runs a Python program inside CPython compiled to WASI, on wasmtime, and returns a [`Outcome`].
//!
//! Architecture invariant: this is the only crate that knows wasmtime. The guest sees only what the
//! caller hands it in a [`Program`]: no host files, no environment, no network, no threads, no processes.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Exit status 0.
    Passed,
    /// An uncaught `AssertionError`.
    Failed,
    /// Any other uncaught exception, a `SyntaxError`, a non-zero exit status, or a wasm trap.
    Error,
    /// The wall-clock limit (or the fuel budget) ran out.
    Timeout,
    /// The guest asked for more memory than the cap allows (even if it then caught `MemoryError`).
    MemoryLimit,
    /// The guest wrote more than the stdout or stderr cap; the run ended there.
    OutputLimit,
}

/// What the guest gets: its source, stdin, and nothing else.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    pub source: String,
    pub stdin: Vec<u8>,
    /// `sys.argv[1..]`.
    pub args: Vec<String>,
    /// Give the guest a fresh scratch directory (its working directory), deleted after the run.
    pub scratch_dir: bool,
}

/// Hard limits of one run. Every field has a documented default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Wall-clock limit, CPython's start-up included. Default 10 s.
    pub timeout: Duration,
    /// Cap on the guest's linear memory. Default 256 MiB.
    pub memory_bytes: usize,
    /// Cap on captured stdout. Default 1 MiB.
    pub stdout_bytes: usize,
    /// Cap on captured stderr. Default 1 MiB.
    pub stderr_bytes: usize,
    /// Optional fuel budget (wasm instructions, roughly) for deterministic runs. Default: none.
    pub fuel: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(10),
            memory_bytes: 256 << 20,
            stdout_bytes: 1 << 20,
            stderr_bytes: 1 << 20,
            fuel: None,
        }
    }
}

/// The result of one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub verdict: Verdict,
    /// The guest's exit status; `None` when it never exited (timeout, trap, limit).
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub duration: Duration,
    pub peak_memory_bytes: usize,
}

/// Where the runtime comes from. `Default` reads `QWEN_LSP_PYTHON_WASM` and the cache directory.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The CPython WASI module; default `$QWEN_LSP_PYTHON_WASM`, else `<cache_dir>/python-3.12.0.wasm`.
    pub runtime_wasm: Option<PathBuf>,
    /// Where the runtime and its compiled artifact live; default `$QWEN_LSP_CACHE` or `~/.cache/qwen-lsp`.
    pub cache_dir: Option<PathBuf>,
    /// Maximum concurrent runs; default: number of cores.
    pub workers: Option<usize>,
}

/// Host-side failures (the guest's own failures are [`Verdict`]s, not errors).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("Python runtime not found at {path}; run scripts/setup.sh or set QWEN_LSP_PYTHON_WASM")]
    RuntimeMissing { path: PathBuf },
    #[error("cannot load the Python runtime {path}: {message}")]
    RuntimeLoad { path: PathBuf, message: String },
    #[error("sandbox: {0}")]
    Host(String),
}
