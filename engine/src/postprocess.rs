//! Raw model text -> the text to insert: strip `<think>`, normalise line endings, keep one line or the
//! rest of the cursor's syntactic block as the syntax around the cursor asks, drop what repeats the
//! suffix, and (validation) reject text that makes the file's syntax tree worse.
//!
//! [`cursor_syntax`] looks at the document once per request; [`process`] is then a pure function of
//! the raw text, so each rule can be tested on its own.

use crate::complete::Multiline;
use crate::{Document, Language, TextEdit, syntax};

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
    "def", "class", "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "async", "match", "case",
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

/// Analyses the cursor's surroundings: whether the completion may span lines (for
/// [`Multiline::Auto`]: after a block opener such as `def f():` or `{`, or on a blank line; a single line
/// mid-expression), and the indentation that ends the cursor's block.
pub fn cursor_syntax(document: &Document, cursor: usize, multiline: Multiline) -> CursorSyntax {
    let text = document.text();
    // Callers validate the cursor; a bad one here is clamped rather than panicking.
    let mut cursor = cursor.min(text.len());
    while !text.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let line_start = crate::context::line_start(text, cursor);
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
    let line_ending = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let indent = indent_width(line_prefix);
    let opens = opens_block(document, line_start + line_prefix.trim_end().len());
    let blank_line = line_prefix.trim().is_empty() && line_suffix.trim().is_empty();
    let lines = match multiline {
        Multiline::Always => Lines::Multi,
        Multiline::Never => Lines::Single,
        Multiline::Auto if opens || blank_line => Lines::Multi,
        Multiline::Auto => Lines::Single,
    };
    let (min_indent, closes_block_at) = if opens {
        (indent + 1, (document.language != Language::Python).then_some(indent))
    } else if blank_line {
        // On a blank line the cursor's column is the block's indentation.
        (line_prefix.chars().count(), None)
    } else {
        (indent, None)
    };
    CursorSyntax {
        lines,
        line_ending,
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
                        let line = &text[crate::context::line_start(text, end)..end];
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
        Language::Java => last == '{' && owner_kind.is_none_or(|kind| JAVA_BLOCK_OWNERS.contains(&kind)),
        Language::Other => last == '{' || last == ':',
    }
}

/// A post-processed completion: the text and the end of the range it replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Processed {
    pub text: String,
    /// Byte offset where the replaced range ends: the cursor, or the end of the cursor's line when the
    /// completion retypes the closing brackets already there.
    pub replace_end: usize,
}

