//! Bench: project-wide context without a model. On real projects (Python sdists from PyPI, the JDK's
//! sources; `scripts/fetch-context-corpus.sh`), for call sites of functions and classes defined in
//! another file, with the cursor just after the call's `(`, it builds the completion prompt as the
//! server does (`context::build_with_workspace` + `prompt::completion`, budgeted with the real Qwen3
//! tokenizer) with only that file open, without and with the workspace index, and reports:
//! - recall@budget: the share of call sites whose prompt contains the callee's signature;
//! - the time the index adds to a request;
//! - the time (wall and CPU) and memory to build the index: the index's own estimate (what its budget
//!   bounds), the heap it really holds (a counting allocator), and the growth of the RSS after the
//!   build and at its peak.
//!
//! ```text
//! bash scripts/fetch-context-corpus.sh
//! cargo run --release -p benches --bin workspace_context [-- --cases 300 --threads N --only NAME]
//! cargo run --release -p benches --bin workspace_context -- --index-only --only jdk17   # build only
//! ```
//!
//! A call site counts when its callee's name has exactly one definition (function, method or class;
//! a class for Java's `new`) in the project, in another file: the ground truth is then unambiguous.
//! The signature is the definition's header without decorators/annotations, whitespace collapsed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use engine::complete::Multiline;
use engine::remote::{RemoteBackend, RemoteConfig};
use engine::syntax::{self, DefinitionKind};
use engine::workspace::{Limits, WorkspaceIndex, scan};
use engine::{Backend, CancellationToken, Document, Language, Prompt, context, prompt};

const BUDGETS: [usize; 2] = [1024, 2048];

struct Case {
    path: PathBuf,
    cursor: usize,
    signature: String,
}

#[derive(Default)]
struct Tally {
    cases: usize,
    /// Per budget: hits without the index, with it.
    hits: [[usize; 2]; 2],
    /// Per budget: milliseconds per request without and with the index.
    times: [[Vec<f64>; 2]; 2],
}

const USAGE: &str = "usage: workspace_context [--corpus DIR] [--tokenizer FILE] [--cases N] \
[--only NAME] [--threads N] [--index-only]";

