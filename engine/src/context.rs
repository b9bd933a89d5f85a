//! (document, cursor, other open documents) -> [`EditorContext`]: the text around the cursor and the
//! definitions it needs, trimmed at syntactic boundaries and budgeted in real tokens of the model's
//! tokenizer.
//!
//! The budget is spent in priority order: the lines just before the cursor, the lines just after it, the
//! file's imports and the headers of the class/function around the cursor, definitions of names used
//! near the cursor (this file first, then other open documents), and finally more of the file before
//! and after. The window only ever starts and ends at line boundaries that are not inside a string or a
//! comment, so no token is cut.
//!
//! The context also carries the syntax at the cursor ([`CursorSyntax`]), computed here once for the
//! later stages.

use std::ops::Range;

use crate::cursor::{self, CursorSyntax};
use crate::syntax::{
    self, DEFINITIONS_PER_NAME, Definition, DefinitionKind, NEAR_LINES_AFTER, NEAR_LINES_BEFORE,
    Outline, SMALL_DEFINITION_LINES,
};
use crate::text::{line_end, line_start, line_starts};
use crate::workspace::{Selection, WorkspaceIndex};
use crate::{Document, Error, Language, Result};

/// What a [`Snippet`] is, which decides its priority in the budget and how the prompt joins it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SnippetKind {
    /// An import (or Java package) statement.
    Import,
    /// The header of a class or function that encloses the cursor, when the window starts inside it.
    Scope,
    /// A definition of a name used near the cursor: whole when small, else its signature and docstring.
    Definition,
}

/// A piece of context from outside the prefix/suffix window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub kind: SnippetKind,
    /// Byte range of the snippet's source in its file; orders snippets of one file.
    pub source: Range<usize>,
    /// The text, with the source's indentation.
    pub text: String,
}

/// Snippets taken from another open document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileContext {
    /// The document's path relative to the common root of the open documents.
    pub path: String,
    pub snippets: Vec<Snippet>,
}

/// Everything the prompt is built from. Plain data, so it can be dumped and snapshot-tested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditorContext {
    pub language: Language,
    /// The document's path relative to the common root of the open documents.
    pub path: String,
    /// Name of that common root (the repository), for repo-level prompts.
    pub repo_name: String,
    /// Text just before the cursor, from a line start (`document[window.start..cursor]`).
    pub prefix: String,
    /// Text just after the cursor, to a line end (`document[cursor..window.end]`).
    pub suffix: String,
    /// The bytes of the document that `prefix` and `suffix` cover.
    pub window: Range<usize>,
    /// Same-file snippets from outside the window, in file order.
    pub snippets: Vec<Snippet>,
    /// Definitions from other open documents, most relevant file first.
    pub other_files: Vec<FileContext>,
    /// Tokens the context takes (the sum of its parts, counted with the model's tokenizer).
    pub tokens: usize,
    /// The syntax at the cursor, for the prompt and post-processing.
    pub cursor: CursorSyntax,
}

/// Token counting as the model's tokenizer does it ([`crate::Backend::count_tokens`]).
pub type CountTokens<'a> = &'a dyn Fn(&str) -> Result<usize>;

