#!/usr/bin/env bash
# Fresh machine -> working install: fetch the pinned assets, build the release binaries, then run the main job,
# an `evals run` of MODEL on the project's LeetCode-style set, every sample executed in the sandbox.
#
#   scripts/setup.sh [MODEL]
#
# MODEL: a hub id, an HF directory or a .gguf file. Default: tests/models/qwen3-tiny, the committed tiny
# checkpoint (random weights: it proves the whole pipeline offline and scores 0%). For a real number pass a
# real model, e.g. `scripts/setup.sh Qwen/Qwen2.5-Coder-1.5B` (downloaded into the Hugging Face cache).
set -euo pipefail
cd "$(dirname "$0")/.."

model="${1:-tests/models/qwen3-tiny}"
out="runs/$(basename "$model")-leetcode"

scripts/setup-deps.sh
cargo build --release --locked -p qwen-lsp -p evals

echo "== binaries: target/release/qwen-lsp, target/release/evals"
target/release/evals run --model "$model" --dataset leetcode --n 1 --k 1 --out "$out"
echo "== report: $out/report.md"
