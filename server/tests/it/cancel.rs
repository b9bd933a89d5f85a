//! Cancellation reaches the decode loop: `$/cancelRequest`, a newer request for the same document, and
//! a newer request during the server-side debounce.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::TestServer;

/// A generation that runs until the tiny model's context (1,024 positions) is full: many seconds.
fn long_generation() -> Value {
    json!({ "completion": { "validateSyntax": false, "multiline": "always", "sampling": { "maxTokens": 4000 } },
            "debounceMs": 0 })
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character },
            "context": { "triggerKind": 2 } })
}

/// Waits until the server's log says the model work saw its cancellation.
fn wait_for_decode_stop(server: &TestServer) {
    server.wait_for_log("model work cancelled after");
}

#[test]
fn cancel_request_answers_request_cancelled_and_stops_decoding() {
    let mut server = TestServer::with_tiny_model(long_generation());
    server.open("file:///long.py", "python", "def f():\n    ");
    let id = server.request("textDocument/inlineCompletion", at("file:///long.py", 1, 4));
    // Let it reach the decode loop (not required: a cancel during prefill must work too).
    std::thread::sleep(Duration::from_millis(300));
    server.notify("$/cancelRequest", json!({ "id": id }));
    let response = server.response(id);
    assert_eq!(response["error"]["code"], -32800, "{response}");
    wait_for_decode_stop(&server);
    // Still serving.
    server.shutdown_and_exit();
}

#[test]
fn a_newer_request_for_the_document_supersedes_the_older() {
    let mut server = TestServer::with_tiny_model(long_generation());
    server.open("file:///long.py", "python", "def f():\n    ");
    let older = server.request("textDocument/inlineCompletion", at("file:///long.py", 1, 4));
    std::thread::sleep(Duration::from_millis(300));
    // The newer one is short; settings are read per request.
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "completion": { "validateSyntax": false, "sampling": { "maxTokens": 4 } } } }),
    );
    let newer = server.request("textDocument/inlineCompletion", at("file:///long.py", 1, 4));
    let response = server.response(older);
    assert_eq!(response["error"]["code"], -32800, "{response}");
    let response = server.response(newer);
    assert!(response["result"].is_array(), "{response}");
    wait_for_decode_stop(&server);
    server.shutdown_and_exit();
}

#[test]
fn requests_for_other_documents_are_not_superseded() {
    let mut server = TestServer::with_tiny_model(
        json!({ "completion": { "validateSyntax": false, "sampling": { "maxTokens": 4 } }, "debounceMs": 500 }),
    );
    server.open("file:///a.py", "python", "a = ");
    server.open("file:///b.py", "python", "b = ");
    let a = server.request("textDocument/inlineCompletion", at("file:///a.py", 0, 4));
    let b = server.request("textDocument/inlineCompletion", at("file:///b.py", 0, 4));
    for id in [a, b] {
        let response = server.response(id);
        assert!(response["result"].is_array(), "{response}");
    }
    server.shutdown_and_exit();
}

#[test]
fn a_request_superseded_during_the_debounce_is_cancelled_without_model_work() {
    let mut server = TestServer::with_tiny_model(
        json!({ "completion": { "validateSyntax": false, "sampling": { "maxTokens": 4 } }, "debounceMs": 1000 }),
    );
    server.open("file:///d.py", "python", "x = ");
    let first = server.request("textDocument/inlineCompletion", at("file:///d.py", 0, 4));
    let second = server.request("textDocument/inlineCompletion", at("file:///d.py", 0, 4));
    let response = server.response(first);
    assert_eq!(response["error"]["code"], -32800, "{response}");
    let response = server.response(second);
    assert!(response["result"].is_array(), "{response}");
    assert!(
        !server.stderr().contains("model work cancelled"),
        "the first never reached the model"
    );
    server.shutdown_and_exit();
}

#[test]
fn closing_the_document_cancels_its_completion() {
    let mut server = TestServer::with_tiny_model(long_generation());
    server.open("file:///long.py", "python", "def f():\n    ");
    let id = server.request("textDocument/inlineCompletion", at("file:///long.py", 1, 4));
    std::thread::sleep(Duration::from_millis(300));
    server.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": "file:///long.py" } }),
    );
    let response = server.response(id);
    assert_eq!(response["error"]["code"], -32800, "{response}");
    wait_for_decode_stop(&server);
    server.shutdown_and_exit();
}

#[test]
fn a_typing_burst_answers_every_request_and_completes_only_the_last() {
    let mut server = TestServer::with_tiny_model(
        json!({ "completion": { "validateSyntax": false, "sampling": { "maxTokens": 4 } }, "debounceMs": 1000 }),
    );
    server.open("file:///t.py", "python", "");
    let mut ids = Vec::new();
    for (i, c) in "total = ".chars().enumerate() {
        let character = u32::try_from(i).expect("short line");
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": "file:///t.py", "version": i + 2 },
                    "contentChanges": [{ "range": { "start": { "line": 0, "character": character },
                                                    "end": { "line": 0, "character": character } },
                                         "text": c.to_string() }] }),
        );
        ids.push(server.request(
            "textDocument/inlineCompletion",
            at("file:///t.py", 0, character + 1),
        ));
    }
    let last = ids.pop().expect("requests were sent");
    for id in ids {
        let response = server.response(id);
        assert_eq!(response["error"]["code"], -32800, "{response}");
    }
    let response = server.response(last);
    assert_eq!(
        response["result"][0]["range"]["start"],
        json!({ "line": 0, "character": 8 }),
        "{response}"
    );
    server.shutdown_and_exit();
}
