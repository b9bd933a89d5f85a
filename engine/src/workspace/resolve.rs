//! (document, cursor) -> the indexed definitions a completion there most likely needs, ranked.
//!
//! The names used near the cursor (the function whose call the cursor is in first, then by distance,
//! locals left out) are looked up in what the file imports:
//! - Python: `import a.b [as c]`, `from a.b import x [as y]`, `from . import m`, `from ..m import *`,
//!   modules found by their dotted path's suffix (so `src/` layouts and nested projects resolve);
//! - Java: `import a.b.C`, `import a.b.*`, `import static a.b.C.m`, the classes of the same package
//!   (the file's directory) and `java.lang`.
//!
//! A name bound by an import ranks first; a member or function of an imported file next; a name that
//! few files in the whole workspace define last (a code-search fallback for what imports do not show).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use tree_sitter::Node;

use super::{FileId, IndexedDefinition, WorkspaceIndex};
use crate::syntax::{
    self, DEFINITIONS_PER_NAME, DefinitionKind, NEAR_LINES_AFTER, NEAR_LINES_BEFORE,
};
use crate::{Document, Language};

/// Candidates returned at most (the context budget takes what fits).
const MAX_CANDIDATES: usize = 12;
/// A name no import explains is looked up in the whole workspace only when at most this many files
/// define it; a common name (`get`, `run`) would bring noise.
const GLOBAL_MAX_FILES: usize = 3;
/// Rank penalties, in positions of the nearest-first name order, of each way a name is resolved.
const PENALTY_IMPORTED_NAME: usize = 0;
const PENALTY_IMPORTED_FILE: usize = 2;
const PENALTY_GLOBAL: usize = 6;
/// How far back the call around the cursor is searched for.
const CALL_LOOKBACK_BYTES: usize = 4096;

/// An indexed definition chosen for a completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate<'i> {
    /// The file's path relative to its workspace folder, `/`-separated.
    pub path: String,
    /// Byte offset of the definition in that file.
    pub start: usize,
    pub definition: IndexedDefinition<'i>,
}

/// What the index offers a completion: ranked candidates, and where the document sits in the workspace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection<'i> {
    /// The name of the workspace folder that holds the document (the repository's name).
    pub repo_name: Option<String>,
    /// The document's path relative to that folder.
    pub path: Option<String>,
    /// Most relevant first.
    pub candidates: Vec<Candidate<'i>>,
}

/// How a name near the cursor reaches a file.
#[derive(Default)]
struct Scope {
    /// Local name -> (files, the name it has there); `None` binds a module.
    bindings: HashMap<String, Vec<(FileId, Option<String>)>>,
    /// Files whose definitions are in reach (imported modules, imported classes, the package), with
    /// the penalty of names found there.
    files: HashMap<FileId, usize>,
}

impl Scope {
    fn bind(&mut self, local: &str, file: FileId, name: Option<&str>) {
        self.bindings
            .entry(local.to_owned())
            .or_default()
            .push((file, name.map(str::to_owned)));
    }

    fn reach(&mut self, file: FileId, penalty: usize) {
        let entry = self.files.entry(file).or_insert(penalty);
        *entry = (*entry).min(penalty);
    }
}

