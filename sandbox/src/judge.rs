//! Tests judged apart from the code they test: the code under test runs in one interpreter, the
//! tests in another, and calls cross between them as plain data through the host.
//!
//! The tests' interpreter (`judge/judge.py`) binds names to functions that write a call to the host,
//! and class names to proxies whose instances live in the code's interpreter (the tests hold only a
//! handle; method calls cross like function calls); the host checks each call, hands it to the
//! code's interpreter (`judge/serve.py`), checks the answer against the plain-data grammar
//! (`judge/codec.py`) and hands it back. A big list crosses once and is named by a ref afterwards,
//! while it stays unchanged. Nothing the code runs
//! executes beside the tests, so it can neither reach their asserts, their frames, their builtins
//! nor their exit status: all it chooses is the values it answers (and whether it answers at all).
//! The verdict is the tests' interpreter's exit status, which only the tests' own code decides.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::UnboundedReceiver;
use wasmtime_wasi::cli::AsyncStdinStream;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;

use crate::pipe::{CappedPipe, ChannelPipe};
use crate::run::{self, EXIT_EXCEPTION, Guest};
use crate::runtime::Runtime;
use crate::{Error, Limits, Outcome, Program, Verdict};

const CODEC: &str = include_str!("judge/codec.py");
const SERVE: &str = include_str!("judge/serve.py");
const JUDGE: &str = include_str!("judge/judge.py");
/// Compiles each argument (a runner's source) and writes its code object, marshalled and base64
/// encoded, one per line: what [`Runners`] hold.
const COMPILE: &str = concat!(
    "import binascii, marshal, sys\n",
    "for source in sys.argv[1:]:\n",
    "    code = compile(source, '<string>', 'exec')\n",
    "    print(binascii.b2a_base64(marshal.dumps(code), newline=False).decode())\n",
);
/// What each interpreter of a trial runs as `-c`: the runner's code object (argv[1], removed
/// before it runs, so the runner's own arguments start at argv[1] as they would with its source).
/// PYTHONPATH, which CPython has read by then, is removed first (see [`Runners::stdlib`]).
const LOAD: &str = concat!(
    "import binascii, marshal, os, sys\n",
    "os.environ.pop('PYTHONPATH', None)\n",
    "exec(marshal.loads(binascii.a2b_base64(sys.argv.pop(1))))\n",
);
/// Unpacks the zip the module's CPython imports its standard library from into `/scratch`.
const UNPACK: &str = concat!(
    "import encodings, zipfile\n",
    "zipfile.ZipFile(encodings.__loader__.archive).extractall('/scratch')\n",
);
/// The file that marks an unpacked standard library as complete.
const STDLIB_COMPLETE: &str = ".complete";
/// The tests' exit status when one of their own arguments could not cross (see `judge.py`).
const EXIT_UNSUPPORTED: i32 = 115;
/// The largest magnitude of an int that crosses as a bare JSON number (2^53: exact in a double).
const EXACT_INT: u64 = 1 << 53;
/// Bytes one guest may write to the host channel over a whole trial; past it the guest traps.
const CHANNEL_BYTES: usize = 256 << 20;
/// Longest single message on the channel.
const MESSAGE_BYTES: usize = 32 << 20;
/// Size of the in-memory pipes that carry messages to a guest's stdin.
const PIPE_BYTES: usize = 1 << 16;

/// Tests and the code they test, to run apart. `setup`, then `tests`, run in the tests'
/// interpreter; `code` runs in its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trial {
    /// The code under test, run as `__main__` in its own interpreter.
    pub code: String,
    /// Trusted source run first in the tests' interpreter (e.g. a problem's prompt, for its helper
    /// functions); skipped when it does not compile and `setup_optional` is set.
    pub setup: String,
    pub setup_optional: bool,
    /// `(name, target)`: after `setup`, the tests' global `name` becomes a function that calls
    /// `target`, a Python expression evaluated once in the code's namespace (`two_sum`,
    /// `Solution().twoSum`).
    pub bind: Vec<(String, String)>,
    /// `(name, target)`: after `setup`, the tests' global `name` becomes a class whose instances
    /// live in the code's interpreter: constructing one calls `target` (a class, such as
    /// LeetCode's `Solution` or a design problem's `LRUCache`) there, and each public method call
    /// crosses like a function call. With `bind` empty too, the code's interpreter is not started.
    pub classes: Vec<(String, String)>,
    /// The tests. They may call `__qwen_lsp_report(name, passed, message="", line=None)` to report
    /// one case; the host collects them in [`TrialOutcome::cases`].
    pub tests: String,
}

