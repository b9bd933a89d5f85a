//! `initialize`: negotiate the position encoding, read `initializationOptions` and the workspace
//! folders, advertise capabilities.

use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    InitializeParams, InitializeResult, MessageType, OneOf, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions,
};

use crate::config::Settings;
use crate::convert::PositionEncoding;
use crate::session::Session;

pub fn handle(session: &Session, params: InitializeParams) -> jsonrpc::Result<InitializeResult> {
    let capabilities = &params.capabilities;
    let encoding = PositionEncoding::negotiate(
        capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let supports_progress = capabilities
        .window
        .as_ref()
        .and_then(|w| w.work_done_progress)
        .unwrap_or(false);
    let supports_inline = capabilities
        .text_document
        .as_ref()
        .is_some_and(|t| t.inline_completion.is_some());

    // Bad settings must not stop the editor from starting the server: keep the defaults and say why.
    let options = params.initialization_options.clone().unwrap_or_default();
    let settings = match Settings::parse(&options) {
        Ok(parsed) => {
            report_unknown_keys(session, &parsed.unknown_keys);
            parsed.settings
        }
        Err(error) => {
            session.defer_message(MessageType::ERROR, format!("{error}; using the defaults"));
            Settings::default()
        }
    };
    session.configure(encoding, settings, supports_progress);
    session.workspace.configure(&params);

    Ok(InitializeResult {
        capabilities: capabilities_for(encoding, supports_inline),
        server_info: Some(server_info()),
        offset_encoding: None,
    })
}

pub fn report_unknown_keys(session: &Session, keys: &[String]) {
    if !keys.is_empty() {
        session.defer_message(
            MessageType::WARNING,
            format!("qwen-lsp ignores unknown settings: {}", keys.join(", ")),
        );
    }
}

/// The completion provider is the fallback for clients without inline completion only: a client with
/// both would ask for the same suggestion twice, and the two requests would supersede each other.
pub fn capabilities_for(
    encoding: PositionEncoding,
    client_has_inline_completion: bool,
) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                // Saved files are re-read into the workspace index, and their tests run (`crate::diagnostics`).
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        inline_completion_provider: Some(OneOf::Left(true)),
        completion_provider: (!client_has_inline_completion).then(CompletionOptions::default),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::REFACTOR_REWRITE,
            ]),
            resolve_provider: Some(true),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

fn server_info() -> ServerInfo {
    ServerInfo {
        name: "qwen-lsp".to_owned(),
        version: Some(env!("CARGO_PKG_VERSION").to_owned()),
    }
}
