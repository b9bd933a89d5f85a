#!/usr/bin/env bash
# The whole test suite, from a clean clone: pinned assets, then every crate's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
cargo test --workspace --locked
scripts/test-editors.sh
