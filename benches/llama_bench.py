"""The llama.cpp side of the model bench: runs `llama-bench` on the very GGUF files our rows load and prints
one JSON line per file in the model bench's row format (`--compare` reads them; engine "llama.cpp").

    python3 benches/llama_bench.py --bench LLAMA_BENCH --threads 1 --prompt 512 --decode 16 FORMAT=FILE ...

Prefill is llama-bench's pp<prompt> on an empty context; decode its tg<decode> after <prompt> tokens
(`-d`, what our rows measure: decode after the prompt). Each is the mean of `--reps` runs after
llama-bench's own warm-up. TTFT is the prompt over the prefill rate (llama-bench does not tokenize).
The peak RSS is the largest of the two llama-bench processes'. Standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile


def run_bench(bench, model, threads, reps, args):
    """llama-bench's one test, and the peak RSS of its process in MB."""
    cmd = [bench, "-m", model, "-t", str(threads), "-r", str(reps), "-o", "json", *args]
    with tempfile.TemporaryFile("w+") as err:
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True) as proc:
            stdout = proc.stdout.read()
            # wait4, not wait: it reaps the process with its own resource usage.
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
    if proc.returncode != 0:
        sys.exit(f"llama-bench failed ({proc.returncode}) on {model}:\n{stderr[-4000:]}")
    tests = json.loads(stdout)
    if len(tests) != 1:
        sys.exit(f"llama-bench printed {len(tests)} tests for {args}; expected one")
    # ru_maxrss is in KiB on Linux.
    return tests[0], usage.ru_maxrss * 1024 / 1e6


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bench", required=True, help="the llama-bench binary (scripts/fetch-llama-cpp.sh)")
    p.add_argument("--prompt", type=int, default=512)
    p.add_argument("--decode", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("files", nargs="+", metavar="FORMAT=FILE")
    args = p.parse_args()
    for spec in args.files:
        fmt, _, model = spec.partition("=")
        if not model:
            sys.exit(f"expected FORMAT=FILE, got {spec}")
        prefill, prefill_rss = run_bench(args.bench, model, args.threads, args.reps,
                                         ["-p", str(args.prompt), "-n", "0"])
        decode, decode_rss = run_bench(args.bench, model, args.threads, args.reps,
                                       ["-p", "0", "-n", str(args.decode), "-d", str(args.prompt)])
        prefill_tps = prefill["avg_ts"]
        row = dict(engine="llama.cpp", format=fmt, prompt_tokens=args.prompt, prefill_tps=prefill_tps,
                   ttft_ms=args.prompt / prefill_tps * 1e3, decode_tps=decode["avg_ts"],
                   decode_steps=args.decode,
                   peak_rss_mb=max(prefill_rss, decode_rss),
                   type_kv=prefill.get("type_k"))
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