/// Shares of the budget, in percent, that each stage may use before the next one starts. What the near
/// window leaves unused passes to the later stages only where it reached the file's start or end, and
/// each snippet stage has an allowance of its own, so that the snippets chosen do not change as lines
/// are typed (see [`START_GRID_TOKENS`]).
const NEAR_PREFIX_PERCENT: usize = 40;
const NEAR_SUFFIX_PERCENT: usize = 15;
const SCOPE_PERCENT: usize = 10;
const DEFINITIONS_PERCENT: usize = 20;
/// Of what is left at the end, the share that extends the prefix (the rest extends the suffix).
const FAR_PREFIX_PERCENT: usize = 75;
/// The cursor's line takes at least 1/CURSOR_LINE_SHARE of the budget, up to CURSOR_LINE_TOKENS,
/// whatever it holds: while the user types on a line shorter than that, every other boundary of the
/// window stays where it was, so the next keystroke's prompt starts as the last one did and the
/// model's cache still holds it.
const CURSOR_LINE_SHARE: usize = 16;
const CURSOR_LINE_TOKENS: usize = 32;
/// A window that cannot hold the whole file starts on a line whose number is a multiple of a grid of
/// about `budget / START_GRID_TOKENS` lines (a power of two, 2 to [`START_GRID_LINES`]): typing a
/// line above it moves nothing, so the prompt keeps its start while the user types line after line,
/// and only one line in a grid's worth moves it. The cost is less than a grid of lines of context.
const START_GRID_TOKENS: usize = 64;
const START_GRID_LINES: usize = 16;
/// The names near the cursor are read from a line whose number is a multiple of this.
const NEAR_LINES_GRID: usize = 8;

/// Builds the context for a cursor at byte offset `cursor` of `document`, within `budget` tokens.
/// `open_documents` may include `document` itself (it is skipped, matched by URI).
pub fn build(
    count_tokens: CountTokens<'_>,
    document: &Document,
    cursor: usize,
    open_documents: &[Document],
    budget: usize,
) -> Result<EditorContext> {
    build_with_workspace(count_tokens, document, cursor, open_documents, None, budget)
}

