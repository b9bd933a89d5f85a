//! Raw model text -> the text to insert: strip `<think>`, normalise line endings, stop at the end of the
//! cursor's syntactic block, drop what repeats the suffix, keep one line or several as the syntax
//! around the cursor asks.

use crate::Document;

/// Single line or multi-line, once decided for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

/// What post-processing knows about the cursor, computed once from the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CursorSyntax {
    pub lines: Lines,
    /// The document's line ending (`"\n"` or `"\r\n"`).
    pub line_ending: &'static str,
}

/// Analyses the cursor's surroundings.
pub fn cursor_syntax(document: &Document, cursor: usize) -> CursorSyntax {
    let _ = cursor;
    let line_ending = if document.text().contains("\r\n") { "\r\n" } else { "\n" };
    CursorSyntax { lines: Lines::Single, line_ending }
}

/// A post-processed completion: the text and the end of the range it replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Processed {
    pub text: String,
    pub replace_end: usize,
}

/// Turns the model's raw output into the text to insert; `None` when nothing is left.
pub fn process(raw: &str, document: &Document, cursor: usize, syntax: &CursorSyntax) -> Option<Processed> {
    let _ = (document, syntax);
    let text = raw.trim_end();
    (!text.is_empty()).then(|| Processed { text: text.to_owned(), replace_end: cursor })
}
