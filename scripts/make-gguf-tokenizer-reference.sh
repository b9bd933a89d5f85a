#!/usr/bin/env bash
# Regenerates tests/models/qwen3-tiny/gguf-tokenizer-reference.json: what llama.cpp's own converter
# (convert_hf_to_gguf.py of llama.cpp 0c1e570, scripts/fetch-llama-cpp.sh --source) writes as the tokenizer of
# the tiny Qwen3 checkpoint, read back with its gguf-py. CI compares our GGUF writer against it
# (model/src/gguf_tokenizer.rs). Not part of CI (the output is committed); needs .venv-ref
# (scripts/lib/venv-ref.sh) for the converter's torch and transformers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/venv-ref.sh
venv_ref
scripts/fetch-tokenizer.sh
LLAMA_CPP="$(scripts/fetch-llama-cpp.sh --source | tail -1)"
"$VENV_REF_PYTHON" scripts/make-gguf-tokenizer-reference.py "$LLAMA_CPP"
