//! `textDocument/didSave`: runs the file's tests in the sandbox (debounced) and publishes the failures
//! (`crate::diagnostics`).

use std::sync::Arc;

use tower_lsp_server::ls_types::DidSaveTextDocumentParams;

use crate::diagnostics::{self, Trigger};
use crate::session::Session;

pub fn handle(session: &Arc<Session>, params: DidSaveTextDocumentParams) {
    diagnostics::schedule(session, &params.text_document.uri, Trigger::Save);
}
