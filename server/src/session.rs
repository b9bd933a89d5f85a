//! The server's state: open documents, the negotiated encoding, settings, the model, and the one
//! in-flight completion per document (a newer request cancels it).
//!
//! Everything sits behind one short-lived mutex that is never held across an `.await` or model work;
//! requests take a [`Snapshot`] and work on that.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use engine::actions::TestRunner;
use engine::{Backend, CancellationToken, Document, Language};
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{MessageType, TextDocumentContentChangeEvent};

use crate::config::{CliModel, Settings};
use crate::convert::{self, PositionEncoding};
use crate::task;

/// Where the model is.
#[derive(Clone)]
pub enum ModelState {
    /// `initialized` has not arrived yet.
    NotLoaded,
    Loading,
    Ready(Arc<dyn Backend>),
    /// Loading failed; every request that needs the model answers with this message.
    Failed(String),
}

/// An open document and its version.
#[derive(Clone, Debug)]
pub struct OpenDocument {
    pub version: i32,
    pub document: Document,
}

/// The state a request works on, copied out of the session so no lock is held while it runs.
#[derive(Clone)]
pub struct Snapshot {
    pub document: Document,
    pub version: i32,
    /// The other open documents (extra context for the prompt).
    pub others: Vec<Document>,
    pub encoding: PositionEncoding,
    pub settings: Settings,
    pub model: ModelState,
}

pub struct Session {
    pub client: Client,
    /// Model flags from the command line; they override the settings.
    pub cli: CliModel,
    inner: Mutex<Inner>,
    /// The sandbox for fixes' tests, opened on first use (see [`Session::test_runner`]).
    runner: tokio::sync::OnceCell<Option<Arc<dyn TestRunner>>>,
}

struct Inner {
    encoding: PositionEncoding,
    settings: Settings,
    /// Whether the client accepts `window/workDoneProgress/create`.
    supports_progress: bool,
    documents: HashMap<String, OpenDocument>,
    inflight: HashMap<String, (u64, CancellationToken)>,
    next_ticket: u64,
    model: ModelState,
    /// Bumped by each (re)load so that a slow, superseded load cannot overwrite a newer model.
    load_epoch: u64,
    /// Messages for the user found before the client can receive them (during `initialize`).
    deferred: Vec<(MessageType, String)>,
}

impl Session {
    pub fn new(client: Client, cli: CliModel) -> Session {
        Session {
            client,
            cli,
            inner: Mutex::new(Inner {
                encoding: PositionEncoding::default(),
                settings: Settings::default(),
                supports_progress: false,
                documents: HashMap::new(),
                inflight: HashMap::new(),
                next_ticket: 0,
                model: ModelState::NotLoaded,
                load_epoch: 0,
                deferred: Vec::new(),
            }),
            runner: tokio::sync::OnceCell::new(),
        }
    }

