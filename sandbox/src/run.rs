//! One run: a fresh store and WASI context per program, the limits wired in, and the verdict.

use std::time::Instant;

use wasmtime::{Instance, ResourceLimiter, Store, Trap, UpdateDeadline};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use crate::patch::{STACK_LIMIT_EXPORT, STACK_POINTER_EXPORT};
use crate::pipe::CappedPipe;
use crate::runtime::Runtime;
use crate::{Error, Limits, Outcome, Program, Verdict};

/// The runner every program goes through; see the file for the exit-status protocol.
const PRELUDE: &str = include_str!("prelude.py");
/// Exit statuses of the prelude: an uncaught `AssertionError`, any other uncaught exception.
const EXIT_ASSERTION: i32 = 113;
const EXIT_EXCEPTION: i32 = 114;
/// Where the optional scratch directory appears in the guest (also its working directory).
const SCRATCH_GUEST_PATH: &str = "/scratch";
/// Host-side name prefix of scratch directories (in the system temp dir).
pub const SCRATCH_PREFIX: &str = "qwen-lsp-scratch-";
/// Fuel consumed between yields to the executor, so fuel-metered runs stay cancellable.
const FUEL_YIELD_INTERVAL: u64 = 100_000;

/// The store's data: the guest's WASI context and its memory accounting.
pub(crate) struct Host {
    pub wasi: WasiP1Ctx,
    memory: MemoryLimiter,
}

/// A cap on linear memory that remembers whether it ever said no.
struct MemoryLimiter {
    /// Bytes of linear memory allowed, the relocated C stack included.
    cap: usize,
    peak: usize,
    refused: bool,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.cap {
            // The guest sees a failed `memory.grow`: malloc returns NULL, Python raises MemoryError.
            self.refused = true;
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 20)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        4
    }

    fn memories(&self) -> usize {
        1
    }
}

/// Runs `program` once under `limits`. Guest failures are verdicts; `Err` means the host failed.
pub(crate) async fn run(
    runtime: &Runtime,
    program: &Program,
    limits: &Limits,
) -> Result<Outcome, Error> {
    let started = Instant::now();
    if let Some(outcome) = reject_nul(program, started) {
        return Ok(outcome);
    }
    let stdout = CappedPipe::new(limits.stdout_bytes);
    let stderr = CappedPipe::new(limits.stderr_bytes);
    // Dropped (and deleted) when this function returns, after the guest is gone.
    let scratch = match program.scratch_dir {
        true => Some(
            tempfile::Builder::new()
                .prefix(SCRATCH_PREFIX)
                .tempdir()
                .map_err(|e| Error::Host(format!("scratch dir: {e}")))?,
        ),
        false => None,
    };

    // No environment, no preopens but the scratch dir, no network: the builder grants nothing
    // unless asked.
    let mut wasi = WasiCtxBuilder::new();
    wasi.stdin(MemoryInputPipe::new(program.stdin.clone()))
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .args(&["python", "-I", "-c", PRELUDE])
        .arg(if scratch.is_some() {
            SCRATCH_GUEST_PATH
        } else {
            ""
        })
        .arg(&program.source)
        .args(&program.args);
    if let Some(dir) = &scratch {
        wasi.preopened_dir(dir.path(), SCRATCH_GUEST_PATH, FsPerms::ReadWrite)
            .map_err(|e| Error::Host(format!("scratch dir: {e:#}")))?;
    }
    let memory = MemoryLimiter {
        cap: limits.memory_bytes.saturating_add(runtime.stack_reserve),
        peak: 0,
        refused: false,
    };
    let mut store = Store::new(
        &runtime.engine,
        Host {
            wasi: wasi.build_p1(),
            memory,
        },
    );
    store.limiter(|host| &mut host.memory);

    // `None`: a timeout too large to represent, i.e. no deadline.
    let deadline = started.checked_add(limits.timeout);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(move |_| {
        // Every tick: give the executor a turn (so the tokio timeout below can fire), and stop a
        // guest that is still computing past its deadline.
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            Ok(UpdateDeadline::Interrupt)
        } else {
            Ok(UpdateDeadline::Yield(1))
        }
    });
    if let Some(fuel) = limits.fuel {
        store
            .set_fuel(fuel)
            .map_err(|e| Error::Host(format!("{e:#}")))?;
        store
            .fuel_async_yield_interval(Some(FUEL_YIELD_INTERVAL))
            .map_err(|e| Error::Host(format!("{e:#}")))?;
    }

    // The timeout also covers a guest blocked in a host call (`time.sleep`), which never reaches
    // an epoch check.
    let mut instance = None;
    let result = tokio::time::timeout(limits.timeout, async {
        let created = runtime.pre.instantiate_async(&mut store).await?;
        instance = Some(created);
        let start = created.get_typed_func::<(), ()>(&mut store, "_start")?;
        start.call_async(&mut store, ()).await
    })
    .await;

    let ended = match result {
        Err(_elapsed) => Ended::Timeout,
        Ok(Ok(())) => Ended::Exit(0),
        Ok(Err(error)) => classify_error(&error, stack_exhausted(&mut store, instance)),
    };
    let memory = &store.data().memory;
    let (refused, peak) = (
        memory.refused,
        memory.peak.saturating_sub(runtime.stack_reserve),
    );
    let mut outcome = Outcome {
        verdict: Verdict::Error,
        exit_code: None,
        stdout: stdout.contents(),
        stderr: stderr.contents(),
        duration: started.elapsed(),
        peak_memory_bytes: peak,
    };
    let note = |outcome: &mut Outcome, text: &str| {
        if !outcome.stderr.is_empty() && !outcome.stderr.ends_with('\n') {
            outcome.stderr.push('\n');
        }
        outcome.stderr.push_str("sandbox: ");
        outcome.stderr.push_str(text);
        outcome.stderr.push('\n');
    };
    // What ended the run takes precedence: the output cap stops it, a refused allocation explains
    // whatever followed, then the clock.
    if stdout.overflowed() || stderr.overflowed() {
        outcome.verdict = Verdict::OutputLimit;
        note(&mut outcome, "output limit exceeded");
        return Ok(outcome);
    }
    if refused {
        outcome.verdict = Verdict::MemoryLimit;
        if let Ended::Exit(code) = ended {
            outcome.exit_code = Some(python_exit_code(code));
        }
        note(
            &mut outcome,
            &format!("memory limit of {} bytes exceeded", limits.memory_bytes),
        );
        return Ok(outcome);
    }
    match ended {
        Ended::Timeout => {
            outcome.verdict = Verdict::Timeout;
            note(
                &mut outcome,
                &format!("time limit of {:?} exceeded", limits.timeout),
            );
        }
        Ended::OutOfFuel => {
            outcome.verdict = Verdict::Timeout;
            note(&mut outcome, "fuel budget exhausted");
        }
        Ended::Exit(code) => {
            outcome.exit_code = Some(python_exit_code(code));
            outcome.verdict = match code {
                0 => Verdict::Passed,
                EXIT_ASSERTION => Verdict::Failed,
                _ => Verdict::Error,
            };
        }
        Ended::Trap(message) => note(&mut outcome, &message),
    }
    Ok(outcome)
}

