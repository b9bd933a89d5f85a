//! `serve-http`'s routes: authentication, request accounting, and the generation handlers that run the
//! engine on blocking threads and stream its text back as server-sent events.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use engine::{Backend, CancellationToken, Generation};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc};

use super::api::{self, BadRequest, ChatRequest, CompletionRequest, Job, Kind};
use super::metrics::Metrics;

pub struct AppState {
    backend: Arc<dyn Backend>,
    model_name: String,
    api_key: Option<String>,
    metrics: Metrics,
    slots: Semaphore,
    max_queue: usize,
    created: u64,
    next_id: AtomicU64,
    /// Cancelled at shutdown; every generation's token is a child of it.
    pub shutdown: CancellationToken,
}

impl AppState {
    pub fn new(
        backend: Arc<dyn Backend>,
        model_name: String,
        api_key: Option<String>,
        parallel: usize,
        max_queue: usize,
    ) -> Arc<AppState> {
        Arc::new(AppState {
            backend,
            model_name,
            api_key,
            metrics: Metrics::default(),
            slots: Semaphore::new(parallel),
            max_queue,
            created: unix_now(),
            next_id: AtomicU64::new(1),
            shutdown: CancellationToken::new(),
        })
    }
}

pub fn router(state: Arc<AppState>, max_body_bytes: usize) -> Router {
    let protected = Router::new()
        .route("/v1/completions", post(completions))
        .route("/v1/chat/completions", post(chat_completions))
        .route("/v1/models", get(models))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate));
    Router::new()
        .route("/health", get(health))
        .merge(protected)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .with_state(state)
}

/// An OpenAI-style JSON error response.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let kind = match status.as_u16() {
        401 => "authentication_error",
        404 => "not_found_error",
        413 => "request_too_large",
        503 => "server_busy",
        400..=499 => "invalid_request_error",
        _ => "server_error",
    };
    (status, Json(api::error_body(&message.into(), kind))).into_response()
}

