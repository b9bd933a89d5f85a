//! Loading the model in the background, with progress in the editor. Until the model is ready,
//! completion requests answer with an empty result; after a failed load, with an error that says why.
//! The server stays up either way.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types::MessageType;
use tower_lsp_server::{NotCancellable, OngoingProgress, Unbounded};

use crate::config;
use crate::session::{ModelState, Session};

/// Starts loading the model the command line and settings name; a load already running is superseded.
pub fn spawn_load(session: Arc<Session>) {
    let options = config::load_options(&session.cli, &session.settings());
    let epoch = session.start_load();
    tokio::spawn(load(session, options, epoch));
}

async fn load(session: Arc<Session>, options: engine::model::LoadOptions, epoch: u64) {
    let source = options.source.clone();
    let progress = begin_progress(&session, epoch, &source).await;
    let started = Instant::now();
    let mut loading = tokio::task::spawn_blocking(move || engine::remote::open_backend(&options));
    // The engine has no progress callback (a hub download can take minutes); elapsed time at least
    // shows the editor's user that something is happening.
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    ticks.tick().await;
    let outcome = loop {
        tokio::select! {
            outcome = &mut loading => break outcome,
            _ = ticks.tick() => {
                if let Some(progress) = &progress {
                    progress.report(format!("{source} ({} s)", started.elapsed().as_secs())).await;
                }
            }
        }
    };
    let state = match outcome {
        Ok(Ok(model)) => ModelState::Ready(model),
        Ok(Err(error)) => ModelState::Failed(error.to_string()),
        Err(join) => ModelState::Failed(format!("loading {source} crashed: {join}")),
    };
    let elapsed = started.elapsed().as_secs_f64();
    let message = match &state {
        ModelState::Failed(error) => error.clone(),
        ModelState::Ready(model) if !model.info().weights.is_empty() => {
            format!(
                "loaded {source} ({}) in {elapsed:.1} s",
                model.info().weights
            )
        }
        _ => format!("loaded {source} in {elapsed:.1} s"),
    };
    // The state is installed before the progress ends, so a client that waits for the end finds it.
    let current = session.finish_load(epoch, state.clone());
    if let Some(progress) = progress {
        progress.finish_with_message(message.clone()).await;
    }
    if !current {
        return; // A newer configuration started another load; this model is dropped unused.
    }
    match state {
        ModelState::Failed(_) => {
            tracing::error!("{message}");
            let text = format!(
                "qwen-lsp: {message}. Completions and fixes are off; set `model` or --model."
            );
            session.client.show_message(MessageType::ERROR, text).await;
        }
        _ => {
            crate::warming::schedule_open(&session);
            // window/logMessage only: a stderr copy would show twice in the editor's log.
            session
                .client
                .log_message(MessageType::INFO, format!("qwen-lsp: {message}"))
                .await;
        }
    }
}

async fn begin_progress(
    session: &Session,
    epoch: u64,
    source: &str,
) -> Option<OngoingProgress<Unbounded, NotCancellable>> {
    let token = session
        .progress_token(format!("qwen-lsp/load-model/{epoch}"))
        .await?;
    Some(
        session
            .client
            .progress(token, "Loading model")
            .with_message(source.to_owned())
            .begin()
            .await,
    )
}
