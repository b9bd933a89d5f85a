//! Hub ids (`Qwen/Qwen3-0.6B`, or one GGUF file of a repository:
//! `Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q8_0.gguf`): files come from the
//! standard Hugging Face cache, downloaded there through
//! the `hf-hub` crate when missing. Honours `HF_HOME`, `HF_HUB_CACHE`, `HF_TOKEN`, `HF_ENDPOINT` and
//! `HF_HUB_OFFLINE` (then only the cache is read, and a missing file is an error naming the id).

use std::path::PathBuf;

use hf_hub::api::sync::ApiBuilder;
use hf_hub::{Cache, Repo};

use super::{GgufFiles, ModelFiles, shards_of_index};
use crate::error::{Error, Result};

/// Everything the hub path reads from the environment, resolved once so tests can pass their own.
#[derive(Clone, Debug)]
pub struct HubSettings {
    /// The hub cache (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`).
    pub cache_dir: PathBuf,
    pub token: Option<String>,
    pub offline: bool,
    pub progress: bool,
}

impl HubSettings {
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let cache = match var("HF_HUB_CACHE") {
            Some(dir) => Cache::new(dir.into()),
            None => Cache::from_env(),
        };
        let token = var("HF_TOKEN").or_else(|| cache.token());
        let offline = var("HF_HUB_OFFLINE").is_some_and(|v| {
            matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
        });
        HubSettings {
            cache_dir: cache.path().clone(),
            token,
            offline,
            progress: false,
        }
    }

    pub fn with_progress(mut self, progress: bool) -> Self {
        self.progress = progress;
        self
    }
}

/// A part of a hub id: hub-legal characters, not hidden.
fn hub_part(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('.')
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn is_gguf(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".gguf")
}