/// How a trial ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrialVerdict {
    /// The tests ran to their end.
    Passed,
    /// The tests ended with an `AssertionError`.
    Failed,
    /// The tests ended with another exception (the code raising one, answering something that is
    /// not plain data, failing to import), or a guest trapped.
    Error,
    Timeout,
    MemoryLimit,
    OutputLimit,
    /// The code under test exited (`sys.exit`, `os._exit`, `raise SystemExit`) instead of answering.
    CodeExited,
    /// A test passed an argument that is not plain data: these tests cannot be judged apart.
    Unsupported,
}

/// One case a test reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub name: String,
    pub passed: bool,
    #[serde(default)]
    pub message: String,
    /// A 1-based line the test names, if it gave one.
    #[serde(default)]
    pub line: Option<u32>,
}

/// The result of a trial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrialOutcome {
    pub verdict: TrialVerdict,
    /// The tests' interpreter (its stdout is the channel, so it is empty); `None` when the code
    /// ended first and the tests were stopped.
    pub tests: Option<Outcome>,
    /// The code's interpreter, when it ended before the tests did (its own failure decides then).
    pub code: Option<Outcome>,
    /// Cases the tests reported, in order.
    pub cases: Vec<Case>,
    /// Calls that crossed to the code.
    pub calls: usize,
    /// Wall-clock time of the trial, both interpreters' start-up included.
    pub duration: Duration,
}

impl TrialOutcome {
    /// The last non-empty line of the stderr that explains the verdict (the code's when it ended
    /// first, else the tests').
    pub fn detail(&self) -> Option<String> {
        let stderr = match (&self.code, &self.tests) {
            (Some(code), _) => &code.stderr,
            (None, Some(tests)) => &tests.stderr,
            (None, None) => return None,
        };
        let line = stderr
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())?;
        Some(line.to_owned())
    }
}

/// The two runners (`codec.py` with `judge.py`, and with `serve.py`) as CPython code objects,
/// marshalled and base64-encoded. Compiling their source is most of what a trial's interpreters
/// do besides starting (~50 ms of CPU in the guest, against <1 ms to load the code objects), so
/// a sandbox compiles them once, in an interpreter of its own that runs nothing but [`COMPILE`]
/// on these two sources, and every trial loads them.
///
/// `stdlib` is the other half of a trial's start-up: CPython imports `encodings` from the
/// module's zip of the standard library before anything runs, and reading that zip's directory
/// (460 entries, in Python) is ~20 ms of each interpreter's start. The zip is unpacked once into
/// the cache dir, by an interpreter that runs only [`UNPACK`], and each trial's interpreters see
/// it read-only at `/stdlib`, first on `sys.path`. Without it (it could not be written) trials
/// start as before, only slower.
pub(crate) struct Runners {
    judge: String,
    serve: String,
    stdlib: Option<PathBuf>,
}

impl Runners {
    /// Compiles the runners with `runtime`'s CPython (the code objects are only valid there), and
    /// unpacks its standard library into `runtime.stdlib_dir` unless it is there already.
    pub(crate) async fn prepare(runtime: &Runtime) -> Result<Runners, Error> {
        let stdlib = match unpack_stdlib(runtime).await {
            Ok(dir) => Some(dir),
            Err(e) => {
                tracing::warn!("trials start without an unpacked standard library: {e}");
                None
            }
        };
        let (judge, serve) = compile_runners(runtime).await?;
        Ok(Runners {
            judge,
            serve,
            stdlib,
        })
    }
}

