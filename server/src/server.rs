//! The language server: wires each LSP method to its handler in `handlers/`, with every request run
//! under a panic guard, and serves it on stdio through the checking [`transport`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionParams, CodeActionResponse, CompletionParams, CompletionResponse,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    InitializeParams, InitializeResult, InitializedParams, InlineCompletionParams,
    InlineCompletionResponse, MessageType,
};
use tower_lsp_server::{LanguageServer, LspService};

use crate::checks;
use crate::config::CliModel;
use crate::diagnostics::Trigger;
use crate::handlers;
use crate::session::Session;
use crate::task::{guarded, guarded_async_notification, guarded_notification};
use crate::transport;

/// The LSP method of inline completion (3.18), which tower-lsp's trait does not have yet.
const INLINE_COMPLETION: &str = "textDocument/inlineCompletion";

/// Requests handled at once. Each in-flight generation holds one slot until it finishes or is
/// cancelled, and tower-lsp's default of 4 would let a few slow generations starve `$/cancelRequest`
/// and document edits queued behind them.
const CONCURRENCY: usize = 64;

/// Debug builds only: a request whose handler panics, so the end-to-end tests can check that a panic
/// becomes an error response and the server keeps serving.
#[cfg(debug_assertions)]
const DEBUG_PANIC: &str = "qwen-lsp/debugPanic";

/// Debug builds only: holds or releases background parses; lists unparsed documents and counts model
/// turns (`Session::debug_state`), so the end-to-end tests can see what requests wait for.
#[cfg(debug_assertions)]
const DEBUG_STATE: &str = "qwen-lsp/debugState";

pub struct Server {
    session: Arc<Session>,
    shutdown_requested: Arc<AtomicBool>,
}

/// How the session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown`, then `exit` (or the end of input).
    Clean,
    /// `exit` or the end of input without `shutdown`: the protocol asks for exit status 1.
    WithoutShutdown,
}

/// Serves on stdin/stdout until `exit` (or until stdin closes).
pub async fn serve_stdio(cli: CliModel) -> Ending {
    let shutdown_requested = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&shutdown_requested);
    let builder = LspService::build(|client| Server {
        session: Arc::new(Session::new(client, cli)),
        shutdown_requested: flag,
    })
    .custom_method(INLINE_COMPLETION, Server::inline_completion)
    .custom_method(handlers::status::METHOD, Server::status)
    .custom_method(handlers::did_focus::METHOD, Server::did_focus);
    #[cfg(debug_assertions)]
    let builder = builder
        .custom_method(DEBUG_PANIC, Server::debug_panic)
        .custom_method(DEBUG_STATE, Server::debug_state);
    let (service, socket) = builder.finish();
    transport::serve(
        tokio::io::stdin(),
        tokio::io::stdout(),
        service,
        socket,
        CONCURRENCY,
    )
    .await;
    if shutdown_requested.load(Ordering::SeqCst) {
        Ending::Clean
    } else {
        Ending::WithoutShutdown
    }
}

impl Server {
    async fn inline_completion(
        &self,
        params: InlineCompletionParams,
    ) -> Result<Option<InlineCompletionResponse>> {
        guarded(
            INLINE_COMPLETION,
            handlers::inline_completion::handle(&self.session, params),
        )
        .await
    }

    async fn did_focus(&self, params: handlers::did_focus::DidFocusParams) {
        guarded_notification(handlers::did_focus::METHOD, || {
            handlers::did_focus::handle(&self.session, params)
        });
    }

    async fn status(&self) -> Result<handlers::status::Status> {
        Ok(handlers::status::handle(&self.session))
    }

    #[cfg(debug_assertions)]
    async fn debug_panic(&self) -> Result<()> {
        guarded(DEBUG_PANIC, async { panic!("{DEBUG_PANIC} was called") }).await
    }

    #[cfg(debug_assertions)]
    async fn debug_state(
        &self,
        params: crate::session::DebugStateParams,
    ) -> Result<crate::session::DebugState> {
        Ok(self.session.debug_state(params.hold_parses))
    }

    /// Logs a notification handler's failure where the user can see it (a notification has no response),
    /// and shows its news (a document too large for a syntax tree).
    async fn report(&self, method: &str, outcome: std::result::Result<Option<String>, String>) {
        match outcome {
            Ok(None) => {}
            Ok(Some(news)) => {
                tracing::info!("{method}: {news}");
                self.session
                    .client
                    .show_message(MessageType::INFO, news)
                    .await;
            }
            Err(message) => {
                tracing::warn!("{method}: {message}");
                self.session
                    .client
                    .log_message(MessageType::WARNING, format!("qwen-lsp: {message}"))
                    .await;
            }
        }
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        guarded("initialize", async {
            handlers::initialize::handle(&self.session, params)
        })
        .await
    }

    async fn initialized(&self, _: InitializedParams) {
        guarded_async_notification(
            "initialized",
            handlers::initialized::handle(Arc::clone(&self.session)),
        )
        .await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown_requested.store(true, Ordering::SeqCst);
        self.session.cancel_all();
        Ok(())
    }

    // The sync notifications are handled synchronously before their future first yields, so they apply
    // in the order they arrived even though tower-lsp polls futures concurrently.
    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let uri = params.text_document.uri.clone();
        let mut news = None;
        guarded_notification("textDocument/didOpen", || {
            news = handlers::did_open::handle(&self.session, params)
        });
        checks::schedule(&self.session, &uri, Trigger::Open);
        crate::warming::schedule(&self.session, uri.as_str(), None);
        self.report("textDocument/didOpen", Ok(news)).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let mut outcome = Ok(None);
        let uri = params.text_document.uri.clone();
        guarded_notification("textDocument/didChange", || {
            outcome = handlers::did_change::handle(&self.session, params)
        });
        checks::schedule(&self.session, &uri, Trigger::Change);
        self.report("textDocument/didChange", outcome).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri.clone();
        guarded_notification("textDocument/didClose", || {
            handlers::did_close::handle(&self.session, params)
        });
        checks::close(&self.session, uri).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        guarded_notification("textDocument/didSave", || {
            handlers::did_save::handle(&self.session, params)
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let handler = || handlers::did_change_watched_files::handle(&self.session, params);
        guarded_notification("workspace/didChangeWatchedFiles", handler);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let handler = handlers::did_change_configuration::handle(Arc::clone(&self.session), params);
        guarded_async_notification("workspace/didChangeConfiguration", handler).await;
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        guarded(
            "textDocument/completion",
            handlers::completion::handle(&self.session, params),
        )
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guarded(
            "textDocument/codeAction",
            handlers::code_action::handle(&self.session, params),
        )
        .await
    }

    async fn code_action_resolve(&self, params: CodeAction) -> Result<CodeAction> {
        guarded(
            "codeAction/resolve",
            handlers::code_action_resolve::handle(&self.session, params),
        )
        .await
    }
}
