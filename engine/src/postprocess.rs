//! Raw model text -> the text to insert: strip `<think>`, normalise line endings, keep one line or the
//! rest of the cursor's syntactic block as the request decided, and drop what repeats the suffix.
//!
//! [`process`] is a pure function of the raw text and of what the earlier stages decided (the
//! [`CursorSyntax`] of the context stage, the [`Lines`] of the prompt stage), so each rule can be
//! tested on its own. Checking the result against the file's syntax tree is the next stage,
//! [`crate::validate`].

use crate::SpecialTokens;
use crate::cursor::{CursorSyntax, Lines};
use crate::text::indent_width;

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

/// The model's pair of thinking tags: its tokenizer's, else Qwen3's `<think>` and `</think>` (models
/// without the tokens can still write the text).
pub fn think_tags(special: &SpecialTokens) -> (&str, &str) {
    (
        special.think_start.as_deref().unwrap_or("<think>"),
        special.think_end.as_deref().unwrap_or("</think>"),
    )
}

/// Turns the model's raw output into the text to insert at the cursor (`syntax.offset`); `None` when
/// nothing is left. `lines` is the request's decision ([`crate::cursor::Multiline::lines`]); `think`
/// the model's [`think_tags`].
pub fn process(
    raw: &str,
    syntax: &CursorSyntax,
    lines: Lines,
    think: (&str, &str),
) -> Option<Processed> {
    let cursor = syntax.offset;
    let text = strip_think(raw, think.0, think.1);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let decision = lines;
    let mut lines: Vec<&str> = text.split('\n').collect();

    match decision {
        Lines::Single => lines.truncate(1),
        Lines::Multi => lines.truncate(block_end(&lines, syntax)),
    }
    let next = syntax.next_line.as_deref().filter(|l| !l.trim().is_empty());
    if let (Some(next), Lines::Multi) = (next, decision) {
        // The model retyping the line after the cursor means it has written what was missing.
        if let Some(i) = lines
            .iter()
            .skip(1)
            .position(|l| l.trim_end() == next.trim_end())
        {
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

/// Whether text the model writes after `raw` can no longer change what [`process`] makes of it, so
/// decoding can stop: a multi-line answer whose block has ended (the first line outside it has its
/// indentation, or the line that closes it is complete) or that has retyped the line after the cursor.
/// A single-line answer ends at its newline, which is a stop string already.
pub fn is_final(raw: &str, syntax: &CursorSyntax, lines: Lines, think: (&str, &str)) -> bool {
    if lines != Lines::Multi {
        return false;
    }
    let text = strip_think(raw, think.0, think.1);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    // `block_end` stops at a line with a character (its indentation is known), or after a closing line
    // that a newline ended.
    let end = block_end(&lines, syntax);
    if end < lines.len() {
        return true;
    }
    let Some(next) = syntax.next_line.as_deref().filter(|l| !l.trim().is_empty()) else {
        return false;
    };
    // Complete lines only: the last one may still grow.
    lines[..lines.len() - 1]
        .iter()
        .skip(1)
        .any(|l| l.trim_end() == next.trim_end())
}

/// How many of `lines` (the first continues the cursor's line) stay inside the cursor's block.
fn block_end(lines: &[&str], syntax: &CursorSyntax) -> usize {
    for (i, line) in lines.iter().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let indent = indent_width(line);
        if indent < syntax.min_indent {
            let closes =
                syntax.closes_block_at == Some(indent) && line.trim_start().starts_with('}');
            return if closes { i + 1 } else { i };
        }
    }
    lines.len()
}

fn is_closing_punctuation(s: &str) -> bool {
    s.len() <= 8
        && s.chars()
            .all(|c| matches!(c, ')' | ']' | '}' | '"' | '\'' | ':' | ';' | ',' | ' '))
}

/// Whether the characters of `needle` (spaces ignored) appear in `haystack` in order.
fn is_subsequence(needle: &str, haystack: &str) -> bool {
    let mut hay = haystack.chars();
    needle
        .chars()
        .filter(|c| *c != ' ')
        .all(|c| hay.any(|h| h == c))
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
