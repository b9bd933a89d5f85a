//! Post-processing and validation on Python and Java snippets with a `$0` cursor: think tags, line
//! endings, block ends, suffix repetition, single vs multi-line, syntax rejection.

use engine::cursor::{self, Lines, Multiline};
use engine::{Language, postprocess, validate};
use expect_test::{Expect, expect};

use crate::context::with_cursor;

/// Post-processes `raw` at the `$0` of `fixture` and shows the decision and the result: the cursor's
/// line and what follows, with the inserted text between `⟨⟩`.
fn check(language: Language, fixture: &str, raw: &str, expect: Expect) {
    let (doc, cursor) = with_cursor("file:///p/t", language, fixture);
    let syntax = cursor::syntax_at(&doc, cursor);
    let processed = postprocess::process(raw, &syntax, syntax.lines, ("<think>", "</think>"));
    let shown = match &processed {
        None => "None".to_owned(),
        Some(p) => {
            let check = validate::check_syntax(&doc, cursor, p).map(|c| {
                let verdict = if c.passed() { "ok" } else { "rejected" };
                format!(
                    "{verdict}: errors {} -> {} ({} in the completion)",
                    c.errors_before, c.errors_after, c.errors_in_completion
                )
            });
            let text = doc.text();
            let line = text[..cursor].rfind('\n').map_or(0, |i| i + 1);
            format!(
                "syntax {}\n{}⟨{}⟩{}",
                check.as_deref().unwrap_or("not checked"),
                &text[line..cursor],
                p.text,
                text.get(p.replace_end..).unwrap_or("")
            )
        }
    };
    // Carriage returns are shown, as snapshots in source files cannot hold them.
    expect.assert_eq(&format!("{:?}\n{}", syntax.lines, shown.replace('\r', "␍")));
}

fn lines_at(language: Language, fixture: &str) -> Lines {
    let (doc, cursor) = with_cursor("file:///p/t", language, fixture);
    Multiline::Auto.lines(&cursor::syntax_at(&doc, cursor))
}

#[test]
fn multi_line_after_a_block_opener_or_on_a_blank_line() {
    use Language::{Java, Python};
    let cases = [
        (Python, "def f(x):$0\n", Lines::Multi),
        (Python, "def f(x):\n    $0\n", Lines::Multi),
        (Python, "class A:\n    def f(self):$0", Lines::Multi),
        (Python, "for i in range(3):  $0\n", Lines::Multi),
        (Python, "x = foo($0)\n", Lines::Single),
        (Python, "x = {'a':$0\n", Lines::Single),
        (Python, "y = xs[1:$0]\n", Lines::Single),
        (Python, "f = lambda x:$0\n", Lines::Single),
        (Python, "total = $0\n", Lines::Single),
        (Java, "class A {\n    int f() {$0\n}\n", Lines::Multi),
        (
            Java,
            "class A {\n    int f() {\n        $0\n    }\n}\n",
            Lines::Multi,
        ),
        (Java, "class A {\n    int[] xs = {$0};\n}\n", Lines::Single),
        (
            Java,
            "class A {\n    int f() { return g($0); }\n}\n",
            Lines::Single,
        ),
    ];
    for (language, fixture, lines) in cases {
        assert_eq!(lines_at(language, fixture), lines, "{fixture:?}");
    }
}

#[test]
fn multiline_setting_overrides_the_syntax() {
    let (doc, cursor) = with_cursor("file:///p/t", Language::Python, "x = $0\n");
    assert_eq!(
        Multiline::Always.lines(&cursor::syntax_at(&doc, cursor)),
        Lines::Multi
    );
    let (doc, cursor) = with_cursor("file:///p/t", Language::Python, "def f():$0\n");
    assert_eq!(
        Multiline::Never.lines(&cursor::syntax_at(&doc, cursor)),
        Lines::Single
    );
}

