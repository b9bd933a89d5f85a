//! `Document`: rope edits agree with plain string edits, incremental re-parses with fresh parses,
//! clones are independent snapshots, large documents keep their text without a tree, and windows are
//! cut where the server's position conversion expects them.

use engine::Language;
use engine::document::{DEFAULT_SYNTAX_LIMIT, Document, TextEdit};

/// xorshift64*, so the random edits are the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: [&str; 12] = [
    "def f(x):\n",
    "    return x\n",
    "class A:\n    y = 1\n",
    "é",
    "😀",
    "(",
    ")",
    "\r\n",
    "\n",
    "'''",
    "import os\n",
    "x = [1, 2,\n",
];

/// A char boundary of `text` at or before `offset`.
fn boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[test]
fn random_edits_match_a_string_and_a_fresh_parse() {
    let mut rng = Rng(16);
    let mut expected = String::from("def main():\n    pass\n");
    let mut doc = Document::new("file:///r.py", Language::Python, expected.clone());
    for step in 0..400 {
        let a = boundary(&expected, rng.below(expected.len() + 1));
        let b = boundary(&expected, rng.below(expected.len() + 1));
        let (start, end) = (a.min(b), a.max(b));
        let end = if rng.below(3) == 0 {
            start
        } else {
            end.min(start + 40)
        };
        let end = boundary(&expected, end);
        let new_text: String = (0..rng.below(3))
            .map(|_| PIECES[rng.below(PIECES.len())])
            .collect();
        let (before, old_text) = (doc.clone(), expected.clone());
        doc.apply_edit(&TextEdit {
            start,
            end,
            new_text: new_text.clone(),
        })
        .expect("a valid edit");
        expected.replace_range(start..end, &new_text);
        assert_eq!(doc.text(), expected, "step {step}");
        assert_eq!(doc.len(), expected.len());
        // The clone taken before the edit still has the old text: snapshots are independent.
        assert_eq!(before.text(), old_text, "step {step}");
        if step % 20 == 0 {
            let fresh = Document::new("file:///r.py", Language::Python, expected.clone());
            let incremental = doc.tree().expect("a tree").root_node().to_sexp();
            assert_eq!(
                incremental,
                fresh.tree().expect("a tree").root_node().to_sexp(),
                "step {step}"
            );
            assert_eq!(
                doc.outline().definitions.len(),
                fresh.outline().definitions.len(),
                "step {step}"
            );
        }
    }
}

#[test]
fn a_clone_is_a_snapshot_that_later_edits_do_not_touch() {
    let mut doc = Document::new("file:///s.py", Language::Python, "def a():\n    pass\n");
    let snapshot = doc.clone();
    assert_eq!(snapshot.outline().definitions.len(), 1);
    doc.apply_edit(&TextEdit {
        start: 0,
        end: 0,
        new_text: "def b():\n    pass\n".into(),
    })
    .expect("edit");
    assert_eq!(snapshot.text(), "def a():\n    pass\n");
    assert_eq!(snapshot.outline().definitions.len(), 1);
    assert_eq!(doc.outline().definitions.len(), 2);
    assert!(doc.text().starts_with("def b"));
}

#[test]
fn bad_edits_are_refused_and_leave_the_document_as_it_was() {
    let mut doc = Document::new("file:///b.py", Language::Python, "s = '😀'\n");
    for (start, end) in [(3, 2), (0, 99), (6, 6), (5, 7)] {
        let edit = TextEdit {
            start,
            end,
            new_text: "x".into(),
        };
        assert!(doc.apply_edit(&edit).is_err(), "{start}..{end}");
    }
    assert_eq!(doc.text(), "s = '😀'\n");
    assert!(doc.slice(6..7).is_err(), "inside the emoji");
    assert_eq!(doc.slice(5..9).expect("whole emoji"), "😀");
}

#[test]
fn lines_end_at_lf_crlf_and_a_lone_cr() {
    let doc = Document::new("file:///l.txt", Language::Other, "a\r\nb\rc\nd");
    assert_eq!(doc.line_count(), 4);
    let lines: Vec<_> = (0..4).map(|l| doc.line_range(l).expect("a line")).collect();
    assert_eq!(lines, [0..3, 3..5, 5..7, 7..8]);
    assert_eq!(doc.line_range(4), None);
    assert_eq!(doc.line_of(4), 1);
}

