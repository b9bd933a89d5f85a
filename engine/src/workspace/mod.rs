//! The workspace index: definitions (signatures, docstrings, class members) of the Python and Java files
//! under the workspace folders, including the files the editor has not opened, and the selection of
//! those a completion at a cursor needs.
//!
//! - [`scan`] walks the folders (respecting `.gitignore`, with [`Limits`] on file sizes, file counts and
//!   memory) and builds a [`WorkspaceIndex`]; [`WorkspaceIndex::update`] and [`WorkspaceIndex::remove`]
//!   keep it current as files change on disk.
//! - [`WorkspaceIndex::select`] resolves the current file's imports (Python relative and absolute modules,
//!   `from x import y`; Java imports, static imports, the same package and `java.lang`) and the names
//!   near the cursor to indexed definitions, ranked; `context` budgets them in tokens.
//!
//! The index keeps rendered snippets, not file texts, so its memory is what the prompt may show.

mod extract;
mod resolve;
mod scan;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};
use std::time::Duration;

use crate::Language;
use crate::syntax::DefinitionKind;

pub use extract::extract;
pub use resolve::{Candidate, Selection, uri_path};
pub use scan::{ScanProgress, ScanReport, scan};

/// Bounds on what the index reads and keeps. Each default is chosen so that a large project (the JDK's
/// `java.base` and `java.desktop`, ~5,900 files, 90 MB of source) fits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Source files indexed at most; the scan stops there (default 20,000).
    pub max_files: usize,
    /// Directory entries the walk visits at most, so a workspace opened at `/` ends (default 500,000).
    pub max_entries: usize,
    /// Files larger than this are skipped: generated or minified code, data (default 1 MiB).
    pub max_file_bytes: u64,
    /// The index's memory budget in bytes (snippets, names, paths, table entries, estimated). A file
    /// that would take the index past it is not indexed; files already indexed stay, so what is kept is
    /// the first files in walk order (default 64 MiB).
    pub max_bytes: usize,
    /// A definition's snippet is cut (at a line end) to this many bytes (default 2 KiB).
    pub max_snippet_bytes: usize,
    /// Threads that parse files during a scan (default: half the CPUs, at least 1).
    pub threads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_files: 20_000,
            max_entries: 500_000,
            max_file_bytes: 1 << 20,
            max_bytes: 64 << 20,
            max_snippet_bytes: 2 << 10,
            threads: std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
        }
    }
}

/// One definition of an indexed file, rendered for the prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedDefinition {
    pub name: String,
    pub kind: DefinitionKind,
    /// Byte offset of the definition in its file; orders snippets of one file.
    pub start: usize,
    /// The enclosing type, for members.
    pub owner: Option<String>,
    /// Whole when small, else header, docstring and (for types) member headers; a member is shown
    /// under its class's header.
    pub text: String,
    /// The short form when `text` does not fit: the header alone (under its class's header).
    pub signature: String,
}

/// One indexed source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedFile {
    /// Absolute path.
    pub path: PathBuf,
    pub language: Language,
    /// Top-level definitions and class members (definitions inside functions are left out).
    pub definitions: Vec<IndexedDefinition>,
}

impl IndexedFile {
    /// Estimated heap bytes the file takes in the index, table entries included.
    fn bytes(&self) -> usize {
        const PER_DEFINITION: usize = size_of::<IndexedDefinition>() + 48;
        const PER_FILE: usize = size_of::<IndexedFile>() + 128;
        let path = self.path.as_os_str().len();
        PER_FILE
            + 3 * path
            + self
                .definitions
                .iter()
                .map(|d| {
                    PER_DEFINITION
                        + 2 * d.name.len()
                        + d.text.len()
                        + d.signature.len()
                        + d.owner.as_ref().map_or(0, String::len)
                })
                .sum::<usize>()
    }
}

type FileId = u32;

/// How often a writer retries while requests read the index.
const WRITE_POLL: Duration = Duration::from_millis(5);