/// [`build`], with definitions from the files of the workspace the editor has not opened: they come
/// after those of the open documents, in the index's order, whole or as their signature.
pub fn build_with_workspace(
    count_tokens: CountTokens<'_>,
    document: &Document,
    cursor: usize,
    open_documents: &[Document],
    workspace: Option<&WorkspaceIndex>,
    budget: usize,
) -> Result<EditorContext> {
    let text = document.text();
    if cursor > text.len() || !text.is_char_boundary(cursor) {
        return Err(Error::InvalidInput(format!(
            "cursor {cursor} is not a character boundary of a {}-byte document",
            text.len()
        )));
    }
    let mut others: Vec<&Document> = open_documents
        .iter()
        .filter(|d| d.uri != document.uri)
        .collect();
    // Files this one imports first: their definitions are the likeliest meaning of a shared name.
    let outline = document.outline();
    let imports: Vec<&str> = outline.imports.iter().map(|r| &text[r.clone()]).collect();
    others.sort_by_key(|d| !imports.iter().any(|i| i.contains(file_stem(&d.uri))));
    let (mut repo_name, mut paths) = relative_paths(
        std::iter::once(document.uri.as_str()).chain(others.iter().map(|d| d.uri.as_str())),
    );
    let selection = workspace.map(|w| w.select(document, cursor, open_documents));
    if let Some(Selection {
        repo_name: Some(name),
        path: Some(path),
        ..
    }) = &selection
    {
        // Inside the workspace, paths are the repository's.
        (repo_name, paths[0]) = (name.clone(), path.clone());
    }
    let mut b = Builder {
        count_tokens,
        text,
        tree: document.tree(),
        lines: line_starts(text),
        used: 0,
        reserved: 0,
        budget,
        start: line_start(text, cursor),
        end: line_end(text, cursor),
    };

    // The cursor's own line is always there: without it the model cannot continue the line. Only a
    // line longer than the whole budget (minified code, data) is cut, at spaces where it has them.
    b.used += b.count(&text[b.start..b.end])?;
    if b.used > budget {
        b.start = cut_long_line(&b, b.start, cursor, percent(budget, 75), Side::Before)?;
        b.end = cut_long_line(&b, cursor, b.end, percent(budget, 25), Side::After)?;
        b.used = b.count(&text[b.start..b.end])?;
    }
    // The line counts as at least a share of the budget, so that typing on it moves no other boundary
    // and the prompt keeps its start (the model's cache holds it) until the line outgrows that.
    let line_floor = (budget / CURSOR_LINE_SHARE).min(CURSOR_LINE_TOKENS);
    b.reserved = line_floor.saturating_sub(b.used);
    b.used += b.reserved;
    // Each stage passes on what it leaves unused only where it reached the file's start or end: a
    // side that stopped at its share stops at a line end, so what it leaves moves with every line
    // typed, and the snippets chosen with it would change the prompt's start.
    let near_prefix = percent(budget, NEAR_PREFIX_PERCENT);
    b.grow_prefix(near_prefix)?;
    let carried = if b.start == 0 {
        near_prefix.saturating_sub(b.used)
    } else {
        0
    };
    let near_suffix = percent(budget, NEAR_SUFFIX_PERCENT) + carried;
    let suffix_from = b.used;
    b.grow_suffix(b.used + near_suffix)?;
    let carried = if b.end == text.len() {
        near_suffix.saturating_sub(b.used - suffix_from)
    } else {
        0
    };
    b.snap_to_headers(&outline, cursor)?;

    let mut snippets = Vec::new();
    let scope_allowance = percent(budget, SCOPE_PERCENT) + carried;
    let scope_from = b.used;
    b.add_scope_and_imports(&outline, cursor, b.used + scope_allowance, &mut snippets)?;

    let names = b.names_near(cursor);
    let definitions_limit = scope_from + scope_allowance + percent(budget, DEFINITIONS_PERCENT);
    let mut other_files: Vec<FileContext> = Vec::new();
    let other_outlines: Vec<_> = others.iter().map(|d| d.outline()).collect();
    for name in &names {
        let mut taken = 0;
        // This file first: definitions outside the window that do not enclose the cursor.
        for def in outline.definitions.iter().filter(|d| d.name == *name) {
            if taken == DEFINITIONS_PER_NAME {
                break;
            }
            let outside = def.range.end <= b.start || def.range.start >= b.end;
            if !outside || snippets.iter().any(|s: &Snippet| s.source == def.range) {
                continue;
            }
            let snippet = definition_snippet(document.language, text, &outline, def, Some(cursor));
            if b.try_take(&snippet, definitions_limit)? {
                snippets.push(Snippet {
                    kind: SnippetKind::Definition,
                    source: def.range.clone(),
                    text: snippet,
                });
                taken += 1;
            }
        }
        for ((doc, outline), path) in others.iter().zip(&other_outlines).zip(&paths[1..]) {
            // Another file's instance fields are rarely what a name near the cursor refers to.
            let relevant = |d: &&Definition| {
                d.name == *name
                    && (d.kind != DefinitionKind::Field
                        || d.name.chars().all(|c| !c.is_lowercase()))
            };
            for def in outline.definitions.iter().filter(relevant) {
                if taken == DEFINITIONS_PER_NAME {
                    break;
                }
                let snippet = definition_snippet(doc.language, doc.text(), outline, def, None);
                let file = match other_files.iter().position(|f| f.path == *path) {
                    Some(i) => i,
                    None => {
                        other_files.push(FileContext {
                            path: path.clone(),
                            snippets: Vec::new(),
                        });
                        other_files.len() - 1
                    }
                };
                if other_files[file]
                    .snippets
                    .iter()
                    .any(|s| s.source == def.range)
                {
                    continue;
                }
                if b.try_take(&snippet, definitions_limit)? {
                    other_files[file].snippets.push(Snippet {
                        kind: SnippetKind::Definition,
                        source: def.range.clone(),
                        text: snippet,
                    });
                    taken += 1;
                }
            }
        }
    }
    if let Some(selection) = &selection {
        take_workspace_definitions(&mut b, selection, definitions_limit, &mut other_files)?;
    }
    other_files.retain(|f| !f.snippets.is_empty());
    for file in &mut other_files {
        file.snippets.sort_by_key(|s| s.source.start);
    }

    // The rest of the budget widens the window; snippets it then covers are dropped (and refunded).
    // The suffix takes its share first, of a rest reckoned from the stages' allowances and the
    // snippets taken, not from where the near window's lines happened to end; the prefix then grows
    // to the budget, so its start moves only as lines are typed above the cursor, and the grid
    // keeps it.
    let near = percent(budget, NEAR_PREFIX_PERCENT + NEAR_SUFFIX_PERCENT).saturating_sub(carried);
    let rest = budget.saturating_sub(near + (b.used - scope_from));
    b.grow_suffix(b.used + percent(rest, 100 - FAR_PREFIX_PERCENT))?;
    b.grow_prefix(budget)?;
    b.grow_suffix(budget)?;
    b.snap_to_grid(&outline, cursor)?;
    b.snap_to_headers(&outline, cursor)?;
    // A definition shown as a snippet and half covered by the window would appear twice, once cut:
    // the window gives up the half instead.
    for snippet in snippets
        .iter()
        .filter(|s| s.kind == SnippetKind::Definition)
    {
        let source = &snippet.source;
        if source.start < b.start && b.start < source.end {
            let after = line_end(text, source.end - 1).min(line_start(text, cursor));
            if after > b.start {
                b.used = b.used.saturating_sub(b.count(&text[b.start..after])?);
                b.start = after;
            }
        }
        if source.start < b.end && b.end < source.end {
            let before = line_start(text, source.start).max(line_end(text, cursor));
            if before < b.end {
                b.used = b.used.saturating_sub(b.count(&text[before..b.end])?);
                b.end = before;
            }
        }
    }
    let mut kept = Vec::with_capacity(snippets.len());
    for snippet in snippets {
        if snippet.source.start >= b.start && snippet.source.end <= b.end {
            b.used = b.used.saturating_sub(b.count(&snippet.text)?);
        } else {
            kept.push(snippet);
        }
    }
    kept.sort_by_key(|s| s.source.start);

    Ok(EditorContext {
        language: document.language,
        path: paths[0].clone(),
        repo_name,
        prefix: text[b.start..cursor].to_owned(),
        suffix: text[cursor..b.end].to_owned(),
        window: b.start..b.end,
        snippets: kept,
        other_files,
        tokens: b.used.saturating_sub(b.reserved),
        cursor: cursor::syntax_at(document, cursor),
    })
}

