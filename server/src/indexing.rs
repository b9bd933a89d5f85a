//! Indexing the workspace from the server: the background scan with `window/workDoneProgress`, the
//! file watchers registered with the client, the file events (`workspace/didChangeWatchedFiles`,
//! `textDocument/didSave`) that keep the index current, and the `workspaceIndex.enabled` setting that
//! turns all of it on and off. Its state is `crate::workspace`.

use std::path::PathBuf;
use std::sync::Arc;

use engine::CancellationToken;
use engine::workspace::{Limits, ScanProgress, WorkspaceIndex};
use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, MessageType,
    Registration,
};

use crate::session::Session;

/// The id of the watcher registration (`client/registerCapability`).
const WATCH_REGISTRATION: &str = "qwen-lsp/watch-sources";
/// What the index reads; a deleted directory arrives as its own event (VS Code sends one for it).
const WATCHED: [&str; 3] = ["**/*.py", "**/*.pyi", "**/*.java"];

/// After `initialized`: when the index is on, registers the file watchers (when the client can) and
/// starts indexing the workspace folders.
pub async fn start(session: Arc<Session>) {
    let enabled = session.settings().workspace_index.enabled;
    {
        let mut state = session.workspace.lock();
        state.started = true;
        state.enabled = enabled;
    }
    if enabled {
        switch_on(session).await;
    }
}

/// The `workspaceIndex.enabled` setting changed (`workspace/didChangeConfiguration`): on, the folders
/// are scanned; off, the running scan stops, file events are ignored and the index is dropped. Reads
/// the setting in force, so calls that overtake one another still end in its state.
pub async fn setting_changed(session: Arc<Session>) {
    let enabled = session.settings().workspace_index.enabled;
    let cancelled = {
        let mut state = session.workspace.lock();
        if !state.started || state.enabled == enabled {
            return;
        }
        state.enabled = enabled;
        state.pending.clear();
        state.scan.take()
    };
    if let Some((_, token)) = cancelled {
        token.cancel();
    }
    if enabled {
        return switch_on(session).await;
    }
    let shared = Arc::clone(&session.workspace.index);
    let workspace = Arc::clone(&session);
    // Unless switched on again meanwhile, whose scan (cancelled above if it is the older one) then has
    // the last word.
    let _ = tokio::task::spawn_blocking(move || {
        shared.replace_if(WorkspaceIndex::default(), || {
            !workspace.workspace.lock().enabled
        })
    })
    .await;
    session
        .client
        .log_message(MessageType::INFO, "qwen-lsp: workspace index off")
        .await;
}

async fn switch_on(session: Arc<Session>) {
    let register = {
        let mut state = session.workspace.lock();
        if state.roots.is_empty() {
            return;
        }
        let register = state.dynamic_watch && !state.watching;
        state.watching |= register;
        register
    };
    if register {
        register_watchers(&session).await;
    }
    spawn_scan(session);
}

async fn register_watchers(session: &Session) {
    let watchers = WATCHED
        .iter()
        .map(|glob| FileSystemWatcher {
            glob_pattern: GlobPattern::String((*glob).to_owned()),
            kind: None,
        })
        .collect();
    let options = match serde_json::to_value(DidChangeWatchedFilesRegistrationOptions { watchers })
    {
        Ok(options) => options,
        Err(error) => return tracing::warn!("cannot write the file watchers: {error}"),
    };
    let registration = Registration {
        id: WATCH_REGISTRATION.to_owned(),
        method: "workspace/didChangeWatchedFiles".to_owned(),
        register_options: Some(options),
    };
    if let Err(error) = session.client.register_capability(vec![registration]).await {
        // The index still follows saves; files changed outside the editor go unnoticed until a restart.
        tracing::warn!("the client refused the file watchers: {error}");
    }
}

/// Indexes the workspace folders in the background, replacing the index when done.
pub fn spawn_scan(session: Arc<Session>) {
    let cancel = CancellationToken::new();
    let (roots, number) = {
        let mut state = session.workspace.lock();
        state.scans += 1;
        let number = state.scans;
        if let Some((_, older)) = state.scan.replace((number, cancel.clone())) {
            older.cancel();
        }
        (state.roots.clone(), number)
    };
    tokio::spawn(scan(session, roots, number, cancel));
}

