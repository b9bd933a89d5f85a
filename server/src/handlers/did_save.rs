//! `textDocument/didSave`: the saved file is re-read into the workspace index, and its tests run in the
//! sandbox (debounced), the failures published (`crate::diagnostics`).

use std::sync::Arc;

use tower_lsp_server::ls_types::DidSaveTextDocumentParams;

use crate::checks;
use crate::diagnostics::Trigger;
use crate::indexing;
use crate::session::Session;

pub fn handle(session: &Arc<Session>, params: DidSaveTextDocumentParams) {
    indexing::saved(session, params.text_document.uri.as_str());
    checks::schedule(session, &params.text_document.uri, Trigger::Save);
}