#[test]
fn a_large_document_keeps_its_text_without_a_tree_until_it_shrinks_to_half() {
    let line = "x = 1\n";
    let over = Document::with_syntax_limit("file:///big.py", Language::Python, line.repeat(11), 60);
    assert!(over.is_large() && over.tree().is_none(), "66 bytes > 60");
    assert_eq!(over.text(), line.repeat(11));
    let mut doc =
        Document::with_syntax_limit("file:///big.py", Language::Python, line.repeat(11), 70);
    assert!(!doc.is_large() && doc.tree().is_some());
    doc.apply_edit(&TextEdit {
        start: 0,
        end: 0,
        new_text: line.repeat(2),
    })
    .expect("edit");
    assert!(doc.is_large() && doc.tree().is_none(), "78 bytes > 70");
    assert!(doc.outline().definitions.is_empty());
    assert_eq!(doc.text(), line.repeat(13));
    // Below the limit but above half of it: still large (no re-parse at every crossing).
    doc.apply_edit(&TextEdit {
        start: 0,
        end: 12,
        new_text: String::new(),
    })
    .expect("edit");
    assert!(doc.is_large(), "66 bytes");
    doc.apply_edit(&TextEdit {
        start: 0,
        end: 36,
        new_text: String::new(),
    })
    .expect("edit");
    assert!(!doc.is_large() && doc.tree().is_some(), "30 bytes <= 35");
    let fresh = Document::new("file:///big.py", Language::Python, line.repeat(5));
    assert_eq!(
        doc.tree().map(|t| t.root_node().to_sexp()),
        fresh.tree().map(|t| t.root_node().to_sexp())
    );
    assert_eq!(DEFAULT_SYNTAX_LIMIT, 4 << 20);
}

#[test]
fn windows_start_at_a_line_and_hold_the_cursor_line() {
    let text: String = (0..1000).map(|i| format!("line {i}\n")).collect();
    let doc = Document::new("file:///w.txt", Language::Other, text.clone());
    let cursor = text.find("line 500\n").expect("present") + 4;
    let window = doc.window(cursor, 200);
    let inner = window.document.text();
    assert!(window.document.tree().is_none());
    assert!(inner.len() <= 200, "{}", inner.len());
    assert_eq!(&text[window.start..window.start + inner.len()], inner);
    assert!(
        window.start == 0 || text.as_bytes()[window.start - 1] == b'\n',
        "starts at a line"
    );
    assert!(inner.ends_with('\n'), "ends at a line: {inner:?}");
    assert_eq!(
        window.start_line,
        text[..window.start].matches('\n').count()
    );
    assert!(inner.contains("line 500\n"));
    // At the ends of the text the window is shifted, not shrunk.
    assert_eq!(doc.window(0, 200).start, 0);
    let last = doc.window(text.len(), 200);
    assert_eq!(last.start + last.document.len(), text.len());
    // One line longer than the window: it starts at the line's start and is cut after the cursor.
    let long = Document::new(
        "file:///m.js",
        Language::Other,
        format!("a\n{}", "é".repeat(1000)),
    );
    let window = long.window(1500, 100);
    assert_eq!((window.start, window.start_line), (2, 1));
    assert!(window.start + window.document.len() > 1500);
}

/// Typing at the cursor of a large document leaves its window where it was, so the prompt built from
/// it keeps its start: the window's start moves a quarter window at a time, not a line every few
/// characters typed.
#[test]
fn typing_at_the_cursor_moves_the_window_rarely() {
    let text: String = (0..1000).map(|i| format!("line {i}\n")).collect();
    let cursor = text.find("line 500\n").expect("present") + 4;
    let typed = "x".repeat(120);
    let starts: Vec<(usize, usize)> = (0..=typed.len())
        .map(|n| {
            let mut text = text.clone();
            text.insert_str(cursor, &typed[..n]);
            let window =
                Document::new("file:///w.txt", Language::Other, text).window(cursor + n, 200);
            assert!(window.start <= cursor && cursor + n < window.start + window.document.len());
            (window.start, window.start_line)
        })
        .collect();
    let moves = starts.windows(2).filter(|w| w[0] != w[1]).count();
    // 120 characters: the start moves at most once per 50 (a quarter of 200), where it moved at every
    // line crossed (10 times) before.
    assert!(moves <= 3, "{moves} moves: {starts:?}");
}

/// A Python file of `functions` small functions.
fn python_file(functions: usize) -> String {
    (0..functions)
        .map(|i| format!("def f_{i}(a, b):\n    return a + b * {i}\n\n"))
        .collect()
}

