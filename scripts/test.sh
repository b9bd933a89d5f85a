#!/usr/bin/env bash
# The whole test suite, from a clean clone: pinned assets, formatting and lints, every crate's tests, then
# the editors (a real VS Code in headless Chromium, real Neovims).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
scripts/test-editors.sh
