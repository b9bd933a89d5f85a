#!/usr/bin/env bash
# Builds, on a machine with no GPU, the folder a GPU machine runs: `qwen-lsp` and the `gpu` bench with
# `--features cuda`, stripped, with the tiny checkpoint and the CPU's greedy ids for it, the binaries and the
# checkpoint packed in payload.tar.xz. At most 60 MiB, so it can be carried to a lent device (64 MiB limit)
# and run there with `benches/gpu.sh --prebuilt DIR`.
#
#   scripts/build-gpu-artifact.sh [DIR]              # default target/gpu-artifact
#   scripts/build-gpu-artifact.sh --cpu-only [DIR]   # the same folder without CUDA, from the dev profile (no
#                                                    # nvcc, minutes): for `benches/gpu.sh --prebuilt DIR --dry`
#
# What it decides (README.md, "GPU builds", says why):
# - nvcc 13.0 from NVIDIA's pinned, hash-checked PyPI wheels (scripts/lib/cuda-13.0-wheels.txt): driver 580
#   (CUDA 13.0) JITs PTX up to ISA 9.0 only.
# - Kernels: candle's kernels are PTX for compute_80, which the driver JIT-compiles on sm_80, sm_89, sm_90 and
#   later; its statically linked GGUF/MoE kernels carry sm_80 machine code plus compute_80 PTX
#   (scripts/lib/nvcc-with-ptx.sh).
# - The CUDA driver and cuBLAS, cuRAND, NVRTC are loaded at run time (dlopen), not linked: candle-core turns on
#   cudarc's `dynamic-linking`, and cudarc's build script refuses `dynamic-loading` beside it, so the cfg
#   `feature="dynamic-loading"` is given to the target crates only (`--target` keeps build scripts out of
#   target rustflags); cudarc's code then takes its dlopen path. Its build script still emits `-lcuda -lcublas
#   -lcublasLt -lcurand -lnvrtc`; those resolve to EMPTY linker scripts in target/gpu-build/link (they define
#   nothing and add no DT_NEEDED entry), and the check below fails the build if any of those libraries is
#   still needed by a binary.
# - libcudart.so.13 (700 KB, from the wheel; NVIDIA's EULA lets it be redistributed) is bundled in lib/ and
#   found through RUNPATH $ORIGIN/../lib; the rest comes from the device (the `run` launcher finds them).
set -euo pipefail
cd "$(dirname "$0")/.."
cpu_only=0
if [ "${1:-}" = "--cpu-only" ]; then
    cpu_only=1
    shift
fi
DIR="${1:-target/gpu-artifact}"
MAX_MIB=60
TRIPLE=x86_64-unknown-linux-gnu
CAP=80
START=$SECONDS
scripts/fetch-tokenizer.sh >/dev/null

# The binaries without CUDA, from the dev profile: the folder's layout and the dry run, in minutes.
build_cpu_only() {
    cargo build --locked -p qwen-lsp -p benches --bin qwen-lsp --bin gpu
    BUILT="${CARGO_TARGET_DIR:-target}/debug"
}

build_cuda() {
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/gpu-build}"
    # shellcheck source=lib/cuda-env.sh
    . scripts/lib/cuda-env.sh
    cuda_env_wheels "$CAP"
    nvcc --version | tail -1
    export REAL_NVCC="$CUDA_HOME/bin/nvcc" NVCC="$PWD/scripts/lib/nvcc-with-ptx.sh"

    local link lib
    case "$CARGO_TARGET_DIR" in
        /*) link="$CARGO_TARGET_DIR/link" ;;
        *) link="$PWD/$CARGO_TARGET_DIR/link" ;;
    esac
    mkdir -p "$link"
    for lib in cuda cublas cublasLt curand nvrtc; do
        printf '/* Empty on purpose: see scripts/build-gpu-artifact.sh. lib%s is dlopened at run time. */\n' \
            "$lib" >"$link/lib$lib.so"
    done
    ln -sf "$CUDA_HOME/lib/libcudart.so.13" "$link/libcudart.so"

    unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
    local flags="[\"--cfg\", \"feature=\\\"dynamic-loading\\\"\", \"-L\", \"native=$link\", \"-C\", \"link-arg=-Wl,-rpath,\$ORIGIN/../lib\"]"
    cargo build --locked --release --target "$TRIPLE" -p qwen-lsp -p benches --bin qwen-lsp --bin gpu \
        --features qwen-lsp/cuda,benches/cuda \
        --config "target.$TRIPLE.rustflags=$flags" --config 'profile.release.strip="symbols"'
    BUILT="$CARGO_TARGET_DIR/$TRIPLE/release"
}

