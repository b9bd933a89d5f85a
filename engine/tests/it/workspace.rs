//! The workspace index on small fixture trees: what a file's definitions become, how imports resolve
//! (Python relative, absolute and `from` imports; Java imports, static imports and the same package),
//! `.gitignore`, the limits on sizes, counts and memory, updates from disk, and the context and prompt
//! a completion gets from it.
//!
//! A fixture is one string: `//- path` starts a file, and `$0` in one file marks the cursor.

use std::path::{Path, PathBuf};

use engine::context;
use engine::cursor::Lines;
use engine::syntax::{self, Definition};
use engine::workspace::{Limits, SharedIndex, WorkspaceIndex, scan};
use engine::{CancellationToken, Document, Language, ModelInfo, Prompt};
use expect_test::{Expect, expect};

use crate::context::{count_tokens, qwen_special};

/// Writes the fixture's files under a fresh directory; returns it, and the file with `$0` (path, text
/// without the marker, cursor).
fn write_tree(fixture: &str) -> (tempfile::TempDir, Option<(PathBuf, String, usize)>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cursor = None;
    for file in fixture.split("//- ").filter(|f| !f.trim().is_empty()) {
        let (path, text) = file.split_once('\n').expect("a path line");
        let path = dir.path().join(path.trim());
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        let text = match text.find("$0") {
            Some(at) => {
                let text = text.replacen("$0", "", 1);
                cursor = Some((path.clone(), text.clone(), at));
                text
            }
            None => text.to_owned(),
        };
        std::fs::write(&path, text).expect("write");
    }
    (dir, cursor)
}

fn index(root: &Path, limits: &Limits) -> WorkspaceIndex {
    let (index, _) = scan(
        &[root.to_owned()],
        limits,
        &CancellationToken::new(),
        &mut |_| {},
    )
    .expect("scan");
    index
}

fn document(path: &Path, text: &str) -> Document {
    let uri = url::Url::from_file_path(path)
        .expect("absolute path")
        .to_string();
    let language = if path.extension().is_some_and(|e| e == "java") {
        Language::Java
    } else {
        Language::Python
    };
    Document::new(uri, language, text)
}

/// The candidates the index selects at the fixture's cursor: path, then the snippet.
fn check_selection(fixture: &str, expect: Expect) {
    let (dir, cursor) = write_tree(fixture);
    let (path, text, cursor) = cursor.expect("a $0 in the fixture");
    let index = index(dir.path(), &Limits::default());
    let doc = document(&path, &text);
    let selection = index.select(&doc, cursor, &[]);
    let mut out = format!(
        "{:?} {:?}\n",
        selection.path,
        selection.repo_name.map(|_| "<root>")
    );
    for c in &selection.candidates {
        out.push_str(&format!(
            "--- {} {}\n{}\n",
            c.path,
            c.definition.name(),
            c.definition.text()
        ));
    }
    expect.assert_eq(&out);
}