/// The definitions of the workspace's files, with the tables that resolve modules and names.
#[derive(Debug, Default)]
pub struct WorkspaceIndex {
    roots: Vec<PathBuf>,
    limits: Limits,
    files: Vec<Option<IndexedFile>>,
    free: Vec<FileId>,
    ids: HashMap<PathBuf, FileId>,
    /// File stem (`api` of `api.py`, the package's name for `__init__.py`) -> files.
    by_stem: HashMap<String, Vec<FileId>>,
    /// Directory -> files directly in it.
    by_dir: HashMap<PathBuf, Vec<FileId>>,
    /// Definition name -> files that define it (once per file).
    by_name: HashMap<String, Vec<FileId>>,
    bytes: usize,
    /// Files left out because the memory budget was spent.
    over_budget: usize,
}

/// What [`WorkspaceIndex::update`] did with a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Update {
    Indexed,
    /// Not Python or Java, not under a root, unreadable, too large, or past a limit; an older entry was
    /// removed.
    Skipped,
}

impl WorkspaceIndex {
    pub fn new(roots: Vec<PathBuf>, limits: Limits) -> WorkspaceIndex {
        WorkspaceIndex {
            roots,
            limits,
            ..WorkspaceIndex::default()
        }
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Number of indexed files.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Estimated heap bytes of the index (what [`Limits::max_bytes`] bounds).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Files left out because the memory budget was spent.
    pub fn over_budget(&self) -> usize {
        self.over_budget
    }

    pub fn definitions(&self) -> usize {
        self.files().map(|f| f.definitions.len()).sum()
    }

    pub fn files(&self) -> impl Iterator<Item = &IndexedFile> {
        self.files.iter().flatten()
    }

    pub fn file(&self, path: &Path) -> Option<&IndexedFile> {
        self.ids.get(path).and_then(|&id| self.get(id))
    }

    fn get(&self, id: FileId) -> Option<&IndexedFile> {
        self.files.get(id as usize).and_then(Option::as_ref)
    }

    /// Whether `path` is one the index would hold: a Python or Java file under one of the roots.
    pub fn wants(&self, path: &Path) -> bool {
        language_of(path).is_some() && self.roots.iter().any(|r| path.starts_with(r))
    }

    /// Re-reads `path` from disk (a file created, changed or saved) and replaces its entry.
    pub fn update(&mut self, path: &Path) -> Update {
        let Some(language) = language_of(path).filter(|_| self.wants(path)) else {
            return Update::Skipped;
        };
        let text = match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() && meta.len() <= self.limits.max_file_bytes => {
                std::fs::read_to_string(path).ok()
            }
            _ => None,
        };
        let Some(text) = text else {
            self.remove(path);
            return Update::Skipped;
        };
        let file = extract(path, language, &text, self.limits.max_snippet_bytes);
        self.insert(file)
    }

    /// Adds (or replaces) an extracted file, within the file count and memory budget.
    pub fn insert(&mut self, file: IndexedFile) -> Update {
        self.remove(&file.path);
        let bytes = file.bytes();
        if self.ids.len() >= self.limits.max_files {
            return Update::Skipped;
        }
        if self.bytes + bytes > self.limits.max_bytes {
            self.over_budget += 1;
            return Update::Skipped;
        }
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.files.push(None);
                (self.files.len() - 1) as FileId
            }
        };
        if let Some(stem) = module_stem(&file.path) {
            self.by_stem.entry(stem).or_default().push(id);
        }
        if let Some(dir) = file.path.parent() {
            self.by_dir.entry(dir.to_owned()).or_default().push(id);
        }
        let mut names: Vec<&str> = file.definitions.iter().map(|d| d.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            self.by_name.entry(name.to_owned()).or_default().push(id);
        }
        self.ids.insert(file.path.clone(), id);
        self.bytes += bytes;
        self.files[id as usize] = Some(file);
        Update::Indexed
    }

    /// Forgets `path` (deleted, or no longer wanted). Removing a directory forgets the files under it.
    pub fn remove(&mut self, path: &Path) {
        let ids: Vec<FileId> = match self.ids.get(path) {
            Some(&id) => vec![id],
            None => self
                .ids
                .iter()
                .filter(|(p, _)| p.starts_with(path))
                .map(|(_, &id)| id)
                .collect(),
        };
        for id in ids {
            self.remove_id(id);
        }
    }

    fn remove_id(&mut self, id: FileId) {
        let Some(file) = self.files.get_mut(id as usize).and_then(Option::take) else {
            return;
        };
        self.bytes = self.bytes.saturating_sub(file.bytes());
        self.ids.remove(&file.path);
        self.free.push(id);
        let unlink = |map: &mut HashMap<String, Vec<FileId>>, key: &str| {
            if let Some(list) = map.get_mut(key) {
                list.retain(|&i| i != id);
                if list.is_empty() {
                    map.remove(key);
                }
            }
        };
        if let Some(stem) = module_stem(&file.path) {
            unlink(&mut self.by_stem, &stem);
        }
        for def in &file.definitions {
            unlink(&mut self.by_name, &def.name);
        }
        if let Some(dir) = file.path.parent()
            && let Some(list) = self.by_dir.get_mut(dir)
        {
            list.retain(|&i| i != id);
            if list.is_empty() {
                self.by_dir.remove(dir);
            }
        }
    }
}

