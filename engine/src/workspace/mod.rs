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
//! The index keeps rendered snippets, not file texts, so its memory is what the prompt may show: each
//! file's definitions' names and snippets in one string, and a small fixed-size entry per definition.
//! What can be derived is not stored: a member is put under its class's header, and a signature is
//! the stored header and an ending, when a prompt asks for them.

mod extract;
mod read;
mod resolve;
mod scan;

use std::borrow::Cow;
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
    /// The index's memory budget in bytes (snippets, names, paths, table entries, estimated without
    /// undercounting the heap it holds). A file that would take the index past it is not indexed; files
    /// already indexed stay, so what is kept is the first files in walk order (default 64 MiB).
    pub max_bytes: usize,
    /// A definition's snippet is cut (at a line end) to this many bytes (default 2 KiB).
    pub max_snippet_bytes: usize,
    /// Threads that parse files during a scan (default: the available parallelism). They run at a lower
    /// priority than the rest of the process (on Linux), so requests and the model take the CPUs first.
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
            threads: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}

/// One indexed source file: its definitions, whose names and snippets share one string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedFile {
    /// Absolute path.
    pub path: PathBuf,
    pub language: Language,
    /// [`Limits::max_snippet_bytes`] when it was extracted: a member's snippet under its class's
    /// header is cut to it.
    max_snippet_bytes: u32,
    /// Each definition's name, then its snippet, one after another.
    text: Box<str>,
    /// Top-level definitions and class members (definitions inside functions are left out), in file
    /// order, outer before inner.
    definitions: Box<[Entry]>,
}

/// One definition: where its name and snippet are in [`IndexedFile::text`], and how to show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    /// Byte offset of the definition in its file.
    start: u32,
    /// Where the name starts in the file's string; the snippet follows it.
    at: u32,
    len: u32,
    /// The snippet's first `header_len` bytes are its header, indentation included.
    header_len: u32,
    /// The enclosing type (an index in [`IndexedFile::definitions`]), or [`NO_OWNER`].
    owner: u32,
    name_len: u16,
    /// Bytes before the definition on its first line (its indentation).
    indent_len: u16,
    kind: DefinitionKind,
    end: SignatureEnd,
}

const NO_OWNER: u32 = u32::MAX;

/// What follows the header in a definition's signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SignatureEnd {
    /// Nothing: a definition without a body is its own signature.
    Whole,
    /// ` ...` (Python)
    Ellipsis,
    /// ` { ... }` (Java types)
    Braces,
    /// `;` (Java methods)
    Semicolon,
}

impl SignatureEnd {
    fn as_str(self) -> &'static str {
        match self {
            SignatureEnd::Whole => "",
            SignatureEnd::Ellipsis => " ...",
            SignatureEnd::Braces => " { ... }",
            SignatureEnd::Semicolon => ";",
        }
    }
}

/// One definition of an indexed file, as the prompt shows it.
#[derive(Clone, Copy, Debug)]
pub struct IndexedDefinition<'i> {
    file: &'i IndexedFile,
    entry: &'i Entry,
}

impl PartialEq for IndexedDefinition<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.entry, other.entry)
    }
}

impl Eq for IndexedDefinition<'_> {}

