//! The syntax at the cursor (`engine::cursor`), computed once by the context stage: one `$0` fixture in
//! Python or Java per case, and the plain data the later stages get.

use engine::cursor::{self, Lines, Multiline};
use engine::{Document, Language};
use expect_test::{Expect, expect};

use crate::context::with_cursor;

fn check(language: Language, fixture: &str, expect: Expect) {
    let (doc, cursor) = with_cursor("file:///p/t", language, fixture);
    let syntax = cursor::syntax_at(&doc, cursor);
    assert_eq!(syntax.offset, cursor, "{fixture:?}");
    expect.assert_debug_eq(&syntax);
}

#[test]
fn python_after_a_def_header_opens_a_block() {
    check(
        Language::Python,
        "def area(r):$0\n\n\nprint(area(2))\n",
        expect![[r#"
            CursorSyntax {
                offset: 12,
                lines: Multi,
                line_ending: "\n",
                line_prefix: "def area(r):",
                line_suffix: "",
                next_line: Some(
                    "print(area(2))",
                ),
                min_indent: 1,
                closes_block_at: None,
            }
        "#]],
    );
}

#[test]
fn python_mid_expression_is_one_line_up_to_the_closers() {
    check(
        Language::Python,
        "x = compute(a, $0)  \n",
        expect![[r#"
        CursorSyntax {
            offset: 15,
            lines: Single,
            line_ending: "\n",
            line_prefix: "x = compute(a, ",
            line_suffix: ")  ",
            next_line: None,
            min_indent: 0,
            closes_block_at: None,
        }
    "#]],
    );
}

#[test]
fn python_blank_line_in_a_method_keeps_the_cursor_column() {
    check(
        Language::Python,
        "class A:\n    def f(self):\n        $0\n\n    def g(self):\n        pass\n",
        expect![[r#"
            CursorSyntax {
                offset: 34,
                lines: Multi,
                line_ending: "\n",
                line_prefix: "        ",
                line_suffix: "",
                next_line: Some(
                    "    def g(self):",
                ),
                min_indent: 8,
                closes_block_at: None,
            }
        "#]],
    );
}

#[test]
fn python_unfinished_block_in_a_broken_tree_still_opens() {
    check(
        Language::Python,
        "for i in range(3:\n    pass\nif ok:$0",
        expect![[r#"
        CursorSyntax {
            offset: 33,
            lines: Multi,
            line_ending: "\n",
            line_prefix: "if ok:",
            line_suffix: "",
            next_line: None,
            min_indent: 1,
            closes_block_at: None,
        }
    "#]],
    );
}

#[test]
fn python_colons_that_open_no_block_stay_single_line() {
    check(
        Language::Python,
        "x = {'a':$0\n",
        expect![[r#"
        CursorSyntax {
            offset: 9,
            lines: Single,
            line_ending: "\n",
            line_prefix: "x = {'a':",
            line_suffix: "",
            next_line: None,
            min_indent: 0,
            closes_block_at: None,
        }
    "#]],
    );
    check(
        Language::Python,
        "f = lambda x:$0\n",
        expect![[r#"
        CursorSyntax {
            offset: 13,
            lines: Single,
            line_ending: "\n",
            line_prefix: "f = lambda x:",
            line_suffix: "",
            next_line: None,
            min_indent: 0,
            closes_block_at: None,
        }
    "#]],
    );
}

#[test]
fn python_crlf_documents_say_so_and_lose_the_carriage_return() {
    check(
        Language::Python,
        "def f():\r\n    $0\r\n\r\n\r\nf()\r\n",
        expect![[r#"
        CursorSyntax {
            offset: 14,
            lines: Multi,
            line_ending: "\r\n",
            line_prefix: "    ",
            line_suffix: "",
            next_line: Some(
                "f()",
            ),
            min_indent: 4,
            closes_block_at: None,
        }
    "#]],
    );
}

#[test]
fn java_method_body_opened_at_the_cursor_closes_at_its_indentation() {
    check(
        Language::Java,
        "class A {\n    int f(int x) {$0\n}\n",
        expect![[r#"
            CursorSyntax {
                offset: 28,
                lines: Multi,
                line_ending: "\n",
                line_prefix: "    int f(int x) {",
                line_suffix: "",
                next_line: Some(
                    "}",
                ),
                min_indent: 5,
                closes_block_at: Some(
                    4,
                ),
            }
        "#]],
    );
}

#[test]
fn java_array_initializer_brace_is_not_a_block() {
    check(
        Language::Java,
        "class A {\n    int[] xs = {$0};\n}\n",
        expect![[r#"
        CursorSyntax {
            offset: 26,
            lines: Single,
            line_ending: "\n",
            line_prefix: "    int[] xs = {",
            line_suffix: "};",
            next_line: Some(
                "}",
            ),
            min_indent: 4,
            closes_block_at: None,
        }
    "#]],
    );
}

#[test]
fn java_blank_line_in_a_body_ends_at_the_closing_brace() {
    check(
        Language::Java,
        "class A {\n    int f(int x) {\n        $0\n    }\n}\n",
        expect![[r#"
            CursorSyntax {
                offset: 37,
                lines: Multi,
                line_ending: "\n",
                line_prefix: "        ",
                line_suffix: "",
                next_line: Some(
                    "    }",
                ),
                min_indent: 8,
                closes_block_at: None,
            }
        "#]],
    );
}

#[test]
fn the_setting_overrides_what_the_syntax_asks() {
    let (doc, at) = with_cursor("file:///p/t", Language::Python, "def f():$0\n");
    let syntax = cursor::syntax_at(&doc, at);
    assert_eq!(syntax.lines, Lines::Multi);
    assert_eq!(Multiline::Auto.lines(&syntax), Lines::Multi);
    assert_eq!(Multiline::Never.lines(&syntax), Lines::Single);
    let (doc, at) = with_cursor("file:///p/t", Language::Python, "x = $0\n");
    assert_eq!(
        Multiline::Always.lines(&cursor::syntax_at(&doc, at)),
        Lines::Multi
    );
}

/// An editor's stale cursor: inside a multi-byte character or past the end of the text. The
/// context stage rejects such requests; this function must still not panic on them.
#[test]
fn cursors_off_the_text_are_clamped_not_panics() {
    let doc = Document::new("file:///p/t", Language::Python, "s = 'é'\n");
    assert_eq!(cursor::syntax_at(&doc, 6).offset, 5);
    let end = cursor::syntax_at(&doc, 1_000);
    assert_eq!(
        (end.offset, end.line_prefix.as_str(), end.next_line),
        (9, "", None)
    );
    let empty = Document::new("file:///p/t", Language::Java, "");
    assert_eq!(cursor::syntax_at(&empty, 0).lines, Lines::Multi);
}
