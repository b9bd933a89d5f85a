//! The engine's integration tests: one binary, one module per area.

mod actions;
mod backend;
mod context;
mod cursor;
mod document;
mod pipeline;
mod postprocess;
mod secrets;
mod workspace;
