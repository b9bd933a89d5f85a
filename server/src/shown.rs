//! The suggestion last shown in each document, so that typing through it is answered at once from what
//! is left of it (`engine::suggestion`), with no model call. Forgotten when the document closes, and
//! all of them when the settings or the model change (the answer could differ).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use engine::Document;
use engine::complete::Completion;
use engine::suggestion::Shown;

#[derive(Default)]
pub struct ShownSuggestions {
    by_uri: Mutex<HashMap<String, Shown>>,
}

impl ShownSuggestions {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Shown>> {
        // Every mutation is one insert or remove: a poisoned map is still consistent.
        self.by_uri.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What is left of the suggestion shown in `document` when the user has typed its start (or asks
    /// again at the same place).
    pub fn rest(&self, document: &Document, cursor: usize) -> Option<Completion> {
        self.lock()
            .get(&document.uri)?
            .typed_through(document, cursor)
    }

    pub fn remember(&self, document: &Document, cursor: usize, completion: &Completion) {
        let shown = Shown::new(document, cursor, completion);
        self.lock().insert(document.uri.clone(), shown);
    }

    pub fn forget(&self, uri: &str) {
        self.lock().remove(uri);
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}
