//! `TestServer`: the real `qwen-lsp` binary on pipes, with a small synchronous LSP client: framed
//! send/receive with timeouts, wait for a response by id, answers to the server's own requests, and the
//! notifications seen so far.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Generous: the tiny model runs in an unoptimized test build on a shared machine.
pub const TIMEOUT: Duration = Duration::from_secs(180);

/// The committed tiny checkpoint (random weights, real Qwen3 tokenizer).
pub fn tiny_model() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/models/qwen3-tiny");
    assert!(
        dir.is_dir(),
        "the tiny test checkpoint is missing at {}",
        dir.display()
    );
    dir
}

pub struct TestServer {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    stderr: Arc<Mutex<String>>,
    next_id: i64,
    /// Every notification received so far, in order.
    pub notifications: Vec<Value>,
    /// Responses that arrived while waiting for another id.
    responses: Vec<Value>,
}

impl TestServer {
    /// Starts the binary with `args` (e.g. `--model <dir>`).
    pub fn spawn(args: &[&str]) -> TestServer {
        TestServer::spawn_with_env(args, &[])
    }

    /// Starts the binary with `args` and extra environment variables.
    pub fn spawn_with_env(args: &[&str], env: &[(&str, &str)]) -> TestServer {
        // QWEN_LSP_TEST_BINARY runs the tests against another build (e.g. an older one, to see a
        // regression test fail before its fix).
        let binary = std::env::var_os("QWEN_LSP_TEST_BINARY")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_qwen-lsp").into());
        let mut child = Command::new(binary)
            .args(args)
            .env("QWEN_LSP_LOG", "info")
            .envs(env.iter().copied())
            .env_remove("QWEN_LSP_MODEL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the qwen-lsp binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr_pipe = child.stderr.take().expect("piped stderr");
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                let mut all = sink.lock().unwrap_or_else(|p| p.into_inner());
                all.push_str(&line);
                all.push('\n');
            }
        });
        let stdin = child.stdin.take();
        TestServer {
            child,
            stdin,
            messages,
            stderr,
            next_id: 0,
            notifications: Vec::new(),
            responses: Vec::new(),
        }
    }

    /// Starts the server on the tiny model and initializes it with `options`.
    pub fn with_tiny_model(options: Value) -> TestServer {
        let model = tiny_model();
        let mut server = TestServer::spawn(&["--model", model.to_str().expect("utf-8 path")]);
        server.initialize(options, json!({ "window": { "workDoneProgress": true } }));
        server.wait_model_loaded();
        server
    }

    /// The server's process id (to read its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's log so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Waits until the log holds `needle`. The log arrives on its own pipe, so a line written
    /// before a response may still be in flight when the response is read.
    pub fn wait_for_log(&self, needle: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.stderr().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} in the log:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin
            .write_all(bytes)
            .and_then(|()| stdin.flush())
            .expect("write to the server");
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("serializable");
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend(body);
        self.send_raw(&frame);
    }

    /// Sends a request and returns its id.
    pub fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        self.response(id)
    }

    /// The next message, answering the server's own requests (progress tokens, configuration) on the way.
    fn next_message(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its stdout; its log:\n{}", self.stderr())
                }
            };
            match (message.get("id"), message.get("method")) {
                (Some(id), Some(_)) => {
                    // A request from the server: accept it (null is the result of both
                    // window/workDoneProgress/create and an empty workspace/configuration).
                    let id = id.clone();
                    self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
                    self.notifications.push(message);
                }
                (None, Some(_)) => {
                    self.notifications.push(message.clone());
                    return Some(message);
                }
                _ => return Some(message),
            }
        }
    }

    /// The response to request `id` (a JSON-RPC id: number, or null for unparseable input).
    pub fn response_to(&mut self, id: Value) -> Value {
        if let Some(i) = self.responses.iter().position(|r| r.get("id") == Some(&id)) {
            return self.responses.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let Some(message) = self.next_message(deadline) else {
                panic!(
                    "no response to {id} within {TIMEOUT:?}; the server's log:\n{}",
                    self.stderr()
                );
            };
            if message.get("method").is_some() {
                continue;
            }
            if message.get("id") == Some(&id) {
                return message;
            }
            self.responses.push(message);
        }
    }

    pub fn response(&mut self, id: i64) -> Value {
        self.response_to(json!(id))
    }

    /// Waits for a notification `method` whose params satisfy `matches` (looking at those already seen
    /// first).
    pub fn notification(&mut self, method: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(seen) = self
            .notifications
            .iter()
            .find(|n| n["method"] == method && matches(&n["params"]))
        {
            return seen.clone();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let Some(message) = self.next_message(deadline) else {
                panic!(
                    "no {method} notification within {TIMEOUT:?}; the server's log:\n{}",
                    self.stderr()
                );
            };
            if message["method"] == method && matches(&message["params"]) {
                return message;
            }
            if message.get("method").is_none() {
                self.responses.push(message);
            }
        }
    }

    /// `initialize` + `initialized`; returns the initialize result.
    pub fn initialize(&mut self, options: Value, capabilities: Value) -> Value {
        let response = self.call(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": capabilities, "initializationOptions": options }),
        );
        assert!(
            response.get("error").is_none(),
            "initialize failed: {response}"
        );
        self.notify("initialized", json!({}));
        response["result"].clone()
    }

    /// Waits for the end of the model-loading progress and returns its message.
    pub fn wait_model_loaded(&mut self) -> String {
        let end = self.notification("$/progress", |p| p["value"]["kind"] == "end");
        end["params"]["value"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        );
    }

    /// `shutdown` then `exit`; asserts the process ends by itself with status 0.
    pub fn shutdown_and_exit(mut self) {
        let response = self.call("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "shutdown: {response}");
        self.notify("exit", Value::Null);
        let status = self.wait_for_exit();
        assert!(
            status.success(),
            "exit status {status}; the server's log:\n{}",
            self.stderr()
        );
    }

    /// Waits (without closing stdin: `exit` alone must end the process) for the server to exit.
    pub fn wait_for_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for the server") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit after `exit`"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- qwen-lsp log ---\n{}", self.stderr());
        }
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `Content-Length`-framed message; `None` at end of stream.
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

/// Pretty JSON for snapshots.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("serializable")
}
