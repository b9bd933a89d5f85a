//! tree-sitter parsing and the syntactic facts the pipeline asks about: imports, definitions, enclosing
//! scopes, identifiers, and how broken a tree is.
//!
//! What to look for in each language lives in the `.scm` query files next to this module, as data.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Node, Query, QueryCursor, StreamingIterator, Tree};

/// The language of a document, which picks its grammar and queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    Java,
    /// Any other language: plain-text context, no syntax checks.
    Other,
}

impl Language {
    /// From an LSP language id (`python`, `java`) or a file extension (`py`, `java`).
    pub fn from_id(id: &str) -> Language {
        match id {
            "python" | "py" | "pyi" => Language::Python,
            "java" => Language::Java,
            _ => Language::Other,
        }
    }
}

/// The tree-sitter grammar of `language`, if it has one.
pub fn grammar(language: Language) -> Option<tree_sitter::Language> {
    match language {
        Language::Python => Some(tree_sitter_python::LANGUAGE.into()),
        Language::Java => Some(tree_sitter_java::LANGUAGE.into()),
        Language::Other => None,
    }
}

/// Parses `text`, reusing `old` (already `edit`ed) for an incremental re-parse.
pub fn parse(language: Language, text: &str, old: Option<&Tree>) -> Option<Tree> {
    let grammar = grammar(language)?;
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&grammar).ok()?;
    parser.parse(text, old)
}

/// Number of ERROR and MISSING nodes in `tree`: the measure of "how broken" a file is that validation
/// compares before and after inserting a completion.
pub fn error_count(tree: &Tree) -> usize {
    errors(tree).len()
}

/// Byte ranges of the ERROR and MISSING nodes of `tree` (a MISSING node is empty), in file order.
pub fn errors(tree: &Tree) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut cursor = tree.walk();
    // Pre-order walk without recursion, so deeply nested files cannot overflow the stack.
    'walk: loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            found.push(node.byte_range());
        }
        // Subtrees without errors are skipped whole.
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    found
}

/// What kind of thing a [`Definition`] defines; the `@definition.<kind>` capture of the query files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DefinitionKind {
    Function,
    Class,
    Constant,
    Interface,
    Enum,
    Record,
    Method,
    Constructor,
    Field,
}

impl DefinitionKind {
    fn from_capture(name: &str) -> Option<DefinitionKind> {
        Some(match name.strip_prefix("definition.")? {
            "function" => DefinitionKind::Function,
            "class" => DefinitionKind::Class,
            "constant" => DefinitionKind::Constant,
            "interface" => DefinitionKind::Interface,
            "enum" => DefinitionKind::Enum,
            "record" => DefinitionKind::Record,
            "method" => DefinitionKind::Method,
            "constructor" => DefinitionKind::Constructor,
            "field" => DefinitionKind::Field,
            _ => return None,
        })
    }

    /// Functions, methods and constructors: things with a body of statements.
    pub fn is_callable(self) -> bool {
        matches!(
            self,
            DefinitionKind::Function | DefinitionKind::Method | DefinitionKind::Constructor
        )
    }

    /// Things whose body holds other definitions.
    pub fn is_type(self) -> bool {
        matches!(
            self,
            DefinitionKind::Class
                | DefinitionKind::Interface
                | DefinitionKind::Enum
                | DefinitionKind::Record
        )
    }
}

/// Definitions in prompts, the same for the open documents (`context`) and the workspace index:
/// the names used this many lines before and after the cursor's line are looked up,
pub(crate) const NEAR_LINES_BEFORE: usize = 12;
pub(crate) const NEAR_LINES_AFTER: usize = 3;
/// at most this many definitions per name (overloads, the same name in several files),
pub(crate) const DEFINITIONS_PER_NAME: usize = 2;
/// and a definition of at most this many lines is shown whole (longer ones as header, docstring and
/// members).
pub(crate) const SMALL_DEFINITION_LINES: usize = 12;

/// One definition in a file. Ranges are byte ranges of the file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    pub kind: DefinitionKind,
    /// The whole definition, decorators (Python) and modifiers/annotations (Java) included.
    pub range: Range<usize>,
    /// Where the body starts (the header is `range.start..body.start`); `None` for bodiless definitions.
    pub body: Option<Range<usize>>,
    /// The docstring (Python): the body's first statement when it is a string.
    pub docstring: Option<Range<usize>>,
}

