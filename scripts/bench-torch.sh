#!/usr/bin/env bash
# The PyTorch + transformers side of the model bench: prints one JSON line per dtype (see
# benches/torch_bench.py); arguments are passed through (--shape, --formats, --prompt, --decode, --threads).
# Uses .venv-ref when it already has torch and transformers (scripts/make-tiny-models.sh builds it), else
# builds .venv-bench (gitignored) from PyPI: its torch is the CUDA build (~5.6 GB, ~1.5 min), run on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=""
if [ -x .venv-ref/bin/python ] && .venv-ref/bin/python -c "import torch, transformers" 2>/dev/null; then
    PY=.venv-ref/bin/python
else
    VENV=.venv-bench
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install --quiet --disable-pip-version-check torch==2.15.0 transformers==5.24.0 >&2
    PY="$VENV/bin/python"
fi
exec "$PY" benches/torch_bench.py "$@"
