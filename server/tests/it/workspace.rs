//! The workspace index end to end: the real binary, initialized on a folder, indexes it with progress,
//! registers file watchers, and puts a definition from a file the editor never opened into the prompt;
//! `workspace/didChangeWatchedFiles` and `didSave` keep that current. The prompt is observed where it
//! leaves the server: the model is a scripted OpenAI-compatible server on loopback that records each
//! request's prompt and answers a fixed completion.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{TIMEOUT, TestServer};

/// A fake `/v1/completions` endpoint: every request's `prompt` goes to the returned channel.
fn fake_model() -> (String, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let (tx, prompts) = channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let request: Value = serde_json::from_slice(&body).unwrap_or_default();
            let _ = tx.send(request["prompt"].as_str().unwrap_or_default().to_owned());
            let answer =
                json!({ "choices": [{ "index": 0, "text": "amount)", "finish_reason": "stop" }] })
                    .to_string();
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (format!("http://{addr}/v1#fake"), prompts)
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

const CART: &str =
    "from shop.money import round_cents\n\ndef total(prices):\n    return round_cents(\n";

/// A workspace of `shop/cart.py` (CART), which calls `round_cents` from the unopened `shop/money.py`;
/// returns it and money.py's path.
fn shop() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let money = dir.path().join("shop/money.py");
    write(
        &money,
        "def round_cents(amount: float, places: int = 2) -> float:\n    return round(amount, places)\n",
    );
    write(&dir.path().join("shop/cart.py"), CART);
    (dir, money)
}

/// A client that shows progress, lets the server register file watchers and asks for inline
/// completions (as VS Code does).
fn watching_client() -> Value {
    json!({
        "window": { "workDoneProgress": true },
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
        "textDocument": { "inlineCompletion": {} },
    })
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const INDEX_PROGRESS: &str = "qwen-lsp/index-workspace";

/// The settings of these tests, with the workspace index on or off.
fn settings(index: bool) -> Value {
    json!({ "completion": { "validateSyntax": false }, "workspaceIndex": { "enabled": index } })
}

/// Starts the server on the fake model, initialized on `root`; waits for the index and the model.
fn start(root: &Path, capabilities: Value) -> (TestServer, Receiver<String>) {
    let (mut server, prompts) = start_with(root, capabilities, settings(true));
    wait_indexed(&mut server);
    (server, prompts)
}

/// Starts the server on the fake model, initialized on `root` with `options`; waits for the model.
fn start_with(root: &Path, capabilities: Value, options: Value) -> (TestServer, Receiver<String>) {
    let (model, prompts) = fake_model();
    let mut server = TestServer::spawn(&["--model", &model]);
    let response = server.call(
        "initialize",
        json!({ "processId": null, "rootUri": uri(root), "capabilities": capabilities,
                "initializationOptions": options }),
    );
    assert_eq!(
        response["result"]["capabilities"]["textDocumentSync"]["save"],
        json!(true),
        "{response}"
    );
    server.notify("initialized", json!({}));
    server.notification("$/progress", |p| {
        p["token"] != INDEX_PROGRESS && p["value"]["kind"] == "end"
    });
    (server, prompts)
}

/// Waits for the end of a scan that indexed the two files of these tests.
fn wait_indexed(server: &mut TestServer) {
    let indexed = server.notification("$/progress", |p| {
        p["token"] == INDEX_PROGRESS && p["value"]["kind"] == "end"
    });
    assert!(
        indexed["params"]["value"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("indexed 2 files")),
        "{indexed}"
    );
}

/// Asks for a completion at the end of `round_cents(` and returns the prompt the model got.
fn prompt_at_call(server: &mut TestServer, prompts: &Receiver<String>, cart: &str) -> String {
    let response = server.call(
        "textDocument/inlineCompletion",
        json!({ "textDocument": { "uri": cart }, "position": { "line": 3, "character": 23 },
                "context": { "triggerKind": 1 } }),
    );
    assert!(response.get("error").is_none(), "{response}");
    prompts
        .recv_timeout(TIMEOUT)
        .expect("the model got a request")
}

/// Polls until the prompt satisfies `ok` (file events are applied in the background).
fn eventually(
    server: &mut TestServer,
    prompts: &Receiver<String>,
    cart: &str,
    ok: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let prompt = prompt_at_call(server, prompts, cart);
        if ok(&prompt) || Instant::now() > deadline {
            return prompt;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_definition_from_an_unopened_file_reaches_the_prompt_and_follows_file_events() {
    let (dir, money) = shop();
    let capabilities = watching_client();
    let (mut server, prompts) = start(dir.path(), capabilities);
    let registration = server
        .notifications
        .iter()
        .find(|n| n["method"] == "client/registerCapability")
        .cloned()
        .expect("the server registers file watchers");
    let registered = &registration["params"]["registrations"][0];
    assert_eq!(registered["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        registered["registerOptions"]["watchers"][0]["globPattern"],
        "**/*.py"
    );

    let cart = uri(&dir.path().join("shop/cart.py"));
    server.open(&cart, "python", CART);
    let root = dir
        .path()
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a name")
        .to_owned();
    let prompt = prompt_at_call(&mut server, &prompts, &cart);
    let expected = format!(
        "<|repo_name|>{root}\n<|file_sep|>shop/money.py\ndef round_cents(amount: float, places: int = 2) -> float:\n    return round(amount, places)\n<|file_sep|>shop/cart.py\n<|fim_prefix|>{}<|fim_suffix|>",
        CART.trim_end()
    );
    assert!(prompt.starts_with(&expected), "{prompt}");

    // Changed on disk (a branch switch): the watcher's event brings the new signature.
    write(
        &money,
        "def round_cents(value, mode=\"half-even\"):\n    return value\n",
    );
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&money), "type": 2 }] }),
    );
    let prompt = eventually(&mut server, &prompts, &cart, |p| {
        p.contains("def round_cents(value, mode")
    });
    assert!(
        prompt.contains("def round_cents(value, mode=\"half-even\"):"),
        "{prompt}"
    );

    // Deleted: gone from the prompt, which falls back to the file-level format.
    std::fs::remove_file(&money).expect("remove");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&money), "type": 3 }] }),
    );
    let prompt = eventually(&mut server, &prompts, &cart, |p| {
        !p.contains("def round_cents")
    });
    assert!(prompt.starts_with("<|fim_prefix|>"), "{prompt}");

    // Written again and saved in the editor: didSave re-reads it.
    write(&money, "def round_cents(total):\n    return total\n");
    server.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri(&money) } }),
    );
    let prompt = eventually(&mut server, &prompts, &cart, |p| {
        p.contains("def round_cents(total)")
    });
    assert!(
        prompt.contains("<|file_sep|>shop/money.py\ndef round_cents(total):"),
        "{prompt}"
    );
    server.shutdown_and_exit();
}