if [ "$cpu_only" = 1 ]; then build_cpu_only; else build_cuda; fi
echo "build-gpu-artifact: built in $((SECONDS - START)) s"

rm -rf "$DIR"
mkdir -p "$DIR/bin" "$DIR/lib" "$DIR/models/qwen3-tiny"
cp "$BUILT/qwen-lsp" "$BUILT/gpu" "$DIR/bin/"
if [ "$cpu_only" = 1 ]; then
    strip "$DIR"/bin/*
else
    cp "$CUDA_HOME/lib/libcudart.so.13" "$DIR/lib/"
    cp "$CUDA_HOME"/../../nvidia_cuda_runtime-*.dist-info/licenses/License.txt "$DIR/lib/CUDA-EULA.txt"
fi
cp scripts/gpu-run.sh "$DIR/run"
for f in config.json generation_config.json model.safetensors tokenizer.json tokenizer_config.json; do
    cp "tests/models/qwen3-tiny/$f" "$DIR/models/qwen3-tiny/"
done

# Nothing CUDA may be linked but the bundled runtime.
for bin in "$DIR"/bin/*; do
    needed="$(readelf -d "$bin" | awk '/NEEDED/ {gsub(/[\[\]]/, "", $NF); print $NF}')"
    if echo "$needed" | grep -E '^lib(cuda|cublas|cublasLt|curand|nvrtc)\.so' >/dev/null; then
        echo "build-gpu-artifact: $bin links a CUDA library it should dlopen:" $needed >&2
        exit 1
    fi
    echo "build-gpu-artifact: ${bin##*/} needs:" $needed
done

# The CPU's greedy ids for the tiny checkpoint, computed by the artifact itself (it runs on a CPU).
"$DIR/bin/gpu" --models "$DIR/models" --device cpu --expected-ids-out "$DIR/expected-ids.json"
{
    echo "commit $(git rev-parse HEAD)$(git diff --quiet HEAD -- . || echo ' (with uncommitted changes)')"
    echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m)"
    if [ "$cpu_only" = 1 ]; then
        echo "CPU ONLY (--cpu-only, dev profile): no CUDA; for benches/gpu.sh --dry"
    else
        echo "$(nvcc --version | tail -1), kernels: PTX compute_$CAP (JIT on sm_80/89/90+), static kernels sm_$CAP + PTX"
        echo "cudarc CUDA API $CUDARC_CUDA_VERSION, driver and cuBLAS/cuRAND/NVRTC dlopened at run time"
    fi
    rustc --version
} >"$DIR/BUILD-INFO"

# On this machine (no GPU) the artifact must say so and fail.
err="$(mktemp)"
if "$DIR/run" qwen-lsp --version >/dev/null 2>"$err"; then
    if ! ls /dev/nvidia[0-9]* >/dev/null 2>&1; then
        echo "build-gpu-artifact: the launcher succeeded on a machine without a GPU" >&2
        exit 1
    fi
else
    echo "build-gpu-artifact: without a GPU the launcher says: $(head -1 "$err")"
fi
rm -f "$err"

# The binaries are mostly candle's PTX, which xz packs about 4:1: a CUDA build ships bin/ and models/ as
# payload.tar.xz, which `run` unpacks on first use (scripts/gpu-run.sh). Then the real unpack path runs.
if [ "$cpu_only" = 0 ]; then
    tar -C "$DIR" -cf - bin models | xz -6 -T2 >"$DIR/payload.tar.xz"
    rm -rf "$DIR/bin" "$DIR/models"
    unpacked="$("$DIR/run" --unpack)"
    if ! out="$(GPU_RUN_QUIET=1 "$DIR/run" --allow-no-driver qwen-lsp --version 2>&1)"; then
        echo "build-gpu-artifact: the unpacked qwen-lsp does not start: $out" >&2
        exit 1
    fi
    cmp -s "$unpacked/models/qwen3-tiny/model.safetensors" tests/models/qwen3-tiny/model.safetensors || {
        echo "build-gpu-artifact: $DIR/payload.tar.xz does not unpack to what went in" >&2
        exit 1
    }
    rm -rf "$unpacked"
fi

du -sh "$DIR"/*
size_kib="$(du -sk "$DIR" | cut -f1)"
if [ "$cpu_only" = 1 ]; then
    echo "build-gpu-artifact: $DIR (cpu only: unoptimized binaries, no size limit), $((size_kib / 1024)) MiB"
elif [ "$size_kib" -gt $((MAX_MIB * 1024)) ]; then
    echo "build-gpu-artifact: $DIR is $((size_kib / 1024)) MiB, over the $MAX_MIB MiB limit" >&2
    exit 1
else
    echo "build-gpu-artifact: $DIR, $((size_kib / 1024)) MiB, ready in $((SECONDS - START)) s"
fi