#[test]
fn think_tags_are_stripped() {
    check(
        Language::Python,
        "def area(r):\n    return $0\n",
        "<think>\nThe user wants the area of a circle.\n</think>\n\n3.14159 * r * r",
        expect![[r#"
            Single
            syntax ok: errors 0 -> 0 (0 in the completion)
                return ⟨3.14159 * r * r⟩
        "#]],
    );
}

#[test]
fn crlf_documents_get_crlf_completions() {
    let (doc, cursor) = with_cursor("file:///p/t", Language::Python, "def f():\r\n    $0\r\n");
    let syntax = cursor::syntax_at(&doc, cursor);
    let p = postprocess::process(
        "a = 1\r\n    b = 2\n    c = 3\r",
        &syntax,
        syntax.lines,
        ("<think>", "</think>"),
    );
    assert_eq!(
        p.map(|p| p.text),
        Some("a = 1\r\n    b = 2\r\n    c = 3".to_owned())
    );
    check(
        Language::Python,
        "def f(xs):\r\n    $0\r\n\r\nprint(f([1]))\r\n",
        "total = 0\r\n    for x in xs:\n        total += x\r\n    return total\n\nprint(f([2]))",
        expect![[r#"
            Multi
            syntax ok: errors 0 -> 0 (0 in the completion)
                ⟨total = 0␍
                for x in xs:␍
                    total += x␍
                return total⟩␍
            ␍
            print(f([1]))␍
        "#]],
    );
}

#[test]
fn python_block_ends_at_the_first_dedent() {
    check(
        Language::Python,
        "def f(x):$0\n\nprint(f(1))\n",
        "\n    y = x * 2\n\n    return y\n\n\ndef g():\n    pass\n",
        expect![[r#"
            Multi
            syntax ok: errors 0 -> 0 (0 in the completion)
            def f(x):⟨
                y = x * 2

                return y⟩

            print(f(1))
        "#]],
    );
}

#[test]
fn python_blank_line_in_a_body_keeps_that_indentation() {
    check(
        Language::Python,
        "class A:\n    def f(self, xs):\n        total = 0\n        $0\n\n    def g(self):\n        pass\n",
        "for x in xs:\n            total += x\n        return total\n    def h(self):\n        pass",
        expect![[r#"
            Multi
            syntax ok: errors 0 -> 0 (0 in the completion)
                    ⟨for x in xs:
                        total += x
                    return total⟩

                def g(self):
                    pass
        "#]],
    );
}

#[test]
fn java_block_opened_at_the_cursor_includes_its_closing_brace() {
    check(
        Language::Java,
        "class A {\n    int twice(int x) {$0\n}\n",
        "\n        return 2 * x;\n    }\n\n    int thrice(int x) {\n        return 3 * x;\n    }\n}",
        expect![[r#"
            Multi
            syntax ok: errors 1 -> 0 (0 in the completion)
                int twice(int x) {⟨
                    return 2 * x;
                }⟩
            }
        "#]],
    );
}

#[test]
fn java_body_stops_before_the_enclosing_closing_brace() {
    check(
        Language::Java,
        "class A {\n    int twice(int x) {\n        $0\n    }\n}\n",
        "return 2 * x;\n    }\n}\n",
        expect![[r#"
            Multi
            syntax ok: errors 0 -> 0 (0 in the completion)
                    ⟨return 2 * x;⟩
                }
            }
        "#]],
    );
}

#[test]
fn text_repeating_the_next_line_is_dropped() {
    check(
        Language::Python,
        "def f(xs):\n    total = 0\n    $0\n    return total\n",
        "for x in xs:\n        total += x\n    return total\n",
        expect![[r#"
            Multi
            syntax ok: errors 0 -> 0 (0 in the completion)
                ⟨for x in xs:
                    total += x⟩
                return total
        "#]],
    );
}

#[test]
fn text_repeating_the_rest_of_the_line_is_dropped() {
    check(
        Language::Python,
        "print(len($0))\n",
        "items))",
        expect![[r#"
        Single
        syntax ok: errors 0 -> 0 (0 in the completion)
        print(len(⟨items⟩))
    "#]],
    );
}

#[test]
fn auto_paired_closers_are_replaced_not_doubled() {
    check(
        Language::Python,
        "def f(a, $0):\n    pass\n",
        "b) -> int:",
        expect![[r#"
        Single
        syntax ok: errors 0 -> 0 (0 in the completion)
        def f(a, ⟨b) -> int:⟩
            pass
    "#]],
    );
}

#[test]
fn single_line_keeps_the_first_line_and_trims_trailing_whitespace() {
    check(
        Language::Python,
        "x = $0\n",
        "compute(1, 2)   \ny = 3\n",
        expect![[r#"
        Single
        syntax ok: errors 1 -> 0 (0 in the completion)
        x = ⟨compute(1, 2)⟩
    "#]],
    );
}

#[test]
fn a_space_already_typed_is_not_typed_twice() {
    check(
        Language::Python,
        "x = $0\n",
        " 42",
        expect![[r#"
        Single
        syntax ok: errors 1 -> 0 (0 in the completion)
        x = ⟨42⟩
    "#]],
    );
}

#[test]
fn empty_or_whitespace_results_are_none() {
    check(
        Language::Python,
        "x = $0\n",
        "   \n\n",
        expect![[r#"
        Single
        None"#]],
    );
    check(
        Language::Python,
        "x = $0\n",
        "<think>only thoughts</think>",
        expect![[r#"
        Single
        None"#]],
    );
    check(
        Language::Python,
        "x = foo($0)\n",
        ")",
        expect![[r#"
        Single
        None"#]],
    );
}

#[test]
fn completions_that_break_the_syntax_are_rejected() {
    check(
        Language::Python,
        "x = $0\n",
        "(1, 2",
        expect![[r#"
        Single
        syntax rejected: errors 1 -> 1 (1 in the completion)
        x = ⟨(1, 2⟩
    "#]],
    );
    check(
        Language::Python,
        "def f(x):\n    return $0\n",
        "x +* 1",
        expect![[r#"
        Single
        syntax rejected: errors 0 -> 1 (1 in the completion)
            return ⟨x +* 1⟩
    "#]],
    );
}

#[test]
fn errors_elsewhere_in_the_file_do_not_reject_a_good_completion() {
    check(
        Language::Python,
        "def broken(:\n    pass\n\nx = $0\n",
        "41 + 1",
        expect![[r#"
        Single
        syntax ok: errors 2 -> 1 (0 in the completion)
        x = ⟨41 + 1⟩
    "#]],
    );
}

#[test]
fn multibyte_text_survives_post_processing() {
    check(
        Language::Python,
        "名前 = \"世界\"\ngreeting = f\"こんにちは {$0}\"\n",
        "名前}\"",
        expect![[r#"
            Single
            syntax ok: errors 1 -> 0 (0 in the completion)
            greeting = f"こんにちは {⟨名前⟩}"
        "#]],
    );
}

/// Decoding may stop once `is_final` says so: for every prefix of the model's text that it calls final,
/// post-processing gives what it gives for the whole text.
#[test]
fn a_prefix_called_final_processes_like_the_whole_text() {
    let cases = [
        (
            Language::Python,
            "def f(x):$0\n\nprint(f(1))\n",
            "\n    y = x * 2\n\n    return y\n\n\ndef g():\n    pass\n",
        ),
        (
            Language::Python,
            "class A:\n    def f(self, xs):\n        total = 0\n        $0\n\n    def g(self):\n        pass\n",
            "for x in xs:\n            total += x\n        return total\n    def h(self):\n        pass",
        ),
        (
            Language::Java,
            "class A {\n    int twice(int x) {$0\n}\n",
            "\n        return 2 * x;\n    }\n\n    int thrice(int x) {\n        return 3 * x;\n    }\n}",
        ),
        (
            Language::Java,
            "class A {\n    int twice(int x) {\n        $0\n    }\n}\n",
            "return 2 * x;\n    }\n}\n",
        ),
        (
            Language::Java,
            "class A {\n    void f(boolean b) {$0\n}\n",
            "\n        if (b) {\n            g();\n        } else {\n            h();\n        }\n    }\n}",
        ),
        (
            Language::Python,
            "def f(xs):\n    total = 0\n    $0\n    return total\n",
            "for x in xs:\n        total += x\n    return total\n    print(total)\n",
        ),
        (
            Language::Python,
            "def f(x):$0\n",
            "\n    return x\r\n\r\nprint(1)\r\n",
        ),
        (
            Language::Python,
            "def f(x):$0\n",
            "\n    <think>\nx\n</think>\n    return x\nprint(x)\n",
        ),
    ];
    let think = ("<think>", "</think>");
    for (language, fixture, raw) in cases {
        let (doc, cursor) = with_cursor("file:///p/t", language, fixture);
        let syntax = cursor::syntax_at(&doc, cursor);
        let whole = postprocess::process(raw, &syntax, syntax.lines, think);
        let mut first_final = None;
        for end in (0..=raw.len()).filter(|&i| raw.is_char_boundary(i)) {
            let prefix = &raw[..end];
            if postprocess::is_final(prefix, &syntax, syntax.lines, think) {
                first_final.get_or_insert(end);
                assert_eq!(
                    postprocess::process(prefix, &syntax, syntax.lines, think),
                    whole,
                    "{prefix:?} of {raw:?}"
                );
            }
        }
        // Each of these answers goes on past its end: decoding stops before the text does.
        let stop = first_final.unwrap_or_else(|| panic!("never final: {raw:?}"));
        assert!(stop < raw.len(), "{raw:?}");
    }
    // A single line is ended by its newline stop string, never here.
    let (doc, cursor) = with_cursor("file:///p/t", Language::Python, "x = $0\n");
    let syntax = cursor::syntax_at(&doc, cursor);
    assert!(!postprocess::is_final(
        "1\ny = 2\n",
        &syntax,
        Lines::Single,
        think
    ));
}