/// Removes `<think>...</think>` blocks (and an unclosed `<think>` to the end, and everything before a
/// stray `</think>`), as instruct models emit them before the answer.
pub fn strip_think(text: &str, start: &str, end: &str) -> String {
    let mut text = text;
    // A reply that starts inside the thinking (the prompt opened it) has only the closing tag.
    if let Some(close) = text.find(end)
        && text.find(start).is_none_or(|open| open > close)
    {
        text = text[close + end.len()..].trim_start_matches(['\r', '\n']);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(start) {
        out.push_str(&rest[..open]);
        match rest[open..].find(end) {
            // The answer after `</think>` conventionally starts on a fresh line, which is not part of it.
            Some(close) => rest = rest[open + close + end.len()..].trim_start_matches(['\r', '\n']),
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Turns the model's raw output into the text to insert at `cursor`; `None` when nothing is left.
/// `think` is the model's pair of thinking tags (Qwen3's `<think>`, `</think>` when the tokenizer has
/// none).
pub fn process(raw: &str, cursor: usize, syntax: &CursorSyntax, think: (&str, &str)) -> Option<Processed> {
    let text = strip_think(raw, think.0, think.1);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines: Vec<&str> = text.split('\n').collect();

    match syntax.lines {
        Lines::Single => lines.truncate(1),
        Lines::Multi => lines.truncate(block_end(&lines, syntax)),
    }
    let next = syntax.next_line.as_deref().filter(|l| !l.trim().is_empty());
    if let (Some(next), Lines::Multi) = (next, syntax.lines) {
        // The model retyping the line after the cursor means it has written what was missing.
        if let Some(i) = lines.iter().skip(1).position(|l| l.trim_end() == next.trim_end()) {
            lines.truncate(i + 1);
        }
    }
    let mut lines: Vec<String> = lines.iter().map(|l| l.trim_end().to_owned()).collect();
    while lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }

    // Spaces the line already has before the cursor are not typed twice (`x = ` + ` 1`).
    if let Some(first) = lines.first_mut() {
        let prefix = &syntax.line_prefix;
        if prefix.ends_with([' ', '\t']) && !prefix.trim().is_empty() {
            *first = first.trim_start_matches([' ', '\t']).to_owned();
        }
    }

    let mut replace_end = cursor;
    let line_suffix = syntax.line_suffix.trim_end();
    if !line_suffix.is_empty()
        && let Some(last) = lines.last_mut()
    {
        if let Some(kept) = last.strip_suffix(line_suffix) {
            // The completion ends with what already follows the cursor: insert only what is new.
            *last = kept.to_owned();
        } else if is_closing_punctuation(line_suffix) && is_subsequence(line_suffix, last) {
            // `f(` + auto-paired `)`: the model wrote `x) -> int:`; replace the `)` rather than
            // leave a second one behind.
            replace_end = cursor + syntax.line_suffix.len();
        }
    }

    let text = lines.join("\n");
    if text.trim().is_empty() {
        return None;
    }
    let text = if syntax.line_ending == "\n" {
        text
    } else {
        text.replace('\n', syntax.line_ending)
    };
    Some(Processed { text, replace_end })
}

/// How many of `lines` (the first continues the cursor's line) stay inside the cursor's block.
fn block_end(lines: &[&str], syntax: &CursorSyntax) -> usize {
    for (i, line) in lines.iter().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let indent = indent_width(line);
        if indent < syntax.min_indent {
            let closes = syntax.closes_block_at == Some(indent) && line.trim_start().starts_with('}');
            return if closes { i + 1 } else { i };
        }
    }
    lines.len()
}

/// Leading whitespace in characters (a tab counts as one, like the editors' columns).
fn indent_width(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').count()
}

fn is_closing_punctuation(s: &str) -> bool {
    s.len() <= 8
        && s.chars()
            .all(|c| matches!(c, ')' | ']' | '}' | '"' | '\'' | ':' | ';' | ',' | ' '))
}

/// Whether the characters of `needle` (spaces ignored) appear in `haystack` in order.
fn is_subsequence(needle: &str, haystack: &str) -> bool {
    let mut hay = haystack.chars();
    needle.chars().filter(|c| *c != ' ').all(|c| hay.any(|h| h == c))
}

/// The result of checking a completion against the file's syntax tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntaxCheck {
    /// ERROR and MISSING nodes before and after inserting the completion.
    pub errors_before: usize,
    pub errors_after: usize,
    /// Of `errors_after`, those that lie within the lines of the inserted text: the completion left
    /// its own lines broken (`x = ` + `(1, 2`), even if the file was as broken before.
    pub errors_in_completion: usize,
}

impl SyntaxCheck {
    /// The completion adds no syntax errors and has none of its own.
    pub fn passed(&self) -> bool {
        self.errors_after <= self.errors_before && self.errors_in_completion == 0
    }
}

/// Counts syntax errors before and after replacing `cursor..completion.replace_end` with the
/// completion. `None` for languages without a grammar.
pub fn check_syntax(document: &Document, cursor: usize, completion: &Processed) -> Option<SyntaxCheck> {
    let before = document.tree()?;
    let end = completion.replace_end.clamp(cursor, document.text().len());
    let edit = TextEdit {
        start: cursor,
        end,
        new_text: completion.text.clone(),
    };
    let after = document.with_edit(&edit).ok()?;
    let errors = syntax::errors(after.tree()?);
    let text = after.text();
    let lines =
        crate::context::line_start(text, cursor)..crate::context::line_end(text, cursor + completion.text.len());
    let errors_in_completion = errors
        .iter()
        .filter(|e| lines.start <= e.start && e.end <= lines.end)
        .count();
    Some(SyntaxCheck {
        errors_before: syntax::error_count(before),
        errors_after: errors.len(),
        errors_in_completion,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn think_blocks_are_removed_wherever_they_are() {
        let strip = |s| strip_think(s, "<think>", "</think>");
        assert_eq!(strip("<think>\nhmm\n</think>\n\nreturn x"), "return x");
        assert_eq!(strip("a<think>b</think>c<think>d</think>e"), "ace");
        assert_eq!(strip("return x<think>never closed"), "return x");
        assert_eq!(strip("still thinking</think>\nreturn y"), "return y");
        assert_eq!(strip("no tags\n"), "no tags\n");
    }

    #[test]
    fn subsequences_ignore_spaces() {
        assert!(is_subsequence("):", "a, b) -> int:"));
        assert!(!is_subsequence(")]", "x]"));
    }
}
