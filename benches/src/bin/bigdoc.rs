//! Bench: the language server with a 20 MB document open and being edited (issue 16). Drives the real
//! `qwen-lsp` binary over stdio and prints, as a table:
//! - the time to open the big document (didOpen, then a request on it);
//! - the time of a one-line edit of it (didChange, then a request on it that the server answers at
//!   once: the reply comes after the edit is applied);
//! - the latency of a code action on another, small document while the big one is edited ~100 times
//!   a second by a second writer (p50, p99, max);
//! - peak RSS beyond the loaded model with the big document open and 20 concurrent completions;
//! - the same for a 3.5 MiB document, under the large-file limit, so parsed (in the background): a code
//!   action on the small document sent right after its didOpen, the first request that needs its tree
//!   (a code action on it), one-line edits, and code actions on the small document while it is edited.
//!
//! ```text
//! cargo build --release --locked -p qwen-lsp && cargo build --release --locked -p benches --bin bigdoc
//! target/release/bigdoc [--server target/release/qwen-lsp] [--model tests/models/qwen3-tiny] [--mb 20]
//!     [--medium-edits 50] [--medium-requests 300]
//! ```
//!
//! A server that parses on its message loop queues the 3.5 MiB document's edits for seconds each:
//! drive it with few `--medium-edits` and `--medium-requests 0` (no requests during edits), or it runs
//! for hours.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(600);

/// A small LSP client: requests from any thread, replies routed by id, the server's own requests
/// answered with `null`, notifications kept.
struct Client {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    pending: Arc<Mutex<HashMap<i64, Sender<Value>>>>,
    notifications: Mutex<Receiver<Value>>,
    next_id: AtomicI64,
}

fn write_frame(stdin: &Mutex<ChildStdin>, message: &Value) -> anyhow::Result<()> {
    let body = serde_json::to_vec(message)?;
    let mut stdin = stdin.lock().unwrap_or_else(|p| p.into_inner());
    stdin.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())?;
    stdin.write_all(&body)?;
    stdin.flush()?;
    Ok(())
}

fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    fn spawn(server: &str, model: &str) -> anyhow::Result<Client> {
        let mut child = Command::new(server)
            .args(["--model", model])
            .env("QWEN_LSP_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| {
                format!("starting {server} (build it: cargo build --release -p qwen-lsp)")
            })?;
        let stdin = Arc::new(Mutex::new(child.stdin.take().context("stdin")?));
        let stdout = child.stdout.take().context("stdout")?;
        let pending: Arc<Mutex<HashMap<i64, Sender<Value>>>> = Arc::default();
        let (notify, notifications) = channel();
        let (routes, answer) = (Arc::clone(&pending), Arc::clone(&stdin));
        std::thread::spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 20, stdout);
            while let Some(message) = read_frame(&mut reader) {
                match (
                    message.get("id").and_then(Value::as_i64),
                    message.get("method"),
                ) {
                    (_, Some(_)) if message.get("id").is_some() => {
                        let reply =
                            json!({ "jsonrpc": "2.0", "id": message["id"], "result": null });
                        let _ = write_frame(&answer, &reply);
                    }
                    (_, Some(_)) => {
                        let _ = notify.send(message);
                    }
                    (Some(id), None) => {
                        if let Some(tx) =
                            routes.lock().unwrap_or_else(|p| p.into_inner()).remove(&id)
                        {
                            let _ = tx.send(message);
                        }
                    }
                    _ => {}
                }
            }
        });
        Ok(Client {
            child,
            stdin,
            pending,
            notifications: Mutex::new(notifications),
            next_id: AtomicI64::new(1),
        })
    }

    fn notify(&self, method: &str, params: Value) -> anyhow::Result<()> {
        write_frame(
            &self.stdin,
            &json!({ "jsonrpc": "2.0", "method": method, "params": params }),
        )
    }

    /// Sends a request; the receiver gets its reply.
    fn request(&self, method: &str, params: Value) -> anyhow::Result<Receiver<Value>> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = channel();
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, tx);
        write_frame(
            &self.stdin,
            &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
        )?;
        Ok(rx)
    }

    fn call(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        self.request(method, params)?
            .recv_timeout(TIMEOUT)
            .with_context(|| format!("no reply to {method}"))
    }

    fn wait_notification(&self, matches: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
        let deadline = Instant::now() + TIMEOUT;
        let notifications = self.notifications.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = notifications
                .recv_timeout(left)
                .context("no such notification")?;
            if matches(&message) {
                return Ok(message);
            }
        }
    }

    /// (current, peak) resident set in bytes.
    fn rss(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0)
                * 1024
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn change(uri: &str, version: i64, line: usize, text: &str) -> Value {
    json!({ "textDocument": { "uri": uri, "version": version },
            "contentChanges": [{ "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 0 } },
                                 "text": text }] })
}