/// `context` (of `document`) with what follows the cursor's line cut to whole lines of at most
/// `tokens` tokens, ending where no string or comment is cut; the cursor's line stays whole. The model
/// reads the suffix after the prefix, so every keystroke re-runs all of it: on a slow device a short
/// one is most of what a keystroke costs outside decoding. Nothing before the cursor changes, so a
/// cache that holds the prompt's start still does.
pub fn cut_suffix(
    count_tokens: CountTokens<'_>,
    document: &Document,
    context: &EditorContext,
    tokens: usize,
) -> Result<EditorContext> {
    let text = document.text();
    let cursor = context.window.start + context.prefix.len();
    if text.get(cursor..context.window.end) != Some(context.suffix.as_str()) {
        return Err(Error::InvalidInput(format!(
            "the context's window {:?} is not of this {}-byte document",
            context.window,
            text.len()
        )));
    }
    if tokens >= context.tokens {
        return Ok(context.clone());
    }
    let tree = document.tree();
    let mut end = line_end(text, cursor).min(context.window.end);
    let (mut kept, mut used) = (end, 0);
    while end < context.window.end {
        let next = line_end(text, end).min(context.window.end);
        used += count_tokens(&text[end..next])?;
        if used > tokens {
            break;
        }
        end = next;
        if tree.and_then(|t| syntax::atom_spanning(t, end)).is_none() {
            kept = end;
        }
    }
    let removed = match &text[kept..context.window.end] {
        "" => 0,
        cut => count_tokens(cut)?,
    };
    Ok(EditorContext {
        suffix: text[cursor..kept].to_owned(),
        window: context.window.start..kept,
        tokens: context.tokens.saturating_sub(removed),
        ..context.clone()
    })
}

