//! One file -> its [`IndexedFile`]: the definitions outside functions
//! (`syntax::outline_outside_functions`), each rendered once for the prompt into the file's one string.

use std::path::Path;

use super::{Entry, IndexedFile, NO_OWNER, SignatureEnd};
use crate::Language;
use crate::syntax::{self, Definition, DefinitionKind, Outline, SMALL_DEFINITION_LINES};

/// Lines of a long docstring that are kept.
const DOCSTRING_LINES: usize = 8;
/// Indentation longer than this is not kept in a snippet.
const MAX_INDENT_BYTES: usize = 256;
/// Definitions with longer names are not indexed.
const MAX_NAME_BYTES: usize = 1024;

/// Parses `text` and renders its definitions; a file tree-sitter cannot parse gives no definitions.
pub fn extract(
    path: &Path,
    language: Language,
    text: &str,
    max_snippet_bytes: usize,
) -> IndexedFile {
    let outline = syntax::parse(language, text, None)
        .map(|tree| syntax::outline_outside_functions(language, &tree, text))
        .unwrap_or_default();
    let mut file = IndexedFile {
        path: path.to_owned(),
        language,
        max_snippet_bytes: u32::try_from(max_snippet_bytes).unwrap_or(u32::MAX),
        text: Box::default(),
        definitions: Box::default(),
    };
    let mut strings = String::new();
    file.definitions = definitions(language, text, &outline, max_snippet_bytes, &mut strings);
    file.text = strings.into_boxed_str();
    file
}

/// The definitions worth indexing, their names and snippets appended to `strings`.
fn definitions(
    language: Language,
    text: &str,
    outline: &Outline,
    max_bytes: usize,
    strings: &mut String,
) -> Box<[Entry]> {
    let defs = &outline.definitions;
    // The innermost definition around each one. Definitions come sorted by start, outer before inner,
    // so those around one are a stack.
    let mut parents: Vec<Option<usize>> = Vec::with_capacity(defs.len());
    let mut stack: Vec<usize> = Vec::new();
    for (i, def) in defs.iter().enumerate() {
        while let Some(&top) = stack.last() {
            if contains(&defs[top], def) {
                break;
            }
            stack.pop();
        }
        parents.push(stack.last().copied());
        stack.push(i);
    }
    // Each definition's facts about its ancestors, from its parent's, in one pass: a file of deeply
    // nested classes must not cost its depth per definition.
    let mut in_function = vec![false; defs.len()];
    let mut nearest_type: Vec<Option<usize>> = vec![None; defs.len()];
    // A type's direct members (callables and types it is the innermost definition of), in order.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); defs.len()];
    for (i, def) in defs.iter().enumerate() {
        let Some(p) = parents[i] else { continue };
        in_function[i] = in_function[p] || defs[p].kind.is_callable();
        nearest_type[i] = if defs[p].kind.is_type() {
            Some(p)
        } else {
            nearest_type[p]
        };
        if defs[p].kind.is_type() && (def.kind.is_callable() || def.kind.is_type()) {
            members[p].push(i);
        }
    }

    let mut entries: Vec<Entry> = Vec::new();
    // Outline index -> entry index, for owners.
    let mut entry_of: Vec<u32> = vec![NO_OWNER; defs.len()];
    for (i, def) in defs.iter().enumerate() {
        // Definitions local to a function are not reachable from other files.
        if in_function[i] {
            continue;
        }
        // Instance fields are rarely what another file's name means; constants are.
        if def.kind == DefinitionKind::Field && def.name.chars().any(char::is_lowercase) {
            continue;
        }
        // No one calls a name this long; its length would not fit the entry either.
        if def.name.len() > MAX_NAME_BYTES {
            continue;
        }
        let owner = nearest_type[i].map_or(NO_OWNER, |a| entry_of[a]);
        let members: Vec<&Definition> = members[i].iter().map(|&m| &defs[m]).collect();
        let (body, header_len, end) = render(language, text, def, &members, max_bytes);
        let body = cut(&body, max_bytes);
        let at = u32::try_from(strings.len()).unwrap_or(u32::MAX);
        strings.push_str(&def.name);
        strings.push_str(body);
        let line = snippet_start(text, def.range.start);
        entry_of[i] = u32::try_from(entries.len()).unwrap_or(NO_OWNER);
        entries.push(Entry {
            start: u32::try_from(def.range.start).unwrap_or(u32::MAX),
            at,
            name_len: u16::try_from(def.name.len()).unwrap_or(u16::MAX),
            len: u32::try_from(body.len()).unwrap_or(u32::MAX),
            header_len: u32::try_from(header_len.min(body.len())).unwrap_or(u32::MAX),
            indent_len: u16::try_from(def.range.start - line).unwrap_or(u16::MAX),
            owner,
            kind: def.kind,
            end,
        });
    }
    entries.into_boxed_slice()
}

