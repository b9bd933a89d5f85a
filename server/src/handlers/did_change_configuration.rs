//! `workspace/didChangeConfiguration`: new settings apply to the next request; a different model is
//! loaded in the background, and completions are empty until it is ready; the workspace index is
//! switched on or off.

use std::sync::Arc;

use tower_lsp_server::ls_types::{DidChangeConfigurationParams, MessageType};

use crate::config::{self, Settings};
use crate::indexing;
use crate::loader;
use crate::session::Session;

pub async fn handle(session: Arc<Session>, params: DidChangeConfigurationParams) {
    let parsed = match Settings::parse(&params.settings) {
        Ok(parsed) => parsed,
        Err(error) => {
            let message = format!("{error}; keeping the previous settings");
            session
                .client
                .show_message(MessageType::ERROR, &message)
                .await;
            session
                .client
                .log_message(MessageType::ERROR, message)
                .await;
            return;
        }
    };
    if !parsed.unknown_keys.is_empty() {
        let message = format!(
            "qwen-lsp ignores unknown settings: {}",
            parsed.unknown_keys.join(", ")
        );
        session
            .client
            .log_message(MessageType::WARNING, message)
            .await;
    }
    let old = session.set_settings(parsed.settings.clone());
    if old.workspace_index != parsed.settings.workspace_index {
        tokio::spawn(indexing::setting_changed(Arc::clone(&session)));
    }
    if config::load_options(&session.cli, &old)
        != config::load_options(&session.cli, &parsed.settings)
    {
        loader::spawn_load(session);
    }
}