/// How the guest stopped, before the limits are taken into account.
enum Ended {
    Exit(i32),
    Timeout,
    OutOfFuel,
    Trap(String),
}

fn classify_error(error: &wasmtime::Error, stack_exhausted: bool) -> Ended {
    if let Some(exit) = error.downcast_ref::<I32Exit>() {
        return Ended::Exit(exit.0);
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => Ended::Timeout,
        Some(Trap::OutOfFuel) => Ended::OutOfFuel,
        Some(Trap::StackOverflow) => Ended::Trap(
            "wasm trap: call stack exhausted (recursion too deep through C code)".to_owned(),
        ),
        Some(Trap::UnreachableCodeReached) if stack_exhausted => Ended::Trap(
            "wasm trap: C stack exhausted (recursion too deep through C code)".to_owned(),
        ),
        Some(trap) => Ended::Trap(format!("wasm trap: {trap}")),
        None => Ended::Trap(format!("{error:#}")),
    }
}

/// Whether the guest's C stack pointer is below the rewritten module's limit: the stack check
/// fired (see `patch.rs`).
fn stack_exhausted(store: &mut Store<Host>, instance: Option<Instance>) -> bool {
    let Some(instance) = instance else {
        return false;
    };
    let mut read = |name: &str| {
        let global = instance.get_global(&mut *store, name)?;
        global.get(&mut *store).i32()
    };
    match (read(STACK_POINTER_EXPORT), read(STACK_LIMIT_EXPORT)) {
        (Some(sp), Some(limit)) => sp < limit,
        _ => false,
    }
}

/// The status as native CPython reports it: the prelude's private codes become 1.
fn python_exit_code(code: i32) -> i32 {
    match code {
        EXIT_ASSERTION | EXIT_EXCEPTION => 1,
        other => other,
    }
}

/// WASI passes argv as C strings, so a NUL would silently truncate the program; CPython rejects
/// such source anyway, so answer as it would without starting the guest.
fn reject_nul(program: &Program, started: Instant) -> Option<Outcome> {
    let source_has_nul = program.source.contains('\0');
    if !source_has_nul && !program.args.iter().any(|a| a.contains('\0')) {
        return None;
    }
    let what = if source_has_nul {
        "SyntaxError: source code string cannot contain null bytes"
    } else {
        "ValueError: embedded null byte in an argument"
    };
    Some(Outcome {
        verdict: Verdict::Error,
        exit_code: Some(1),
        stdout: String::new(),
        stderr: format!("{what}\n"),
        duration: started.elapsed(),
        peak_memory_bytes: 0,
    })
}
