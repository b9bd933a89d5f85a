//! Importers: convert other tools' problem files into this crate's format (see `evals/README.md`).
//! What they read stays on the user's machine; nothing imported is redistributed.

pub mod leetcode_sdk;
pub mod livecodebench;

/// Indents every non-empty line of `text` by `by` spaces.
pub(crate) fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A Python docstring literal (triple-quoted, indented by `by`) holding `text` verbatim: backslashes and
/// triple quotes in the statement are escaped so the literal means exactly `text`.
pub(crate) fn docstring(text: &str, by: usize) -> String {
    let escaped = text
        .trim()
        .replace('\\', "\\\\")
        .replace("\"\"\"", "\\\"\\\"\\\"");
    let pad = " ".repeat(by);
    format!("{pad}\"\"\"\n{}\n{pad}\"\"\"\n", indent(&escaped, by))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docstrings_escape_quotes_and_backslashes() {
        assert_eq!(
            docstring("a \"\"\" b\\n\n\nc", 4),
            "    \"\"\"\n    a \\\"\\\"\\\" b\\\\n\n\n    c\n    \"\"\"\n"
        );
    }
}
