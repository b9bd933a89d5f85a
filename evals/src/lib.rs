//! `evals`: pass@k of code models on HumanEval- and LeetCode-style problems, every sample executed in the
//! sandbox.
//!
//! Data flows one way: a [`dataset`] of [`problem`]s -> [`prompt`] -> a model (`engine::Backend`, in
//! [`run`]) -> samples -> [`score`] (programs in the sandbox) -> [`summary`] ([`passk`]) -> [`report`]. The problem format
//! and the commands are documented in `evals/README.md`.
//!
//! Architecture invariant: this crate knows neither wasmtime nor candle; it talks to the sandbox through
//! `sandbox::Sandbox` and to models through `engine::Backend`.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod dataset;
pub mod error;
pub mod import;
pub mod passk;
pub mod problem;
pub mod prompt;
pub mod report;
pub mod run;
pub mod score;
pub mod summary;

pub use error::{Error, Result};
