//! The server's state: open documents, the negotiated encoding, settings, the model, and the one
//! in-flight completion per document (a newer request cancels it).
//!
//! Everything sits behind one short-lived mutex that is never held across an `.await`, model work or
//! a parse; requests take a [`Snapshot`] and work on that. Snapshots are cheap: documents are ropes
//! with shared trees, so taking one copies no text, whatever the size of the open documents.
//!
//! Nothing on tower-lsp's message loop parses. `didOpen` and `didChange` update the text (O(edit), in
//! the order the notifications arrive) and leave the syntax tree to a background task per document
//! that parses the newest version on the blocking pool, one parse at a time, each incremental from the
//! last. A request always sees the newest text; the tree may lag it. Who waits for what:
//! - a request on a document that needs its tree gets the tree of its snapshot's version on the
//!   blocking pool ([`parsed`], before any model turn): made already, being made by the background
//!   task (it waits for that parse), or made there and then, incrementally. It never reads a tree of
//!   another version of its own document;
//! - context from the other open documents is their newest version with a tree, which may lag their
//!   text by the edits since: a request never waits for, or parses, another document;
//! - the diagnostics wait for the background parse ([`Session::background_tree`]) and are dropped
//!   when the document changes first.
//!
//! Model requests take a turn ([`Session::model_turn`]) before they build a prompt: at most
//! [`MODEL_REQUESTS`] run at once and at most [`WAITING_REQUESTS`] wait, so the memory that requests
//! hold (windows, prompts, caches) is bounded however many the client sends.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use engine::actions::TestRunner;
use engine::{Backend, CancellationToken, Document, Language};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{MessageType, NumberOrString, TextDocumentContentChangeEvent};

use crate::config::{CliModel, Settings};
use crate::convert::{self, PositionEncoding};
use crate::task;

/// Model requests (completions, resolved code actions) that run at once; the others wait their turn.
pub const MODEL_REQUESTS: usize = 4;

/// Model requests that may wait for a turn; more are refused at once ("busy"), so a flood of requests
/// cannot pile up snapshots. Each waiting request also holds one of the handlers tower-lsp runs at once
/// (`server::CONCURRENCY`, 64): running and waiting model requests together must leave enough of them
/// for edits, cancellations and requests on other documents, or those would queue behind the model.
pub const WAITING_REQUESTS: usize = 32;

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
    /// The newest version the background parse has finished (with its outline), while `document`
    /// has no tree yet: what other documents' requests read for context, rather than wait.
    parsed: Option<Document>,
    /// Cleared when the document is closed or reopened: its background parse stops.
    open: Arc<AtomicBool>,
}

impl OpenDocument {
    fn new(version: i32, document: Document) -> OpenDocument {
        OpenDocument {
            version,
            document,
            parsed: None,
            open: Arc::new(AtomicBool::new(true)),
        }
    }

    /// The newest version with a tree, if any: context for requests on other documents.
    fn newest_parsed(&self) -> Option<&Document> {
        if self.document.is_parsed() {
            Some(&self.document)
        } else {
            self.parsed.as_ref()
        }
    }
}

/// The state a request works on, taken from the session (cheap clones) so no lock is held while it runs.
#[derive(Clone)]
pub struct Snapshot {
    pub document: Document,
    pub version: i32,
    /// The other open documents (extra context for the prompt), less large ones, which have no outline.
    /// Each is its newest version with a tree, which may lag its text (see [`OpenDocument`]): context
    /// from another file never waits for that file's parse.
    pub others: Vec<Document>,
    pub encoding: PositionEncoding,
    pub settings: Settings,
    pub model: ModelState,
    pub workspace: Arc<engine::workspace::SharedIndex>,
}

