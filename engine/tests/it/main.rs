//! The engine's integration tests: one binary, one module per area.

mod backend;
mod context;
mod secrets;
mod postprocess;
mod pipeline;
mod actions;
