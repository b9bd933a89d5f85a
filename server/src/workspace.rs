//! The workspace index's state in the server: its folders (from `initialize`), whether it is on (the
//! `workspaceIndex` setting), whether the client watches files for us, and the running scan.
//! `indexing` runs the scans and applies file events; the index itself and everything it knows about
//! code is the engine's (`engine::workspace`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use engine::CancellationToken;
use engine::workspace::SharedIndex;
use tower_lsp_server::ls_types::InitializeParams;

/// The `workspaceIndex` setting: `{"enabled": true}`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WorkspaceIndexOptions {
    /// Index the workspace folders' Python and Java files, so completions see definitions from files
    /// that are not open (default true). Off: no file is read, and the index and its memory are dropped.
    pub enabled: bool,
}

impl Default for WorkspaceIndexOptions {
    fn default() -> Self {
        WorkspaceIndexOptions { enabled: true }
    }
}

/// The server's side of the workspace index.
#[derive(Default)]
pub struct Workspace {
    pub index: Arc<SharedIndex>,
    state: Mutex<State>,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) roots: Vec<PathBuf>,
    /// `initialized` has come, and with it the decision to index or not: before it, settings only
    /// change what that decision will be.
    pub(crate) started: bool,
    /// The `workspaceIndex.enabled` setting in force: when off, file events are ignored.
    pub(crate) enabled: bool,
    /// The client registers file watchers dynamically (`workspace.didChangeWatchedFiles`).
    pub(crate) dynamic_watch: bool,
    /// The file watchers are registered (once, the first time the index is on).
    pub(crate) watching: bool,
    /// The running scan, if any (its number and token); a newer one cancels it.
    pub(crate) scan: Option<(u64, CancellationToken)>,
    pub(crate) scans: u64,
    /// Files that changed while a scan ran: applied once its index replaces the old one.
    pub(crate) pending: Vec<PathBuf>,
}

impl Workspace {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reads the workspace folders (`workspaceFolders`, else `rootUri`) and the client's capabilities.
    pub fn configure(&self, params: &InitializeParams) {
        let mut uris: Vec<String> = params
            .workspace_folders
            .iter()
            .flatten()
            .map(|f| f.uri.as_str().to_owned())
            .collect();
        // `rootUri` is deprecated in favour of `workspaceFolders`, which clients without folders omit.
        #[allow(deprecated)]
        let root_uri = params.root_uri.as_ref();
        if uris.is_empty()
            && let Some(root) = root_uri
        {
            uris.push(root.as_str().to_owned());
        }
        let mut roots: Vec<PathBuf> = uris
            .iter()
            .filter_map(|u| engine::workspace::uri_path(u))
            .collect();
        roots.sort();
        roots.dedup();
        let dynamic_watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        let mut state = self.lock();
        state.roots = roots;
        state.dynamic_watch = dynamic_watch;
    }
}