pub struct Session {
    pub client: Client,
    /// Model flags from the command line; they override the settings.
    pub cli: CliModel,
    inner: Mutex<Inner>,
    /// The sandbox for fixes' tests, opened on first use (see [`Session::test_runner`]).
    runner: tokio::sync::OnceCell<Option<Arc<dyn TestRunner>>>,
    /// The index of the workspace's files, for context from files that are not open.
    pub workspace: crate::workspace::Workspace,
    /// The server's own diagnostics per document (see `crate::diagnostics`).
    pub diagnostics: crate::diagnostics::Diagnostics,
    /// The suggestion last shown per document, for typing through it.
    pub shown: crate::shown::ShownSuggestions,
    model_turns: Arc<Semaphore>,
    waiting: AtomicUsize,
    /// Bumped when a background parse ends and when a document changes or closes: wakes
    /// [`Session::background_tree`]'s waiters.
    parses: tokio::sync::watch::Sender<u64>,
    /// Debug builds only: `true` holds background parses (see [`Session::debug_state`]).
    #[cfg(debug_assertions)]
    parse_hold: tokio::sync::watch::Sender<bool>,
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
    /// Large documents the user has been told about (once each).
    told_large: HashSet<String>,
    /// Documents whose background parse task runs (one per document).
    parsing: HashSet<String>,
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
                told_large: HashSet::new(),
                parsing: HashSet::new(),
            }),
            runner: tokio::sync::OnceCell::new(),
            workspace: crate::workspace::Workspace::default(),
            diagnostics: crate::diagnostics::Diagnostics::default(),
            shown: crate::shown::ShownSuggestions::default(),
            model_turns: Arc::new(Semaphore::new(MODEL_REQUESTS)),
            waiting: AtomicUsize::new(0),
            parses: tokio::sync::watch::channel(0).0,
            #[cfg(debug_assertions)]
            parse_hold: tokio::sync::watch::channel(false).0,
        }
    }

    /// The state lock. A panic while it was held (caught and answered as an error elsewhere) leaves the
    /// maps consistent (every mutation is a single insert or remove), so a poisoned lock is still usable.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn configure(
        &self,
        encoding: PositionEncoding,
        settings: Settings,
        supports_progress: bool,
    ) {
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
        self.shown.clear();
        std::mem::replace(&mut self.lock().settings, settings)
    }

    pub fn model_state(&self) -> ModelState {
        self.lock().model.clone()
    }

    pub fn supports_progress(&self) -> bool {
        self.lock().supports_progress
    }

    /// A `window/workDoneProgress` token named `token` that the client accepted; `None` when it
    /// cannot show progress or refuses one (then the work goes on without).
    pub async fn progress_token(&self, token: String) -> Option<NumberOrString> {
        if !self.supports_progress() {
            return None;
        }
        let token = NumberOrString::String(token);
        if let Err(error) = self.client.create_work_done_progress(token.clone()).await {
            tracing::warn!("the client refused a progress token: {error}");
            return None;
        }
        Some(token)
    }

    /// Opens a document; its tree is made in the background. Returns the message to show the user when
    /// the document is too large for a syntax tree, the first time that happens to it.
    pub fn open(
        self: &Arc<Session>,
        uri: &str,
        language_id: &str,
        version: i32,
        text: String,
    ) -> Option<String> {
        let language = Language::from_id(language_id);
        let language = if language == Language::Other {
            language_from_path(uri)
        } else {
            language
        };
        let limit = self.lock().settings.large_file_bytes();
        let document = Document::unparsed(uri, language, text, limit);
        let mut inner = self.lock();
        let told = inner.tell_if_large(&document);
        if let Some(reopened) = inner
            .documents
            .insert(uri.to_owned(), OpenDocument::new(version, document))
        {
            reopened.open.store(false, Ordering::SeqCst);
        }
        self.parse_in_background(&mut inner, uri);
        drop(inner);
        self.parses.send_modify(|n| *n += 1);
        told
    }

    /// Applies content changes in order (each against the text the previous one left). On an invalid
    /// change the document is dropped, since every later change would apply to text the client does not
    /// have; the error says so. The edits are applied to a (cheap) copy outside the lock, O(edit) each;
    /// the new version's tree is made in the background. `Ok(Some(message))`: the document just became
    /// too large for a syntax tree.
    pub fn change(
        self: &Arc<Session>,
        uri: &str,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> Result<Option<String>, String> {
        let (encoding, mut document) = {
            let inner = self.lock();
            let Some(open) = inner.documents.get(uri) else {
                return Err(format!("didChange for {}, which is not open", shorten(uri)));
            };
            (inner.encoding, open.document.clone())
        };
        let mut failure = None;
        for change in changes {
            let applied = convert::text_edit_in(&document, change, encoding)
                .map_err(|e| e.to_string())
                .and_then(|edit| document.apply_edit(&edit).map_err(|e| e.to_string()));
            if let Err(message) = applied {
                failure = Some(message);
                break;
            }
        }
        let mut inner = self.lock();
        if let Some(message) = failure {
            if let Some(closed) = inner.documents.remove(uri) {
                closed.open.store(false, Ordering::SeqCst);
            }
            drop(inner);
            self.parses.send_modify(|n| *n += 1);
            return Err(format!(
                "cannot apply a change to {} ({message}); the document is closed until reopened",
                shorten(uri)
            ));
        }
        let told = inner.tell_if_large(&document);
        // Changes arrive one at a time (notifications are handled in order), so nothing replaced the
        // document meanwhile unless it was closed: then it stays closed.
        if let Some(open) = inner.documents.get_mut(uri) {
            open.version = version;
            open.document = document;
        }
        self.parse_in_background(&mut inner, uri);
        drop(inner);
        self.parses.send_modify(|n| *n += 1);
        Ok(told)
    }

    pub fn close(&self, uri: &str) {
        self.shown.forget(uri);
        let mut inner = self.lock();
        if let Some(closed) = inner.documents.remove(uri) {
            closed.open.store(false, Ordering::SeqCst);
        }
        inner.told_large.remove(uri);
        if let Some((_, token)) = inner.inflight.remove(uri) {
            token.cancel();
        }
        drop(inner);
        self.parses.send_modify(|n| *n += 1);
    }

    /// Waits for the background parse to make `document`'s tree (`document` being a snapshot of `uri`),
    /// for work that is not urgent enough to parse by itself (the diagnostics). `false` when the
    /// document changes or closes first: the caller's snapshot is stale.
    pub async fn background_tree(&self, uri: &str, document: &Document) -> bool {
        let mut parses = self.parses.subscribe();
        loop {
            if document.is_parsed() {
                return true;
            }
            let current = self
                .lock()
                .documents
                .get(uri)
                .is_some_and(|open| open.document.same_version(document));
            if !current || parses.changed().await.is_err() {
                return false;
            }
        }
    }

    /// Starts the background parse of `uri` unless its newest version has its tree or a parse task
    /// runs for it already (that task parses the newest version when its current parse ends).
    fn parse_in_background(self: &Arc<Session>, inner: &mut Inner, uri: &str) {
        let unparsed = inner
            .documents
            .get(uri)
            .is_some_and(|open| !open.document.is_parsed());
        if unparsed && inner.parsing.insert(uri.to_owned()) {
            tokio::spawn(parse_newest(Arc::clone(self), uri.to_owned()));
        }
    }

    /// Debug builds only (`qwen-lsp/debugState`): holds (`Some(true)`) or releases background parses,
    /// and says which open documents' newest versions have no tree yet and how many model requests run
    /// and wait, so the end-to-end tests can check that requests never wait for a background parse and
    /// that every model request takes a turn.
    #[cfg(debug_assertions)]
    pub fn debug_state(&self, hold_parses: Option<bool>) -> DebugState {
        if let Some(hold) = hold_parses {
            self.parse_hold.send_replace(hold);
        }
        let inner = self.lock();
        let mut unparsed: Vec<String> = inner
            .documents
            .iter()
            .filter(|(_, open)| !open.document.is_parsed())
            .map(|(uri, _)| uri.clone())
            .collect();
        unparsed.sort();
        let mut parsing: Vec<String> = inner.parsing.iter().cloned().collect();
        parsing.sort();
        DebugState {
            parses_held: *self.parse_hold.borrow(),
            unparsed,
            parsing,
            model_running: MODEL_REQUESTS - self.model_turns.available_permits(),
            model_waiting: self.waiting.load(Ordering::SeqCst),
        }
    }

    /// The open documents' URIs.
    pub fn open_uris(&self) -> Vec<String> {
        self.lock().documents.keys().cloned().collect()
    }

    /// A copy of what a request on `uri` needs; `InvalidParams` when the document is not open.
    pub fn snapshot(&self, uri: &str) -> jsonrpc::Result<Snapshot> {
        let inner = self.lock();
        let Some(open) = inner.documents.get(uri) else {
            return Err(jsonrpc::Error::invalid_params(format!(
                "document {uri} is not open"
            )));
        };
        Ok(Snapshot {
            document: open.document.clone(),
            version: open.version,
            others: inner
                .documents
                .iter()
                .filter(|(u, o)| u.as_str() != uri && !o.document.is_large())
                .filter_map(|(_, o)| o.newest_parsed().cloned())
                .collect(),
            encoding: inner.encoding,
            settings: inner.settings.clone(),
            model: inner.model.clone(),
            workspace: Arc::clone(&self.workspace.index),
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
        if let Some((_, older)) = inner
            .inflight
            .insert(uri.to_owned(), (ticket, token.clone()))
        {
            older.cancel();
        }
        Inflight {
            session: Arc::clone(self),
            uri: uri.to_owned(),
            ticket,
            token,
        }
    }

    /// Waits for a turn to run model work; the permit is the turn. `RequestCancelled` when `cancel` fires
    /// first (a newer request, `$/cancelRequest`), `RequestFailed` at once when too many already wait.
    pub async fn model_turn(
        &self,
        cancel: &CancellationToken,
    ) -> jsonrpc::Result<OwnedSemaphorePermit> {
        if let Ok(permit) = Arc::clone(&self.model_turns).try_acquire_owned() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= WAITING_REQUESTS {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(task::request_failed(format!(
                "the server is busy: {WAITING_REQUESTS} requests are already waiting for the model"
            )));
        }
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _waiting = Waiting(&self.waiting);
        tokio::select! {
            permit = Arc::clone(&self.model_turns).acquire_owned() => {
                permit.map_err(|_| task::request_failed("the server is shutting down"))
            }
            () = cancel.cancelled() => Err(task::cancelled()),
        }
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
        self.shown.clear();
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
            let text = format!(
                "qwen-lsp: fixes are checked for syntax only, the Python sandbox is unavailable: {why}"
            );
            tracing::warn!("{text}");
            self.client.log_message(MessageType::WARNING, text).await;
            None
        };
        self.runner.get_or_init(|| init).await.clone()
    }
}

/// The background parse of one document: parses its newest version on the blocking pool until the
/// newest has its tree, then ends. Stops a parse when the document is closed or reopened.
async fn parse_newest(session: Arc<Session>, uri: String) {
    loop {
        #[cfg(debug_assertions)]
        {
            let mut hold = session.parse_hold.subscribe();
            let _ = hold.wait_for(|held| !*held).await;
        }
        let (document, open) = {
            let mut inner = session.lock();
            match inner.documents.get(&uri) {
                Some(open) if !open.document.is_parsed() => {
                    (open.document.clone(), Arc::clone(&open.open))
                }
                _ => {
                    inner.parsing.remove(&uri);
                    return;
                }
            }
        };
        let stop = Arc::clone(&open);
        let parse = move || {
            // The outline too: requests on other documents read it for context.
            let parsed = document.parse(&|| !stop.load(Ordering::SeqCst));
            parsed.then(|| {
                document.outline();
                document
            })
        };
        let parsed = tokio::task::spawn_blocking(parse).await;
        if let Ok(Some(document)) = &parsed {
            let mut inner = session.lock();
            if let Some(entry) = inner.documents.get_mut(&uri)
                && Arc::ptr_eq(&entry.open, &open)
            {
                entry.parsed = Some(document.clone());
            }
        }
        session.parses.send_modify(|n| *n += 1);
        if let Err(error) = parsed {
            // The next change starts a new task; requests parse their own versions meanwhile.
            tracing::error!("parsing {} failed: {error}", shorten(&uri));
            session.lock().parsing.remove(&uri);
            return;
        }
    }
}

/// `qwen-lsp/debugState`'s parameters (debug builds only).
#[cfg(debug_assertions)]
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DebugStateParams {
    /// Hold (`true`) or release (`false`) background parses; absent: leave as is.
    pub hold_parses: Option<bool>,
}

/// `qwen-lsp/debugState`'s answer (debug builds only).
#[cfg(debug_assertions)]
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DebugState {
    /// Whether background parses are held.
    pub parses_held: bool,
    /// Open documents whose newest version has no tree yet.
    pub unparsed: Vec<String>,
    /// Documents with a background parse task.
    pub parsing: Vec<String>,
    /// Model requests holding a turn, and waiting for one.
    pub model_running: usize,
    pub model_waiting: usize,
}

impl Inner {
    /// The message that tells the user `document` gets no syntax tree, once per document.
    fn tell_if_large(&mut self, document: &Document) -> Option<String> {
        if !document.is_large() || !self.told_large.insert(document.uri.clone()) {
            return None;
        }
        Some(format!(
            "qwen-lsp: {} is {:.1} MB, over the {:.1} MB of `largeFileBytes`: it gets no syntax tree, and \
             completions see only the text around the cursor",
            shorten(&document.uri),
            document.len() as f64 / 1e6,
            document.syntax_limit() as f64 / 1e6,
        ))
    }
}

/// A URI for a log line: a hostile client's 70 kB URI is cut to its first and last 100 characters.
pub fn shorten(uri: &str) -> Cow<'_, str> {
    const KEEP: usize = 100;
    let chars = uri.chars().count();
    if chars <= 2 * KEEP + 3 {
        return Cow::Borrowed(uri);
    }
    let head: String = uri.chars().take(KEEP).collect();
    let tail: String = uri.chars().skip(chars - KEEP).collect();
    Cow::Owned(format!("{head}...{tail}"))
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
        if inner
            .inflight
            .get(&self.uri)
            .is_some_and(|(ticket, _)| *ticket == self.ticket)
        {
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
        ModelState::Failed(message) => Err(task::request_failed(format!(
            "the model failed to load: {message}"
        ))),
    }
}