fn main() -> anyhow::Result<()> {
    let cache = std::env::var_os("QWEN_LSP_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/qwen-lsp")))
        .context("neither QWEN_LSP_CACHE nor HOME is set")?;
    let mut corpus = cache.join("context-corpus");
    let mut tokenizer = cache.join("tokenizer-qwen3-3.7.2/tokenizer.json");
    let mut max_cases = 300;
    let mut only: Option<String> = None;
    let mut index_only = false;
    let mut limits = Limits::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--corpus" => corpus = args.next().context("--corpus needs a value")?.into(),
            "--tokenizer" => tokenizer = args.next().context("--tokenizer needs a value")?.into(),
            "--cases" => max_cases = args.next().context("--cases needs a value")?.parse()?,
            "--only" => only = Some(args.next().context("--only needs a value")?),
            "--index-only" => index_only = true,
            "--threads" => {
                limits.threads = args.next().context("--threads needs a value")?.parse()?
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => anyhow::bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    anyhow::ensure!(
        corpus.is_dir(),
        "{} is missing: run scripts/fetch-context-corpus.sh",
        corpus.display()
    );
    anyhow::ensure!(
        tokenizer.is_file(),
        "{} is missing: run scripts/fetch-tokenizer.sh",
        tokenizer.display()
    );
    // A backend that is never asked to generate: it counts tokens with the tokenizer file and has
    // Qwen's special tokens, which is all that building a prompt needs. Not loaded for `--index-only`,
    // so that the process holds nothing else while the index is built and measured.
    let backend = if index_only {
        None
    } else {
        let mut config = RemoteConfig::from_spec("http://127.0.0.1:9/v1#qwen3")?;
        config.tokenizer = Some(tokenizer.clone());
        Some(RemoteBackend::new(config)?)
    };

    let mut projects: Vec<(String, PathBuf)> = Vec::new();
    for kind in ["java", "python"] {
        let Ok(entries) = std::fs::read_dir(corpus.join(kind)) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            let name = dir
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("?")
                .to_owned();
            if only.as_ref().is_none_or(|o| name.contains(o.as_str())) {
                projects.push((name, dir));
            }
        }
    }
    anyhow::ensure!(
        !projects.is_empty(),
        "no projects under {}",
        corpus.display()
    );

    println!(
        "tokenizer {}; index threads {}; at most {max_cases} call sites per project\n",
        tokenizer.display(),
        limits.threads
    );
    println!(
        "| project | files | definitions | index build (wall / CPU) | index bytes (est. / heap) | RSS growth (after / peak) | call sites |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut results: Vec<(String, Language, Tally)> = Vec::new();
    for (name, dir) in &projects {
        let rss_before = rss_kib("VmRSS");
        let peak_before = rss_kib("VmHWM");
        let heap_before = heap::live();
        let cpu_before = cpu_seconds();
        let started = Instant::now();
        let (index, report) = scan(
            std::slice::from_ref(dir),
            &limits,
            &CancellationToken::new(),
            &mut |_| {},
        )?;
        let build = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu_before;
        let heap = heap::live().saturating_sub(heap_before);
        let rss_after = rss_kib("VmRSS");
        let peak = rss_kib("VmHWM")
            .max(rss_before)
            .saturating_sub(peak_before.max(rss_before));
        let cases = if index_only {
            Vec::new()
        } else {
            call_sites(&index, max_cases)?
        };
        let language = index.files().next().map_or(Language::Other, |f| f.language);
        println!(
            "| {name} | {} | {} | {build:.2} / {cpu:.2} s | {:.1} / {:.1} MB | {:.1} / {:.1} MB | {} |",
            report.files,
            report.definitions,
            report.bytes as f64 / 1e6,
            heap as f64 / 1e6,
            (rss_after.saturating_sub(rss_before)) as f64 * 1024.0 / 1e6,
            peak as f64 * 1024.0 / 1e6,
            cases.len()
        );
        let mut tally = Tally {
            cases: cases.len(),
            ..Tally::default()
        };
        for case in &cases {
            let backend = backend.as_ref().context("a tokenizer")?;
            let count = |text: &str| backend.count_tokens(text);
            let text = std::fs::read_to_string(&case.path)?;
            let uri = url_of(&case.path);
            let doc = Document::new(uri, language, text);
            for (b, &budget) in BUDGETS.iter().enumerate() {
                for (mode, workspace) in [None, Some(&index)].into_iter().enumerate() {
                    let started = Instant::now();
                    let ctx = context::build_with_workspace(
                        &count,
                        &doc,
                        case.cursor,
                        &[],
                        workspace,
                        budget,
                    )?;
                    let lines = Multiline::Auto.lines(&ctx.cursor);
                    let prompt = prompt::completion(backend.info(), &ctx, lines);
                    tally.times[b][mode].push(started.elapsed().as_secs_f64() * 1e3);
                    let Prompt::Text(text) = &prompt.prompt else {
                        anyhow::bail!("a text prompt")
                    };
                    if normalize(text).contains(&case.signature) {
                        tally.hits[b][mode] += 1;
                    }
                }
            }
        }
        results.push((name.clone(), language, tally));
    }
    if index_only {
        return Ok(());
    }

    println!(
        "\n| project | call sites | recall@1024 off -> on | recall@2048 off -> on | request p50 off / on (ms) | added p50 / p90 (ms) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let mut totals: HashMap<&str, Tally> = HashMap::new();
    for (name, language, tally) in &results {
        print_row(name, tally);
        let total = totals
            .entry(if *language == Language::Java {
                "Java (all)"
            } else {
                "Python (all)"
            })
            .or_default();
        total.cases += tally.cases;
        for b in 0..2 {
            for mode in 0..2 {
                total.hits[b][mode] += tally.hits[b][mode];
                total.times[b][mode].extend(&tally.times[b][mode]);
            }
        }
    }
    let mut totals: Vec<_> = totals.into_iter().collect();
    totals.sort_by_key(|(name, _)| *name);
    for (name, tally) in &totals {
        print_row(&format!("**{name}**"), tally);
    }
    Ok(())
}

fn print_row(name: &str, tally: &Tally) {
    let pct = |hits: usize| 100.0 * hits as f64 / tally.cases.max(1) as f64;
    // Added time per request: with the index minus without, case by case, at 2,048 tokens.
    let added: Vec<f64> = tally.times[1][1]
        .iter()
        .zip(&tally.times[1][0])
        .map(|(on, off)| on - off)
        .collect();
    println!(
        "| {name} | {} | {:.1}% -> {:.1}% | {:.1}% -> {:.1}% | {:.2} / {:.2} | {:.2} / {:.2} |",
        tally.cases,
        pct(tally.hits[0][0]),
        pct(tally.hits[0][1]),
        pct(tally.hits[1][0]),
        pct(tally.hits[1][1]),
        quantile(&tally.times[1][0], 0.5),
        quantile(&tally.times[1][1], 0.5),
        quantile(&added, 0.5),
        quantile(&added, 0.9),
    );
}

fn quantile(samples: &[f64], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Call sites of names defined exactly once in the project, in another file; at most `max`, spread
/// evenly over all that qualify (files in path order).
fn call_sites(index: &WorkspaceIndex, max: usize) -> anyhow::Result<Vec<Case>> {
    // Name -> (file, kind) of every function, method and type definition.
    let mut definitions: HashMap<&str, Vec<(&Path, DefinitionKind)>> = HashMap::new();
    for file in index.files() {
        for def in file.definitions() {
            if def.kind().is_callable() || def.kind().is_type() {
                definitions
                    .entry(def.name())
                    .or_default()
                    .push((&file.path, def.kind()));
            }
        }
    }
    let mut files: Vec<&Path> = index.files().map(|f| f.path.as_path()).collect();
    files.sort();
    let mut headers: HashMap<PathBuf, HashMap<String, String>> = HashMap::new();
    let mut all = Vec::new();
    for path in files {
        let Some(language) = engine::workspace::language_of(path) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Some(tree) = syntax::parse(language, &text, None) else {
            continue;
        };
        // (callee name, offset just after the call's `(`, whether it is a Java `new`) of every call.
        let mut found: Vec<(String, usize, bool)> = Vec::new();
        let mut cursor = tree.walk();
        'walk: loop {
            let node = cursor.node();
            let callee = match node.kind() {
                "call" => node
                    .child_by_field_name("function")
                    .and_then(|f| match f.kind() {
                        "identifier" => Some((f, false)),
                        "attribute" => f.child_by_field_name("attribute").map(|a| (a, false)),
                        _ => None,
                    }),
                "method_invocation" => node.child_by_field_name("name").map(|n| (n, false)),
                "object_creation_expression" => node.child_by_field_name("type").and_then(|t| {
                    let t = if t.kind() == "generic_type" {
                        t.named_child(0)?
                    } else {
                        t
                    };
                    let t = if t.kind() == "scoped_type_identifier" {
                        t.named_child(u32::try_from(t.named_child_count().checked_sub(1)?).ok()?)?
                    } else {
                        t
                    };
                    (t.kind() == "type_identifier").then_some((t, true))
                }),
                _ => None,
            };
            if let Some((name, constructor)) = callee
                && let Some(arguments) = node.child_by_field_name("arguments")
                && text[arguments.byte_range()].starts_with('(')
                && let Ok(name) = name.utf8_text(text.as_bytes())
            {
                found.push((name.to_owned(), arguments.start_byte() + 1, constructor));
            }
            if cursor.goto_first_child() {
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
        for (name, cursor, constructor) in found {
            let Some(defs) = definitions.get(name.as_str()) else {
                continue;
            };
            // Java constructors share their class's name: a `new` call is resolved to the class.
            let defs: Vec<_> = defs
                .iter()
                .filter(|(_, kind)| !constructor || kind.is_type())
                .collect();
            // Overloads count as one definition when they share a file.
            let Some((defined_in, _)) = defs.first() else {
                continue;
            };
            if defs.iter().any(|(p, _)| p != defined_in) || *defined_in == path {
                continue;
            }
            let signatures = headers
                .entry(defined_in.to_path_buf())
                .or_insert_with(|| signatures_of(defined_in));
            let Some(signature) = signatures.get(&name) else {
                continue;
            };
            all.push(Case {
                path: path.to_owned(),
                cursor,
                signature: signature.clone(),
            });
        }
    }
    let stride = all.len().div_ceil(max.max(1)).max(1);
    Ok(all.into_iter().step_by(stride).collect())
}

/// Name -> normalized header of the first definition of each name in a file (a Java class before its
/// constructors, the first of overloads).
fn signatures_of(path: &Path) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Some(language) = engine::workspace::language_of(path) else {
        return out;
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return out;
    };
    let Some(tree) = syntax::parse(language, &text, None) else {
        return out;
    };
    for def in syntax::outline(language, &tree, &text).definitions {
        let header: Vec<&str> = def
            .header(&text)
            .lines()
            .skip_while(|l| l.trim_start().starts_with('@'))
            .collect();
        out.entry(def.name.clone())
            .or_insert_with(|| normalize(&header.join("\n")));
    }
    out
}

fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn url_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A field of /proc/self/status in KiB (0 where unavailable).
fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// The process's CPU time (user + system, all threads) in seconds, from /proc/self/stat (0 where
/// unavailable). Beside the wall time it shows the work a build does when other processes share the
/// CPUs.
fn cpu_seconds() -> f64 {
    // Clock ticks; USER_HZ is 100 on every Linux ABI.
    const TICKS_PER_SECOND: f64 = 100.0;
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command (which may hold spaces) start after the last ')'.
            let rest = &s[s.rfind(')')? + 1..];
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / TICKS_PER_SECOND)
        })
        .unwrap_or(0.0)
}

/// The bytes the program holds on the heap, counted by a wrapper around the system allocator: the
/// index's real size, beside its own estimate and the RSS (which adds what the allocator keeps).
mod heap {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static LIVE: AtomicUsize = AtomicUsize::new(0);

    struct Counting;

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    #[allow(unsafe_code)]
    // SAFETY: every call is forwarded to the system allocator unchanged; only a counter is added.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
            // SAFETY: the caller's contract is the system allocator's.
            unsafe { System.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
            // SAFETY: as above.
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            // SAFETY: as above.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            // SAFETY: as above.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    /// Bytes allocated and not yet freed (requested sizes, without the allocator's overhead).
    pub fn live() -> usize {
        LIVE.load(Ordering::Relaxed)
    }
}
