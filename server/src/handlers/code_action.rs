//! `textDocument/codeAction`: offers "Fix this" where the request carries diagnostics and "Complete this
//! function" inside an unfinished body. Cheap: the model runs only in `codeAction/resolve`, for the
//! action the user picks; the actions carry what resolve needs in `data`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    Diagnostic, Range, Uri,
};

use crate::convert;
use crate::session::{self, Session};

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

pub fn handle(
    session: &Arc<Session>,
    params: CodeActionParams,
) -> jsonrpc::Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri;
    let snapshot = session.snapshot(uri.as_str())?;
    let text = snapshot.document.text();
    let range = convert::byte_range(text, params.range, snapshot.encoding)
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
    if wants(&CodeActionKind::REFACTOR_REWRITE)
        && engine::actions::unfinished_function_at(&snapshot.document, range.start).is_some()
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
