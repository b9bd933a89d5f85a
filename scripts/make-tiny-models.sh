#!/usr/bin/env bash
# Regenerates tests/models/*: tiny random Qwen checkpoints and their references from HF transformers.
# Not part of CI (the outputs are committed); run it after changing scripts/make-tiny-models.py.
# Builds a venv at .venv-ref (gitignored) with pinned packages from PyPI: torch is the PyPI CUDA build
# (~5.6 GB, ~1.5 min to install), run on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-ref
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
    torch==2.15.0 transformers==5.24.0 tokenizers==0.23.3 safetensors==0.8.0 numpy==2.4.6 gguf==0.19.0 jinja2==3.1.6
scripts/fetch-tokenizer.sh
"$VENV/bin/python" scripts/make-tiny-models.py
