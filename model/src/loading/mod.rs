//! Where a model's files come from: a local Hugging Face directory, a hub id (through the HF cache), or
//! a GGUF file. Resolves a source string into the paths the loader reads; opens the device and picks the dtype.

pub mod hub;

use std::path::{Path, PathBuf};

use candle_core::{DType, Device};

use crate::error::{Error, Result};
use crate::options::{DeviceSpec, WeightDtype};

/// The files of a safetensors checkpoint.
#[derive(Clone, Debug)]
pub struct ModelFiles {
    pub config: PathBuf,
    pub tokenizer: PathBuf,
    pub tokenizer_config: Option<PathBuf>,
    pub generation_config: Option<PathBuf>,
    pub chat_template_jinja: Option<PathBuf>,
    /// One file, or the shards named by `model.safetensors.index.json`.
    pub weights: Vec<PathBuf>,
}

/// A GGUF file and the tokenizer files beside it. Without a `tokenizer.json` there, the loader rebuilds
/// the tokenizer from the file's own `tokenizer.ggml.*` metadata.
#[derive(Clone, Debug)]
pub struct GgufFiles {
    pub gguf: PathBuf,
    pub tokenizer: Option<PathBuf>,
    pub tokenizer_config: Option<PathBuf>,
    pub chat_template_jinja: Option<PathBuf>,
}

#[derive(Clone, Debug)]
pub enum Resolved {
    Safetensors(ModelFiles),
    Gguf(GgufFiles),
}

/// Resolves `source`: an existing path wins; otherwise `org/name` is a hub id.
pub fn resolve(source: &str, show_progress: bool) -> Result<Resolved> {
    let err = |message: String| Error::ModelLoad {
        source_desc: source.to_string(),
        message,
    };
    if source.trim().is_empty() {
        return Err(err("no model given".into()));
    }
    let path = Path::new(source);
    if path.is_dir() {
        return local_dir(path).map(Resolved::Safetensors).map_err(err);
    }
    if path.is_file() {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gguf"))
        {
            return gguf_file(path).map(Resolved::Gguf).map_err(err);
        }
        return Err(err("not a directory nor a .gguf file".into()));
    }
    let settings = || hub::HubSettings::from_env().with_progress(show_progress);
    if hub::looks_like_repo_id(source) {
        return hub::fetch(source, &settings()).map(Resolved::Safetensors);
    }
    if let Some((id, file)) = hub::gguf_file_id(source) {
        return hub::fetch_gguf(id, file, &settings()).map(Resolved::Gguf);
    }
    Err(err(
        "no such file or directory (and not a hub id like `Qwen/Qwen3-0.6B` or \
         `Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q8_0.gguf`)"
            .into(),
    ))
}

fn optional(dir: &Path, name: &str) -> Option<PathBuf> {
    let p = dir.join(name);
    p.is_file().then_some(p)
}

fn required(dir: &Path, name: &str) -> Result<PathBuf, String> {
    optional(dir, name).ok_or_else(|| format!("{} is missing", dir.join(name).display()))
}

/// A local directory laid out like a hub checkpoint.
pub fn local_dir(dir: &Path) -> Result<ModelFiles, String> {
    Ok(ModelFiles {
        config: required(dir, "config.json")?,
        tokenizer: required(dir, "tokenizer.json")?,
        tokenizer_config: optional(dir, "tokenizer_config.json"),
        generation_config: optional(dir, "generation_config.json"),
        chat_template_jinja: optional(dir, "chat_template.jinja"),
        weights: weight_files(dir)?,
    })
}

fn weight_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if let Some(index) = optional(dir, "model.safetensors.index.json") {
        let shards = shards_of_index(&index)?;
        return shards
            .into_iter()
            .map(|name| {
                let p = dir.join(&name);
                if p.is_file() {
                    Ok(p)
                } else {
                    Err(format!("shard {} is missing", p.display()))
                }
            })
            .collect();
    }
    if let Some(single) = optional(dir, "model.safetensors") {
        return Ok(vec![single]);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "safetensors"))
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(format!("no .safetensors weights in {}", dir.display()));
    }
    Ok(found)
}

