//! `qwen-lsp generate`: one prompt in, one completion out, streamed to stdout, from a model loaded in
//! this process or a remote server (`--model` takes what every command takes: `BackendSpec`). With
//! `--json` the last stdout line is one JSON object (ids, text, timings) for tools that check the engine.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use engine::remote::BackendSpec;
use engine::{CancellationToken, FinishReason, Prompt, SamplingParams};

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// A Hugging Face hub id, a local HF directory, a .gguf file (local, or a hub repository's as
    /// `org/name/file.gguf`), or an OpenAI-compatible server as `http://host:port/v1#model-name`
    /// (the key in $QWEN_LSP_REMOTE_API_KEY).
    #[arg(long)]
    model: String,
    /// The prompt, used as is (special tokens written in it count as special).
    #[arg(long)]
    prompt_file: PathBuf,
    /// Code after the cursor: the prompt file is then the prefix of a fill-in-the-middle prompt in the
    /// model's FIM format.
    #[arg(long)]
    suffix_file: Option<PathBuf>,
    #[arg(long, default_value_t = SamplingParams::default().max_tokens)]
    max_tokens: usize,
    /// 0 = greedy.
    #[arg(long, default_value_t = 0.0)]
    temperature: f64,
    #[arg(long)]
    top_p: Option<f64>,
    #[arg(long)]
    top_k: Option<usize>,
    #[arg(long, default_value_t = SamplingParams::default().seed)]
    seed: u64,
    #[arg(long, default_value_t = 1.0)]
    repetition_penalty: f32,
    /// Stop before this string (repeatable). No stop strings apply unless given.
    #[arg(long = "stop")]
    stop: Vec<String>,
    #[command(flatten)]
    pub(crate) weights: crate::cli::WeightOptions,
    /// End with one JSON line: prompt_token_ids, token_ids, text, finish_reason, prefill_ms, decode_ms.
    #[arg(long)]
    json: bool,
}

pub fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let spec = BackendSpec::new(args.weights.load_options(args.model.clone(), true))?;
    args.weights.check_threads(&spec)?;
    let read = |p: &PathBuf| {
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let prefix = read(&args.prompt_file)?;
    let suffix = args.suffix_file.as_ref().map(read).transpose()?;
    let params = SamplingParams {
        max_tokens: args.max_tokens,
        temperature: args.temperature,
        top_p: args.top_p,
        top_k: args.top_k,
        seed: args.seed,
        repetition_penalty: args.repetition_penalty,
        stop: args.stop,
        ..SamplingParams::default()
    };
    params.validate()?;

    let model = spec.open()?;
    let prompt = match suffix {
        None => prefix,
        Some(suffix) => {
            engine::prompt::fim(&model.info().special, &prefix, &suffix).with_context(|| {
                format!(
                    "{} has no fill-in-the-middle tokens; drop --suffix-file",
                    args.model
                )
            })?
        }
    };

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut write_error = None;
    let generation = model.generate(
        &Prompt::Text(prompt),
        &params,
        &CancellationToken::new(),
        &mut |chunk| {
            if write_error.is_none()
                && let Err(e) = out.write_all(chunk.as_bytes()).and_then(|()| out.flush())
            {
                write_error = Some(e);
            }
        },
    )?;
    if let Some(e) = write_error {
        return Err(e).context("writing to stdout");
    }
    if args.json {
        let finish_reason = match &generation.finish {
            FinishReason::Length => "length",
            FinishReason::Eos => "eos",
            FinishReason::Stop(_) => "stop",
        };
        let line = serde_json::json!({
            "prompt_token_ids": generation.prompt_token_ids,
            "token_ids": generation.token_ids,
            "text": generation.text,
            "finish_reason": finish_reason,
            "stop": match &generation.finish { FinishReason::Stop(s) => Some(s), _ => None },
            "prefill_ms": generation.prefill_ms,
            "decode_ms": generation.decode_ms,
        });
        writeln!(out)?;
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}
