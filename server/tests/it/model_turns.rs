//! Every model request, completion or resolved code action, takes a turn: `MODEL_REQUESTS` (4) run,
//! `WAITING_REQUESTS` (32) wait, and more are refused at once as busy, with one message. A remote
//! model that accepts connections and never answers keeps the turns taken for as long as the test
//! needs, so the counts are exact; `qwen-lsp/debugState` (debug builds) shows them.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{TIMEOUT, TestServer};

const RUNNING: u64 = 4;
const WAITING: u64 = 32;
const BROKEN: &str = "def add(a, b):\n    return a +\n";

/// A loopback "model server" that accepts every connection and never says a word.
fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!(
        "http://{}/v1#silent",
        listener.local_addr().expect("address")
    );
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    base
}

fn model_counts(server: &mut TestServer) -> (u64, u64) {
    let response = server.call("qwen-lsp/debugState", json!({}));
    let state = &response["result"];
    (
        state["modelRunning"].as_u64().expect("a count"),
        state["modelWaiting"].as_u64().expect("a count"),
    )
}

fn wait_for_counts(server: &mut TestServer, wanted: (u64, u64)) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let now = model_counts(server);
        if now == wanted {
            return;
        }
        assert!(Instant::now() < deadline, "{now:?}, never {wanted:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn fix_action(server: &mut TestServer, uri: &str) -> Value {
    let response = server.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri },
                "range": { "start": { "line": 1, "character": 4 }, "end": { "line": 1, "character": 14 } },
                "context": { "diagnostics": [{ "range": { "start": { "line": 1, "character": 13 },
                                                          "end": { "line": 1, "character": 14 } },
                                               "message": "Expected expression" }],
                             "only": ["quickfix"] } }),
    );
    let action = response["result"][0].clone();
    assert_eq!(action["data"]["action"], "fix", "{response}");
    action
}

fn completion_at_end(uri: &str) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": 14 },
            "context": { "triggerKind": 1 } })
}

fn busy(response: &Value) -> bool {
    response["error"]["code"] == -32803
        && response["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("busy") && m.contains("waiting for the model"))
}

#[test]
fn resolved_code_actions_and_completions_share_the_model_turns_and_the_busy_refusal() {
    let mut server = TestServer::spawn(&["--model", &silent_server()]);
    server.initialize(
        json!({ "actions": { "runTests": false, "candidates": 1 } }),
        json!({ "window": { "workDoneProgress": true } }),
    );
    // The remote "model" is ready at once (nothing is contacted until a request).
    let loaded = server.wait_model_loaded();
    assert!(loaded.starts_with("loaded"), "{loaded}");
    server.open("file:///turns/fix.py", "python", BROKEN);
    let action = fix_action(&mut server, "file:///turns/fix.py");

    // Four resolves take the four turns and hang on the silent model.
    let running: Vec<i64> = (0..RUNNING)
        .map(|_| server.request("codeAction/resolve", action.clone()))
        .collect();
    wait_for_counts(&mut server, (RUNNING, 0));
    // Completions (one per document: a newer one on the same document would cancel the older) wait.
    let mut waiting = Vec::new();
    for i in 0..WAITING {
        let uri = format!("file:///turns/c{i}.py");
        server.open(&uri, "python", BROKEN);
        waiting.push(server.request("textDocument/inlineCompletion", completion_at_end(&uri)));
    }
    wait_for_counts(&mut server, (RUNNING, WAITING));

    // Full: a resolve and a completion are refused at once, with the same message.
    let refused = server.call("codeAction/resolve", action.clone());
    assert!(busy(&refused), "{refused}");
    server.open("file:///turns/late.py", "python", BROKEN);
    let late = server.call(
        "textDocument/inlineCompletion",
        completion_at_end("file:///turns/late.py"),
    );
    assert!(busy(&late), "{late}");
    assert_eq!(refused["error"]["message"], late["error"]["message"]);
    // Requests that need no model are still answered, and edits still apply.
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///turns/fix.py", "version": 2 },
                "contentChanges": [{ "text": "def add(a, b):\n    pass\n" }] }),
    );
    let offered = server.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": "file:///turns/fix.py" },
                "range": { "start": { "line": 1, "character": 4 }, "end": { "line": 1, "character": 4 } },
                "context": { "diagnostics": [] } }),
    );
    assert_eq!(
        offered["result"][0]["data"]["action"], "completeFunction",
        "{offered}"
    );

    // A cancelled waiting completion frees its place, and a resolve waits in it instead of being
    // refused.
    server.notify("$/cancelRequest", json!({ "id": waiting[0] }));
    assert_eq!(server.response(waiting[0])["error"]["code"], -32800);
    wait_for_counts(&mut server, (RUNNING, WAITING - 1));
    server.open("file:///turns/other.py", "python", BROKEN);
    let other = fix_action(&mut server, "file:///turns/other.py");
    server.request("codeAction/resolve", other);
    wait_for_counts(&mut server, (RUNNING, WAITING));
    // A cancelled running resolve gives its turn to a waiting request.
    server.notify("$/cancelRequest", json!({ "id": running[0] }));
    assert_eq!(server.response(running[0])["error"]["code"], -32800);
    wait_for_counts(&mut server, (RUNNING, WAITING - 1));
    server.shutdown_and_exit();
}
