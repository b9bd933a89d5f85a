//! The code actions' [`TestRunner`] over the sandbox: the one place that knows both, so the engine
//! never depends on the sandbox. A job's tests and its code run in separate interpreters
//! ([`sandbox::Sandbox::judge`]), the same harness `evals` scores with.

use std::sync::Arc;

use engine::actions::{TestCase, TestJob, TestReport, TestRunner, TestVerdict};
use sandbox::{Limits, Sandbox, Trial, TrialVerdict};

/// The sandbox, as the code actions see it.
pub struct SandboxTests(pub Sandbox);

impl TestRunner for SandboxTests {
    fn run_tests(&self, job: &TestJob) -> Result<TestReport, String> {
        let trial = Trial {
            code: job.code.clone(),
            bind: job
                .calls
                .iter()
                .map(|name| (name.clone(), name.clone()))
                .collect(),
            tests: job.tests.clone(),
            ..Trial::default()
        };
        let limits = Limits {
            timeout: job.timeout,
            ..Limits::default()
        };
        let outcome = self
            .0
            .judge_blocking(&trial, &limits)
            .map_err(|e| e.to_string())?;
        let verdict = match outcome.verdict {
            TrialVerdict::Passed => TestVerdict::Passed,
            TrialVerdict::Failed => TestVerdict::Failed,
            TrialVerdict::Error => TestVerdict::Error,
            TrialVerdict::Timeout => TestVerdict::Timeout,
            TrialVerdict::MemoryLimit | TrialVerdict::OutputLimit => TestVerdict::LimitExceeded,
            TrialVerdict::CodeExited => TestVerdict::CodeExited,
            TrialVerdict::Unsupported => TestVerdict::Unsupported,
        };
        let cases = outcome
            .cases
            .iter()
            .map(|case| TestCase {
                name: case.name.clone(),
                passed: case.passed,
                message: case.message.clone(),
                line: case.line,
            })
            .collect();
        let detail = (verdict != TestVerdict::Passed)
            .then(|| outcome.detail())
            .flatten();
        Ok(TestReport {
            verdict,
            cases,
            detail,
        })
    }
}

/// Opens the Python sandbox that runs a fix's tests. Blocking: loading the cached compiled runtime
/// takes milliseconds, compiling it the first time tens of seconds.
pub fn open() -> Result<Arc<dyn TestRunner>, String> {
    let sandbox = Sandbox::new(&sandbox::Config::default()).map_err(|e| e.to_string())?;
    tracing::info!("Python sandbox ready: {:?}", sandbox.load_stats());
    Ok(Arc::new(SandboxTests(sandbox)))
}