impl<'i> IndexedDefinition<'i> {
    pub fn name(&self) -> &'i str {
        let at = self.entry.at as usize;
        slice(&self.file.text, at, usize::from(self.entry.name_len))
    }

    pub fn kind(&self) -> DefinitionKind {
        self.entry.kind
    }

    /// Byte offset of the definition in its file; orders snippets of one file.
    pub fn start(&self) -> usize {
        self.entry.start as usize
    }

    /// The enclosing type, for members.
    pub fn owner(&self) -> Option<IndexedDefinition<'i>> {
        let entry = self.file.definitions.get(self.entry.owner as usize)?;
        Some(IndexedDefinition {
            file: self.file,
            entry,
        })
    }

    /// The snippet as stored: without the class header a member is shown under.
    fn own_text(&self) -> &'i str {
        let at = self.entry.at as usize + usize::from(self.entry.name_len);
        slice(&self.file.text, at, self.entry.len as usize)
    }

    /// The first line(s) of [`IndexedDefinition::own_text`]: the header, indentation included.
    fn header(&self) -> &'i str {
        let own = self.own_text();
        own.get(..self.entry.header_len as usize).unwrap_or(own)
    }

    /// Whole when small, else header, docstring and (for types) member headers; a member is shown
    /// under its class's header.
    pub fn text(&self) -> Cow<'i, str> {
        self.under_owner(Cow::Borrowed(self.own_text()))
    }

    /// The short form when [`IndexedDefinition::text`] does not fit: the header alone (under its
    /// class's header).
    pub fn signature(&self) -> Cow<'i, str> {
        let header = self.header();
        let signature = match self.entry.end {
            SignatureEnd::Whole => Cow::Borrowed(header),
            end => Cow::Owned(format!("{header}{}", end.as_str())),
        };
        self.under_owner(signature)
    }

    /// A member's snippet under its class's header, so it reads as a member; cut (at a line end) to
    /// the snippet limit, which a long header with its ending can pass too.
    fn under_owner(&self, snippet: Cow<'i, str>) -> Cow<'i, str> {
        let max = self.file.max_snippet_bytes as usize;
        let text = match self.owner() {
            None => snippet,
            Some(owner) => {
                let header = owner.header();
                let indent = header
                    .get(..usize::from(owner.entry.indent_len))
                    .unwrap_or_default();
                Cow::Owned(match self.file.language {
                    Language::Python => format!("{header}\n{snippet}"),
                    _ => format!("{header} {{\n{snippet}\n{indent}}}"),
                })
            }
        };
        match text {
            Cow::Borrowed(text) => Cow::Borrowed(extract::cut(text, max)),
            Cow::Owned(text) if text.len() <= max => Cow::Owned(text),
            Cow::Owned(text) => Cow::Owned(extract::cut(&text, max).to_owned()),
        }
    }
}

impl IndexedFile {
    /// The definitions, in file order.
    pub fn definitions(&self) -> impl ExactSizeIterator<Item = IndexedDefinition<'_>> {
        self.definitions
            .iter()
            .map(move |entry| IndexedDefinition { file: self, entry })
    }

    /// The `i`th definition.
    pub fn definition(&self, i: usize) -> Option<IndexedDefinition<'_>> {
        let entry = self.definitions.get(i)?;
        Some(IndexedDefinition { file: self, entry })
    }

    /// Heap bytes the file takes in the index, its table entries included (an estimate that does not
    /// undercount: allocator rounding and hash tables' spare room are counted).
    fn bytes(&self) -> usize {
        // The path is held by the file, the path table and (shared) the directory table.
        const PER_FILE: usize = size_of::<Option<IndexedFile>>() + 3 * ALLOCATION + 2 * TABLE_SLOT;
        PER_FILE
            + 3 * self.path.as_os_str().len()
            + self.text.len()
            + self.definitions.len() * size_of::<Entry>()
    }
}

/// `len` bytes of `text` from `at`; empty where the numbers (saturated when stored) do not fit it.
fn slice(text: &str, at: usize, len: usize) -> &str {
    at.checked_add(len)
        .and_then(|end| text.get(at..end))
        .unwrap_or_default()
}