async fn scan(session: Arc<Session>, roots: Vec<PathBuf>, number: u64, cancel: CancellationToken) {
    let progress = begin_progress(&session).await;
    let (sender, mut updates) = tokio::sync::mpsc::unbounded_channel::<ScanProgress>();
    let shared = Arc::clone(&session.workspace.index);
    let token = cancel.clone();
    let mut task = tokio::task::spawn_blocking(move || {
        let limits = Limits::default();
        let (index, report) = engine::workspace::scan(&roots, &limits, &token, &mut |p| {
            let _ = sender.send(p);
        })?;
        // A newer scan, or the setting turned off, cancelled this one while it finished.
        if !shared.replace_if(index, || !token.is_cancelled()) {
            return Err(engine::Error::Cancelled);
        }
        Ok::<_, engine::Error>(report)
    });
    let outcome = loop {
        tokio::select! {
            outcome = &mut task => break outcome,
            Some(update) = updates.recv() => {
                if let Some(progress) = &progress {
                    let percent = (update.done * 100).checked_div(update.total).unwrap_or(100) as u32;
                    progress.report_with_message(format!("{}/{} files", update.done, update.total), percent).await;
                }
            }
        }
    };
    let pending = {
        let mut state = session.workspace.lock();
        if state.scan.as_ref().is_some_and(|(n, _)| *n == number) {
            state.scan = None;
            std::mem::take(&mut state.pending)
        } else {
            Vec::new() // The newer scan applies them.
        }
    };
    if !pending.is_empty() {
        let shared = Arc::clone(&session.workspace.index);
        let _ = tokio::task::spawn_blocking(move || shared.refresh(&pending)).await;
    }
    // The prompts read the new index from here on; a suggestion shown before it is not the answer.
    session.shown.clear();
    let message = match outcome {
        Ok(Ok(report)) => {
            tracing::info!("workspace: {report}");
            report.to_string()
        }
        Ok(Err(engine::Error::Cancelled)) => "indexing superseded or switched off".to_owned(),
        Ok(Err(error)) => format!("indexing failed: {error}"),
        Err(join) => format!("indexing crashed: {join}"),
    };
    if let Some(progress) = progress {
        progress.finish_with_message(message.clone()).await;
    }
    session
        .client
        .log_message(MessageType::INFO, format!("qwen-lsp: workspace {message}"))
        .await;
}

async fn begin_progress(
    session: &Session,
) -> Option<
    tower_lsp_server::OngoingProgress<tower_lsp_server::Bounded, tower_lsp_server::NotCancellable>,
> {
    let token = session
        .progress_token("qwen-lsp/index-workspace".to_owned())
        .await?;
    Some(
        session
            .client
            .progress(token, "Indexing workspace")
            .with_percentage(0)
            .begin()
            .await,
    )
}

/// Files created, changed or deleted on disk: their entries are re-read in the background (a scan in
/// progress applies them when it finishes). The suggestions shown are forgotten now and once the index
/// has the files: asked again at the same place, the model sees the new definitions.
pub fn files_changed(session: &Arc<Session>, paths: Vec<PathBuf>) {
    if paths.is_empty() {
        return;
    }
    {
        let mut state = session.workspace.lock();
        if !state.enabled {
            return;
        }
        if state.scan.is_some() {
            state.pending.extend(paths.iter().cloned());
        }
    }
    session.shown.clear();
    let session = Arc::clone(session);
    tokio::task::spawn_blocking(move || {
        session.workspace.index.refresh(&paths);
        session.shown.clear();
    });
}

/// `textDocument/didSave`: the saved file is re-read from disk. Called by the didSave handler.
pub fn saved(session: &Arc<Session>, uri: &str) {
    if let Some(path) = engine::workspace::uri_path(uri) {
        files_changed(session, vec![path]);
    }
}
