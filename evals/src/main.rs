//! `evals`: pass@k of code models, every sample executed in the sandbox.

fn main() {
    eprintln!("evals: not implemented yet");
    std::process::exit(2);
}
