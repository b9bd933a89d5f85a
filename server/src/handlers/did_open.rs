//! `textDocument/didOpen`: start tracking a document (parsed in the background, then re-parsed
//! incrementally after edits).

use std::sync::Arc;

use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

use crate::session::Session;

/// Returns the message to show when the document is too large for a syntax tree (once per document).
pub fn handle(session: &Arc<Session>, params: DidOpenTextDocumentParams) -> Option<String> {
    let doc = params.text_document;
    session.open(doc.uri.as_str(), &doc.language_id, doc.version, doc.text)
}
