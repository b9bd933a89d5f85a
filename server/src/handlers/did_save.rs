//! `textDocument/didSave`: the saved file is re-read into the workspace index, and its tests run in the
//! sandbox (debounced), the failures published (`crate::diagnostics`).

use std::sync::Arc;

use tower_lsp_server::ls_types::DidSaveTextDocumentParams;

use crate::diagnostics::{self, Trigger};
use crate::session::Session;
use crate::workspace;

pub fn handle(session: &Arc<Session>, params: DidSaveTextDocumentParams) {
    workspace::saved(session, params.text_document.uri.as_str());
    diagnostics::schedule(session, &params.text_document.uri, Trigger::Save);
}
