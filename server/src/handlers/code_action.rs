//! `textDocument/codeAction`: offers "Fix this" where the request carries diagnostics and "Complete this
//! function" inside an unfinished body. Cheap: the model runs only in `codeAction/resolve`, for the
//! action the user picks; the actions carry what resolve needs in `data`. Finding an unfinished body
//! needs the syntax tree of this version, read (or made) on the blocking pool, never on the message
//! loop.

use std::sync::Arc;

use engine::CancellationToken;
use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    Diagnostic, Range, Uri,
};

use crate::convert;
use crate::session::{self, Session};
use crate::task;

/// What `codeAction/resolve` needs, round-tripped through the client in `CodeAction::data`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionData {
    pub action: ActionKind,
    pub uri: Uri,
    /// The document version the action was offered for; resolving against another is refused.
    pub version: i32,
    pub range: Range,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActionKind {
    Fix,
    CompleteFunction,
}

pub const FIX_TITLE: &str = "Fix this (Qwen)";
pub const COMPLETE_FUNCTION_TITLE: &str = "Complete this function (Qwen)";

pub async fn handle(
    session: &Arc<Session>,
    params: CodeActionParams,
) -> jsonrpc::Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri;
    let snapshot = session.snapshot(uri.as_str())?;
    let range = convert::byte_range_in(&snapshot.document, params.range, snapshot.encoding)
        .map_err(super::invalid_position)?;
    // Offering actions that could never resolve would only mislead: say why instead.
    session::ready_model(&snapshot.model)?;

    let wants = |kind: &CodeActionKind| {
        params
            .context
            .only
            .as_ref()
            .is_none_or(|only| only.iter().any(|o| kind.as_str().starts_with(o.as_str())))
    };
    let data = |action: ActionKind, diagnostics: Vec<Diagnostic>| {
        let data = ActionData {
            action,
            uri: uri.clone(),
            version: snapshot.version,
            range: params.range,
            diagnostics,
        };
        serde_json::to_value(data).map_err(|e| jsonrpc::Error::invalid_params(e.to_string()))
    };

    let mut actions = Vec::new();
    let diagnostics = params.context.diagnostics;
    if !diagnostics.is_empty() && wants(&CodeActionKind::QUICKFIX) {
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: FIX_TITLE.to_owned(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(diagnostics.clone()),
            data: Some(data(ActionKind::Fix, diagnostics)?),
            ..CodeAction::default()
        }));
    }
    // A large document has no tree, so no function to complete.
    if wants(&CodeActionKind::REFACTOR_REWRITE)
        && !snapshot.document.is_large()
        && unfinished_function_at(snapshot.document.clone(), range.start).await?
    {
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: COMPLETE_FUNCTION_TITLE.to_owned(),
            kind: Some(CodeActionKind::REFACTOR_REWRITE),
            data: Some(data(ActionKind::CompleteFunction, Vec::new())?),
            ..CodeAction::default()
        }));
    }
    if !actions.is_empty() && snapshot.settings.actions.run_tests {
        // Open the sandbox while the user picks, so resolving doesn't wait for it.
        let session = Arc::clone(session);
        tokio::spawn(async move { session.test_runner().await });
    }
    Ok(Some(actions))
}

/// Whether `offset` lies in an unfinished function body, on the blocking pool: the tree of this version
/// may still be in the making.
async fn unfinished_function_at(
    document: engine::Document,
    offset: usize,
) -> jsonrpc::Result<bool> {
    task::blocking(CancellationToken::new(), move |cancel| {
        if !document.parse(&|| cancel.is_cancelled()) {
            return Err(engine::Error::Cancelled);
        }
        Ok(engine::actions::unfinished_function_at(&document, offset).is_some())
    })
    .await
}
