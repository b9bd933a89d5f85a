"""PyTorch + transformers side of the model bench (benches/src/bin/model.rs): the same Qwen3 shape with
random weights, the same prompt length, decode steps and thread count, one fresh process per dtype (so
peak RSS is the row's own). Prints one JSON line per row with the fields of model.rs's `Row`.

Run through scripts/bench-torch.sh, which provides the venv.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

DTYPES = {"f32": "float32", "f16": "float16", "bf16": "bfloat16"}

# Qwen/Qwen3-0.6B's config.json, with the 4,096-position window engine::model::random uses.
SHAPES = {
    "0.6b": dict(hidden_size=1024, intermediate_size=3072, num_hidden_layers=28, num_attention_heads=16,
                 num_key_value_heads=8, head_dim=128),
    "small": dict(hidden_size=512, intermediate_size=1536, num_hidden_layers=8, num_attention_heads=8,
                  num_key_value_heads=4, head_dim=64),
}


def run_row(args):
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    dtype = getattr(torch, DTYPES[args.row])
    config = Qwen3Config(vocab_size=151936, max_position_embeddings=4096, rms_norm_eps=1e-6,
                         rope_theta=1_000_000.0, tie_word_embeddings=True, **SHAPES[args.shape])
    # Built directly in the row's dtype: an f32 model converted afterwards would put its f32 copy in
    # the peak RSS of the f16/bf16 rows.
    torch.set_default_dtype(dtype)
    start = time.perf_counter()
    model = Qwen3ForCausalLM(config).eval()
    load_s = time.perf_counter() - start
    ids = torch.randint(0, 151643, (1, args.prompt))
    with torch.inference_mode():
        # Warm-up, as in model.rs: first-call allocations and kernel selection.
        model(ids[:, :8], use_cache=True, logits_to_keep=1)
        start = time.perf_counter()
        out = model(ids, use_cache=True, logits_to_keep=1)
        token = out.logits[:, -1].argmax(-1, keepdim=True)
        ttft = time.perf_counter() - start
        cache = out.cache
        start = time.perf_counter()
        for _ in range(args.decode):
            out = model(token, cache=cache, use_cache=True)
            cache = out.cache
            token = out.logits[:, -1].argmax(-1, keepdim=True)
        decode_s = time.perf_counter() - start
    row = dict(format=args.row, prompt_tokens=args.prompt, prefill_tps=args.prompt / ttft,
               ttft_ms=ttft * 1e3, decode_tps=args.decode / decode_s, decode_steps=args.decode,
               # ru_maxrss is in KiB on Linux.
               peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6, load_s=load_s)
    print(json.dumps(row), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", default="0.6b", choices=sorted(SHAPES))
    p.add_argument("--formats", default="f32,f16,bf16")
    p.add_argument("--prompt", type=int, default=512)
    p.add_argument("--decode", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--row", choices=sorted(DTYPES))
    args = p.parse_args()
    if args.row:
        run_row(args)
        return
    import torch
    import transformers
    print(f"torch {torch.__version__}, transformers {transformers.__version__}", file=sys.stderr)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    for fmt in args.formats.split(","):
        if fmt not in DTYPES:
            print(f"skipping {fmt}: no PyPI-only PyTorch equivalent", file=sys.stderr)
            continue
        cmd = [sys.executable, __file__, "--row", fmt, "--shape", args.shape, "--prompt", str(args.prompt),
               "--decode", str(args.decode), "--threads", str(args.threads)]
        result = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
        if result.returncode != 0:
            print(f"row {fmt} failed with {result.returncode}", file=sys.stderr)
            continue
        print(result.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
