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

    let response = server.call("textDocument/codeAction", code_action_params(json!([]), None));
    assert_eq!(response["result"], json!([]), "no diagnostics, no function to complete: {response}");

    let response = server.call("textDocument/codeAction", code_action_params(syntax_error(), None));
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
        assert_eq!(error["message"], "the model found no change that passes the checks");
    } else {
        let result = &resolved["result"];
        let title = result["title"].as_str().unwrap_or_default();
        assert!(title.starts_with("Fix this (") && title.ends_with(')'), "{title}");
        assert_eq!(result["data"], action["data"]);
        let edits = result["edit"]["changes"]["file:///add.py"].as_array().expect("one edit of the file");
        assert_eq!(edits.len(), 1, "{resolved}");
        assert!(edits[0]["range"]["end"]["line"].as_u64().is_some_and(|line| line <= 2), "{resolved}");
    }
    server.shutdown_and_exit();
}

#[test]
fn only_filters_the_kinds_offered() {
    let mut server = TestServer::with_tiny_model(settings());
    server.open("file:///add.py", "python", BROKEN);
    let response = server.call("textDocument/codeAction", code_action_params(syntax_error(), Some(json!(["refactor"]))));
    assert_eq!(response["result"], json!([]), "{response}");
    let response = server.call("textDocument/codeAction", code_action_params(syntax_error(), Some(json!(["quickfix"]))));
    assert_eq!(response["result"][0]["kind"], "quickfix", "{response}");
    server.shutdown_and_exit();
}

#[test]
fn resolving_against_a_changed_document_is_content_modified() {
    let mut server = TestServer::with_tiny_model(settings());
    server.open("file:///add.py", "python", BROKEN);
    let response = server.call("textDocument/codeAction", code_action_params(syntax_error(), None));
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
