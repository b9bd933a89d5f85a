#!/usr/bin/env bash
# Proves the `cuda` feature compiles on a machine without a GPU or a system CUDA toolkit: NVIDIA's PyPI wheels
# (CUDA 13.0, pinned and hash-checked in scripts/lib/cuda-13.0-wheels.txt) provide nvcc and the headers in a venv,
# then `cargo check --features cuda` compiles candle's CUDA kernels and our code against them. Not part of
# scripts/test.sh: it takes ~10-20 min of CPU (nvcc). It does not link; scripts/build-gpu-artifact.sh builds and
# links the binaries a GPU machine runs.
#
#   scripts/check-cuda.sh [COMPUTE_CAP]     # default 90 (Hopper); 80 for A100, 89 for Ada
set -euo pipefail
cd "$(dirname "$0")/.."

CAP="${1:-90}"
# shellcheck source=lib/cuda-env.sh
. scripts/lib/cuda-env.sh
cuda_env_wheels "$CAP"
nvcc --version | tail -1
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/cuda-check}" cargo check --locked -p engine -p qwen-lsp --features qwen-lsp/cuda
echo "check-cuda: the cuda feature compiles (compute capability $CAP)"