impl WorkspaceIndex {
    /// The definitions from files other than `document` and `open_documents` (the context builder
    /// reads those itself) that a completion at byte `cursor` of `document` most likely needs.
    pub fn select<'i>(
        &'i self,
        document: &Document,
        cursor: usize,
        open_documents: &[Document],
    ) -> Selection<'i> {
        let own = uri_path(&document.uri);
        let (repo_name, path) = own.as_deref().and_then(|p| self.relative(p)).unzip();
        let mut selection = Selection {
            repo_name,
            path,
            candidates: Vec::new(),
        };
        let (Some(tree), Some(own)) = (document.tree(), own) else {
            return selection;
        };
        let text = document.text();
        if cursor > text.len() || !text.is_char_boundary(cursor) {
            return selection;
        }
        let mut excluded: Vec<FileId> = open_documents
            .iter()
            .filter_map(|d| uri_path(&d.uri))
            .chain(std::iter::once(own.clone()))
            .filter_map(|p| self.ids.get(&p).copied())
            .collect();
        excluded.sort_unstable();

        let outline = document.outline();
        let scope = match document.language {
            Language::Python => self.python_scope(tree.root_node(), text, &outline.imports, &own),
            Language::Java => self.java_scope(text, &outline.imports, &own),
            Language::Other => return selection,
        };
        let defined_here = |name: &str| outline.definitions.iter().any(|d| d.name == name);

        // (score, name rank, file, definition index)
        let mut ranked: Vec<(usize, usize, FileId, usize)> = Vec::new();
        for (rank, name) in names_near(tree, text, cursor, &outline.imports)
            .iter()
            .enumerate()
        {
            let mut found: Vec<(usize, FileId, usize)> = Vec::new();
            let add = |found: &mut Vec<(usize, FileId, usize)>,
                       penalty: usize,
                       id: FileId,
                       file: &super::IndexedFile,
                       bound: &str,
                       top: bool| {
                if excluded.binary_search(&id).is_ok() {
                    return;
                }
                for (i, def) in file.definitions().enumerate() {
                    // A constructor is shown with its class (a long class lists its constructors).
                    if def.kind() == DefinitionKind::Constructor {
                        continue;
                    }
                    if def.name() == bound
                        && (!top || def.owner().is_none())
                        && !found.iter().any(|f| (f.1, f.2) == (id, i))
                    {
                        found.push((penalty, id, i));
                    }
                }
            };
            if let Some(targets) = scope.bindings.get(name.as_str()) {
                for (id, bound) in targets {
                    if let (Some(file), Some(bound)) = (self.get(*id), bound) {
                        // Python binds top-level names; Java binds classes and (static imports) members.
                        add(
                            &mut found,
                            PENALTY_IMPORTED_NAME,
                            *id,
                            file,
                            bound,
                            document.language == Language::Python,
                        );
                    }
                }
            }
            if found.is_empty()
                && !defined_here(name)
                && let Some(files) = self.by_name.get(name.as_str())
            {
                for &id in files {
                    let penalty = match scope.files.get(&id) {
                        Some(&penalty) => penalty,
                        None if files.len() <= GLOBAL_MAX_FILES => PENALTY_GLOBAL,
                        None => continue,
                    };
                    if let Some(file) = self.get(id) {
                        add(&mut found, penalty, id, file, name, false);
                    }
                }
            }
            // Types before members, nearer penalties first, then file order.
            found.sort_by_key(|&(penalty, id, i)| {
                let kind = self.get(id).and_then(|f| f.definition(i)).map(|d| d.kind());
                (penalty, !kind.is_some_and(DefinitionKind::is_type), id, i)
            });
            for (penalty, id, i) in found.into_iter().take(DEFINITIONS_PER_NAME) {
                // The function being called comes first however it was resolved, unless only by name.
                let score = if rank == 0 && penalty < PENALTY_GLOBAL {
                    0
                } else {
                    rank + penalty
                };
                ranked.push((score, rank, id, i));
            }
        }
        ranked.sort();
        ranked.truncate(MAX_CANDIDATES);
        for (_, _, id, i) in ranked {
            let Some(file) = self.get(id) else { continue };
            let Some(definition) = file.definition(i) else {
                continue;
            };
            let path = self
                .relative(&file.path)
                .map_or_else(|| file.path.display().to_string(), |(_, p)| p);
            selection.candidates.push(Candidate {
                path,
                start: definition.start(),
                definition,
            });
        }
        selection
    }

    /// (the root's name, the path relative to it) for a path under one of the roots.
    pub fn relative(&self, path: &Path) -> Option<(String, String)> {
        let root = self
            .roots
            .iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.as_os_str().len())?;
        let name = root.file_name().map_or_else(
            || "workspace".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let relative = path.strip_prefix(root).ok()?;
        // A name that is not UTF-8 is shown with U+FFFD rather than dropped, which would show
        // another path.
        let parts: Vec<_> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect();
        Some((name, parts.join("/")))
    }

    fn python_scope(
        &self,
        root: Node<'_>,
        text: &str,
        imports: &[Range<usize>],
        own: &Path,
    ) -> Scope {
        let mut scope = Scope::default();
        for range in imports {
            let Some(node) = root.descendant_for_byte_range(range.start, range.end) else {
                continue;
            };
            let node_text = |n: Node<'_>| n.utf8_text(text.as_bytes()).unwrap_or_default();
            match node.kind() {
                "import_statement" => {
                    let mut cursor = node.walk();
                    for name in node.children_by_field_name("name", &mut cursor) {
                        let (dotted, alias) = match name.kind() {
                            "aliased_import" => (
                                name.child_by_field_name("name")
                                    .map(node_text)
                                    .unwrap_or_default(),
                                name.child_by_field_name("alias").map(node_text),
                            ),
                            _ => (node_text(name), None),
                        };
                        for id in self.python_module(dotted, own) {
                            scope.reach(id, PENALTY_IMPORTED_FILE);
                            if let Some(alias) = alias {
                                scope.bind(alias, id, None);
                            }
                        }
                    }
                }
                "import_from_statement" => {
                    let Some(module) = node.child_by_field_name("module_name") else {
                        continue;
                    };
                    let base = match module.kind() {
                        "relative_import" => {
                            let mut cursor = module.walk();
                            let children: Vec<Node<'_>> =
                                module.named_children(&mut cursor).collect();
                            let dots = children
                                .iter()
                                .find(|c| c.kind() == "import_prefix")
                                .map_or(0, |c| node_text(*c).matches('.').count());
                            let dotted = children
                                .iter()
                                .find(|c| c.kind() == "dotted_name")
                                .map(|c| node_text(*c));
                            ModuleRef::Relative { dots, dotted }
                        }
                        _ => ModuleRef::Absolute(node_text(module)),
                    };
                    let files = self.python_module_ref(&base, own);
                    for &id in &files {
                        scope.reach(id, PENALTY_IMPORTED_FILE);
                    }
                    let mut cursor = node.walk();
                    let mut named = false;
                    for name in node.children_by_field_name("name", &mut cursor) {
                        named = true;
                        let (original, local) = match name.kind() {
                            "aliased_import" => {
                                let original = name
                                    .child_by_field_name("name")
                                    .map(node_text)
                                    .unwrap_or_default();
                                (
                                    original,
                                    name.child_by_field_name("alias")
                                        .map_or(original, node_text),
                                )
                            }
                            _ => (node_text(name), node_text(name)),
                        };
                        for &id in &files {
                            scope.bind(local, id, Some(original));
                        }
                        // `from pkg import module`: the name is a submodule.
                        for id in self.python_submodule(&base, original, own) {
                            scope.reach(id, PENALTY_IMPORTED_FILE);
                            scope.bind(local, id, None);
                        }
                    }
                    if !named {
                        // `from m import *`: everything m defines is in reach as if imported by name.
                        for &id in &files {
                            scope.reach(id, PENALTY_IMPORTED_NAME);
                        }
                    }
                }
                _ => {}
            }
        }
        scope
    }

    fn python_module_ref(&self, module: &ModuleRef<'_>, own: &Path) -> Vec<FileId> {
        match module {
            ModuleRef::Absolute(dotted) => self.python_module(dotted, own),
            ModuleRef::Relative { dots, dotted } => {
                let Some(mut base) = own.parent().map(Path::to_path_buf) else {
                    return Vec::new();
                };
                for _ in 1..*dots {
                    if !base.pop() {
                        return Vec::new();
                    }
                }
                if let Some(dotted) = dotted {
                    base.extend(dotted.split('.'));
                    let file = base.with_extension("py");
                    let stub = base.with_extension("pyi");
                    let package = base.join("__init__.py");
                    return [file, stub, package]
                        .iter()
                        .filter_map(|p| self.ids.get(p).copied())
                        .take(1)
                        .collect();
                }
                self.ids
                    .get(&base.join("__init__.py"))
                    .copied()
                    .into_iter()
                    .collect()
            }
        }
    }

    /// Module `name` inside package `base` (`from pkg import module`).
    fn python_submodule(&self, base: &ModuleRef<'_>, name: &str, own: &Path) -> Vec<FileId> {
        match base {
            ModuleRef::Absolute(dotted) => self.python_module(&format!("{dotted}.{name}"), own),
            ModuleRef::Relative { dots, dotted } => {
                let Some(mut dir) = own.parent().map(Path::to_path_buf) else {
                    return Vec::new();
                };
                for _ in 1..*dots {
                    if !dir.pop() {
                        return Vec::new();
                    }
                }
                dir.extend(dotted.iter().flat_map(|d| d.split('.')));
                self.module_in_dir(&dir, std::iter::once(name))
            }
        }
    }

    /// The module `parts` (a dotted path split) under `dir`.
    fn module_in_dir<'a>(&self, dir: &Path, parts: impl Iterator<Item = &'a str>) -> Vec<FileId> {
        let mut base = dir.to_path_buf();
        base.extend(parts);
        let candidates = [
            base.with_extension("py"),
            base.with_extension("pyi"),
            base.join("__init__.py"),
        ];
        candidates
            .iter()
            .filter_map(|p| self.ids.get(p).copied())
            .take(1)
            .collect()
    }

    /// The files of absolute module `dotted`: those whose path ends with its parts (`a/b.py`,
    /// `a/b/__init__.py`), the one nearest the document first.
    fn python_module(&self, dotted: &str, own: &Path) -> Vec<FileId> {
        let parts: Vec<&str> = dotted.split('.').filter(|p| !p.is_empty()).collect();
        let Some(last) = parts.last() else {
            return Vec::new();
        };
        let Some(files) = self.by_stem.get(*last) else {
            return Vec::new();
        };
        let mut matching: Vec<(usize, FileId)> = files
            .iter()
            .filter_map(|&id| {
                let file = self.get(id)?;
                let package = file.path.file_stem().is_some_and(|s| s == "__init__");
                let stemmed = if package {
                    file.path.parent()?.to_path_buf()
                } else {
                    file.path.with_extension("")
                };
                ends_with_parts(&stemmed, &parts).then(|| (common_prefix(&file.path, own), id))
            })
            .collect();
        matching.sort_by_key(|&(common, id)| (std::cmp::Reverse(common), id));
        matching.into_iter().map(|(_, id)| id).take(1).collect()
    }

    fn java_scope(&self, text: &str, imports: &[Range<usize>], own: &Path) -> Scope {
        let mut scope = Scope::default();
        // The same package: the classes next to this file.
        if let Some(dir) = own.parent() {
            self.reach_dir(&mut scope, dir, PENALTY_IMPORTED_FILE);
        }
        for range in imports {
            let statement = text[range.clone()].trim();
            let Some(rest) = statement.strip_prefix("import") else {
                continue;
            };
            let rest = rest.trim_end_matches(';').trim();
            let (is_static, name) = match rest.strip_prefix("static") {
                Some(name) if name.starts_with(char::is_whitespace) => (true, name.trim()),
                _ => (false, rest),
            };
            let name: String = name.chars().filter(|c| !c.is_whitespace()).collect();
            let parts: Vec<&str> = name.split('.').collect();
            match (is_static, parts.as_slice()) {
                (false, [package @ .., "*"]) => {
                    for dir in self.dirs_ending_with(package) {
                        self.reach_dir(&mut scope, &dir, PENALTY_IMPORTED_FILE);
                    }
                }
                (false, [.., class]) => {
                    for id in self.java_class(&parts) {
                        scope.reach(id, PENALTY_IMPORTED_FILE);
                        scope.bind(class, id, Some(class));
                    }
                }
                (true, [class @ .., "*"]) => {
                    for id in self.java_class(class) {
                        scope.reach(id, PENALTY_IMPORTED_NAME);
                    }
                }
                (true, [class @ .., member]) => {
                    for id in self.java_class(class) {
                        scope.reach(id, PENALTY_IMPORTED_FILE);
                        scope.bind(member, id, Some(member));
                    }
                }
                _ => {}
            }
        }
        for dir in self.dirs_ending_with(&["java", "lang"]) {
            self.reach_dir(&mut scope, &dir, PENALTY_IMPORTED_FILE);
        }
        scope
    }

    /// Reaches every class of a package directory, binding each by its file's name.
    fn reach_dir(&self, scope: &mut Scope, dir: &Path, penalty: usize) {
        for &id in self.by_dir.get(dir).into_iter().flatten() {
            let Some(file) = self.get(id) else { continue };
            if file.language != super::Language::Java {
                continue;
            }
            scope.reach(id, penalty);
            if let Some(stem) = file.path.file_stem().and_then(|s| s.to_str())
                && !scope.bindings.contains_key(stem)
            {
                scope.bind(stem, id, Some(stem));
            }
        }
    }

    /// The file of class `a.b.C` (or of `a.b.C.Inner`): `.../a/b/C.java`.
    fn java_class(&self, parts: &[&str]) -> Vec<FileId> {
        for end in (1..=parts.len()).rev() {
            let parts = &parts[..end];
            let Some(files) = parts.last().and_then(|l| self.by_stem.get(*l)) else {
                continue;
            };
            let found: Vec<FileId> = files
                .iter()
                .copied()
                .filter(|&id| {
                    self.get(id).is_some_and(|f| {
                        f.language == super::Language::Java
                            && ends_with_parts(&f.path.with_extension(""), parts)
                    })
                })
                .take(1)
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    fn dirs_ending_with(&self, parts: &[&str]) -> Vec<PathBuf> {
        self.by_dir
            .keys()
            .filter(|dir| ends_with_parts(dir, parts))
            .cloned()
            .collect()
    }
}

/// A module an import names, before it is resolved.
enum ModuleRef<'t> {
    Absolute(&'t str),
    Relative {
        dots: usize,
        dotted: Option<&'t str>,
    },
}

/// Whether `path`'s last components are `parts`.
fn ends_with_parts(path: &Path, parts: &[&str]) -> bool {
    let mut components = path.components().rev();
    parts
        .iter()
        .rev()
        .all(|part| matches!(components.next(), Some(Component::Normal(c)) if c == *part))
}

fn common_prefix(a: &Path, b: &Path) -> usize {
    a.components()
        .zip(b.components())
        .take_while(|(x, y)| x == y)
        .count()
}

/// The file path of a `file:` URI; `None` for other schemes and malformed URIs.
pub fn uri_path(uri: &str) -> Option<PathBuf> {
    url::Url::parse(uri)
        .ok()
        .filter(|u| u.scheme() == "file")?
        .to_file_path()
        .ok()
}

/// Names used near the cursor, most relevant first: the function whose call the cursor is in, then by
/// distance (names after the cursor count double); each once, locals left out.
fn names_near(
    tree: &tree_sitter::Tree,
    text: &str,
    cursor: usize,
    imports: &[Range<usize>],
) -> Vec<String> {
    let line_of = |offset: usize| text[..offset].matches('\n').count();
    let cursor_line = line_of(cursor);
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let from = starts[cursor_line.saturating_sub(NEAR_LINES_BEFORE)];
    let to = starts
        .get(cursor_line + NEAR_LINES_AFTER + 1)
        .copied()
        .unwrap_or(text.len());
    let mut found = syntax::identifiers(tree, text, from..to);
    // The names an import statement mentions are bindings, not uses.
    found.retain(|i| !imports.iter().any(|r| r.contains(&i.start)));
    let locals: Vec<&str> = found
        .iter()
        .filter(|i| i.binds_local)
        .map(|i| i.name)
        .collect();
    let callee = call_around(text, cursor);
    let mut scored: Vec<(usize, &str)> = found
        .iter()
        .filter(|i| !locals.contains(&i.name))
        .map(|i| {
            let distance = if i.start < cursor {
                cursor - i.start
            } else {
                2 * (i.start - cursor)
            };
            let distance = if Some(i.start) == callee {
                0
            } else {
                distance + 1
            };
            (distance, i.name)
        })
        .collect();
    scored.sort();
    let mut names: Vec<String> = Vec::new();
    for (_, name) in scored {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// The start of the name called by the innermost call whose parentheses hold the cursor (`f` of
/// `f(a, |`, `m` of `obj.m(|`).
fn call_around(text: &str, cursor: usize) -> Option<usize> {
    let mut from = cursor.saturating_sub(CALL_LOOKBACK_BYTES);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text.as_bytes()[from..cursor];
    let mut depth = 0usize;
    for (i, &b) in before.iter().enumerate().rev() {
        match b {
            b')' => depth += 1,
            b'(' if depth > 0 => depth -= 1,
            b'(' => {
                let head = text[from..from + i].trim_end();
                let name_len = head
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .map(char::len_utf8)
                    .sum::<usize>();
                return (name_len > 0).then(|| from + head.len() - name_len);
            }
            _ => {}
        }
    }
    None
}
