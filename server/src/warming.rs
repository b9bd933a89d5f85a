//! Warming the model's cache before the user types (`engine::complete::warm`): a document's prompt is
//! prefilled in the background when it opens, when the editor focuses it or moves its cursor
//! (`qwen-lsp/didFocus`, with the cursor) and, for the documents already open, when the model becomes
//! ready. The model runs it below every request, a chunk at a time, so the first keystroke there
//! re-runs only the tokens after its cursor; while the whole prompt is far from cached, a small one
//! goes first for the keystrokes until then (`completion.coldContextTokens`). Without a cursor the
//! guess is the end of the file. It waits for the document's background parse rather than parse by
//! itself.

use std::sync::Arc;

use engine::Backend;
use engine::complete::CompletionRequest;
use tower_lsp_server::ls_types::Position;

use crate::convert;
use crate::session::{self, Session};

/// Warms the prompt of a request at `position` of `uri` (its end when `None`), if the document is open,
/// not large, and a model is ready.
pub fn schedule(session: &Arc<Session>, uri: &str, position: Option<Position>) {
    let Ok(snapshot) = session.snapshot(uri) else {
        return;
    };
    let Ok(Some(backend)) = session::ready_model(&snapshot.model) else {
        return;
    };
    if snapshot.document.is_large() {
        return;
    }
    let cursor = match position {
        None => snapshot.document.len(),
        Some(position) => {
            match convert::offset_in(&snapshot.document, position, snapshot.encoding) {
                Ok(cursor) => cursor,
                Err(error) => {
                    tracing::debug!("{}: not warmed: {error}", session::shorten(uri));
                    return;
                }
            }
        }
    };
    let session = Arc::clone(session);
    tokio::spawn(async move {
        // The tree comes from the document's background parse: warming never parses by itself, and a
        // document changed or closed meanwhile is not warmed (its snapshot is stale).
        if !session
            .background_tree(&snapshot.document.uri, &snapshot.document)
            .await
        {
            return;
        }
        // Building the prompt tokenizes the file: off the message loop.
        let _ = tokio::task::spawn_blocking(move || warm(&snapshot, backend, cursor)).await;
    });
}

/// Builds the prompt of a request at `cursor` and hands it to the model to prefill.
fn warm(snapshot: &session::Snapshot, backend: Arc<dyn Backend>, cursor: usize) {
    let workspace = snapshot.workspace.read();
    let request = CompletionRequest {
        document: &snapshot.document,
        cursor,
        open_documents: &snapshot.others,
        workspace: Some(&workspace),
        options: &snapshot.settings.completion,
    };
    let uri = session::shorten(&snapshot.document.uri);
    match engine::complete::warm(backend.as_ref(), &request) {
        Ok(()) => tracing::debug!("{uri}: warming the prompt at offset {cursor}"),
        Err(error) => tracing::debug!("{uri}: not warmed: {error}"),
    }
}

/// Warms every open document (the model just became ready).
pub fn schedule_open(session: &Arc<Session>) {
    for uri in session.open_uris() {
        schedule(session, &uri, None);
    }
}
