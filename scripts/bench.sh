#!/usr/bin/env bash
# Builds the bench binaries in release and prints every bench's table: the model (with PyTorch's numbers
# for the same rows, from scripts/bench-torch.sh), keystroke latency, batching, context building and the
# sandbox. Results go into benches/RESULTS.md by hand, with the machine and date printed here.
# Environment: THREADS (default 2), SHAPE (0.6b), DECODE (decode steps per model row, 16),
# KEYSTROKE_SHAPE (0.6b), SKIP_TORCH=1 to leave PyTorch out.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${THREADS:-2}"
SHAPE="${SHAPE:-0.6b}"
DECODE="${DECODE:-16}"
KEYSTROKE_SHAPE="${KEYSTROKE_SHAPE:-$SHAPE}"
export RAYON_NUM_THREADS="$THREADS"

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2}') GiB," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
cargo build --release -p benches --quiet
BIN=target/release

compare=()
if [ "${SKIP_TORCH:-0}" != 1 ]; then
    torch_out=target/bench-torch.jsonl
    scripts/bench-torch.sh --shape "$SHAPE" --decode "$DECODE" --threads "$THREADS" > "$torch_out"
    compare=(--compare "$torch_out")
fi
echo; echo "## model"; "$BIN/model" --shape "$SHAPE" --decode "$DECODE" --threads "$THREADS" "${compare[@]}"
echo; echo "## keystroke"; "$BIN/keystroke" --shape "$KEYSTROKE_SHAPE"
echo; echo "## batch"; "$BIN/batch" --shape "$SHAPE"
echo; echo "## context"; "$BIN/context"
echo; echo "## sandbox"; "$BIN/sandbox"
