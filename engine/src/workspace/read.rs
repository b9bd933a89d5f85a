//! Reading one source file for the index, trusting nothing about it: the scan, file events and saves
//! all read through [`read_source`], so a symlink, a FIFO, a file that grows or vanishes between the
//! walk and the read, a binary or a non-UTF-8 file each get the same answer wherever they come from.

use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Skip {
    /// Not a regular file (a symlink, a directory, a FIFO, a socket, a device), or gone.
    NotAFile,
    /// Larger than the limit, when opened or while read.
    TooLarge,
    /// A NUL byte: not source code, whatever its name says.
    Binary,
    /// Opening or reading failed (permissions, I/O errors).
    Unreadable,
}

/// The text of the regular file at `path`, at most `max_bytes` long. Symlinks are not followed (as
/// the walk does not follow them): a link could lead out of the workspace or round in a loop. A file
/// that is not UTF-8 (a Latin-1 source, say) is decoded with U+FFFD for what is not, so that its
/// definitions, whose names are ASCII in practice, are still found; a leading byte-order mark is
/// dropped, as the parsers would read it as code.
pub(super) fn read_source(path: &Path, max_bytes: u64) -> Result<String, Skip> {
    let file = open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Skip::NotAFile,
        // ELOOP: the path is a symlink (O_NOFOLLOW).
        _ if e.raw_os_error() == Some(LOOP) => Skip::NotAFile,
        _ => Skip::Unreadable,
    })?;
    let meta = file.metadata().map_err(|_| Skip::Unreadable)?;
    if !meta.is_file() {
        return Err(Skip::NotAFile);
    }
    if meta.len() > max_bytes {
        return Err(Skip::TooLarge);
    }
    // The size may have changed since; read one byte past the limit to know.
    let capacity = usize::try_from(meta.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity.saturating_add(1));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|_| Skip::Unreadable)?;
    if bytes.len() as u64 > max_bytes {
        return Err(Skip::TooLarge);
    }
    if bytes.contains(&0) {
        return Err(Skip::Binary);
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// [`read_source`] for a path that a file event names under `root`, which the walk has not vetted: a
/// path through a symlinked directory below the root (one the walk does not enter) is not read, as
/// it could lead out of the workspace or round a loop.
pub(super) fn read_event_path(root: &Path, path: &Path, max_bytes: u64) -> Result<String, Skip> {
    let below = path.strip_prefix(root).map_err(|_| Skip::NotAFile)?;
    let mut dir = root.to_path_buf();
    let mut components = below.components().peekable();
    while let Some(component) = components.next() {
        if components.peek().is_none() {
            break;
        }
        if !matches!(component, std::path::Component::Normal(_)) {
            return Err(Skip::NotAFile);
        }
        dir.push(component);
        match std::fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_dir() => {}
            _ => return Err(Skip::NotAFile),
        }
    }
    read_source(path, max_bytes)
}

#[cfg(unix)]
const LOOP: i32 = libc::ELOOP;
#[cfg(not(unix))]
const LOOP: i32 = -1;

/// Opens `path` for reading without following a symlink in its last component and without blocking
/// on a FIFO (a regular file reads the same with `O_NONBLOCK`); the type is checked on the handle,
/// so a file swapped for something else after the walk is still caught.
#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::from_raw_os_error(LOOP));
    }
    std::fs::File::open(path)
}
