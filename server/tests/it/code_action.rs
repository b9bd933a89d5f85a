//! Code actions: "Fix this" offered where the request carries diagnostics, resolved lazily (the model
//! runs in `codeAction/resolve`), refused for a stale document version.

use expect_test::expect;
use serde_json::{Value, json};

use crate::support::{TestServer, pretty};

const BROKEN: &str = "def add(a, b):\n    return a +\n";

fn settings() -> Value {
    json!({ "actions": { "sampling": { "maxTokens": 16 }, "candidates": 1, "runTests": false } })
}

fn code_action_params(diagnostics: Value, only: Option<Value>) -> Value {
    let mut context = json!({ "diagnostics": diagnostics });
    if let Some(only) = only {
        context["only"] = only;
    }
    json!({ "textDocument": { "uri": "file:///add.py" },
            "range": { "start": { "line": 1, "character": 4 }, "end": { "line": 1, "character": 14 } },
            "context": context })
}

fn syntax_error() -> Value {
    json!([{ "range": { "start": { "line": 1, "character": 13 }, "end": { "line": 1, "character": 14 } },
             "message": "Expected expression", "severity": 1, "source": "pyright" }])
}

#[test]
fn fix_this_is_offered_on_diagnostics_and_resolved_lazily() {
    let mut server = TestServer::with_tiny_model(settings());
    server.open("file:///add.py", "python", BROKEN);

    let response = server.call(
        "textDocument/codeAction",
        code_action_params(json!([]), None),
    );
    assert_eq!(
        response["result"],
        json!([]),
        "no diagnostics, no function to complete: {response}"
    );

    let response = server.call(
        "textDocument/codeAction",
        code_action_params(syntax_error(), None),
    );
    expect![[r#"
        [
          {
            "data": {
              "action": "fix",
              "diagnostics": [
                {
                  "message": "Expected expression",
                  "range": {
                    "end": {
                      "character": 14,
                      "line": 1
                    },
                    "start": {
                      "character": 13,
                      "line": 1
                    }
                  },
                  "severity": 1,
                  "source": "pyright"
                }
              ],
              "range": {
                "end": {
                  "character": 14,
                  "line": 1
                },
                "start": {
                  "character": 4,
                  "line": 1
                }
              },
              "uri": "file:///add.py",
              "version": 1
            },
            "diagnostics": [
              {
                "message": "Expected expression",
                "range": {
                  "end": {
                    "character": 14,
                    "line": 1
                  },
                  "start": {
                    "character": 13,
                    "line": 1
                  }
                },
                "severity": 1,
                "source": "pyright"
              }
            ],
            "kind": "quickfix",
            "title": "Fix this (Qwen)"
          }
        ]"#]]
    .assert_eq(&pretty(&response["result"]));

    // Resolve: the model runs now. With random weights no candidate may survive the checks; either
    // way the answer must keep the protocol's shape.
    let action = response["result"][0].clone();
    let resolved = server.call("codeAction/resolve", action.clone());
    if let Some(error) = resolved.get("error") {
        assert_eq!(error["code"], -32803, "{resolved}");
        assert_eq!(
            error["message"],
            "Fix this: none of the model's 1 candidate passed the checks (its syntax); nothing was changed"
        );
    } else {
        let result = &resolved["result"];
        let title = result["title"].as_str().unwrap_or_default();
        assert!(
            title.starts_with("Fix this (") && title.ends_with(')'),
            "{title}"
        );
        assert_eq!(result["data"], action["data"]);
        let edits = result["edit"]["changes"]["file:///add.py"]
            .as_array()
            .expect("one edit of the file");
        assert_eq!(edits.len(), 1, "{resolved}");
        assert!(
            edits[0]["range"]["end"]["line"]
                .as_u64()
                .is_some_and(|line| line <= 2),
            "{resolved}"
        );
    }
    server.shutdown_and_exit();
}

#[test]
fn only_filters_the_kinds_offered() {
    let mut server = TestServer::with_tiny_model(settings());
    server.open("file:///add.py", "python", BROKEN);
    let response = server.call(
        "textDocument/codeAction",
        code_action_params(syntax_error(), Some(json!(["refactor"]))),
    );
    assert_eq!(response["result"], json!([]), "{response}");
    let response = server.call(
        "textDocument/codeAction",
        code_action_params(syntax_error(), Some(json!(["quickfix"]))),
    );
    assert_eq!(response["result"][0]["kind"], "quickfix", "{response}");
    server.shutdown_and_exit();
}

#[test]
fn resolving_against_a_changed_document_is_content_modified() {
    let mut server = TestServer::with_tiny_model(settings());
    server.open("file:///add.py", "python", BROKEN);
    let response = server.call(
        "textDocument/codeAction",
        code_action_params(syntax_error(), None),
    );
    let action = response["result"][0].clone();
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///add.py", "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 1, "character": 14 }, "end": { "line": 1, "character": 14 } },
                                     "text": " b" }] }),
    );
    let resolved = server.call("codeAction/resolve", action);
    assert_eq!(resolved["error"]["code"], -32801, "{resolved}");
    server.shutdown_and_exit();
}

