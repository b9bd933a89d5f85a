//! Documents are parsed off the message loop: `didOpen` and `didChange` update the text in order, a
//! background task per document makes the tree, and requests see the newest text whether or not the
//! tree has caught up. `qwen-lsp/debugState` (debug builds) holds background parses and says which
//! documents have no tree yet, so these tests check structurally (no timing) that a request never
//! waits for another document's parse.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{TIMEOUT, TestServer};

const SMALL: &str = "file:///parse/small.py";
const SMALL_TEXT: &str = "def add(a, b):\n    pass\n";

/// A Python file of `functions` three-line functions (it ends with a line break).
fn python_file(functions: usize) -> String {
    (0..functions)
        .map(|i| format!("def f_{i}(a, b):\n    return a + b * {i}\n\n"))
        .collect()
}

fn lines(text: &str) -> u32 {
    u32::try_from(text.matches('\n').count()).expect("fits")
}

fn settings() -> Value {
    json!({ "completion": { "validateSyntax": false, "sampling": { "maxTokens": 4 } },
            "actions": { "runTests": false } })
}

fn state(server: &mut TestServer, hold: Option<bool>) -> Value {
    let params = match hold {
        Some(hold) => json!({ "holdParses": hold }),
        None => json!({}),
    };
    let response = server.call("qwen-lsp/debugState", params);
    assert!(response.get("error").is_none(), "{response}");
    response["result"].clone()
}

