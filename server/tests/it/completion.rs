//! Inline completion and the completion fallback on the tiny committed model (random weights: the text
//! is gibberish, so syntax validation is off and the tests pin the protocol's shape, the positions and
//! greedy determinism).

#![allow(clippy::unwrap_used)]

use expect_test::expect;
use serde_json::{Value, json};

use crate::support::{TestServer, pretty};

/// Settings for deterministic, short completions from a model whose output never parses.
fn settings() -> Value {
    json!({ "completion": { "validateSyntax": false, "sampling": { "maxTokens": 8 } } })
}

const SOURCE: &str = "def greet(name):\n    s = '😀' + \n    return s\n";

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character },
            "context": { "triggerKind": 1 } })
}

#[test]
fn inline_completion_after_an_emoji_in_utf16() {
    let mut server = TestServer::with_tiny_model(settings());
    server.open("file:///greet.py", "python", SOURCE);
    // After `    s = '😀' + ` : 4 + 5 + 2 (the surrogate pair) + 4 UTF-16 units.
    let response = server.call(
        "textDocument/inlineCompletion",
        at("file:///greet.py", 1, 15),
    );
    expect![[r#"
        {
          "id": 2,
          "jsonrpc": "2.0",
          "result": [
            {
              "insertText": "淹淹淹 minionsturturturtur",
              "insertTextFormat": 1,
              "range": {
                "end": {
                  "character": 15,
                  "line": 1
                },
                "start": {
                  "character": 15,
                  "line": 1
                }
              }
            }
          ]
        }"#]]
    .assert_eq(&pretty(&response));
    // Greedy decoding: the same request gives the same answer.
    let again = server.call(
        "textDocument/inlineCompletion",
        at("file:///greet.py", 1, 15),
    );
    assert_eq!(again["result"], response["result"]);
    server.shutdown_and_exit();
}

#[test]
fn utf8_positions_give_the_same_completion() {
    let mut utf16 = TestServer::with_tiny_model(settings());
    utf16.open("file:///greet.py", "python", SOURCE);
    let by_utf16 = utf16.call(
        "textDocument/inlineCompletion",
        at("file:///greet.py", 1, 15),
    );

    let mut utf8 = TestServer::spawn(&[
        "--model",
        crate::support::tiny_model().to_str().expect("utf-8 path"),
    ]);
    let init = utf8.initialize(
        settings(),
        json!({ "general": { "positionEncodings": ["utf-8"] }, "window": { "workDoneProgress": true } }),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    utf8.wait_model_loaded();
    utf8.open("file:///greet.py", "python", SOURCE);
    // The same cursor in bytes: the emoji is 4 bytes instead of 2 units.
    let by_utf8 = utf8.call(
        "textDocument/inlineCompletion",
        at("file:///greet.py", 1, 17),
    );

    let item16 = &by_utf16["result"][0];
    let item8 = &by_utf8["result"][0];
    assert_eq!(
        item16["insertText"], item8["insertText"],
        "{by_utf16} vs {by_utf8}"
    );
    assert_eq!(
        item16["range"]["start"],
        json!({ "line": 1, "character": 15 })
    );
    assert_eq!(
        item8["range"]["start"],
        json!({ "line": 1, "character": 17 })
    );
}

#[test]
fn completion_fallback_offers_the_inline_text_as_one_item() {
    let mut server = TestServer::with_tiny_model(settings());
    server.open("file:///greet.py", "python", SOURCE);
    let inline = server.call(
        "textDocument/inlineCompletion",
        at("file:///greet.py", 1, 15),
    );
    let response = server.call("textDocument/completion", at("file:///greet.py", 1, 15));
    let list = &response["result"];
    assert_eq!(list["isIncomplete"], true, "{response}");
    let items = list["items"].as_array().expect("a list of items");
    let inline_items = inline["result"].as_array().expect("inline items");
    assert_eq!(items.len(), inline_items.len(), "{response}");
    for (item, inline_item) in items.iter().zip(inline_items) {
        assert_eq!(item["textEdit"]["newText"], inline_item["insertText"]);
        assert_eq!(item["textEdit"]["range"], inline_item["range"]);
        assert_eq!(item["filterText"], inline_item["insertText"]);
        assert_eq!(item["insertTextFormat"], 1);
    }
    server.shutdown_and_exit();
}

#[test]
fn incremental_edits_complete_like_the_same_text_opened_whole() {
    let mut server = TestServer::with_tiny_model(settings());
    server.open(
        "file:///edit.py",
        "python",
        "def greet(name):\n    return\n",
    );
    let changes = [
        // `return` -> `return 'hi, ' + ` on line 1, then a new function under it.
        json!({ "range": { "start": { "line": 1, "character": 10 }, "end": { "line": 1, "character": 10 } }, "text": " 'hi, ' + " }),
        json!({ "range": { "start": { "line": 2, "character": 0 }, "end": { "line": 2, "character": 0 } }, "text": "\ndef wave():\n    pass\n" }),
        // Replace `pass` (line 4) with `print('👋')`.
        json!({ "range": { "start": { "line": 4, "character": 4 }, "end": { "line": 4, "character": 8 } }, "text": "print('👋')" }),
    ];
    for (version, change) in (2..).zip(changes) {
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": "file:///edit.py", "version": version }, "contentChanges": [change] }),
        );
    }
    let edited = server.call(
        "textDocument/inlineCompletion",
        at("file:///edit.py", 1, 19),
    );
    // Reopened under the same name, so the prompt (which names the file) is the same.
    server.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": "file:///edit.py" } }),
    );
    server.open(
        "file:///edit.py",
        "python",
        "def greet(name):\n    return 'hi, ' + \n\ndef wave():\n    print('👋')\n",
    );
    let whole = server.call(
        "textDocument/inlineCompletion",
        at("file:///edit.py", 1, 19),
    );
    assert!(edited.get("error").is_none(), "{edited}");
    assert_eq!(edited["result"], whole["result"]);
    // A full-text change replaces everything.
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///edit.py", "version": 9 }, "contentChanges": [{ "text": "x = 1\n" }] }),
    );
    let response = server.call("textDocument/inlineCompletion", at("file:///edit.py", 3, 0));
    assert_eq!(
        response["error"]["message"],
        "line 3 is past the end of the document (2 lines)"
    );
    server.shutdown_and_exit();
}