/// The runners' code objects, marshalled and base64-encoded: (judge, serve).
async fn compile_runners(runtime: &Runtime) -> Result<(String, String), Error> {
    let program = Program {
        source: COMPILE.to_owned(),
        args: vec![format!("{CODEC}\n{JUDGE}"), format!("{CODEC}\n{SERVE}")],
        ..Program::default()
    };
    let outcome = run::run(runtime, &program, &Limits::default()).await?;
    let mut lines = outcome.stdout.lines().map(str::to_owned);
    match (outcome.verdict, lines.next(), lines.next(), lines.next()) {
        (Verdict::Passed, Some(judge), Some(serve), None) => Ok((judge, serve)),
        _ => Err(Error::Host(format!(
            "cannot compile the judge's runners: {:?} {}",
            outcome.verdict,
            outcome.stderr.trim()
        ))),
    }
}

/// The unpacked standard library: `runtime.stdlib_dir` when complete, else unpacked into a fresh
/// directory beside it and renamed into place (so concurrent processes never see a partial one).
async fn unpack_stdlib(runtime: &Runtime) -> Result<PathBuf, String> {
    let dir = &runtime.stdlib_dir;
    if dir.join(STDLIB_COMPLETE).is_file() {
        return Ok(dir.clone());
    }
    let parent = dir.parent().ok_or("the cache dir has no parent")?;
    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    let fresh = tempfile::Builder::new()
        .prefix(".stdlib-")
        .tempdir_in(parent)
        .map_err(|e| e.to_string())?;
    let stdout = CappedPipe::new(1 << 16);
    let stderr = CappedPipe::new(1 << 16);
    let guest = Guest {
        argv: vec!["-S".to_owned(), "-c".to_owned(), UNPACK.to_owned()],
        stdin: MemoryInputPipe::new(Vec::new()),
        stdout: stdout.clone(),
        stderr: stderr.clone(),
        scratch: Some(fresh.path()),
        stdlib: None,
    };
    let limits = Limits {
        timeout: Duration::from_secs(120),
        ..Limits::default()
    };
    let finished = run::execute(runtime, guest, &limits, Instant::now())
        .await
        .map_err(|e| e.to_string())?;
    let outcome = finished.outcome(&limits, stdout.overflowed(), stdout.contents(), &stderr);
    if outcome.verdict != Verdict::Passed {
        return Err(format!(
            "unpacking it ended with {:?}: {}",
            outcome.verdict,
            outcome.stderr.trim()
        ));
    }
    std::fs::write(fresh.path().join(STDLIB_COMPLETE), b"").map_err(|e| e.to_string())?;
    let fresh = fresh.keep();
    match std::fs::rename(&fresh, dir) {
        Ok(()) => Ok(dir.clone()),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&fresh);
            // Another process unpacked it first.
            if dir.join(STDLIB_COMPLETE).is_file() {
                Ok(dir.clone())
            } else {
                Err(format!("cannot move it to {}: {e}", dir.display()))
            }
        }
    }
}

