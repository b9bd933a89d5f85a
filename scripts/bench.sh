#!/usr/bin/env bash
# Builds the bench binaries in release and prints every bench's table: the model (with PyTorch's numbers
# for the same rows, from scripts/bench-torch.sh, and llama.cpp's on the same GGUF files, from
# scripts/bench-llama.sh), decode attention, keystroke latency, batching, context
# building and the sandbox. Results go into benches/RESULTS.md by hand, with the machine and date printed here.
# Environment: THREADS (default 2), SHAPE (0.6b), DECODE (decode steps per model row, 16),
# KEYSTROKE_SHAPE (0.6b), SKIP_TORCH=1 to leave PyTorch out, SKIP_LLAMA=1 llama.cpp. THREADS=1 gives the 1-thread control rows of
# RESULTS.md.
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

# Ours and PyTorch's rows alternate per dtype, so both see the same minutes of machine load.
echo; echo "## model"
torch_out=target/bench-torch.jsonl
: > "$torch_out"
header=1
for f in f32 f16 bf16 q8_0 q4_k q4_k_m q8_0@load q4_k@load; do
    compare=()
    if [ "${SKIP_TORCH:-0}" != 1 ] && [[ "$f" =~ ^(f32|f16|bf16)$ ]]; then
        scripts/bench-torch.sh --shape "$SHAPE" --decode "$DECODE" --threads "$THREADS" --formats "$f" >> "$torch_out"
        compare=(--compare "$torch_out")
    fi
    # The first row prints the run's header and table head; later rows only their table line (each
    # row's bound uses the bandwidth its own invocation measured).
    "$BIN/model" --shape "$SHAPE" --decode "$DECODE" --threads "$THREADS" --formats "$f" "${compare[@]}" \
        | if [ $header = 1 ]; then cat; else grep -E '^\| [a-z0-9_@]+ \| [0-9]'; fi
    header=0
done
if [ "${SKIP_LLAMA:-0}" != 1 ]; then
    echo; echo "## model next to llama.cpp (same GGUF files)"
    THREADS="$THREADS" SHAPE="$SHAPE" DECODE="$DECODE" scripts/bench-llama.sh
fi
echo; echo "## attention"; "$BIN/attention"
echo; echo "## keystroke"; "$BIN/keystroke" --shape "$KEYSTROKE_SHAPE"
echo; echo "## batch"; "$BIN/batch" --shape "$SHAPE"
echo; echo "## context"; "$BIN/context"
echo; echo "## sandbox"; "$BIN/sandbox"
