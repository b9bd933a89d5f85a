# Sourced (not run) by scripts/check-cuda.sh and benches/gpu.sh: the CUDA toolchain environment.
#
#   cuda_env_wheels CAP   # NVIDIA's pinned PyPI wheels (nvcc, headers) in .venv-cuda; exports CUDA_HOME,
#                         # CUDA_PATH, PATH, CUDA_COMPUTE_CAP, CUDARC_CUDA_VERSION. Needs the registry once.
#   cuda_env_system CAP   # a system toolkit (nvcc on PATH, $CUDA_HOME or /usr/local/cuda); returns 1 if none.
#   cuda_detect_cap       # the first GPU's compute capability as cudarc wants it ("90"), or nothing.
# Both cuda_env_* expect the working directory to be the repository root.

CUDA_WHEELS_VERSION="13.5.37"
CUDA_WHEELS_VENV=".venv-cuda"

cuda_env_wheels() {
    local cap="$1"
    if [ ! -x "$CUDA_WHEELS_VENV/bin/nvcc-ok" ]; then
        python3 -m venv "$CUDA_WHEELS_VENV"
        "$CUDA_WHEELS_VENV/bin/pip" install --quiet "nvidia-cuda-nvcc==$CUDA_WHEELS_VERSION" \
            "nvidia-cuda-crt==$CUDA_WHEELS_VERSION" "nvidia-nvvm==$CUDA_WHEELS_VERSION" \
            "nvidia-cuda-runtime==$CUDA_WHEELS_VERSION" "nvidia-cuda-cccl==13.3.5.0.6"
        touch "$CUDA_WHEELS_VENV/bin/nvcc-ok"
    fi
    CUDA_HOME="$(echo "$PWD/$CUDA_WHEELS_VENV"/lib/python3*/site-packages/nvidia/cu13)"
    export CUDA_HOME CUDA_PATH="$CUDA_HOME" PATH="$CUDA_HOME/bin:$PATH"
    export CUDA_COMPUTE_CAP="$cap"
    # cudarc 0.19 knows CUDA versions up to 13.4; 13.5's API is a superset.
    export CUDARC_CUDA_VERSION=13040
}

cuda_env_system() {
    local cap="$1" home="${CUDA_HOME:-}"
    if [ -z "$home" ]; then
        if command -v nvcc >/dev/null; then
            home="$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")"
        elif [ -x /usr/local/cuda/bin/nvcc ]; then
            home=/usr/local/cuda
        else
            return 1
        fi
    fi
    [ -x "$home/bin/nvcc" ] || return 1
    export CUDA_HOME="$home" CUDA_PATH="$home" PATH="$home/bin:$PATH"
    export LD_LIBRARY_PATH="$home/lib64:$home/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export CUDA_COMPUTE_CAP="$cap"
}

cuda_detect_cap() {
    command -v nvidia-smi >/dev/null || return 0
    nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .'
}
