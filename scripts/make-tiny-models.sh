#!/usr/bin/env bash
# Regenerates tests/models/*: tiny random Qwen checkpoints and their references from HF transformers.
# Not part of CI (the outputs are committed); run it after changing scripts/make-tiny-models.py.
# Builds a venv at .venv-ref (gitignored; scripts/lib/venv-ref.sh) with pinned packages from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/venv-ref.sh
venv_ref
scripts/fetch-tokenizer.sh
"$VENV_REF_PYTHON" scripts/make-tiny-models.py
