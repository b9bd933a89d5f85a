//! What real editors showed (issue 17), pinned at the protocol level: inline completions that extend the
//! suggest widget's selected item, dropped suggestions that say so, the model's state on request, the
//! server's own diagnostics (syntax on open and change, the file's tests on save), and code actions that
//! report progress and fail in words.

use serde_json::{Value, json};

use crate::support::{TestServer, tiny_model};

fn settings() -> Value {
    json!({ "completion": { "validateSyntax": false, "sampling": { "maxTokens": 8 } },
            "actions": { "sampling": { "maxTokens": 4 }, "candidates": 1 } })
}

fn inline(server: &mut TestServer, uri: &str, line: u32, character: u32, context: Value) -> Value {
    let response = server.call(
        "textDocument/inlineCompletion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character },
                "context": context }),
    );
    assert!(response.get("error").is_none(), "{response}");
    response["result"].clone()
}

fn change(server: &mut TestServer, uri: &str, version: i32, text: &str) {
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
    );
}

/// The next `publishDiagnostics` for `uri` at `version` (each check publishes once per version).
fn diagnostics_at(
    server: &mut TestServer,
    uri: &str,
    version: i32,
    what: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    let published = server.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && p["version"] == version && what(&p["diagnostics"])
    });
    published["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn selected_completion_info_gets_an_item_that_extends_the_selected_item() {
    let mut server = TestServer::with_tiny_model(settings());
    // VS Code with its suggest widget open on `r`, offering `return` (range 1:4-1:5).
    server.open("file:///area.py", "python", "def area(radius):\n    r\n");
    let selected = json!({ "triggerKind": 2, "selectedCompletionInfo": {
        "range": { "start": { "line": 1, "character": 4 }, "end": { "line": 1, "character": 5 } },
        "text": "return" } });
    let items = inline(&mut server, "file:///area.py", 1, 5, selected);
    let item = &items.as_array().expect("items")[0];
    assert_eq!(
        item["range"]["start"],
        json!({ "line": 1, "character": 4 }),
        "{item}"
    );
    assert_eq!(
        item["range"]["end"],
        json!({ "line": 1, "character": 5 }),
        "{item}"
    );
    let text = item["insertText"].as_str().expect("insertText");
    assert!(
        text.starts_with("return") && text.len() > "return".len(),
        "{text:?}"
    );

    // Without the selected item: an insertion at the cursor, which VS Code would drop while its widget is open.
    let plain = inline(
        &mut server,
        "file:///area.py",
        1,
        5,
        json!({ "triggerKind": 2 }),
    );
    assert_eq!(
        plain[0]["range"]["start"],
        json!({ "line": 1, "character": 5 })
    );

    // The same text as completing the document with the item already accepted (greedy decoding).
    change(
        &mut server,
        "file:///area.py",
        2,
        "def area(radius):\n    return\n",
    );
    let typed = inline(
        &mut server,
        "file:///area.py",
        1,
        10,
        json!({ "triggerKind": 2 }),
    );
    let typed_text = typed[0]["insertText"].as_str().expect("insertText");
    assert_eq!(text, format!("return{typed_text}"));
    server.shutdown_and_exit();
}

#[test]
fn selected_completion_info_that_does_not_fit_the_document_is_rejected() {
    let mut server = TestServer::with_tiny_model(settings());
    server.open("file:///area.py", "python", "def area(radius):\n    r x\n");
    for (range, why) in [
        (
            json!({ "start": { "line": 1, "character": 6 }, "end": { "line": 1, "character": 6 } }),
            "after the cursor",
        ),
        (
            json!({ "start": { "line": 9, "character": 0 }, "end": { "line": 9, "character": 1 } }),
            "past the end",
        ),
        (
            json!({ "start": { "line": 1, "character": 5 }, "end": { "line": 1, "character": 4 } }),
            "reversed",
        ),
    ] {
        let response = server.call(
            "textDocument/inlineCompletion",
            json!({ "textDocument": { "uri": "file:///area.py" }, "position": { "line": 1, "character": 5 },
                    "context": { "triggerKind": 2, "selectedCompletionInfo": { "range": range, "text": "return" } } }),
        );
        assert_eq!(response["error"]["code"], -32602, "{why}: {response}");
    }
    // The server still serves.
    assert!(
        inline(
            &mut server,
            "file:///area.py",
            1,
            5,
            json!({ "triggerKind": 2 })
        )
        .is_array()
    );
    server.shutdown_and_exit();
}

