//! `workspace/didChangeWatchedFiles`: files created, changed or deleted outside the editor (a branch
//! switch, a formatter, a code generator) are re-read into the workspace index.

use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::ls_types::DidChangeWatchedFilesParams;

use crate::indexing;
use crate::session::Session;

pub fn handle(session: &Arc<Session>, params: DidChangeWatchedFilesParams) {
    // Whatever the event says, the file's state on disk is what is indexed, so the kind does not
    // matter and events applied out of order still end in the right state. Non-file URIs are ignored.
    let paths: Vec<PathBuf> = params
        .changes
        .iter()
        .filter_map(|change| engine::workspace::uri_path(change.uri.as_str()))
        .collect();
    indexing::files_changed(session, paths);
}
