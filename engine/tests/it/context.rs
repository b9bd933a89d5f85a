//! Context extraction and prompt rendering on Python and Java fixtures with a `$0` cursor marker,
//! budgeted with the real Qwen3 tokenizer; incremental re-parsing.

use std::path::PathBuf;
use std::sync::LazyLock;

use engine::context::{self, EditorContext, SnippetKind};
use engine::cursor::Lines;
use engine::{Document, Language, ModelInfo, Prompt, SpecialTokens, TextEdit};
use expect_test::{Expect, expect};

/// The real Qwen3 tokenizer, from the committed tiny checkpoint.
static TOKENIZER: LazyLock<tokenizers::Tokenizer> = LazyLock::new(|| {
    // Copied there by scripts/fetch-tokenizer.sh (part of scripts/setup-deps.sh).
    let path = workspace().join("tests/models/qwen3-tiny/tokenizer.json");
    tokenizers::Tokenizer::from_file(&path)
        .unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()))
});

pub(crate) fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Token counting with the real tokenizer, as `Backend::count_tokens` does.
pub(crate) fn count_tokens(text: &str) -> engine::Result<usize> {
    TOKENIZER
        .encode(text, false)
        .map(|e| e.len())
        .map_err(|e| engine::Error::Tokenizer(e.to_string()))
}

/// Qwen's special tokens, as the model loader detects them from the Qwen3 tokenizer.
pub(crate) fn qwen_special() -> SpecialTokens {
    engine::remote::qwen_special_tokens()
}

/// A document from text with one `$0` marking the cursor.
pub(crate) fn with_cursor(uri: &str, language: Language, text: &str) -> (Document, usize) {
    let cursor = text.find("$0").unwrap_or_else(|| panic!("no $0 in {uri}"));
    (
        Document::new(uri, language, text.replacen("$0", "", 1)),
        cursor,
    )
}

/// A fixture file under `engine/tests/fixtures`, as an open document at `file:///repo/shop/<name>`.
pub(crate) fn fixture(name: &str) -> (Document, Option<usize>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let language = Language::from_id(name.rsplit('.').next().unwrap_or(""));
    let uri = format!(
        "file:///repo/shop/{}",
        name.rsplit('/').next().unwrap_or(name)
    );
    match text.find("$0") {
        Some(_) => {
            let (doc, cursor) = with_cursor(&uri, language, &text);
            (doc, Some(cursor))
        }
        None => (Document::new(uri, language, text), None),
    }
}

/// The context as a readable dump: what goes where, with the cursor as `$0`.
fn show(ctx: &EditorContext) -> String {
    let mut out = format!(
        "{} in {} ({:?}), {} tokens, window {}..{}\n",
        ctx.path, ctx.repo_name, ctx.language, ctx.tokens, ctx.window.start, ctx.window.end
    );
    for s in &ctx.snippets {
        out.push_str(&format!(
            "--- {:?} @{}\n{}\n",
            s.kind, s.source.start, s.text
        ));
    }
    for file in &ctx.other_files {
        for s in &file.snippets {
            out.push_str(&format!(
                "--- {} {:?} @{}\n{}\n",
                file.path, s.kind, s.source.start, s.text
            ));
        }
    }
    out.push_str(&format!("--- window\n{}$0{}", ctx.prefix, ctx.suffix));
    out
}

fn check_context(main: &str, others: &[&str], budget: usize, expect: Expect) {
    let (doc, cursor) = fixture(main);
    let open: Vec<Document> = others.iter().map(|o| fixture(o).0).collect();
    let ctx = context::build(&count_tokens, &doc, cursor.expect("cursor"), &open, budget)
        .expect("context");
    expect.assert_eq(&show(&ctx));
    assert!(
        ctx.tokens <= budget,
        "{} tokens over a budget of {budget}",
        ctx.tokens
    );
}

