//! The evals crate's integration tests: real sandbox runs and the real `evals` binary. They need the
//! assets of `scripts/setup-deps.sh` (the CPython-for-WASI runtime, HumanEval).

mod attacks;
mod canonical;
mod cli;
mod differential;
mod import;
mod resume;
mod scoring;
mod support;
