//! `textDocument/didChange`: apply full or incremental changes, in order.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidChangeTextDocumentParams;

use crate::session::Session;

/// Returns the problem to log when a change cannot be applied (a notification has no response), or the
/// message to show when the document just became too large for a syntax tree.
pub fn handle(
    session: &Arc<Session>,
    params: DidChangeTextDocumentParams,
) -> Result<Option<String>, String> {
    let doc = params.text_document;
    session.change(doc.uri.as_str(), doc.version, params.content_changes)
}