/// The workspace's candidates in their order, each whole when it fits under `limit`, else its signature.
fn take_workspace_definitions(
    b: &mut Builder<'_>,
    selection: &Selection<'_>,
    limit: usize,
    other_files: &mut Vec<FileContext>,
) -> Result<()> {
    for candidate in &selection.candidates {
        let def = candidate.definition;
        let text = match def.text() {
            text if b.try_take(&text, limit)? => text,
            _ => match def.signature() {
                signature if b.try_take(&signature, limit)? => signature,
                _ => continue,
            },
        };
        let snippet = Snippet {
            kind: SnippetKind::Definition,
            source: candidate.start..candidate.start,
            text: text.into_owned(),
        };
        match other_files.iter_mut().find(|f| f.path == candidate.path) {
            Some(file) => file.snippets.push(snippet),
            None => other_files.push(FileContext {
                path: candidate.path.clone(),
                snippets: vec![snippet],
            }),
        }
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Before,
    After,
}

/// The part of `from..to` next to the cursor (its end for [`Side::Before`], its start for
/// [`Side::After`]) that fits in `limit` tokens, starting or ending at a space when there is one.
fn cut_long_line(
    b: &Builder<'_>,
    from: usize,
    to: usize,
    limit: usize,
    side: Side,
) -> Result<usize> {
    let text = b.text;
    // Code averages three or more bytes a token; halve until the piece fits.
    let mut bytes = limit.saturating_mul(4).min(to - from);
    loop {
        let cut = match side {
            Side::Before => {
                let mut at = to - bytes;
                while !text.is_char_boundary(at) {
                    at += 1;
                }
                // Start after a space, so no word is cut in two.
                text[at..to].find(' ').map_or(at, |i| at + i + 1)
            }
            Side::After => {
                let mut at = from + bytes;
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text[from..at].rfind(' ').map_or(at, |i| from + i)
            }
        };
        let piece = match side {
            Side::Before => &text[cut..to],
            Side::After => &text[from..cut],
        };
        if bytes == 0 || b.count(piece)? <= limit {
            return Ok(cut);
        }
        bytes /= 2;
    }
}

fn percent(total: usize, percent: usize) -> usize {
    total.saturating_mul(percent) / 100
}

/// The window and the budget while a context is being built.
struct Builder<'a> {
    count_tokens: CountTokens<'a>,
    text: &'a str,
    tree: Option<&'a tree_sitter::Tree>,
    /// Byte offsets where lines start.
    lines: Vec<usize>,
    used: usize,
    /// Of `used`, tokens the cursor's line is budgeted beyond its own (see [`CURSOR_LINE_TOKENS`]).
    reserved: usize,
    budget: usize,
    /// The window: `text[start..end]`, both on line boundaries.
    start: usize,
    end: usize,
}