#[test]
fn a_suggestion_dropped_by_syntax_validation_leaves_a_trace() {
    let mut server =
        TestServer::with_tiny_model(json!({ "completion": { "sampling": { "maxTokens": 12 } } }));
    // Random weights: the tiny model's text after `return (` is not Python, so validation drops it.
    server.open("file:///drop.py", "python", "def f(x):\n    return (\n");
    let items = inline(
        &mut server,
        "file:///drop.py",
        1,
        12,
        json!({ "triggerKind": 1 }),
    );
    assert_eq!(items, json!([]), "the suggestion was dropped");
    let dropped = server.notification("qwen-lsp/dropped", |p| p["uri"] == "file:///drop.py");
    assert_eq!(dropped["params"]["reason"], "syntax");
    let message = dropped["params"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("adds syntax errors") && message.contains("validateSyntax"),
        "{message}"
    );
    server.wait_for_log("a suggestion was dropped");
    assert!(server.stderr().contains(" INFO "), "{}", server.stderr());
    server.shutdown_and_exit();
}

#[test]
fn status_tells_a_loaded_model_from_a_failed_load() {
    // The model from the settings (a --model flag would override them).
    let mut server = TestServer::spawn(&[]);
    let mut options = settings();
    options["model"] = json!(tiny_model().to_str().expect("utf-8 path"));
    server.initialize(options, json!({ "window": { "workDoneProgress": true } }));
    server.wait_model_loaded();
    assert_eq!(
        server.call("qwen-lsp/status", Value::Null)["result"],
        json!({ "model": "ready" })
    );
    let mut options = settings();
    options["model"] = json!("/no/such/model");
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": options }),
    );
    let end = server.notification("$/progress", |p| {
        p["value"]["kind"] == "end" && p["token"] != "qwen-lsp/load-model/1"
    });
    assert!(
        end["params"]["value"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("/no/such/model")),
        "{end}"
    );
    let status = server.call("qwen-lsp/status", Value::Null)["result"].clone();
    assert_eq!(status["model"], "failed", "{status}");
    assert!(
        status["error"]
            .as_str()
            .is_some_and(|e| e.contains("/no/such/model")),
        "{status}"
    );
    server.shutdown_and_exit();
}

#[test]
fn the_model_loads_once_and_says_so_once() {
    let model = tiny_model();
    let mut server = TestServer::spawn(&["--model", model.to_str().expect("utf-8 path")]);
    server.initialize(
        settings(),
        json!({ "window": { "workDoneProgress": true } }),
    );
    server.wait_model_loaded();
    assert_eq!(
        server.call("qwen-lsp/status", Value::Null)["result"]["model"],
        "ready"
    );
    let logged = server
        .notifications
        .iter()
        .filter(|n| {
            n["method"] == "window/logMessage"
                && n["params"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("loaded "))
        })
        .count();
    assert_eq!(logged, 1, "{:?}", server.notifications);
    assert!(
        !server.stderr().contains("loaded "),
        "also on stderr, so twice in the editor's log:\n{}",
        server.stderr()
    );
    server.shutdown_and_exit();
}

#[test]
fn syntax_errors_are_published_on_open_and_cleared_by_the_edit_that_fixes_them() {
    let mut server = TestServer::with_tiny_model(settings());
    server.open(
        "file:///broken.py",
        "python",
        "def add(a, b):\n    return a +\n",
    );
    let published = diagnostics_at(&mut server, "file:///broken.py", 1, |d| {
        d.as_array().is_some_and(|a| !a.is_empty())
    });
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0]["source"], "qwen-lsp");
    assert_eq!(published[0]["code"], "syntax");
    assert_eq!(published[0]["range"]["start"]["line"], 1);
    change(
        &mut server,
        "file:///broken.py",
        2,
        "def add(a, b):\n    return a + b\n",
    );
    diagnostics_at(&mut server, "file:///broken.py", 2, |d| d == &json!([]));
    // Java is not checked; a Java file gets no diagnostics from the server.
    server.open("file:///A.java", "java", "class A { void f( }\n");
    server.call("qwen-lsp/status", Value::Null);
    assert!(
        !server
            .notifications
            .iter()
            .any(|n| n["params"]["uri"] == "file:///A.java"),
        "{:?}",
        server.notifications
    );
    server.shutdown_and_exit();
}

const FAILING_DOCTEST: &str = "def add(a, b):\n    \"\"\"\n    >>> add(1, 2)\n    3\n    \"\"\"\n    return a - b\n\n\nassert add(2, 2) == 4\n";

