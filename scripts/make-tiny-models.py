#!/usr/bin/env python3
"""Writes the tiny test checkpoints under tests/models/ and their references from HF transformers.

Each model has random weights (stored in f16 to stay small), the real Qwen3 tokenizer, and a
reference.json computed by transformers in f32 from the *stored* (rounded) weights, after loading the
written directory back with `from_pretrained`: so the references prove the files, not the Python objects.

  qwen3-tiny      Qwen3 dense, hub config layout (top-level rope_theta, torch_dtype), one safetensors file,
                  plus qwen3-tiny-q8_0.gguf written from the same weights
  qwen3-moe-tiny  Qwen3-MoE (4 experts, top-2, layer 1 dense via mlp_only_layers), transformers 5 layout,
                  per-expert checkpoint keys like the hub's Qwen3-Coder-30B-A3B
  qwen2-tiny      Qwen2 (q/k/v biases, no q/k norm), transformers 5 layout, sharded with an index, no chat
                  template (a base model)

Run through scripts/make-tiny-models.sh (it builds the venv). Deterministic for a given torch version.
"""

import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM, AutoTokenizer, Qwen2Config, Qwen3Config, Qwen3MoeConfig

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "models"
CACHE = Path(os.environ.get("QWEN_LSP_CACHE", Path.home() / ".cache" / "qwen-lsp")) / "tokenizer-qwen3-3.7.2"

VOCAB = 151936  # the real Qwen3 tokenizer's 151,669 tokens, padded as the hub configs do
CONTEXT = 1024
EOS_IDS = [151643, 151645]  # <|endoftext|>, <|im_end|>: what the engine stops on
SAMPLE_IDS = 256  # logits compared at this many fixed random vocab ids + each position's top 8

COMMON = dict(
    vocab_size=VOCAB,
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=CONTEXT,
    rms_norm_eps=1e-6,
    tie_word_embeddings=True,
    bos_token_id=151643,
    eos_token_id=151643,
)

CODE = "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n"
TOKENIZER_TEXTS = [
    CODE,
    "fn main() {\n\tprintln!(\"héllo wörld — ünïcödé ✓ 你好 🚀\");\n}\n",
    "int x = 1;\r\nint y = 2;\r\n\r\n\treturn x + y;  // CRLF and tabs\r\n",
    "<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))<|fim_middle|>",
    "<|im_start|>user\nWrite a haiku about Rust<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    "    \t  \n\n\n   x\u00a0=\u3000'全角'  # zero\u200bwidth, emoji 👩‍💻, combining e\u0301\n",
]
GREEDY_PROMPTS = {
    "code": CODE,
    "fim": "<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))<|fim_middle|>",
    "unicode": "# 日本語のコメント ✓\nname = \"Zoë\"\n",
}
CHAT = [
    {"role": "system", "content": "You are a coding assistant."},
    {"role": "user", "content": "Write a function that reverses a string."},
]
GREEDY_TOKENS = 20


