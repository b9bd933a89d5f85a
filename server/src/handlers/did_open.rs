//! `textDocument/didOpen`: start tracking a document (parsed once, re-parsed incrementally on edits).

use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

use crate::session::Session;

pub fn handle(session: &Session, params: DidOpenTextDocumentParams) {
    let doc = params.text_document;
    session.open(doc.uri.as_str(), &doc.language_id, doc.version, doc.text);
}
