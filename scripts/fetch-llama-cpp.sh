#!/usr/bin/env bash
# Builds llama.cpp's `llama-bench` for the side-by-side benches (scripts/bench-llama.sh), idempotent, into
# ${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}/llama.cpp-0c1e570/, and prints its path on the last line.
# With --source, only fetches and unpacks the source (its converter and gguf-py) and prints its directory.
#
# The source is the llama.cpp that the PyPI sdist llama-cpp-python==0.3.36 vendors (commit 0c1e570), fetched
# from PyPI's file host and pinned by SHA-256; cmake and ninja are PyPI wheels pinned by hash (pip
# --require-hashes). -march=native keeps AVX2/AVX-512, but AMX is turned off: on the Sapphire Rapids VMs
# ggml's AMX kernels die with SIGILL (`tilezero`) on every prefill, as the kernel there does not grant the
# tile state. About 6 minutes on 2 cores; only the CPU backend is built.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/fetch.sh

SDIST="llama_cpp_python-0.3.36.tar.gz"
SDIST_URL="https://files.pythonhosted.org/packages/ec/e9/e7de2b0463ea3ffbf0ede6cb21b58c1258a8f6521aae45ca773a59fe7cf3/$SDIST"
SDIST_SHA="832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
TOOLS_VENV=".venv-llama-build"
DEST="$CACHE/llama.cpp-0c1e570"
BENCH="$DEST/build/bin/llama-bench"

die() { echo "fetch-llama-cpp: $*" >&2; exit 1; }

SOURCE_ONLY=0
[ "${1:-}" = "--source" ] && SOURCE_ONLY=1
unpacked=0
[ "$(cat "$DEST/.sha256" 2>/dev/null)" = "$SDIST_SHA" ] && unpacked=1
if [ $unpacked = 1 ] && { [ $SOURCE_ONLY = 1 ] || [ -x "$BENCH" ]; }; then
    if [ $SOURCE_ONLY = 1 ]; then echo "$DEST"; else echo "$BENCH"; fi
    exit 0
fi

mkdir -p "$CACHE/downloads"
if ! sha256_is "$CACHE/downloads/$SDIST" "$SDIST_SHA"; then
    curl --fail --silent --show-error --location -o "$CACHE/downloads/$SDIST.part" "$SDIST_URL" \
        || die "could not download $SDIST"
    sha256_is "$CACHE/downloads/$SDIST.part" "$SDIST_SHA" \
        || die "checksum mismatch for $SDIST (expected $SDIST_SHA)"
    mv "$CACHE/downloads/$SDIST.part" "$CACHE/downloads/$SDIST"
fi

if [ $unpacked = 0 ]; then
    rm -rf "$DEST"
    mkdir -p "$DEST"
    tar -xzf "$CACHE/downloads/$SDIST" -C "$DEST" --strip-components=3 \
        "${SDIST%.tar.gz}/vendor/llama.cpp"
    [ -f "$DEST/CMakeLists.txt" ] || die "no vendor/llama.cpp in $SDIST"
    echo "$SDIST_SHA" > "$DEST/.sha256"
fi
if [ $SOURCE_ONLY = 1 ]; then
    echo "$DEST"
    exit 0
fi

if [ ! -x "$TOOLS_VENV/bin/cmake" ] || [ ! -x "$TOOLS_VENV/bin/ninja" ]; then
    rm -rf "$TOOLS_VENV"
    "$PYTHON" -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
        --require-hashes -r /dev/stdin <<'EOF'
cmake==4.4.4 --hash=sha256:f773a0544c66370408f451acd487c2c643b0dfebb48c5d64f3638bc1bb820238
ninja==1.13.2 --hash=sha256:65a24341b5ac09fcadcc37082660be40a94174e51a937fabf6e2cae26225fa2c
EOF
fi

# gcc accepts -mno-amx-* on any x86-64, with or without AMX.
no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
PATH="$PWD/$TOOLS_VENV/bin:$PATH" cmake -S "$DEST" -B "$DEST/build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
    -DCMAKE_C_FLAGS="$no_amx" -DCMAKE_CXX_FLAGS="$no_amx" >&2
PATH="$PWD/$TOOLS_VENV/bin:$PATH" cmake --build "$DEST/build" --target llama-bench -j "$(nproc)" >&2
[ -x "$BENCH" ] || die "the build produced no $BENCH"
echo "$BENCH"
