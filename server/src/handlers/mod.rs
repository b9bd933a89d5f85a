//! One module per LSP method. Handlers are thin: convert the request in, call the engine, convert the
//! result out. Shared steps (the completion pipeline run, code action data) live here.

pub mod code_action;
pub mod code_action_resolve;
pub mod completion;
pub mod did_change;
pub mod did_change_configuration;
pub mod did_change_watched_files;
pub mod did_close;
pub mod did_open;
pub mod did_save;
pub mod initialize;
pub mod initialized;
pub mod inline_completion;

use std::sync::Arc;
use std::time::Duration;

use engine::complete::{Completion, CompletionRequest};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{Position, Uri};

use crate::convert::{self, PositionError};
use crate::session::{self, Session, Snapshot};
use crate::task;

pub fn invalid_position(error: PositionError) -> jsonrpc::Error {
    jsonrpc::Error::invalid_params(error.to_string())
}

/// A finished completion and the snapshot it was computed on (positions in the response refer to it).
pub struct Completed {
    pub snapshot: Snapshot,
    pub cursor: usize,
    pub completion: Completion,
}

/// The completion at `position` of `uri`, shared by inline completion and the completion fallback.
/// `Ok(None)` while the model loads or when the engine has nothing to suggest. A newer request for the
/// same document cancels this one (answered `RequestCancelled`).
pub async fn complete_at(session: &Arc<Session>, uri: &Uri, position: Position) -> jsonrpc::Result<Option<Completed>> {
    let snapshot = session.snapshot(uri.as_str())?;
    let cursor = convert::offset(snapshot.document.text(), position, snapshot.encoding).map_err(invalid_position)?;
    let Some(backend) = session::ready_model(&snapshot.model)? else {
        return Ok(None);
    };
    let inflight = session.begin_completion(uri.as_str());
    task::debounce(Duration::from_millis(snapshot.settings.debounce_ms), &inflight.token).await?;
    let result = task::blocking(inflight.token.clone(), move |cancel| {
        let workspace = snapshot.workspace.read();
        let request = CompletionRequest {
            document: &snapshot.document,
            cursor,
            open_documents: &snapshot.others,
            workspace: Some(&workspace),
            options: &snapshot.settings.completion,
        };
        let completion = engine::complete::complete(backend.as_ref(), &request, cancel)?;
        drop(workspace);
        Ok(completion.map(|completion| Completed { snapshot, cursor, completion }))
    })
    .await;
    drop(inflight);
    result
}
