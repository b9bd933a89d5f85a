//! The engine's integration tests: one binary, one module per area.

mod backend;
mod context;
mod cursor;
mod document;
mod secrets;
mod postprocess;
mod pipeline;
mod actions;
mod workspace;
