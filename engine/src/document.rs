//! An open source file: its text (a rope), language and syntax tree, updated incrementally by edits.
//!
//! Offsets here are UTF-8 byte offsets; converting editor positions (UTF-16 or UTF-8 line/character)
//! to bytes is the server's job. Lines end at `\n`, `\r\n` or a lone `\r`.
//!
//! Costs: an edit is O(edit + log n): it changes the rope and records tree-sitter's `InputEdit`, and
//! parses nothing. The syntax tree of a version is made on first use ([`Document::tree`], or
//! [`Document::parse`] from a background task), incrementally from the newest earlier version that has
//! one, once per version however many clones ask: clones are O(1) and share the rope, the tree and the
//! caches, so a request's snapshot never copies text or parses twice. [`Document::text`] makes the
//! whole text as one string on first use after a change, shared the same way. Above
//! [`Document::syntax_limit`] bytes the text is kept without a syntax tree ([`Document::is_large`]),
//! and callers work on a [`Document::window`] around the cursor.

use std::borrow::Cow;
use std::ops::ControlFlow;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use ropey::Rope;

use crate::syntax::{Language, Outline};
use crate::{Error, Result};

/// The default size above which a document gets no syntax tree: parsing and walking the tree of a
/// larger file costs more per keystroke than its context is worth.
pub const DEFAULT_SYNTAX_LIMIT: usize = 4 << 20;

/// Versions edited without a tree in between before the next parse starts from scratch instead of
/// re-applying each edit to the last tree: bounds the chain of pending edits a document holds.
const MAX_UNPARSED_EDITS: usize = 4096;

/// Replace `text[start..end]` with `new_text` (byte offsets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub end: usize,
    pub new_text: String,
}

/// A document and its syntax tree. Cloning is cheap and clones are independent.
#[derive(Clone)]
pub struct Document {
    pub uri: String,
    pub language: Language,
    rope: Rope,
    /// The text as one string, made on first use after each change and shared by the clones of this
    /// version (a request's snapshot fills it for the session's copy too).
    text: Arc<OnceLock<Arc<str>>>,
    /// This version's syntax tree, made on first use.
    syntax: Arc<Syntax>,
    /// Held while a version of this document is parsed, so that the versions of one document are parsed
    /// one at a time, each from the tree the previous parse left, instead of side by side from scratch.
    parsing: Arc<Mutex<()>>,
    /// Imports and definitions, extracted on first use after each change and shared like `text`: every
    /// completion reads the outline of every open document, which changes far less often than it is read.
    outline: Arc<OnceLock<Arc<Outline>>>,
    syntax_limit: usize,
    /// The tree was skipped because the text is over `syntax_limit`.
    large: bool,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("uri", &self.uri)
            .field("language", &self.language)
            .field("len", &self.len())
            .field("large", &self.large)
            .finish()
    }
}

/// A part of a document cut at line starts, as a document of its own.
#[derive(Clone, Debug)]
pub struct Window {
    pub document: Document,
    /// Where the window starts in the whole document: byte offset and line number.
    pub start: usize,
    pub start_line: usize,
}

impl Document {
    /// A document, parsed now (see [`Document::unparsed`] for one parsed on first use).
    pub fn new(uri: impl Into<String>, language: Language, text: impl Into<String>) -> Document {
        Document::with_syntax_limit(uri, language, text, DEFAULT_SYNTAX_LIMIT)
    }

    /// A document that is parsed (now) only while its text is at most `syntax_limit` bytes long.
    pub fn with_syntax_limit(
        uri: impl Into<String>,
        language: Language,
        text: impl Into<String>,
        syntax_limit: usize,
    ) -> Document {
        let doc = Document::unparsed(uri, language, text, syntax_limit);
        doc.tree();
        doc
    }

    /// A document whose tree is made on first use: O(text) on the rope and no parse, for callers that
    /// must not wait for a parse (the language server's message loop).
    pub fn unparsed(
        uri: impl Into<String>,
        language: Language,
        text: impl Into<String>,
        syntax_limit: usize,
    ) -> Document {
        let text: String = text.into();
        let mut doc = Document {
            uri: uri.into(),
            language,
            rope: Rope::from_str(&text),
            text: Arc::default(),
            syntax: Arc::new(Syntax::none()),
            parsing: Arc::default(),
            outline: Arc::default(),
            syntax_limit,
            large: false,
        };
        drop(text);
        doc.reset_syntax();
        doc
    }

    /// The whole text. Made from the rope on first use after a change (O(n) once per version).
    pub fn text(&self) -> &str {
        self.text
            .get_or_init(|| Arc::from(String::from(&self.rope)))
    }