#[test]
fn python_from_relative_import_finds_the_class_and_its_init() {
    check_selection(
        r#"
//- pkg/__init__.py
//- pkg/models.py
class Request:
    """A user-created request."""

    def __init__(self, method, url, headers=None):
        self.method = method

    def prepare(self):
        return PreparedRequest(self)
//- pkg/api.py
from .models import Request

def get(url):
    return Request($0
"#,
        expect![[r#"
            Some("pkg/api.py") Some("<root>")
            --- pkg/models.py Request
            class Request:
                """A user-created request."""

                def __init__(self, method, url, headers=None):
                    self.method = method

                def prepare(self):
                    return PreparedRequest(self)
        "#]],
    );
}

#[test]
fn python_absolute_module_import_with_alias_reaches_its_functions() {
    check_selection(
        r#"
//- src/shop/__init__.py
//- src/shop/money.py
def round_cents(amount: float, places: int = 2) -> float:
    """Rounds half up to the cent."""
    return round(amount, places)

def unrelated():
    pass
//- src/shop/cart.py
import shop.money as m

def total(items):
    return m.round_cents($0)
"#,
        expect![[r#"
            Some("src/shop/cart.py") Some("<root>")
            --- src/shop/money.py round_cents
            def round_cents(amount: float, places: int = 2) -> float:
                """Rounds half up to the cent."""
                return round(amount, places)
        "#]],
    );
}

#[test]
fn python_from_package_import_submodule_and_parent_relative_import() {
    check_selection(
        r#"
//- app/__init__.py
//- app/util/__init__.py
//- app/util/text.py
def slug(title, sep="-"):
    return sep.join(title.split())
//- app/core/__init__.py
//- app/core/config.py
DEFAULT_TIMEOUT = 30
//- app/core/views.py
from app.util import text
from ..core.config import DEFAULT_TIMEOUT

def view(title):
    wait = DEFAULT_TIMEOUT
    return text.slug($0)
"#,
        expect![[r#"
            Some("app/core/views.py") Some("<root>")
            --- app/util/text.py slug
            def slug(title, sep="-"):
                return sep.join(title.split())
            --- app/core/config.py DEFAULT_TIMEOUT
            DEFAULT_TIMEOUT = 30
        "#]],
    );
}

#[test]
fn python_long_class_is_shown_as_header_docstring_and_method_headers() {
    let body: String = (0..12)
        .map(|i| format!("    def m{i}(self, x: int) -> int:\n        return x + {i}\n\n"))
        .collect();
    let fixture = format!(
        "//- lib/big.py\nclass Big(Base):\n    \"\"\"Many methods.\"\"\"\n\n{body}//- lib/use.py\nfrom lib.big import Big\nBig($0\n"
    );
    check_selection(
        &fixture,
        expect![[r#"
            Some("lib/use.py") Some("<root>")
            --- lib/big.py Big
            class Big(Base):
                """Many methods."""
                def m0(self, x: int) -> int: ...
                def m1(self, x: int) -> int: ...
                def m2(self, x: int) -> int: ...
                def m3(self, x: int) -> int: ...
                def m4(self, x: int) -> int: ...
                def m5(self, x: int) -> int: ...
                def m6(self, x: int) -> int: ...
                def m7(self, x: int) -> int: ...
                def m8(self, x: int) -> int: ...
                def m9(self, x: int) -> int: ...
                def m10(self, x: int) -> int: ...
                def m11(self, x: int) -> int: ...
        "#]],
    );
}

#[test]
fn python_locals_and_names_defined_here_are_not_looked_up() {
    check_selection(
        r#"
//- a.py
def helper(x):
    return x
def size(x):
    return 0
//- b.py
def size(items):
    return len(items)

def run(helper):
    return size($0helper)
"#,
        expect![[r#"
            Some("b.py") Some("<root>")
        "#]],
    );
}

#[test]
fn java_imports_static_imports_and_the_same_package() {
    check_selection(
        r#"
//- src/com/shop/money/Money.java
package com.shop.money;

public final class Money {
    public static Money of(long cents) { return new Money(cents); }
    private Money(long cents) {}
}
//- src/com/shop/util/Checks.java
package com.shop.util;

public class Checks {
    public static void requirePositive(long value, String name) {
        if (value <= 0) throw new IllegalArgumentException(name);
    }
}
//- src/com/shop/cart/Item.java
package com.shop.cart;

record Item(String name, long cents) {}
//- src/com/shop/cart/Cart.java
package com.shop.cart;

import com.shop.money.Money;
import static com.shop.util.Checks.requirePositive;

class Cart {
    Money add(Item item) {
        requirePositive(item.cents(), "cents");
        return Money.of($0);
    }
}
"#,
        expect![[r#"
            Some("src/com/shop/cart/Cart.java") Some("<root>")
            --- src/com/shop/money/Money.java of
            public final class Money {
                public static Money of(long cents) { return new Money(cents); }
            }
            --- src/com/shop/money/Money.java Money
            public final class Money {
                public static Money of(long cents) { return new Money(cents); }
                private Money(long cents) {}
            }
            --- src/com/shop/util/Checks.java requirePositive
            public class Checks {
                public static void requirePositive(long value, String name) {
                    if (value <= 0) throw new IllegalArgumentException(name);
                }
            }
            --- src/com/shop/cart/Item.java Item
            record Item(String name, long cents) {}
        "#]],
    );
}

#[test]
fn java_wildcard_import_reaches_the_package() {
    check_selection(
        r#"
//- lib/org/geo/Point.java
package org.geo;
public class Point { public Point(double x, double y) {} }
//- app/Main.java
import org.geo.*;
class Main { Object p = new Point($0); }
"#,
        expect![[r#"
            Some("app/Main.java") Some("<root>")
            --- lib/org/geo/Point.java Point
            public class Point { public Point(double x, double y) {} }
        "#]],
    );
}

#[test]
fn gitignored_files_and_directories_are_not_indexed() {
    let (dir, _) = write_tree(
        r#"
//- .gitignore
build/
*_pb2.py
//- build/gen.py
def generated(): pass
//- api_pb2.py
def message(): pass
//- .venv/lib/site.py
def hidden(): pass
//- main.py
def kept(): pass
"#,
    );
    let index = index(dir.path(), &Limits::default());
    let names: Vec<&str> = index
        .files()
        .flat_map(|f| f.definitions().map(|d| d.name()))
        .collect();
    assert_eq!(names, ["kept"]);
}

#[test]
fn a_20_mb_file_is_skipped_and_the_rest_indexed() {
    let (dir, _) = write_tree("//- small.py\ndef small(): pass\n");
    let line = "def f(): return 1\n";
    std::fs::write(
        dir.path().join("huge.py"),
        line.repeat(20 * 1024 * 1024 / line.len()),
    )
    .expect("write");
    let (index, report) = scan(
        &[dir.path().to_owned()],
        &Limits::default(),
        &CancellationToken::new(),
        &mut |_| {},
    )
    .expect("scan");
    assert_eq!((index.len(), report.too_large), (1, 1), "{report}");
    assert!(index.bytes() < 4096, "{} bytes", index.bytes());
    // The file events path has the same limit.
    let shared = SharedIndex::new(index);
    assert_eq!(shared.refresh(&[dir.path().join("huge.py")]), 0);
    assert_eq!(shared.read().len(), 1);
}

#[test]
fn ten_thousand_files_stop_at_the_file_cap_and_the_memory_budget() {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..10_000 {
        let sub = dir.path().join(format!("d{}", i / 500));
        if i % 500 == 0 {
            std::fs::create_dir_all(&sub).expect("mkdir");
        }
        std::fs::write(
            sub.join(format!("m{i}.py")),
            format!("def f{i}(x):\n    return x + {i}\n"),
        )
        .expect("write");
    }
    let limits = Limits {
        max_files: 2_000,
        ..Limits::default()
    };
    let (index, report) = scan(
        &[dir.path().to_owned()],
        &limits,
        &CancellationToken::new(),
        &mut |_| {},
    )
    .expect("scan");
    assert_eq!(index.len(), 2_000, "{report}");
    assert!(report.over_limit > 0, "{report}");

    let budget = 200_000;
    let limits = Limits {
        max_bytes: budget,
        ..Limits::default()
    };
    let mut reports = Vec::new();
    let (index, report) = scan(
        &[dir.path().to_owned()],
        &limits,
        &CancellationToken::new(),
        &mut |p| reports.push(p),
    )
    .expect("scan");
    assert!(
        index.bytes() <= budget,
        "{} bytes over a budget of {budget}",
        index.bytes()
    );
    assert!(index.len() > 100 && index.len() < 10_000, "{report}");
    assert_eq!(index.len() + report.over_limit, 10_000, "{report}");
    assert_eq!(
        reports.first().map(|p| (p.done, p.total)),
        Some((0, 10_000))
    );

    // Updates respect the budget too: a file that does not fit is not added.
    let shared = SharedIndex::new(index);
    let extra = dir.path().join("extra.py");
    std::fs::write(&extra, "def extra(x):\n    return x\n".repeat(2000)).expect("write");
    shared.refresh(std::slice::from_ref(&extra));
    assert!(shared.read().bytes() <= budget);
}

#[test]
fn a_cancelled_scan_stops() {
    let (dir, _) = write_tree("//- a.py\ndef a(): pass\n");
    let cancel = CancellationToken::new();
    cancel.cancel();
    let outcome = scan(
        &[dir.path().to_owned()],
        &Limits::default(),
        &cancel,
        &mut |_| {},
    );
    assert!(matches!(outcome, Err(engine::Error::Cancelled)));
}

#[test]
fn refresh_adds_changes_and_removes_files_on_disk() {
    let (dir, cursor) = write_tree(
        r#"
//- shop/__init__.py
//- shop/cart.py
from shop.tax import vat

def total(x):
    return vat($0)
"#,
    );
    let (path, text, cursor) = cursor.expect("cursor");
    let shared = SharedIndex::new(index(dir.path(), &Limits::default()));
    let doc = document(&path, &text);
    let names = |shared: &SharedIndex| -> Vec<String> {
        shared
            .read()
            .select(&doc, cursor, &[])
            .candidates
            .iter()
            .map(|c| c.definition.text().into_owned())
            .collect()
    };
    assert!(names(&shared).is_empty());

    let tax = dir.path().join("shop/tax.py");
    std::fs::write(
        &tax,
        "def vat(amount, rate=0.2):\n    return amount * rate\n",
    )
    .expect("write");
    assert_eq!(shared.refresh(std::slice::from_ref(&tax)), 1);
    assert_eq!(
        names(&shared),
        ["def vat(amount, rate=0.2):\n    return amount * rate"]
    );

    std::fs::write(&tax, "def vat(amount, country):\n    return amount\n").expect("write");
    shared.refresh(std::slice::from_ref(&tax));
    assert_eq!(
        names(&shared),
        ["def vat(amount, country):\n    return amount"]
    );

    std::fs::remove_file(&tax).expect("remove");
    shared.refresh(std::slice::from_ref(&tax));
    assert!(names(&shared).is_empty());
    // A deleted directory takes its files with it; one that still exists is left alone.
    shared.refresh(&[dir.path().to_owned()]);
    assert_eq!(shared.read().len(), 2);
    std::fs::remove_dir_all(dir.path().join("shop")).expect("remove");
    shared.refresh(&[dir.path().join("shop")]);
    assert!(shared.read().is_empty());
}

#[test]
fn open_documents_are_left_to_the_context_builder() {
    let (dir, cursor) = write_tree(
        r#"
//- tax.py
def vat(amount):
    return amount
//- cart.py
from tax import vat
vat($0)
"#,
    );
    let (path, text, cursor) = cursor.expect("cursor");
    let index = index(dir.path(), &Limits::default());
    let doc = document(&path, &text);
    let tax = document(
        &dir.path().join("tax.py"),
        "def vat(amount):\n    return amount\n",
    );
    assert_eq!(index.select(&doc, cursor, &[]).candidates.len(), 1);
    assert!(index.select(&doc, cursor, &[tax]).candidates.is_empty());
}

/// The whole path a request takes: the context (budgeted in real tokens) and the repo-level prompt.
#[test]
fn an_unopened_files_definition_reaches_the_repo_level_prompt() {
    let (dir, cursor) = write_tree(
        r#"
//- shop/money.py
def round_cents(amount: float, places: int = 2) -> float:
    """Rounds half up to the cent."""
    return round(amount, places)
//- shop/cart.py
from shop.money import round_cents

def total(prices):
    return round_cents($0)
"#,
    );
    let (path, text, cursor) = cursor.expect("cursor");
    let index = index(dir.path(), &Limits::default());
    let doc = document(&path, &text);
    let ctx = context::build_with_workspace(&count_tokens, &doc, cursor, &[], Some(&index), 1024)
        .expect("context");
    let root = dir
        .path()
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a name")
        .to_owned();
    assert_eq!(
        (ctx.repo_name.as_str(), ctx.path.as_str()),
        (root.as_str(), "shop/cart.py")
    );
    let info = ModelInfo {
        name: "qwen3".into(),
        context_length: 32_768,
        special: qwen_special(),
        has_chat_template: false,
        weights: String::new(),
    };
    let Prompt::Text(prompt) = context_prompt(&info, &ctx) else {
        panic!("a text prompt")
    };
    expect![[r#"
        <|repo_name|>{root}
        <|file_sep|>shop/money.py
        def round_cents(amount: float, places: int = 2) -> float:
            """Rounds half up to the cent."""
            return round(amount, places)
        <|file_sep|>shop/cart.py
        <|fim_prefix|>from shop.money import round_cents

        def total(prices):
            return round_cents(<|fim_suffix|>)
        <|fim_middle|>"#]]
    .assert_eq(&prompt.replace(&root, "{root}"));
    // The snippet is paid for in the budget.
    let without = context::build(&count_tokens, &doc, cursor, &[], 1024).expect("context");
    assert_eq!(
        ctx.tokens - without.tokens,
        count_tokens(&ctx.other_files[0].snippets[0].text).expect("count")
    );

    // With a budget too small for the whole definition, its signature still fits.
    let small = without.tokens + 30;
    let ctx = context::build_with_workspace(
        &count_tokens,
        &doc,
        cursor,
        &[],
        Some(&index),
        small * 100 / 85 + 1,
    )
    .expect("context");
    let shown: Vec<&str> = ctx
        .other_files
        .iter()
        .flat_map(|f| f.snippets.iter().map(|s| s.text.as_str()))
        .collect();
    assert_eq!(
        shown,
        ["def round_cents(amount: float, places: int = 2) -> float: ..."]
    );
    assert!(ctx.tokens <= small * 100 / 85 + 1);
}

fn context_prompt(info: &ModelInfo, ctx: &context::EditorContext) -> Prompt {
    engine::prompt::completion(info, ctx, Lines::Multi).prompt
}

/// The index reads only what lies outside functions (their bodies are not visited); that must be
/// exactly what the whole file's outline has outside functions, or the index would show other
/// definitions than an open file's context does.
#[test]
fn the_outline_outside_functions_is_the_outline_less_function_locals() {
    let python = r#"
import os
LIMIT = 10

@decorator(1)
def top(a, b=LIMIT):
    import json
    CONST = 2
    def local(x):
        class Hidden:
            def deep(self): pass
        return x
    return local

class Outer(Base):
    """Doc."""
    KIND = "outer"

    @property
    def name(self):
        def helper():
            pass
        return helper

    class Inner:
        def method(self):
            pass

if TYPE_CHECKING:
    def typed() -> int: ...
try:
    from fast import speedup
except ImportError:
    def speedup(x):
        return x
"#;
    let java = r#"
package org.shop;

import java.util.Comparator;

public class Outer<T> extends Base implements Runnable {
    static final int LIMIT = 10;
    private int count, total;
    static final Comparator<String> ORDER = new Comparator<>() {
        public int compare(String a, String b) { return a.compareTo(b); }
    };

    public Outer(int count) { this.count = count; }

    public void run() {
        class Local { void hidden() {} }
        Runnable r = new Runnable() { public void run() {} };
    }

    interface Visitor { void visit(Node n); default void done() {} }

    enum Op {
        PLUS { int apply(int a, int b) { return a + b; } };
        abstract int apply(int a, int b);
    }

    record Pair(int left, int right) {
        Pair { if (left > right) throw new IllegalArgumentException(); }
        int sum() { return left + right; }
    }

    static class Nested { static class Deeper { void leaf() {} } }
}
"#;
    for (language, text) in [(Language::Python, python), (Language::Java, java)] {
        let tree = syntax::parse(language, text, None).expect("parse");
        let full = syntax::outline(language, &tree, text);
        let in_function = |d: &&Definition| {
            full.definitions.iter().any(|o| {
                o.kind.is_callable()
                    && o.range != d.range
                    && o.range.start <= d.range.start
                    && d.range.end <= o.range.end
            })
        };
        let expected: Vec<&Definition> = full
            .definitions
            .iter()
            .filter(|d| !in_function(d))
            .collect();
        assert!(
            expected.len() < full.definitions.len(),
            "{language:?}: no locals"
        );
        let outside = syntax::outline_outside_functions(language, &tree, text);
        let outside: Vec<&Definition> = outside.definitions.iter().collect();
        assert_eq!(outside, expected, "{language:?}");
    }
}

/// The scan's threads change how fast it goes, never what it finds or in which order it keeps it.
#[test]
fn a_scan_on_several_threads_builds_the_same_index_as_on_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..600 {
        let sub = dir.path().join(format!("pkg{}", i / 50));
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(
            sub.join(format!("m{i}.py")),
            format!(
                "class C{i}:\n    \"\"\"Doc {i}.\"\"\"\n    def m(self, x):\n        return x + {i}\n\ndef f{i}(a):\n    return C{i}().m(a)\n"
            ),
        )
        .expect("write");
    }
    let dump = |threads: usize, max_bytes: usize| -> Vec<String> {
        let limits = Limits {
            threads,
            max_bytes,
            ..Limits::default()
        };
        let index = index(dir.path(), &limits);
        let mut files: Vec<_> = index.files().collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
            .iter()
            .flat_map(|f| {
                f.definitions().map(move |d| {
                    format!(
                        "{} {} {:?} {} {} | {}",
                        f.path.display(),
                        d.name(),
                        d.kind(),
                        d.start(),
                        d.text(),
                        d.signature()
                    )
                })
            })
            .collect()
    };
    let one = dump(1, Limits::default().max_bytes);
    assert_eq!(one.len(), 600 * 3);
    assert_eq!(dump(3, Limits::default().max_bytes), one);
    // Within a budget too, the files kept are the first in walk order, whatever the threads.
    let small = dump(1, 150_000);
    assert!(!small.is_empty() && small.len() < one.len());
    assert_eq!(dump(4, 150_000), small);
}

/// Every file the index holds, as `path: name, name, ...` relative to `root`, sorted.
fn indexed_names(index: &WorkspaceIndex, root: &Path) -> Vec<String> {
    let mut out: Vec<String> = index
        .files()
        .map(|f| {
            let names: Vec<&str> = f.definitions().map(|d| d.name()).collect();
            let path = f.path.strip_prefix(root).unwrap_or(&f.path);
            format!("{}: {}", path.display(), names.join(", "))
        })
        .collect();
    out.sort();
    out
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Binary files, non-UTF-8 and BOM-prefixed sources, symlinks (to files, out of the workspace, in a
/// loop, dangling), a FIFO and a directory named like a source file: the scan finishes, reads no link
/// and no FIFO (which would block it), and file events give the same answers.
#[cfg(unix)]
#[test]
fn hostile_files_are_skipped_or_read_safely_by_the_scan_and_file_events() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;

    let (dir, _) =
        write_tree("//- real.py\ndef real(): pass\n//- pkg.py/inner.py\ndef inner(): pass\n");
    let root = dir.path();
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(outside.path().join("secret.py"), "def secret(): pass\n").expect("write");
    std::fs::write(
        root.join("binary.py"),
        b"def looks_like_code(): pass\n\0\x01\x02\xff",
    )
    .expect("write");
    std::fs::write(
        root.join("latin1.py"),
        b"# -*- coding: latin-1 -*-\n\"\"\"Caf\xe9.\"\"\"\n\ndef total(prix):\n    return prix\n",
    )
    .expect("write");
    std::fs::write(
        root.join("Bom.java"),
        "\u{feff}package shop;\n\npublic class Bom {\n    int size() { return 0; }\n}\n",
    )
    .expect("write");
    symlink(root.join("real.py"), root.join("link.py")).expect("symlink");
    symlink(outside.path().join("secret.py"), root.join("escape.py")).expect("symlink");
    symlink(outside.path(), root.join("outside")).expect("symlink");
    symlink(root.join("nowhere.py"), root.join("dangling.py")).expect("symlink");
    symlink(root, root.join("loop")).expect("symlink");
    symlink(root.join("loop2.py"), root.join("loop1.py")).expect("symlink");
    symlink(root.join("loop1.py"), root.join("loop2.py")).expect("symlink");
    mkfifo(&root.join("pipe.py"));
    // A file name that is not UTF-8 (Linux allows any bytes but `/` and NUL).
    let odd_name = std::ffi::OsStr::from_bytes(b"caf\xe9.py");
    std::fs::write(root.join(odd_name), "def cafe(): pass\n").expect("write");

    let (index, report) = scan(
        &[root.to_owned()],
        &Limits::default(),
        &CancellationToken::new(),
        &mut |_| {},
    )
    .expect("scan");
    assert_eq!(
        indexed_names(&index, root),
        [
            "Bom.java: Bom, size",
            "caf\u{fffd}.py: cafe",
            "latin1.py: total",
            "pkg.py/inner.py: inner",
            "real.py: real",
        ],
        "{report}"
    );
    assert_eq!(report.binary, 1, "{report}");
    // The odd name reaches a prompt as itself, with U+FFFD for the byte that is not UTF-8.
    let main = root.join("main.py");
    let text = "def order():\n    return cafe()\n";
    let doc = document(&main, text);
    let selection = index.select(&doc, text.find("cafe(").expect("call") + 5, &[]);
    let paths: Vec<&str> = selection
        .candidates
        .iter()
        .map(|c| c.path.as_str())
        .collect();
    assert_eq!(paths, ["caf\u{fffd}.py"]);
    let bom = index.file(&root.join("Bom.java")).expect("indexed");
    let class = bom.definitions().next().expect("a class");
    assert!(
        class.text().starts_with("public class Bom {"),
        "{}",
        class.text()
    );

    // File events for the same paths: none of them adds anything, and none blocks.
    let shared = SharedIndex::new(index);
    let hostile = [
        "binary.py",
        "link.py",
        "escape.py",
        "outside/secret.py",
        "dangling.py",
        "loop/real.py",
        "loop1.py",
        "pipe.py",
        "pkg.py",
    ];
    let paths: Vec<PathBuf> = hostile.iter().map(|p| root.join(p)).collect();
    assert_eq!(shared.refresh(&paths), 0);
    assert_eq!(shared.read().len(), 5);
    // Paths no walk produces: `..` below the root, a name longer than the system allows.
    let odd = [
        root.join("pkg.py/../real.py"),
        root.join(format!("{}.py", "n".repeat(5000))),
    ];
    assert_eq!(shared.refresh(&odd), 0);
    assert_eq!(shared.read().len(), 5);
    // A file that turns binary leaves the index.
    std::fs::write(root.join("real.py"), b"def real(): pass\n\0").expect("write");
    shared.refresh(&[root.join("real.py")]);
    assert_eq!(
        indexed_names(&shared.read(), root),
        [
            "Bom.java: Bom, size",
            "caf\u{fffd}.py: cafe",
            "latin1.py: total",
            "pkg.py/inner.py: inner"
        ]
    );
}

/// Between the walk and the read, files vanish, grow past the size limit, or are swapped for a link
/// or a FIFO: each is left out and counted, and the scan goes on.
#[cfg(unix)]
#[test]
fn files_deleted_grown_or_swapped_during_a_scan_are_left_out() {
    let (dir, _) = write_tree(
        "//- a.py\ndef a(): pass\n//- b.py\ndef b(): pass\n//- c.py\ndef c(): pass\n\
         //- d.py\ndef d(): pass\n//- e.py\ndef e(): pass\n//- f.py\ndef f(): pass\n",
    );
    let root = dir.path().to_owned();
    let limits = Limits {
        max_file_bytes: 4096,
        ..Limits::default()
    };
    let mut first = true;
    let (index, report) = scan(
        std::slice::from_ref(&root),
        &limits,
        &CancellationToken::new(),
        // The first report comes after the walk, before any file is read.
        &mut |p| {
            if std::mem::take(&mut first) {
                assert_eq!((p.done, p.total), (0, 6));
                std::fs::remove_file(root.join("b.py")).expect("remove");
                std::fs::write(root.join("c.py"), "def c(): pass\n".repeat(1000)).expect("grow");
                std::fs::remove_file(root.join("d.py")).expect("remove");
                std::os::unix::fs::symlink(root.join("a.py"), root.join("d.py")).expect("symlink");
                std::fs::remove_file(root.join("e.py")).expect("remove");
                mkfifo(&root.join("e.py"));
            }
        },
    )
    .expect("scan");
    assert_eq!(indexed_names(&index, &root), ["a.py: a", "f.py: f"]);
    assert_eq!((report.unreadable, report.too_large), (3, 1), "{report}");
}

/// Shapes that make naive extraction quadratic: a one-line Java file of thousands of nested classes
/// (each class's text holds all the deeper ones, and each line prefix is the whole file so far), a
/// deeply nested Python file, a huge name and a huge single-line definition. They are indexed with
/// every snippet within the snippet limit and without the code that precedes a definition on its line.
#[test]
fn pathological_shapes_are_indexed_within_the_snippet_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    const DEPTH: usize = 5_000;
    let mut java = String::from("package deep; ");
    for i in 0..DEPTH {
        java.push_str(&format!("class C{i} {{ void m{i}() {{}} "));
    }
    java.push_str(&"}".repeat(DEPTH));
    std::fs::write(root.join("Deep.java"), &java).expect("write");
    let mut python = String::new();
    for i in 0..200 {
        python.push_str(&format!("{}class P{i}:\n", "    ".repeat(i)));
    }
    python.push_str(&format!("{}pass\n", "    ".repeat(200)));
    python.push_str(&format!("def {}(): pass\n", "n".repeat(100_000)));
    python.push_str(&format!(
        "def wide({}): pass\n",
        (0..50_000)
            .map(|i| format!("a{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    std::fs::write(root.join("deep.py"), &python).expect("write");
    assert!(python.len() < 1 << 20 && java.len() < 1 << 20);

    let limits = Limits::default();
    let index = index(root, &limits);
    let deep = index.file(&root.join("Deep.java")).expect("indexed");
    assert_eq!(deep.definitions().len(), 2 * DEPTH);
    let inner = deep.definitions().last().expect("definitions");
    assert_eq!(inner.name(), format!("m{}", DEPTH - 1));
    // Shown under its class, whose line prefix (the whole file before it) is left out.
    assert!(
        inner
            .text()
            .starts_with(&format!("class C{} {{", DEPTH - 1)),
        "{}",
        inner.text()
    );
    let py = index.file(&root.join("deep.py")).expect("indexed");
    let names: Vec<&str> = py.definitions().map(|d| d.name()).collect();
    assert_eq!(
        names.len(),
        201,
        "{:?}",
        &names[names.len().saturating_sub(3)..]
    );
    assert_eq!((names[0], names[199], names[200]), ("P0", "P199", "wide"));
    for file in [deep, py] {
        for d in file.definitions() {
            assert!(d.text().len() <= limits.max_snippet_bytes, "{}", d.name());
            assert!(
                d.signature().len() <= limits.max_snippet_bytes,
                "{}",
                d.name()
            );
        }
    }
    assert!(index.bytes() < 4 << 20, "{} bytes", index.bytes());
}
