//! Conversions between the protocol and the engine: LSP positions (line + UTF-16 or UTF-8 code units)
//! <-> UTF-8 byte offsets, content changes -> engine edits, engine completions -> LSP items.
//!
//! The offset encoding is an explicit argument of every position conversion (as in helix-lsp), so no
//! caller can forget which one the client negotiated.

use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, InlineCompletionItem, InsertTextFormat,
    Position, PositionEncodingKind, Range, TextDocumentContentChangeEvent, TextEdit,
};

/// The unit of `Position::character`, negotiated at `initialize`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PositionEncoding {
    /// UTF-8 code units (bytes): the cheapest, chosen whenever the client offers it.
    Utf8,
    /// UTF-16 code units: the protocol's default, which every client supports.
    #[default]
    Utf16,
}

impl PositionEncoding {
    /// Picks UTF-8 when the client lists it, else the mandatory UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> PositionEncoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
            _ => PositionEncoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            PositionEncoding::Utf8 => c.len_utf8(),
            PositionEncoding::Utf16 => c.len_utf16(),
        }
    }
}

/// A position the document cannot hold. Reported to the client as `InvalidParams`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PositionError {
    #[error("line {line} is past the end of the document ({lines} lines)")]
    LineOutOfRange { line: u32, lines: usize },
    #[error(
        "character {character} on line {line} falls inside a character that is {width} code units wide"
    )]
    InsideCharacter {
        line: u32,
        character: u32,
        width: usize,
    },
    #[error("range end {end:?} comes before its start {start:?}")]
    ReversedRange { start: Position, end: Position },
}

/// Byte offsets of the starts of lines. A line ends at `\n`, `\r\n` or a lone `\r`, as the protocol says.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => starts.push(i + 1),
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                starts.push(i + 2);
                i += 1;
            }
            b'\r' => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts
}

/// The line's text without its terminator.
fn line_content(text: &str, start: usize, next_start: Option<usize>) -> &str {
    let line = &text[start..next_start.unwrap_or(text.len())];
    line.strip_suffix("\r\n")
        .or_else(|| line.strip_suffix('\n'))
        .or_else(|| line.strip_suffix('\r'))
        .unwrap_or(line)
}

/// The byte offset of `position` in `text`. A character past the end of its line means the end of the
/// line (the protocol's rule); a line past the end of the document or a position inside a multi-unit
/// character (half of a surrogate pair, the middle of a UTF-8 sequence) is an error. (The tests' reference
/// for [`offset_in`], which requests use: it reads the whole text.)
#[cfg(test)]
pub fn offset(
    text: &str,
    position: Position,
    encoding: PositionEncoding,
) -> Result<usize, PositionError> {
    let starts = line_starts(text);
    let line = position.line as usize;
    let Some(&start) = starts.get(line) else {
        return Err(PositionError::LineOutOfRange {
            line: position.line,
            lines: starts.len(),
        });
    };
    let content = line_content(text, start, starts.get(line + 1).copied());
    column_offset(content, start, position, encoding)
}

/// [`offset`] in an engine document, reading only the position's line (not the whole text).
pub fn offset_in(
    document: &engine::Document,
    position: Position,
    encoding: PositionEncoding,
) -> Result<usize, PositionError> {
    let Some(range) = document.line_range(position.line as usize) else {
        return Err(PositionError::LineOutOfRange {
            line: position.line,
            lines: document.line_count(),
        });
    };
    let start = range.start;
    // Line ranges lie on character boundaries, so the slice cannot fail; an empty line if it did.
    let line = document.slice(range).unwrap_or_default();
    let content = line_content(&line, 0, None);
    column_offset(content, start, position, encoding)
}

/// The byte offset of `position`'s character in `content`, the text of its line (which starts at `start`).
fn column_offset(
    content: &str,
    start: usize,
    position: Position,
    encoding: PositionEncoding,
) -> Result<usize, PositionError> {
    let wanted = position.character as usize;
    let mut units = 0;
    for (byte, c) in content.char_indices() {
        if units == wanted {
            return Ok(start + byte);
        }
        let width = encoding.width(c);
        if units + width > wanted {
            return Err(PositionError::InsideCharacter {
                line: position.line,
                character: position.character,
                width,
            });
        }
        units += width;
    }
    Ok(start + content.len())
}

/// The position of byte `offset` (clamped to the text, moved back to a char boundary).
pub fn position(text: &str, offset: usize, encoding: PositionEncoding) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let starts = line_starts(text);
    // The last line start at or before `offset`; a `\r\n` pair is never split because no start lies inside it.
    let line = starts.partition_point(|&s| s <= offset) - 1;
    let start = starts[line];
    let character: usize = text[start..offset].chars().map(|c| encoding.width(c)).sum();
    Position {
        line: to_u32(line),
        character: to_u32(character),
    }
}

/// Byte range of an LSP range (the tests' reference for [`byte_range_in`]).
#[cfg(test)]
pub fn byte_range(
    text: &str,
    range: Range,
    encoding: PositionEncoding,
) -> Result<std::ops::Range<usize>, PositionError> {
    let start = offset(text, range.start, encoding)?;
    let end = offset(text, range.end, encoding)?;
    if end < start {
        return Err(PositionError::ReversedRange {
            start: range.start,
            end: range.end,
        });
    }
    Ok(start..end)
}