/// The language the index reads `path` as, from its extension.
pub fn language_of(path: &Path) -> Option<Language> {
    match path.extension()?.to_str()? {
        "py" | "pyi" => Some(Language::Python),
        "java" => Some(Language::Java),
        _ => None,
    }
}

/// The name a module is imported by: the file stem, or the package's directory for `__init__.py`.
fn module_stem(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    if stem == "__init__" {
        return Some(path.parent()?.file_name()?.to_str()?.to_owned());
    }
    Some(stem.to_owned())
}

/// A [`WorkspaceIndex`] shared between the requests that read it and the scans and file events that
/// change it. Writers hold the lock only to swap in or replace already-extracted entries, and never
/// queue for it: a request (which may hold it for a whole generation) is never kept waiting behind a
/// file event; the event waits for a moment no request reads the index.
#[derive(Debug, Default)]
pub struct SharedIndex(RwLock<WorkspaceIndex>);

impl SharedIndex {
    pub fn new(index: WorkspaceIndex) -> SharedIndex {
        SharedIndex(RwLock::new(index))
    }

    /// The index for reading. A writer that panicked left it consistent (each change is a single
    /// insert or remove), so a poisoned lock is still usable.
    pub fn read(&self) -> RwLockReadGuard<'_, WorkspaceIndex> {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The index for writing, polled for (blocking the calling thread) so that waiting writers do
    /// not hold new readers back.
    pub fn write(&self) -> RwLockWriteGuard<'_, WorkspaceIndex> {
        loop {
            match self.0.try_write() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => std::thread::sleep(WRITE_POLL),
            }
        }
    }

    /// Replaces the whole index (a finished scan).
    pub fn replace(&self, index: WorkspaceIndex) {
        *self.write() = index;
    }

    /// Re-reads `paths` from disk (parsing outside the lock) and replaces their entries. A path that no
    /// longer exists is removed (a deleted directory with the files under it); an existing directory is
    /// left alone (its files have events of their own). Returns how many files were indexed.
    pub fn refresh(&self, paths: &[PathBuf]) -> usize {
        let (limits, wanted): (Limits, Vec<bool>) = {
            let index = self.read();
            (
                index.limits.clone(),
                paths.iter().map(|p| index.wants(p)).collect(),
            )
        };
        let mut indexed = 0;
        for (path, wanted) in paths.iter().zip(wanted) {
            if path.is_dir() {
                continue;
            }
            let extracted = wanted
                .then(|| language_of(path))
                .flatten()
                .and_then(|language| match std::fs::metadata(path) {
                    Ok(meta) if meta.is_file() && meta.len() <= limits.max_file_bytes => {
                        let text = std::fs::read_to_string(path).ok()?;
                        Some(extract(path, language, &text, limits.max_snippet_bytes))
                    }
                    _ => None,
                });
            let mut index = self.write();
            match extracted {
                Some(file) => indexed += usize::from(index.insert(file) == Update::Indexed),
                None => index.remove(path),
            }
        }
        indexed
    }
}