#[test]
fn a_save_runs_the_files_tests_and_publishes_the_failures_where_they_are() {
    let mut server = TestServer::with_tiny_model(settings());
    let uri = "file:///add.py";
    server.open(uri, "python", FAILING_DOCTEST);
    server.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    let published = diagnostics_at(&mut server, uri, 1, |d| {
        d.as_array().is_some_and(|a| !a.is_empty())
    });
    let messages: Vec<&str> = published
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    // The doctest (`add(1, 2)` gives -1) and the assert (`add(2, 2)` gives 0) both fail; the top-level assert
    // runs first and ends the program, so it is the one reported, on the function it calls.
    assert!(
        messages.iter().any(|m| m.contains("assert add(2, 2) == 4"))
            || messages.iter().any(|m| m.contains("add(1, 2)")),
        "{published:?}"
    );
    for d in &published {
        assert_eq!(d["source"], "qwen-lsp");
        assert_eq!(d["code"], "test");
    }
    let on_add = published.iter().find(|d| {
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("assert add(2, 2)"))
    });
    if let Some(d) = on_add {
        assert_eq!(
            d["range"],
            json!({ "start": { "line": 0, "character": 4 }, "end": { "line": 0, "character": 7 } })
        );
        assert_eq!(
            d["relatedInformation"][0]["location"]["range"]["start"]["line"],
            8
        );
    }

    // With the assert fixed, the doctest is what fails: reported on its `>>>` line.
    let fixed_assert = FAILING_DOCTEST.replace("assert add(2, 2) == 4", "assert add(2, 2) == 0");
    change(&mut server, uri, 2, &fixed_assert);
    server.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    let published = diagnostics_at(&mut server, uri, 2, |d| {
        d.as_array().is_some_and(|a| {
            a.iter()
                .any(|d| d["message"].as_str().is_some_and(|m| m.contains("doctest")))
        })
    });
    let doctest = published
        .iter()
        .find(|d| d["message"].as_str().is_some_and(|m| m.contains("doctest")))
        .expect("a doctest");
    assert_eq!(
        doctest["message"],
        "doctest `add(1, 2)`: expected 3, got -1"
    );
    assert_eq!(
        doctest["range"]["start"],
        json!({ "line": 2, "character": 4 })
    );

    // "Fix this" is offered on it and checks candidates against the same tests; with random weights none
    // passes, and the failure says in words what was tried. Progress is reported meanwhile.
    let offered = server.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": doctest["range"], "context": { "diagnostics": [doctest] } }),
    );
    let action = offered["result"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["title"] == "Fix this (Qwen)"))
        .cloned();
    let action = action
        .unwrap_or_else(|| panic!("Fix this is offered on the server's diagnostic: {offered}"));
    let resolved = server.call("codeAction/resolve", action);
    if let Some(error) = resolved.get("error") {
        assert_eq!(error["code"], -32803, "{resolved}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("Fix this: none of the model's 1 candidate passed the checks"),
            "{message}"
        );
        assert!(message.contains("the file's tests"), "{message}");
    } else {
        assert_eq!(
            resolved["result"]["title"], "Fix this (tests pass)",
            "{resolved}"
        );
    }
    let begin = server.notification("$/progress", |p| {
        p["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("qwen-lsp/resolve/"))
            && p["value"]["kind"] == "begin"
    });
    assert_eq!(begin["params"]["value"]["title"], "Fix this (Qwen)");
    server.notification("$/progress", |p| {
        p["token"] == begin["params"]["token"] && p["value"]["kind"] == "end"
    });

    // Passing tests clear the diagnostics.
    let passing = fixed_assert
        .replace("return a - b", "return a + b")
        .replace("== 0", "== 4");
    change(&mut server, uri, 3, &passing);
    server.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    diagnostics_at(&mut server, uri, 3, |d| d == &json!([]));
    server.shutdown_and_exit();
}

#[test]
fn test_diagnostics_can_be_turned_off() {
    let mut options = settings();
    options["diagnostics"] = json!({ "runTests": false });
    let mut server = TestServer::with_tiny_model(options);
    let uri = "file:///add.py";
    server.open(uri, "python", FAILING_DOCTEST);
    server.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    // The save's check publishes (for version 1) with no test failures.
    let published = diagnostics_at(&mut server, uri, 1, |_| true);
    assert_eq!(published, Vec::<Value>::new());
    std::thread::sleep(std::time::Duration::from_secs(2));
    server.call("qwen-lsp/status", Value::Null);
    let any_test = server.notifications.iter().any(|n| {
        n["method"] == "textDocument/publishDiagnostics"
            && n["params"]["diagnostics"]
                .as_array()
                .is_some_and(|a| a.iter().any(|d| d["code"] == "test"))
    });
    assert!(!any_test, "{:?}", server.notifications);
    server.shutdown_and_exit();
}