def randomize(model, generator):
    """Peaked random weights: greedy choices then have clear margins, so f32 noise cannot flip them."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=generator))
            elif name.endswith("bias"):
                p.copy_(0.2 * torch.randn(p.shape, generator=generator))
            elif "embed_tokens" in name:
                p.copy_(0.6 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(torch.randn(p.shape, generator=generator) / p.shape[-1] ** 0.5)


def fuse_free_moe_keys(state):
    """transformers 5 holds experts fused (gate_up_proj, down_proj); hub checkpoints store one tensor per
    expert and projection. Write the hub layout; from_pretrained converts it back."""
    out = {}
    for k, v in state.items():
        if k.endswith("mlp.experts.gate_up_proj"):
            base = k[: -len("gate_up_proj")]
            inter = v.shape[1] // 2
            for e in range(v.shape[0]):
                out[f"{base}{e}.gate_proj.weight"] = v[e, :inter].contiguous()
                out[f"{base}{e}.up_proj.weight"] = v[e, inter:].contiguous()
        elif k.endswith("mlp.experts.down_proj"):
            base = k[: -len("down_proj")]
            for e in range(v.shape[0]):
                out[f"{base}{e}.down_proj.weight"] = v[e].contiguous()
        else:
            out[k] = v
    return out


def tokenizer_config(chat: bool, eos: str):
    cfg = json.loads((CACHE / "tokenizer_config.json").read_text())
    cfg["eos_token"] = eos
    cfg["model_max_length"] = CONTEXT
    if not chat:
        cfg.pop("chat_template", None)
    return cfg


def write_checkpoint(name, config, hub_layout, shard, chat, seed):
    out = MODELS / name
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    gen = torch.Generator().manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    randomize(model, gen)
    model = model.to(torch.float16)
    model.save_pretrained(out, max_shard_size="5MB" if shard else "1GB")
    # Rewrite the weights ourselves: hub key layout for MoE experts, and no tied lm_head copy.
    files = sorted(out.glob("*.safetensors"))
    state = {}
    for f in files:
        state.update(load_file(f))
        f.unlink()
    index = out / "model.safetensors.index.json"
    if index.exists():
        index.unlink()
    state.pop("lm_head.weight", None)
    state = fuse_free_moe_keys(state)
    if shard:
        first = {k: v for k, v in state.items() if "embed_tokens" in k}
        rest = {k: v for k, v in state.items() if k not in first}
        shards = {"model-00001-of-00002.safetensors": first, "model-00002-of-00002.safetensors": rest}
        weight_map = {}
        for fname, part in shards.items():
            save_file(part, out / fname, metadata={"format": "pt"})
            weight_map.update({k: fname for k in part})
        total = sum(v.numel() * v.element_size() for v in state.values())
        index.write_text(json.dumps({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, indent=2) + "\n")
    else:
        save_file(state, out / "model.safetensors", metadata={"format": "pt"})
    cfg = json.loads((out / "config.json").read_text())
    if hub_layout:
        # The layout hub checkpoints ship: top-level rope_theta and torch_dtype.
        rope = cfg.pop("rope_parameters", None) or {}
        cfg["rope_theta"] = rope.get("rope_theta", 1000000.0)
        cfg["rope_scaling"] = None
        cfg["torch_dtype"] = cfg.pop("dtype", "float16")
        cfg.pop("transformers_version", None)
    (out / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    (out / "tokenizer_config.json").write_text(
        json.dumps(tokenizer_config(chat, "<|im_end|>" if chat else "<|endoftext|>"), indent=2, ensure_ascii=False) + "\n"
    )
    shutil.copy(CACHE / "tokenizer.json", out / "tokenizer.json")
    return out


def sample_logits(logits, ids):
    """The compared slice of a (positions, vocab) logits matrix: fixed ids, top-8 ids and logsumexp."""
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


def greedy(model, ids, n):
    """Greedy decoding by full forward passes (no cache): the reference for cached decoding."""
    out, margins = [], []
    seq = list(ids)
    for _ in range(n):
        logits = model(torch.tensor([seq])).logits[0, -1]
        top = torch.topk(logits, 2)
        tok = int(top.indices[0])
        margins.append(float(top.values[0] - top.values[1]))
        if tok in EOS_IDS:
            break
        out.append(tok)
        seq.append(tok)
    return out, min(margins)


def references(out, tok, sample_ids, gguf_model=None):
    model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    ref = {"generated_by": f"transformers {__import__('transformers').__version__}, torch {torch.__version__}, f32"}
    ref["sample_ids"] = sample_ids
    with torch.no_grad():
        a = tok(CODE)["input_ids"][:12]
        b = tok(GREEDY_PROMPTS["unicode"])["input_ids"][:12]
        assert len(a) == len(b) == 12
        batch = model(torch.tensor([a, b])).logits
        ref["batch"] = {"input_ids": [a, b], "logits": [sample_logits(batch[i], sample_ids) for i in range(2)]}

        prefix = tok(CODE)["input_ids"][:8]
        cont, _ = greedy(model, prefix, 8)
        steps = []
        seq = list(prefix)
        for t in cont:
            seq.append(t)
            steps.append(model(torch.tensor([seq])).logits[0, -1])
        full = model(torch.tensor([prefix])).logits[0, -1]
        ref["incremental"] = {
            "prefix": prefix,
            "tokens": cont,
            "prefix_logits": sample_logits(full[None], sample_ids)[0],
            "step_logits": sample_logits(torch.stack(steps), sample_ids) if steps else [],
        }

        # Far positions: rope tables and chunked prefill (the engine runs 512 tokens per pass).
        long_ids = tok(CODE * 60)["input_ids"][:1000]
        last = model(torch.tensor([long_ids])).logits[0, -1]
        ref["long"] = {"input_ids": long_ids, "last_logits": sample_logits(last[None], sample_ids)[0]}

        ref["greedy"] = {}
        worst = float("inf")
        for key, text in GREEDY_PROMPTS.items():
            ids = tok(text)["input_ids"]
            gen, margin = greedy(model, ids, GREEDY_TOKENS)
            worst = min(worst, margin)
            ref["greedy"][key] = {"prompt": text, "prompt_ids": ids, "token_ids": gen, "text": tok.decode(gen)}
        if tok.chat_template:
            text = tok.apply_chat_template(CHAT, tokenize=False, add_generation_prompt=True)
            ref["chat"] = {"messages": CHAT, "rendered": text, "prompt_ids": tok(text)["input_ids"]}
        ref["min_greedy_margin"] = worst
        print(f"{out.name}: min top-1/top-2 margin along greedy paths {worst:.4f}", file=sys.stderr)
    return model, ref


def write_gguf(out, model):
    """A q8_0 GGUF of the Qwen3 checkpoint (llama.cpp tensor names), and the dequantized weights it holds."""
    import gguf
    from gguf import GGMLQuantizationType as Q

    cfg = model.config
    path = out / "qwen3-tiny-q8_0.gguf"
    w = gguf.GGUFWriter(path, "qwen3")
    w.add_uint32("qwen3.context_length", cfg.max_position_embeddings)
    w.add_uint32("qwen3.embedding_length", cfg.hidden_size)
    w.add_uint32("qwen3.block_count", cfg.num_hidden_layers)
    w.add_uint32("qwen3.feed_forward_length", cfg.intermediate_size)
    w.add_uint32("qwen3.attention.head_count", cfg.num_attention_heads)
    w.add_uint32("qwen3.attention.head_count_kv", cfg.num_key_value_heads)
    w.add_uint32("qwen3.attention.key_length", cfg.head_dim)
    w.add_uint32("qwen3.attention.value_length", cfg.head_dim)
    w.add_float32("qwen3.attention.layer_norm_rms_epsilon", cfg.rms_norm_eps)
    w.add_float32("qwen3.rope.freq_base", cfg.rope_parameters["rope_theta"])
    # No general.dtype, like llama.cpp's files: the engine must not build f16 rope tables then.
    names = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
             "self_attn.o_proj": "attn_output", "self_attn.q_norm": "attn_q_norm", "self_attn.k_norm": "attn_k_norm",
             "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm", "mlp.gate_proj": "ffn_gate",
             "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
    dequantized = {}
    for k, v in model.state_dict().items():
        if k == "lm_head.weight":
            continue
        if k == "model.embed_tokens.weight":
            name = "token_embd.weight"
        elif k == "model.norm.weight":
            name = "output_norm.weight"
        else:
            layer, rest = k[len("model.layers."):].split(".", 1)
            name = f"blk.{layer}.{names[rest.rsplit('.', 1)[0]]}.weight"
        data = v.float().numpy()
        if data.ndim == 2:
            q = gguf.quants.quantize(data, Q.Q8_0)
            w.add_tensor(name, q, raw_shape=q.shape, raw_dtype=Q.Q8_0)
            data = gguf.quants.dequantize(q, Q.Q8_0).reshape(data.shape)
        else:
            w.add_tensor(name, data)
        dequantized[k] = torch.from_numpy(np.ascontiguousarray(data))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return dequantized


def main():
    torch.set_num_threads(2)
    MODELS.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    sample_ids = sorted(int(i) for i in rng.choice(VOCAB, SAMPLE_IDS, replace=False))

    specs = [
        ("qwen3-tiny", Qwen3Config(**COMMON, head_dim=16, rope_theta=1000000.0), True, False, True),
        (
            "qwen3-moe-tiny",
            Qwen3MoeConfig(
                **COMMON, head_dim=16, rope_theta=1000000.0, num_experts=4, num_experts_per_tok=2,
                moe_intermediate_size=32, decoder_sparse_step=1, norm_topk_prob=True, mlp_only_layers=[1],
            ),
            False, False, True,
        ),
        ("qwen2-tiny", Qwen2Config(**COMMON, rope_theta=1000000.0), False, True, False),
    ]
    for seed, (name, config, hub_layout, shard, chat) in enumerate(specs):
        out = write_checkpoint(name, config, hub_layout, shard, chat, seed=1000 + seed)
        tok = AutoTokenizer.from_pretrained(out)
        model, ref = references(out, tok, sample_ids)
        if name == "qwen3-tiny":
            ref["tokenizer"] = [{"text": t, "ids": tok(t)["input_ids"]} for t in TOKENIZER_TEXTS]
            deq = write_gguf(out, model)
            qmodel = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
            qmodel.load_state_dict(deq, strict=False)
            qmodel.tie_weights()
            with torch.no_grad():
                ids = ref["greedy"]["code"]["prompt_ids"]
                gen, margin = greedy(qmodel, ids, GREEDY_TOKENS)
                last = qmodel(torch.tensor([ids])).logits[0, -1]
            ref["gguf"] = {
                "note": "transformers on the dequantized q8_0 weights; candle also quantizes activations",
                "prompt_ids": ids, "token_ids": gen, "last_logits": sample_logits(last[None], sample_ids)[0],
                "min_greedy_margin": margin,
            }
        (out / "reference.json").write_text(json.dumps(ref, ensure_ascii=False) + "\n")
        print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
