//! The syntax at the cursor, as plain data: whether the cursor opens a block or sits on a blank line
//! (so a completion may span lines), the line around it, and the indentation that ends its block.
//!
//! The context stage computes it once per request ([`syntax_at`], kept in `EditorContext::cursor`);
//! the prompt stage reads the [`Lines`] decision and post-processing reads the rest. Nothing here
//! looks at model output.

use serde::{Deserialize, Serialize};

use crate::text::{indent_width, line_ending, line_start};
use crate::{Document, Language, syntax};

/// The multi-line setting: single line, multi-line, or decided from the syntax around the cursor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Multiline {
    #[default]
    Auto,
    Always,
    Never,
}

impl Multiline {
    /// The decision for one request: the setting, or for `Auto` what the syntax at the cursor asks.
    pub fn lines(self, syntax: &CursorSyntax) -> Lines {
        match self {
            Multiline::Auto => syntax.lines,
            Multiline::Always => Lines::Multi,
            Multiline::Never => Lines::Single,
        }
    }
}

/// Single line or multi-line, once decided for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

/// What the later stages need to know about the cursor's surroundings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CursorSyntax {
    /// The cursor, a byte offset of the document.
    pub offset: usize,
    /// What the syntax asks for: several lines after a block opener (`def f():`, `{`) or on a blank
    /// line, one line mid-expression. [`Multiline::lines`] applies the user's setting over it.
    pub lines: Lines,
    /// The document's line ending (`"\n"` or `"\r\n"`), which the completion is converted to.
    pub line_ending: &'static str,
    /// The cursor's line before the cursor.
    pub line_prefix: String,
    /// The cursor's line after the cursor (without the line ending).
    pub line_suffix: String,
    /// The first non-blank line after the cursor's line, if any.
    pub next_line: Option<String>,
    /// Lines after the first must be indented at least this much (in characters) to stay in the
    /// cursor's block; the first line that is not ends the completion.
    pub min_indent: usize,
    /// Java: the cursor opens a block (`... {`), so one closing `}` line at the header's indentation
    /// belongs to the completion and ends it.
    pub closes_block_at: Option<usize>,
}

/// Python statements whose `:` opens a block.
const PYTHON_BLOCK_OWNERS: &[&str] = &[
    "function_definition",
    "class_definition",
    "if_statement",
    "elif_clause",
    "else_clause",
    "for_statement",
    "while_statement",
    "try_statement",
    "except_clause",
    "finally_clause",
    "with_statement",
    "match_statement",
    "case_clause",
];
/// First words of Python lines whose trailing `:` opens a block, for trees that are broken there.
const PYTHON_BLOCK_KEYWORDS: &[&str] = &[
    "def", "class", "if", "elif", "else", "for", "while", "try", "except", "finally", "with",
    "async", "match", "case",
];
/// Java nodes whose `{` opens a block of statements or members (not an array initializer).
const JAVA_BLOCK_OWNERS: &[&str] = &[
    "block",
    "class_body",
    "interface_body",
    "enum_body",
    "constructor_body",
    "switch_block",
    "lambda_expression",
    "ERROR",
];

/// The syntax at byte offset `cursor` of `document`. A cursor past the end or inside a character is
/// moved back to the nearest character boundary rather than panicking (the context stage has already
/// rejected such requests).
pub fn syntax_at(document: &Document, cursor: usize) -> CursorSyntax {
    let text = document.text();
    let mut cursor = cursor.min(text.len());
    while !text.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let line_start = line_start(text, cursor);
    let line_end = text[cursor..].find('\n').map_or(text.len(), |i| cursor + i);
    let line_prefix = &text[line_start..cursor];
    let line_suffix = text[cursor..line_end].trim_end_matches('\r');
    let next_line = text
        .get(line_end + 1..)
        .unwrap_or("")
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .find(|l| !l.trim().is_empty())
        .map(str::to_owned);
    let indent = indent_width(line_prefix);
    let opens = opens_block(document, line_start + line_prefix.trim_end().len());
    let blank_line = line_prefix.trim().is_empty() && line_suffix.trim().is_empty();
    let lines = if opens || blank_line {
        Lines::Multi
    } else {
        Lines::Single
    };
    let (min_indent, closes_block_at) = if opens {
        (
            indent + 1,
            (document.language != Language::Python).then_some(indent),
        )
    } else if blank_line {
        // On a blank line the cursor's column is the block's indentation.
        (line_prefix.chars().count(), None)
    } else {
        (indent, None)
    };
    CursorSyntax {
        offset: cursor,
        lines,
        line_ending: line_ending(text),
        line_prefix: line_prefix.to_owned(),
        line_suffix: line_suffix.to_owned(),
        next_line,
        min_indent,
        closes_block_at,
    }
}

/// Whether the text ending at `end` (just after the cursor line's last non-blank character before the
/// cursor) opens a block: the `:` of a Python compound statement, the `{` of a Java body.
fn opens_block(document: &Document, end: usize) -> bool {
    let text = document.text();
    let Some(last) = text[..end].chars().next_back() else {
        return false;
    };
    let owner = document
        .tree()
        .and_then(|tree| syntax::token_before(tree, end))
        .and_then(|t| t.parent());
    let owner_kind = owner.as_ref().map(|o| o.kind());
    match document.language {
        Language::Python => {
            last == ':'
                && match owner_kind {
                    Some(kind) if PYTHON_BLOCK_OWNERS.contains(&kind) => true,
                    // An unfinished block (`def f():` with no body yet) often parses as an ERROR; the
                    // line's first word tells a block from a dict or a slice.
                    Some("ERROR") | Some("module") | None => {
                        let line = &text[line_start(text, end)..end];
                        let word = line
                            .trim_start()
                            .split(|c: char| !c.is_alphanumeric() && c != '_')
                            .next()
                            .unwrap_or("");
                        PYTHON_BLOCK_KEYWORDS.contains(&word)
                    }
                    Some(_) => false,
                }
        }
        Language::Java => {
            last == '{' && owner_kind.is_none_or(|kind| JAVA_BLOCK_OWNERS.contains(&kind))
        }
        Language::Other => last == '{' || last == ':',
    }
}
