#!/usr/bin/env bash
# The GPU check and bench, in one bounded run (default 285 s, under 5 minutes on one H100):
#   1. the tiny checkpoint's greedy ids on CUDA against the CPU's: f32 equal, bf16 within vLLM's
#      check_logprobs_close rule (top 5 at the first difference; benches/src/bin/gpu.rs);
#   2. random-weight Qwen3 0.6B, 1.7B, 4B and 8B in bf16 (written on this machine while step 1 runs):
#      prefill at 512 and 2,048 tokens, decode at batch 1, 8 and 32 through the continuous batcher,
#      peak GPU memory;
#   3. gpu-bench.json and gpu-bench.md (ready for RESULTS.md), nvidia-smi.txt and the log in --out.
#
#   benches/gpu.sh --prebuilt DIR [--out OUTDIR]    # DIR from scripts/build-gpu-artifact.sh (no build here)
#   benches/gpu.sh --prebuilt DIR --dry             # the same run on the CPU (tiny shape; prompts 128 and 512,
#                                                   # batches 1 and 8, 8 tokens, 600 s): no GPU needed
#   benches/gpu.sh [--out OUTDIR]                   # builds the artifact first (needs nvcc or the registry)
#
# Environment: SHAPES (0.6b,1.7b,4b,8b; dry: tiny), PROMPTS (512,2048), BATCHES (1,8,32), DECODE (32),
# DTYPE (bf16), DEADLINE (285 s for the whole run; rows that would start in its last 90 s are skipped),
# CACHE (target/bench-models: the checkpoints, ~29 GB for the four shapes).
# On a device lent through the `run` tool: carry target/gpu-artifact and run
#   benches/gpu.sh --prebuilt target/gpu-artifact --out "$OUT"
set -euo pipefail
cd "$(dirname "$0")/.."
START=$SECONDS

prebuilt=""
out="target/gpu-bench"
dry=0
while [ $# -gt 0 ]; do
    case "$1" in
    --prebuilt) prebuilt="${2:?--prebuilt needs a folder}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --dry) dry=1; shift ;;
    *) echo "gpu.sh: unknown argument $1 (--prebuilt DIR, --out DIR, --dry)" >&2; exit 2 ;;
    esac
done

if [ -z "$prebuilt" ]; then
    scripts/build-gpu-artifact.sh target/gpu-artifact
    prebuilt=target/gpu-artifact
fi
for f in run expected-ids.json; do
    [ -e "$prebuilt/$f" ] || { echo "gpu.sh: $prebuilt/$f is missing: not an artifact of scripts/build-gpu-artifact.sh" >&2; exit 2; }
done
# bin/ and models/, unpacked from payload.tar.xz on first use.
root="$("$prebuilt/run" --unpack)"
for f in bin/gpu models/qwen3-tiny/tokenizer.json; do
    [ -e "$root/$f" ] || { echo "gpu.sh: $root/$f is missing: not an artifact of scripts/build-gpu-artifact.sh" >&2; exit 2; }
done

CACHE="${CACHE:-target/bench-models}"
if [ "$dry" = 1 ]; then
    # The same steps on the CPU, sized for a loaded 2-core machine and an unoptimized --cpu-only build.
    DEVICE=cpu
    SHAPES="${SHAPES:-tiny}"
    PROMPTS="${PROMPTS:-128,512}"
    BATCHES="${BATCHES:-1,8}"
    DECODE="${DECODE:-8}"
    DEADLINE="${DEADLINE:-600}"
    launcher=("$prebuilt/run" --allow-no-driver gpu)
else
    DEADLINE="${DEADLINE:-285}"
    DEVICE=cuda
    SHAPES="${SHAPES:-0.6b,1.7b,4b,8b}"
    launcher=("$prebuilt/run" gpu)
fi
mkdir -p "$out" "$CACHE"
log="$out/gpu-bench.log"
{
    echo "gpu.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ), device $DEVICE, shapes $SHAPES, deadline $DEADLINE s"
    cat "$prebuilt/BUILD-INFO" 2>/dev/null || true
} | tee "$log"
if command -v nvidia-smi >/dev/null; then
    nvidia-smi >"$out/nvidia-smi.txt" 2>&1 || true
    nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv,noheader | tee -a "$log" || true
fi

export GPU_BENCH_BUILD_INFO="$(cat "$prebuilt/BUILD-INFO" 2>/dev/null || true)"
LEFT=$((DEADLINE - (SECONDS - START)))
set +e
timeout --kill-after=10 "$LEFT" "${launcher[@]}" --device "$DEVICE" --shapes "$SHAPES" --dtype "${DTYPE:-bf16}" \
    --prompts "${PROMPTS:-512,2048}" --batches "${BATCHES:-1,8,32}" --decode "${DECODE:-32}" \
    --models "$root/models" --expected-ids "$prebuilt/expected-ids.json" --cache "$CACHE" \
    --out "$out" --time-limit $((LEFT > 120 ? LEFT - 90 : LEFT / 2)) 2>&1 | tee -a "$log"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 124 ] && echo "gpu.sh: stopped at the $DEADLINE s deadline; $out holds the rows measured so far" | tee -a "$log"
echo "gpu.sh: exit $rc in $((SECONDS - START)) s; results in $out/gpu-bench.md and $out/gpu-bench.json" | tee -a "$log"
exit "$rc"