/// Waits until every open document has its tree and no parse task is left (no timing asserted: the
/// support timeout only stops a hang).
fn wait_parsed(server: &mut TestServer) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let now = state(server, None);
        if now["unparsed"] == json!([]) && now["parsing"] == json!([]) {
            return;
        }
        assert!(Instant::now() < deadline, "parses never finished: {now}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A code action request at the start of `line` of `uri`; with `only_rewrite`, just "Complete this
/// function", which needs the tree of the document's newest version.
fn code_action_at(uri: &str, line: u32, only_rewrite: bool) -> Value {
    let mut params = json!({ "textDocument": { "uri": uri },
            "range": { "start": { "line": line, "character": 4 }, "end": { "line": line, "character": 4 } },
            "context": { "diagnostics": [] } });
    if only_rewrite {
        params["context"]["only"] = json!(["refactor.rewrite"]);
    }
    params
}

fn completes_function(response: &Value) -> bool {
    response["result"].as_array().is_some_and(|actions| {
        actions
            .iter()
            .any(|a| a["data"]["action"] == "completeFunction")
    })
}

fn insert(uri: &str, version: i64, line: u32, character: u32, text: &str) -> Value {
    json!({ "textDocument": { "uri": uri, "version": version },
            "contentChanges": [{ "range": { "start": { "line": line, "character": character },
                                            "end": { "line": line, "character": character } },
                                 "text": text }] })
}

#[test]
fn requests_on_another_document_are_answered_while_a_parse_is_pending() {
    let mut server = TestServer::with_tiny_model(settings());
    assert_eq!(state(&mut server, Some(true))["parsesHeld"], true);
    let big = "file:///parse/big.py";
    let text = python_file(10_000);
    let last = lines(&text);
    server.open(big, "python", &text);
    server.open(SMALL, "python", SMALL_TEXT);

    // The small document's tree is made by the request that needs it, not by the held background task.
    let response = server.call("textDocument/codeAction", code_action_at(SMALL, 1, false));
    assert!(completes_function(&response), "{response}");
    let now = state(&mut server, None);
    assert_eq!(now["unparsed"], json!([big]), "{now}");
    assert_eq!(now["parsing"], json!([big, SMALL]), "{now}");

    // Typing a function into the big document, one character per didChange, with a request on the
    // small document after each: every one is answered while the big document has no tree.
    let typed = "def typed(alpha, beta):\n    pass";
    let (mut line, mut character, mut version) = (last, 0, 1);
    let mut ids = Vec::new();
    for c in typed.chars() {
        version += 1;
        server.notify(
            "textDocument/didChange",
            insert(big, version, line, character, &c.to_string()),
        );
        ids.push(server.request("textDocument/codeAction", code_action_at(SMALL, 1, false)));
        if c == '\n' {
            (line, character) = (line + 1, 0);
        } else {
            character += 1;
        }
    }
    for id in ids {
        let response = server.response(id);
        assert!(completes_function(&response), "{response}");
    }
    // A completion on the small document reads the other open documents for context: only versions
    // that have a tree, so it neither parses the big one nor waits for it.
    let response = server.call(
        "textDocument/inlineCompletion",
        json!({ "textDocument": { "uri": SMALL }, "position": { "line": 1, "character": 4 },
                "context": { "triggerKind": 1 } }),
    );
    assert!(response["result"].is_array(), "{response}");
    assert_eq!(state(&mut server, None)["unparsed"], json!([big]));
    // A completion on a document nobody has parsed yet parses it first, then completes (it is not
    // cancelled by its own parse).
    let fresh = "file:///parse/fresh.py";
    server.open(fresh, "python", SMALL_TEXT);
    let response = server.call(
        "textDocument/inlineCompletion",
        json!({ "textDocument": { "uri": fresh }, "position": { "line": 1, "character": 4 },
                "context": { "triggerKind": 1 } }),
    );
    assert!(response["result"].is_array(), "{response}");
    assert_eq!(state(&mut server, None)["unparsed"], json!([big]));
    // So does a resolved "Fix this" ("quickfix" alone needs no tree to be offered).
    let broken = "file:///parse/broken.py";
    server.open(broken, "python", "def add(a, b):\n    return a +\n");
    let offered = server.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": broken },
                "range": { "start": { "line": 1, "character": 4 }, "end": { "line": 1, "character": 14 } },
                "context": { "diagnostics": [{ "range": { "start": { "line": 1, "character": 13 },
                                                          "end": { "line": 1, "character": 14 } },
                                               "message": "Expected expression" }],
                             "only": ["quickfix"] } }),
    );
    assert_eq!(offered["result"][0]["data"]["action"], "fix", "{offered}");
    assert_eq!(state(&mut server, None)["unparsed"], json!([big, broken]));
    let resolved = server.call("codeAction/resolve", offered["result"][0].clone());
    // The random tiny model's fix may fail the checks; it must not be cancelled by its own parse.
    assert!(
        resolved["result"]["edit"].is_object()
            || resolved["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("candidate")),
        "{resolved}"
    );
    assert_eq!(state(&mut server, None)["unparsed"], json!([big]));

    // A request on the big document sees every edit, in order, and the tree of its own version (made
    // for it, since the background parse is held): the typed function is there and unfinished.
    let response = server.call(
        "textDocument/codeAction",
        code_action_at(big, last + 1, true),
    );
    assert!(completes_function(&response), "{response}");
    let response = server.call(
        "textDocument/codeAction",
        code_action_at(big, last - 2, true),
    );
    assert_eq!(
        response["result"],
        json!([]),
        "f_9999 is finished: {response}"
    );

    assert_eq!(state(&mut server, Some(false))["parsesHeld"], false);
    wait_parsed(&mut server);
    server.shutdown_and_exit();
}