    /// Length of the text in bytes.
    pub fn len(&self) -> usize {
        self.rope.len_bytes()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The size above which this document has no syntax tree.
    pub fn syntax_limit(&self) -> usize {
        self.syntax_limit
    }

    /// Whether the text is larger than [`Document::syntax_limit`]: it has no syntax tree, and callers
    /// build context from a [`Document::window`]. (Once large, a document is parsed again only when it
    /// shrinks to half the limit, so edits around the limit do not parse the whole text each time.)
    pub fn is_large(&self) -> bool {
        self.large
    }

    /// The syntax tree of this text (`None` for [`Language::Other`] and large documents). Parsed on
    /// first use, incrementally from the newest earlier version with a tree; this blocks for the parse
    /// (O(edit) after an edit, O(document) for a new one), so async code calls it on the blocking pool
    /// or after [`Document::is_parsed`].
    pub fn tree(&self) -> Option<&tree_sitter::Tree> {
        self.parse(&|| false);
        self.syntax.tree.get().and_then(Option::as_ref)
    }

    /// Whether `other` is a clone of this version (not of an earlier or later one).
    pub fn same_version(&self, other: &Document) -> bool {
        Arc::ptr_eq(&self.text, &other.text)
    }

    /// Whether this version's tree is made (or it gets none), so that [`Document::tree`] returns at
    /// once.
    pub fn is_parsed(&self) -> bool {
        self.syntax.tree.get().is_some()
    }

    /// Makes this version's tree unless `stop` says to give up first (tree-sitter asks it now and then
    /// while parsing); `false` when it stopped, leaving the version unparsed. Blocks: call it on the
    /// blocking pool. If another clone is parsing any version of this document, waits for it (its tree
    /// is then the starting point) rather than parsing alongside.
    pub fn parse(&self, stop: &dyn Fn() -> bool) -> bool {
        if self.is_parsed() {
            return true;
        }
        let _one_at_a_time = self.parsing.lock().unwrap_or_else(PoisonError::into_inner);
        if self.is_parsed() {
            return true;
        }
        let old = self.syntax.edited_tree();
        let mut stopped = false;
        let mut progress = |_: &tree_sitter::ParseState| {
            stopped = stop();
            if stopped {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let tree = parse_rope(self.language, &self.rope, old.as_ref(), &mut progress);
        if tree.is_none() && stopped {
            return false;
        }
        self.syntax.set(tree);
        true
    }

    /// Imports and definitions of the current text (empty without a tree). Needs the tree: see
    /// [`Document::tree`].
    pub fn outline(&self) -> Arc<Outline> {
        Arc::clone(self.outline.get_or_init(|| {
            Arc::new(match self.tree() {
                Some(tree) => crate::syntax::outline(self.language, tree, self.text()),
                None => Outline::default(),
            })
        }))
    }

    /// Number of lines (a text ending in a line break has an empty last line).
    pub fn line_count(&self) -> usize {
        self.rope.len_lines()
    }

    /// The byte range of line `line`, its line break included; `None` past the last line.
    pub fn line_range(&self, line: usize) -> Option<Range<usize>> {
        if line >= self.rope.len_lines() {
            return None;
        }
        let start = self.rope.line_to_byte(line);
        Some(start..self.rope.line_to_byte(line + 1))
    }

    /// The line that contains byte `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        self.rope.byte_to_line(offset.min(self.len()))
    }

    /// Whether `offset` is on a character boundary of the text (the end counts).
    pub fn is_char_boundary(&self, offset: usize) -> bool {
        let len = self.len();
        offset <= len
            && (offset == len || self.rope.char_to_byte(self.rope.byte_to_char(offset)) == offset)
    }

    /// `text[range]` without making the whole text: borrowed when it lies in one chunk of the rope.
    pub fn slice(&self, range: Range<usize>) -> Result<Cow<'_, str>> {
        if range.start > range.end
            || !self.is_char_boundary(range.start)
            || !self.is_char_boundary(range.end)
        {
            return Err(Error::InvalidInput(format!(
                "{range:?} is not a valid range of a {}-byte document",
                self.len()
            )));
        }
        if let Some(text) = self.text.get() {
            return Ok(Cow::Borrowed(&text[range]));
        }
        Ok(self.rope.byte_slice(range).into())
    }

    /// Whether `self[range]` equals `other[other_start..]` for the same length, compared on the ropes
    /// (no whole-text copies); `false` for ranges outside either text or off character boundaries.
    pub fn same_text(&self, range: Range<usize>, other: &Document, other_start: usize) -> bool {
        let other_end = other_start.saturating_add(range.len());
        match (
            self.rope.get_byte_slice(range),
            other.rope.get_byte_slice(other_start..other_end),
        ) {
            (Some(a), Some(b)) => a == b,
            // Out of range, or not on character boundaries.
            _ => false,
        }
    }

    /// A window of at most `max_bytes` around byte `center`, cut at line starts (so lines and columns
    /// inside it are those of the whole text, less `start_line`), with no syntax tree. A single line
    /// longer than `max_bytes` is cut at character boundaries instead.
    ///
    /// The window's start moves a quarter of `max_bytes` at a time, so that typing at `center` leaves it
    /// where it was: the lines keep their numbers in the window, and the prompt built from it keeps its
    /// start (the model's cache holds it). At least half the window lies before `center`, and at least
    /// a quarter after it (where the text has it).
    pub fn window(&self, center: usize, max_bytes: usize) -> Window {
        let len = self.len();
        let center = center.min(len);
        let step = (max_bytes / 4).max(1);
        let start = center.saturating_sub(max_bytes / 2) / step * step;
        let end = (start + max_bytes).min(len);
        let cursor_line_start = self.rope.line_to_byte(self.rope.byte_to_line(center));
        // The first whole line in the window, or the cursor's own line from its start.
        let first = self.rope.byte_to_line(start);
        let start = match self.rope.line_to_byte(first) {
            s if s == start => s,
            _ => self.rope.line_to_byte(first + 1),
        }
        .min(cursor_line_start);
        // The end of the last whole line, unless that would cut the cursor's line.
        let mut end = match self.rope.line_to_byte(self.rope.byte_to_line(end)) {
            e if e > center => e,
            _ => end,
        };
        while !self.is_char_boundary(end) {
            end -= 1;
        }
        let start_line = self.rope.byte_to_line(start);
        let text = String::from(self.rope.byte_slice(start..end));
        Window {
            document: Document::unparsed(self.uri.clone(), self.language, text, 0),
            start,
            start_line,
        }
    }

    /// Applies an edit: O(edit + log n). The new version's tree is made on first use, incrementally
    /// from this one's (see [`Document::tree`]). Offsets must lie on char boundaries.
    pub fn apply_edit(&mut self, edit: &TextEdit) -> Result<()> {
        let TextEdit {
            start,
            end,
            new_text,
        } = edit;
        let (start, end) = (*start, *end);
        if start > end || !self.is_char_boundary(start) || !self.is_char_boundary(end) {
            return Err(Error::InvalidInput(format!(
                "edit range {start}..{end} is not a valid range of a {}-byte document",
                self.len()
            )));
        }
        let start_position = self.point_at(start);
        let input_edit = tree_sitter::InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: start + new_text.len(),
            start_position,
            old_end_position: self.point_at(end),
            new_end_position: advance(start_position, new_text),
        };
        let start_char = self.rope.byte_to_char(start);
        self.rope.remove(start_char..self.rope.byte_to_char(end));
        self.rope.insert(start_char, new_text);
        self.text = Arc::default();
        self.outline = Arc::default();
        if self.len() > self.syntax_limit {
            self.large = true;
            self.syntax = Arc::new(Syntax::none());
        } else if self.large {
            // Back under the limit by half, a large document is parsed again (not at every edit
            // that crosses the limit back and forth).
            if self.len() <= self.syntax_limit / 2 {
                self.reset_syntax();
            }
        } else if crate::syntax::grammar(self.language).is_some() {
            self.syntax = Syntax::after(&self.syntax, input_edit);
        }
        Ok(())
    }

