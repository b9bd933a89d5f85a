#!/usr/bin/env bash
# Fetches the real projects the `workspace_context` bench measures project-wide context on, pinned by
# SHA-256, into ${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}/context-corpus/:
# - python/<name>-<version>/: the sdists of five well-known Python packages from PyPI;
# - java/jdk17/: the `java.base` and `java.desktop` modules of the JDK 17 sources (`src.zip` of Debian's
#   `openjdk-17-source`, ~47 MB download, ~5,900 files).
# Only the bench needs them, so scripts/setup-deps.sh skips this script; run it by hand:
#   bash scripts/fetch-context-corpus.sh
# Idempotent: a project already unpacked (its marker file present) is not fetched again.
set -euo pipefail
source "$(dirname "$0")/lib/fetch.sh"

DIR="$CACHE/context-corpus"
# name version sdist-sha256
PYTHON_SDISTS=(
    "requests 2.32.3 55365417734eb18255590a9ff9eb97e9e1da868d4ccd6402399eaf68af20a760"
    "click 8.1.7 ca9853ad459e787e2192211578cc907e7594e294c7ccc834310722b41b9ca6de"
    "rich 13.9.4 439594978a49a09530cff7ebc4b5c7103ef57baf48d5ea3184f21d9a2befa098"
    "attrs 24.2.0 5cfb1b9148b5b086569baec03f20d7b6bf3bcacc9a42bebf87ffaaca362f6346"
    "httpx 0.27.2 f7c2be1d2f3c3c3160d441802406b206c2b76f5947b11115e6df10c6c65e66c2"
)
JDK_PACKAGE="openjdk-17-source"
JDK_VERSION="17.0.19+10-1~deb12u2"
JDK_SHA256="2591b37131025f872f057be99467b45f7fa2aed928c8d779208db9c3239e1190"
JDK_MODULES=(java.base java.desktop)

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DIR/python" "$DIR/java"

for entry in "${PYTHON_SDISTS[@]}"; do
    read -r name version sha <<< "$entry"
    dest="$DIR/python/$name-$version"
    if [ -f "$dest/.fetched" ]; then
        continue
    fi
    echo "fetch-context-corpus: $name==$version from PyPI"
    # pip builds the metadata of an sdist it downloads (in an isolated environment); the archive itself
    # is checked against our pin below.
    "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "$name==$version" --dest "$WORK/$name"
    archive="$WORK/$name/$name-$version.tar.gz"
    if ! sha256_is "$archive" "$sha"; then
        echo "fetch-context-corpus: checksum mismatch for $(basename "$archive")" >&2
        exit 1
    fi
    rm -rf "$dest"
    mkdir -p "$dest.part"
    tar -xzf "$archive" -C "$dest.part" --strip-components=1
    touch "$dest.part/.fetched"
    mv "$dest.part" "$dest"
done

dest="$DIR/java/jdk17"
if [ ! -f "$dest/.fetched" ]; then
    echo "fetch-context-corpus: $JDK_PACKAGE=$JDK_VERSION from Debian"
    (cd "$WORK" && apt-get download "$JDK_PACKAGE=$JDK_VERSION" 2>/dev/null)
    deb="$(ls "$WORK"/"$JDK_PACKAGE"_*.deb)"
    if ! sha256_is "$deb" "$JDK_SHA256"; then
        echo "fetch-context-corpus: checksum mismatch for $(basename "$deb")" >&2
        exit 1
    fi
    dpkg-deb -x "$deb" "$WORK/deb"
    rm -rf "$dest" "$dest.part"
    mkdir -p "$dest.part"
    members=()
    for module in "${JDK_MODULES[@]}"; do
        members+=("$module/*")
    done
    # The JDK's sources are GPLv2 with the Classpath Exception; the package's copyright file says so.
    (cd "$dest.part" && unzip -q "$WORK/deb/usr/lib/jvm/openjdk-17/lib/src.zip" "${members[@]}")
    touch "$dest.part/.fetched"
    mv "$dest.part" "$dest"
fi
echo "fetch-context-corpus: $DIR"
