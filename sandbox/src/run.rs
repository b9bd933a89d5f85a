//! One run: a fresh store and WASI context per guest, the limits wired in, and the verdict.

use std::time::Instant;

use wasmtime::{Instance, Store, Trap, UpdateDeadline};
use wasmtime_wasi::cli::{StdinStream, StdoutStream};
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use crate::host::{Host, MemoryLimiter};
use crate::patch::{STACK_LIMIT_EXPORT, STACK_POINTER_EXPORT};
use crate::pipe::CappedPipe;
use crate::runtime::Runtime;
use crate::{Error, Limits, Outcome, Program, Verdict};

/// The runner every program goes through; see the file for the exit-status protocol.
const PRELUDE: &str = include_str!("prelude.py");
/// Exit statuses of the prelude: an uncaught `AssertionError`, any other uncaught exception.
pub(crate) const EXIT_ASSERTION: i32 = 113;
pub(crate) const EXIT_EXCEPTION: i32 = 114;
/// Where the optional scratch directory appears in the guest (also its working directory).
const SCRATCH_GUEST_PATH: &str = "/scratch";
/// Where the optional unpacked standard library appears in the guest (read-only, first on
/// `sys.path`).
pub(crate) const STDLIB_GUEST_PATH: &str = "/stdlib";
/// Host-side name prefix of scratch directories (in the system temp dir).
pub const SCRATCH_PREFIX: &str = "qwen-lsp-scratch-";
/// Fuel consumed between yields to the executor, so fuel-metered runs stay cancellable.
const FUEL_YIELD_INTERVAL: u64 = 100_000;

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
    let mut argv = vec![
        "-c".to_owned(),
        PRELUDE.to_owned(),
        match scratch {
            Some(_) => SCRATCH_GUEST_PATH.to_owned(),
            None => String::new(),
        },
        program.source.clone(),
    ];
    argv.extend(program.args.iter().cloned());
    let guest = Guest {
        argv,
        stdin: MemoryInputPipe::new(program.stdin.clone()),
        stdout: stdout.clone(),
        stderr: stderr.clone(),
        scratch: scratch.as_ref().map(|dir| dir.path()),
        stdlib: None,
    };
    let finished = execute(runtime, guest, limits, started).await?;
    Ok(finished.outcome(limits, stdout.overflowed(), stdout.contents(), &stderr))
}

/// One guest to start: `python -I argv...` (options, then `-c <source> <args>`), its streams, its
/// optional scratch dir and unpacked standard library.
pub(crate) struct Guest<'a, I, O> {
    pub argv: Vec<String>,
    pub stdin: I,
    pub stdout: O,
    pub stderr: CappedPipe,
    pub scratch: Option<&'a std::path::Path>,
    /// The standard library's modules unpacked from the module's own zip (see `judge.rs`),
    /// mounted read-only at [`STDLIB_GUEST_PATH`] and put first on `sys.path`.
    pub stdlib: Option<&'a std::path::Path>,
}

/// How a guest ended, with its memory accounting, before the streams are read.
pub(crate) struct Finished {
    ended: Ended,
    refused: bool,
    peak: usize,
    started: Instant,
}

/// Runs one guest to its end under `limits`, its clock started at `started` (several guests of
/// one judgement share it).
pub(crate) async fn execute<I, O>(
    runtime: &Runtime,
    guest: Guest<'_, I, O>,
    limits: &Limits,
    started: Instant,
) -> Result<Finished, Error>
where
    I: StdinStream + 'static,
    O: StdoutStream + 'static,
{
    // No environment, no preopens but the scratch dir, no network: the builder grants nothing
    // unless asked.
    let mut wasi = WasiCtxBuilder::new();
    wasi.stdin(guest.stdin)
        .stdout(guest.stdout)
        .stderr(guest.stderr);
    match guest.stdlib {
        None => {
            wasi.args(&["python", "-I"]);
        }
        Some(dir) => {
            // `-I` less `-E`, so that CPython reads PYTHONPATH, the only variable the guest gets
            // (the runner removes it before anything else runs). Reading the stdlib's files
            // on the calling thread: a few small reads, each cheaper than a hop to the blocking
            // pool.
            wasi.args(&["python", "-s", "-P"])
                .env("PYTHONPATH", STDLIB_GUEST_PATH)
                .allow_blocking_current_thread(true)
                .preopened_dir(dir, STDLIB_GUEST_PATH, FsPerms::ReadOnly)
                .map_err(|e| Error::Host(format!("stdlib dir: {e:#}")))?;
        }
    }
    wasi.args(&guest.argv);
    if let Some(dir) = guest.scratch {
        wasi.preopened_dir(dir, SCRATCH_GUEST_PATH, FsPerms::ReadWrite)
            .map_err(|e| Error::Host(format!("scratch dir: {e:#}")))?;
    }
    let memory = MemoryLimiter::new(limits.memory_bytes.saturating_add(runtime.stack_reserve));
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

    // The timeout also covers a guest blocked in a host call (`time.sleep`, a read of its
    // stdin), which never reaches an epoch check.
    let remaining = limits.timeout.saturating_sub(started.elapsed());
    let mut instance = None;
    let result = tokio::time::timeout(remaining, async {
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
    Ok(Finished {
        ended,
        refused: memory.refused,
        peak: memory.peak.saturating_sub(runtime.stack_reserve),
        started,
    })
}

impl Finished {
    /// The guest's exit status as the runner reported it (0 for a normal end), if it exited.
    pub(crate) fn raw_exit(&self) -> Option<i32> {
        match self.ended {
            Ended::Exit(code) => Some(code),
            _ => None,
        }
    }

    /// The outcome, from what ended the run and what the streams hold.
    pub(crate) fn outcome(
        self,
        limits: &Limits,
        stdout_overflowed: bool,
        stdout: String,
        stderr: &CappedPipe,
    ) -> Outcome {
        let mut outcome = Outcome {
            verdict: Verdict::Error,
            exit_code: None,
            stdout,
            stderr: stderr.contents(),
            duration: self.started.elapsed(),
            peak_memory_bytes: self.peak,
        };
        let note = |outcome: &mut Outcome, text: &str| {
            if !outcome.stderr.is_empty() && !outcome.stderr.ends_with('\n') {
                outcome.stderr.push('\n');
            }
            outcome.stderr.push_str("sandbox: ");
            outcome.stderr.push_str(text);
            outcome.stderr.push('\n');
        };
        // What ended the run takes precedence: the output cap stops it, a refused allocation
        // explains whatever followed, then the clock.
        if stdout_overflowed || stderr.overflowed() {
            outcome.verdict = Verdict::OutputLimit;
            note(&mut outcome, "output limit exceeded");
            return outcome;
        }
        if self.refused {
            outcome.verdict = Verdict::MemoryLimit;
            if let Ended::Exit(code) = self.ended {
                outcome.exit_code = Some(python_exit_code(code));
            }
            note(
                &mut outcome,
                &format!("memory limit of {} bytes exceeded", limits.memory_bytes),
            );
            return outcome;
        }
        match self.ended {
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
        outcome
    }
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
