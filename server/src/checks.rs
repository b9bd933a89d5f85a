//! When the server's own checks (`crate::diagnostics`) run, and their publishing. Each check is a task
//! keyed by document: a newer trigger for the same document supersedes an older one that has not
//! published yet, so a burst of edits or saves publishes once, for the latest text.

use std::sync::Arc;
use std::time::Duration;

use engine::actions::{TestJob, TestReport, TestRunner};
use engine::{Document, Language};
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticRelatedInformation, Location, Uri};

use crate::convert;
use crate::diagnostics::{Failure, Trigger, diagnostic, failures, line_text, syntax_errors};
use crate::session::Session;

/// How long the syntax check waits after an edit (typing mid-expression is always broken for a moment).
const CHANGE_DEBOUNCE: Duration = Duration::from_millis(400);
/// How long the test run waits after a save, so that a burst of saves runs the tests once.
const SAVE_DEBOUNCE: Duration = Duration::from_millis(300);

/// Schedules the checks `trigger` calls for on `uri`; returns at once.
pub fn schedule(session: &Arc<Session>, uri: &Uri, trigger: Trigger) {
    let generation = session.diagnostics.begin(uri.as_str());
    let session = Arc::clone(session);
    let uri = uri.clone();
    tokio::spawn(async move {
        let delay = match trigger {
            Trigger::Open => Duration::ZERO,
            Trigger::Change => CHANGE_DEBOUNCE,
            Trigger::Save => SAVE_DEBOUNCE,
        };
        tokio::time::sleep(delay).await;
        if session.diagnostics.is_current(uri.as_str(), generation) {
            check(&session, &uri, trigger, generation).await;
        }
    });
}

/// Forgets `uri` and clears what was published for it.
pub async fn close(session: &Session, uri: Uri) {
    session.diagnostics.lock().remove(uri.as_str());
    session
        .client
        .publish_diagnostics(uri, Vec::new(), None)
        .await;
}

async fn check(session: &Arc<Session>, uri: &Uri, trigger: Trigger, generation: u64) {
    let Ok(snapshot) = session.snapshot(uri.as_str()) else {
        return;
    };
    let document = &snapshot.document;
    if document.language != Language::Python {
        return;
    }
    let options = snapshot.settings.diagnostics.clone();
    let encoding = snapshot.encoding;
    // The background parse makes the tree; the check waits for it rather than parse by itself, then
    // reads the tree and the text on the blocking pool, never on the runtime's workers, which carry
    // the transport.
    if !session.background_tree(uri.as_str(), document).await {
        return;
    }
    let publish_syntax = options.syntax;
    let work = {
        let document = document.clone();
        move || {
            let syntax = syntax_errors(&document);
            let published: Vec<Diagnostic> = syntax
                .iter()
                .filter(|_| publish_syntax)
                .map(|(range, message)| {
                    diagnostic(
                        document.text(),
                        range.clone(),
                        message.clone(),
                        "syntax",
                        encoding,
                    )
                })
                .collect();
            (syntax, published)
        }
    };
    let (syntax, mut published) = match tokio::task::spawn_blocking(work).await {
        Ok(found) => found,
        Err(error) => {
            tracing::error!("the syntax check of {} failed: {error}", uri.as_str());
            return;
        }
    };

    let tests = if trigger == Trigger::Save && options.run_tests && syntax.is_empty() {
        match run_file_tests(session, document).await {
            Some(failures) => Some(failures),
            None => Some(Vec::new()), // no tests in the file, or no sandbox: nothing fails
        }
    } else if !options.run_tests {
        Some(Vec::new())
    } else {
        None // keep the last run's failures where their lines are unchanged
    };

    let failures = {
        let mut documents = session.diagnostics.lock();
        let Some(entry) = documents
            .get_mut(uri.as_str())
            .filter(|e| e.generation == generation)
        else {
            return; // superseded while the tests ran
        };
        match tests {
            Some(failures) => {
                entry.tests = failures
                    .into_iter()
                    .map(|f| (line_text(document.text(), f.range.start).to_owned(), f))
                    .collect();
            }
            None => {
                let text = document.text();
                entry.tests.retain(|(line, f)| {
                    f.range.end <= text.len()
                        && text.is_char_boundary(f.range.start)
                        && line_text(text, f.range.start) == line
                });
            }
        }
        entry
            .tests
            .iter()
            .map(|(_, f)| f.clone())
            .collect::<Vec<_>>()
    };
    for failure in failures {
        let mut d = diagnostic(
            document.text(),
            failure.range.clone(),
            failure.message,
            "test",
            encoding,
        );
        if let Some(check) = failure.check {
            d.related_information = Some(vec![DiagnosticRelatedInformation {
                location: Location {
                    uri: uri.clone(),
                    range: convert::range(document.text(), check, encoding),
                },
                message: "the failing check".to_owned(),
            }]);
        }
        published.push(d);
    }
    session
        .client
        .publish_diagnostics(uri.clone(), published, Some(snapshot.version))
        .await;
}

/// Runs the file's tests in the sandbox; `None` when it has none or the sandbox is unavailable.
async fn run_file_tests(session: &Session, document: &Document) -> Option<Vec<Failure>> {
    let job = engine::actions::file_tests(document.text(), document.tree()?)?;
    let runner = session.test_runner().await?;
    let report = match tokio::task::spawn_blocking(move || run_tests(runner.as_ref(), &job)).await {
        Ok(Ok(report)) => report,
        Ok(Err(error)) => {
            tracing::warn!("cannot run {}'s tests: {error}", document.uri);
            return None;
        }
        Err(join) => {
            tracing::warn!("running {}'s tests crashed: {join}", document.uri);
            return None;
        }
    };
    tracing::info!(
        "tests of {}: {:?}, {} cases",
        document.uri,
        report.verdict,
        report.cases.len()
    );
    Some(failures(document, &report))
}

/// The one call into the test-runner seam (`engine::actions::TestRunner`): the job `engine::actions`
/// builds for the file, so the diagnostics and "Fix this" judge by the same tests.
fn run_tests(runner: &dyn TestRunner, job: &TestJob) -> Result<TestReport, String> {
    runner.run_tests(job)
}
