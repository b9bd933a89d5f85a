//! Documents over the large-file limit: kept without a syntax tree, announced once, completed from a
//! window around the cursor with positions in the whole document's lines.

use serde_json::{Value, json};

use crate::support::TestServer;

const NO_MODEL: &str = "/nonexistent/qwen-lsp-test-model";

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character },
            "context": { "triggerKind": 1 } })
}

fn told_about(server: &TestServer, uri: &str) -> usize {
    server
        .notifications
        .iter()
        .filter(|n| n["method"] == "window/showMessage")
        .filter(|n| {
            n["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(uri) && m.contains("no syntax tree"))
        })
        .count()
}

#[test]
fn a_large_document_is_completed_from_a_window_with_whole_document_positions() {
    // 30,000 lines (~400 kB) over a 100 kB limit: the window (256 kB) starts thousands of lines in.
    let settings = json!({ "completion": { "validateSyntax": false, "sampling": { "maxTokens": 4 } },
                           "largeFileBytes": 100_000 });
    let mut server = TestServer::with_tiny_model(settings);
    let uri = "file:///big/generated.py";
    let text: String = (0..30_000).map(|i| format!("value_{i} = {i}\n")).collect();
    server.open(uri, "python", &text);
    server.notification("window/showMessage", |p| {
        p["message"].as_str().is_some_and(|m| m.contains(uri))
    });

    // The cursor at the end of line 29,000 (`value_29000 = 29000`, 19 characters).
    let response = server.call("textDocument/inlineCompletion", at(uri, 29_000, 19));
    let item = &response["result"][0];
    assert_eq!(
        item["range"]["start"],
        json!({ "line": 29_000, "character": 19 }),
        "{response}"
    );

    // An edit at the top moves the cursor's line down by one; the window follows.
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                                     "text": "import os\n" }] }),
    );
    let moved = server.call("textDocument/inlineCompletion", at(uri, 29_001, 19));
    assert_eq!(
        moved["result"][0]["range"]["start"],
        json!({ "line": 29_001, "character": 19 }),
        "{moved}"
    );
    assert_eq!(
        moved["result"][0]["insertText"], item["insertText"],
        "the same text around the cursor"
    );
    let classic = server.call("textDocument/completion", at(uri, 29_001, 19));
    assert_eq!(
        classic["result"]["items"][0]["textEdit"]["range"]["start"],
        json!({ "line": 29_001, "character": 19 }),
        "{classic}"
    );

    // A small document next to it is completed as usual.
    server.open(
        "file:///big/small.py",
        "python",
        "def add(a, b):\n    return ",
    );
    let small = server.call(
        "textDocument/inlineCompletion",
        at("file:///big/small.py", 1, 11),
    );
    assert_eq!(
        small["result"][0]["range"]["start"],
        json!({ "line": 1, "character": 11 }),
        "{small}"
    );
    assert_eq!(told_about(&server, uri), 1, "said once, not at every edit");
    server.shutdown_and_exit();
}

#[test]
fn the_default_limit_is_4_mib_and_the_user_is_told_once() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(Value::Null, json!({}));
    // The failed load is announced; from then on requests that need the model say why they cannot.
    server.notification("window/showMessage", |p| p["type"] == 1);
    let uri = "file:///big/data.py";
    let text = "x = [1, 2, 3]\n".repeat(320_000); // 4.5 MB
    server.open(uri, "python", &text);
    for version in 2..5 {
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "range": { "start": { "line": 5, "character": 0 }, "end": { "line": 5, "character": 0 } },
                                         "text": "y = 2\n" }] }),
        );
    }
    // A request after the edits sees them: line 320,003 exists only with all three inserted lines.
    let response = server.call(
        "textDocument/codeAction",
        json!({
        "textDocument": { "uri": uri },
        "range": { "start": { "line": 320_003, "character": 0 }, "end": { "line": 320_003, "character": 0 } },
        "context": { "diagnostics": [] } }),
    );
    assert!(
        response["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("failed to load")),
        "{response}"
    );
    server.notification("window/showMessage", |p| {
        p["message"].as_str().is_some_and(|m| m.contains(uri))
    });
    assert_eq!(told_about(&server, uri), 1);
    // A small document is not large.
    server.open("file:///big/small.py", "python", "x = 1\n");
    let response = server.call("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null);
    assert_eq!(told_about(&server, "file:///big/small.py"), 0);
}
