//! `codeAction/resolve`: the expensive half of a code action. Runs the engine's "Fix this" or "Complete
//! this function" (model, then syntax check, then the file's tests in the sandbox when it can) and fills
//! in the edit; the title says what was checked ("Fix this (tests pass)"). It takes seconds, so it
//! shows work-done progress while it runs, and a failure says in words what was tried. The model work
//! takes a turn ([`Session::model_turn`]) like a completion, so it shares their bound and their "busy".

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::CancellationToken;
use engine::actions::{CompleteFunctionRequest, DiagnosticInfo, FixRequest};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{CodeAction, TextEdit, WorkspaceEdit};
use tower_lsp_server::{NotCancellable, OngoingProgress, Unbounded};

use super::code_action::{ActionData, ActionKind, COMPLETE_FUNCTION_TITLE, FIX_TITLE};
use crate::convert;
use crate::session::{self, Session};
use crate::task;

pub async fn handle(session: &Arc<Session>, mut action: CodeAction) -> jsonrpc::Result<CodeAction> {
    let data = action
        .data
        .clone()
        .ok_or_else(|| jsonrpc::Error::invalid_params("the code action has no data"))?;
    let data: ActionData = serde_json::from_value(data).map_err(|e| {
        jsonrpc::Error::invalid_params(format!("the code action's data is not qwen-lsp's: {e}"))
    })?;
    let snapshot = session.snapshot(data.uri.as_str())?;
    if snapshot.version != data.version {
        return Err(jsonrpc::Error::content_modified());
    }
    let Some(backend) = session::ready_model(&snapshot.model)? else {
        return Err(task::request_failed(
            "the model is still loading; try again when it is ready",
        ));
    };
    let encoding = snapshot.encoding;
    let document = &snapshot.document;
    let range =
        convert::byte_range_in(document, data.range, encoding).map_err(super::invalid_position)?;
    let diagnostics = data
        .diagnostics
        .iter()
        .map(|d| {
            let range = convert::byte_range_in(document, d.range, encoding)
                .map_err(super::invalid_position)?;
            Ok(DiagnosticInfo {
                range,
                message: d.message.clone(),
            })
        })
        .collect::<jsonrpc::Result<Vec<_>>>()?;

    let runner = if snapshot.settings.actions.run_tests {
        session.test_runner().await
    } else {
        None
    };
    let kind = data.action;
    let checks = match (&runner, snapshot.document.language) {
        (Some(_), engine::Language::Python) => "its syntax and the file's tests",
        _ => "its syntax",
    };
    let candidates = snapshot.settings.actions.candidates.max(1);
    let title = match kind {
        ActionKind::Fix => FIX_TITLE,
        ActionKind::CompleteFunction => COMPLETE_FUNCTION_TITLE,
    };
    let cancel = CancellationToken::new();
    session::parsed(&snapshot.document, &cancel).await?;
    let turn = session.model_turn(&cancel).await?;
    let progress = begin_progress(
        session,
        title,
        format!("asking the model, then checking {checks}"),
    )
    .await;
    let started = Instant::now();
    let work = task::blocking(cancel, move |cancel| {
        let _turn = turn;
        let runner = runner.as_deref();
        let options = &snapshot.settings.actions;
        let fix = match kind {
            ActionKind::Fix => {
                let request = FixRequest {
                    document: &snapshot.document,
                    range,
                    diagnostics,
                    options,
                };
                engine::actions::fix(backend.as_ref(), runner, &request, cancel)?
            }
            ActionKind::CompleteFunction => {
                let request = CompleteFunctionRequest {
                    document: &snapshot.document,
                    offset: range.start,
                    options,
                };
                engine::actions::complete_function(backend.as_ref(), runner, &request, cancel)?
            }
        };
        // Positions refer to the text the fix was computed on; the version check above ties it to
        // the client's. Converted here: it reads the whole text.
        Ok(fix.map(|fix| {
            let bytes = fix.edit.start..fix.edit.end;
            let range = convert::range(snapshot.document.text(), bytes, encoding);
            (fix, range)
        }))
    });
    let outcome = with_elapsed(work, progress.as_ref(), started).await;
    let what = title.trim_end_matches(" (Qwen)");
    let failure = match &outcome {
        Ok(Some(_)) => None,
        Ok(None) => Some(format!(
            "{what}: none of the model's {candidates} candidate{} passed the checks ({checks}); nothing was changed",
            if candidates == 1 { "" } else { "s" }
        )),
        Err(error) => Some(format!("{what} failed: {}", error.message)),
    };
    if let Some(progress) = progress {
        let secs = started.elapsed().as_secs_f64();
        let end = failure
            .clone()
            .unwrap_or_else(|| format!("{what}: done in {secs:.1} s"));
        progress.finish_with_message(end).await;
    }
    if let Some(message) = failure {
        tracing::info!("{message}");
        return Err(match outcome {
            Err(error) if error.code == jsonrpc::ErrorCode::RequestCancelled => error,
            _ => task::request_failed(message),
        });
    }
    let Ok(Some((fix, range))) = outcome else {
        return Err(task::request_failed(format!("{what}: no change")));
    };
    let edit = TextEdit {
        range,
        new_text: fix.edit.new_text,
    };
    action.title = fix.title;
    action.edit = Some(WorkspaceEdit {
        changes: Some(HashMap::from([(data.uri, vec![edit])])),
        ..WorkspaceEdit::default()
    });
    Ok(action)
}

async fn begin_progress(
    session: &Session,
    title: &str,
    message: String,
) -> Option<OngoingProgress<Unbounded, NotCancellable>> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let token = session
        .progress_token(format!("qwen-lsp/resolve/{n}"))
        .await?;
    Some(
        session
            .client
            .progress(token, title.to_owned())
            .with_message(message)
            .begin()
            .await,
    )
}

/// Awaits `work`, reporting the seconds elapsed to `progress` every second (the engine reports no
/// finer progress).
async fn with_elapsed<T>(
    work: impl std::future::Future<Output = T>,
    progress: Option<&OngoingProgress<Unbounded, NotCancellable>>,
    started: Instant,
) -> T {
    let mut work = std::pin::pin!(work);
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    ticks.tick().await;
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = ticks.tick() => {
                if let Some(progress) = progress {
                    progress.report(format!("{} s", started.elapsed().as_secs())).await;
                }
            }
        }
    }
}