impl Definition {
    /// The header: the definition up to its body (`def f(x):`, `public int f(int x)`), without trailing
    /// whitespace.
    pub fn header<'t>(&self, text: &'t str) -> &'t str {
        let end = self.body.as_ref().map_or(self.range.end, |b| b.start);
        text[self.range.start..end].trim_end()
    }
}

/// The compiled queries of one language.
struct Queries {
    query: Query,
    import: Option<u32>,
    name: Option<u32>,
    body: Option<u32>,
}

fn load_queries(language: Language, source: &str) -> Option<Queries> {
    let grammar = grammar(language)?;
    // The query files are compiled into the binary and covered by tests, so a failure here is a bug in
    // them; it degrades context (no definitions) rather than failing requests.
    let query = match Query::new(&grammar, source) {
        Ok(query) => query,
        Err(e) => {
            tracing::error!("invalid {language:?} query: {e}");
            return None;
        }
    };
    Some(Queries {
        import: query.capture_index_for_name("import"),
        name: query.capture_index_for_name("name"),
        body: query.capture_index_for_name("body"),
        query,
    })
}

static PYTHON: LazyLock<Option<Queries>> =
    LazyLock::new(|| load_queries(Language::Python, include_str!("python.scm")));
static JAVA: LazyLock<Option<Queries>> =
    LazyLock::new(|| load_queries(Language::Java, include_str!("java.scm")));

fn queries(language: Language) -> Option<&'static Queries> {
    match language {
        Language::Python => PYTHON.as_ref(),
        Language::Java => JAVA.as_ref(),
        Language::Other => None,
    }
}

/// The facts about one file that context building needs, extracted in one query pass.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    /// Import (and Java package) statements, in file order.
    pub imports: Vec<Range<usize>>,
    /// Definitions in file order (outer before inner).
    pub definitions: Vec<Definition>,
}

/// Imports and definitions of a parsed file.
pub fn outline(language: Language, tree: &Tree, text: &str) -> Outline {
    let mut outline = Outline::default();
    let Some(q) = queries(language) else {
        return outline;
    };
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&q.query, tree.root_node(), text.as_bytes());
    while let Some(m) = matches.next() {
        add_match(language, q, m, text, &mut outline);
    }
    finish(outline)
}

/// [`outline`] less what lies inside functions and methods (their local definitions and imports):
/// what other files can reach. Function bodies are not visited, so on large files this costs a
/// fraction of [`outline`].
pub fn outline_outside_functions(language: Language, tree: &Tree, text: &str) -> Outline {
    let mut outline = Outline::default();
    let Some(q) = queries(language) else {
        return outline;
    };
    let mut cursor = QueryCursor::new();
    // Only the patterns that start at the node the query runs on: the walk below picks the nodes.
    cursor.set_max_start_depth(Some(0));
    let mut walk = tree.walk();
    // Pre-order walk without recursion, so deeply nested files cannot overflow the stack.
    'walk: loop {
        let node = walk.node();
        let mut callable = false;
        if node.is_named() {
            let mut matches = cursor.matches(&q.query, node, text.as_bytes());
            while let Some(m) = matches.next() {
                if let Some((kind, whole)) = add_match(language, q, m, text, &mut outline) {
                    callable |= kind.is_callable() && whole == node.id();
                }
            }
        }
        if !callable && walk.goto_first_child() {
            continue;
        }
        loop {
            if walk.goto_next_sibling() {
                continue 'walk;
            }
            if !walk.goto_parent() {
                break 'walk;
            }
        }
    }
    finish(outline)
}

/// Adds one query match's import or definition to `outline`; returns a definition's kind and the id
/// of its node.
fn add_match(
    language: Language,
    q: &Queries,
    m: &tree_sitter::QueryMatch<'_, '_>,
    text: &str,
    outline: &mut Outline,
) -> Option<(DefinitionKind, usize)> {
    let mut whole = None;
    let mut kind = None;
    let mut name = None;
    let mut body = None;
    for capture in m.captures() {
        let index = Some(capture.index);
        if index == q.import {
            outline.imports.push(capture.node.byte_range());
        } else if index == q.name {
            name = Some(capture.node);
        } else if index == q.body {
            body = Some(capture.node);
        } else if let Some(k) =
            DefinitionKind::from_capture(q.query.capture_names()[capture.index as usize])
        {
            kind = Some(k);
            whole = Some(capture.node);
        }
    }
    let (whole, kind, name) = (whole?, kind?, name?);
    let name = name.utf8_text(text.as_bytes()).ok()?;
    // Decorators belong to the definition they decorate. Only Python has the node, and `parent()`
    // walks down from the root (the tree stores no parent links), which a Java file of thousands of
    // nested classes would pay per class.
    let outer = match language {
        Language::Python => match whole.parent() {
            Some(p) if p.kind() == "decorated_definition" => p,
            _ => whole,
        },
        _ => whole,
    };
    let docstring = body.and_then(|b| docstring(language, b));
    outline.definitions.push(Definition {
        name: name.to_owned(),
        kind,
        range: outer.byte_range(),
        body: body.map(|b| b.byte_range()),
        docstring,
    });
    Some((kind, whole.id()))
}

