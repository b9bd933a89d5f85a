//! `initialized`: tell the user what `initialize` found wrong, then load the model and index the
//! workspace in the background.

use std::sync::Arc;

use tower_lsp_server::ls_types::MessageType;

use crate::indexing;
use crate::loader;
use crate::session::Session;

pub async fn handle(session: Arc<Session>) {
    for (kind, message) in session.take_deferred_messages() {
        if kind == MessageType::ERROR {
            session.client.show_message(kind, &message).await;
        }
        session.client.log_message(kind, message).await;
    }
    loader::spawn_load(Arc::clone(&session));
    // In its own task: registering the file watchers waits for the client's answer.
    tokio::spawn(indexing::start(session));
}