/// Makes `document`'s tree on the blocking pool, at once if it has one; `RequestCancelled` when
/// `cancel` fires first. A request on a document calls it before it takes a model turn, so a turn is
/// never held while a parse runs: a just-opened big file makes its own requests wait, not everyone's.
pub async fn parsed(document: &Document, cancel: &CancellationToken) -> jsonrpc::Result<()> {
    if document.is_parsed() {
        return Ok(());
    }
    let document = document.clone();
    // A child: `task::blocking` cancels its token when it ends, and the caller's must live on.
    task::blocking(cancel.child_token(), move |cancel| {
        if document.parse(&|| cancel.is_cancelled()) {
            Ok(())
        } else {
            Err(engine::Error::Cancelled)
        }
    })
    .await
}

/// The language of a document whose language id the engine does not know, from its extension.
fn language_from_path(uri: &str) -> Language {
    uri.rsplit_once('.')
        .map_or(Language::Other, |(_, ext)| Language::from_id(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_before_the_model_is_ready_get_nothing_and_after_a_failure_an_error() {
        assert!(matches!(ready_model(&ModelState::NotLoaded), Ok(None)));
        assert!(matches!(ready_model(&ModelState::Loading), Ok(None)));
        let error = ready_model(&ModelState::Failed("no such file".into()))
            .err()
            .expect("an error");
        assert_eq!(error.message, "the model failed to load: no such file");
    }

    #[test]
    fn long_uris_are_shortened_in_messages() {
        assert_eq!(shorten("file:///a.py"), "file:///a.py");
        let long = format!("file:///{}.py", "é".repeat(10_000));
        let short = shorten(&long);
        assert_eq!(short.chars().count(), 203);
        assert!(
            short.starts_with("file:///é") && short.ends_with("é.py") && short.contains("..."),
            "{short}"
        );
    }

    #[test]
    fn languages_come_from_the_extension_when_the_id_is_unknown() {
        assert_eq!(language_from_path("file:///a/b.py"), Language::Python);
        assert_eq!(language_from_path("file:///A.java"), Language::Java);
        assert_eq!(language_from_path("file:///Makefile"), Language::Other);
    }
}