/// `org/name` with hub-legal characters; anything else is treated as a (missing) path.
pub fn looks_like_repo_id(s: &str) -> bool {
    let mut parts = s.split('/');
    let (Some(org), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    hub_part(org) && hub_part(name) && !is_gguf(name)
}

/// `org/name/file.gguf`, one GGUF file of a hub repository, as `("org/name", "file.gguf")`.
pub fn gguf_file_id(s: &str) -> Option<(&str, &str)> {
    let (repo, file) = s.rsplit_once('/')?;
    (looks_like_repo_id(repo) && hub_part(file) && is_gguf(file)).then_some((repo, file))
}

/// Fetches (or finds in the cache) the GGUF file `file` of the repository `id`, with the tokenizer
/// files when the repository has them (GGUF repositories mostly do not: the loader then reads the
/// tokenizer inside the file).
pub fn fetch_gguf(id: &str, file: &str, settings: &HubSettings) -> Result<GgufFiles> {
    let err = |message: String| Error::ModelLoad {
        source_desc: format!("{id}/{file}"),
        message,
    };
    let getter = Getter::new(id, settings).map_err(err)?;
    let gguf = getter.get(id, file).map_err(err)?;
    Ok(GgufFiles {
        gguf,
        tokenizer: getter.get(id, "tokenizer.json").ok(),
        tokenizer_config: getter.get(id, "tokenizer_config.json").ok(),
        chat_template_jinja: getter.get(id, "chat_template.jinja").ok(),
    })
}

/// Fetches (or finds in the cache) the files of the safetensors checkpoint `id`.
pub fn fetch(id: &str, settings: &HubSettings) -> Result<ModelFiles> {
    let err = |message: String| Error::ModelLoad {
        source_desc: id.to_string(),
        message,
    };
    let getter = Getter::new(id, settings).map_err(err)?;
    let config = getter.get(id, "config.json").map_err(err)?;
    let tokenizer = getter.get(id, "tokenizer.json").map_err(err)?;
    let tokenizer_config = getter.get(id, "tokenizer_config.json").ok();
    let generation_config = getter.get(id, "generation_config.json").ok();
    let chat_template_jinja = getter.get(id, "chat_template.jinja").ok();
    let weights = match getter.get(id, "model.safetensors.index.json") {
        Ok(index) => shards_of_index(&index)
            .map_err(err)?
            .iter()
            .map(|shard| getter.get(id, shard).map_err(err))
            .collect::<Result<Vec<_>>>()?,
        Err(_) => vec![getter.get(id, "model.safetensors").map_err(err)?],
    };
    Ok(ModelFiles {
        config,
        tokenizer,
        tokenizer_config,
        generation_config,
        chat_template_jinja,
        weights,
    })
}

enum Getter {
    Offline(hf_hub::CacheRepo, PathBuf),
    Online(Box<hf_hub::api::sync::ApiRepo>),
}

impl Getter {
    fn new(id: &str, s: &HubSettings) -> Result<Self, String> {
        let cache = Cache::new(s.cache_dir.clone());
        if s.offline {
            return Ok(Getter::Offline(
                cache.repo(Repo::model(id.to_string())),
                s.cache_dir.clone(),
            ));
        }
        let mut builder = ApiBuilder::from_cache(cache)
            .with_progress(s.progress)
            .with_token(s.token.clone());
        if let Ok(endpoint) = std::env::var("HF_ENDPOINT") {
            builder = builder.with_endpoint(endpoint);
        }
        let api = builder
            .build()
            .map_err(|e| format!("cannot start the hub client: {e}"))?;
        Ok(Getter::Online(Box::new(api.model(id.to_string()))))
    }

    fn get(&self, id: &str, file: &str) -> Result<PathBuf, String> {
        match self {
            Getter::Offline(repo, dir) => repo.get(file).ok_or_else(|| {
                format!(
                    "{file} of {id} is not in the Hugging Face cache at {} and HF_HUB_OFFLINE is set \
                     (download it once online, or pass a local directory)",
                    dir.display()
                )
            }),
            Getter::Online(repo) => repo.get(file).map_err(|e| format!("cannot download {file} of {id}: {e}")),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn repo_ids_and_paths_are_told_apart() {
        assert!(looks_like_repo_id("Qwen/Qwen3-0.6B"));
        assert!(looks_like_repo_id("Qwen/Qwen2.5-Coder-1.5B"));
        assert!(!looks_like_repo_id("./models/qwen"));
        assert!(!looks_like_repo_id("/abs/path"));
        assert!(!looks_like_repo_id("a/b/c"));
        assert!(!looks_like_repo_id("Qwen/model.gguf"));
        assert!(!looks_like_repo_id("qwen"));
    }

    #[test]
    fn gguf_files_of_hub_repositories_are_told_apart() {
        let id = "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q8_0.gguf";
        assert_eq!(
            gguf_file_id(id),
            Some((
                "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
                "qwen2.5-coder-1.5b-instruct-q8_0.gguf"
            ))
        );
        for not in [
            "Qwen/Qwen3-0.6B",
            "Qwen/model.gguf",
            "Qwen/repo/model.safetensors",
            "Qwen/repo/.hidden.gguf",
            "a/b/c/d.gguf",
            "/abs/org/name/file.gguf",
            "Qwen/repo/",
        ] {
            assert_eq!(gguf_file_id(not), None, "{not}");
        }
    }

    fn offline(dir: &std::path::Path) -> HubSettings {
        HubSettings {
            cache_dir: dir.to_path_buf(),
            token: None,
            offline: true,
            progress: false,
        }
    }

    #[test]
    fn offline_with_an_empty_cache_names_the_id() {
        let dir = tempfile::tempdir().unwrap();
        let err = fetch("Qwen/Qwen3-0.6B", &offline(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Qwen/Qwen3-0.6B") && err.contains("HF_HUB_OFFLINE"),
            "{err}"
        );
    }

    /// The layout huggingface_hub writes for the model repository `name` (`org--tiny`) in `cache`:
    /// refs/main holds the commit, snapshots/<commit>/ the files. Returns the snapshot directory.
    fn cached_repo(cache: &std::path::Path, name: &str, commit: &str) -> PathBuf {
        let repo = cache.join(format!("models--{name}"));
        let snap = repo.join("snapshots").join(commit);
        std::fs::create_dir_all(&snap).unwrap();
        std::fs::create_dir_all(repo.join("refs")).unwrap();
        std::fs::write(repo.join("refs").join("main"), commit).unwrap();
        snap
    }

    #[test]
    fn offline_reads_a_populated_cache() {
        let dir = tempfile::tempdir().unwrap();
        let snap = cached_repo(dir.path(), "org--tiny", "abc123");
        for f in ["config.json", "tokenizer.json", "model.safetensors"] {
            std::fs::write(snap.join(f), "{}").unwrap();
        }
        let files = fetch("org/tiny", &offline(dir.path())).unwrap();
        assert_eq!(files.config, snap.join("config.json"));
        assert_eq!(files.weights, vec![snap.join("model.safetensors")]);
        assert!(files.tokenizer_config.is_none());
    }

    #[test]
    fn offline_finds_a_gguf_file_alone_or_with_its_tokenizer() {
        let dir = tempfile::tempdir().unwrap();
        let snap = cached_repo(dir.path(), "org--tiny-GGUF", "def456");
        std::fs::write(snap.join("tiny-q8_0.gguf"), "GGUF").unwrap();
        let files = fetch_gguf("org/tiny-GGUF", "tiny-q8_0.gguf", &offline(dir.path())).unwrap();
        assert_eq!(files.gguf, snap.join("tiny-q8_0.gguf"));
        assert!(files.tokenizer.is_none());
        std::fs::write(snap.join("tokenizer.json"), "{}").unwrap();
        let files = fetch_gguf("org/tiny-GGUF", "tiny-q8_0.gguf", &offline(dir.path())).unwrap();
        assert_eq!(files.tokenizer, Some(snap.join("tokenizer.json")));
        let err = fetch_gguf("org/tiny-GGUF", "tiny-q4_k.gguf", &offline(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("org/tiny-GGUF/tiny-q4_k.gguf") && err.contains("HF_HUB_OFFLINE"),
            "{err}"
        );
    }
}
