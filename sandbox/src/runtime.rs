//! The compiled CPython runtime: engine configuration, the module rewrite, and the on-disk cache of
//! the compiled artifact.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use wasmtime::{Engine, InstancePre, Linker, Module, OptLevel};
use wasmtime_wasi::p1::WasiP1Ctx;

use crate::Error;
use crate::host::Host;
use crate::patch::{self, PatchOptions};

/// The wasmtime release the artifacts are compiled with (pinned in the workspace `Cargo.toml`).
const WASMTIME_VERSION: &str = "48.0.8";
/// Bumped whenever the output of [`patch::patch`] changes for the same options.
const REWRITE_VERSION: u32 = 3;

/// The relocated C stack. Recursion through `functools.cache` costs ~9 KiB of it per level (the
/// build is unoptimized), measured: 64 MiB held ~7,500 levels. Untouched pages cost nothing, and
/// the memory cap does not count this region.
const STACK_BYTES: u32 = 128 << 20;
/// CPython's C recursion limit (500 in the WASI build). `functools.cache` recursion uses 3 units
/// per level, so this allows ~12,000 levels (~105 MiB of C stack): RecursionError comes before
/// the stack check in the common case, which stays as the backstop for heavier C frames.
const C_RECURSION_LIMIT: i32 = 36_000;
/// The host stack wasm frames may use (wasmtime's default is 512 KiB). Fibers are mapped lazily,
/// so only what a deep recursion touches is ever committed.
const MAX_WASM_STACK: usize = 256 << 20;
/// Room for host functions above the wasm stack on the async fiber.
const HOST_STACK: usize = 2 << 20;
/// How often the epoch advances: the granularity of timeouts.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The engine, and the module pre-linked against WASI: a run is one instantiation of this.
pub(crate) struct Runtime {
    pub engine: Engine,
    pub pre: InstancePre<Host>,
    /// Bytes of linear memory reserved for the relocated C stack (0 if the module was not
    /// rewritten): allowed on top of the memory cap and left out of the reported peak.
    pub stack_reserve: usize,
    /// How the module was obtained, for the benchmark.
    pub load: LoadStats,
    /// Where the module's standard library is unpacked for trials (see `judge.rs`): in the cache
    /// dir, named after the module file's identity.
    pub stdlib_dir: PathBuf,
}

#[derive(Clone, Copy, Debug)]
pub struct LoadStats {
    /// Whether the compiled artifact came from the disk cache.
    pub cached: bool,
    pub elapsed: Duration,
}

fn engine_config(fuel: bool) -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config
        .epoch_interruption(true)
        .consume_fuel(fuel)
        .max_wasm_stack(MAX_WASM_STACK)
        .async_stack_size(MAX_WASM_STACK + HOST_STACK)
        .cranelift_opt_level(OptLevel::Speed);
    config
}

fn patch_options() -> PatchOptions {
    PatchOptions {
        stack_bytes: STACK_BYTES,
        c_recursion_limit: C_RECURSION_LIMIT,
    }
}

impl Runtime {
    /// Loads the compiled module from `cache_dir`, or compiles `wasm_path` and caches it.
    pub(crate) fn load(wasm_path: &Path, cache_dir: &Path, fuel: bool) -> Result<Runtime, Error> {
        let started = Instant::now();
        let meta = std::fs::metadata(wasm_path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::RuntimeMissing {
                path: wasm_path.to_owned(),
            },
            _ => load_error(wasm_path, e),
        })?;
        let engine =
            Engine::new(&engine_config(fuel)).map_err(|e| Error::Host(format!("{e:#}")))?;
        let artifact = cache_dir.join(artifact_name(&engine, wasm_path, &meta));
        let stdlib_dir = cache_dir.join(stdlib_name(wasm_path, &meta));

