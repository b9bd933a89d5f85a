#!/usr/bin/env bash
# Installs what the VS Code end-to-end test (editors/vscode/e2e/run.mjs) runs, idempotently:
#   - ${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}/code-server-4.100.3/: npm `code-server@4.100.3` (VS Code 1.100.3; the
#     last line that runs on Node 20), `playwright-core` (drives the browser over CDP) and `@vscode/ripgrep-linux-x64`,
#     installed with `npm ci` from editors/vscode/e2e/package-lock.json (every package pinned by its sha512). The
#     install is reused while the lockfile is unchanged.
#   - Debian packages through apt-get when missing: the headers code-server's native modules build against, and
#     `chromium` (headless, driven over CDP) and fonts (the random test model writes CJK as often as Latin).
# Prints `fetch-code-server: <dir>` on success. Exit status 3: Chromium cannot be installed here (the caller skips the
# test and says so); any other failure is 1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
CACHE="${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}"
VERSION=4.100.3
DEST="$CACHE/code-server-$VERSION"
MANIFEST="$ROOT/editors/vscode/e2e"
# @vscode/ripgrep (a dependency of code-server's VS Code) downloads `rg` from GitHub in its postinstall; it first looks
# in $TMPDIR/vscode-ripgrep-cache-<its version>/<asset>. The asset is seeded with `rg` from the npm package
# @vscode/ripgrep-linux-x64 (pinned below by the tarball's sha256).
RIPGREP_JS_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
RG_PACKAGE=@vscode/ripgrep-linux-x64@1.18.0
RG_TGZ_SHA256=8cc06e25e29f9c258ee9a09eecd7707c1ea2e99d9e76151e53dbe39f8d6b4a09
BUILD_PACKAGES=(libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev pkg-config g++ make python3)
BROWSER_PACKAGES=(chromium fonts-liberation fonts-wqy-microhei)

die() { echo "fetch-code-server: $*" >&2; exit "${2:-1}"; }

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "linux x86_64 only; this is $(uname -s) $(uname -m)"
command -v npm >/dev/null || die "npm not found"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || die "code-server $VERSION needs Node 20, this is Node $(node --version)"

missing() { # prints the packages of "$@" that dpkg does not have installed
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
    done
}

apt_install() { # apt-get install "$@" as root (or through sudo), updating the lists once if that fails
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null && sudo -n true 2>/dev/null || return 1
        sudo=(sudo -n)
    fi
    command -v apt-get >/dev/null || return 1
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q)
    echo "fetch-code-server: apt-get install $*"
    "${apt[@]}" install --no-install-recommends "$@" >/dev/null \
        || { "${apt[@]}" update >/dev/null && "${apt[@]}" install --no-install-recommends "$@" >/dev/null; }
}

can_apt() { # root or passwordless sudo, and apt-get
    command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; }
}
mapfile -t need < <(missing "${BUILD_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}")
if [ "${#need[@]}" -gt 0 ] && ! can_apt; then
    die "${need[*]} missing, and apt-get cannot run here (not root, no sudo, or no Debian)" 3
fi
mapfile -t need < <(missing "${BUILD_PACKAGES[@]}")
if [ "${#need[@]}" -gt 0 ]; then
    apt_install "${need[@]}" || die "cannot install ${need[*]} (code-server's native modules need them)"
fi
mapfile -t need < <(missing "${BROWSER_PACKAGES[@]}")
if [ "${#need[@]}" -gt 0 ]; then
    apt_install "${need[@]}" || die "cannot install ${need[*]} with apt-get (not root, no sudo, or no Debian)" 3
fi
command -v chromium >/dev/null || die "chromium is not on PATH after installing it" 3

stamp="$(sha256sum "$MANIFEST/package-lock.json" | cut -d' ' -f1)"
if [ -f "$DEST/.complete" ] && [ "$(cat "$DEST/.complete")" = "$stamp" ] \
    && [ -f "$DEST/node_modules/code-server/out/node/entry.js" ]; then
    echo "fetch-code-server: $DEST (cached)"
    exit 0
fi

mkdir -p "$CACHE/downloads"
rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp/tmp"
tgz="$CACHE/downloads/vscode-ripgrep-linux-x64-1.18.0.tgz"
if ! echo "$RG_TGZ_SHA256  $tgz" | sha256sum -c --status 2>/dev/null; then
    (cd "$CACHE/downloads" && npm pack --silent "$RG_PACKAGE" >/dev/null) || die "npm pack $RG_PACKAGE failed"
    echo "$RG_TGZ_SHA256  $tgz" | sha256sum -c --status || die "checksum mismatch for $tgz (expected $RG_TGZ_SHA256)"
fi
seed="$DEST.tmp/tmp/vscode-ripgrep-cache-$RIPGREP_JS_VERSION"
mkdir -p "$seed/x"
tar -xzf "$tgz" -C "$seed/x" package/bin/rg
tar -czf "$seed/$RIPGREP_ASSET" -C "$seed/x/package/bin" rg
rm -rf "$seed/x"

cp "$MANIFEST/package.json" "$MANIFEST/package-lock.json" "$DEST.tmp/"
echo "fetch-code-server: npm ci in $DEST (builds code-server's native modules: a few minutes)"
(
    cd "$DEST.tmp"
    export TMPDIR="$DEST.tmp/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
        npm_config_dangerously_allow_all_scripts=true npm_config_update_notifier=false
    npm ci --no-audit --no-fund --loglevel=error >"$DEST.tmp/npm.log" 2>&1
) || { tail -40 "$DEST.tmp/npm.log" >&2; die "npm ci failed (log above; full log in $DEST.tmp/npm.log)"; }
rm -rf "$DEST.tmp/tmp"
[ -f "$DEST.tmp/node_modules/code-server/out/node/entry.js" ] || die "code-server's entry point is missing after npm ci"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "$stamp" > "$DEST/.complete"
echo "fetch-code-server: $DEST"