impl Builder<'_> {
    fn count(&self, text: &str) -> Result<usize> {
        if text.is_empty() {
            Ok(0)
        } else {
            (self.count_tokens)(text)
        }
    }

    /// Takes `text` into the context when it fits under `limit` tokens in all.
    fn try_take(&mut self, text: &str, limit: usize) -> Result<bool> {
        let tokens = self.count(text)?;
        let fits = self.used + tokens <= limit.min(self.budget);
        if fits {
            self.used += tokens;
        }
        Ok(fits)
    }

    /// Extends the window upwards, whole lines at a time, while the total stays under `limit`; then
    /// moves the start down past any string or comment it would cut.
    fn grow_prefix(&mut self, limit: usize) -> Result<()> {
        let limit = limit.min(self.budget);
        let mut taken: Vec<(usize, usize)> = Vec::new();
        let mut index = self.lines.partition_point(|&l| l < self.start);
        while index > 0 {
            let line = self.lines[index - 1];
            let tokens = self.count(&self.text[line..self.start])?;
            if self.used + tokens > limit {
                break;
            }
            self.used += tokens;
            taken.push((self.start, tokens));
            self.start = line;
            index -= 1;
        }
        // Undo lines until the start is outside any multi-line string or comment.
        while self
            .tree
            .and_then(|t| syntax::atom_spanning(t, self.start))
            .is_some()
        {
            let Some((previous, tokens)) = taken.pop() else {
                break;
            };
            self.start = previous;
            self.used -= tokens;
        }
        Ok(())
    }

    /// Extends the window downwards, whole lines at a time, while the total stays under `limit`; then
    /// moves the end up before any string or comment it would cut.
    fn grow_suffix(&mut self, limit: usize) -> Result<()> {
        let limit = limit.min(self.budget);
        let mut taken: Vec<(usize, usize)> = Vec::new();
        while self.end < self.text.len() {
            let next = line_end(self.text, self.end);
            let tokens = self.count(&self.text[self.end..next])?;
            if self.used + tokens > limit {
                break;
            }
            self.used += tokens;
            taken.push((self.end, tokens));
            self.end = next;
        }
        while self
            .tree
            .and_then(|t| syntax::atom_spanning(t, self.end))
            .is_some()
        {
            let Some((previous, tokens)) = taken.pop() else {
                break;
            };
            self.end = previous;
            self.used -= tokens;
        }
        Ok(())
    }

    /// Moves the window's start down to the next line of the grid ([`START_GRID_TOKENS`]) that no
    /// string or comment spans; never past the cursor's line or the start of a definition around the
    /// cursor (its header stays in the window).
    fn snap_to_grid(&mut self, outline: &Outline, cursor: usize) -> Result<()> {
        let first = self.lines.partition_point(|&l| l < self.start);
        if first == 0 {
            return Ok(());
        }
        let grid = (self.budget / START_GRID_TOKENS)
            .clamp(2, START_GRID_LINES)
            .next_power_of_two();
        let limit = syntax::enclosing(outline, cursor)
            .map(|d| d.range.start)
            .filter(|&start| start >= self.start)
            .fold(line_start(self.text, cursor), usize::min);
        let mut line = first.next_multiple_of(grid);
        while let Some(&start) = self.lines.get(line) {
            if start > limit {
                return Ok(());
            }
            let spanned = self
                .tree
                .and_then(|t| syntax::atom_spanning(t, start))
                .is_some();
            if !spanned {
                if start > self.start {
                    self.used = self
                        .used
                        .saturating_sub(self.count(&self.text[self.start..start])?);
                    self.start = start;
                }
                return Ok(());
            }
            line += grid;
        }
        Ok(())
    }

    /// A window that starts inside a multi-line definition header (`def f(\n a,\n b):`) would show
    /// half a signature; start after the header instead (never past the cursor's line), which
    /// [`Self::add_scope_and_imports`] then adds whole.
    fn snap_to_headers(&mut self, outline: &Outline, cursor: usize) -> Result<()> {
        let limit = line_start(self.text, cursor);
        for def in &outline.definitions {
            let Some(body) = &def.body else { continue };
            // The header's lines end where the body's line starts (Python), or after the line of
            // the body's `{` when it shares a line with the header (Java).
            let body_line = line_start(self.text, body.start);
            let header_end = if self.text[body_line..body.start].trim().is_empty() {
                body_line
            } else {
                line_end(self.text, body.start)
            };
            if def.range.start < self.start && self.start < header_end && header_end <= limit {
                self.used = self
                    .used
                    .saturating_sub(self.count(&self.text[self.start..header_end])?);
                self.start = header_end;
            }
        }
        Ok(())
    }

    /// Headers of the definitions around the cursor that start above the window, then imports outside
    /// the window, while the total stays under `limit`.
    fn add_scope_and_imports(
        &mut self,
        outline: &Outline,
        cursor: usize,
        limit: usize,
        snippets: &mut Vec<Snippet>,
    ) -> Result<()> {
        let scopes: Vec<&Definition> = syntax::enclosing(outline, cursor)
            .filter(|d| d.range.start < self.start)
            .collect();
        // Innermost first: the method matters more than its class, but both are shown in file order.
        for def in scopes.iter().rev() {
            let text = scope_header(self.text, def);
            if self.try_take(&text, limit)? {
                snippets.push(Snippet {
                    kind: SnippetKind::Scope,
                    source: def.range.clone(),
                    text,
                });
            }
        }
        for import in &outline.imports {
            if import.start >= self.start && import.end <= self.end {
                continue;
            }
            let text = self.text[import.clone()].to_owned();
            if self.try_take(&text, limit)? {
                snippets.push(Snippet {
                    kind: SnippetKind::Import,
                    source: import.clone(),
                    text,
                });
            }
        }
        Ok(())
    }

    /// Names used near the cursor, nearest first, each once.
    fn names_near(&self, cursor: usize) -> Vec<String> {
        let Some(tree) = self.tree else {
            return Vec::new();
        };
        let line = self
            .lines
            .partition_point(|&l| l <= cursor)
            .saturating_sub(1);
        // From a line on a grid, so that the lines typed above the cursor drop the names of older
        // lines a grid at a time, not one each (every change of the definitions shown is a change
        // of the prompt's start).
        let first = line.saturating_sub(NEAR_LINES_BEFORE);
        let from = self.lines[first - first % NEAR_LINES_GRID].max(self.start);
        let to = self
            .lines
            .get(line + NEAR_LINES_AFTER + 1)
            .copied()
            .unwrap_or(self.text.len())
            .min(self.end);
        let mut found = syntax::identifiers(tree, self.text, from..to);
        // Locals (`total = 0`, parameters, loop variables) mean themselves, not a definition elsewhere
        // that happens to share the name.
        let locals: Vec<&str> = found
            .iter()
            .filter(|i| i.binds_local)
            .map(|i| i.name)
            .collect();
        // Nearest lines first, in reading order within a line: the order stays while the user types
        // on the cursor's line, and with it the definitions chosen and the prompt's start.
        let line_of = |offset: usize| self.lines.partition_point(|&l| l <= offset);
        let cursor_line = line_of(cursor);
        found.sort_by_key(|i| (line_of(i.start).abs_diff(cursor_line), i.start));
        let mut names: Vec<String> = Vec::new();
        for identifier in found {
            if !locals.contains(&identifier.name) && !names.iter().any(|n| n == identifier.name) {
                names.push(identifier.name.to_owned());
            }
        }
        names
    }
}