/// Runs `trial` under `limits`, which apply to each interpreter; the wall clock is shared.
pub(crate) async fn judge(
    runtime: Arc<Runtime>,
    runners: &Runners,
    trial: &Trial,
    limits: &Limits,
) -> Result<TrialOutcome, Error> {
    let started = Instant::now();
    let spec = serde_json::json!({
        "setup": trial.setup,
        "setup_optional": trial.setup_optional,
        "bind": trial.bind,
        "classes": trial.classes,
        "tests": trial.tests,
    });
    let (test_out, test_rx) = ChannelPipe::new(CHANNEL_BYTES);
    let (mut test_in, test_stdin) = tokio::io::duplex(PIPE_BYTES);
    let test_stderr = CappedPipe::new(limits.stderr_bytes);
    let test_overflow = test_out.overflow_flag();
    let stdlib = runners.stdlib.clone();
    let tests = spawn_guest(
        &runtime,
        stdlib.clone(),
        vec![
            // No `site`: the tests' runner needs only the standard library.
            "-S".to_owned(),
            "-c".to_owned(),
            LOAD.to_owned(),
            runners.judge.clone(),
            spec.to_string(),
        ],
        test_stdin,
        test_out,
        test_stderr.clone(),
        limits,
        started,
    );

    let mut code = None;
    if !trial.bind.is_empty() || !trial.classes.is_empty() {
        let (code_out, code_rx) = ChannelPipe::new(CHANNEL_BYTES);
        let (code_in, code_stdin) = tokio::io::duplex(PIPE_BYTES);
        let code_stderr = CappedPipe::new(limits.stderr_bytes);
        let overflow = code_out.overflow_flag();
        let task = spawn_guest(
            &runtime,
            stdlib,
            // No `site` either (its start-up costs ~8 ms): `serve.py` binds what it gives a
            // program natively (`exit`, `quit`, `help`...) the way `site` does.
            vec![
                "-S".to_owned(),
                "-c".to_owned(),
                LOAD.to_owned(),
                runners.serve.clone(),
                Value::String(trial.code.clone()).to_string(),
            ],
            code_stdin,
            code_out,
            code_stderr.clone(),
            limits,
            started,
        );
        code = Some(CodeGuest {
            task,
            input: code_in,
            replies: Lines::new(code_rx),
            stderr: code_stderr,
            overflow,
        });
    }

    let mut requests = Lines::new(test_rx);
    let mut cases = Vec::new();
    let mut calls = 0;
    // Both guests end by their deadlines (each has its own timeout), which ends this loop; the
    // outer timeout is only a backstop against a host bug.
    let bridged = tokio::time::timeout(
        limits.timeout.saturating_add(Duration::from_secs(5)),
        bridge(
            &mut requests,
            code.as_mut(),
            &mut test_in,
            &mut cases,
            &mut calls,
        ),
    )
    .await;
    let ended = bridged.unwrap_or(Ended::TestsDone);
    drop(test_in);

    let outcome = match ended {
        Ended::TestsDone => {
            if let Some(code) = code {
                code.task.abort();
            }
            let finished = join(tests).await?;
            let exit = finished.raw_exit();
            let outcome = finished.outcome(
                limits,
                test_overflow.overflowed(),
                String::new(),
                &test_stderr,
            );
            let verdict = match outcome.verdict {
                Verdict::Passed => TrialVerdict::Passed,
                Verdict::Failed => TrialVerdict::Failed,
                Verdict::Error if exit == Some(EXIT_UNSUPPORTED) => TrialVerdict::Unsupported,
                Verdict::Error => TrialVerdict::Error,
                Verdict::Timeout => TrialVerdict::Timeout,
                Verdict::MemoryLimit => TrialVerdict::MemoryLimit,
                Verdict::OutputLimit => TrialVerdict::OutputLimit,
            };
            (verdict, Some(outcome), None)
        }
        Ended::CodeGone => {
            tests.abort();
            let Some(code) = code else {
                return Err(Error::Host(
                    "a call crossed with no code to answer it".to_owned(),
                ));
            };
            drop(code.input);
            let finished = join(code.task).await?;
            let exit = finished.raw_exit();
            let outcome = finished.outcome(
                limits,
                code.overflow.overflowed(),
                String::new(),
                &code.stderr,
            );
            let verdict = match outcome.verdict {
                // The serving loop only ends by itself when its stdin closes, which the host does
                // not do while a call waits: the code exited on its own.
                Verdict::Passed | Verdict::Failed => TrialVerdict::CodeExited,
                Verdict::Error if exit != Some(EXIT_EXCEPTION) && exit.is_some() => {
                    TrialVerdict::CodeExited
                }
                Verdict::Error => TrialVerdict::Error,
                Verdict::Timeout => TrialVerdict::Timeout,
                Verdict::MemoryLimit => TrialVerdict::MemoryLimit,
                Verdict::OutputLimit => TrialVerdict::OutputLimit,
            };
            (verdict, None, Some(outcome))
        }
    };
    let (verdict, tests, code) = outcome;
    Ok(TrialOutcome {
        verdict,
        tests,
        code,
        cases,
        calls,
        duration: started.elapsed(),
    })
}

