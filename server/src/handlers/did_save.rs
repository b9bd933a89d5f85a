//! `textDocument/didSave`: the saved file is re-read into the workspace index.

use tower_lsp_server::ls_types::DidSaveTextDocumentParams;

use crate::session::Session;
use crate::workspace;

pub fn handle(session: &Session, params: DidSaveTextDocumentParams) {
    workspace::saved(session, params.text_document.uri.as_str());
}
