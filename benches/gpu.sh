#!/usr/bin/env bash
# The GPU bench, for whenever an NVIDIA machine is lent: builds the `gpu` bench with `--features cuda`,
# checks the tiny checkpoint's greedy ids on CUDA (f32) against the CPU's (fails if they differ; bf16
# reports how many leading ids match), then prints prefill/decode tokens/s, time to first token and
# GPU memory for random-weight Qwen3-0.6B..8B shapes in bf16. Bounded: the build gets BUILD_TIMEOUT
# seconds, everything together DEADLINE seconds (default 450: < 8 min on an H200 with 16 cores).
#
#   benches/gpu.sh                                  # all shapes
#   SHAPES=0.6b,1.7b DECODE=64 benches/gpu.sh       # fewer shapes, more decode steps
#   DEVICE=cpu SHAPES=tiny NO_CUDA=1 benches/gpu.sh # the script and tables without a GPU
#
# Environment: SHAPES (0.6b,1.7b,4b,8b; also tiny), DTYPE (bf16), PROMPT (512), DECODE (32),
# CHECK_TOKENS (32), DEVICE (cuda), CUDA_COMPUTE_CAP (from nvidia-smi, else 90), BUILD_TIMEOUT (300),
# DEADLINE (450), CARGO_TARGET_DIR (target/cuda), NO_CUDA=1 (build without the cuda feature).
# CUDA: a system toolkit (nvcc on PATH, $CUDA_HOME or /usr/local/cuda) if there is one, else NVIDIA's
# pinned PyPI wheels as in scripts/check-cuda.sh (needs the registry; the linker also needs cuBLAS,
# cuRAND and NVRTC, see cuda_link_wheels below). Checkpoints are cached in target/bench-models/
# (8B bf16 is ~16 GB; writing the four takes ~1.5 min the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
START=$SECONDS
SHAPES="${SHAPES:-0.6b,1.7b,4b,8b}"
DTYPE="${DTYPE:-bf16}"
PROMPT="${PROMPT:-512}"
DECODE="${DECODE:-32}"
CHECK_TOKENS="${CHECK_TOKENS:-32}"
DEVICE="${DEVICE:-cuda}"
BUILD_TIMEOUT="${BUILD_TIMEOUT:-300}"
DEADLINE="${DEADLINE:-450}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/cuda}"

# shellcheck source=../scripts/lib/cuda-env.sh
. scripts/lib/cuda-env.sh

# The wheels of check-cuda.sh only compile; linking `--features cuda` (cudarc's dynamic-linking) also
# needs libcuda (the driver's), cuBLAS, cuRAND and NVRTC. Untested: no GPU machine has run this path.
cuda_link_wheels() {
    "$CUDA_WHEELS_VENV/bin/pip" install --quiet nvidia-cublas nvidia-curand nvidia-cuda-nvrtc
    local libs="$CUDA_WHEELS_VENV/link-libs" d
    mkdir -p "$libs"
    for d in "$PWD/$CUDA_WHEELS_VENV"/lib/python3*/site-packages/nvidia/*/lib; do
        LIBRARY_PATH="$d${LIBRARY_PATH:+:$LIBRARY_PATH}"
        LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
        local so
        for so in "$d"/lib*.so.*; do
            [ -e "$so" ] || continue
            local base="${so##*/}"
            ln -sf "$so" "$libs/${base%%.so.*}.so"
        done
    done
    local driver
    driver="$( (ldconfig -p 2>/dev/null || true) | awk '/libcuda\.so\.1 /{print $NF; exit}')"
    [ -n "$driver" ] && ln -sf "$driver" "$libs/libcuda.so"
    export LIBRARY_PATH="$PWD/$libs:$LIBRARY_PATH" LD_LIBRARY_PATH="$PWD/$libs:$LD_LIBRARY_PATH"
}

FEATURES=()
if [ -z "${NO_CUDA:-}" ]; then
    CAP="${CUDA_COMPUTE_CAP:-$(cuda_detect_cap)}"
    CAP="${CAP:-90}"
    if cuda_env_system "$CAP"; then
        echo "gpu.sh: system CUDA at $CUDA_HOME"
    else
        echo "gpu.sh: no system nvcc; NVIDIA's PyPI wheels"
        cuda_env_wheels "$CAP"
        cuda_link_wheels
    fi
    nvcc --version | tail -1
    echo "gpu.sh: compute capability $CAP"
    FEATURES=(--features cuda)
fi
command -v nvidia-smi >/dev/null &&
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true

# 1. Build (first: the slow, most likely to fail step).
timeout "$BUILD_TIMEOUT" cargo build --release -p benches --bin gpu "${FEATURES[@]}"
echo "gpu.sh: built in $((SECONDS - START)) s"

# 2 and 3. Correctness against the CPU, then speed; the binary exits 1 if the f32 ids differ.
LEFT=$((DEADLINE - (SECONDS - START)))
[ "$LEFT" -gt 30 ] || { echo "gpu.sh: no time left after the build" >&2; exit 1; }
timeout "$LEFT" "$CARGO_TARGET_DIR/release/gpu" --device "$DEVICE" --shapes "$SHAPES" --dtype "$DTYPE" \
    --prompt "$PROMPT" --decode "$DECODE" --check-tokens "$CHECK_TOKENS"
echo "gpu.sh: done in $((SECONDS - START)) s"
