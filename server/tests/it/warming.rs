//! Warming the cache before the first keystroke: the server prefills the prompt of a request at the end
//! of a file when it opens, and at the editor's cursor on `qwen-lsp/didFocus`. The cache effect itself
//! is the engine's test (`pipeline::a_file_warmed_at_the_cursor_...`); these pin where the server
//! warms, and that no focus message can hurt it.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{TestServer, tiny_model};

const TIMEOUT: Duration = Duration::from_secs(60);

const SOURCE: &str = "def f(x):\n    return x\n";

/// The server on the tiny model, logging its warm-ups.
fn server() -> TestServer {
    let model = tiny_model();
    let mut server = TestServer::spawn_with_env(
        &["--model", model.to_str().unwrap()],
        &[("QWEN_LSP_LOG", "info,qwen_lsp::warming=debug")],
    );
    server.initialize(
        json!({ "completion": { "validateSyntax": false, "sampling": { "maxTokens": 4 } } }),
        json!({ "window": { "workDoneProgress": true } }),
    );
    server.wait_model_loaded();
    server
}

fn focus(uri: &str, position: Option<(u32, u32)>) -> Value {
    match position {
        Some((line, character)) => json!({ "textDocument": { "uri": uri },
                                           "position": { "line": line, "character": character } }),
        None => json!({ "textDocument": { "uri": uri } }),
    }
}

#[test]
fn opening_warms_the_end_and_focus_warms_the_cursor() {
    let mut server = server();
    server.open("file:///w.py", "python", SOURCE);
    server.wait_for_log("file:///w.py: warming the prompt at offset 23");
    // `    return x`: line 1, after `    ` is offset 10 + 4.
    server.notify("qwen-lsp/didFocus", focus("file:///w.py", Some((1, 4))));
    server.wait_for_log("file:///w.py: warming the prompt at offset 14");
    // Without a position: the end again (the editor knows no cursor yet).
    server.notify("qwen-lsp/didFocus", focus("file:///w.py", None));
    // After the cursor's warm-up (the open's may be logged twice, see `a_hostile_focus_is_ignored`).
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let log = server.stderr();
        let after_cursor = log.find("at offset 14").map_or("", |at| &log[at..]);
        if after_cursor.contains("at offset 23") {
            break;
        }
        assert!(Instant::now() < deadline, "{log}");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.shutdown_and_exit();
}

/// Focus on what is not there, where nothing is, or in no shape at all: ignored, and the server goes
/// on answering.
#[test]
fn a_hostile_focus_is_ignored() {
    let mut server = server();
    server.open("file:///w.py", "python", SOURCE);
    server.wait_for_log("warming the prompt at offset 23");
    for params in [
        focus("file:///never-opened.py", Some((0, 0))),
        focus("file:///w.py", Some((99, 0))),
        focus("file:///w.py", Some((0, 4_000_000_000))),
        json!({ "position": { "line": 0, "character": 0 } }),
        json!({ "textDocument": "file:///w.py" }),
        json!([1, 2, 3]),
        Value::Null,
    ] {
        server.notify("qwen-lsp/didFocus", params);
    }
    let response = server.call(
        "textDocument/inlineCompletion",
        json!({ "textDocument": { "uri": "file:///w.py" }, "position": { "line": 1, "character": 12 },
                "context": { "triggerKind": 1 } }),
    );
    assert!(response["result"].is_array(), "{response}");
    server.wait_for_log("w.py: warming the prompt at offset 9");
    let log = server.stderr();
    assert!(!log.contains("panicked"), "{log}");
    // A character past the end of its line means the line's end (the LSP spec's rule): offset 9. The
    // open's warm-up (offset 23) may be logged twice when the model became ready as the document opened
    // (both warm it; the second finds it cached), so only the focuses' warm-ups are counted.
    let focused: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("warming the prompt") && !l.contains("at offset 23"))
        .collect();
    assert_eq!(focused.len(), 1, "{log}");
    assert!(
        focused[0].ends_with("w.py: warming the prompt at offset 9"),
        "{log}"
    );
    assert!(!log.contains("never-opened.py: warming"), "{log}");
    server.shutdown_and_exit();
}
