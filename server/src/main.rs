//! `qwen-lsp`: the language server (stdio) and its command-line tools. One glue binary: argument parsing
//! here, the work in `engine` and the LSP modules.
//!
//! Architecture invariant: this crate is the only one that knows LSP, JSON-RPC and tower-lsp; it
//! converts protocol types to the engine's plain types (`convert`) and back.

mod checks;
mod cli;
mod config;
mod convert;
mod diagnostics;
mod generate;
mod handlers;
mod http;
mod indexing;
mod loader;
mod server;
mod session;
mod shown;
mod task;
mod test_runner;
mod transport;
mod warming;
mod workspace;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "qwen-lsp",
    version,
    about = "Inline code completions and fixes from Qwen models, run locally"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// `qwen-lsp` without a subcommand serves, with these flags.
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the language server on stdio (the default).
    Serve(ServeArgs),
    /// Generate a completion for a prompt file and print it.
    Generate(generate::GenerateArgs),
    /// Serve a model over an OpenAI-compatible HTTP API (loopback by default).
    ServeHttp(http::ServeHttpArgs),
}

#[derive(Args, Debug, Clone, Default)]
struct ServeArgs {
    /// The model: a Hugging Face hub id, a local HF directory, a .gguf file (local, or a hub
    /// repository's as `org/name/file.gguf`), or an OpenAI-compatible server as
    /// `http://host:port/v1#model-name` (the key in $QWEN_LSP_REMOTE_API_KEY). Overrides the
    /// editor's `model` setting; without either, the server loads Qwen/Qwen2.5-Coder-1.5B.
    #[arg(long, env = "QWEN_LSP_MODEL")]
    model: Option<String>,
    /// Weight flags; each overrides the editor's setting of the same name (`--lora` the whole list).
    #[command(flatten)]
    weights: cli::WeightOptions,
    /// Accepted and ignored: stdio is the only transport, and some clients (vscode-languageclient's
    /// stdio transport among them) always pass `--stdio`.
    #[arg(long, hide = true)]
    stdio: bool,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let weights = match &cli.command {
        None => &cli.serve.weights,
        Some(Command::Serve(args)) => &args.weights,
        Some(Command::Generate(args)) => &args.weights,
        Some(Command::ServeHttp(args)) => &args.weights,
    };
    match weights.threads() {
        // Before anything starts a thread (see `engine::threads::configure`).
        Ok(threads) => {
            engine::threads::configure(threads);
        }
        Err(e) => return fail(&e),
    }
    let result = match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Generate(args)) => generate::run(args),
        Some(Command::ServeHttp(args)) => http::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(e: &anyhow::Error) -> std::process::ExitCode {
    eprintln!("error: {e:#}");
    std::process::ExitCode::FAILURE
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let ServeArgs {
        model,
        weights,
        stdio: _,
    } = args;
    let cli = config::CliModel { model, weights };
    // A --model on the command line is checked with the flags before serving; one from the settings
    // is checked (with the settings) when it loads, and a mismatch is shown in the editor.
    if cli.model.is_some() {
        let spec = engine::remote::BackendSpec::new(config::load_options(
            &cli,
            &config::Settings::default(),
        ))?;
        cli.weights.check_threads(&spec)?;
    }
    // Stdout carries the protocol; logs go to stderr, which editors show in their LSP log.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("QWEN_LSP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let ending = runtime.block_on(server::serve_stdio(cli));
    // A generation cancelled by `exit` may still be finishing its current token; don't wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match ending {
        server::Ending::Clean => Ok(()),
        server::Ending::WithoutShutdown => {
            anyhow::bail!("the client ended the session without `shutdown`")
        }
    }
}