/// How a definition is shown: whole when small, else its header, its docstring and (for classes) the
/// headers of its methods; a member under the header of its class, so it reads as a member (unless
/// that class encloses `cursor`: its header is then a scope snippet already).
fn definition_snippet(
    language: Language,
    text: &str,
    outline: &Outline,
    def: &Definition,
    cursor: Option<usize>,
) -> String {
    let snippet = definition_text(language, text, outline, def);
    let owner = outline
        .definitions
        .iter()
        .rfind(|o| {
            o.kind.is_type() && o.range.start < def.range.start && def.range.end <= o.range.end
        })
        .filter(|o| cursor.is_none_or(|c| !o.range.contains(&c)));
    match owner {
        None => snippet,
        Some(owner) => {
            let header = scope_header(text, owner);
            if header.ends_with('{') {
                let indent = &text[line_start(text, owner.range.start)..owner.range.start];
                format!(
                    "{header}
{snippet}
{indent}}}"
                )
            } else {
                format!(
                    "{header}
{snippet}"
                )
            }
        }
    }
}

fn definition_text(language: Language, text: &str, outline: &Outline, def: &Definition) -> String {
    let start = line_start(text, def.range.start);
    let whole = &text[start..def.range.end];
    if whole.lines().count() <= SMALL_DEFINITION_LINES || def.body.is_none() {
        return whole.to_owned();
    }
    let indent = &text[start..def.range.start];
    let mut out = match (language, &def.docstring) {
        (Language::Python, Some(doc)) => text[start..doc.end].to_owned(),
        _ => format!("{indent}{}", def.header(text)),
    };
    let members: Vec<&Definition> = if def.kind.is_type() {
        outline
            .definitions
            .iter()
            .filter(|m| {
                m.kind.is_callable()
                    && m.range.start > def.range.start
                    && m.range.end <= def.range.end
                    // Direct members only: not nested in another member.
                    && !outline.definitions.iter().any(|o| {
                        o.kind.is_callable() && o.range.start < m.range.start && m.range.end <= o.range.end && o.range.start > def.range.start
                    })
            })
            .collect()
    } else {
        Vec::new()
    };
    match language {
        Language::Python => {
            let body_indent = body_indent(text, def).unwrap_or_else(|| format!("{indent}    "));
            for m in &members {
                out.push_str(&format!("\n{body_indent}{} ...", m.header(text)));
            }
            if members.is_empty() {
                out.push_str(&format!("\n{body_indent}..."));
            }
        }
        _ => {
            let body_indent = body_indent(text, def).unwrap_or_else(|| format!("{indent}    "));
            if def.kind.is_type() {
                out.push_str(" {");
                for m in &members {
                    out.push_str(&format!("\n{body_indent}{};", m.header(text)));
                }
                out.push_str(&format!("\n{indent}}}"));
            } else {
                out.push_str(" { ... }");
            }
        }
    }
    out
}