/// [`byte_range`] in an engine document, reading only the two lines.
pub fn byte_range_in(
    document: &engine::Document,
    range: Range,
    encoding: PositionEncoding,
) -> Result<std::ops::Range<usize>, PositionError> {
    let start = offset_in(document, range.start, encoding)?;
    let end = offset_in(document, range.end, encoding)?;
    if end < start {
        return Err(PositionError::ReversedRange {
            start: range.start,
            end: range.end,
        });
    }
    Ok(start..end)
}

/// LSP range of a byte range.
pub fn range(text: &str, bytes: std::ops::Range<usize>, encoding: PositionEncoding) -> Range {
    Range {
        start: position(text, bytes.start, encoding),
        end: position(text, bytes.end, encoding),
    }
}

/// The engine edit for one content change, against the document as it is before the change: O(the
/// change's lines), whatever the document's size. A change without a range replaces the whole document.
pub fn text_edit_in(
    document: &engine::Document,
    change: TextDocumentContentChangeEvent,
    encoding: PositionEncoding,
) -> Result<engine::TextEdit, PositionError> {
    let bytes = match change.range {
        Some(range) => byte_range_in(document, range, encoding)?,
        None => 0..document.len(),
    };
    Ok(engine::TextEdit {
        start: bytes.start,
        end: bytes.end,
        new_text: change.text,
    })
}

/// An inline completion item: the engine's text, replacing `cursor..replace_end`.
pub fn inline_completion_item(
    text: &str,
    cursor: usize,
    completion: &engine::complete::Completion,
    encoding: PositionEncoding,
) -> InlineCompletionItem {
    InlineCompletionItem {
        insert_text: completion.text.clone(),
        filter_text: None,
        range: Some(range(
            text,
            cursor..completion.replace_end.max(cursor),
            encoding,
        )),
        command: None,
        insert_text_format: Some(InsertTextFormat::PLAIN_TEXT),
    }
}

/// The same completion as a classic completion item, for clients without inline completion. The edit
/// starts at the cursor, so the client's filtering (text between the edit's start and the cursor) never
/// hides it; the label is the first non-blank line, which is what a completion menu can show.
pub fn completion_item(
    text: &str,
    cursor: usize,
    completion: &engine::complete::Completion,
    encoding: PositionEncoding,
) -> CompletionItem {
    let first_line = completion
        .text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let label: String = if first_line.chars().count() > 80 {
        first_line
            .chars()
            .take(79)
            .chain(std::iter::once('…'))
            .collect()
    } else {
        first_line.to_owned()
    };
    let edit_range = range(text, cursor..completion.replace_end.max(cursor), encoding);
    CompletionItem {
        label,
        kind: Some(CompletionItemKind::TEXT),
        detail: Some("qwen-lsp".to_owned()),
        filter_text: Some(completion.text.clone()),
        insert_text_format: Some(InsertTextFormat::PLAIN_TEXT),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range: edit_range,
            new_text: completion.text.clone(),
        })),
        // Sort before the editor's other sources' items that share the (empty) filter prefix.
        sort_text: Some("0".to_owned()),
        ..CompletionItem::default()
    }
}