/// The distinct shard file names of a `model.safetensors.index.json`, in first-seen order.
pub(crate) fn shards_of_index(index: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(index)
        .map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", index.display()))?;
    let map = v
        .get("weight_map")
        .and_then(|m| m.as_object())
        .ok_or_else(|| format!("{} has no weight_map", index.display()))?;
    let mut shards: Vec<String> = Vec::new();
    for file in map.values().filter_map(|f| f.as_str()) {
        if file.contains('/') || file.contains('\\') || file.starts_with('.') {
            return Err(format!(
                "{}: suspicious shard name {file:?}",
                index.display()
            ));
        }
        if !shards.iter().any(|s| s == file) {
            shards.push(file.to_string());
        }
    }
    if shards.is_empty() {
        return Err(format!("{} names no shards", index.display()));
    }
    Ok(shards)
}

fn gguf_file(path: &Path) -> Result<GgufFiles, String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    Ok(GgufFiles {
        gguf: path.to_path_buf(),
        tokenizer: optional(dir, "tokenizer.json"),
        tokenizer_config: optional(dir, "tokenizer_config.json"),
        chat_template_jinja: optional(dir, "chat_template.jinja"),
    })
}

/// Opens `spec`; `None` picks the best device compiled in and present.
pub fn open_device(spec: Option<DeviceSpec>) -> Result<Device> {
    let unavailable = |e: candle_core::Error| {
        let what = spec.map(|s| s.to_string()).unwrap_or_default();
        Error::InvalidInput(format!(
            "device {what} is not available ({e}); build with `--features cuda`/`metal`"
        ))
    };
    match spec {
        None => {
            if candle_core::utils::cuda_is_available()
                && let Ok(d) = new_cuda(0)
            {
                return Ok(d);
            }
            if candle_core::utils::metal_is_available()
                && let Ok(d) = Device::new_metal(0)
            {
                return Ok(d);
            }
            Ok(Device::Cpu)
        }
        Some(DeviceSpec::Cpu) => Ok(Device::Cpu),
        Some(DeviceSpec::Metal) => Device::new_metal(0).map_err(unavailable),
        Some(DeviceSpec::Cuda(ordinal)) => new_cuda(ordinal).map_err(unavailable),
    }
}

/// `Device::new_cuda`, where a build that loads the CUDA driver at run time (cudarc's dynamic loading, as
/// scripts/build-gpu-artifact.sh builds) panics when no `libcuda.so.1` can be loaded: that becomes an error.
fn new_cuda(ordinal: usize) -> candle_core::Result<Device> {
    std::panic::catch_unwind(|| Device::new_cuda(ordinal)).unwrap_or_else(|panic| {
        let why = (panic.downcast_ref::<String>().map(String::as_str))
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown panic");
        Err(candle_core::Error::Msg(format!(
            "no CUDA device is present: the CUDA driver could not be loaded ({why})"
        )))
    })
}

/// The weights' dtype: `spec`, or by default f32 on CPU (candle's CPU bf16 matmuls are slow, and f32 is
/// what the references are checked in) and bf16 on GPUs (what Qwen checkpoints are trained and shipped
/// in), f16 on Metal.
pub fn weight_dtype(spec: Option<WeightDtype>, device: &Device) -> DType {
    match spec {
        Some(spec) => spec.dtype(),
        None if device.is_cpu() => DType::F32,
        None if device.is_metal() => DType::F16,
        None => DType::BF16,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_dtypes() {
        assert!(open_device(Some(DeviceSpec::Cpu)).unwrap().is_cpu());
        assert_eq!(
            weight_dtype(Some(WeightDtype::Bf16), &Device::Cpu),
            DType::BF16
        );
        assert_eq!(weight_dtype(None, &Device::Cpu), DType::F32);
    }

    #[test]
    fn missing_path_that_is_not_a_hub_id_is_named() {
        let err = resolve("./no/such/dir/at/all", false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("./no/such/dir/at/all") && err.contains("no such file"),
            "{err}"
        );
    }
}
