"""Converts tests/models/qwen3-tiny with llama.cpp's convert_hf_to_gguf.py (the source directory is the
argument) and writes what it wrote as the tokenizer into tests/models/qwen3-tiny/gguf-tokenizer-reference.json:
the scalars as they are, the long lists (tokens, merges) and the chat template as SHA-256 digests of their
items joined by NUL, and the ids of every token type but NORMAL. See make-gguf-tokenizer-reference.sh."""

import hashlib
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODEL = ROOT / "tests/models/qwen3-tiny"
OUT = MODEL / "gguf-tokenizer-reference.json"


def digest(items):
    return hashlib.sha256("\0".join(items).encode()).hexdigest()


def main():
    llama_cpp = pathlib.Path(sys.argv[1])
    sys.path.insert(0, str(llama_cpp / "gguf-py"))
    from gguf import GGUFReader

    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "tiny.gguf"
        subprocess.run([sys.executable, str(llama_cpp / "convert_hf_to_gguf.py"), str(MODEL), "--outtype", "q8_0",
                        "--outfile", str(path)], check=True, env={"PYTHONPATH": str(llama_cpp / "gguf-py"),
                                                                   "PATH": "/usr/bin:/bin"})
        fields = {k: f.contents() for k, f in GGUFReader(path).fields.items() if k.startswith("tokenizer.")}
    types = {}
    for i, t in enumerate(fields.pop("tokenizer.ggml.token_type")):
        if t != 1:
            types.setdefault(str(t), []).append(i)
    reference = {
        "converter": "llama.cpp 0c1e570 convert_hf_to_gguf.py --outtype q8_0 (llama-cpp-python 0.3.36 sdist)",
        "tokens": len(fields["tokenizer.ggml.tokens"]),
        "tokens_sha256": digest(fields.pop("tokenizer.ggml.tokens")),
        "merges": len(fields["tokenizer.ggml.merges"]),
        "merges_sha256": digest(fields.pop("tokenizer.ggml.merges")),
        "chat_template_sha256": digest([fields.pop("tokenizer.chat_template")]),
        "token_types_not_normal": types,
        "scalars": fields,
    }
    OUT.write_text(json.dumps(reference, sort_keys=True) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(fields)} scalars, {reference['tokens']} tokens")


if __name__ == "__main__":
    main()