struct CodeGuest {
    task: tokio::task::JoinHandle<Result<run::Finished, Error>>,
    input: tokio::io::DuplexStream,
    replies: Lines,
    stderr: CappedPipe,
    overflow: crate::pipe::OverflowFlag,
}

enum Ended {
    /// The tests' interpreter closed its channel: it has ended.
    TestsDone,
    /// The code's interpreter ended while a call waited for its answer.
    CodeGone,
}

/// Carries the tests' calls to the code and the answers back, until one side ends.
async fn bridge(
    requests: &mut Lines,
    mut code: Option<&mut CodeGuest>,
    test_in: &mut tokio::io::DuplexStream,
    cases: &mut Vec<Case>,
    calls: &mut usize,
) -> Ended {
    loop {
        let Some(line) = requests.next().await else {
            return Ended::TestsDone;
        };
        // The tests are trusted, but their messages are still checked: a malformed one is a
        // host-side refusal the tests see as an error reply.
        let message: Option<Value> = line.ok().and_then(|l| serde_json::from_slice(&l).ok());
        if let Some(case) = message.as_ref().and_then(|m| m.get("case")) {
            if let Ok(case) = serde_json::from_value::<Case>(case.clone()) {
                cases.push(case);
            }
            continue;
        }
        let reply = match (message.as_ref().and_then(call_request), code.as_deref_mut()) {
            (Some(request), Some(code)) => {
                *calls += 1;
                let mut request = request.to_string();
                request.push('\n');
                if code.input.write_all(request.as_bytes()).await.is_err() {
                    return Ended::CodeGone;
                }
                match code.replies.next().await {
                    None => return Ended::CodeGone,
                    Some(Err(TooLong)) => error_reply("the answer is too long"),
                    Some(Ok(line)) => serde_json::from_slice::<Value>(&line)
                        .ok()
                        .and_then(|reply| sanitize_reply(&reply))
                        .unwrap_or_else(|| error_reply("the answer is not plain data")),
                }
            }
            (Some(_), None) => error_reply("no code to call"),
            (None, _) => error_reply("a malformed call"),
        };
        let mut reply = reply.to_string();
        reply.push('\n');
        // The tests ended meanwhile (a timeout): the next read of their channel says so.
        let _ = test_in.write_all(reply.as_bytes()).await;
    }
}

fn error_reply(why: &str) -> Value {
    serde_json::json!({ "error": why })
}

/// The request for the code from a tests' message, rebuilt from its parts if well-formed:
/// `{"call": target}`, `{"new": target, "handle": n}` or `{"method": name, "handle": n}`, each with
/// `"args"` (plain data, or a kept list: `{"keep": ref, "value": data}`, `{"ref": ref}`),
/// `"kwargs"` (`[name, data]` pairs) and an optional `"forget"` (refs).
fn call_request(message: &Value) -> Option<Value> {
    let args = message.get("args")?.as_array()?;
    let kwargs = message.get("kwargs")?.as_array()?;
    let kwargs_ok = kwargs.iter().all(|pair| {
        pair.as_array()
            .is_some_and(|p| p.len() == 2 && p[0].is_string() && is_plain(&p[1], 0))
    });
    if !args.iter().all(is_argument) || !kwargs_ok {
        return None;
    }
    let forget = match message.get("forget") {
        None => Vec::new(),
        Some(refs) => refs
            .as_array()?
            .iter()
            .map(|r| r.as_u64().map(Value::from))
            .collect::<Option<Vec<_>>>()?,
    };
    let mut request = serde_json::json!({ "args": args, "kwargs": kwargs, "forget": forget });
    let handle = || message.get("handle")?.as_u64();
    if let Some(target) = message.get("call") {
        request["call"] = Value::String(target.as_str()?.to_owned());
    } else if let Some(target) = message.get("new") {
        request["new"] = Value::String(target.as_str()?.to_owned());
        request["handle"] = handle()?.into();
    } else {
        let name = message.get("method")?.as_str()?;
        if !is_public_name(name) {
            return None;
        }
        request["method"] = Value::String(name.to_owned());
        request["handle"] = handle()?.into();
    }
    Some(request)
}

