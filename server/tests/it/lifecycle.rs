//! Start-up, capabilities, settings, model-load failure, shutdown and exit.

use expect_test::expect;
use serde_json::{Value, json};

use crate::support::{TestServer, pretty};

/// A model path that cannot load, for tests that exercise the protocol without a model.
const NO_MODEL: &str = "/nonexistent/qwen-lsp-test-model";

#[test]
fn initialize_advertises_capabilities_and_utf16_by_default() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    let result = server.initialize(Value::Null, json!({}));
    expect![[r#"
        {
          "capabilities": {
            "codeActionProvider": {
              "codeActionKinds": [
                "quickfix",
                "refactor.rewrite"
              ],
              "resolveProvider": true
            },
            "completionProvider": {},
            "inlineCompletionProvider": true,
            "positionEncoding": "utf-16",
            "textDocumentSync": {
              "change": 2,
              "openClose": true,
              "save": true
            }
          },
          "serverInfo": {
            "name": "qwen-lsp",
            "version": "0.1.0"
          }
        }"#]]
    .assert_eq(&pretty(&result));
    server.shutdown_and_exit();
}

#[test]
fn utf8_is_chosen_when_the_client_offers_it() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    let result = server.initialize(
        Value::Null,
        json!({ "general": { "positionEncodings": ["utf-16", "utf-8"] } }),
    );
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
}

#[test]
fn completion_is_the_fallback_only_for_clients_without_inline_completion() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    let result = server.initialize(
        Value::Null,
        json!({ "textDocument": { "inlineCompletion": {} } }),
    );
    assert_eq!(result["capabilities"]["inlineCompletionProvider"], true);
    assert!(
        result["capabilities"].get("completionProvider").is_none(),
        "{result}"
    );
}

#[test]
fn serve_subcommand_serves_too() {
    let mut server = TestServer::spawn(&["serve", "--model", NO_MODEL]);
    let result = server.initialize(Value::Null, json!({}));
    assert_eq!(result["serverInfo"]["name"], "qwen-lsp");
    server.shutdown_and_exit();
}

#[test]
fn stdio_flag_that_clients_append_is_accepted() {
    for args in [
        &["--stdio", "--model", NO_MODEL][..],
        &["serve", "--stdio", "--model", NO_MODEL],
    ] {
        let mut server = TestServer::spawn(args);
        let result = server.initialize(Value::Null, json!({}));
        assert_eq!(result["serverInfo"]["name"], "qwen-lsp", "{args:?}");
        server.shutdown_and_exit();
    }
}

#[test]
fn unknown_settings_are_logged_and_not_fatal() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(
        json!({ "colour": "blue", "completion": { "maxTokenz": 3 } }),
        json!({}),
    );
    let log = server.notification("window/logMessage", |p| {
        p["message"].as_str().is_some_and(|m| m.contains("unknown"))
    });
    expect![[r#"
        {
          "message": "qwen-lsp ignores unknown settings: colour, completion.maxTokenz",
          "type": 2
        }"#]]
    .assert_eq(&pretty(&log["params"]));
    server.shutdown_and_exit();
}

#[test]
fn invalid_settings_fall_back_to_defaults_with_an_error_message() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(json!({ "debounceMs": "soon" }), json!({}));
    let shown = server.notification("window/showMessage", |p| p["type"] == 1);
    let message = shown["params"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("invalid qwen-lsp settings") && message.contains("using the defaults"),
        "{message}"
    );
    // Still serving.
    server.shutdown_and_exit();
}

#[test]
fn model_load_failure_is_shown_and_later_requests_fail_clearly() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(
        Value::Null,
        json!({ "window": { "workDoneProgress": true } }),
    );
    let end = server.wait_model_loaded();
    assert!(end.contains(NO_MODEL), "{end}");
    let shown = server.notification("window/showMessage", |p| p["type"] == 1);
    let message = shown["params"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(NO_MODEL) && message.contains("Completions and fixes are off"),
        "{message}"
    );

    server.open("file:///a.py", "python", "x = 1\n");
    let response = server.call(
        "textDocument/inlineCompletion",
        json!({ "textDocument": { "uri": "file:///a.py" }, "position": { "line": 1, "character": 0 },
                "context": { "triggerKind": 1 } }),
    );
    assert_eq!(response["error"]["code"], -32803, "{response}");
    let message = response["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("the model failed to load: ") && message.contains(NO_MODEL),
        "{message}"
    );
    server.shutdown_and_exit();
}

#[test]
fn progress_reports_the_load_with_begin_and_end() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(
        Value::Null,
        json!({ "window": { "workDoneProgress": true } }),
    );
    server.wait_model_loaded();
    let create = server
        .notifications
        .iter()
        .find(|n| n["method"] == "window/workDoneProgress/create");
    let token = &create.expect("a progress token was created")["params"]["token"];
    let kinds: Vec<&Value> = server
        .notifications
        .iter()
        .filter(|n| n["method"] == "$/progress" && &n["params"]["token"] == token)
        .map(|n| &n["params"]["value"]["kind"])
        .collect();
    assert_eq!(kinds.first().copied(), Some(&json!("begin")));
    assert_eq!(kinds.last().copied(), Some(&json!("end")));
}

#[test]
fn a_panicking_handler_answers_with_an_error_and_the_server_survives() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(Value::Null, json!({}));
    let response = server.call("qwen-lsp/debugPanic", Value::Null);
    assert_eq!(response["error"]["code"], -32603, "{response}");
    assert_eq!(
        response["error"]["message"],
        "internal error in qwen-lsp/debugPanic: qwen-lsp/debugPanic was called"
    );
    server.shutdown_and_exit();
}

#[test]
fn a_new_model_setting_reloads_the_model() {
    // No --model: the `model` setting decides.
    let mut server = TestServer::spawn(&[]);
    server.initialize(
        json!({ "model": NO_MODEL }),
        json!({ "window": { "workDoneProgress": true } }),
    );
    let failed = server.wait_model_loaded();
    assert!(failed.contains(NO_MODEL), "{failed}");

    let tiny = crate::support::tiny_model();
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "qwen-lsp": { "model": tiny, "completion": { "validateSyntax": false,
                "sampling": { "maxTokens": 4 } }, "unheardOf": 1 } } }),
    );
    let log = server.notification("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("unheardOf"))
    });
    assert_eq!(log["params"]["type"], 2, "a warning: {log}");
    let loaded = server.notification("$/progress", |p| {
        p["value"]["kind"] == "end"
            && p["value"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("loaded "))
    });
    assert!(loaded["params"]["token"] != json!(null));
    server.open("file:///a.py", "python", "x = ");
    let response = server.call(
        "textDocument/inlineCompletion",
        json!({ "textDocument": { "uri": "file:///a.py" }, "position": { "line": 0, "character": 4 },
                "context": { "triggerKind": 1 } }),
    );
    assert!(response["result"].is_array(), "{response}");
    server.shutdown_and_exit();
}

#[test]
fn exit_without_shutdown_ends_with_status_1() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(Value::Null, json!({}));
    server.notify("exit", Value::Null);
    let status = server.wait_for_exit();
    assert_eq!(status.code(), Some(1), "{status}");
}
