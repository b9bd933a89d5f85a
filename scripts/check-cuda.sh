#!/usr/bin/env bash
# Proves the `cuda` feature compiles on a machine without a GPU or a system CUDA toolkit: NVIDIA's PyPI wheels
# (pinned) provide nvcc and the headers in a venv, then `cargo check --features cuda` compiles candle's CUDA kernels
# and our code against them. Not part of scripts/test.sh: it takes ~10-20 min of CPU (nvcc). Linking is not checked
# (the wheels ship no libcuda.so stub; the driver of the machine that runs the binary provides it).
#
#   scripts/check-cuda.sh [COMPUTE_CAP]     # default 90 (Hopper); 80 for A100, 89 for Ada
set -euo pipefail
cd "$(dirname "$0")/.."

CAP="${1:-90}"
VERSION="13.5.37"
VENV=".venv-cuda"
if [ ! -x "$VENV/bin/nvcc-ok" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "nvidia-cuda-nvcc==$VERSION" "nvidia-cuda-crt==$VERSION" \
        "nvidia-nvvm==$VERSION" "nvidia-cuda-runtime==$VERSION" "nvidia-cuda-cccl==13.3.5.0.6"
    touch "$VENV/bin/nvcc-ok"
fi
CUDA_HOME="$(echo "$PWD/$VENV"/lib/python3*/site-packages/nvidia/cu13)"
export CUDA_HOME CUDA_PATH="$CUDA_HOME" PATH="$CUDA_HOME/bin:$PATH"
export CUDA_COMPUTE_CAP="$CAP"
# cudarc 0.19 knows CUDA versions up to 13.4; 13.5's API is a superset.
export CUDARC_CUDA_VERSION=13040
nvcc --version | tail -1
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/cuda-check}" cargo check --locked -p engine -p qwen-lsp --features qwen-lsp/cuda
echo "check-cuda: the cuda feature compiles (compute capability $CAP)"
