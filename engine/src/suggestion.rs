//! Typing through a suggestion: while the user types the start of the ghost text an editor shows, the
//! rest of it is still the answer, so it comes back at once with no model call. This is the brief's
//! cache of hot requests, done where it pays: most requests while a suggestion is shown are its own
//! next characters. The same request again (an editor asking twice) gets the same answer.
//!
//! A [`Shown`] keeps the document as it was asked about (an O(1) snapshot), the cursor and the
//! suggestion. A later request matches only if the document is exactly that one with the first
//! characters of the suggestion inserted at the cursor: every other byte is compared (on the ropes,
//! without copying the text), so an edit anywhere else, an editor's auto-closed bracket or a character
//! that differs from the suggestion's next one all mean a new model call.

use crate::Document;
use crate::complete::Completion;

/// A suggestion shown at `cursor` of `document`.
#[derive(Clone, Debug)]
pub struct Shown {
    document: Document,
    cursor: usize,
    completion: Completion,
}

impl Shown {
    pub fn new(document: &Document, cursor: usize, completion: &Completion) -> Shown {
        Shown {
            document: document.clone(),
            cursor,
            completion: completion.clone(),
        }
    }

    /// What is left of the suggestion when `document` at `cursor` is the shown document with its first
    /// `cursor - self.cursor` bytes typed; `None` when it is anything else, or nothing is left.
    pub fn typed_through(&self, document: &Document, cursor: usize) -> Option<Completion> {
        let Shown {
            document: shown,
            cursor: at,
            completion,
        } = self;
        if document.uri != shown.uri || cursor < *at {
            return None;
        }
        let typed = cursor - at;
        let rest = completion
            .text
            .get(typed..)
            .filter(|rest| !rest.is_empty())?;
        let same = document.len() == shown.len() + typed
            && document.same_text(0..*at, shown, 0)
            && document.slice(*at..cursor).ok()? == completion.text[..typed]
            && document.same_text(cursor..document.len(), shown, *at);
        same.then(|| Completion {
            text: rest.to_owned(),
            replace_end: completion.replace_end + typed,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Language;

    const URI: &str = "file:///a.py";

    fn doc(text: &str) -> Document {
        Document::new(URI, Language::Python, text)
    }

    /// The shown suggestion `    return a + b` at the end of `def add(a, b):\n`, with `)` after it.
    fn shown() -> (Shown, &'static str) {
        let before = "def add(a, b):\n";
        let completion = Completion {
            text: "    return a + b".into(),
            replace_end: before.len(),
        };
        (Shown::new(&doc(before), before.len(), &completion), before)
    }

    #[test]
    fn typing_the_start_of_the_suggestion_leaves_the_rest() {
        let (shown, before) = shown();
        for typed in ["    ", "    r", "    return a +"] {
            let now = doc(&format!("{before}{typed}"));
            let rest = shown
                .typed_through(&now, before.len() + typed.len())
                .unwrap();
            assert_eq!(
                format!("{typed}{}", rest.text),
                "    return a + b",
                "{typed:?}"
            );
            assert_eq!(rest.replace_end, before.len() + typed.len());
        }
        // The same request again: the same suggestion.
        let again = shown.typed_through(&doc(before), before.len()).unwrap();
        assert_eq!(again.text, "    return a + b");
    }

    #[test]
    fn anything_else_means_a_new_request() {
        let (shown, before) = shown();
        let cases = [
            // A character that differs from the suggestion's.
            (format!("{before}    x"), before.len() + 5),
            // The whole suggestion typed: nothing left to offer.
            (format!("{before}    return a + b"), before.len() + 16),
            // Typed, then an edit elsewhere (before, then after the cursor).
            (format!("#{before}    r"), before.len() + 6),
            (format!("{before}    r\n"), before.len() + 5),
            // An editor's auto-closed bracket after what was typed.
            (format!("{before}    return (a)"), before.len() + 12),
            // The cursor elsewhere in the same text.
            (format!("{before}    r"), before.len() + 2),
            (before.to_string(), 3),
        ];
        for (text, cursor) in cases {
            assert_eq!(
                shown.typed_through(&doc(&text), cursor),
                None,
                "{text:?} at {cursor}"
            );
        }
        let other = Document::new("file:///b.py", Language::Python, format!("{before}    r"));
        assert_eq!(shown.typed_through(&other, before.len() + 5), None);
    }

    #[test]
    fn multibyte_text_and_cursors_inside_characters_are_refused_not_panicking() {
        let before = "s = '";
        let completion = Completion {
            text: "héllo'".into(),
            replace_end: before.len(),
        };
        let shown = Shown::new(&doc(before), before.len(), &completion);
        let now = doc("s = 'h\u{e9}");
        // Inside the two bytes of 'é' in the suggestion.
        assert_eq!(shown.typed_through(&now, before.len() + 2), None);
        let rest = shown.typed_through(&now, before.len() + 3).unwrap();
        assert_eq!(rest.text, "llo'");
    }

    #[test]
    fn a_big_document_typed_through_is_compared_without_mistakes() {
        let body = "x = 1\n".repeat(20_000);
        let before = format!("{body}def f():\n");
        let completion = Completion {
            text: "    return 1".into(),
            replace_end: before.len(),
        };
        let mut shown_doc = doc(&before);
        shown_doc
            .apply_edit(&crate::TextEdit {
                start: before.len(),
                end: before.len(),
                new_text: "\n\ny = 2\n".into(),
            })
            .unwrap();
        let shown = Shown::new(&shown_doc, before.len(), &completion);
        let mut now = shown_doc.clone();
        now.apply_edit(&crate::TextEdit {
            start: before.len(),
            end: before.len(),
            new_text: "    ret".into(),
        })
        .unwrap();
        assert_eq!(
            shown.typed_through(&now, before.len() + 7).unwrap().text,
            "urn 1"
        );
        // One byte changed far above the cursor.
        now.apply_edit(&crate::TextEdit {
            start: 10,
            end: 11,
            new_text: "2".into(),
        })
        .unwrap();
        assert_eq!(shown.typed_through(&now, before.len() + 7), None);
    }
}
