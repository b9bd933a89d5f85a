//! Runs a Python program inside CPython compiled to WASI, on wasmtime, and returns a [`Outcome`].
//!
//! Architecture invariant: this is the only crate that knows wasmtime. The guest sees only what the
//! caller hands it in a [`Program`]: no host files, no environment, no network, no threads, no processes.

mod host;
mod judge;
mod patch;
mod pipe;
mod run;
mod runtime;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use judge::{Case, Trial, TrialOutcome, TrialVerdict};
pub use run::SCRATCH_PREFIX;
pub use runtime::LoadStats;
use runtime::Runtime;

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
    /// Wall-clock limit, CPython's start-up (~0.1 s) included, time queued for a worker excluded.
    /// Default 10 s.
    pub timeout: Duration,
    /// Cap on the guest's linear memory (CPython's own ~10 MiB image included; the reserved C
    /// stack region is not counted). A refused growth makes the verdict `MemoryLimit`.
    /// Default 256 MiB.
    pub memory_bytes: usize,
    /// Cap on captured stdout. Default 1 MiB.
    pub stdout_bytes: usize,
    /// Cap on captured stderr. Default 1 MiB.
    pub stderr_bytes: usize,
    /// Optional fuel budget (wasm instructions, roughly) for deterministic runs; running out is a
    /// `Timeout`. CPython's start-up alone takes between 0.3 and 1 billion units. Default: none.
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

/// The result of one run. Serializes as `{"verdict": "passed", "exit_code": 0, "stdout": ..,
/// "stderr": .., "duration_ms": 123, "peak_memory_bytes": ..}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub verdict: Verdict,
    /// The guest's exit status as native CPython would report it (1 for an uncaught exception);
    /// `None` when it never exited (timeout, trap, output limit).
    pub exit_code: Option<i32>,
    /// Captured stdout, decoded as UTF-8 (lossily only where the guest wrote invalid UTF-8).
    pub stdout: String,
    /// Captured stderr; when the host ended the run (a limit, a trap) it appends one line saying
    /// why, prefixed `sandbox: `.
    pub stderr: String,
    /// Wall-clock time of the run, CPython's start-up included (queueing for a worker excluded).
    #[serde(rename = "duration_ms", with = "millis")]
    pub duration: Duration,
    /// Peak linear memory of the guest (the interpreter's own ~10 MiB included, the reserved C
    /// stack region excluded).
    pub peak_memory_bytes: usize,
}

impl Outcome {
    /// [`Outcome::duration`] in whole milliseconds, as serialized.
    pub fn duration_ms(&self) -> u64 {
        u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX)
    }
}

/// `Duration` as whole milliseconds in JSON.
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
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
    #[error(
        "Python runtime not found at {path}; run scripts/fetch-python-wasm.sh or set QWEN_LSP_PYTHON_WASM"
    )]
    RuntimeMissing { path: PathBuf },
    #[error("cannot load the Python runtime {path}: {message}")]
    RuntimeLoad { path: PathBuf, message: String },
    #[error("sandbox: {0}")]
    Host(String),
}

impl Config {
    /// The runtime module to load: the explicit path, else `$QWEN_LSP_PYTHON_WASM`, else
    /// `<cache_dir>/python-3.12.0.wasm`.
    pub fn wasm_path(&self) -> PathBuf {
        if let Some(path) = &self.runtime_wasm {
            return path.clone();
        }
        match std::env::var_os("QWEN_LSP_PYTHON_WASM") {
            Some(path) if !path.is_empty() => PathBuf::from(path),
            _ => self.cache_path().join("python-3.12.0.wasm"),
        }
    }

    /// The cache directory: the explicit one, else `$QWEN_LSP_CACHE`, else `~/.cache/qwen-lsp`.
    pub fn cache_path(&self) -> PathBuf {
        if let Some(dir) = &self.cache_dir {
            return dir.clone();
        }
        match std::env::var_os("QWEN_LSP_CACHE") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => {
                let home = std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .unwrap_or_default();
                home.join(".cache").join("qwen-lsp")
            }
        }
    }

    fn worker_count(&self) -> usize {
        self.workers
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

/// Runs programs in CPython-for-WASI. Cheap to clone: clones share the compiled module and one
/// bounded pool of workers (at most [`Config::workers`] guests run at a time).
///
/// Runs execute on the sandbox's own threads, never on the caller's async runtime, so a
/// CPU-bound guest cannot starve the caller's tasks.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    /// The worker threads; `Option` only so `Drop` can shut it down without blocking.
    executor: Option<tokio::runtime::Runtime>,
}

