//! Line arithmetic on UTF-8 text by byte offset, shared by the stages that cut text at lines.

/// Start of the line containing `offset`.
pub(crate) fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// End of the line containing `offset`, after its `\n` (or the end of the text).
pub(crate) fn line_end(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// Byte offsets where lines start.
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Leading whitespace in characters (a tab counts as one, like the editors' columns).
pub(crate) fn indent_width(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').count()
}

/// The text's line ending: `"\r\n"` when it has any, else `"\n"`.
pub(crate) fn line_ending(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_around_an_offset() {
        let text = "ab\ncd\n";
        assert_eq!((line_start(text, 4), line_end(text, 4)), (3, 6));
        assert_eq!((line_start(text, 0), line_end(text, 0)), (0, 3));
        assert_eq!((line_start(text, 6), line_end(text, 6)), (6, 6));
        assert_eq!(line_starts(text), [0, 3, 6]);
    }

    #[test]
    fn indentation_counts_characters() {
        assert_eq!(indent_width("\t  x"), 3);
        assert_eq!(indent_width("x  "), 0);
    }
}
