//! One module per LSP method. Handlers are thin: convert the request in, call the engine, convert the
//! result out. Shared steps (the completion pipeline run, code action data) live here.

pub mod code_action;
pub mod code_action_resolve;
pub mod completion;
pub mod did_change;
pub mod did_change_configuration;
pub mod did_close;
pub mod did_open;
pub mod initialize;
pub mod initialized;
pub mod inline_completion;

use std::sync::Arc;
use std::time::Duration;

use engine::complete::{Completion, CompletionRequest};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{Position, Range, Uri};

use crate::convert::{self, PositionError};
use crate::session::{self, Session, Snapshot};
use crate::task;

pub fn invalid_position(error: PositionError) -> jsonrpc::Error {
    jsonrpc::Error::invalid_params(error.to_string())
}

/// The part of a large document (no syntax tree) that a completion sees: this many bytes around the
/// cursor, cut at line starts.
const LARGE_FILE_WINDOW: usize = 256 << 10;

/// A finished completion and the snapshot it was computed on (positions in the response refer to it,
/// moved by [`Completed::in_document`]).
pub struct Completed {
    /// For a large document, `snapshot.document` is the window around the cursor.
    pub snapshot: Snapshot,
    pub cursor: usize,
    pub completion: Completion,
    /// Lines of the real document before `snapshot.document` (a large document's window starts there).
    pub line_offset: u32,
}

impl Completed {
    /// A range computed on `snapshot.document`, as a range of the whole document. The window starts at
    /// a line start, so only lines move.
    pub fn in_document(&self, mut range: Range) -> Range {
        range.start.line = range.start.line.saturating_add(self.line_offset);
        range.end.line = range.end.line.saturating_add(self.line_offset);
        range
    }
}

/// The completion at `position` of `uri`, shared by inline completion and the completion fallback.
/// `Ok(None)` while the model loads or when the engine has nothing to suggest. A newer request for the
/// same document cancels this one (answered `RequestCancelled`). The model work waits for its turn
/// ([`Session::model_turn`]).
pub async fn complete_at(session: &Arc<Session>, uri: &Uri, position: Position) -> jsonrpc::Result<Option<Completed>> {
    let mut snapshot = session.snapshot(uri.as_str())?;
    let mut cursor =
        convert::offset_in(&snapshot.document, position, snapshot.encoding).map_err(invalid_position)?;
    let Some(backend) = session::ready_model(&snapshot.model)? else {
        return Ok(None);
    };
    let inflight = session.begin_completion(uri.as_str());
    task::debounce(Duration::from_millis(snapshot.settings.debounce_ms), &inflight.token).await?;
    let turn = session.model_turn(&inflight.token).await?;
    let result = task::blocking(inflight.token.clone(), move |cancel| {
        let _turn = turn;
        let mut line_offset = 0;
        if snapshot.document.is_large() {
            let window = snapshot.document.window(cursor, LARGE_FILE_WINDOW);
            cursor -= window.start;
            line_offset = u32::try_from(window.start_line).unwrap_or(u32::MAX);
            snapshot.document = window.document;
        }
        let request = CompletionRequest {
            document: &snapshot.document,
            cursor,
            open_documents: &snapshot.others,
            options: &snapshot.settings.completion,
        };
        let completion = engine::complete::complete(backend.as_ref(), &request, cancel)?;
        Ok(completion.map(|completion| Completed { snapshot, cursor, completion, line_offset }))
    })
    .await;
    drop(inflight);
    result
}
