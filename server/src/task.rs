//! How request work runs: model work on the blocking pool with a cancellation token, panics turned into
//! error responses, engine errors mapped to JSON-RPC errors. Every request gets a response.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use engine::CancellationToken;
use futures_util::FutureExt;
use tower_lsp_server::jsonrpc::{self, ErrorCode};

/// LSP's `RequestFailed`: the request was valid but the server could not do it (e.g. no model).
const REQUEST_FAILED: i64 = -32803;

pub fn request_failed(message: impl Into<String>) -> jsonrpc::Error {
    jsonrpc::Error {
        code: ErrorCode::ServerError(REQUEST_FAILED),
        message: message.into().into(),
        data: None,
    }
}

pub fn cancelled() -> jsonrpc::Error {
    jsonrpc::Error::request_cancelled()
}

/// Bad input from the caller is `InvalidParams`; a cancelled request is `RequestCancelled`; everything
/// else is `RequestFailed` with the engine's message.
pub fn to_rpc_error(error: engine::Error) -> jsonrpc::Error {
    match error {
        engine::Error::Cancelled => cancelled(),
        engine::Error::InvalidInput(message) => jsonrpc::Error::invalid_params(message),
        other => request_failed(other.to_string()),
    }
}

/// Runs a handler and turns a panic inside it into an `InternalError` response, so one bad request
/// cannot take the server down.
pub async fn guarded<T>(
    method: &str,
    handler: impl Future<Output = jsonrpc::Result<T>>,
) -> jsonrpc::Result<T> {
    match AssertUnwindSafe(handler).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => Err(panicked(method, payload.as_ref())),
    }
}

/// Runs a notification handler (which cannot answer), logging a panic instead of dying of it.
pub fn guarded_notification(method: &str, handler: impl FnOnce()) {
    if let Err(payload) = std::panic::catch_unwind(AssertUnwindSafe(handler)) {
        let error = panicked(method, payload.as_ref());
        tracing::error!("{}", error.message);
    }
}

/// The async form of [`guarded_notification`].
pub async fn guarded_async_notification(method: &str, handler: impl Future<Output = ()>) {
    if let Err(payload) = AssertUnwindSafe(handler).catch_unwind().await {
        let error = panicked(method, payload.as_ref());
        tracing::error!("{}", error.message);
    }
}

fn panicked(method: &str, payload: &(dyn Any + Send)) -> jsonrpc::Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    tracing::error!("{method} panicked: {what}");
    jsonrpc::Error {
        code: ErrorCode::InternalError,
        message: format!("internal error in {method}: {what}").into(),
        data: None,
    }
}

/// Runs `work` on the blocking pool. `cancel` fires when this future is dropped (tower-lsp drops a
/// handler's future on `$/cancelRequest`), so the decode loop stops at its next token instead of running
/// on for a response nobody reads.
pub async fn blocking<T: Send + 'static>(
    cancel: CancellationToken,
    work: impl FnOnce(&CancellationToken) -> engine::Result<T> + Send + 'static,
) -> jsonrpc::Result<T> {
    let _cancel_on_drop = cancel.clone().drop_guard();
    let token = cancel.clone();
    let run = move || {
        let started = std::time::Instant::now();
        let result = work(&token);
        if let Err(engine::Error::Cancelled) = &result {
            // Nobody may be waiting for the answer any more; this line is how one can tell that the
            // decode loop really stopped (the end-to-end cancel tests look for it).
            tracing::info!(
                "model work cancelled after {} ms",
                started.elapsed().as_millis()
            );
        }
        result
    };
    match tokio::task::spawn_blocking(run).await {
        Ok(result) => result.map_err(to_rpc_error),
        Err(join) if join.is_panic() => Err(panicked("model work", join.into_panic().as_ref())),
        Err(_) => Err(cancelled()),
    }
}

/// The server-side debounce: waits `delay`, or answers `RequestCancelled` as soon as a newer request
/// supersedes this one.
pub async fn debounce(delay: Duration, cancel: &CancellationToken) -> jsonrpc::Result<()> {
    if delay.is_zero() {
        return Ok(());
    }
    tokio::select! {
        () = tokio::time::sleep(delay) => Ok(()),
        () = cancel.cancelled() => Err(cancelled()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_becomes_an_internal_error() {
        let result: jsonrpc::Result<()> = guarded("test/method", async { panic!("boom") }).await;
        let error = result.expect_err("a panic is an error response");
        assert_eq!(error.code, ErrorCode::InternalError);
        assert_eq!(error.message, "internal error in test/method: boom");
    }

    #[tokio::test]
    async fn a_panic_on_the_blocking_pool_becomes_an_internal_error() {
        let result: jsonrpc::Result<()> =
            blocking(CancellationToken::new(), |_| panic!("in decode")).await;
        let error = result.expect_err("a panic is an error response");
        assert_eq!(error.code, ErrorCode::InternalError);
        assert!(error.message.contains("in decode"), "{}", error.message);
    }

    #[tokio::test]
    async fn dropping_the_future_cancels_the_blocking_work() {
        let cancel = CancellationToken::new();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (stopped_tx, stopped_rx) = std::sync::mpsc::channel();
        let fut = blocking(cancel.clone(), move |token| {
            let _ = started_tx.send(());
            // A decode loop that only stops when cancelled.
            while !token.is_cancelled() {
                std::thread::sleep(Duration::from_millis(1));
            }
            let _ = stopped_tx.send(());
            Err::<(), _>(engine::Error::Cancelled)
        });
        let mut fut = Box::pin(fut);
        // Poll once so the work starts, then drop the future as tower-lsp does on `$/cancelRequest`.
        tokio::select! {
            _ = &mut fut => panic!("the work never finishes on its own"),
            () = tokio::task::yield_now() => {}
        }
        started_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("work started");
        drop(fut);
        stopped_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("work saw the cancellation");
        assert!(cancel.is_cancelled());
    }

    #[tokio::test]
    async fn debounce_is_cut_short_by_a_newer_request() {
        let cancel = CancellationToken::new();
        let waiter = debounce(Duration::from_secs(3600), &cancel);
        cancel.cancel();
        let error = waiter.await.expect_err("superseded");
        assert_eq!(error.code, ErrorCode::RequestCancelled);
        assert!(debounce(Duration::ZERO, &cancel).await.is_ok());
    }

    #[test]
    fn engine_errors_map_to_protocol_codes() {
        assert_eq!(
            to_rpc_error(engine::Error::Cancelled).code,
            ErrorCode::RequestCancelled
        );
        assert_eq!(
            to_rpc_error(engine::Error::InvalidInput("x".into())).code,
            ErrorCode::InvalidParams
        );
        assert_eq!(
            to_rpc_error(engine::Error::Model("oom".into())).code,
            ErrorCode::ServerError(-32803)
        );
    }
}
