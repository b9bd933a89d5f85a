//! Model loading and generation against references from HF transformers.
