#!/usr/bin/env bash
# Our engine next to llama.cpp on the very same GGUF files (Qwen3-shaped random weights that carry the
# tokenizer metadata llama.cpp needs): per format, llama.cpp's row (benches/llama_bench.py, llama-bench
# built by scripts/fetch-llama-cpp.sh) and then ours, so both see the same minutes of machine load; one
# markdown table (the model bench's, with llama.cpp's columns and the ratios ours/llama.cpp).
# Environment: THREADS (2), SHAPE (0.6b), FORMATS (q8_0,q4_k,q4_k_m), PROMPT (512), DECODE (16),
# REPS (llama-bench repetitions per row, 3).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${THREADS:-2}"
SHAPE="${SHAPE:-0.6b}"
FORMATS="${FORMATS:-q8_0,q4_k,q4_k_m}"
PROMPT="${PROMPT:-512}"
DECODE="${DECODE:-16}"
REPS="${REPS:-3}"

cargo build --release --locked -p benches --quiet
LLAMA_BENCH="$(scripts/fetch-llama-cpp.sh | tail -1)"
# Through a variable, so that a failed --prepare stops the script (set -e).
prepared="$(target/release/model --prepare --shape "$SHAPE" --formats "$FORMATS")"
mapfile -t sources <<< "$prepared"
out=target/bench-llama.jsonl
: > "$out"
header=1
for source in "${sources[@]}"; do
    case "$source" in
        *.gguf) ;;
        *) echo "bench-llama: ${source%%=*} is not a GGUF format; llama.cpp runs GGUF files only" >&2; exit 2 ;;
    esac
    python3 benches/llama_bench.py --bench "$LLAMA_BENCH" --threads "$THREADS" --prompt "$PROMPT" \
        --decode "$DECODE" --reps "$REPS" "$source" >> "$out"
    # The first row prints the run's header and table head; later rows only their table line.
    RAYON_NUM_THREADS="$THREADS" target/release/model --shape "$SHAPE" --formats "${source%%=*}" \
        --threads "$THREADS" --prompt "$PROMPT" --decode "$DECODE" --compare "$out" \
        | if [ $header = 1 ]; then cat; else grep -E '^\| [a-z0-9_@+]+ \| [0-9]'; fi
    header=0
done
echo
echo "llama.cpp 0c1e570 (vendored by the llama-cpp-python 0.3.36 sdist; -march=native, AMX off):" \
    "llama-bench -t $THREADS -r $REPS, otherwise its defaults (f16 KV cache as ours, flash attention auto);" \
    "pp$PROMPT on an empty context, tg$DECODE after $PROMPT tokens (-d $PROMPT)." \
    "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(date -u +%Y-%m-%dT%H:%MZ)."
