//! The last stage: does an edit (a post-processed completion, a code action's candidate) leave the
//! file's syntax tree no worse than it was, and its own lines unbroken?

use crate::postprocess::Processed;
use crate::text::{line_end, line_start};
use crate::{Document, TextEdit, syntax};

/// The result of checking an edit against the file's syntax tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntaxCheck {
    /// ERROR and MISSING nodes before and after the edit.
    pub errors_before: usize,
    pub errors_after: usize,
    /// Of `errors_after`, those that lie within the lines of the inserted text: the edit left its own
    /// lines broken (`x = ` + `(1, 2`), even if the file was as broken before.
    pub errors_in_completion: usize,
}

impl SyntaxCheck {
    /// The edit adds no syntax errors and has none of its own.
    pub fn passed(&self) -> bool {
        self.errors_after <= self.errors_before && self.errors_in_completion == 0
    }
}

/// Counts syntax errors before and after replacing `cursor..completion.replace_end` with the
/// completion. `None` for languages without a grammar.
pub fn check_syntax(
    document: &Document,
    cursor: usize,
    completion: &Processed,
) -> Option<SyntaxCheck> {
    let end = completion.replace_end.clamp(cursor, document.text().len());
    check_edit(
        document,
        &TextEdit {
            start: cursor,
            end,
            new_text: completion.text.clone(),
        },
    )
}

/// Counts syntax errors before and after applying `edit`. `None` for languages without a grammar
/// and for edits that are not a valid range of the document.
pub fn check_edit(document: &Document, edit: &TextEdit) -> Option<SyntaxCheck> {
    let before = document.tree()?;
    let after = document.with_edit(edit).ok()?;
    let errors = syntax::errors(after.tree()?);
    let text = after.text();
    let lines = line_start(text, edit.start)..line_end(text, edit.start + edit.new_text.len());
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
