//! Building a [`WorkspaceIndex`] from the workspace folders: a walk that respects `.gitignore` (ripgrep's
//! `ignore` crate: `.gitignore`, `.ignore`, `.git/info/exclude`, hidden files skipped), then the files
//! parsed a chunk at a time on a few threads and inserted in walk order until a limit is reached.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::read::{Skip, read_source};
use super::{IndexedFile, Limits, Update, WorkspaceIndex, extract, language_of};
use crate::{CancellationToken, Error, Language, Result};

/// Files parsed between two progress reports (and two cancellation checks).
const CHUNK: usize = 256;

/// How far a scan has got, for the editor's progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanProgress {
    pub done: usize,
    pub total: usize,
}

/// What a scan found and left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub files: usize,
    pub definitions: usize,
    pub bytes: usize,
    /// Python/Java files larger than [`Limits::max_file_bytes`].
    pub too_large: usize,
    /// Files that could not be read, or were no longer regular files when read (deleted, replaced).
    pub unreadable: usize,
    /// Files with a NUL byte: binary, whatever their names say.
    pub binary: usize,
    /// Files left out because [`Limits::max_files`], [`Limits::max_entries`] or
    /// [`Limits::max_bytes`] was reached.
    pub over_limit: usize,
    pub elapsed: Duration,
}

impl std::fmt::Display for ScanReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "indexed {} files ({} definitions, {:.1} MB) in {:.1} s",
            self.files,
            self.definitions,
            self.bytes as f64 / 1e6,
            self.elapsed.as_secs_f64()
        )?;
        let skipped = [
            (self.too_large, "too large"),
            (self.unreadable, "unreadable"),
            (self.binary, "binary"),
            (self.over_limit, "over the limits"),
        ];
        for (count, why) in skipped {
            if count > 0 {
                write!(f, "; {count} {why}")?;
            }
        }
        Ok(())
    }
}

/// Walks `roots` and indexes their Python and Java files within `limits`. `progress` is called after
/// each chunk of files; a cancelled scan stops with [`Error::Cancelled`].
pub fn scan(
    roots: &[PathBuf],
    limits: &Limits,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(ScanProgress),
) -> Result<(WorkspaceIndex, ScanReport)> {
    let started = Instant::now();
    let mut report = ScanReport::default();
    let mut index = WorkspaceIndex::new(roots.to_vec(), limits.clone());
    let mut found: Vec<(PathBuf, Language)> = Vec::new();
    let mut entries = 0usize;
    'roots: for root in roots {
        let walk = ignore::WalkBuilder::new(root)
            // A workspace need not be a git repository for its .gitignore to mean something.
            .require_git(false)
            .follow_links(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walk {
            entries += 1;
            if entries > limits.max_entries || found.len() >= limits.max_files {
                report.over_limit += 1;
                break 'roots;
            }
            let Ok(entry) = entry else { continue };
            let path = entry.path();
            // Symlinks are not followed (`follow_links(false)` reports them as symlinks): a link
            // could lead out of the workspace or round in a loop.
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Some(language) = language_of(path) else {
                continue;
            };
            match entry.metadata() {
                Ok(meta) if meta.len() > limits.max_file_bytes => report.too_large += 1,
                Ok(_) => found.push((path.to_owned(), language)),
                Err(_) => report.unreadable += 1,
            }
        }
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(limits.threads.max(1))
        .thread_name(|i| format!("qwen-lsp-index-{i}"))
        .start_handler(|_| lower_priority())
        .build()
        .map_err(|e| Error::InvalidInput(format!("cannot start the indexing threads: {e}")))?;
    let total = found.len();
    let mut done = 0;
    progress(ScanProgress { done, total });
    for chunk in found.chunks(CHUNK) {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let extracted: Vec<Result<IndexedFile, Skip>> = pool.install(|| {
            chunk
                .par_iter()
                .map(|(path, language)| {
                    let text = read_source(path, limits.max_file_bytes)?;
                    Ok(extract(path, *language, &text, limits.max_snippet_bytes))
                })
                .collect()
        });
        for file in extracted {
            match file {
                Ok(file) => {
                    if index.insert(file) == Update::Skipped {
                        report.over_limit += 1;
                    }
                }
                Err(Skip::TooLarge) => report.too_large += 1,
                Err(Skip::Binary) => report.binary += 1,
                Err(Skip::NotAFile | Skip::Unreadable) => report.unreadable += 1,
            }
        }
        done += chunk.len();
        progress(ScanProgress { done, total });
        // The budget keeps the first files in walk order: once it is spent, the rest are not parsed.
        if index.over_budget() > 0 {
            report.over_limit += total - done;
            break;
        }
    }
    drop(pool);
    super::release_freed_memory();
    report.files = index.len();
    report.definitions = index.definitions();
    report.bytes = index.bytes();
    report.elapsed = started.elapsed();
    Ok((index, report))
}

/// Lowers the calling thread's scheduling priority, so that requests (and the model's threads) run
/// first when the CPUs are busy and the scan takes what is left.
#[cfg(target_os = "linux")]
fn lower_priority() {
    /// The nice value of the scan's threads: a tenth of a default thread's CPU share under contention.
    const NICE: libc::c_int = 10;
    // On Linux `setpriority(PRIO_PROCESS, 0, ..)` sets the calling thread's nice value (not the
    // process's, as POSIX would have it). Failing leaves the thread at the default priority.
    #[allow(unsafe_code)]
    // SAFETY: a plain system call with integer arguments; it touches no memory of ours.
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, NICE) };
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}
