//! The model crate's integration tests: one binary, one module per area, against the tiny checkpoints
//! committed in tests/models/.

mod reference;
mod quantized;
mod lora;
mod prefix_cache;
mod batch;