/// A method the tests may call on an instance: an identifier that is not a dunder.
fn is_public_name(name: &str) -> bool {
    !name.starts_with("__")
        && name.len() <= 100
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// One positional argument of a request: plain data, or a big list kept on the code's side.
fn is_argument(value: &Value) -> bool {
    if let Some(map) = value.as_object() {
        let is_ref = |key: &str| map.get(key).is_some_and(Value::is_u64);
        if map.len() == 1 && is_ref("ref") {
            return true;
        }
        if map.len() == 2 && is_ref("keep") {
            return map.get("value").is_some_and(|v| is_plain(v, 0));
        }
    }
    is_plain(value, 0)
}

/// The code's answer rebuilt from its parts, or `None` when it is not one of the three reply
/// shapes with plain values: nothing else the code wrote reaches the tests.
fn sanitize_reply(reply: &Value) -> Option<Value> {
    let object = reply.as_object()?;
    if let Some(value) = object.get("ok") {
        let mutated = object.get("args")?.as_array()?;
        let mut args = Vec::with_capacity(mutated.len());
        for pair in mutated {
            let pair = pair.as_array()?;
            let index = pair.first()?.as_u64()?;
            let value = pair.get(1)?;
            if pair.len() != 2 || !is_plain(value, 0) {
                return None;
            }
            args.push(serde_json::json!([index, value]));
        }
        return is_plain(value, 0).then(|| serde_json::json!({ "ok": value, "args": args }));
    }
    if let (Some(name), Some(message)) = (object.get("raised"), object.get("message")) {
        let name = name.as_str()?;
        let ok_name = !name.is_empty()
            && name.len() <= 100
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let message: String = message.as_str()?.chars().take(2000).collect();
        return ok_name.then(|| serde_json::json!({ "raised": name, "message": message }));
    }
    let why: String = object.get("error")?.as_str()?.chars().take(2000).collect();
    Some(serde_json::json!({ "error": why }))
}

/// Whether `value` follows the plain-data grammar of `judge/codec.py`.
fn is_plain(value: &Value, depth: usize) -> bool {
    if depth > 110 {
        return false;
    }
    let all = |items: &Value| {
        items
            .as_array()
            .is_some_and(|items| items.iter().all(|v| is_plain(v, depth + 1)))
    };
    match value {
        Value::Null | Value::Bool(_) | Value::String(_) => true,
        // Only integers within +-2^53, written without fraction or exponent (serde_json reads
        // `1.0` and `1e3` as floats): floats cross tagged, so `1.0` never becomes `1`.
        Value::Number(n) => n.as_i64().is_some_and(|i| i.unsigned_abs() <= EXACT_INT),
        Value::Array(_) => all(value),
        Value::Object(map) => {
            let Some((tag, body)) = map.iter().next().filter(|_| map.len() == 1) else {
                return false;
            };
            match tag.as_str() {
                "int" => body.as_str().is_some_and(|s| {
                    let digits = s.strip_prefix('-').unwrap_or(s);
                    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
                }),
                "float" => body
                    .as_str()
                    .is_some_and(|s| s.len() <= 40 && s.parse::<f64>().is_ok()),
                "bytes" => body
                    .as_str()
                    .is_some_and(|s| s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit())),
                "ints" => body.as_str().is_some_and(is_int64s),
                "tuple" | "set" | "frozenset" => all(body),
                "dict" => body.as_array().is_some_and(|pairs| {
                    pairs.iter().all(|pair| {
                        pair.as_array().is_some_and(|p| {
                            p.len() == 2 && is_plain(&p[0], depth + 1) && is_plain(&p[1], depth + 1)
                        })
                    })
                }),
                _ => false,
            }
        }
    }
}

