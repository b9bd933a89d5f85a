//! `textDocument/didChange`: apply full or incremental changes, in order.

use tower_lsp_server::ls_types::DidChangeTextDocumentParams;

use crate::session::Session;

/// Returns the problem to log when a change cannot be applied (a notification has no response).
pub fn handle(session: &Session, params: DidChangeTextDocumentParams) -> Result<(), String> {
    let doc = params.text_document;
    session.change(doc.uri.as_str(), doc.version, params.content_changes)
}