#[test]
fn the_sandbox_opens_while_the_user_picks_a_fix() {
    let settings = json!({ "actions": { "sampling": { "maxTokens": 16 }, "candidates": 1, "runTests": true } });
    let mut server = TestServer::with_tiny_model(settings);
    server.open("file:///add.py", "python", BROKEN);
    let response = server.call(
        "textDocument/codeAction",
        code_action_params(syntax_error(), None),
    );
    assert_eq!(
        response["result"][0]["title"], "Fix this (Qwen)",
        "{response}"
    );
    let deadline = std::time::Instant::now() + crate::support::TIMEOUT;
    while !server.stderr().contains("Python sandbox ready") {
        let log = server.stderr();
        assert!(
            !log.contains("the Python sandbox is unavailable"),
            "run scripts/setup-deps.sh first; log:\n{log}"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the sandbox never opened; log:\n{log}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let resolved = server.call("codeAction/resolve", response["result"][0].clone());
    assert!(
        resolved.get("result").is_some() || resolved["error"]["code"] == -32803,
        "{resolved}"
    );
    server.shutdown_and_exit();
}

#[test]
fn complete_this_function_is_offered_inside_an_unfinished_body() {
    let mut server = TestServer::with_tiny_model(settings());
    let source = "def area(r):\n    \"\"\"The area of a circle of radius r.\"\"\"\n    pass\n\ndef done():\n    return 1\n";
    server.open("file:///area.py", "python", source);
    let at_line = |line: u32| {
        json!({ "textDocument": { "uri": "file:///area.py" },
                "range": { "start": { "line": line, "character": 4 }, "end": { "line": line, "character": 4 } },
                "context": { "diagnostics": [] } })
    };
    let response = server.call("textDocument/codeAction", at_line(2));
    let actions = response["result"].as_array().expect("a list of actions");
    assert_eq!(actions.len(), 1, "{response}");
    assert_eq!(actions[0]["title"], "Complete this function (Qwen)");
    assert_eq!(actions[0]["kind"], "refactor.rewrite");
    assert_eq!(actions[0]["data"]["action"], "completeFunction");
    assert!(
        actions[0].get("edit").is_none(),
        "the edit comes with resolve"
    );

    // A finished function gets nothing.
    let response = server.call("textDocument/codeAction", at_line(5));
    assert_eq!(response["result"], json!([]), "{response}");

    let resolved = server.call("codeAction/resolve", actions[0].clone());
    if let Some(error) = resolved.get("error") {
        assert_eq!(error["code"], -32803, "{resolved}");
    } else {
        let title = resolved["result"]["title"].as_str().unwrap_or_default();
        assert!(title.starts_with("Complete this function ("), "{resolved}");
        assert!(
            resolved["result"]["edit"]["changes"]["file:///area.py"].is_array(),
            "{resolved}"
        );
    }
    server.shutdown_and_exit();
}

#[test]
fn without_a_python_runtime_fixes_are_still_offered_and_the_reason_is_logged() {
    let model = crate::support::tiny_model();
    let mut server = TestServer::spawn_with_env(
        &["--model", model.to_str().expect("utf-8 path")],
        &[("QWEN_LSP_PYTHON_WASM", "/nonexistent/python.wasm")],
    );
    let settings = json!({ "actions": { "sampling": { "maxTokens": 16 }, "candidates": 1, "runTests": true } });
    server.initialize(settings, json!({ "window": { "workDoneProgress": true } }));
    server.wait_model_loaded();
    server.open("file:///add.py", "python", BROKEN);
    let response = server.call(
        "textDocument/codeAction",
        code_action_params(syntax_error(), None),
    );
    assert_eq!(
        response["result"][0]["title"], "Fix this (Qwen)",
        "{response}"
    );
    let log = server.notification("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("the Python sandbox is unavailable"))
    });
    let message = log["params"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("/nonexistent/python.wasm"), "{message}");
    let resolved = server.call("codeAction/resolve", response["result"][0].clone());
    let title = resolved["result"]["title"].as_str().unwrap_or_default();
    assert!(
        resolved["error"]["code"] == -32803
            || (title.starts_with("Fix this (") && !title.contains("tests pass")),
        "{resolved}"
    );
    server.shutdown_and_exit();
}
