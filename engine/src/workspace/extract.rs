//! One file -> its [`IndexedFile`]: the definitions the syntax queries find (`syntax::outline`), less
//! those inside functions, each rendered once for the prompt.

use std::path::Path;

use super::{IndexedDefinition, IndexedFile};
use crate::Language;
use crate::syntax::{self, Definition, DefinitionKind, Outline};

/// A definition of at most this many lines is kept whole; longer ones as header, docstring and members.
const SMALL_DEFINITION_LINES: usize = 12;
/// Lines of a long docstring that are kept.
const DOCSTRING_LINES: usize = 8;

/// Parses `text` and renders its definitions; a file tree-sitter cannot parse gives no definitions.
pub fn extract(
    path: &Path,
    language: Language,
    text: &str,
    max_snippet_bytes: usize,
) -> IndexedFile {
    let definitions = match syntax::parse(language, text, None) {
        Some(tree) => {
            let outline = syntax::outline(language, &tree, text);
            definitions(language, text, &outline, max_snippet_bytes)
        }
        None => Vec::new(),
    };
    IndexedFile {
        path: path.to_owned(),
        language,
        definitions,
    }
}

fn definitions(
    language: Language,
    text: &str,
    outline: &Outline,
    max_bytes: usize,
) -> Vec<IndexedDefinition> {
    let mut out = Vec::new();
    for def in &outline.definitions {
        let inside = |o: &&Definition| {
            o.range.start <= def.range.start && def.range.end <= o.range.end && o.range != def.range
        };
        // Definitions local to a function are not reachable from other files.
        if outline
            .definitions
            .iter()
            .filter(inside)
            .any(|o| o.kind.is_callable())
        {
            continue;
        }
        // Instance fields are rarely what another file's name means; constants are.
        if def.kind == DefinitionKind::Field && def.name.chars().any(char::is_lowercase) {
            continue;
        }
        let owner = outline
            .definitions
            .iter()
            .filter(inside)
            .rfind(|o| o.kind.is_type());
        let body = render(language, text, outline, def, false);
        let header = render(language, text, outline, def, true);
        let (text, signature) = match owner {
            Some(owner) => (
                under(language, text, owner, &body),
                under(language, text, owner, &header),
            ),
            None => (body, header),
        };
        out.push(IndexedDefinition {
            name: def.name.clone(),
            kind: def.kind,
            start: def.range.start,
            owner: owner.map(|o| o.name.clone()),
            text: cut(text, max_bytes),
            signature: cut(signature, max_bytes),
        });
    }
    out
}

/// Whole when small (unless `header_only`), else the header, the docstring and, for types, the headers
/// of their direct members.
fn render(
    language: Language,
    text: &str,
    outline: &Outline,
    def: &Definition,
    header_only: bool,
) -> String {
    let start = line_start(text, def.range.start);
    let whole = &text[start..def.range.end];
    if def.body.is_none() || (!header_only && whole.lines().count() <= SMALL_DEFINITION_LINES) {
        return whole.trim_end().to_owned();
    }
    let indent = &text[start..def.range.start];
    let header = format!("{indent}{}", def.header(text));
    let body_indent = format!("{indent}    ");
    if header_only {
        return match language {
            Language::Python => format!("{header} ..."),
            _ if def.kind.is_type() => format!("{header} {{ ... }}"),
            _ => format!("{header};"),
        };
    }
    let mut out = header;
    if let (Language::Python, Some(doc)) = (language, &def.docstring) {
        let doc = &text[line_start(text, doc.start)..doc.end];
        let mut lines: Vec<String> = doc.lines().map(str::to_owned).collect();
        if lines.len() > DOCSTRING_LINES {
            lines.truncate(DOCSTRING_LINES);
            let quote = if doc.trim_end().ends_with("'''") {
                "'''"
            } else {
                "\"\"\""
            };
            lines.push(format!("{body_indent}{quote}"));
        }
        out.push('\n');
        out.push_str(&lines.join("\n"));
    }
    let members: Vec<&Definition> = if def.kind.is_type() {
        outline
            .definitions
            .iter()
            .filter(|m| {
                (m.kind.is_callable() || m.kind.is_type())
                    && m.range.start > def.range.start
                    && m.range.end <= def.range.end
                    && !outline.definitions.iter().any(|o| {
                        o.range.start > def.range.start
                            && o.range.start < m.range.start
                            && m.range.end <= o.range.end
                    })
            })
            .collect()
    } else {
        Vec::new()
    };
    let member_header = |m: &Definition| {
        let line = line_start(text, m.range.start);
        format!("{}{}", &text[line..m.range.start], m.header(text))
    };
    match language {
        Language::Python => {
            for m in &members {
                out.push_str(&format!("\n{} ...", member_header(m)));
            }
            if members.is_empty() && def.docstring.is_none() {
                out.push_str(&format!("\n{body_indent}..."));
            }
        }
        _ if def.kind.is_type() => {
            out.push_str(" {");
            for m in &members {
                let end = if m.kind.is_type() { " { ... }" } else { ";" };
                out.push_str(&format!("\n{}{end}", member_header(m)));
            }
            out.push_str(&format!("\n{indent}}}"));
        }
        _ => out.push_str(" { ... }"),
    }
    out
}

/// A member's snippet under its class's header, so it reads as a member.
fn under(language: Language, text: &str, owner: &Definition, snippet: &str) -> String {
    let start = line_start(text, owner.range.start);
    let indent = &text[start..owner.range.start];
    let header = format!("{indent}{}", owner.header(text));
    match language {
        Language::Python => format!("{header}\n{snippet}"),
        _ => format!("{header} {{\n{snippet}\n{indent}}}"),
    }
}

/// `text` cut to at most `max` bytes at a line end.
fn cut(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let end = text[..end].rfind('\n').unwrap_or(end);
        text.truncate(end);
    }
    text
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}