    /// A copy with `edit` applied, parsed on first use incrementally from this document's tree: how
    /// validation tries a completion on the file without touching the open document.
    pub fn with_edit(&self, edit: &TextEdit) -> Result<Document> {
        let mut copy = self.clone();
        copy.apply_edit(edit)?;
        Ok(copy)
    }

    /// Replaces the whole text (full sync).
    pub fn set_text(&mut self, text: String) {
        self.rope = Rope::from_str(&text);
        drop(text);
        self.text = Arc::default();
        self.outline = Arc::default();
        self.reset_syntax();
    }

    /// After the whole text changed: a tree to make from scratch, or none.
    fn reset_syntax(&mut self) {
        self.large = self.len() > self.syntax_limit;
        self.syntax = Arc::new(
            if self.large || crate::syntax::grammar(self.language).is_none() {
                Syntax::none()
            } else {
                Syntax::pending(None, 0)
            },
        );
    }

    /// tree-sitter's point (row, byte column) of a byte offset. Rows count the rope's lines, which a
    /// lone `\r` also ends; tree-sitter counts only `\n`, but it parses by bytes, and nothing here reads
    /// a node's row.
    fn point_at(&self, offset: usize) -> tree_sitter::Point {
        let row = self.rope.byte_to_line(offset);
        tree_sitter::Point {
            row,
            column: offset - self.rope.line_to_byte(row),
        }
    }
}