fn engine_error(e: &engine::Error) -> Response {
    let status = match e {
        engine::Error::InvalidInput(_) | engine::Error::PromptTooLong { .. } => {
            StatusCode::BAD_REQUEST
        }
        engine::Error::Backend(_) => StatusCode::BAD_GATEWAY,
        engine::Error::Cancelled => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error(status, e.to_string())
}

fn rejection(e: JsonRejection) -> Response {
    // axum says 422 for JSON that does not fit the schema and 415 for a missing content type; OpenAI
    // clients expect 400 for any bad body, except a body over the limit.
    let status = match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    error(status, e.body_text())
}

async fn authenticate(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(key) = &state.api_key {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !constant_time_eq(given.as_bytes(), key.as_bytes()) {
            let mut response = error(
                StatusCode::UNAUTHORIZED,
                "missing or wrong API key (Authorization: Bearer <key>)",
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    }
    next.run(request).await
}

/// Compares without an early exit, so response timing does not reveal how much of a key was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn count_requests(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    // Known paths only, so that scanners probing random URLs cannot grow the label set.
    const KNOWN: [&str; 5] = [
        "/v1/completions",
        "/v1/chat/completions",
        "/v1/models",
        "/health",
        "/metrics",
    ];
    let path = KNOWN
        .into_iter()
        .find(|p| *p == request.uri().path())
        .unwrap_or("other");
    let response = next.run(request).await;
    state.metrics.request(path, response.status().as_u16());
    response
}

async fn not_found(request: Request) -> Response {
    error(
        StatusCode::NOT_FOUND,
        format!("no route for {} {}", request.method(), request.uri().path()),
    )
}

async fn health(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({"status": "ok", "model": state.model_name}))
}

async fn models(State(state): State<Arc<AppState>>) -> Json<Value> {
    let info = state.backend.info();
    Json(json!({
        "object": "list",
        "data": [{
            "id": state.model_name,
            "object": "model",
            "created": state.created,
            "owned_by": "qwen-lsp",
            "max_model_len": info.context_length,
        }],
    }))
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

async fn completions(
    State(state): State<Arc<AppState>>,
    body: Result<Json<CompletionRequest>, JsonRejection>,
) -> Response {
    let request = match body {
        Ok(Json(request)) => request,
        Err(e) => return rejection(e),
    };
    match request.into_job(&state.backend.info().special) {
        Ok(job) => generate(state, Kind::Completion, job).await,
        Err(BadRequest(message)) => error(StatusCode::BAD_REQUEST, message),
    }
}

async fn chat_completions(
    State(state): State<Arc<AppState>>,
    body: Result<Json<ChatRequest>, JsonRejection>,
) -> Response {
    let request = match body {
        Ok(Json(request)) => request,
        Err(e) => return rejection(e),
    };
    match request.into_job() {
        Ok(job) => generate(state, Kind::Chat, job).await,
        Err(BadRequest(message)) => error(StatusCode::BAD_REQUEST, message),
    }
}

/// What a generation task reports to the handler.
enum Message {
    Text(String),
    Finished(engine::Result<Generation>),
}

async fn generate(state: Arc<AppState>, kind: Kind, job: Job) -> Response {
    // In flight counts queued and running generations; beyond the queue limit, refuse instead of
    // piling up requests whose clients will have given up by the time their turn comes.
    if state.slots.available_permits() == 0
        && state.metrics.in_flight_count() >= state.max_queue as u64
    {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many queued requests; retry later",
        );
    }
    let prefix = if kind == Kind::Chat {
        "chatcmpl"
    } else {
        "cmpl"
    };
    let id = format!("{prefix}-{}", state.next_id.fetch_add(1, Ordering::Relaxed));
    let created = unix_now();
    let cancel = state.shutdown.child_token();
    // Cancels the generation if this handler is dropped: hyper drops it when the client disconnects
    // before the response starts; once streaming, the body stream holds its own guard.
    let guard = cancel.clone().drop_guard();
    let (tx, mut rx) = mpsc::channel::<Message>(256);
    let Job {
        prompt,
        params,
        stream,
        return_token_ids,
    } = job;
    let task_state = state.clone();
    let streaming_tx = stream.then(|| tx.clone());
    let task_cancel = cancel.clone();
    tokio::spawn(async move {
        let result = run_generation(&task_state, prompt, params, task_cancel, streaming_tx).await;
        let _ = tx.send(Message::Finished(result)).await;
    });

    if !stream {
        let result = match rx.recv().await {
            Some(Message::Finished(result)) => result,
            _ => Err(engine::Error::Model(
                "the generation task ended without a result".into(),
            )),
        };
        guard.disarm();
        return match result {
            Ok(g) => Json(api::response(
                kind,
                &id,
                created,
                &state.model_name,
                &g,
                return_token_ids,
            ))
            .into_response(),
            Err(e) => engine_error(&e),
        };
    }

    // Wait for the first message before answering, so that errors found before any text (a prompt
    // longer than the context, a failed model) still get a proper status code.
    let first = match rx.recv().await {
        Some(Message::Finished(Err(e))) => return engine_error(&e),
        Some(first) => first,
        None => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the generation task ended without a result",
            );
        }
    };
    let model = state.model_name.clone();
    let body = futures_util::stream::unfold(
        (Some(first), rx, Some(guard), false),
        move |(pending, mut rx, guard, done)| {
            let (id, model) = (id.clone(), model.clone());
            async move {
                if done {
                    // The generation is over; nothing is left to cancel.
                    guard.map(|g| g.disarm());
                    return None;
                }
                let message = match pending {
                    Some(m) => Some(m),
                    None => rx.recv().await,
                };
                let (frame, done) = match message? {
                    Message::Text(text) => (
                        format!(
                            "data: {}\n\n",
                            api::chunk(kind, &id, created, &model, &text, None)
                        ),
                        false,
                    ),
                    Message::Finished(Ok(g)) => {
                        let ids = return_token_ids.then_some(&g);
                        let mut last =
                            api::chunk(kind, &id, created, &model, "", Some((&g.finish, ids)));
                        last["usage"] = api::usage(&g);
                        (format!("data: {last}\n\ndata: [DONE]\n\n"), true)
                    }
                    Message::Finished(Err(e)) => {
                        let body = api::error_body(&e.to_string(), "server_error");
                        (format!("data: {body}\n\ndata: [DONE]\n\n"), true)
                    }
                };
                Some((
                    Ok::<_, std::convert::Infallible>(Bytes::from(frame)),
                    (None, rx, guard, done),
                ))
            }
        },
    );
    let mut response = Body::from_stream(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Waits for a slot, then generates on a blocking thread. Text goes to `stream` as it decodes; a
/// closed stream (the client went away) cancels the generation.
async fn run_generation(
    state: &Arc<AppState>,
    prompt: engine::Prompt,
    params: engine::SamplingParams,
    cancel: CancellationToken,
    stream: Option<mpsc::Sender<Message>>,
) -> engine::Result<Generation> {
    let started = Instant::now();
    let _in_flight = state.metrics.in_flight();
    let _slot = tokio::select! {
        slot = state.slots.acquire() => slot.map_err(|_| engine::Error::Cancelled)?,
        _ = cancel.cancelled() => {
            state.metrics.cancelled();
            return Err(engine::Error::Cancelled);
        }
    };
    let backend = state.backend.clone();
    let worker_cancel = cancel.clone();
    let result = tokio::task::spawn_blocking(move || {
        let mut on_text = |text: &str| {
            if let Some(tx) = &stream
                && tx.blocking_send(Message::Text(text.to_string())).is_err()
            {
                worker_cancel.cancel();
            }
        };
        backend.generate(&prompt, &params, &worker_cancel, &mut on_text)
    })
    .await
    .unwrap_or_else(|join| Err(engine::Error::Model(format!("generation crashed: {join}"))));
    match &result {
        Ok(g) => state.metrics.generation(
            g.prompt_token_ids.len(),
            g.token_ids.len(),
            started.elapsed(),
        ),
        Err(engine::Error::Cancelled) => state.metrics.cancelled(),
        Err(_) => {}
    }
    result
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_whole_keys() {
        assert!(constant_time_eq(b"secret-key", b"secret-key"));
        assert!(!constant_time_eq(b"secret-kez", b"secret-key"));
        assert!(!constant_time_eq(b"secret", b"secret-key"));
    }
}
