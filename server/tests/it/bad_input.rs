//! Bad input gets an error response and the server keeps serving: malformed JSON-RPC, requests before
//! `initialize`, unknown documents, positions past the end or inside a surrogate pair.

use serde_json::{Value, json};

use crate::support::TestServer;

const NO_MODEL: &str = "/nonexistent/qwen-lsp-test-model";

fn inline_at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character },
            "context": { "triggerKind": 1 } })
}

#[test]
fn malformed_json_gets_a_parse_error_and_serving_continues() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    let garbage = br#"{"jsonrpc":"2.0","id":1,"method":"#;
    server.send_raw(format!("Content-Length: {}\r\n\r\n", garbage.len()).as_bytes());
    server.send_raw(garbage);
    let response = server.response_to(Value::Null);
    assert_eq!(response["error"]["code"], -32700, "{response}");

    // Valid JSON that is not a JSON-RPC message.
    server.send(&json!({ "hello": "world" }));
    let response = server.response_to(Value::Null);
    assert_eq!(response["error"]["code"], -32600, "{response}");

    let result = server.initialize(Value::Null, json!({}));
    assert_eq!(result["serverInfo"]["name"], "qwen-lsp");
    server.shutdown_and_exit();
}

#[test]
fn requests_before_initialize_are_refused_then_initialize_works() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    let response = server.call(
        "textDocument/inlineCompletion",
        inline_at("file:///a.py", 0, 0),
    );
    assert_eq!(response["error"]["code"], -32002, "{response}");
    let response = server.call("textDocument/completion", inline_at("file:///a.py", 0, 0));
    assert_eq!(response["error"]["code"], -32002, "{response}");
    server.initialize(Value::Null, json!({}));
    server.shutdown_and_exit();
}

#[test]
fn unknown_documents_and_bad_positions_are_invalid_params() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(Value::Null, json!({}));
    server.open("file:///e.py", "python", "s = '😀'\n");
    let cases = [
        (
            inline_at("file:///nowhere.py", 0, 0),
            "document file:///nowhere.py is not open",
        ),
        (
            inline_at("file:///e.py", 5, 0),
            "line 5 is past the end of the document (2 lines)",
        ),
        // `s = '` is 5 UTF-16 units; the emoji takes units 5 and 6.
        (
            inline_at("file:///e.py", 0, 6),
            "character 6 on line 0 falls inside a character that is 2 code units wide",
        ),
    ];
    for (params, message) in cases {
        for method in ["textDocument/inlineCompletion", "textDocument/completion"] {
            let response = server.call(method, params.clone());
            assert_eq!(response["error"]["code"], -32602, "{method} {response}");
            assert_eq!(response["error"]["message"], message, "{method}");
        }
    }
    let response = server.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": "file:///e.py" },
                "range": { "start": { "line": 0, "character": 6 }, "end": { "line": 0, "character": 7 } },
                "context": { "diagnostics": [] } }),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let response = server.call(
        "codeAction/resolve",
        json!({ "title": "Fix this (Qwen)", "data": { "bogus": true } }),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
    // Missing params entirely.
    let response = server.call("textDocument/inlineCompletion", Value::Null);
    assert_eq!(response["error"]["code"], -32602, "{response}");
    server.shutdown_and_exit();
}

#[test]
fn an_invalid_change_closes_the_document_with_a_log_message() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(Value::Null, json!({}));
    server.open("file:///c.py", "python", "x = 1\n");
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///c.py", "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 9, "character": 0 }, "end": { "line": 9, "character": 0 } },
                                     "text": "y" }] }),
    );
    let log = server.notification("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("file:///c.py"))
    });
    let message = log["params"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("line 9 is past the end") && message.contains("closed until reopened"),
        "{message}"
    );
    let response = server.call(
        "textDocument/inlineCompletion",
        inline_at("file:///c.py", 0, 0),
    );
    assert_eq!(
        response["error"]["message"], "document file:///c.py is not open",
        "{response}"
    );
    server.shutdown_and_exit();
}

#[test]
fn before_the_model_is_ready_completions_are_empty() {
    let mut server =
        TestServer::spawn(&["--model", &crate::support::tiny_model().to_string_lossy()]);
    // The model starts loading at `initialized`; until then it is certainly not ready.
    let response = server.call(
        "initialize",
        json!({ "processId": null, "capabilities": {} }),
    );
    assert!(response.get("result").is_some(), "{response}");
    server.open("file:///a.py", "python", "x = ");
    let response = server.call(
        "textDocument/inlineCompletion",
        inline_at("file:///a.py", 0, 4),
    );
    assert_eq!(response["result"], json!([]), "{response}");
    let response = server.call("textDocument/completion", inline_at("file:///a.py", 0, 4));
    assert_eq!(
        response["result"],
        json!({ "isIncomplete": true, "items": [] }),
        "{response}"
    );
    server.shutdown_and_exit();
}

#[test]
fn requests_after_shutdown_are_invalid() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(Value::Null, json!({}));
    server.open("file:///a.py", "python", "x = ");
    let response = server.call("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null, "{response}");
    let response = server.call(
        "textDocument/inlineCompletion",
        inline_at("file:///a.py", 0, 4),
    );
    assert_eq!(response["error"]["code"], -32600, "{response}");
    server.notify("exit", Value::Null);
    assert!(server.wait_for_exit().success());
}