/// Whether `inner` lies inside `outer` (and is not the same declaration's other name).
fn contains(outer: &Definition, inner: &Definition) -> bool {
    outer.range.start <= inner.range.start
        && inner.range.end <= outer.range.end
        && outer.range != inner.range
}

/// The snippet: whole when small, else the header, the docstring and, for types, the headers of their
/// direct members. With it, how many of its bytes are the header (indentation included) and what
/// follows the header in the signature.
fn render(
    language: Language,
    text: &str,
    def: &Definition,
    members: &[&Definition],
    max_bytes: usize,
) -> (String, usize, SignatureEnd) {
    let start = snippet_start(text, def.range.start);
    let whole = &text[start..def.range.end];
    let header = &text[start..def.range.start];
    let header_len = header.len() + def.header(text).len();
    // Cut before copying: a one-line file of nested classes holds each one's text in its parent's.
    if def.body.is_none() {
        let whole = cut(whole.trim_end(), max_bytes);
        return (whole.to_owned(), whole.len(), SignatureEnd::Whole);
    }
    let end = match language {
        Language::Python => SignatureEnd::Ellipsis,
        _ if def.kind.is_type() => SignatureEnd::Braces,
        _ => SignatureEnd::Semicolon,
    };
    // Lines counted up to the limit only: a type's text holds all of its nested types'. Small in
    // bytes too, or a one-line file of nested classes would store each one's text in its parents'.
    if whole.len() <= max_bytes && whole.lines().nth(SMALL_DEFINITION_LINES).is_none() {
        return (whole.trim_end().to_owned(), header_len, end);
    }
    let indent = header;
    let body_indent = format!("{indent}    ");
    let mut out = String::with_capacity(header_len + 64);
    out.push_str(indent);
    out.push_str(def.header(text));
    if let (Language::Python, Some(doc)) = (language, &def.docstring) {
        let doc = &text[snippet_start(text, doc.start)..doc.end];
        let mut lines: Vec<&str> = doc.lines().collect();
        let quote = if doc.trim_end().ends_with("'''") {
            "'''"
        } else {
            "\"\"\""
        };
        let closing = format!("{body_indent}{quote}");
        if lines.len() > DOCSTRING_LINES {
            lines.truncate(DOCSTRING_LINES);
            lines.push(&closing);
        }
        out.push('\n');
        out.push_str(&lines.join("\n"));
    }
    let member_header = |m: &Definition| {
        let line = snippet_start(text, m.range.start);
        format!("{}{}", &text[line..m.range.start], m.header(text))
    };
    let is_type = def.kind.is_type();
    match language {
        Language::Python => {
            for m in members {
                if out.len() > max_bytes {
                    break;
                }
                out.push_str(&format!("\n{} ...", member_header(m)));
            }
            if members.is_empty() && def.docstring.is_none() {
                out.push_str(&format!("\n{body_indent}..."));
            }
        }
        _ if is_type => {
            out.push_str(" {");
            for m in members {
                if out.len() > max_bytes {
                    break;
                }
                let end = if m.kind.is_type() { " { ... }" } else { ";" };
                out.push_str(&format!("\n{}{end}", member_header(m)));
            }
            out.push_str(&format!("\n{indent}}}"));
        }
        _ => out.push_str(" { ... }"),
    }
    (out, header_len, end)
}

/// `text` cut to at most `max` bytes at a line end.
pub(super) fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').unwrap_or(end);
    &text[..end]
}

/// Where the snippet of a definition at `offset` starts: at its line's start when only indentation
/// (of at most [`MAX_INDENT_BYTES`]) precedes it there, so that it keeps its indentation; else at the
/// definition itself, as the code before it on its line is not part of it. Looks at a bounded window,
/// so a file that is one long line costs no more than any other.
fn snippet_start(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let from = offset.saturating_sub(MAX_INDENT_BYTES);
    let line = match bytes[from..offset].iter().rposition(|&b| b == b'\n') {
        Some(i) => from + i + 1,
        None if from == 0 => 0,
        None => return offset,
    };
    match bytes[line..offset].iter().all(|&b| b == b' ' || b == b'\t') {
        true => line,
        false => offset,
    }
}