/// The indentation of the first line of a definition's body that is not the header's own line.
fn body_indent(text: &str, def: &Definition) -> Option<String> {
    let body = def.body.as_ref()?;
    let header_line = line_start(text, def.range.start);
    text[body.clone()]
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 0 { (body.start, l) } else { (0, l) })
        .skip_while(|&(at, _)| at != 0 && line_start(text, at) == header_line)
        .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('{'))
        .map(|(_, l)| l[..l.len() - l.trim_start().len()].to_owned())
        .filter(|indent| !indent.is_empty())
}

/// An enclosing definition's header with its indentation, opening its body (`def f(x):`, `class A {`).
fn scope_header(text: &str, def: &Definition) -> String {
    let start = line_start(text, def.range.start);
    let header = format!("{}{}", &text[start..def.range.start], def.header(text));
    match def.body.as_ref().map(|b| &text[b.clone()]) {
        Some(body) if body.starts_with('{') => format!("{header} {{"),
        _ => header,
    }
}

/// Paths of URIs relative to their common directory, and that directory's name.
fn relative_paths<'u>(uris: impl Iterator<Item = &'u str>) -> (String, Vec<String>) {
    let paths: Vec<&str> = uris
        .map(|u| u.strip_prefix("file://").unwrap_or(u))
        .collect();
    let dir = |p: &str| p.rfind('/').map_or(0, |i| i + 1);
    let mut common = paths.first().map_or("", |p| &p[..dir(p)]);
    for path in &paths[1.min(paths.len())..] {
        while !path.starts_with(common) {
            let trimmed = common.trim_end_matches('/');
            common = &common[..dir(trimmed)];
        }
    }
    let repo = common
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("workspace");
    (
        repo.to_owned(),
        paths.iter().map(|p| p[common.len()..].to_owned()).collect(),
    )
}

/// `money` of `file:///repo/shop/money.py`.
fn file_stem(uri: &str) -> &str {
    let name = uri.rsplit('/').next().unwrap_or(uri);
    name.split('.')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_share_the_common_directory() {
        let (repo, paths) = relative_paths(
            [
                "file:///home/u/shop/app/cart.py",
                "file:///home/u/shop/app/models.py",
                "file:///home/u/shop/lib/money.py",
            ]
            .into_iter(),
        );
        assert_eq!(repo, "shop");
        assert_eq!(paths, ["app/cart.py", "app/models.py", "lib/money.py"]);
    }

    #[test]
    fn a_single_document_is_named_by_its_file() {
        let (repo, paths) = relative_paths(["file:///tmp/proj/main.py"].into_iter());
        assert_eq!((repo.as_str(), paths[0].as_str()), ("proj", "main.py"));
        let (repo, paths) = relative_paths(["untitled:1"].into_iter());
        assert_eq!(
            (repo.as_str(), paths[0].as_str()),
            ("workspace", "untitled:1")
        );
    }
}
