//! The GPU artifact's promises on a machine without a GPU (CI's): `--device cuda` fails with a clear
//! message and a non-zero exit, and the artifact's launcher (`scripts/gpu-run.sh`, copied to `DIR/run` by
//! scripts/build-gpu-artifact.sh) says that no CUDA device is present, names where it looked for the
//! driver and the CUDA libraries, and never runs the program without them.
//!
//! The CUDA build itself is not built here (nvcc and ~40 minutes); scripts/build-gpu-artifact.sh checks
//! the same two behaviours on the real artifact at the end of every build.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::tiny_model;

/// `qwen-lsp generate` on the tiny checkpoint with `--device cuda`.
fn generate_on_cuda() -> Output {
    let tmp = tempfile::tempdir().unwrap();
    let prompt = tmp.path().join("prompt.py");
    std::fs::write(&prompt, "def add(a, b):\n").unwrap();
    Command::new(env!("CARGO_BIN_EXE_qwen-lsp"))
        .args(["generate", "--model"])
        .arg(tiny_model())
        .arg("--prompt-file")
        .arg(&prompt)
        .args(["--device", "cuda", "--max-tokens", "2"])
        .output()
        .unwrap()
}

#[cfg(not(feature = "cuda"))]
#[test]
fn device_cuda_without_cuda_support_fails_and_says_why() {
    let out = generate_on_cuda();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "stderr: {stderr}");
    assert!(
        stderr.contains("device cuda:0 is not available") && stderr.contains("--features cuda"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing is generated");
}

/// In a CUDA build: either a device is there and generation works, or the error says none is present.
#[cfg(feature = "cuda")]
#[test]
fn device_cuda_in_a_cuda_build_runs_or_says_no_device_is_present() {
    let out = generate_on_cuda();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        assert!(stderr.contains("device cuda is not available"), "{stderr}");
    }
}

/// A folder laid out like the artifact: the launcher as `run`, and `bin/gpu` a script that prints the
/// library path and arguments it was given (the launcher only looks for files by name, so empty files
/// stand in for the libraries in these tests; nothing loads them).
struct Artifact {
    dir: tempfile::TempDir,
}

impl Artifact {
    fn new() -> Artifact {
        let dir = tempfile::tempdir().unwrap();
        let launcher = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/gpu-run.sh");
        std::fs::copy(&launcher, dir.path().join("run")).unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        let program = dir.path().join("bin/gpu");
        std::fs::write(
            &program,
            "#!/bin/sh\necho \"LD_LIBRARY_PATH=$LD_LIBRARY_PATH\"\necho \"ARGS=$*\"\n",
        )
        .unwrap();
        for path in [&program, &dir.path().join("run")] {
            set_executable(path);
        }
        Artifact { dir }
    }

    /// An empty folder under the artifact's temp dir, holding empty files named `files`.
    fn folder(&self, name: &str, files: &[&str]) -> PathBuf {
        let d = self.dir.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        for f in files {
            std::fs::write(d.join(f), b"").unwrap();
        }
        d
    }