/// What a running job needs; jobs hold this, not [`Inner`], so the last `Sandbox` handle decides
/// when the executor shuts down.
struct Shared {
    plain: Arc<Runtime>,
    /// Fuel metering needs differently compiled code: built on the first run that asks for it.
    fueled: Mutex<Option<Arc<Runtime>>>,
    wasm_path: PathBuf,
    cache_dir: PathBuf,
    permits: tokio::sync::Semaphore,
    /// The judge's runners, prepared on the first trial.
    runners: tokio::sync::OnceCell<Arc<judge::Runners>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("wasm_path", &self.inner.shared.wasm_path)
            .field("workers", &self.inner.shared.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Dropping a tokio runtime blocks, which panics inside async code; this does not.
        if let Some(executor) = self.executor.take() {
            executor.shutdown_background();
        }
    }
}

impl Sandbox {
    /// Loads the runtime: the compiled module from the cache dir when present (milliseconds),
    /// else compiles it (tens of seconds) and caches it. Blocking; call it once and clone.
    pub fn new(config: &Config) -> Result<Sandbox, Error> {
        let wasm_path = config.wasm_path();
        let cache_dir = config.cache_path();
        let plain = Arc::new(Runtime::load(&wasm_path, &cache_dir, false)?);
        spawn_epoch_ticker(&plain);
        let workers = config.worker_count();
        let executor = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("sandbox-worker")
            .enable_time()
            .build()
            .map_err(|e| Error::Host(format!("cannot start sandbox workers: {e}")))?;
        let shared = Shared {
            plain,
            fueled: Mutex::new(None),
            wasm_path,
            cache_dir,
            permits: tokio::sync::Semaphore::new(workers),
            runners: tokio::sync::OnceCell::new(),
        };
        Ok(Sandbox {
            inner: Arc::new(Inner {
                shared: Arc::new(shared),
                executor: Some(executor),
            }),
        })
    }

    /// How the module was loaded (from the cache or compiled) and how long it took.
    pub fn load_stats(&self) -> LoadStats {
        self.inner.shared.plain.load
    }

    /// Runs one program. `Err` only for host-side failures; everything the guest does is a
    /// [`Verdict`].
    pub async fn run(&self, program: &Program, limits: &Limits) -> Result<Outcome, Error> {
        let program = program.clone();
        self.spawn(limits, move |runtime, limits| async move {
            run::run(&runtime, &program, &limits).await
        })?
        .await
        .map_err(|e| Error::Host(format!("sandbox worker failed: {e}")))?
    }

    /// [`Sandbox::run`] for synchronous callers: a plain thread or a `spawn_blocking` task. (It
    /// blocks the calling thread, so do not call it from async code.)
    pub fn run_blocking(&self, program: &Program, limits: &Limits) -> Result<Outcome, Error> {
        let program = program.clone();
        self.block_on(self.spawn(limits, move |runtime, limits| async move {
            run::run(&runtime, &program, &limits).await
        })?)
    }

    /// Runs a [`Trial`]: its tests in one interpreter, its code in another, calls crossing as plain
    /// data (see `judge.rs`). `limits` apply to each interpreter; the wall clock is shared. `Err`
    /// only for host-side failures.
    pub async fn judge(&self, trial: &Trial, limits: &Limits) -> Result<TrialOutcome, Error> {
        let trial = trial.clone();
        let shared = Arc::clone(&self.inner.shared);
        self.spawn(limits, move |runtime, limits| async move {
            let runners = shared.runners().await?;
            judge::judge(runtime, &runners, &trial, &limits).await
        })?
        .await
        .map_err(|e| Error::Host(format!("sandbox worker failed: {e}")))?
    }

    /// [`Sandbox::judge`] for synchronous callers (not from async code).
    pub fn judge_blocking(&self, trial: &Trial, limits: &Limits) -> Result<TrialOutcome, Error> {
        let trial = trial.clone();
        let shared = Arc::clone(&self.inner.shared);
        self.block_on(self.spawn(limits, move |runtime, limits| async move {
            let runners = shared.runners().await?;
            judge::judge(runtime, &runners, &trial, &limits).await
        })?)
    }