#[test]
fn rapid_edits_apply_in_order_and_each_request_sees_the_edits_before_it() {
    let mut server = TestServer::with_tiny_model(settings());
    let big = "file:///parse/edited.py";
    let text = python_file(10_000);
    let last = lines(&text);
    server.open(big, "python", &text);
    server.open(SMALL, "python", SMALL_TEXT);
    // Each edit adds a line at the end; right after it, requests on the line it made (which does not
    // exist before it: a request that missed the edit would get InvalidParams), and on the other
    // document (code actions, and now and then a completion). Edits applied out of order would not fit the text and close the document.
    let mut code_actions = Vec::new();
    let mut completions = Vec::new();
    let mut small_completions = Vec::new();
    for i in 0..60u32 {
        let version = i64::from(i) + 2;
        server.notify(
            "textDocument/didChange",
            insert(big, version, last + i, 0, &format!("x_{i} = {i}\n")),
        );
        code_actions.push(server.request(
            "textDocument/codeAction",
            code_action_at(big, last + i + 1, false),
        ));
        completions.push(server.request(
            "textDocument/inlineCompletion",
            json!({ "textDocument": { "uri": big }, "position": { "line": last + i + 1, "character": 0 },
                    "context": { "triggerKind": 1 } }),
        ));
        code_actions
            .push(server.request("textDocument/codeAction", code_action_at(SMALL, 1, false)));
        if i % 10 == 9 {
            small_completions.push(server.request(
                "textDocument/inlineCompletion",
                json!({ "textDocument": { "uri": SMALL }, "position": { "line": 1, "character": 4 },
                        "context": { "triggerKind": 1 } }),
            ));
        }
    }
    for id in code_actions {
        let response = server.response(id);
        assert!(response["result"].is_array(), "{response}");
    }
    // A newer completion on the same document supersedes an older one (RequestCancelled); none may
    // fail otherwise, and the last one is answered.
    let last_completion = completions.pop().expect("some");
    for id in completions {
        let response = server.response(id);
        assert!(
            response["result"].is_array() || response["error"]["code"] == -32800,
            "{response}"
        );
    }
    let response = server.response(last_completion);
    assert!(response["result"].is_array(), "{response}");
    let last_small = small_completions.pop().expect("some");
    for id in small_completions {
        let response = server.response(id);
        assert!(
            response["result"].is_array() || response["error"]["code"] == -32800,
            "{response}"
        );
    }
    let response = server.response(last_small);
    assert!(response["result"].is_array(), "{response}");

    // The tree follows the text: a function typed at the end, in one edit, is found.
    server.notify(
        "textDocument/didChange",
        insert(
            big,
            100,
            last + 60,
            0,
            "def typed(alpha, beta):\n    pass\n",
        ),
    );
    let response = server.call(
        "textDocument/codeAction",
        code_action_at(big, last + 61, true),
    );
    assert!(completes_function(&response), "{response}");
    wait_parsed(&mut server);
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
    server.shutdown_and_exit();
}

#[test]
fn closing_or_reopening_a_document_while_it_is_parsed_stops_that_parse() {
    let mut server = TestServer::with_tiny_model(settings());
    let big = "file:///parse/reopened.py";
    // Held: the parse of the first text never starts; the reopened text is the one parsed.
    state(&mut server, Some(true));
    server.open(big, "python", &python_file(5_000));
    server.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": big } }),
    );
    // Reopened at a new version, then edited at a line only the new text has: the edit applies to the
    // reopened text (against the first one it would be out of range and close the document).
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": big, "languageId": "python", "version": 7,
                "text": format!("{}def reopened():\n    pass\n", python_file(5_000)) } }),
    );
    server.notify(
        "textDocument/didChange",
        insert(big, 8, 15_002, 0, "def edited(x):\n    pass\n"),
    );
    state(&mut server, Some(false));
    let response = server.call("textDocument/codeAction", code_action_at(big, 15_001, true));
    assert!(completes_function(&response), "{response}");
    let response = server.call("textDocument/codeAction", code_action_at(big, 15_003, true));
    assert!(completes_function(&response), "{response}");
    assert_eq!(
        response["result"][0]["data"]["version"], 8,
        "the action is for the edited version: {response}"
    );
    wait_parsed(&mut server);

    // Not held: documents closed (or reopened) at once, while their parse runs.
    for i in 0..6 {
        let uri = format!("file:///parse/closed_{i}.py");
        server.open(&uri, "python", &python_file(10_000));
        if i % 2 == 0 {
            server.notify(
                "textDocument/didClose",
                json!({ "textDocument": { "uri": uri } }),
            );
        } else {
            server.open(&uri, "python", SMALL_TEXT);
        }
    }
    server.open(SMALL, "python", SMALL_TEXT);
    let response = server.call("textDocument/codeAction", code_action_at(SMALL, 1, false));
    assert!(completes_function(&response), "{response}");
    wait_parsed(&mut server);
    let response = server.call(
        "textDocument/codeAction",
        code_action_at("file:///parse/closed_1.py", 1, true),
    );
    assert!(
        completes_function(&response),
        "the reopened text: {response}"
    );
    let response = server.call(
        "textDocument/codeAction",
        code_action_at("file:///parse/closed_0.py", 1, true),
    );
    assert_eq!(response["error"]["code"], -32602, "closed: {response}");
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
    server.shutdown_and_exit();
}
