//! An open source file: its text, language and syntax tree, updated incrementally by edits.
//!
//! Offsets here are UTF-8 byte offsets into `text`; converting editor positions (UTF-16 or UTF-8
//! line/character) to bytes is the server's job.

use std::sync::{Arc, OnceLock};

use crate::syntax::{Language, Outline};
use crate::{Error, Result};

/// Replace `text[start..end]` with `new_text` (byte offsets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub end: usize,
    pub new_text: String,
}

/// A document and its syntax tree.
#[derive(Clone)]
pub struct Document {
    pub uri: String,
    pub language: Language,
    text: String,
    tree: Option<tree_sitter::Tree>,
    /// Imports and definitions, extracted on first use after each change: every completion reads the
    /// outline of every open document, which changes far less often than it is read.
    outline: OnceLock<Arc<Outline>>,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("uri", &self.uri)
            .field("language", &self.language)
            .finish()
    }
}

impl Document {
    pub fn new(uri: impl Into<String>, language: Language, text: impl Into<String>) -> Document {
        let mut doc = Document {
            uri: uri.into(),
            language,
            text: text.into(),
            tree: None,
            outline: OnceLock::new(),
        };
        doc.tree = crate::syntax::parse(language, &doc.text, None);
        doc
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The current syntax tree (`None` for [`Language::Other`]).
    pub fn tree(&self) -> Option<&tree_sitter::Tree> {
        self.tree.as_ref()
    }

    /// Imports and definitions of the current text (empty for [`Language::Other`]).
    pub fn outline(&self) -> Arc<Outline> {
        Arc::clone(self.outline.get_or_init(|| {
            Arc::new(match &self.tree {
                Some(tree) => crate::syntax::outline(self.language, tree, &self.text),
                None => Outline::default(),
            })
        }))
    }

    /// Applies an edit and re-parses incrementally. Offsets must lie on char boundaries.
    pub fn apply_edit(&mut self, edit: &TextEdit) -> Result<()> {
        let TextEdit { start, end, new_text } = edit;
        let (start, end) = (*start, *end);
        if start > end
            || end > self.text.len()
            || !self.text.is_char_boundary(start)
            || !self.text.is_char_boundary(end)
        {
            return Err(Error::InvalidInput(format!(
                "edit range {start}..{end} is not a valid range of a {}-byte document",
                self.text.len()
            )));
        }
        let input_edit = tree_sitter::InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: start + new_text.len(),
            start_position: point_at(&self.text, start),
            old_end_position: point_at(&self.text, end),
            new_end_position: {
                let mut p = point_at(&self.text, start);
                for b in new_text.bytes() {
                    if b == b'\n' {
                        p.row += 1;
                        p.column = 0;
                    } else {
                        p.column += 1;
                    }
                }
                p
            },
        };
        self.text.replace_range(start..end, new_text);
        if let Some(tree) = &mut self.tree {
            tree.edit(&input_edit);
        }
        self.tree = crate::syntax::parse(self.language, &self.text, self.tree.as_ref());
        self.outline = OnceLock::new();
        Ok(())
    }

    /// A copy with `edit` applied, re-parsed incrementally from this document's tree: how validation
    /// tries a completion on the file without touching the open document.
    pub fn with_edit(&self, edit: &TextEdit) -> Result<Document> {
        let mut copy = Document {
            uri: self.uri.clone(),
            language: self.language,
            text: self.text.clone(),
            tree: self.tree.clone(),
            outline: OnceLock::new(),
        };
        copy.apply_edit(edit)?;
        Ok(copy)
    }

    /// Replaces the whole text (full sync).
    pub fn set_text(&mut self, text: String) {
        self.text = text;
        self.tree = crate::syntax::parse(self.language, &self.text, None);
        self.outline = OnceLock::new();
    }
}

/// tree-sitter's point (row, byte column) of a byte offset.
fn point_at(text: &str, offset: usize) -> tree_sitter::Point {
    let before = &text[..offset];
    let row = before.bytes().filter(|&b| b == b'\n').count();
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
    tree_sitter::Point { row, column }
}