    fn block_on<T: Send + 'static>(
        &self,
        job: tokio::task::JoinHandle<Result<T, Error>>,
    ) -> Result<T, Error> {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        self.executor()?.spawn(async move {
            // The receiver only disappears if the caller is gone; nothing to tell then.
            let _ = reply.send(job.await);
        });
        answer
            .recv()
            .map_err(|_| Error::Host("sandbox shut down during the run".to_owned()))?
            .map_err(|e| Error::Host(format!("sandbox worker failed: {e}")))?
    }

    fn executor(&self) -> Result<&tokio::runtime::Runtime, Error> {
        self.inner
            .executor
            .as_ref()
            .ok_or_else(|| Error::Host("sandbox shut down".to_owned()))
    }

    /// Runs `work` on the executor once a worker is free, with the runtime `limits` ask for.
    fn spawn<T, F, Fut>(
        &self,
        limits: &Limits,
        work: F,
    ) -> Result<tokio::task::JoinHandle<Result<T, Error>>, Error>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Runtime>, Limits) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T, Error>> + Send + 'static,
    {
        let shared = Arc::clone(&self.inner.shared);
        let limits = limits.clone();
        Ok(self.executor()?.spawn(async move {
            let _permit = shared
                .permits
                .acquire()
                .await
                .map_err(|_| Error::Host("sandbox shut down".to_owned()))?;
            let runtime = match limits.fuel {
                None => Arc::clone(&shared.plain),
                Some(_) => {
                    let shared = Arc::clone(&shared);
                    tokio::task::spawn_blocking(move || shared.fueled_runtime())
                        .await
                        .map_err(|e| Error::Host(format!("{e}")))??
                }
            };
            work(runtime, limits).await
        }))
    }
}

impl Shared {
    /// The judge's runners, compiled (and the standard library unpacked) by the plain runtime's
    /// CPython the first time (a failed compilation is tried again by the next trial).
    async fn runners(&self) -> Result<Arc<judge::Runners>, Error> {
        let runners = self
            .runners
            .get_or_try_init(|| async { judge::Runners::prepare(&self.plain).await.map(Arc::new) })
            .await?;
        Ok(Arc::clone(runners))
    }

    fn fueled_runtime(&self) -> Result<Arc<Runtime>, Error> {
        let mut slot = self
            .fueled
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(runtime) = &*slot {
            return Ok(Arc::clone(runtime));
        }
        let runtime = Arc::new(Runtime::load(&self.wasm_path, &self.cache_dir, true)?);
        spawn_epoch_ticker(&runtime);
        *slot = Some(Arc::clone(&runtime));
        Ok(runtime)
    }
}

/// Advances the engine's epoch every [`runtime::EPOCH_TICK`] until the engine is dropped: the
/// clock behind timeouts and the executor yields of running guests.
fn spawn_epoch_ticker(runtime: &Runtime) {
    let engine = runtime.engine.weak();
    let spawned = std::thread::Builder::new()
        .name("sandbox-epoch".to_owned())
        .spawn(move || {
            while let Some(engine) = engine.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(runtime::EPOCH_TICK);
            }
        });
    if let Err(e) = spawned {
        // Without ticks the tokio timeout still ends runs, just less promptly.
        tracing::warn!("cannot start the epoch ticker: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_can_be_shared_across_threads_and_tasks() {
        fn shareable<T: Send + Sync + Clone + 'static>() {}
        shareable::<Sandbox>();
        shareable::<Outcome>();
        shareable::<Limits>();
        shareable::<Program>();
    }

    #[test]
    fn explicit_config_wins_over_the_environment() {
        let config = Config {
            runtime_wasm: Some(PathBuf::from("/x/python.wasm")),
            cache_dir: Some(PathBuf::from("/y")),
            workers: Some(0),
        };
        assert_eq!(config.wasm_path(), PathBuf::from("/x/python.wasm"));
        assert_eq!(config.cache_path(), PathBuf::from("/y"));
        // Zero workers would deadlock the pool; it means "the default".
        assert!(config.worker_count() >= 1);
        let derived = Config {
            runtime_wasm: None,
            ..config
        };
        if std::env::var_os("QWEN_LSP_PYTHON_WASM").is_none() {
            assert_eq!(derived.wasm_path(), PathBuf::from("/y/python-3.12.0.wasm"));
        }
    }
}
