//! The transport under a race: the server's own error replies (to malformed frames) interleaved with
//! large outgoing messages (log lines and error responses that quote 10-70 kB URIs), hundreds of times.
//! Every request must get its reply, and the server must keep answering afterwards.

use serde_json::{Value, json};

use crate::support::TestServer;

const NO_MODEL: &str = "/nonexistent/qwen-lsp-test-model";

/// A frame whose body is not JSON: answered by the transport itself, not by tower-lsp.
const MALFORMED: &[u8] = b"Content-Length: 3\r\n\r\n{x}";

fn long_uri(i: usize) -> String {
    // 10 to 70 kB, different each time, so frames end at every offset of the pipe's buffers.
    let len = 10_000 + (i * 7_919) % 60_000;
    format!("file:///{}.py", "a".repeat(len))
}

fn frame(message: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(message).expect("serializable");
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend(body);
    frame
}

/// Issue 16's report, as it was found: 50 times a `didChange` for an unopened document with a 10 kB
/// URI (the server logs a long message) and a malformed frame; then any request. The writer used to
/// `select!` between a half-read frame from tower-lsp and an error reply, dropping the frame when the
/// reply won, after which the server answered nothing at all.
#[test]
fn error_replies_racing_long_log_lines_do_not_mute_the_server() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(Value::Null, json!({}));
    let uri = format!("file:///{}.py", "b".repeat(10_000));
    let mut burst = Vec::new();
    for version in 0..50 {
        let change = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": { "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": "x" }] } });
        burst.extend(frame(&change));
        burst.extend(MALFORMED);
    }
    server.send_raw(&burst);
    for _ in 0..50 {
        let reply = server.response_to(Value::Null);
        assert_eq!(reply["error"]["code"], -32700, "{reply}");
    }
    let response = server.call("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null, "{response}");
    server.notify("exit", Value::Null);
    assert!(server.wait_for_exit().success());
}

/// Hundreds of rounds of: a notification that makes the server log, a malformed frame, a request whose
/// error response quotes a long URI, and a request with a small answer. All written at once, so the
/// transport's replies and tower-lsp's frames compete for the output the whole time.
#[test]
fn every_request_is_answered_while_error_replies_race_large_messages() {
    const ROUNDS: usize = 300;
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(Value::Null, json!({}));
    let mut burst = Vec::new();
    let mut ids = Vec::new();
    for i in 0..ROUNDS {
        let uri = long_uri(i);
        let change = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": { "textDocument": { "uri": uri, "version": i }, "contentChanges": [{ "text": "x" }] } });
        burst.extend(frame(&change));
        burst.extend(MALFORMED);
        let id = 1_000 + 2 * i as i64;
        let inline = json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/inlineCompletion",
            "params": { "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 },
                        "context": { "triggerKind": 1 } } });
        burst.extend(frame(&inline));
        // A header that is no header at all, then a body that is JSON but not JSON-RPC.
        burst.extend(b"X-Nonsense: 1\r\n\r\n");
        burst.extend(frame(&json!({ "id": id + 1, "hello": "world" })));
        ids.push(id);
    }
    server.send_raw(&burst);
    for &id in &ids {
        let reply = server.response(id);
        assert_eq!(reply["error"]["code"], -32602, "{reply}");
        let message = reply["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.len() > 10_000 && message.ends_with(".py is not open"),
            "{}",
            &message[..100.min(message.len())]
        );
        let invalid = server.response(id + 1);
        assert_eq!(invalid["error"]["code"], -32600, "{invalid}");
    }
    // Two unanswerable frames per round (the broken body and the header without a length).
    for _ in 0..2 * ROUNDS {
        let reply = server.response_to(Value::Null);
        assert_eq!(reply["error"]["code"], -32700, "{reply}");
    }
    let response = server.call("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null, "{response}");
    server.notify("exit", Value::Null);
    assert!(server.wait_for_exit().success());
}