    /// The state lock. A panic while it was held (caught and answered as an error elsewhere) leaves the
    /// maps consistent (every mutation is a single insert or remove), so a poisoned lock is still usable.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn configure(&self, encoding: PositionEncoding, settings: Settings, supports_progress: bool) {
        let mut inner = self.lock();
        inner.encoding = encoding;
        inner.settings = settings;
        inner.supports_progress = supports_progress;
    }

    /// Keeps a message until `initialized`, when the client starts accepting them.
    pub fn defer_message(&self, kind: MessageType, message: String) {
        self.lock().deferred.push((kind, message));
    }

    pub fn take_deferred_messages(&self) -> Vec<(MessageType, String)> {
        std::mem::take(&mut self.lock().deferred)
    }

    pub fn settings(&self) -> Settings {
        self.lock().settings.clone()
    }

    /// Replaces the settings; returns the old ones.
    pub fn set_settings(&self, settings: Settings) -> Settings {
        std::mem::replace(&mut self.lock().settings, settings)
    }

    pub fn supports_progress(&self) -> bool {
        self.lock().supports_progress
    }

    pub fn open(&self, uri: &str, language_id: &str, version: i32, text: String) {
        let language = Language::from_id(language_id);
        let language = if language == Language::Other { language_from_path(uri) } else { language };
        let document = Document::new(uri, language, text);
        self.lock().documents.insert(uri.to_owned(), OpenDocument { version, document });
    }

    /// Applies content changes in order (each against the text the previous one left). On an invalid
    /// change the document is dropped, since every later change would apply to text the client does not
    /// have; the error says so.
    pub fn change(&self, uri: &str, version: i32, changes: Vec<TextDocumentContentChangeEvent>) -> Result<(), String> {
        let mut inner = self.lock();
        let encoding = inner.encoding;
        let Some(open) = inner.documents.get_mut(uri) else {
            return Err(format!("didChange for {uri}, which is not open"));
        };
        let mut failure = None;
        for change in changes {
            let applied = convert::text_edit(open.document.text(), change, encoding)
                .map_err(|e| e.to_string())
                .and_then(|edit| open.document.apply_edit(&edit).map_err(|e| e.to_string()));
            if let Err(message) = applied {
                failure = Some(message);
                break;
            }
        }
        open.version = version;
        if let Some(message) = failure {
            inner.documents.remove(uri);
            return Err(format!("cannot apply a change to {uri} ({message}); the document is closed until reopened"));
        }
        Ok(())
    }

    pub fn close(&self, uri: &str) {
        let mut inner = self.lock();
        inner.documents.remove(uri);
        if let Some((_, token)) = inner.inflight.remove(uri) {
            token.cancel();
        }
    }

    /// A copy of what a request on `uri` needs; `InvalidParams` when the document is not open.
    pub fn snapshot(&self, uri: &str) -> jsonrpc::Result<Snapshot> {
        let inner = self.lock();
        let Some(open) = inner.documents.get(uri) else {
            return Err(jsonrpc::Error::invalid_params(format!("document {uri} is not open")));
        };
        Ok(Snapshot {
            document: open.document.clone(),
            version: open.version,
            others: inner
                .documents
                .iter()
                .filter(|(u, _)| u.as_str() != uri)
                .map(|(_, o)| o.document.clone())
                .collect(),
            encoding: inner.encoding,
            settings: inner.settings.clone(),
            model: inner.model.clone(),
        })
    }

    /// Registers a completion request on `uri`, cancelling the one it supersedes. The returned guard
    /// cancels its token when dropped, which is what happens when tower-lsp drops the handler's future
    /// on `$/cancelRequest`: the decode loop sees it at the next token.
    pub fn begin_completion(self: &Arc<Session>, uri: &str) -> Inflight {
        let token = CancellationToken::new();
        let mut inner = self.lock();
        inner.next_ticket += 1;
        let ticket = inner.next_ticket;
        if let Some((_, older)) = inner.inflight.insert(uri.to_owned(), (ticket, token.clone())) {
            older.cancel();
        }
        Inflight { session: Arc::clone(self), uri: uri.to_owned(), ticket, token }
    }

    /// Cancels every in-flight completion (shutdown).
    pub fn cancel_all(&self) {
        for (_, (_, token)) in self.lock().inflight.drain() {
            token.cancel();
        }
    }

    /// Marks a new load as started; its epoch must be passed to [`Session::finish_load`].
    pub fn start_load(&self) -> u64 {
        let mut inner = self.lock();
        inner.load_epoch += 1;
        inner.model = ModelState::Loading;
        inner.load_epoch
    }

    /// Installs the outcome of load `epoch` unless a newer load started meanwhile.
    pub fn finish_load(&self, epoch: u64, model: ModelState) -> bool {
        let mut inner = self.lock();
        if inner.load_epoch != epoch {
            return false;
        }
        inner.model = model;
        true
    }

    /// The sandbox that runs a fix's tests, opened once on first use; `None` when it cannot be (no
    /// runtime installed), which is logged once and leaves fixes checked for syntax only.
    pub async fn test_runner(&self) -> Option<Arc<dyn TestRunner>> {
        let init = async {
            let why = match tokio::task::spawn_blocking(crate::test_runner::open).await {
                Ok(Ok(runner)) => return Some(runner),
                Ok(Err(error)) => error,
                Err(join) => join.to_string(),
            };
            let text = format!("qwen-lsp: fixes are checked for syntax only, the Python sandbox is unavailable: {why}");
            tracing::warn!("{text}");
            self.client.log_message(MessageType::WARNING, text).await;
            None
        };
        self.runner.get_or_init(|| init).await.clone()
    }
}

/// A registered in-flight completion. Dropping it cancels the token and unregisters it (unless a newer
/// request already replaced it).
pub struct Inflight {
    session: Arc<Session>,
    uri: String,
    ticket: u64,
    pub token: CancellationToken,
}

impl Drop for Inflight {
    fn drop(&mut self) {
        self.token.cancel();
        let mut inner = self.session.lock();
        if inner.inflight.get(&self.uri).is_some_and(|(ticket, _)| *ticket == self.ticket) {
            inner.inflight.remove(&self.uri);
        }
    }
}

/// The model a request can use: `Ok(None)` while loading (the request answers with an empty result),
/// an error after a failed load.
pub fn ready_model(state: &ModelState) -> jsonrpc::Result<Option<Arc<dyn Backend>>> {
    match state {
        ModelState::Ready(backend) => Ok(Some(Arc::clone(backend))),
        ModelState::NotLoaded | ModelState::Loading => Ok(None),
        ModelState::Failed(message) => Err(task::request_failed(format!("the model failed to load: {message}"))),
    }
}

/// The language of a document whose language id the engine does not know, from its extension.
fn language_from_path(uri: &str) -> Language {
    uri.rsplit_once('.').map_or(Language::Other, |(_, ext)| Language::from_id(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_before_the_model_is_ready_get_nothing_and_after_a_failure_an_error() {
        assert!(matches!(ready_model(&ModelState::NotLoaded), Ok(None)));
        assert!(matches!(ready_model(&ModelState::Loading), Ok(None)));
        let error = ready_model(&ModelState::Failed("no such file".into())).err().expect("an error");
        assert_eq!(error.message, "the model failed to load: no such file");
    }

    #[test]
    fn languages_come_from_the_extension_when_the_id_is_unknown() {
        assert_eq!(language_from_path("file:///a/b.py"), Language::Python);
        assert_eq!(language_from_path("file:///A.java"), Language::Java);
        assert_eq!(language_from_path("file:///Makefile"), Language::Other);
    }
}
