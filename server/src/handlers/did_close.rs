//! `textDocument/didClose`: forget a document and cancel its in-flight completion.

use tower_lsp_server::ls_types::DidCloseTextDocumentParams;

use crate::session::Session;

pub fn handle(session: &Session, params: DidCloseTextDocumentParams) {
    session.close(params.text_document.uri.as_str());
}