        let (module, cached) = match deserialize(&engine, &artifact) {
            Some(module) => (module, true),
            None => {
                let module = compile(&engine, wasm_path)?;
                if let Err(e) = store_artifact(&module, &artifact) {
                    // Not fatal: the next process compiles again.
                    tracing::warn!(
                        "cannot cache the compiled runtime at {}: {e}",
                        artifact.display()
                    );
                }
                (module, false)
            }
        };
        let stack_reserve = match module.get_export(crate::patch::STACK_LIMIT_EXPORT) {
            Some(_) => STACK_BYTES as usize,
            None => 0,
        };
        let mut linker: Linker<Host> = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, |host: &mut Host| -> &mut WasiP1Ctx {
            &mut host.wasi
        })
        .map_err(|e| Error::Host(format!("{e:#}")))?;
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|e| load_error(wasm_path, e))?;
        let load = LoadStats {
            cached,
            elapsed: started.elapsed(),
        };
        Ok(Runtime {
            engine,
            pre,
            stack_reserve,
            load,
            stdlib_dir,
        })
    }
}

/// `python-3.12.0-<wasmtime>-<hash>.cwasm`, the hash covering the engine's compilation settings,
/// the rewrite's parameters and the source file's identity (path, size, mtime).
fn artifact_name(engine: &Engine, wasm_path: &Path, meta: &std::fs::Metadata) -> String {
    // FNV-1a rather than `DefaultHasher`, whose output may change between Rust releases.
    let mut hasher = Fnv1a::default();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    patch_options().hash(&mut hasher);
    REWRITE_VERSION.hash(&mut hasher);
    wasm_path.hash(&mut hasher);
    meta.len().hash(&mut hasher);
    meta.modified().ok().hash(&mut hasher);
    format!(
        "python-3.12.0-{WASMTIME_VERSION}-{:016x}.cwasm",
        hasher.finish()
    )
}

/// `python-3.12.0-stdlib-<hash>`, the hash covering the module file's identity (path, size,
/// mtime): its standard library, unpacked.
fn stdlib_name(wasm_path: &Path, meta: &std::fs::Metadata) -> String {
    let mut hasher = Fnv1a::default();
    wasm_path.hash(&mut hasher);
    meta.len().hash(&mut hasher);
    meta.modified().ok().hash(&mut hasher);
    format!("python-3.12.0-stdlib-{:016x}", hasher.finish())
}

fn compile(engine: &Engine, wasm_path: &Path) -> Result<Module, Error> {
    let wasm = std::fs::read(wasm_path).map_err(|e| load_error(wasm_path, e))?;
    let wasm = match patch::patch(&wasm, patch_options()) {
        Ok(patched) => {
            if !patched.c_recursion_limit_raised {
                tracing::warn!("CPython's C recursion limit was not found; left as built");
            }
            patched.wasm
        }
        Err(e) => {
            // Another CPython build: run it as it is, with its own stack.
            tracing::warn!("not rewriting {}: {e}", wasm_path.display());
            wasm
        }
    };
    Module::new(engine, &wasm).map_err(|e| load_error(wasm_path, e))
}

/// Loads a cached artifact, or `None` when there is none or it is unusable (another wasmtime build,
/// a torn file): the caller then recompiles and overwrites it.
fn deserialize(engine: &Engine, artifact: &Path) -> Option<Module> {
    if !artifact.is_file() {
        return None;
    }
    // SAFETY: `deserialize_file` trusts the file to be a wasmtime artifact: a crafted one could run
    // arbitrary host code. The file lives in our own cache directory, is only ever written by
    // `store_artifact` below (atomically, via rename), and wasmtime checks its header, version and
    // engine settings before use. Anyone able to write there could equally replace our binary.
    #[allow(unsafe_code)]
    let module = unsafe { Module::deserialize_file(engine, artifact) };
    match module {
        Ok(module) => Some(module),
        Err(e) => {
            tracing::warn!(
                "ignoring unusable cached runtime {}: {e:#}",
                artifact.display()
            );
            None
        }
    }
}

/// Writes the artifact next to its final name and renames it into place, so that concurrent
/// processes (parallel test binaries) never read a partial file.
fn store_artifact(module: &Module, artifact: &Path) -> Result<(), String> {
    let bytes = module.serialize().map_err(|e| format!("{e:#}"))?;
    let dir = artifact.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
    std::io::Write::write_all(&mut tmp, &bytes).map_err(|e| e.to_string())?;
    tmp.persist(artifact).map_err(|e| e.to_string())?;
    Ok(())
}

fn load_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::RuntimeLoad {
        path: PathBuf::from(path),
        message: format!("{e:#}"),
    }
}

/// 64-bit FNV-1a: a stable hash for cache keys.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}