/// Whether `text` is padded base64 of a whole number of 8-byte ints (the `"ints"` tag).
fn is_int64s(text: &str) -> bool {
    let bytes = text.as_bytes();
    let padding = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    let body = &bytes[..bytes.len() - padding];
    bytes.len().is_multiple_of(4)
        && padding <= 2
        && body
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        && (bytes.len() / 4 * 3 - padding).is_multiple_of(8)
}

#[allow(clippy::too_many_arguments)]
fn spawn_guest(
    runtime: &Arc<Runtime>,
    stdlib: Option<PathBuf>,
    argv: Vec<String>,
    stdin: tokio::io::DuplexStream,
    stdout: ChannelPipe,
    stderr: CappedPipe,
    limits: &Limits,
    started: Instant,
) -> tokio::task::JoinHandle<Result<run::Finished, Error>> {
    let runtime = Arc::clone(runtime);
    let limits = limits.clone();
    tokio::spawn(async move {
        let guest = Guest {
            argv,
            stdin: AsyncStdinStream::new(stdin),
            stdout,
            stderr,
            scratch: None,
            stdlib: stdlib.as_deref(),
        };
        run::execute(&runtime, guest, &limits, started).await
    })
}

async fn join(
    task: tokio::task::JoinHandle<Result<run::Finished, Error>>,
) -> Result<run::Finished, Error> {
    task.await
        .map_err(|e| Error::Host(format!("sandbox worker failed: {e}")))?
}

/// A message longer than [`MESSAGE_BYTES`].
struct TooLong;

/// Newline-separated messages out of a guest's channel.
struct Lines {
    receiver: UnboundedReceiver<Bytes>,
    buffer: Vec<u8>,
    /// How much of `buffer` is known to hold no newline.
    scanned: usize,
    /// Skipping the rest of an over-long message.
    discarding: bool,
}

impl Lines {
    fn new(receiver: UnboundedReceiver<Bytes>) -> Lines {
        Lines {
            receiver,
            buffer: Vec::new(),
            scanned: 0,
            discarding: false,
        }
    }

