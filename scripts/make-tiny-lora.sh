#!/usr/bin/env bash
# Regenerates tests/models/qwen3-tiny-lora/: LoRA adapters made with PEFT on tests/models/qwen3-tiny and the
# logits of PEFT's merged models. Not part of CI (the outputs are committed); run it after changing
# scripts/make-tiny-lora.py. Reuses the .venv-ref of scripts/make-tiny-models.sh (which it runs first if the
# venv is missing) and adds the pinned peft from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-ref
if [ ! -x "$VENV/bin/python" ]; then
    scripts/make-tiny-models.sh
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check peft==0.21.2 accelerate==1.15.0
scripts/fetch-tokenizer.sh
"$VENV/bin/python" scripts/make-tiny-lora.py
