//! `codeAction/resolve`: the expensive half of a code action. Runs the engine's "Fix this" or "Complete
//! this function" (model, then syntax check, then the file's tests in the sandbox when it can) and fills
//! in the edit; the title says what was checked ("Fix this (tests pass)").

use std::collections::HashMap;
use std::sync::Arc;

use engine::CancellationToken;
use engine::actions::{CompleteFunctionRequest, DiagnosticInfo, FixRequest};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{CodeAction, TextEdit, WorkspaceEdit};

use super::code_action::{ActionData, ActionKind};
use crate::convert;
use crate::session::{self, Session};
use crate::task;

pub async fn handle(session: &Arc<Session>, mut action: CodeAction) -> jsonrpc::Result<CodeAction> {
    let data = action.data.clone().ok_or_else(|| jsonrpc::Error::invalid_params("the code action has no data"))?;
    let data: ActionData = serde_json::from_value(data)
        .map_err(|e| jsonrpc::Error::invalid_params(format!("the code action's data is not qwen-lsp's: {e}")))?;
    let snapshot = session.snapshot(data.uri.as_str())?;
    if snapshot.version != data.version {
        return Err(jsonrpc::Error::content_modified());
    }
    let Some(backend) = session::ready_model(&snapshot.model)? else {
        return Err(task::request_failed("the model is still loading; try again when it is ready"));
    };
    let encoding = snapshot.encoding;
    let text = snapshot.document.text();
    let range = convert::byte_range(text, data.range, encoding).map_err(super::invalid_position)?;
    let diagnostics = data
        .diagnostics
        .iter()
        .map(|d| {
            let range = convert::byte_range(text, d.range, encoding).map_err(super::invalid_position)?;
            Ok(DiagnosticInfo { range, message: d.message.clone() })
        })
        .collect::<jsonrpc::Result<Vec<_>>>()?;

    let runner = if snapshot.settings.actions.run_tests { session.test_runner().await } else { None };
    let kind = data.action;
    let (fix, snapshot) = task::blocking(CancellationToken::new(), move |cancel| {
        let runner = runner.as_deref();
        let options = &snapshot.settings.actions;
        let fix = match kind {
            ActionKind::Fix => {
                let request = FixRequest { document: &snapshot.document, range, diagnostics, options };
                engine::actions::fix(backend.as_ref(), runner, &request, cancel)?
            }
            ActionKind::CompleteFunction => {
                let request = CompleteFunctionRequest { document: &snapshot.document, offset: range.start, options };
                engine::actions::complete_function(backend.as_ref(), runner, &request, cancel)?
            }
        };
        Ok((fix, snapshot))
    })
    .await?;

    let Some(fix) = fix else {
        return Err(task::request_failed("the model found no change that passes the checks"));
    };
    // Positions refer to the text the fix was computed on; the version check above ties it to the client's.
    let range = convert::range(snapshot.document.text(), fix.edit.start..fix.edit.end, encoding);
    let edit = TextEdit { range, new_text: fix.edit.new_text };
    action.title = fix.title;
    action.edit =
        Some(WorkspaceEdit { changes: Some(HashMap::from([(data.uri, vec![edit])])), ..WorkspaceEdit::default() });
    Ok(action)
}
