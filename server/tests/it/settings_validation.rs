//! Sampling values are checked where LSP settings enter: hostile ones (subnormal, out of range) are
//! refused with a message that names the field, and the previous settings stay in force.

use serde_json::{Value, json};

use crate::support::TestServer;

const NO_MODEL: &str = "/nonexistent/qwen-lsp-test-model";

#[test]
fn hostile_sampling_settings_are_refused_naming_the_field() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(Value::Null, json!({}));
    let cases = [
        (json!({ "temperature": 1e-320 }), "temperature"),
        (json!({ "topP": 1e-320 }), "top_p"),
        (json!({ "repetitionPenalty": 1e-40 }), "repetition_penalty"),
        (json!({ "temperature": 1e300 }), "temperature"),
    ];
    for (sampling, field) in cases {
        let settings = json!({ "completion": { "sampling": sampling } });
        server.notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": settings }),
        );
        let shown = server.notification("window/showMessage", |p| {
            p["type"] == 1
                && p["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(field) && m.contains("keeping"))
        });
        let message = shown["params"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("invalid qwen-lsp settings"), "{message}");
        server.notifications.clear();
    }
    server.shutdown_and_exit();
}
