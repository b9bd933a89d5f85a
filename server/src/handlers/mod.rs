//! One module per LSP method. Handlers are thin: convert the request in, call the engine, convert the
//! result out. Shared steps (the completion pipeline run, code action data) live here.

pub mod code_action;
pub mod code_action_resolve;
pub mod completion;
pub mod did_change;
pub mod did_change_configuration;
pub mod did_change_watched_files;
pub mod did_close;
pub mod did_focus;
pub mod did_open;
pub mod did_save;
pub mod initialize;
pub mod initialized;
pub mod inline_completion;
pub mod status;

use std::sync::Arc;
use std::time::Duration;

use engine::complete::{Completion, CompletionRequest};
use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::notification::Notification;
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
/// moved by [`Completed::in_document`]). With a selected item (see [`Selected`]) the completion replaces
/// from the item's range start and begins with the item's text; `cursor` is then that start.
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

/// The item selected in the editor's suggest widget (LSP 3.18 `selectedCompletionInfo`): accepting it
/// would replace `range` with `text`.
pub struct Selected {
    pub range: Range,
    pub text: String,
}

/// `qwen-lsp/dropped` (server to client): a suggestion was generated but not sent, and why; clients
/// may show it as a hint (the VS Code extension does, in its status bar item's tooltip).
pub enum Dropped {}

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DroppedParams {
    pub uri: Uri,
    /// `syntax`: it added syntax errors (`completion.validateSyntax`).
    pub reason: String,
    pub message: String,
}

impl Notification for Dropped {
    type Params = DroppedParams;
    const METHOD: &'static str = "qwen-lsp/dropped";
}

/// The completion at `position` of `uri`, shared by inline completion and the completion fallback.
/// `Ok(None)` while the model loads or when the engine has nothing to suggest. A newer request for the
/// same document cancels this one (answered `RequestCancelled`). The model work waits for its turn
/// ([`Session::model_turn`]).
pub async fn complete_at(
    session: &Arc<Session>,
    uri: &Uri,
    position: Position,
) -> jsonrpc::Result<Option<Completed>> {
    complete_after(session, uri, position, None, false).await
}

/// [`complete_at`]; with `selected`, the completion is of the text with the selected item applied, and
/// extends it (so an editor keeps showing it while its suggest widget is open). `invoked`: the user
/// asked explicitly (inline completion's `Invoked` trigger), so the model answers afresh rather than
/// the rest of the suggestion shown.
pub async fn complete_after(
    session: &Arc<Session>,
    uri: &Uri,
    position: Position,
    selected: Option<Selected>,
    invoked: bool,
) -> jsonrpc::Result<Option<Completed>> {
    let mut snapshot = session.snapshot(uri.as_str())?;
    let mut cursor = convert::offset_in(&snapshot.document, position, snapshot.encoding)
        .map_err(invalid_position)?;
    let mut selected = match selected {
        Some(item) => {
            let range = convert::byte_range_in(&snapshot.document, item.range, snapshot.encoding)
                .map_err(invalid_position)?;
            if range.start > cursor {
                return Err(jsonrpc::Error::invalid_params(
                    "selectedCompletionInfo's range starts after the cursor",
                ));
            }
            Some((range, item.text))
        }
        None => None,
    };
    let Some(backend) = session::ready_model(&snapshot.model)? else {
        return Ok(None);
    };
    // Typing through the suggestion shown: the rest of it, at once. It supersedes any request still
    // running on this document.
    let plain = selected.is_none() && !invoked && !snapshot.document.is_large();
    if plain && let Some(completion) = session.shown.rest(&snapshot.document, cursor) {
        drop(session.begin_completion(uri.as_str()));
        session
            .shown
            .remember(&snapshot.document, cursor, &completion);
        return Ok(Some(Completed {
            snapshot,
            cursor,
            completion,
            line_offset: 0,
        }));
    }
    let inflight = session.begin_completion(uri.as_str());
    task::debounce(
        Duration::from_millis(snapshot.settings.debounce_ms),
        &inflight.token,
    )
    .await?;
    session::parsed(&snapshot.document, &inflight.token).await?;
    let turn = session.model_turn(&inflight.token).await?;
    // A large document (no syntax tree) is completed on a window around the cursor; every offset from
    // here on is the window's.
    let mut line_offset = 0;
    if snapshot.document.is_large() {
        let window = snapshot.document.window(cursor, LARGE_FILE_WINDOW);
        cursor -= window.start;
        selected = selected.and_then(|(range, item)| {
            (range.start >= window.start)
                .then(|| (range.start - window.start..range.end - window.start, item))
        });
        line_offset = u32::try_from(window.start_line).unwrap_or(u32::MAX);
        snapshot.document = window.document;
    }
    // With a selected item: complete the text as it would be after accepting it, right after it.
    let (document, at) = match &selected {
        Some((range, item)) => {
            let edit = engine::TextEdit {
                start: range.start,
                end: range.end,
                new_text: item.clone(),
            };
            let document = snapshot
                .document
                .with_edit(&edit)
                .map_err(task::to_rpc_error)?;
            (
                document,
                range.start + item.len() + cursor.saturating_sub(range.end),
            )
        }
        None => (snapshot.document.clone(), cursor),
    };
    let others = snapshot.others.clone();
    let options = snapshot.settings.completion.clone();
    let index = snapshot.workspace.clone();
    let trace = task::blocking(inflight.token.clone(), move |cancel| {
        let _turn = turn;
        let workspace = index.read();
        let request = CompletionRequest {
            document: &document,
            cursor: at,
            open_documents: &others,
            workspace: Some(&workspace),
            options: &options,
        };
        engine::complete::complete_traced(backend.as_ref(), &request, cancel)
    })
    .await;
    drop(inflight);
    let trace = trace?;
    if trace.completion.is_none()
        && let (Some(processed), Some(check)) = (&trace.processed, trace.syntax)
    {
        let message = format!(
            "a suggestion was dropped: it adds syntax errors ({} before, {} after, {} in its own lines; \
             completion.validateSyntax): {:?}",
            check.errors_before, check.errors_after, check.errors_in_completion, processed.text
        );
        tracing::info!("{}: {message}", uri.as_str());
        let params = DroppedParams {
            uri: uri.clone(),
            reason: "syntax".to_owned(),
            message,
        };
        session.client.send_notification::<Dropped>(params).await;
    }
    let Some(completion) = trace.completion else {
        return Ok(None);
    };
    if plain {
        session
            .shown
            .remember(&snapshot.document, cursor, &completion);
    }
    Ok(Some(match selected {
        None => Completed {
            snapshot,
            cursor,
            completion,
            line_offset,
        },
        Some((range, item)) => {
            // Back to the document as it is: replace from the item's start with the item's text, any text
            // between its end and the cursor, then the completion.
            // VS Code keeps the item only if it replaces exactly the selected item's range: a completion
            // that retypes the rest of the line (closing brackets) drops that retyped part instead.
            let tail = range.end.max(cursor);
            let original = snapshot.document.text();
            let retyped = original
                .get(tail..tail + completion.replace_end.saturating_sub(at))
                .unwrap_or_default();
            let (ours, replace_end) = match completion.text.strip_suffix(retyped) {
                Some(kept) => (kept, tail),
                None => (completion.text.as_str(), tail + retyped.len()),
            };
            let text = format!("{item}{}{ours}", &original[range.end..tail]);
            let completion = Completion { text, replace_end };
            Completed {
                snapshot,
                cursor: range.start,
                completion,
                line_offset,
            }
        }
    }))
}
