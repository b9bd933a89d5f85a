//! `qwen-lsp/status` (a custom request): where the model is, so a client's status display can tell a
//! loaded model from a failed load (a progress report's end does not say which).

use serde::Serialize;

use crate::session::{ModelState, Session};

/// The method name.
pub const METHOD: &str = "qwen-lsp/status";

#[derive(Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// `notLoaded`, `loading`, `ready` or `failed`.
    pub model: &'static str,
    /// Why the load failed (`failed` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub fn handle(session: &Session) -> Status {
    match session.model_state() {
        ModelState::NotLoaded => Status {
            model: "notLoaded",
            error: None,
        },
        ModelState::Loading => Status {
            model: "loading",
            error: None,
        },
        ModelState::Ready(_) => Status {
            model: "ready",
            error: None,
        },
        ModelState::Failed(error) => Status {
            model: "failed",
            error: Some(error),
        },
    }
}
