#!/usr/bin/env bash
# Captures editors/nvim/screenshot.txt (and screenshot.ansi, with colours): Neovim 0.12 running in tmux with the plugin
# and the real qwen-lsp on the tiny committed checkpoint, at the moment the ghost text shows. The same driver as
# the e2e test (tests/e2e.lua) types and then accepts. Needs tmux, scripts/fetch-nvim.sh and a built qwen-lsp.
# Optional: screenshot.png from the .ansi capture via tests/ansi_to_png.py (ImageMagick + DejaVu fonts).
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT="$PWD"
CACHE="${QWEN_LSP_CACHE:-$HOME/.cache/qwen-lsp}"
NVIM="$CACHE/nvim-0.12-dev/bin/nvim"
RT="$CACHE/nvim-0.12-dev/share/nvim/runtime"
BIN="$ROOT/target/debug/qwen-lsp"
MODEL="$ROOT/tests/models/qwen3-tiny"
SOCK="$(mktemp -u /tmp/qwen-lsp-shot.XXXXXX)"
SESSION="qwen-lsp-shot-$$"
SETUP="{\"cmd\":[\"$BIN\",\"serve\"],\"model\":\"$MODEL\",\"settings\":{\"completion\":{\"validateSyntax\":false,\"sampling\":{\"maxTokens\":12}}}}"
tmux new-session -d -s "$SESSION" -x 96 -y 16 \
    "env VIMRUNTIME='$RT' QWEN_TEST_SETUP='$SETUP' '$NVIM' -i NONE -u '$ROOT/editors/nvim/tests/init.lua' --listen '$SOCK'"
trap 'tmux kill-session -t "$SESSION" 2>/dev/null || true' EXIT
QWEN_LISTEN="$SOCK" QWEN_CAPTURE="$SESSION:$ROOT/editors/nvim/screenshot.txt" QWEN_CMD_JSON="[\"$BIN\",\"serve\"]" \
    QWEN_EXPECT=real QWEN_TIMEOUT_S=120 VIMRUNTIME="$RT" timeout 150 "$NVIM" --headless -u NONE -l editors/nvim/tests/e2e.lua
if convert -version 2>/dev/null | grep -q ImageMagick; then
    python3 editors/nvim/tests/ansi_to_png.py editors/nvim/screenshot.ansi editors/nvim/screenshot.png
    echo "rendered editors/nvim/screenshot.png"
else
    echo "no ImageMagick (apt-get install imagemagick): screenshot.png not rendered"
fi
