#!/usr/bin/env python3
"""Writes tests/models/qwen3-tiny-lora/: LoRA adapters made with PEFT on tests/models/qwen3-tiny, and the
logits of PEFT's merged models (merge_and_unload) that the engine's load-time merge must reproduce.

  qwen3-tiny-lora/         r=4, lora_alpha=8 on q/k/v/o/gate/up/down_proj (a target_modules list)
  qwen3-tiny-lora/second/  r=2, lora_alpha=4, use_rslora, a target_modules regex (layer 1 attention only)

PEFT initialises lora_B to zeros (an adapter that changes nothing), so B is re-drawn at random here: the
adapters must change the logits for the test to mean anything. reference.json holds, per prompt, the base
model's logits, those of the first adapter merged, and those of both merged in order (the second loaded on
top of the first merged model), all in f32 and in the slice format of tests/models/*/reference.json (fixed
ids, top 8, logsumexp). The references come from the written adapter files loaded back with
`PeftModel.from_pretrained`, so they prove the files, not the Python objects.

Run through scripts/make-tiny-lora.sh (it installs the pinned peft into .venv-ref). Deterministic.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import peft
import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "models" / "qwen3-tiny"
OUT = ROOT / "tests" / "models" / "qwen3-tiny-lora"
VOCAB = 151936
SAMPLE_IDS = 256

PROMPTS = {
    "code": "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n",
    "unicode": "fn main() {\n\tprintln!(\"héllo wörld — ünïcödé ✓ 你好 🚀\");\n}\n",
}
PROMPT_TOKENS = 12

ADAPTERS = {
    "first": dict(
        r=4,
        lora_alpha=8,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    ),
    "second": dict(
        r=2,
        lora_alpha=4,
        use_rslora=True,
        target_modules=r"model\.layers\.1\.self_attn\.(q|v)_proj",
    ),
}


README = """# qwen3-tiny-lora

LoRA adapters made with PEFT on `../qwen3-tiny`, and what PEFT computes with them merged. Written by
`scripts/make-tiny-lora.sh` (do not edit by hand); checked by `engine/tests/it/lora.rs`.

- `adapter_config.json`, `adapter_model.safetensors`: r=4, lora_alpha=8 on q/k/v/o/gate/up/down_proj, f32,
  lora_B drawn at random (PEFT's default zero B would change nothing).
- `second/`: r=2, lora_alpha=4, use_rslora, a regex `target_modules` (layer 1 q_proj and v_proj).
- `reference.json`: f32 logits (fixed sampled ids, each position's top 8, logsumexp) of two 12-token prompts
  for the base model, the first adapter merged (`merge_and_unload`), and both merged in order.
"""


def base_model():
    return AutoModelForCausalLM.from_pretrained(BASE, dtype=torch.float32).eval()


def make_adapter(name, kwargs, out, seed):
    torch.manual_seed(seed)
    model = get_peft_model(base_model(), LoraConfig(lora_dropout=0.0, **kwargs))
    with torch.no_grad():
        for key, param in model.named_parameters():
            if "lora_B" in key:
                param.normal_(0.0, 0.5)
    if out.exists():
        for f in ("adapter_config.json", "adapter_model.safetensors", "README.md"):
            (out / f).unlink(missing_ok=True)
    model.save_pretrained(out)
    # PEFT writes a model card template; main() replaces the top one with what these files are.
    (out / "README.md").unlink(missing_ok=True)
    cfg = json.loads((out / "adapter_config.json").read_text())
    # An absolute path of this machine would make the output differ between checkouts.
    cfg["base_model_name_or_path"] = "tests/models/qwen3-tiny"
    # PEFT stores a target_modules list from a Python set, in hash order: sorted, reruns write the same file.
    if isinstance(cfg["target_modules"], list):
        cfg["target_modules"] = sorted(cfg["target_modules"])
    (out / "adapter_config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def sample_logits(logits, ids):
    rows = []
    for row in logits:
        top = torch.topk(row, 8)
        rows.append(
            {
                "values": [float(x) for x in row[ids]],
                "top_ids": [int(i) for i in top.indices],
                "top_values": [float(x) for x in top.values],
                "logsumexp": float(torch.logsumexp(row.double(), 0)),
            }
        )
    return rows


@torch.no_grad()
def logits_of(model, prompts, ids):
    return {k: sample_logits(model(torch.tensor([p])).logits[0], ids) for k, p in prompts.items()}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    make_adapter("first", ADAPTERS["first"], OUT, seed=1)
    make_adapter("second", ADAPTERS["second"], OUT / "second", seed=2)

    tok = AutoTokenizer.from_pretrained(BASE)
    prompts = {k: tok(v)["input_ids"][:PROMPT_TOKENS] for k, v in PROMPTS.items()}
    rng = np.random.default_rng(0)
    ids = sorted(int(i) for i in rng.choice(VOCAB, SAMPLE_IDS, replace=False))

    ref = {
        "generated_by": f"peft {peft.__version__}, transformers {__import__('transformers').__version__}, "
        f"torch {torch.__version__}, f32, merge_and_unload",
        "sample_ids": ids,
        "prompt_ids": prompts,
    }
    ref["base"] = logits_of(base_model(), prompts, ids)
    merged = PeftModel.from_pretrained(base_model(), OUT).merge_and_unload().eval()
    ref["first"] = logits_of(merged, prompts, ids)
    both = PeftModel.from_pretrained(merged, OUT / "second").merge_and_unload().eval()
    ref["first_then_second"] = logits_of(both, prompts, ids)

    worst = max(
        abs(a - b)
        for k in prompts
        for ra, rb in zip(ref["base"][k], ref["first"][k])
        for a, b in zip(ra["values"], rb["values"])
    )
    print(f"max |first - base| over the sampled ids: {worst:.4f}")
    (OUT / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")
    (OUT / "README.md").write_text(README)


if __name__ == "__main__":
    main()