/// A request the server answers as soon as it has applied every earlier notification: a position past
/// the end of the document is refused without any model work.
fn barrier(uri: &str) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": 99_999_999, "character": 0 },
            "context": { "triggerKind": 1 } })
}

fn code_action(uri: &str) -> Value {
    json!({ "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [{ "range": { "start": { "line": 0, "character": 0 },
                                                        "end": { "line": 0, "character": 1 } },
                                             "message": "undefined name" }] } })
}

/// Code actions on `other` (timed, `requests` of them) while a second thread edits `edited` (of `lines`
/// lines, at `version` so far) every 10 ms. Returns the sorted times, the edits sent and the last
/// version.
fn requests_during_edits(
    client: &Arc<Client>,
    other: &str,
    edited: &str,
    lines: usize,
    version: i64,
    requests: usize,
) -> anyhow::Result<(Vec<f64>, usize, i64)> {
    let stop = Arc::new(AtomicBool::new(false));
    let editor = {
        let (client, stop, edited) = (Arc::clone(client), Arc::clone(&stop), edited.to_owned());
        std::thread::spawn(move || -> anyhow::Result<(usize, i64)> {
            let (mut n, mut version) = (0, version);
            while !stop.load(Ordering::SeqCst) {
                version += 1;
                client.notify(
                    "textDocument/didChange",
                    change(&edited, version, (n * 104_729) % lines, "y = 2\n"),
                )?;
                n += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok((n, version))
        })
    };
    let mut times = Vec::new();
    for _ in 0..requests {
        let started = Instant::now();
        let reply = client.call("textDocument/codeAction", code_action(other))?;
        anyhow::ensure!(reply.get("result").is_some(), "code action: {reply}");
        times.push(ms(started.elapsed()));
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::SeqCst);
    let (edits, version) = editor
        .join()
        .map_err(|_| anyhow::anyhow!("the editing thread panicked"))??;
    times.sort_by(f64::total_cmp);
    Ok((times, edits, version))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> anyhow::Result<()> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut server = format!("{root}/target/release/qwen-lsp");
    let mut model = format!("{root}/tests/models/qwen3-tiny");
    let mut mb = 20usize;
    let mut medium_edit_count = 50usize;
    let mut medium_requests = 300usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--server" => server = args.next().context("--server PATH")?,
            "--model" => model = args.next().context("--model PATH")?,
            "--mb" => mb = args.next().context("--mb N")?.parse()?,
            "--medium-edits" => {
                medium_edit_count = args.next().context("--medium-edits N")?.parse()?;
            }
            "--medium-requests" => {
                medium_requests = args.next().context("--medium-requests N")?.parse()?;
            }
            other => bail!("unknown argument {other}"),
        }
    }

    let client = Arc::new(Client::spawn(&server, &model)?);
    let init = client.call(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": { "window": { "workDoneProgress": true } },
                "initializationOptions": { "completion": { "validateSyntax": false, "sampling": { "maxTokens": 16 } },
                                           "actions": { "runTests": false } } }),
    )?;
    anyhow::ensure!(init.get("error").is_none(), "initialize: {init}");
    client.notify("initialized", json!({}))?;
    client.wait_notification(|n| {
        n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end"
    })?;
    std::thread::sleep(Duration::from_millis(500));
    let (model_rss, _) = client.rss();

    let small = "file:///bench/small.py";
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": small, "languageId": "python", "version": 1, "text": "x = 1\n" } }),
    )?;
    let big = "file:///bench/big.py";
    let line = "def handler_0000(request, *args):\n    return request.values.get('key', None) or args[0]\n";
    let text = line.repeat((mb << 20) / line.len());
    let lines = text.matches('\n').count();
    let started = Instant::now();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": big, "languageId": "python", "version": 1, "text": text } }),
    )?;
    drop(text);
    let reply = client.call("textDocument/inlineCompletion", barrier(big))?;
    anyhow::ensure!(
        reply["error"]["code"] == -32602,
        "the barrier request: {reply}"
    );
    let open = started.elapsed();
    let (open_rss, _) = client.rss();

    // One-line edits of the big document, each followed by a request that needs it applied.
    let mut version = 1i64;
    let mut edits = Vec::new();
    for i in 0..50 {
        version += 1;
        let started = Instant::now();
        client.notify(
            "textDocument/didChange",
            change(big, version, (i * 7_919) % lines, "    x = 1\n"),
        )?;
        client.call("textDocument/inlineCompletion", barrier(big))?;
        edits.push(ms(started.elapsed()));
    }
    edits.sort_by(f64::total_cmp);

    // Requests on the small document while a second thread edits the big one about 100 times a second.
    let (others, concurrent_edits, _) =
        requests_during_edits(&client, small, big, lines, version, 300)?;

    // 20 concurrent completions: 19 on small documents, one on the big one.
    for i in 0..19 {
        let uri = format!("file:///bench/small_{i}.py");
        let text = format!("def f_{i}(a, b):\n    total = a + b\n    return ");
        client.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "python", "version": 1, "text": text } }),
        )?;
    }
    let at = |uri: String, line: usize, character: usize| {
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character },
                "context": { "triggerKind": 1 } })
    };
    let started = Instant::now();
    let mut replies = Vec::new();
    for i in 0..19 {
        replies.push(client.request(
            "textDocument/inlineCompletion",
            at(format!("file:///bench/small_{i}.py"), 2, 11),
        )?);
    }
    replies.push(client.request(
        "textDocument/inlineCompletion",
        at(big.to_owned(), lines / 2, 4),
    )?);
    let mut items = 0;
    for rx in replies {
        let reply = rx
            .recv_timeout(TIMEOUT)
            .context("a completion was not answered")?;
        anyhow::ensure!(reply.get("result").is_some(), "completion: {reply}");
        items += reply["result"].as_array().map_or(0, Vec::len);
    }
    let completions = started.elapsed();
    let (_, peak) = client.rss();

    // Below the limit the document is parsed, in the background: a 3.5 MiB one. A code action on the
    // small document right after its didOpen; then a code action on it, which needs its tree (the
    // "Complete this function" check) and so waits for the parse.
    let medium = "file:///bench/medium.py";
    let text = line.repeat((7 << 19) / line.len());
    let medium_lines = text.matches('\n').count();
    let started = Instant::now();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": medium, "languageId": "python", "version": 1, "text": text } }),
    )?;
    drop(text);
    let behind_open = client.call("textDocument/codeAction", code_action(small))?;
    anyhow::ensure!(
        behind_open.get("result").is_some(),
        "code action: {behind_open}"
    );
    let behind_open = started.elapsed();
    client.call("textDocument/inlineCompletion", barrier(medium))?;
    let medium_open = started.elapsed();
    let parsed = client.call("textDocument/codeAction", code_action(medium))?;
    anyhow::ensure!(parsed.get("result").is_some(), "code action: {parsed}");
    let medium_parsed = started.elapsed();
    let mut medium_edits = Vec::new();
    for i in 0..medium_edit_count.max(1) {
        let started = Instant::now();
        let edit = change(
            medium,
            2 + i as i64,
            (i * 7_919) % medium_lines,
            "    x = 1\n",
        );
        client.notify("textDocument/didChange", edit)?;
        client.call("textDocument/inlineCompletion", barrier(medium))?;
        medium_edits.push(ms(started.elapsed()));
    }
    medium_edits.sort_by(f64::total_cmp);
    // A request that needs the tree right after the edits: the background parse catches up.
    let started = Instant::now();
    let parsed = client.call("textDocument/codeAction", code_action(medium))?;
    anyhow::ensure!(parsed.get("result").is_some(), "code action: {parsed}");
    let medium_reparsed = started.elapsed();
    let medium_version = medium_edit_count.max(1) as i64 + 1;
    let (medium_others, medium_concurrent, _) = if medium_requests == 0 {
        (Vec::new(), 0, medium_version)
    } else {
        requests_during_edits(
            &client,
            small,
            medium,
            medium_lines,
            medium_version,
            medium_requests,
        )?
    };

    let mbytes = |b: u64| b as f64 / (1 << 20) as f64;
    println!("big document: {mb} MiB, {lines} lines (Python; over the 4 MiB large-file limit)");
    println!("| measure | value | target |");
    println!("|---|---|---|");
    println!(
        "| open the big document (didOpen + first reply) | {:.0} ms | |",
        ms(open)
    );
    println!(
        "| one-line edit of the big document (didChange + reply), p50 / p99 / max of {} | {:.1} / {:.1} / {:.1} ms | <= 50 ms |",
        edits.len(),
        percentile(&edits, 0.5),
        percentile(&edits, 0.99),
        edits[edits.len() - 1]
    );
    println!(
        "| code action on another document during {concurrent_edits} edits, p50 / p99 / max of {} | {:.1} / {:.1} / {:.1} ms | p99 <= 100 ms |",
        others.len(),
        percentile(&others, 0.5),
        percentile(&others, 0.99),
        others[others.len() - 1]
    );
    println!(
        "| 20 concurrent completions ({items} items) | {:.0} ms | |",
        ms(completions)
    );
    println!(
        "| RSS: model loaded / big document open / peak | {:.0} / {:.0} / {:.0} MiB | |",
        mbytes(model_rss),
        mbytes(open_rss),
        mbytes(peak)
    );
    println!(
        "| peak RSS beyond the loaded model | {:.0} MiB | <= 400 MB |",
        mbytes(peak.saturating_sub(model_rss))
    );
    println!(
        "| 3.5 MiB document (parsed in the background): a code action on the small document sent right after its didOpen / didOpen + first reply / first request that needs its tree | {:.0} / {:.0} / {:.0} ms | |",
        ms(behind_open),
        ms(medium_open),
        ms(medium_parsed)
    );
    println!(
        "| one-line edit of the 3.5 MiB document (didChange + reply), p50 / p99 / max of {} | {:.1} / {:.1} / {:.1} ms | <= 50 ms |",
        medium_edits.len(),
        percentile(&medium_edits, 0.5),
        percentile(&medium_edits, 0.99),
        medium_edits[medium_edits.len() - 1]
    );
    println!(
        "| a request that needs the 3.5 MiB document's tree, right after those edits | {:.0} ms | |",
        ms(medium_reparsed)
    );
    if !medium_others.is_empty() {
        println!(
            "| code action on another document during {medium_concurrent} edits of the 3.5 MiB one, p50 / p99 / max of {} | {:.1} / {:.1} / {:.1} ms | p99 <= 100 ms |",
            medium_others.len(),
            percentile(&medium_others, 0.5),
            percentile(&medium_others, 0.99),
            medium_others[medium_others.len() - 1]
        );
    }
    let _ = client.call("shutdown", Value::Null);
    Ok(())
}