#[test]
fn hostile_file_events_are_ignored_and_no_watchers_without_the_capability() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        &dir.path().join("shop/money.py"),
        "def round_cents(amount):\n    return amount\n",
    );
    write(&dir.path().join("shop/cart.py"), CART);
    let (mut server, prompts) = start(
        dir.path(),
        json!({ "window": { "workDoneProgress": true } }),
    );
    assert!(
        !server
            .notifications
            .iter()
            .any(|n| n["method"] == "client/registerCapability")
    );
    let outside = tempfile::tempdir().expect("temp dir");
    write(
        &outside.path().join("evil.py"),
        "def round_cents(stolen):\n    pass\n",
    );
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [
            { "uri": "https://example.com/a.py", "type": 1 },
            { "uri": "file:///nonexistent/dir/x.py", "type": 3 },
            { "uri": uri(&outside.path().join("evil.py")), "type": 1 },
            { "uri": uri(dir.path()), "type": 2 },
        ] }),
    );
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": "not a list" }),
    );
    server.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": "not a uri" } }),
    );
    let cart = uri(&dir.path().join("shop/cart.py"));
    server.open(&cart, "python", CART);
    // A file outside the workspace folders is never indexed.
    let prompt = prompt_at_call(&mut server, &prompts, &cart);
    assert!(!prompt.contains("stolen"), "{prompt}");
    assert!(
        prompt.contains("<|file_sep|>shop/money.py\ndef round_cents(amount):"),
        "{prompt}"
    );
    server.shutdown_and_exit();
}

#[test]
fn the_workspace_index_setting_keeps_unopened_files_out_of_the_prompt_and_back_in() {
    let (dir, money) = shop();
    let capabilities = watching_client();
    let (mut server, prompts) = start_with(dir.path(), capabilities, settings(false));
    let cart = uri(&dir.path().join("shop/cart.py"));
    server.open(&cart, "python", CART);

    // Off from the start: nothing is scanned or watched, and file events do not index anything.
    server.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri(&money) } }),
    );
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&money), "type": 2 }] }),
    );
    thread::sleep(Duration::from_millis(300));
    let prompt = prompt_at_call(&mut server, &prompts, &cart);
    assert!(!prompt.contains("round_cents(amount"), "{prompt}");
    assert!(prompt.starts_with("<|fim_prefix|>"), "{prompt}");
    let watched_or_scanned = |n: &Value| {
        n["method"] == "client/registerCapability" || n["params"]["token"] == INDEX_PROGRESS
    };
    assert!(
        !server.notifications.iter().any(watched_or_scanned),
        "{:?}",
        server.notifications
    );

    // Switched on: the folder is scanned, watchers are registered, the definition is in the prompt.
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": settings(true) }),
    );
    wait_indexed(&mut server);
    assert!(
        server
            .notifications
            .iter()
            .any(|n| n["method"] == "client/registerCapability")
    );
    let prompt = prompt_at_call(&mut server, &prompts, &cart);
    assert!(
        prompt.contains(
            "<|file_sep|>shop/money.py\ndef round_cents(amount: float, places: int = 2) -> float:"
        ),
        "{prompt}"
    );

    // Switched off again: the index is dropped at once, not at the next scan.
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": settings(false) }),
    );
    server.notification("window/logMessage", |p| {
        p["message"] == "qwen-lsp: workspace index off"
    });
    let prompt = prompt_at_call(&mut server, &prompts, &cart);
    assert!(!prompt.contains("round_cents(amount"), "{prompt}");
    assert!(prompt.starts_with("<|fim_prefix|>"), "{prompt}");
    // The watchers stay registered, but their events are ignored while it is off.
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&money), "type": 2 }] }),
    );
    server.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri(&money) } }),
    );
    thread::sleep(Duration::from_millis(300));
    let prompt = prompt_at_call(&mut server, &prompts, &cart);
    assert!(!prompt.contains("round_cents(amount"), "{prompt}");

    // And on once more: a fresh scan brings the definition back.
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": settings(true) }),
    );
    let prompt = eventually(&mut server, &prompts, &cart, |p| {
        p.contains("def round_cents(amount")
    });
    assert!(prompt.contains("def round_cents(amount"), "{prompt}");
    let registrations = server
        .notifications
        .iter()
        .filter(|n| n["method"] == "client/registerCapability")
        .count();
    assert_eq!(registrations, 1, "the watchers are registered once");
    server.shutdown_and_exit();
}