#[test]
fn python_small_budget_keeps_near_lines_scope_and_used_definitions() {
    check_context(
        "python/cart.py",
        &["python/money.py"],
        160,
        expect![[r#"
            cart.py in shop (Python), 143 tokens, window 1051..1680
            --- Import @58
            import math
            --- Import @70
            from dataclasses import dataclass, field
            --- Scope @765
            class Cart:
            --- window
                    """Adds `quantity` units of `sku`, merging with an existing line."""
                    for item in self.items:
                        if item.sku == sku:
                            item.quantity += quantity
                            return
                    self.items.append(LineItem(sku, unit_price, quantity))

                def subtotal(self) -> Money:
                    """Sum of the lines after bulk discounts, before tax."""
                    total = Money.zero(self.currency)
                    for item in self.items:
                        rate = bulk_discount(item.quantity)
                        $0
                    return total

                def total_with_tax(self) -> Money:
                    """The amount to pay, tax included, rounded to cents."""
        "#]],
    );
}

#[test]
fn python_large_budget_takes_the_whole_file() {
    check_context(
        "python/cart.py",
        &[],
        4000,
        expect![[r#"
        cart.py in shop (Python), 433 tokens, window 0..1745
        --- window
        """A shopping cart: line items, discounts and totals."""

        import math
        from dataclasses import dataclass, field
        from decimal import Decimal

        from shop.money import Money, round_half_even

        TAX_RATE = Decimal("0.2")


        @dataclass
        class LineItem:
            """One product in the cart, with its quantity."""

            sku: str
            unit_price: Money
            quantity: int = 1

            def total(self) -> Money:
                return self.unit_price * self.quantity


        def bulk_discount(quantity: int) -> Decimal:
            """The discount rate for buying `quantity` units.

            >>> bulk_discount(1)
            Decimal('0')
            >>> bulk_discount(10)
            Decimal('0.05')
            """
            if quantity >= 100:
                return Decimal("0.15")
            if quantity >= 10:
                return Decimal("0.05")
            return Decimal("0")


        class Cart:
            """Items a customer is about to buy."""

            def __init__(self, currency: str = "EUR") -> None:
                self.currency = currency
                self.items: list[LineItem] = field(default_factory=list)

            def add(self, sku: str, unit_price: Money, quantity: int = 1) -> None:
                """Adds `quantity` units of `sku`, merging with an existing line."""
                for item in self.items:
                    if item.sku == sku:
                        item.quantity += quantity
                        return
                self.items.append(LineItem(sku, unit_price, quantity))

            def subtotal(self) -> Money:
                """Sum of the lines after bulk discounts, before tax."""
                total = Money.zero(self.currency)
                for item in self.items:
                    rate = bulk_discount(item.quantity)
                    $0
                return total

            def total_with_tax(self) -> Money:
                """The amount to pay, tax included, rounded to cents."""
                return round_half_even(self.subtotal() * (1 + TAX_RATE))
    "#]],
    );
}

#[test]
fn java_small_budget_keeps_near_lines_scope_and_used_definitions() {
    check_context(
        "java/Cart.java",
        &["java/Money.java"],
        140,
        expect![[r#"
            Cart.java in shop (Java), 133 tokens, window 502..968
            --- Import @0
            package shop;
            --- Import @15
            import java.math.BigDecimal;
            --- Scope @137
            public class Cart {
            --- Definition @161
                private final String currency;
            --- Definition @196
                private final List<LineItem> items = new ArrayList<>();
            --- window
                        if (item.sku().equals(sku)) {
                            item.addQuantity(quantity);
                            return;
                        }
                    }
                    items.add(new LineItem(sku, unitPrice, quantity));
                }

                /** Sum of the lines, before tax. */
                public Money subtotal() {
                    Money total = Money.zero(currency);
                    for (LineItem item : items) {
                        $0
                    }
                    return total;
                }

                public int size() {
                    return items.size();
                }
            }
        "#]],
    );
}

#[test]
fn java_definitions_come_from_other_open_files() {
    check_context(
        "java/Cart.java",
        &["java/Money.java"],
        260,
        expect![[r#"
            Cart.java in shop (Java), 230 tokens, window 288..968
            --- Import @0
            package shop;
            --- Import @15
            import java.math.BigDecimal;
            --- Import @44
            import java.util.ArrayList;
            --- Import @72
            import java.util.List;
            --- Scope @137
            public class Cart {
            --- Definition @161
                private final String currency;
            --- Definition @196
                private final List<LineItem> items = new ArrayList<>();
            --- Money.java Definition @98
            public final class Money {
                public Money(BigDecimal amount, String currency);
                public static Money zero(String currency);
                public Money plus(Money other);
                public Money times(int factor);
            }
            --- window
                    this.currency = currency;
                }

                /** Adds quantity units of sku, merging with an existing line. */
                public void add(String sku, Money unitPrice, int quantity) {
                    for (LineItem item : items) {
                        if (item.sku().equals(sku)) {
                            item.addQuantity(quantity);
                            return;
                        }
                    }
                    items.add(new LineItem(sku, unitPrice, quantity));
                }

                /** Sum of the lines, before tax. */
                public Money subtotal() {
                    Money total = Money.zero(currency);
                    for (LineItem item : items) {
                        $0
                    }
                    return total;
                }

                public int size() {
                    return items.size();
                }
            }
        "#]],
    );
}

#[test]
fn python_definitions_come_from_other_open_files() {
    check_context(
        "python/cart.py",
        &["python/money.py"],
        320,
        expect![[r#"
            cart.py in shop (Python), 290 tokens, window 821..1745
            --- Import @58
            import math
            --- Import @70
            from dataclasses import dataclass, field
            --- Import @111
            from decimal import Decimal
            --- Import @140
            from shop.money import Money, round_half_even
            --- Definition @434
            def bulk_discount(quantity: int) -> Decimal:
                """The discount rate for buying `quantity` units.

                >>> bulk_discount(1)
                Decimal('0')
                >>> bulk_discount(10)
                Decimal('0.05')
                """
                ...
            --- Scope @765
            class Cart:
            --- window

                def __init__(self, currency: str = "EUR") -> None:
                    self.currency = currency
                    self.items: list[LineItem] = field(default_factory=list)

                def add(self, sku: str, unit_price: Money, quantity: int = 1) -> None:
                    """Adds `quantity` units of `sku`, merging with an existing line."""
                    for item in self.items:
                        if item.sku == sku:
                            item.quantity += quantity
                            return
                    self.items.append(LineItem(sku, unit_price, quantity))

                def subtotal(self) -> Money:
                    """Sum of the lines after bulk discounts, before tax."""
                    total = Money.zero(self.currency)
                    for item in self.items:
                        rate = bulk_discount(item.quantity)
                        $0
                    return total

                def total_with_tax(self) -> Money:
                    """The amount to pay, tax included, rounded to cents."""
                    return round_half_even(self.subtotal() * (1 + TAX_RATE))
        "#]],
    );
}

#[test]
fn imported_files_come_before_other_open_files() {
    let (doc, cursor) = with_cursor(
        "file:///repo/app/main.py",
        Language::Python,
        "from app.money import zero\n\n\ndef start():\n    total = zero($0)\n",
    );
    let unrelated = Document::new(
        "file:///repo/app/physics.py",
        Language::Python,
        "def zero(v):\n    return v * 0\n",
    );
    let money = Document::new(
        "file:///repo/app/money.py",
        Language::Python,
        "def zero(currency):\n    return (0, currency)\n",
    );
    let ctx =
        context::build(&count_tokens, &doc, cursor, &[unrelated, money], 1000).expect("context");
    let paths: Vec<&str> = ctx.other_files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["money.py", "physics.py"]);
}

#[test]
fn context_tokens_are_real_tokens_of_the_parts() {
    let (doc, cursor) = fixture("python/cart.py");
    let ctx =
        context::build(&count_tokens, &doc, cursor.unwrap_or(0), &[], 100_000).expect("context");
    // The whole file fits, so the window is the file and nothing else is added.
    assert_eq!(ctx.window, 0..doc.text().len());
    assert!(ctx.snippets.is_empty());
    let whole = count_tokens(doc.text()).expect("count");
    // Counting line by line never undercounts by more than a few merges across line breaks.
    assert!(
        ctx.tokens >= whole && ctx.tokens <= whole + whole / 10,
        "{} vs {whole}",
        ctx.tokens
    );
}

#[test]
fn window_never_cuts_a_multiline_string() {
    let (doc, cursor) = with_cursor(
        "file:///p/doc.py",
        Language::Python,
        "def f():\n    \"\"\"First line of a long docstring.\n\n    More words here that go on and on.\n    And more.\n    \"\"\"\n    return $0\n",
    );
    for budget in 5..60 {
        let ctx = context::build(&count_tokens, &doc, cursor, &[], budget).expect("context");
        let starts_in_docstring =
            ctx.window.start > 13 && ctx.window.start < doc.text().find("    return").unwrap_or(0);
        assert!(
            !starts_in_docstring,
            "budget {budget}: window starts inside the docstring: {:?}",
            ctx.prefix
        );
    }
}

#[test]
fn other_languages_get_plain_line_trimmed_context() {
    let text = (0..40).map(|i| format!("line {i}\n")).collect::<String>();
    let cursor = text.find("line 20").unwrap_or(0) + 5;
    let doc = Document::new("file:///p/notes.txt", Language::Other, text);
    let ctx = context::build(&count_tokens, &doc, cursor, &[], 40).expect("context");
    expect![[r#"
        notes.txt in p (Other), 40 tokens, window 102..166
        --- window
        line 14
        line 15
        line 16
        line 17
        line 18
        line 19
        line $020
        line 21
    "#]]
    .assert_eq(&show(&ctx));
}

#[test]
fn a_line_longer_than_the_budget_is_cut_at_spaces() {
    let words: String = (0..3000).map(|i| format!("w{i} ")).collect();
    let text = format!("{words}$0 tail {words}\nnext line\n");
    let (doc, cursor) = with_cursor("file:///p/minified.txt", Language::Other, &text);
    let ctx = context::build(&count_tokens, &doc, cursor, &[], 200).expect("context");
    assert!(ctx.tokens <= 200, "{} tokens", ctx.tokens);
    assert!(
        ctx.prefix.len() > 100 && ctx.suffix.starts_with(" tail w0"),
        "{ctx:?}"
    );
    assert!(
        ctx.prefix.starts_with('w') && !ctx.suffix.ends_with(' '),
        "cut mid-word: {ctx:?}"
    );
}

#[test]
fn cursor_off_a_char_boundary_is_an_error_not_a_panic() {
    let doc = Document::new("file:///p/u.py", Language::Python, "s = 'héllo'\n");
    let err = context::build(&count_tokens, &doc, 7, &[], 100).expect_err("mid-char cursor");
    assert!(err.to_string().contains("character boundary"), "{err}");
    assert!(context::build(&count_tokens, &doc, 1000, &[], 100).is_err());
}

#[test]
fn multibyte_text_is_kept_whole() {
    let (doc, cursor) = with_cursor(
        "file:///p/u.py",
        Language::Python,
        "# 日本語のコメント 🎉\ndef grüße(名前):\n    return f\"こんにちは {名前} 👋\" + $0\n",
    );
    let ctx = context::build(&count_tokens, &doc, cursor, &[], 1000).expect("context");
    expect![[r#"
        u.py in p (Python), 32 tokens, window 0..100
        --- window
        # 日本語のコメント 🎉
        def grüße(名前):
            return f"こんにちは {名前} 👋" + $0
    "#]]
    .assert_eq(&show(&ctx));
}

fn info(special: SpecialTokens) -> ModelInfo {
    ModelInfo {
        name: "test".into(),
        context_length: 4096,
        special,
        has_chat_template: false,
        weights: String::new(),
    }
}

fn prompt_text(prompt: &Prompt) -> &str {
    match prompt {
        Prompt::Text(text) => text,
        Prompt::Chat(_) => panic!("expected a text prompt"),
    }
}

#[test]
fn fim_renders_qwen_tokens() {
    let text = engine::prompt::fim(&qwen_special(), "def f():\n    ", "\n");
    expect![[r#"
        Some(
            "<|fim_prefix|>def f():\n    <|fim_suffix|>\n<|fim_middle|>",
        )
    "#]]
    .assert_debug_eq(&text);
    assert_eq!(
        engine::prompt::fim(&SpecialTokens::default(), "a", "b"),
        None
    );
}

#[test]
fn repo_level_prompt_includes_other_files() {
    let (doc, cursor) = fixture("python/cart.py");
    let open = [fixture("python/money.py").0];
    let ctx =
        context::build(&count_tokens, &doc, cursor.unwrap_or(0), &open, 400).expect("context");
    assert!(!ctx.other_files.is_empty());
    let prompt = engine::prompt::completion(&info(qwen_special()), &ctx, Lines::Multi);
    expect![[r#"
        <|repo_name|>shop
        <|file_sep|>money.py
        class Money:
            @classmethod
            def zero(cls, currency: str) -> "Money":
                """No money, in `currency`."""
                return cls(Decimal(0), currency)
        <|file_sep|>cart.py
        <|fim_prefix|>import math
        from dataclasses import dataclass, field
        from decimal import Decimal
        from shop.money import Money, round_half_even

        def bulk_discount(quantity: int) -> Decimal:
            """The discount rate for buying `quantity` units.

            >>> bulk_discount(1)
            Decimal('0')
            >>> bulk_discount(10)
            Decimal('0.05')
            """
            ...



        class Cart:
            """Items a customer is about to buy."""

            def __init__(self, currency: str = "EUR") -> None:
                self.currency = currency
                self.items: list[LineItem] = field(default_factory=list)

            def add(self, sku: str, unit_price: Money, quantity: int = 1) -> None:
                """Adds `quantity` units of `sku`, merging with an existing line."""
                for item in self.items:
                    if item.sku == sku:
                        item.quantity += quantity
                        return
                self.items.append(LineItem(sku, unit_price, quantity))

            def subtotal(self) -> Money:
                """Sum of the lines after bulk discounts, before tax."""
                total = Money.zero(self.currency)
                for item in self.items:
                    rate = bulk_discount(item.quantity)
                    <|fim_suffix|>
                return total

            def total_with_tax(self) -> Money:
                """The amount to pay, tax included, rounded to cents."""
                return round_half_even(self.subtotal() * (1 + TAX_RATE))
        <|fim_middle|>"#]]
    .assert_eq(prompt_text(&prompt.prompt));
    expect![[r#"
        [
            "<|fim_prefix|>",
            "<|fim_suffix|>",
            "<|fim_middle|>",
            "<|fim_pad|>",
            "<|file_sep|>",
            "<|repo_name|>",
        ]
    "#]]
    .assert_debug_eq(&prompt.stop);
    assert!(prompt.fim);
}

/// The budget of a context leaves the model's window room for the generated tokens and the template's
/// markup, whatever the settings say.
#[test]
fn the_context_budget_leaves_room_for_generation_and_markup() {
    let mut model = info(qwen_special());
    assert_eq!(engine::prompt::context_budget(&model, 128, 2048), 2048);
    model.context_length = 300;
    assert_eq!(
        engine::prompt::context_budget(&model, 128, 2048),
        300 - 128 - 32
    );
    assert_eq!(engine::prompt::context_budget(&model, 1000, 2048), 0);
    assert_eq!(engine::prompt::context_budget(&model, usize::MAX, 2048), 0);
}

#[test]
fn models_without_fim_get_the_prefix_only() {
    let (doc, cursor) = with_cursor(
        "file:///p/a.py",
        Language::Python,
        "import os\n\ndef f():\n    return $0\n\nprint(f())\n",
    );
    let ctx = context::build(&count_tokens, &doc, cursor, &[], 1000).expect("context");
    let prompt = engine::prompt::completion(&info(SpecialTokens::default()), &ctx, Lines::Single);
    assert!(!prompt.fim);
    expect![[r#"
        import os

        def f():
            return "#]]
    .assert_eq(prompt_text(&prompt.prompt));
    assert_eq!(prompt.stop, ["\n"]);
}

#[test]
fn same_file_snippets_read_like_the_top_of_the_file() {
    let (doc, cursor) = fixture("python/cart.py");
    let ctx = context::build(&count_tokens, &doc, cursor.unwrap_or(0), &[], 160).expect("context");
    assert!(ctx.snippets.iter().any(|s| s.kind == SnippetKind::Scope));
    expect![[r#"
        import math
        from dataclasses import dataclass, field

        class Cart:
    "#]]
    .assert_eq(&engine::prompt::header(&ctx));
}

/// Applies edits one by one and checks the incrementally re-parsed tree against a fresh parse.
#[test]
fn incremental_reparse_equals_a_fresh_parse() {
    let (mut doc, _) = fixture("python/cart.py");
    assert!(!doc.outline().definitions.is_empty());
    let edits = [
        TextEdit {
            start: 0,
            end: 0,
            new_text: "# 🎉 header\n".into(),
        },
        TextEdit {
            start: 30,
            end: 45,
            new_text: "ünïcödé\r\n".into(),
        },
        TextEdit {
            start: 200,
            end: 200,
            new_text: "def broken(:\n".into(),
        },
        TextEdit {
            start: 100,
            end: 400,
            new_text: String::new(),
        },
        TextEdit {
            start: 50,
            end: 50,
            new_text: "x = {\n  'k': [1, 2,\n".into(),
        },
    ];
    for edit in &edits {
        let mut edit = edit.clone();
        // Keep offsets on char boundaries of the current text.
        while !doc.text().is_char_boundary(edit.start) {
            edit.start += 1;
        }
        edit.end = edit.end.max(edit.start);
        while !doc.text().is_char_boundary(edit.end) {
            edit.end += 1;
        }
        doc.apply_edit(&edit).expect("edit");
        let fresh = Document::new("fresh", Language::Python, doc.text().to_owned());
        let (Some(a), Some(b)) = (doc.tree(), fresh.tree()) else {
            panic!("no tree")
        };
        assert_eq!(
            a.root_node().to_sexp(),
            b.root_node().to_sexp(),
            "after {edit:?}"
        );
        // The cached outline follows the edits too.
        assert_eq!(doc.outline(), fresh.outline(), "after {edit:?}");
    }
    let mut java = fixture("java/Cart.java").0;
    java.apply_edit(&TextEdit {
        start: 10,
        end: 10,
        new_text: "\nimport java.util.Map;".into(),
    })
    .expect("edit");
    let fresh = Document::new("fresh", Language::Java, java.text().to_owned());
    assert_eq!(
        java.tree().map(|t| t.root_node().to_sexp()),
        fresh.tree().map(|t| t.root_node().to_sexp())
    );
}

#[test]
fn bad_edits_are_errors() {
    let (mut doc, _) = fixture("python/money.py");
    let len = doc.text().len();
    assert!(
        doc.apply_edit(&TextEdit {
            start: 5,
            end: 2,
            new_text: String::new()
        })
        .is_err()
    );
    assert!(
        doc.apply_edit(&TextEdit {
            start: 0,
            end: len + 1,
            new_text: String::new()
        })
        .is_err()
    );
    assert_eq!(doc.text().len(), len);
}

/// Every few bytes of both fixtures, at a tight and a loose budget: the window holds the cursor,
/// starts and ends on line boundaries, matches the document, and stays in budget; post-processing a
/// fixed reply there neither panics nor emits a carriage return into an LF file.
#[test]
fn context_invariants_hold_at_every_cursor() {
    for name in ["python/cart.py", "java/Cart.java"] {
        let (doc, _) = fixture(name);
        let text = doc.text();
        let open = [fixture(if name.ends_with(".py") {
            "python/money.py"
        } else {
            "java/Money.java"
        })
        .0];
        for cursor in (0..=text.len())
            .step_by(13)
            .filter(|&c| text.is_char_boundary(c))
        {
            for budget in [40, 300] {
                let ctx =
                    context::build(&count_tokens, &doc, cursor, &open, budget).expect("context");
                assert!(
                    ctx.window.start <= cursor && cursor <= ctx.window.end,
                    "{name}@{cursor}"
                );
                assert!(
                    ctx.window.start == 0 || text.as_bytes()[ctx.window.start - 1] == b'\n',
                    "{name}@{cursor}"
                );
                assert!(
                    ctx.window.end == text.len() || text.as_bytes()[ctx.window.end - 1] == b'\n',
                    "{name}@{cursor}"
                );
                assert_eq!(
                    format!("{}{}", ctx.prefix, ctx.suffix),
                    text[ctx.window.clone()]
                );
                assert!(
                    ctx.tokens <= budget,
                    "{name}@{cursor}: {} tokens over {budget}",
                    ctx.tokens
                );
            }
            let syntax = engine::cursor::syntax_at(&doc, cursor);
            assert_eq!(syntax.offset, cursor);
            let raw = "x = 1\r\n    y = (2,\n}\n\ndef g():\n    pass";
            if let Some(p) =
                engine::postprocess::process(raw, &syntax, syntax.lines, ("<think>", "</think>"))
            {
                assert!(
                    !p.text.contains('\r')
                        && p.replace_end >= cursor
                        && p.replace_end <= text.len()
                );
                engine::validate::check_syntax(&doc, cursor, &p);
            }
        }
    }
}

/// A keystroke's prompt must start as the last one did, or the model's cache misses all of it: typing
/// on the cursor's line moves no boundary of the window and changes no snippet, until the line grows
/// past its floor in the budget.
#[test]
fn typing_on_the_cursors_line_keeps_the_rest_of_the_context() {
    let (doc, cursor) = fixture("python/cart.py");
    let cursor = cursor.expect("cursor");
    let open = [fixture("python/money.py").0];
    let typed_line = "total = total + 1";
    for budget in [160, 256, 400, 1024] {
        let build = |typed: &str| {
            let mut text = doc.text().to_owned();
            text.insert_str(cursor, typed);
            let doc = Document::new(&doc.uri, doc.language, text);
            context::build(&count_tokens, &doc, cursor + typed.len(), &open, budget)
                .expect("context")
        };
        let first = build("");
        for end in 1..=typed_line.len() {
            let typed = &typed_line[..end];
            let ctx = build(typed);
            assert_eq!(
                ctx.window.start, first.window.start,
                "budget {budget}, after typing {typed:?}"
            );
            assert_eq!(ctx.prefix, format!("{}{typed}", first.prefix));
            // The same snippets (their source ranges past the cursor move with the typing).
            let texts = |c: &EditorContext| {
                let others = c.other_files.iter().flat_map(|f| &f.snippets);
                c.snippets
                    .iter()
                    .chain(others)
                    .map(|s| (s.kind, s.text.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(texts(&ctx), texts(&first), "budget {budget}, {typed:?}");
            assert!(ctx.tokens <= budget, "{} > {budget}", ctx.tokens);
        }
    }
}

#[test]
fn a_cut_suffix_keeps_the_cursors_line_and_ends_at_a_line_outside_strings() {
    let text =
        "def f(x):\n    y = $0x + 1\n    z = 2\n    \"\"\"a\n    b\n    \"\"\"\n    return y\n";
    let (doc, cursor) = with_cursor("file:///p/m.py", Language::Python, text);
    let ctx = context::build(&count_tokens, &doc, cursor, &[], 1000).expect("context");
    assert!(ctx.suffix.ends_with("return y\n"), "{:?}", ctx.suffix);
    let cut = |tokens| context::cut_suffix(&count_tokens, &doc, &ctx, tokens).expect("cut");

    // Nothing but the cursor's line, and the rest of the context as it was.
    let line = cut(0);
    assert_eq!(line.suffix, "x + 1\n");
    assert_eq!(line.window, ctx.window.start..cursor + line.suffix.len());
    assert_eq!((&line.prefix, &line.snippets), (&ctx.prefix, &ctx.snippets));
    assert!(line.tokens < ctx.tokens);
    // Room for the next line and the docstring's first: the suffix ends before the docstring.
    let tokens = |text: &str| count_tokens(text).expect("tokens");
    let room = tokens("    z = 2\n") + tokens("    \"\"\"a\n");
    assert_eq!(cut(room).suffix, "x + 1\n    z = 2\n");
    // Room for all of it: unchanged.
    assert_eq!(cut(usize::MAX), ctx);

    // A context of another document is an error, not a panic.
    let other = Document::new("file:///p/m.py", Language::Python, "x = 1\n");
    assert!(context::cut_suffix(&count_tokens, &other, &ctx, 10).is_err());
}