/// Lines and characters are u32 in the protocol; documents that overflow it cannot be opened anyway.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::PositionEncoding::{Utf8, Utf16};
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn offsets_table() {
        // (text, position, encoding, expected byte offset, whether `position` maps the offset back)
        let ok: &[(&str, Position, PositionEncoding, usize, bool)] = &[
            ("abc", pos(0, 0), Utf16, 0, true),
            ("abc", pos(0, 3), Utf16, 3, true),
            ("abc", pos(0, 99), Utf16, 3, false), // past the line's end: the line's end
            ("ab\ncd", pos(1, 1), Utf16, 4, true),
            ("ab\ncd", pos(0, 5), Utf16, 2, false), // clamped before the newline
            ("ab\r\ncd", pos(0, 3), Utf16, 2, false), // never between \r and \n
            ("ab\r\ncd", pos(1, 0), Utf16, 4, true),
            ("ab\rcd", pos(1, 1), Utf16, 4, true), // a lone \r ends a line
            ("ab\n", pos(1, 0), Utf16, 3, true),   // the empty last line exists
            ("é=1", pos(0, 1), Utf16, 2, true),    // é: 1 UTF-16 unit, 2 bytes
            ("é=1", pos(0, 2), Utf8, 2, true),
            ("x😀y", pos(0, 3), Utf16, 5, true), // 😀: a surrogate pair, 4 bytes
            ("x😀y", pos(0, 5), Utf8, 5, true),
            ("x😀y", pos(0, 4), Utf16, 6, true),
            ("a\n😀😀\nb", pos(1, 2), Utf16, 6, true),
            ("a\n😀😀\nb", pos(2, 1), Utf16, 12, true),
            ("日本", pos(0, 1), Utf16, 3, true),
            ("日本", pos(0, 3), Utf8, 3, true),
        ];
        for &(text, position, encoding, expected, round_trips) in ok {
            assert_eq!(
                offset(text, position, encoding),
                Ok(expected),
                "{text:?} {position:?} {encoding:?}"
            );
            let document = engine::Document::new("file:///t", engine::Language::Other, text);
            assert_eq!(
                offset_in(&document, position, encoding),
                Ok(expected),
                "rope: {text:?} {position:?}"
            );
            if round_trips {
                assert_eq!(
                    super::position(text, expected, encoding),
                    position,
                    "{text:?} {expected} {encoding:?}"
                );
            }
        }
    }

    #[test]
    fn invalid_positions_are_errors() {
        assert_eq!(
            offset("ab\ncd", pos(2, 0), Utf16),
            Err(PositionError::LineOutOfRange { line: 2, lines: 2 })
        );
        assert_eq!(
            offset("", pos(1, 0), Utf8),
            Err(PositionError::LineOutOfRange { line: 1, lines: 1 })
        );
        let document = engine::Document::new("file:///t", engine::Language::Other, "ab\ncd");
        assert_eq!(
            offset_in(&document, pos(2, 0), Utf16),
            Err(PositionError::LineOutOfRange { line: 2, lines: 2 })
        );
        let document = engine::Document::new("file:///t", engine::Language::Other, "x😀y");
        assert_eq!(
            offset_in(&document, pos(0, 2), Utf16),
            Err(PositionError::InsideCharacter {
                line: 0,
                character: 2,
                width: 2
            })
        );
        // Between the two halves of a surrogate pair.
        assert_eq!(
            offset("x😀y", pos(0, 2), Utf16),
            Err(PositionError::InsideCharacter {
                line: 0,
                character: 2,
                width: 2
            })
        );
        // Inside a UTF-8 sequence.
        assert_eq!(
            offset("x😀y", pos(0, 3), Utf8),
            Err(PositionError::InsideCharacter {
                line: 0,
                character: 3,
                width: 4
            })
        );
        assert_eq!(
            byte_range(
                "abc",
                Range {
                    start: pos(0, 2),
                    end: pos(0, 1)
                },
                Utf16
            ),
            Err(PositionError::ReversedRange {
                start: pos(0, 2),
                end: pos(0, 1)
            })
        );
    }

    #[test]
    fn positions_of_offsets() {
        assert_eq!(position("a😀b", 5, Utf16), pos(0, 3));
        assert_eq!(position("a😀b", 5, Utf8), pos(0, 5));
        assert_eq!(
            position("a😀b", 3, Utf16),
            pos(0, 1),
            "inside a char: moved back to its start"
        );
        assert_eq!(position("a\r\nb", 3, Utf16), pos(1, 0));
        assert_eq!(position("a\n", 99, Utf16), pos(1, 0), "clamped to the end");
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut doc = engine::Document::new(
            "file:///t.py",
            engine::Language::Python,
            "x = '😀'\ny = 2\n",
        );
        let changes = [
            (
                Some(Range {
                    start: pos(0, 7),
                    end: pos(0, 7),
                }),
                "!",
            ), // after the emoji: UTF-16 column 7
            (
                Some(Range {
                    start: pos(1, 4),
                    end: pos(1, 5),
                }),
                "42",
            ),
            (None, "z = 3\n"),
            (
                Some(Range {
                    start: pos(1, 0),
                    end: pos(1, 0),
                }),
                "w",
            ),
        ];
        let mut seen = Vec::new();
        for (range, new_text) in changes {
            let change = TextDocumentContentChangeEvent {
                range,
                range_length: None,
                text: new_text.to_owned(),
            };
            let edit = text_edit_in(&doc, change, Utf16).expect("valid change");
            doc.apply_edit(&edit).expect("edit applies");
            seen.push(doc.text().to_owned());
        }
        assert_eq!(
            seen,
            [
                "x = '😀!'\ny = 2\n",
                "x = '😀!'\ny = 42\n",
                "z = 3\n",
                "z = 3\nw"
            ]
        );
    }

    #[test]
    fn negotiation_prefers_utf8_only_when_offered() {
        assert_eq!(PositionEncoding::negotiate(None), Utf16);
        assert_eq!(
            PositionEncoding::negotiate(Some(&[PositionEncodingKind::UTF16])),
            Utf16
        );
        assert_eq!(
            PositionEncoding::negotiate(Some(&[
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8
            ])),
            Utf8
        );
        assert_eq!(
            PositionEncoding::negotiate(Some(&[PositionEncodingKind::UTF32])),
            Utf16
        );
    }

    #[test]
    fn completion_item_label_is_first_nonblank_line() {
        let completion = engine::complete::Completion {
            text: "\n    return a + b\n".into(),
            replace_end: 4,
        };
        let item = completion_item("def ", 4, &completion, Utf16);
        assert_eq!(item.label, "return a + b");
        let Some(CompletionTextEdit::Edit(edit)) = item.text_edit else {
            panic!("plain edit expected")
        };
        assert_eq!(
            edit.range,
            Range {
                start: pos(0, 4),
                end: pos(0, 4)
            }
        );
    }
}