/// A request the editor sends while the user types (`Automatic`), as VS Code and the Neovim plugin do.
fn typing_at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character },
            "context": { "triggerKind": 2 } })
}

/// Typing the first characters of the suggestion shown is answered with the rest of it (no new model
/// call: the random model would say something else); a character that differs asks the model again.
#[test]
fn typing_through_a_suggestion_offers_the_rest_of_it() {
    let mut server = TestServer::with_tiny_model(settings());
    let uri = "file:///typing.py";
    server.open(uri, "python", "def greet(name):\n    s = ");
    let first = server.call("textDocument/inlineCompletion", typing_at(uri, 1, 8));
    let shown = first["result"][0]["insertText"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut chars = shown.chars();
    let typed = chars.next().unwrap();
    let rest: String = chars.collect();
    assert!(!rest.is_empty(), "{shown:?}");

    let insert = |server: &mut TestServer, version: i32, character: u32, text: &str| {
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{
                "range": { "start": { "line": 1, "character": character },
                           "end": { "line": 1, "character": character } },
                "text": text }] }),
        );
    };
    insert(&mut server, 2, 8, &typed.to_string());
    let after = 8 + typed.len_utf16() as u32;
    let next = server.call("textDocument/inlineCompletion", typing_at(uri, 1, after));
    assert_eq!(next["result"][0]["insertText"], json!(rest), "{next}");
    assert_eq!(
        next["result"][0]["range"],
        json!({ "start": { "line": 1, "character": after }, "end": { "line": 1, "character": after } })
    );

    // Typing something else than the suggestion's next character: a fresh answer, not the old rest.
    let other = if rest.starts_with('x') { "y" } else { "x" };
    insert(&mut server, 3, after, other);
    let fresh = server.call(
        "textDocument/inlineCompletion",
        typing_at(uri, 1, after + 1),
    );
    assert!(fresh.get("error").is_none(), "{fresh}");
    let fresh_text = fresh["result"][0]["insertText"]
        .as_str()
        .unwrap_or_default();
    assert_ne!(fresh_text, &rest[rest.chars().next().unwrap().len_utf8()..]);
    server.shutdown_and_exit();
}
