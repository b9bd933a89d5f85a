#!/usr/bin/env bash
# The GPU artifact's launcher (scripts/build-gpu-artifact.sh copies it to DIR/run): finds the CUDA driver
# and the CUDA libraries the binaries dlopen, puts their folders on LD_LIBRARY_PATH and runs DIR/bin/PROGRAM.
#
#   DIR/run [--allow-no-driver] PROGRAM [ARGS...]     # PROGRAM: qwen-lsp or gpu
#   DIR/run --unpack                                  # prints the folder holding bin/ and models/
#
# A CUDA build keeps bin/ and models/ in DIR/payload.tar.xz (the binaries are ~90% candle's PTX, which xz
# packs 4:1), so that the folder fits the 64 MiB a lent device is given. The first run unpacks it into
# DIR/.unpacked (or, where DIR is read-only, $TMPDIR/qwen-lsp-gpu-<sha256>), checked against the payload's
# sha256 so a stale or half-written unpack is redone; with `xz` when present, else Python's lzma. A folder
# with bin/ (the --cpu-only build) runs as it is.
#
# Without a CUDA driver (libcuda.so.1) it says that no CUDA device is present and exits 3, unless
# --allow-no-driver (the bench's dry run on a CPU). Without cuBLAS, cuBLASLt, cuRAND or NVRTC (CUDA 13:
# libcublas.so.13, libcublasLt.so.13, libcurand.so.10, libnvrtc.so.13) it lists where it looked and exits 4.
# Where it looks, in order:
#   driver:    $GPU_RUN_DRIVER_DIRS (colon-separated; replaces the rest), else LD_LIBRARY_PATH, the
#              dynamic loader's cache (ldconfig -p), /usr/local/nvidia/lib64, /usr/lib/x86_64-linux-gnu,
#              /usr/lib64, /usr/lib/wsl/lib
#   libraries: $GPU_RUN_LIB_DIRS (colon-separated; replaces the rest), else LD_LIBRARY_PATH, the
#              nvidia/*/lib folders of NVIDIA's PyPI wheels in /opt/torch/.venv and in the site-packages
#              of `python3` (PyTorch's CUDA wheels depend on them), $CUDA_HOME/lib64,
#              /usr/local/cuda/lib64, the dynamic loader's cache
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"