    /// The next message; `None` once the guest has ended and nothing complete is left.
    async fn next(&mut self) -> Option<Result<Vec<u8>, TooLong>> {
        loop {
            if let Some(at) = self.buffer[self.scanned..].iter().position(|&b| b == b'\n') {
                let end = self.scanned + at;
                let rest = self.buffer.split_off(end + 1);
                let mut line = std::mem::replace(&mut self.buffer, rest);
                self.scanned = 0;
                line.pop();
                if std::mem::take(&mut self.discarding) {
                    return Some(Err(TooLong));
                }
                return Some(Ok(line));
            }
            self.scanned = self.buffer.len();
            if self.buffer.len() > MESSAGE_BYTES {
                self.buffer.clear();
                self.scanned = 0;
                self.discarding = true;
            }
            let chunk = self.receiver.recv().await?;
            if self.discarding {
                match chunk.iter().position(|&b| b == b'\n') {
                    Some(end) => self.buffer.extend_from_slice(&chunk[end..]),
                    None => continue,
                }
            } else {
                self.buffer.extend_from_slice(&chunk);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn plain(text: &str) -> bool {
        is_plain(&serde_json::from_str(text).unwrap(), 0)
    }

    #[test]
    fn only_the_plain_data_grammar_crosses() {
        for ok in [
            r#"null"#,
            r#"[true, "x", {"int": "-12"}, {"float": "nan"}, {"float": "1e+300"}]"#,
            r#"{"dict": [[{"tuple": [{"int": "1"}]}, {"set": []}]]}"#,
            r#"{"bytes": "00ff"}"#,
            r#"[0, -1, 9007199254740992, -9007199254740992, {"int": "9007199254740993"}]"#,
            r#"{"ints": "AQAAAAAAAAA="}"#,
            r#"{"ints": "AQAAAAAAAAACAAAAAAAAAA=="}"#,
            r#"{"ints": ""}"#,
        ] {
            assert!(plain(ok), "{ok}");
        }
        for bad in [
            r#"1.0"#,
            r#"1e3"#,
            r#"-0.0"#,
            r#"9007199254740993"#,
            r#"-9007199254740993"#,
            r#"18446744073709551615"#,
            r#"[1, 2.5]"#,
            r#"{"int": "1.5"}"#,
            r#"{"int": "-"}"#,
            r#"{"float": "1.5.2"}"#,
            r#"{"bytes": "0"}"#,
            r#"{"ints": "AQAAAAAAAA=="}"#,
            r#"{"ints": "AQAAAAAAAAA"}"#,
            r#"{"ints": "AQAAAAAAAA*="}"#,
            r#"{"ints": "A==="}"#,
            r#"{"ints": [1]}"#,
            r#"{"code": "x"}"#,
            r#"{"int": "1", "float": "2"}"#,
            r#"{"dict": [[1]]}"#,
            r#"{"tuple": {"int": "1"}}"#,
        ] {
            assert!(!plain(bad), "{bad}");
        }
        let deep = format!("{}null{}", "[".repeat(120), "]".repeat(120));
        let deep: Value = serde_json::from_str(&deep).unwrap_or(Value::Null);
        assert!(!is_plain(&deep, 0) || deep.is_null());
    }

    fn request(text: &str) -> Option<Value> {
        call_request(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn requests_are_rebuilt_from_their_parts_only() {
        let call = request(r#"{"call": "f", "args": [1, {"ref": 2}], "kwargs": [], "x": 1}"#);
        assert_eq!(
            call.unwrap().to_string(),
            r#"{"args":[1,{"ref":2}],"call":"f","forget":[],"kwargs":[]}"#
        );
        let new = request(r#"{"new": "C", "handle": 3, "args": [], "kwargs": [["k", 1]]}"#);
        assert_eq!(
            new.unwrap().to_string(),
            r#"{"args":[],"forget":[],"handle":3,"kwargs":[["k",1]],"new":"C"}"#
        );
        let keep = r#"{"method": "get", "handle": 1, "args": [{"keep": 4, "value": [1, 2]}],
                       "kwargs": [], "forget": [1, 2]}"#;
        assert!(request(keep).is_some());
        for bad in [
            r#"{"method": "__class__", "handle": 1, "args": [], "kwargs": []}"#,
            r#"{"method": "a.b", "handle": 1, "args": [], "kwargs": []}"#,
            r#"{"method": "get", "args": [], "kwargs": []}"#,
            r#"{"new": "C", "handle": -1, "args": [], "kwargs": []}"#,
            r#"{"call": "f", "args": [{"ref": "x"}], "kwargs": []}"#,
            r#"{"call": "f", "args": [{"ref": 1, "value": 2}], "kwargs": []}"#,
            r#"{"call": "f", "args": [{"keep": 1, "value": 2.5}], "kwargs": []}"#,
            r#"{"call": "f", "args": [], "kwargs": [["k", {"ref": 1}]]}"#,
            r#"{"call": "f", "args": [], "kwargs": [], "forget": ["1"]}"#,
            r#"{"args": [], "kwargs": []}"#,
        ] {
            assert_eq!(request(bad), None, "{bad}");
        }
    }

    #[test]
    fn replies_are_rebuilt_from_their_parts_only() {
        let reply: Value =
            serde_json::from_str(r#"{"ok": {"int": "3"}, "args": [[0, []]], "verdict": "passed"}"#)
                .unwrap();
        assert_eq!(
            sanitize_reply(&reply).unwrap().to_string(),
            r#"{"args":[[0,[]]],"ok":{"int":"3"}}"#
        );
        let raised: Value =
            serde_json::from_str(r#"{"raised": "ValueError; import os", "message": "x"}"#).unwrap();
        assert_eq!(sanitize_reply(&raised), None);
        let number: Value = serde_json::from_str(r#"{"ok": 3.0, "args": []}"#).unwrap();
        assert_eq!(sanitize_reply(&number), None);
        let number: Value = serde_json::from_str(r#"{"ok": 3, "args": []}"#).unwrap();
        assert_eq!(
            sanitize_reply(&number).unwrap().to_string(),
            r#"{"args":[],"ok":3}"#
        );
    }
}
