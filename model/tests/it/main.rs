//! The model crate's integration tests: one binary, one module per area, against the tiny checkpoints
//! committed in tests/models/.

mod batch;
mod lora;
mod prefix_cache;
mod quantized;
mod reference;
mod speculative;
