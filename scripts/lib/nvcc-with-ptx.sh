#!/usr/bin/env bash
# nvcc, as candle-kernels' build script calls it (through cudaforge, which honours $NVCC), for the GPU
# artifact: object files (`-c`, candle's statically linked GGUF/MoE kernels) embed the PTX of their
# architecture beside its machine code, so that the driver can JIT them on a later GPU (sm_80 machine code
# alone runs on sm_80..sm_89 but not on sm_90). `--ptx` jobs (every other candle kernel) are unchanged: they
# are PTX already. The real nvcc is $REAL_NVCC.
set -euo pipefail
args=()
compile=0
for a in "$@"; do [ "$a" = "-c" ] && compile=1; done
for a in "$@"; do
    if [ "$compile" = 1 ] && [[ "$a" =~ ^-gencode=arch=compute_([0-9]+[af]?),code=sm_([0-9]+[af]?)$ ]]; then
        a="-gencode=arch=compute_${BASH_REMATCH[1]},code=[sm_${BASH_REMATCH[2]},compute_${BASH_REMATCH[1]}]"
    fi
    args+=("$a")
done
exec "$REAL_NVCC" "${args[@]}"