# unpacked: the folder holding bin/ and models/, unpacking DIR/payload.tar.xz on first use.
unpacked() {
    local payload="$HERE/payload.tar.xz" sum dest tmp
    if [ ! -e "$payload" ]; then
        echo "$HERE"
        return
    fi
    sum="$(sha256sum "$payload" | cut -d' ' -f1)"
    dest="$HERE/.unpacked"
    if ! { mkdir -p "$dest" 2>/dev/null && [ -w "$dest" ]; }; then
        dest="${TMPDIR:-/tmp}/qwen-lsp-gpu-$sum"
    fi
    if [ "$(cat "$dest/.sha256" 2>/dev/null)" != "$sum" ]; then
        mkdir -p "$dest"
        tmp="$(mktemp -d "$dest/.partial.XXXXXX")"
        if command -v xz >/dev/null; then
            xz -dc "$payload" | tar -xf - -C "$tmp"
        else
            python3 -c 'import lzma, sys, tarfile; tarfile.open(fileobj=lzma.open(sys.argv[1])).extractall(sys.argv[2])' \
                "$payload" "$tmp"
        fi
        rm -rf "$dest/bin" "$dest/models"
        mv "$tmp"/* "$dest/"
        rmdir "$tmp"
        echo "$sum" >"$dest/.sha256"
        echo "run: unpacked $payload into $dest" >&2
    fi
    echo "$dest"
}

if [ "${1:-}" = "--unpack" ]; then
    unpacked
    exit 0
fi

allow_no_driver=0
if [ "${1:-}" = "--allow-no-driver" ]; then
    allow_no_driver=1
    shift
fi
program="${1:-}"
case "$program" in
qwen-lsp | gpu) shift ;;
*)
    echo "run: usage: $0 [--allow-no-driver] qwen-lsp|gpu [ARGS...] | $0 --unpack" >&2
    exit 2
    ;;
esac

split() { tr ':' '\n' <<<"$1" | sed '/^$/d'; }
ldconfig_dirs() { (ldconfig -p 2>/dev/null || true) | awk -v n="$1" '$1 == n {print $NF}' | xargs -r -n1 dirname; }

driver_dirs() {
    if [ -n "${GPU_RUN_DRIVER_DIRS+set}" ]; then
        split "$GPU_RUN_DRIVER_DIRS"
        return
    fi
    split "${LD_LIBRARY_PATH:-}"
    ldconfig_dirs libcuda.so.1
    printf '%s\n' /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib/wsl/lib
}

lib_dirs() {
    if [ -n "${GPU_RUN_LIB_DIRS+set}" ]; then
        split "$GPU_RUN_LIB_DIRS"
        return
    fi
    split "${LD_LIBRARY_PATH:-}"
    local site d
    for site in /opt/torch/.venv/lib/python3*/site-packages \
        "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null || true)"; do
        for d in "$site"/nvidia/*/lib; do [ -d "$d" ] && echo "$d"; done
    done
    [ -n "${CUDA_HOME:-}" ] && echo "$CUDA_HOME/lib64"
    echo /usr/local/cuda/lib64
    ldconfig_dirs libcublas.so.13
}

# find NAME DIR...: the first DIR holding NAME.
find_in() {
    local name="$1" d
    shift
    for d in "$@"; do
        if [ -e "$d/$name" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

mapfile -t ddirs < <(driver_dirs)
path=()
# libcudart.so.13 ships in DIR/lib; the binaries' RUNPATH ($ORIGIN/../lib) misses it once they run from
# the unpacked folder.
if [ -d "$HERE/lib" ]; then
    path+=("$HERE/lib")
fi
if driver="$(find_in libcuda.so.1 "${ddirs[@]}")"; then
    path+=("$driver")
elif [ "$allow_no_driver" = 1 ]; then
    echo "run: no CUDA driver (libcuda.so.1); going on (--allow-no-driver)" >&2
else
    {
        echo "run: no CUDA device is present: the CUDA driver (libcuda.so.1) is not on this machine."
        echo "run: looked in: ${ddirs[*]:-(nowhere)}"
        if ls /dev/nvidia[0-9]* >/dev/null 2>&1; then
            echo "run: /dev/nvidia* exists: install the NVIDIA driver's user-space libraries or add their folder to GPU_RUN_DRIVER_DIRS"
        else
            echo "run: no /dev/nvidia* device node either"
        fi
    } >&2
    exit 3
fi

mapfile -t ldirs < <(lib_dirs)
missing=()
for lib in libcublas.so.13 libcublasLt.so.13 libcurand.so.10 libnvrtc.so.13; do
    if d="$(find_in "$lib" "${ldirs[@]}")"; then
        path+=("$d")
    else
        missing+=("$lib")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$allow_no_driver" = 1 ] && [ -z "${driver:-}" ]; then
        echo "run: without ${missing[*]} (not needed on the CPU)" >&2
    else
        {
            echo "run: missing CUDA 13 libraries: ${missing[*]}"
            echo "run: looked in: ${ldirs[*]:-(nowhere)}"
            echo "run: they come with NVIDIA's PyPI wheels (nvidia-cublas, nvidia-curand, nvidia-cuda-nvrtc, as PyTorch's CUDA build installs them) or a CUDA 13 toolkit; name their folder in GPU_RUN_LIB_DIRS"
        } >&2
        exit 4
    fi
fi

# Unique folders, in the order found, before what LD_LIBRARY_PATH held (never an empty entry: that would
# be the current directory).
if [ "${#path[@]}" -gt 0 ]; then
    joined="$(printf '%s\n' "${path[@]}" | awk '!seen[$0]++' | paste -sd: -)"
    export LD_LIBRARY_PATH="${joined}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
[ -n "${GPU_RUN_QUIET:-}" ] || echo "run: LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}" >&2
ROOT="$(unpacked)"
[ -x "$ROOT/bin/$program" ] || { echo "run: $ROOT/bin/$program is missing" >&2; exit 2; }
exec "$ROOT/bin/$program" "$@"