    /// Runs `run ARGS` with the driver and libraries looked for only in `driver` and `libs`.
    fn run(&self, args: &[&str], driver: &Path, libs: &Path) -> (i32, String, String) {
        let out = Command::new(self.dir.path().join("run"))
            .args(args)
            .env("GPU_RUN_DRIVER_DIRS", driver)
            .env("GPU_RUN_LIB_DIRS", libs)
            .env_remove("LD_LIBRARY_PATH")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

#[cfg(unix)]
fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

const LIBS: [&str; 4] = [
    "libcublas.so.13",
    "libcublasLt.so.13",
    "libcurand.so.10",
    "libnvrtc.so.13",
];

#[test]
fn launcher_without_a_driver_says_no_cuda_device_is_present_and_exits_3() {
    let a = Artifact::new();
    let (driver, libs) = (a.folder("driver", &[]), a.folder("libs", &LIBS));
    let (code, stdout, stderr) = a.run(&["gpu", "--device", "cuda"], &driver, &libs);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("no CUDA device is present"), "{stderr}");
    assert!(
        stderr.contains(driver.to_str().unwrap()),
        "names where it looked: {stderr}"
    );
    assert!(stdout.is_empty(), "the program must not run: {stdout}");
}

#[test]
fn launcher_without_cublas_lists_what_is_missing_and_where_it_looked() {
    let a = Artifact::new();
    let driver = a.folder("driver", &["libcuda.so.1"]);
    let libs = a.folder("libs", &["libcurand.so.10", "libnvrtc.so.13"]);
    let (code, stdout, stderr) = a.run(&["gpu"], &driver, &libs);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("libcublas.so.13 libcublasLt.so.13")
            && !stderr.contains("libcurand.so.10 "),
        "{stderr}"
    );
    assert!(stderr.contains(libs.to_str().unwrap()), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
}

#[test]
fn launcher_puts_the_folders_it_found_first_and_passes_arguments_through() {
    let a = Artifact::new();
    let driver = a.folder("driver", &["libcuda.so.1"]);
    // The libraries split over two folders, the first of them empty: both found folders, no others.
    let empty = a.folder("empty", &[]);
    let blas = a.folder("blas", &LIBS[..2]);
    let rest = a.folder("rest", &LIBS[2..]);
    let dirs = format!("{}:{}:{}", empty.display(), blas.display(), rest.display());
    let (code, stdout, stderr) = a.run(&["gpu", "--shapes", "a b"], &driver, Path::new(&dirs));
    assert_eq!(code, 0, "{stderr}");
    let expected = format!(
        "LD_LIBRARY_PATH={}:{}:{}\nARGS=--shapes a b\n",
        driver.display(),
        blas.display(),
        rest.display()
    );
    assert_eq!(stdout, expected);
}

#[test]
fn launcher_dry_run_goes_on_without_a_driver_and_never_adds_an_empty_path_entry() {
    let a = Artifact::new();
    let nothing = a.folder("nothing", &[]);
    let (code, stdout, stderr) = a.run(&["--allow-no-driver", "gpu"], &nothing, &nothing);
    assert_eq!(code, 0, "{stderr}");
    // An empty entry would make the loader search the current directory.
    assert!(stdout.starts_with("LD_LIBRARY_PATH=\n"), "{stdout}");
}

#[test]
fn launcher_rejects_programs_that_are_not_in_the_artifact() {
    let a = Artifact::new();
    let d = a.folder("driver", &["libcuda.so.1"]);
    for args in [&["sh"][..], &["../bin/gpu"], &[]] {
        let (code, stdout, stderr) = a.run(args, &d, &d);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
    }
}

/// A CUDA artifact keeps `bin/` and `models/` in `payload.tar.xz`; the launcher unpacks it on first use,
/// runs from the unpacked folder, reuses it afterwards, and unpacks again when the payload changes. The
/// bundled `lib/` (libcudart) stays beside `run`, where the unpacked binaries' RUNPATH cannot reach it,
/// so the launcher puts it first on the path.
#[test]
fn launcher_unpacks_the_payload_once_and_again_when_it_changes() {
    let a = Artifact::new();
    let root = a.dir.path();
    let bundled = a.folder("lib", &["libcudart.so.13"]);
    std::fs::create_dir_all(root.join("models/tiny")).unwrap();
    std::fs::write(root.join("models/tiny/config.json"), "{}").unwrap();
    let pack = || {
        let status = Command::new("sh")
            .arg("-c")
            .arg("tar -cf - bin models | xz -1 > payload.tar.xz && rm -rf bin models")
            .current_dir(root)
            .status()
            .unwrap();
        assert!(status.success());
    };
    pack();
    assert!(!root.join("bin").exists());

    let driver = a.folder("driver", &["libcuda.so.1"]);
    let libs = a.folder("libs", &LIBS);
    let (code, stdout, stderr) = a.run(&["gpu", "--x"], &driver, &libs);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.ends_with("ARGS=--x\n"), "{stdout}");
    let path = format!(
        "LD_LIBRARY_PATH={}:{}:{}\n",
        bundled.display(),
        driver.display(),
        libs.display()
    );
    assert!(stdout.starts_with(&path), "{stdout}");
    assert!(stderr.contains("unpacked"), "{stderr}");

    let (code, unpacked, stderr) = a.run(&["--unpack"], &driver, &libs);
    assert_eq!(code, 0, "{stderr}");
    let unpacked = PathBuf::from(unpacked.trim_end());
    assert_eq!(unpacked, root.join(".unpacked"));
    assert!(unpacked.join("models/tiny/config.json").is_file());
    assert!(
        !stderr.contains("unpacked"),
        "the second run reuses it: {stderr}"
    );

    // A new payload whose program says something else is unpacked again, not mixed with the old one.
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::write(root.join("bin/gpu"), "#!/bin/sh\necho new\n").unwrap();
    set_executable(&root.join("bin/gpu"));
    std::fs::create_dir_all(root.join("models")).unwrap();
    pack();
    let (code, stdout, stderr) = a.run(&["gpu"], &driver, &libs);
    assert_eq!((code, stdout.as_str()), (0, "new\n"), "{stderr}");
    assert!(!unpacked.join("models/tiny").exists(), "old files are gone");
}

/// Without a driver the launcher refuses before it spends time unpacking.
#[test]
fn launcher_without_a_driver_refuses_before_unpacking() {
    let a = Artifact::new();
    let root = a.dir.path();
    let status = Command::new("sh")
        .arg("-c")
        .arg("tar -cf - bin | xz -1 > payload.tar.xz && rm -rf bin")
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success());
    let (driver, libs) = (a.folder("driver", &[]), a.folder("libs", &LIBS));
    let (code, _, stderr) = a.run(&["gpu"], &driver, &libs);
    assert_eq!(code, 3, "{stderr}");
    assert!(!root.join(".unpacked").exists(), "{stderr}");
}