/// Imports and definitions in file order, each once.
fn finish(mut outline: Outline) -> Outline {
    outline.imports.sort_by_key(|r| r.start);
    outline.imports.dedup();
    outline
        .definitions
        .sort_by_key(|d| (d.range.start, std::cmp::Reverse(d.range.end)));
    outline
        .definitions
        .dedup_by(|a, b| a.range == b.range && a.name == b.name);
    outline
}

/// A Python body's leading string statement.
fn docstring(language: Language, body: Node<'_>) -> Option<Range<usize>> {
    if language != Language::Python {
        return None;
    }
    let first = body.named_child(0)?;
    if first.kind() != "expression_statement" {
        return None;
    }
    let string = first.named_child(0)?;
    (string.kind() == "string").then(|| first.byte_range())
}

/// The definitions that contain `offset`, outermost first (the enclosing class, then the method).
pub fn enclosing(outline: &Outline, offset: usize) -> impl Iterator<Item = &Definition> {
    outline.definitions.iter().filter(move |d| {
        (d.kind.is_callable() || d.kind.is_type())
            && d.range.start < offset
            && offset <= d.range.end
    })
}

/// One use of a name in the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identifier<'t> {
    pub name: &'t str,
    pub start: usize,
    /// This occurrence binds a local name (an assignment target, a parameter, a loop variable, a
    /// local variable declaration), so other definitions of that name are not what it means.
    pub binds_local: bool,
}

/// Identifiers (names of variables, functions, types, attributes) whose node starts within `range`,
/// in file order.
pub fn identifiers<'t>(tree: &Tree, text: &'t str, range: Range<usize>) -> Vec<Identifier<'t>> {
    let mut found = Vec::new();
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        let overlaps = node.start_byte() < range.end && node.end_byte() > range.start;
        if overlaps {
            if matches!(node.kind(), "identifier" | "type_identifier")
                && range.contains(&node.start_byte())
                && let Ok(name) = node.utf8_text(text.as_bytes())
            {
                found.push(Identifier {
                    name,
                    start: node.start_byte(),
                    binds_local: binds_local(node),
                });
            }
            if cursor.goto_first_child() {
                continue;
            }
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    found
}

fn binds_local(node: Node<'_>) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    let is_field = |field: &str| parent.child_by_field_name(field) == Some(node);
    match parent.kind() {
        // Python
        "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
            is_field("left")
        }
        "pattern_list" | "tuple_pattern" | "list_splat_pattern" => true,
        "parameters" | "lambda_parameters" | "typed_parameter" | "list_splat"
        | "dictionary_splat" => true,
        "default_parameter" | "typed_default_parameter" => is_field("name"),
        // Java
        "variable_declarator" => {
            is_field("name")
                && parent
                    .parent()
                    .is_some_and(|p| p.kind() == "local_variable_declaration")
        }
        "formal_parameter"
        | "catch_formal_parameter"
        | "enhanced_for_statement"
        | "spread_parameter" => is_field("name"),
        _ => false,
    }
}

/// The smallest node that spans `offset` strictly inside it (starts before it, ends after it) and is a
/// single token to the model's eyes: a string or a comment. Trimming context there would cut a token.
pub fn atom_spanning(tree: &Tree, offset: usize) -> Option<Range<usize>> {
    let mut node = tree.root_node().descendant_for_byte_range(offset, offset)?;
    loop {
        let atom = matches!(
            node.kind(),
            "string"
                | "comment"
                | "block_comment"
                | "line_comment"
                | "text_block"
                | "concatenated_string"
        );
        if atom && node.start_byte() < offset && offset < node.end_byte() {
            return Some(node.byte_range());
        }
        node = node.parent()?;
    }
}

/// The token that ends at or spans `end` (a byte offset just after a non-whitespace character): what the
/// cursor follows (the `:` of a `function_definition`, the `{` of a `block`, ...).
pub fn token_before(tree: &Tree, end: usize) -> Option<Node<'_>> {
    tree.root_node()
        .descendant_for_byte_range(end.checked_sub(1)?, end)
}
