# Sourced by the scripts that run Hugging Face transformers (make-tiny-models.sh,
# make-gguf-tokenizer-reference.sh): `venv_ref` builds .venv-ref (gitignored) with pinned packages from PyPI
# and sets VENV_REF_PYTHON. torch is the PyPI CUDA build (~5.6 GB, ~1.5 min to install), run on the CPU.
# Expects the working directory to be the repository root.

venv_ref() {
    local venv=.venv-ref
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        torch==2.15.0 transformers==5.24.0 tokenizers==0.23.3 safetensors==0.8.0 numpy==2.4.6 gguf==0.19.0 jinja2==3.1.6
    VENV_REF_PYTHON="$venv/bin/python"
}
