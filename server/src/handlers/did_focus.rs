//! `qwen-lsp/didFocus` (a custom notification, client to server): the editor shows this document now,
//! with its cursor at `position` (sent again when the cursor moves and rests). The server warms the
//! prompt of a request there, so the first keystroke is fast (`crate::warming`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{Position, TextDocumentIdentifier};

use crate::session::Session;

/// The method name.
pub const METHOD: &str = "qwen-lsp/didFocus";

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DidFocusParams {
    pub text_document: TextDocumentIdentifier,
    /// The cursor; without it, the end of the document.
    #[serde(default)]
    pub position: Option<Position>,
}

pub fn handle(session: &Arc<Session>, params: DidFocusParams) {
    crate::warming::schedule(session, params.text_document.uri.as_str(), params.position);
}
