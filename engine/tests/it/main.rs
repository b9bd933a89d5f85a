//! The engine's integration tests: one binary, one module per area.

mod context;
mod document;
mod model;
mod secrets;
mod postprocess;
mod pipeline;
mod actions;
mod quantized;
mod lora;
mod prefix_cache;
mod batch;
