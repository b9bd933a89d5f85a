# Sourced (not run) by scripts/check-cuda.sh, scripts/build-gpu-artifact.sh and benches/gpu.sh: the CUDA
# toolchain environment.
#
#   cuda_env_wheels CAP   # NVIDIA's pinned, hash-checked PyPI wheels (nvcc 13.0, headers, cudart) in
#                         # .venv-cuda-13.0; exports CUDA_HOME, CUDA_PATH, PATH, CUDA_COMPUTE_CAP,
#                         # CUDARC_CUDA_VERSION. Needs the registry once.
#   cuda_env_system CAP   # a system toolkit (nvcc on PATH, $CUDA_HOME or /usr/local/cuda); returns 1 if none.
#   cuda_detect_cap       # the first GPU's compute capability as cudarc wants it ("90"), or nothing.
# Both cuda_env_* expect the working directory to be the repository root.

CUDA_WHEELS_REQUIREMENTS="scripts/lib/cuda-13.0-wheels.txt"
CUDA_WHEELS_VENV=".venv-cuda-13.0"

cuda_env_wheels() {
    local cap="$1"
    if [ ! -e "$CUDA_WHEELS_VENV/nvcc-ok" ] ||
        ! cmp -s "$CUDA_WHEELS_REQUIREMENTS" "$CUDA_WHEELS_VENV/nvcc-ok"; then
        rm -rf "$CUDA_WHEELS_VENV"
        python3 -m venv "$CUDA_WHEELS_VENV"
        "$CUDA_WHEELS_VENV/bin/pip" install --quiet --no-deps --require-hashes -r "$CUDA_WHEELS_REQUIREMENTS"
        cp "$CUDA_WHEELS_REQUIREMENTS" "$CUDA_WHEELS_VENV/nvcc-ok"
    fi
    CUDA_HOME="$(echo "$PWD/$CUDA_WHEELS_VENV"/lib/python3*/site-packages/nvidia/cu13)"
    export CUDA_HOME CUDA_PATH="$CUDA_HOME" PATH="$CUDA_HOME/bin:$PATH"
    export CUDA_COMPUTE_CAP="$cap"
    # The CUDA API cudarc binds: 13.0, what the wheels' nvcc is and what driver 580 provides (a symbol of a
    # later API would be missing from that driver).
    export CUDARC_CUDA_VERSION=13000
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