/// One version's syntax tree, and until it is made, what to make it from.
struct Syntax {
    /// Set once: `None` when the version gets no tree (large, or no grammar).
    tree: OnceLock<Option<tree_sitter::Tree>>,
    /// Until `tree` is set: the version this one was edited from, and the edit. Cleared when `tree`
    /// is set, so a document keeps no tree older than the newest parsed version it descends from.
    from: Mutex<Option<(Arc<Syntax>, tree_sitter::InputEdit)>>,
    /// Unparsed versions in the chain that `from` starts (0 without one).
    depth: usize,
}

impl Syntax {
    fn none() -> Syntax {
        Syntax {
            tree: OnceLock::from(None),
            from: Mutex::new(None),
            depth: 0,
        }
    }

    fn pending(from: Option<(Arc<Syntax>, tree_sitter::InputEdit)>, depth: usize) -> Syntax {
        Syntax {
            tree: OnceLock::new(),
            from: Mutex::new(from),
            depth,
        }
    }

    /// The version made by `edit` from `previous`.
    fn after(previous: &Arc<Syntax>, edit: tree_sitter::InputEdit) -> Arc<Syntax> {
        let depth = match previous.tree.get() {
            Some(Some(_)) => 1,
            // Nothing to start from: a parse from scratch.
            Some(None) => return Arc::new(Syntax::pending(None, 0)),
            None => previous.depth + 1,
        };
        if depth > MAX_UNPARSED_EDITS {
            return Arc::new(Syntax::pending(None, 0));
        }
        Arc::new(Syntax::pending(Some((Arc::clone(previous), edit)), depth))
    }

    fn set(&self, tree: Option<tree_sitter::Tree>) {
        let _ = self.tree.set(tree);
        *self.from.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The tree of the newest earlier version that has one, edited to this version's text: the old
    /// tree for an incremental parse (`None`: parse from scratch).
    fn edited_tree(&self) -> Option<tree_sitter::Tree> {
        let mut edits = Vec::new();
        let mut from = self
            .from
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut tree = loop {
            let (previous, edit) = from?;
            edits.push(edit);
            match previous.tree.get() {
                Some(tree) => break tree.clone()?,
                None => {
                    from = previous
                        .from
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .clone();
                }
            }
        };
        for edit in edits.iter().rev() {
            tree.edit(edit);
        }
        Some(tree)
    }
}

impl Drop for Syntax {
    /// Unlinks the chain of unparsed versions one at a time: dropping it recursively could overflow
    /// the stack.
    fn drop(&mut self) {
        let mut next = self
            .from
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        while let Some((previous, _)) = next {
            next = match Arc::try_unwrap(previous) {
                Ok(mut only) => only
                    .from
                    .get_mut()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take(),
                Err(_) => None,
            };
        }
    }
}

/// The point after `text` inserted at `start`.
fn advance(start: tree_sitter::Point, text: &str) -> tree_sitter::Point {
    match text.rfind('\n') {
        Some(last) => tree_sitter::Point {
            row: start.row + text.bytes().filter(|&b| b == b'\n').count(),
            column: text.len() - last - 1,
        },
        None => tree_sitter::Point {
            row: start.row,
            column: start.column + text.len(),
        },
    }
}

/// Parses the rope chunk by chunk, reusing `old` (already `edit`ed) for an incremental re-parse;
/// `progress` may stop it.
fn parse_rope(
    language: crate::Language,
    rope: &Rope,
    old: Option<&tree_sitter::Tree>,
    progress: &mut dyn FnMut(&tree_sitter::ParseState) -> ControlFlow<()>,
) -> Option<tree_sitter::Tree> {
    let grammar = crate::syntax::grammar(language)?;
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&grammar).ok()?;
    parser.parse_with_options(
        &mut |byte: usize, _: tree_sitter::Point| bytes_from(rope, byte),
        old,
        Some(tree_sitter::ParseOptions::new().progress_callback(&mut |state| progress(state))),
    )
}

/// The rope's bytes from `byte` to the end of the chunk that holds it (empty at the end).
fn bytes_from(rope: &Rope, byte: usize) -> &[u8] {
    if byte >= rope.len_bytes() {
        return &[];
    }
    let (chunk, chunk_start, _, _) = rope.chunk_at_byte(byte);
    &chunk.as_bytes()[byte - chunk_start..]
}