fn sexp(doc: &Document) -> String {
    doc.tree().expect("a tree").root_node().to_sexp()
}

#[test]
fn an_edit_parses_nothing_and_the_tree_of_its_version_is_made_on_first_use() {
    let text = python_file(50);
    let mut doc = Document::unparsed("file:///u.py", Language::Python, text.clone(), 1 << 20);
    assert!(!doc.is_parsed(), "opening parses nothing");
    // A clone made before the parse shares it: parsing one parses both.
    let snapshot = doc.clone();
    assert_eq!(
        sexp(&snapshot),
        sexp(&Document::new(
            "file:///u.py",
            Language::Python,
            text.clone()
        ))
    );
    assert!(doc.is_parsed());
    let mut expected = text;
    for i in 0..30 {
        let at = expected.find(&format!("f_{i}(")).expect("present");
        doc.apply_edit(&TextEdit {
            start: at,
            end: at + 1,
            new_text: "g".into(),
        })
        .expect("edit");
        expected.replace_range(at..at + 1, "g");
        assert!(!doc.is_parsed(), "edit {i} parses nothing");
        assert_eq!(doc.text(), expected, "the text is always current");
    }
    // Thirty edits made on top of the last tree, re-parsed at once.
    assert_eq!(
        sexp(&doc),
        sexp(&Document::new(
            "file:///u.py",
            Language::Python,
            expected.clone()
        ))
    );
    assert!(doc.outline().definitions.iter().any(|d| d.name == "g_29"));
    // Documents without a grammar, and large ones, have nothing to parse.
    assert!(Document::unparsed("file:///n.txt", Language::Other, "x", 1 << 20).is_parsed());
    assert!(Document::unparsed("file:///b.py", Language::Python, "x = 1\n", 2).is_parsed());
}

#[test]
fn a_parse_told_to_stop_leaves_its_version_unparsed_for_a_later_parse() {
    let text = python_file(3_000);
    let doc = Document::unparsed("file:///s.py", Language::Python, text.clone(), 1 << 20);
    assert!(!doc.parse(&|| true), "stopped at the first check");
    assert!(!doc.is_parsed());
    assert!(doc.parse(&|| false));
    assert!(doc.is_parsed());
    assert_eq!(
        sexp(&doc),
        sexp(&Document::new("file:///s.py", Language::Python, text))
    );
}

#[test]
fn thousands_of_edits_without_a_parse_still_give_the_right_tree() {
    // More pending edits than a document chains (4,096): the parse starts from scratch instead, and
    // dropping the long chain does not recurse.
    for edits in [500, 5_000] {
        let mut expected = python_file(20);
        let mut doc = Document::new("file:///t.py", Language::Python, expected.clone());
        for i in 0..edits {
            let at = expected.len() - 1;
            let new_text = if i % 2 == 0 { "x" } else { "\n" };
            doc.apply_edit(&TextEdit {
                start: at,
                end: at,
                new_text: new_text.into(),
            })
            .expect("edit");
            expected.insert_str(at, new_text);
        }
        assert_eq!(doc.text(), expected);
        assert_eq!(
            sexp(&doc),
            sexp(&Document::new("file:///t.py", Language::Python, expected)),
            "{edits} edits"
        );
    }
}

#[test]
fn clones_parsed_on_many_threads_while_the_original_is_edited_agree_with_fresh_parses() {
    let text = python_file(2_000);
    let mut doc = Document::unparsed("file:///p.py", Language::Python, text.clone(), 1 << 20);
    let fresh = sexp(&Document::new("file:///p.py", Language::Python, text));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let clone = doc.clone();
            std::thread::spawn(move || sexp(&clone))
        })
        .collect();
    // Meanwhile the original moves on; its versions are parsed from whatever tree is there.
    let mut expected = doc.text().to_owned();
    for i in 0..20 {
        let new_text = format!("h_{i} = {i}\n");
        doc.apply_edit(&TextEdit {
            start: 0,
            end: 0,
            new_text: new_text.clone(),
        })
        .expect("edit");
        expected.insert_str(0, &new_text);
        if i % 5 == 0 {
            assert_eq!(
                sexp(&doc),
                sexp(&Document::new(
                    "file:///p.py",
                    Language::Python,
                    expected.clone()
                )),
                "edit {i}"
            );
        }
    }
    for reader in readers {
        assert_eq!(reader.join().expect("no panic"), fresh);
    }
}
