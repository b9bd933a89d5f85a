//! The CPU kernels of our own, by family: `matmul` (`q8_0`, `q4_k` and `q6_k` matrix products),
//! `attention` (decode attention, prefill's causal softmax) and `float16` (16-bit weight products, f16
//! conversions), and `int8` (the KV cache's int8 rows). The model code calls each family's entry points and never sees an intrinsic.
//!
//! One layout for every family: its `mod.rs` holds the portable code (the reference the tests hold the
//! others to, bit for bit where the kernels promise it) and the dispatch, picked once where the work is
//! set up from the CPU's features; `avx2.rs`, `avx512.rs` and `vnni.rs` hold that instruction set's
//! `#[target_feature]` functions: a portable body compiled for it, or intrinsics where the body does
//! not vectorize well. This is the only module of the crate allowed `unsafe` (`lib.rs` opts it in).

pub(crate) mod attention;
pub(crate) mod float16;
pub(crate) mod int8;
pub(crate) mod matmul;