/// What the allocator adds to each allocation (its header and rounding), counted per allocation.
const ALLOCATION: usize = 32;
/// A hash table entry and its spare room (a key and a value of three words each, 7/8 full).
const TABLE_SLOT: usize = 64;
/// Each file id in the name table's lists, with their spare capacity.
const NAME_REFERENCE: usize = 8;

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
        let Ok(text) = self.read(path) else {
            self.remove(path);
            return Update::Skipped;
        };
        let file = extract(path, language, &text, self.limits.max_snippet_bytes);
        self.insert(file)
    }

    /// Reads a path from a file event under one of the roots, as the walk would have.
    fn read(&self, path: &Path) -> std::result::Result<String, read::Skip> {
        let root = self.roots.iter().find(|r| path.starts_with(r));
        let root = root.ok_or(read::Skip::NotAFile)?;
        read::read_event_path(root, path, self.limits.max_file_bytes)
    }

    /// Adds (or replaces) an extracted file, within the file count and memory budget. A file the index
    /// does not want (see [`WorkspaceIndex::wants`]) is skipped.
    pub fn insert(&mut self, file: IndexedFile) -> Update {
        if !self.wants(&file.path) {
            return Update::Skipped;
        }
        // Only the file's own entry: `remove` would look for files under it as if it were a directory.
        if let Some(&id) = self.ids.get(&file.path) {
            self.remove_id(id);
        }
        if self.ids.len() >= self.limits.max_files {
            return Update::Skipped;
        }
        let names = file.names();
        let bytes = file.bytes()
            + names
                .iter()
                .map(|name| {
                    NAME_REFERENCE
                        + match self.by_name.contains_key(*name) {
                            true => 0,
                            false => name_key_bytes(name),
                        }
                })
                .sum::<usize>();
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
        for name in names {
            match self.by_name.get_mut(name) {
                Some(list) => list.push(id),
                None => {
                    self.by_name.insert(name.to_owned(), vec![id]);
                }
            }
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
        let mut bytes = file.bytes();
        self.ids.remove(&file.path);
        self.free.push(id);
        let unlink = |map: &mut HashMap<String, Vec<FileId>>, key: &str| -> bool {
            let Some(list) = map.get_mut(key) else {
                return false;
            };
            list.retain(|&i| i != id);
            let empty = list.is_empty();
            if empty {
                map.remove(key);
            }
            empty
        };
        if let Some(stem) = module_stem(&file.path) {
            unlink(&mut self.by_stem, &stem);
        }
        for name in file.names() {
            bytes += NAME_REFERENCE;
            if unlink(&mut self.by_name, name) {
                bytes += name_key_bytes(name);
            }
        }
        if let Some(dir) = file.path.parent()
            && let Some(list) = self.by_dir.get_mut(dir)
        {
            list.retain(|&i| i != id);
            if list.is_empty() {
                self.by_dir.remove(dir);
            }
        }
        self.bytes = self.bytes.saturating_sub(bytes);
    }
}

/// Heap bytes of a name's entry in the name table (the key, its list, the slot).
fn name_key_bytes(name: &str) -> usize {
    TABLE_SLOT + 2 * ALLOCATION + name.len()
}

impl IndexedFile {
    /// Its definitions' names, each once.
    fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.definitions().map(|d| d.name()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// Gives the memory the allocator keeps after a scan (parse trees freed on several threads) or a
/// dropped index back to the system, so that the process's resident size follows the index's.
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        #[allow(unsafe_code)]
        // SAFETY: glibc's `malloc_trim` only returns free pages of its own heaps to the kernel.
        let _ = unsafe { libc::malloc_trim(0) };
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

    /// Replaces the whole index (a finished scan, or an empty one when the index is switched off). The
    /// old one is dropped outside the lock, and the memory it held goes back to the system.
    pub fn replace(&self, index: WorkspaceIndex) {
        let old = std::mem::replace(&mut *self.write(), index);
        drop(old);
        release_freed_memory();
    }

    /// [`SharedIndex::replace`] if `still_wanted()`, which is asked under the write lock: whoever
    /// changes what it answers and then replaces the index itself always has the last word. Returns
    /// whether it replaced the index.
    pub fn replace_if(&self, index: WorkspaceIndex, still_wanted: impl FnOnce() -> bool) -> bool {
        let old = {
            let mut guard = self.write();
            if !still_wanted() {
                return false;
            }
            std::mem::replace(&mut *guard, index)
        };
        drop(old);
        release_freed_memory();
        true
    }

    /// Re-reads `paths` from disk (parsing outside the lock) and replaces their entries. A path that no
    /// longer exists is removed (a deleted directory with the files under it); an existing directory is
    /// left alone (its files have events of their own). Returns how many files were indexed.
    pub fn refresh(&self, paths: &[PathBuf]) -> usize {
        let (limits, roots, wanted): (Limits, Vec<PathBuf>, Vec<bool>) = {
            let index = self.read();
            (
                index.limits.clone(),
                index.roots.clone(),
                paths.iter().map(|p| index.wants(p)).collect(),
            )
        };
        let mut indexed = 0;
        for (path, wanted) in paths.iter().zip(wanted) {
            // A directory that exists is left alone (its files have their own events); a symlink to one
            // is not followed, like any symlink.
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
                continue;
            }
            let extracted = wanted
                .then(|| language_of(path))
                .flatten()
                .and_then(|language| {
                    let root = roots.iter().find(|r| path.starts_with(r))?;
                    let text = read::read_event_path(root, path, limits.max_file_bytes).ok()?;
                    Some(extract(path, language, &text, limits.max_snippet_bytes))
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
