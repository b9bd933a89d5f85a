//! `qwen-lsp serve-http`: a model behind an OpenAI-compatible HTTP API (`/v1/completions`,
//! `/v1/chat/completions`, `/v1/models`, `/health`, `/metrics`), so that a team can share one GPU box and
//! every OpenAI-compatible client, including another qwen-lsp's remote backend, can use it.
//!
//! Binds to loopback unless told otherwise. Generation runs on blocking threads, one at a time per
//! model by default, and stops when the client disconnects or the server shuts down.

mod api;
mod metrics;
mod routes;

use std::net::IpAddr;
use std::sync::Arc;

use anyhow::Context;
use engine::Backend;

/// Arguments of `qwen-lsp serve-http`.
#[derive(clap::Args, Debug)]
pub struct ServeHttpArgs {
    /// The model: a Hugging Face hub id, a local HF directory, a .gguf file (local, or a hub
    /// repository's as `org/name/file.gguf`), or another OpenAI-compatible server as
    /// `http://host:port/v1#model-name` (this server then relays to it, sending the key in
    /// $QWEN_LSP_REMOTE_API_KEY).
    #[arg(long, env = "QWEN_LSP_MODEL")]
    model: String,
    #[command(flatten)]
    pub(crate) weights: crate::cli::WeightOptions,
    /// Address to bind. The default serves this machine only; anything else exposes the model to the
    /// network, so pair it with --api-key.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to bind; 0 picks a free one (the chosen address is printed on stderr).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Require `Authorization: Bearer <KEY>` on /v1/* and /metrics.
    #[arg(long, env = "QWEN_LSP_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// The model name reported by /v1/models and in responses (default: --model).
    #[arg(long)]
    served_model_name: Option<String>,
    /// Largest request body accepted, in bytes; larger ones get a 413.
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    max_body_bytes: usize,
    /// Generations that run at once. The local engine runs one at a time (it owns one KV cache); a
    /// relayed remote server may take more.
    #[arg(long, default_value_t = 1)]
    parallel: usize,
    /// Generations allowed to wait for a free slot; beyond that requests get a 503.
    #[arg(long, default_value_t = 64)]
    max_queue: usize,
}

pub fn run(args: ServeHttpArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("QWEN_LSP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    anyhow::ensure!(args.parallel >= 1, "--parallel must be at least 1");
    if !args.host.is_loopback() && args.api_key.is_none() {
        tracing::warn!(
            "serving on {} without --api-key: anyone who can reach this port can use the model",
            args.host
        );
    }
    let backend = load(&args)?;
    let served = args
        .served_model_name
        .clone()
        .unwrap_or_else(|| args.model.clone());
    let state = routes::AppState::new(
        backend,
        served,
        args.api_key.clone(),
        args.parallel,
        args.max_queue,
    );
    let app = routes::router(state.clone(), args.max_body_bytes);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((args.host, args.port))
            .await
            .with_context(|| format!("cannot bind {}:{}", args.host, args.port))?;
        let addr = listener.local_addr()?;
        // Tests and scripts read this line to find a port chosen with --port 0.
        eprintln!("qwen-lsp serve-http: listening on http://{addr}");
        let shutdown = state.shutdown.clone();
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown_signal().await;
                tracing::info!("shutting down: cancelling running generations");
                shutdown.cancel();
            })
            .await
            .context("HTTP server failed")
    })?;
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(())
}

fn load(args: &ServeHttpArgs) -> anyhow::Result<Arc<dyn Backend>> {
    let spec =
        engine::remote::BackendSpec::new(args.weights.load_options(args.model.clone(), false))?;
    args.weights.check_threads(&spec)?;
    let started = std::time::Instant::now();
    let backend = spec.open()?;
    tracing::info!(
        "loaded {} in {:.1} s",
        args.model,
        started.elapsed().as_secs_f64()
    );
    Ok(backend)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
