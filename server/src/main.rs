//! `qwen-lsp`: the language server (stdio) and its command-line tools. One glue binary: argument parsing
//! here, the work in `engine` and the LSP modules.

mod generate;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "qwen-lsp", version, about = "Inline code completions and fixes from Qwen models, run locally")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the language server on stdio (the default).
    Serve,
    /// Generate a completion for a prompt file and print it.
    Generate(generate::GenerateArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None | Some(Command::Serve) => Err(anyhow::anyhow!("the language server is not implemented yet")),
        Some(Command::Generate(args)) => generate::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
