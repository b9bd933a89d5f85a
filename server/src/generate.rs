//! `qwen-lsp generate`: one prompt in, one completion out.

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {}

pub fn run(_args: GenerateArgs) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
