//! The evals library's one error type. Every variant names the file, line or setting to fix.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A line of a problem, sample or result file is not what its format requires.
    #[error("{path}:{line}: {message}")]
    Malformed {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A built-in dataset whose data is not installed.
    #[error("dataset `{name}` is not installed at {path}; run {hint}")]
    DatasetMissing {
        name: String,
        path: PathBuf,
        hint: String,
    },
    /// A sample names a task the dataset does not have.
    #[error("{path}:{line}: task `{task_id}` is not in dataset `{dataset}`")]
    UnknownTask {
        path: PathBuf,
        line: usize,
        task_id: String,
        dataset: String,
    },
    /// Caller input rejected where it enters (flags, run settings).
    #[error("{0}")]
    InvalidInput(String),
    /// The sandbox could not run a program (the program's own failures are verdicts, not errors).
    #[error(transparent)]
    Sandbox(#[from] sandbox::Error),
    /// The model failed to load or generate.
    #[error(transparent)]
    Engine(#[from] engine::Error),
    /// An importer met data it cannot convert.
    #[error("import: {0}")]
    Import(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
