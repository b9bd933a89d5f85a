//! Continuous batching: concurrent requests on one model decode together, joining and
//! leaving the batch as they start and finish.
//!
//! One worker thread per model owns every sequence being decoded. A request enters a queue and waits
//! on a channel for its streamed text and its answer. Each turn of the worker's loop:
//!
//! 1. Admit: the oldest waiting request runs one prefill step through the model's active cache and
//!    prefix cache, exactly as a lone request would (so it reuses cached prefixes, and what it prefills
//!    stays cached for the next request). The step is [`PREFILL_CHUNK`] tokens when nothing else is
//!    decoding and [`BUSY_PREFILL_CHUNK`] when others are, so a long new prompt does not stall them for
//!    seconds. Once its prompt is in, the request takes the prompt's keys/values along (a copy, when more
//!    requests wait behind it: n samples of one prompt all start from it) and joins.
//! 2. Decode: every joined sequence runs one token in a single forward pass ([`Qwen::forward_rows`]:
//!    projections and MLPs for all rows at once, so the weights are read once per step; attention per
//!    row over its own cache, so rows can be at any position).
//! 3. Leave: a sequence that finished (EOS, stop string, `max_tokens`), was cancelled, or whose caller
//!    went away leaves at once; its answer goes back, and its cache (prompt and answer) goes back to the
//!    prefix cache, so the next keystroke finds a cancelled request's prompt.
//!
//! When nothing waits and nothing decodes, the worker warms: it prefills prompts given to
//! [`Batcher::warm`] into the cache, a chunk per turn (about 100 ms of work, 32 to 64 tokens; see
//! [`WARM_CHUNK`]), so a request that arrives waits for at most one chunk, and a warmed prompt that a
//! request interrupted goes on from where it stopped.
//! The newest warm-up goes first: it is the best guess of where the user types next. It runs to its end
//! unless a newer one comes, which then goes first.
//!
//! A lone sequence decodes through [`Qwen::forward`] on its own cache. When it decodes alone (the
//! editor's case) and its own tokens suggest what comes next ([`speculative::propose`]), a step
//! checks those drafts instead: one pass over its next token and the drafts
//! ([`Qwen::forward_verify`], every row as a decode step would compute it), then the sampler takes
//! the rows in order, keeping drafts while they are what it chose ([`Decoding::step_draft`]); the
//! cache is cut back past the first row it did not keep. Its output is the plain decode's: the same
//! tokens, greedy or sampled (the sampler draws once per token either way, see
//! `Sampler::sample_draft`). Models whose kernels would not compute the rows exactly (dense f32
//! weights) do not speculate ([`Qwen::verify_rows`]). Each sequence adapts how many drafts it checks
//! ([`speculative::next_draft_limit`]): more while they are kept, down to one while they are refused.
//!
//! A failure (or a panic) in a step fails the requests in that step with an error, never the worker.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;

use candle_core::Tensor;

use tokio_util::sync::CancellationToken;

use crate::backend::Generation;
use crate::error::{Error, Result};
use crate::generate::{self, CacheState, Decoding};
use crate::kv_cache::KvCache;
use crate::qwen::Qwen;
use crate::runner::{Core, PREFILL_CHUNK, Runner, State};
use crate::sampling::SamplingParams;
use crate::speculative;

/// Counters of the batching worker, cumulative since the model loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Decode steps run (one forward pass each).
    pub steps: usize,
    /// Sequences decoded, summed over the steps (`rows / steps` is the mean batch size).
    pub rows: usize,
    /// The largest number of sequences decoded in one step.
    pub max_rows: usize,
    /// Of `steps`, those that checked speculative drafts (one sequence, one pass over its next token
    /// and the drafts).
    pub verify_steps: usize,
    /// Draft tokens proposed in those passes.
    pub drafted: usize,
    /// Draft tokens the sampler kept (each one a decode step saved).
    pub accepted: usize,
}

/// Prefill chunk while other sequences are decoding: they wait for it once per step.
pub(crate) const BUSY_PREFILL_CHUNK: usize = 64;

/// Prefill chunk of a warm-up: a request that arrives meanwhile waits for one chunk at most, so the
/// chunk is what the model prefills in [`WARM_CHUNK_MS`] at its measured speed, within these bounds.
/// Below 32 tokens a chunk costs much more per token (each one reads the weights and widens the whole
/// cache for attention): on a 2-vCPU CPU, 16-token chunks took a warm-up 35% longer than 64-token
/// ones, 32-token chunks 5%.
pub(crate) const WARM_CHUNK: usize = 64;
const MIN_WARM_CHUNK: usize = 32;
const WARM_CHUNK_MS: f64 = 100.0;
const _: () = assert!(MIN_WARM_CHUNK <= WARM_CHUNK);

/// The tokens of the next warm-up chunk (see [`WARM_CHUNK`]).
fn warm_chunk(ms_per_token: Option<f64>) -> usize {
    match ms_per_token {
        Some(ms) if ms > 0.0 => ((WARM_CHUNK_MS / ms) as usize).clamp(MIN_WARM_CHUNK, WARM_CHUNK),
        _ => MIN_WARM_CHUNK,
    }
}

/// Warm-ups kept waiting; a newer one pushes out the oldest (the editor has moved on). Room for two
/// documents, each of which may queue its whole prompt and a small one (`engine::complete::warm`).
const WARM_QUEUE: usize = 4;

/// What a request hears back.
pub(crate) enum Event {
    /// Text that is safe to show (no stop string can start in it).
    Text(String),
    Done(Result<Generation>),
}

/// A request for the worker. `max_tokens` is already cut to the context (see
/// [`generate::check_prompt`]) and is at least 1.
pub(crate) struct Job {
    prompt_ids: Vec<u32>,
    params: SamplingParams,
    max_tokens: usize,
    cancel: CancellationToken,
    events: Sender<Event>,
}

impl Job {
    pub(crate) fn new(
        prompt_ids: Vec<u32>,
        params: SamplingParams,
        max_tokens: usize,
        cancel: CancellationToken,
    ) -> (Job, Receiver<Event>) {
        let (events, rx) = channel();
        let job = Job {
            prompt_ids,
            params,
            max_tokens,
            cancel,
            events,
        };
        (job, rx)
    }

    fn done(self, result: Result<Generation>) {
        // The caller may have gone away; nothing to do then.
        let _ = self.events.send(Event::Done(result));
    }
}

/// Waits for a job's answer, passing streamed text to `on_text`. A cancellation seen after streamed
/// text (`on_text` itself may cancel) returns at once; the worker drops the job at its next step.
pub(crate) fn wait(
    rx: &Receiver<Event>,
    cancel: &CancellationToken,
    on_text: &mut dyn FnMut(&str),
) -> Result<Generation> {
    for event in rx {
        match event {
            Event::Text(text) => {
                on_text(&text);
                if cancel.is_cancelled() {
                    return Err(Error::Cancelled);
                }
            }
            Event::Done(result) => return result,
        }
    }
    Err(Error::Model("the model's batching worker stopped".into()))
}

#[derive(Default)]
struct Pending {
    jobs: VecDeque<Job>,
    /// Prompts to warm, oldest first; the newest runs first.
    warm: VecDeque<Vec<u32>>,
    /// A warm-up step is running (its prompt is out of `warm` meanwhile).
    warming: bool,
    /// [`Batcher::warm`] calls so far: a warm-up step tells by it whether a newer one came.
    warm_calls: u64,
    shutdown: bool,
}

#[derive(Default)]
struct Queue {
    pending: Mutex<Pending>,
    wake: Condvar,
    stats: Mutex<BatchStats>,
}

impl Queue {
    // Every critical section leaves both consistent: a poisoned lock is recovered as it is.
    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stats(&self) -> MutexGuard<'_, BatchStats> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The worker thread of one model and its queue; dropping it stops the worker (failing what is left).
pub(crate) struct Batcher {
    queue: Arc<Queue>,
    worker: Option<JoinHandle<()>>,
}

impl Batcher {
    pub(crate) fn start(core: Arc<Core>) -> Result<Batcher> {
        let queue = Arc::new(Queue::default());
        let worker = {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name("qwen-lsp-batcher".into())
                .spawn(move || work(&core, &queue))
                .map_err(|e| Error::Model(format!("cannot start the batching worker: {e}")))?
        };
        Ok(Batcher {
            queue,
            worker: Some(worker),
        })
    }

    pub(crate) fn stats(&self) -> BatchStats {
        *self.queue.stats()
    }

    /// Queues `jobs` together: they are admitted one after another before any later job.
    pub(crate) fn submit(&self, jobs: Vec<Job>) {
        let mut pending = self.queue.pending();
        pending.jobs.extend(jobs);
        self.queue.wake.notify_one();
    }

    /// Whether warm-ups are queued or running.
    pub(crate) fn warming(&self) -> bool {
        let pending = self.queue.pending();
        pending.warming || !pending.warm.is_empty()
    }

    /// Queues `prompt` to warm when the worker has nothing else to do (see the module docs).
    pub(crate) fn warm(&self, prompt: Vec<u32>) {
        self.queue.pending().queue_warm(prompt);
        self.queue.wake.notify_one();
    }
}

impl Pending {
    fn queue_warm(&mut self, prompt: Vec<u32>) {
        self.warm_calls += 1;
        self.warm.retain(|queued| *queued != prompt);
        self.warm.push_back(prompt);
        while self.warm.len() > WARM_QUEUE {
            self.warm.pop_front();
        }
    }
}

impl Drop for Batcher {
    fn drop(&mut self) {
        self.queue.pending().shutdown = true;
        self.queue.wake.notify_one();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// A request whose prompt is being prefilled.
struct Admission {
    job: Job,
    first_step: bool,
    started: Instant,
}

/// A sequence being decoded: its own cache and the token to feed next.
struct Sequence<'t> {
    job: Job,
    kv: KvCache,
    decoding: Decoding<'t>,
    next: u32,
    /// The most drafts its next verify pass checks (`speculative::next_draft_limit`).
    draft_limit: usize,
}

fn work(core: &Core, queue: &Queue) {
    let mut waiting: VecDeque<Job> = VecDeque::new();
    let mut admitting: Option<Admission> = None;
    let mut active: Vec<Sequence<'_>> = Vec::new();
    loop {
        let mut warm = None;
        {
            let mut pending = queue.pending();
            while pending.jobs.is_empty()
                && pending.warm.is_empty()
                && !pending.shutdown
                && waiting.is_empty()
                && admitting.is_none()
                && active.is_empty()
            {
                pending = queue
                    .wake
                    .wait(pending)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if pending.shutdown {
                let jobs = pending.jobs.drain(..).chain(waiting.drain(..));
                let jobs = jobs
                    .chain(admitting.take().map(|a| a.job))
                    .chain(active.drain(..).map(|s| s.job));
                for job in jobs {
                    job.done(Err(Error::Cancelled));
                }
                return;
            }
            waiting.extend(pending.jobs.drain(..));
            if waiting.is_empty() && admitting.is_none() && active.is_empty() {
                warm = pending
                    .warm
                    .pop_back()
                    .map(|prompt| (prompt, pending.warm_calls));
                pending.warming = warm.is_some();
            }
        }
        if let Some((prompt, calls)) = warm {
            // Requests come first: a chunk, then back to the queue, where a request that arrived
            // meanwhile is admitted before the next chunk.
            let chunk = warm_chunk(core.view().ms_per_token());
            let step = guarded(|| warm_step(core, &prompt, chunk));
            publish(core, &active);
            let mut pending = queue.pending();
            pending.warming = false;
            match step {
                Ok(true) => {}
                Ok(false) if pending.warm.contains(&prompt) => {}
                // Still the newest: it goes on at the next turn.
                Ok(false) if pending.warm_calls == calls => pending.warm.push_back(prompt),
                // Behind the newer warm-ups that came meanwhile.
                Ok(false) => pending.warm.push_front(prompt),
                Err(e) => tracing::debug!("warming a prompt failed: {e}"),
            }
            continue;
        }
        // The steps guard their own model work; this catches a panic anywhere else in a turn (a
        // sampler, a tokenizer), which fails the requests in flight instead of killing the worker
        // and leaving every later caller waiting.
        let turn = catch_unwind(AssertUnwindSafe(|| {
            turn(core, queue, &mut waiting, &mut admitting, &mut active)
        }));
        if let Err(panic) = turn {
            let error = || Error::Model(internal_error(panic.as_ref()));
            if let Some(a) = admitting.take() {
                a.job.done(Err(error()));
            }
            for seq in active.drain(..) {
                seq.job.done(Err(error()));
            }
        }
        publish(core, &active);
    }
}

/// Publishes what is cached ([`crate::runner::CacheView`]): the state's sequences and those being
/// decoded, which go back to the cache when they end.
fn publish(core: &Core, active: &[Sequence<'_>]) {
    let state = core.lock();
    let decoding = active
        .iter()
        .filter_map(|seq| seq.decoding.tokens().get(..seq.kv.len()));
    core.publish(&state, decoding);
}

/// One turn of the worker: drop cancelled requests, one prefill step of the request being admitted,
/// one decode step of every joined sequence.
fn turn<'t>(
    core: &'t Core,
    queue: &Queue,
    waiting: &mut VecDeque<Job>,
    admitting: &mut Option<Admission>,
    active: &mut Vec<Sequence<'t>>,
) {
    // Cancelled requests leave before they cost anything more.
    let (cancelled, kept): (VecDeque<Job>, VecDeque<Job>) =
        waiting.drain(..).partition(|j| j.cancel.is_cancelled());
    *waiting = kept;
    let cancelled = cancelled.into_iter().chain(
        admitting
            .take_if(|a| a.job.cancel.is_cancelled())
            .map(|a| a.job),
    );
    for job in cancelled {
        job.done(Err(Error::Cancelled));
    }
    for seq in active.extract_if(.., |s| s.job.cancel.is_cancelled()) {
        retire(core, seq, Some(Error::Cancelled));
    }

    if admitting.is_none() {
        *admitting = waiting.pop_front().map(|job| Admission {
            job,
            first_step: true,
            started: Instant::now(),
        });
    }
    if let Some(mut a) = admitting.take() {
        let chunk = if active.is_empty() {
            PREFILL_CHUNK
        } else {
            BUSY_PREFILL_CHUNK
        };
        // The last of the queue takes the prompt's cache along; with others queued behind it
        // (n samples of one prompt), it takes a copy and leaves the prompt for them.
        let share = !waiting.is_empty();
        match guarded(|| admit_step(core, &a.job.prompt_ids, chunk, a.first_step, share)) {
            Ok(None) => {
                a.first_step = false;
                *admitting = Some(a);
            }
            Ok(Some((kv, logits))) => {
                if let Some(seq) = join(core, a, kv, &logits) {
                    active.push(seq);
                }
            }
            Err(e) => a.job.done(Err(e)),
        }
    }

    if !active.is_empty() {
        let verify_rows = core.verify_rows;
        let drafts = match active.as_slice() {
            [seq] => drafts(seq, core.draft_tokens.load(Ordering::Relaxed), verify_rows),
            _ => Vec::new(),
        };
        let rows = active.len();
        let kept = if drafts.is_empty() {
            decode_step(core, active);
            None
        } else {
            Some(verify_step(core, active, &drafts))
        };
        let mut stats = queue.stats();
        stats.steps += 1;
        stats.rows += rows;
        stats.max_rows = stats.max_rows.max(rows);
        if let Some(kept) = kept {
            stats.verify_steps += 1;
            stats.drafted += drafts.len();
            stats.accepted += kept;
        }
    }
}

/// What a panic says, for the error that replaces the answer.
fn internal_error(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    format!("internal error in the model: {what}")
}

/// Runs `f`, turning a panic into an error so one bad step cannot take the worker down.
fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|panic| Err(Error::Model(internal_error(panic.as_ref()))))
}

/// One prefill step of `prompt` through the active cache (see [`generate::prefill_step`]); when the
/// prompt is in, returns the keys/values for the sequence to decode on (the active cache itself, or a
/// copy of it when `share`), and the prompt's last logits.
fn admit_step(
    core: &Core,
    prompt: &[u32],
    chunk: usize,
    first: bool,
    share: bool,
) -> Result<Option<(KvCache, Tensor)>> {
    let mut state = core.lock();
    let State {
        runner,
        cache,
        prefixes,
    } = &mut *state;
    if first {
        prefixes.select(&mut runner.cache, &mut cache.tokens, prompt)?;
    }
    let Some(logits) = prefill_step(core, runner, cache, prompt, chunk, first)? else {
        return Ok(None);
    };
    let Runner { model, cache: kv } = runner;
    let seq_kv = if share {
        kv.fork(kv.len())?
    } else {
        cache.tokens.clear();
        std::mem::replace(kv, model.new_cache())
    };
    prefixes.evict(kv);
    Ok(Some((seq_kv, logits)))
}

/// One chunk of a warm-up: makes the cached sequence that shares most with `prompt` active and
/// prefills up to `chunk` more of its tokens. `true` once the whole prompt is cached.
fn warm_step(core: &Core, prompt: &[u32], chunk: usize) -> Result<bool> {
    let mut state = core.lock();
    let State {
        runner,
        cache,
        prefixes,
    } = &mut *state;
    prefixes.select(&mut runner.cache, &mut cache.tokens, prompt)?;
    if cache.tokens.starts_with(prompt) {
        return Ok(true);
    }
    let done = prefill_step(core, runner, cache, prompt, chunk, false)?.is_some();
    prefixes.evict(&runner.cache);
    Ok(done)
}

/// [`generate::prefill_step`], timed into the prefill speed that [`crate::runner::CacheView`] keeps.
fn prefill_step(
    core: &Core,
    runner: &mut Runner,
    cache: &mut CacheState,
    prompt: &[u32],
    chunk: usize,
    first: bool,
) -> Result<Option<Tensor>> {
    let started = Instant::now();
    let (ran, logits) = generate::prefill_step(runner, cache, prompt, chunk, first)?;
    core.view()
        .record_prefill(ran, started.elapsed().as_secs_f64() * 1e3);
    Ok(logits)
}

/// Ends a sequence: its cache (prompt and the answer fed so far) goes back to the prefix cache, for the
/// next request to reuse, and the caller gets the answer or `error`.
fn retire(core: &Core, seq: Sequence<'_>, error: Option<Error>) {
    let Sequence {
        job, kv, decoding, ..
    } = seq;
    if let Some(tokens) = decoding.tokens().get(..kv.len()) {
        let mut state = core.lock();
        let State {
            runner,
            cache,
            prefixes,
        } = &mut *state;
        prefixes.give_back(
            &mut runner.cache,
            &mut cache.tokens,
            kv,
            tokens.to_vec(),
            job.prompt_ids.len(),
        );
    }
    match error {
        None => finish(job, decoding),
        Some(e) => job.done(Err(e)),
    }
}

/// Samples the first token of an admitted request; it joins the decoding set unless that already
/// finished it.
fn join<'t>(core: &'t Core, a: Admission, kv: KvCache, logits: &Tensor) -> Option<Sequence<'t>> {
    let Admission { job, started, .. } = a;
    let prefill_ms = started.elapsed().as_secs_f64() * 1e3;
    let mut decoding = Decoding::new(
        &core.tokenizer,
        job.prompt_ids.clone(),
        &job.params,
        job.max_tokens,
        prefill_ms,
    );
    let events = job.events.clone();
    let step = decoding.step(logits, &mut |text| {
        let _ = events.send(Event::Text(text.to_string()));
    });
    let mut seq = Sequence {
        job,
        kv,
        decoding,
        next: 0,
        draft_limit: core.draft_tokens.load(Ordering::Relaxed),
    };
    match step {
        Ok(Some(next)) => {
            seq.next = next;
            Some(seq)
        }
        Ok(None) => {
            retire(core, seq, None);
            None
        }
        Err(e) => {
            retire(core, seq, Some(e));
            None
        }
    }
}

fn finish(job: Job, decoding: Decoding<'_>) {
    let events = job.events.clone();
    let generation = decoding.finish(&mut |text| {
        let _ = events.send(Event::Text(text.to_string()));
    });
    job.done(Ok(generation));
}

/// One token for every active sequence, in one forward pass; finished sequences leave.
fn decode_step(core: &Core, active: &mut Vec<Sequence<'_>>) {
    let logits = guarded(|| {
        let state = core.lock();
        forward(&state.runner.model, active)
    });
    let logits = match logits {
        Ok(l) => l,
        Err(e) => {
            let message = e.to_string();
            for seq in active.drain(..) {
                seq.job.done(Err(Error::Model(message.clone())));
            }
            return;
        }
    };
    let argmax = greedy_rows(&logits, active.iter().all(|seq| seq.decoding.is_argmax()));
    let outcomes: Vec<Outcome> = active
        .iter_mut()
        .enumerate()
        .map(|(i, seq)| {
            let events = &seq.job.events;
            let mut gone = false;
            let mut on_text = |text: &str| {
                gone |= events.send(Event::Text(text.to_string())).is_err();
            };
            let step = match argmax.as_ref().and_then(|ids| ids.get(i)) {
                Some(&token) => seq.decoding.accept(token, &mut on_text),
                None => logits
                    .get(i)
                    .map_err(Error::from)
                    .and_then(|row| seq.decoding.step(&row, &mut on_text)),
            };
            match step {
                _ if gone => Outcome::Gone,
                Ok(Some(next)) => Outcome::Next(next),
                Ok(None) => Outcome::Finished,
                Err(e) => Outcome::Failed(e),
            }
        })
        .collect();
    for (mut seq, outcome) in std::mem::take(active).into_iter().zip(outcomes) {
        match outcome {
            Outcome::Next(next) => {
                seq.next = next;
                active.push(seq);
            }
            Outcome::Finished => retire(core, seq, None),
            Outcome::Failed(e) => retire(core, seq, Some(e)),
            Outcome::Gone => retire(core, seq, Some(Error::Cancelled)),
        }
    }
}

/// When every row of `logits` is `greedy`, their tokens from the device in one copy (one wait for
/// it) rather than one per row; the same argmax, so the same tokens. `None` otherwise, or should that
/// fail: then each row samples (and reports the error) on its own.
fn greedy_rows(logits: &Tensor, greedy: bool) -> Option<Vec<u32>> {
    if !greedy {
        return None;
    }
    logits
        .argmax(candle_core::D::Minus1)
        .and_then(|ids| ids.to_vec1::<u32>())
        .ok()
}

/// The drafts worth checking for `seq`'s next step: at most `max`, no more than a verify pass of
/// `verify_rows` computes exactly (none when the model's kernels cannot, see [`Qwen::verify_rows`]), and
/// no more than can be kept before `max_tokens` (the token after the last kept draft comes from the
/// same pass).
fn drafts(seq: &Sequence<'_>, max: usize, verify_rows: usize) -> Vec<u32> {
    let room = seq.decoding.remaining().saturating_sub(1);
    let max = max
        .min(seq.draft_limit)
        .min(room)
        .min(verify_rows.saturating_sub(1));
    speculative::propose(seq.decoding.tokens(), max)
}

/// A step of the lone sequence in `active` that checks `drafts` (see the module docs); returns the
/// drafts kept.
fn verify_step(core: &Core, active: &mut Vec<Sequence<'_>>, drafts: &[u32]) -> usize {
    let Some(mut seq) = active.pop() else {
        return 0;
    };
    let start = seq.kv.len();
    let mut input = Vec::with_capacity(drafts.len() + 1);
    input.push(seq.next);
    input.extend_from_slice(drafts);
    let logits = guarded(|| {
        let state = core.lock();
        Ok(state.runner.model.forward_verify(&input, &mut seq.kv)?)
    });
    let logits = match logits {
        Ok(l) => l,
        Err(e) => {
            seq.job.done(Err(Error::Model(e.to_string())));
            return 0;
        }
    };
    let argmax = greedy_rows(&logits, seq.decoding.is_argmax());
    let events = seq.job.events.clone();
    let mut gone = false;
    let mut on_text = |text: &str| {
        gone |= events.send(Event::Text(text.to_string())).is_err();
    };
    let mut rows = 0;
    let mut outcome = Outcome::Finished;
    for (i, draft) in (0..input.len()).map(|i| (i, drafts.get(i).copied())) {
        rows = i + 1;
        let step = match (argmax.as_ref().and_then(|ids| ids.get(i)), draft) {
            (Some(&token), _) => seq.decoding.accept(token, &mut on_text),
            (None, Some(draft)) => logits
                .get(i)
                .map_err(Error::from)
                .and_then(|row| seq.decoding.step_draft(&row, draft, &mut on_text)),
            (None, None) => logits
                .get(i)
                .map_err(Error::from)
                .and_then(|row| seq.decoding.step(&row, &mut on_text)),
        };
        match step {
            Ok(Some(token)) if Some(token) == draft => {}
            Ok(Some(token)) => {
                outcome = Outcome::Next(token);
                break;
            }
            Ok(None) => break,
            Err(e) => {
                outcome = Outcome::Failed(e);
                break;
            }
        }
    }
    // The cache keeps the rows whose input tokens were kept: the next token and the drafts before
    // the first row whose choice differed from its draft (or that finished the sequence).
    seq.kv.truncate(start + rows);
    let kept = rows - 1;
    match outcome {
        _ if gone => retire(core, seq, Some(Error::Cancelled)),
        Outcome::Next(next) => {
            seq.next = next;
            seq.draft_limit = speculative::next_draft_limit(
                seq.draft_limit,
                drafts.len(),
                kept,
                core.draft_tokens.load(Ordering::Relaxed),
            );
            active.push(seq);
        }
        Outcome::Failed(e) => retire(core, seq, Some(e)),
        Outcome::Finished | Outcome::Gone => retire(core, seq, None),
    }
    kept
}

/// What one decode step did to a sequence.
enum Outcome {
    /// Goes on with this token.
    Next(u32),
    Finished,
    Failed(Error),
    /// Its caller stopped listening.
    Gone,
}

/// Logits `(rows, vocab)` for one step of every sequence.
fn forward(model: &Qwen, active: &mut [Sequence<'_>]) -> Result<Tensor> {
    if let [seq] = active {
        let input = Tensor::new(&[seq.next], model.device())?.unsqueeze(0)?;
        return Ok(model.forward(&input, &mut seq.kv, false)?);
    }
    let tokens: Vec<u32> = active.iter().map(|s| s.next).collect();
    let mut caches: Vec<&mut KvCache> = active.iter_mut().map(|s| &mut s.kv).collect();
    Ok(model.forward_rows(&tokens, &mut caches)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_queue_keeps_two_documents_whole_and_small_prompts() {
        let mut pending = Pending::default();
        for prompt in [[1], [2], [3], [4]] {
            pending.queue_warm(prompt.to_vec());
        }
        assert_eq!(pending.warm, [[1], [2], [3], [4]]);
        // The same prompt again becomes the newest (it runs first); a fifth pushes out the oldest.
        pending.queue_warm(vec![2]);
        pending.queue_warm(vec![5]);
        assert_eq!(pending.warm, [[3], [4], [2], [5]]);
        assert_eq!(pending.warm_calls, 6);
    }

    #[test]
    fn a_warm_up_chunk_takes_about_its_time_within_bounds() {
        // 1 ms a token (a GPU, a fast CPU): the largest chunk; 2 ms: 50 tokens, ~100 ms.
        assert_eq!(warm_chunk(Some(1.0)), WARM_CHUNK);
        assert_eq!(warm_chunk(Some(2.0)), 50);
        // A slow CPU: no smaller than the floor, which keeps the warm-up's own speed.
        assert_eq!(warm_chunk(Some(8.0)), MIN_WARM_CHUNK);
        // Nothing measured yet (or nonsense): the floor, so the first chunk measures the speed.
        for ms in [None, Some(0.0), Some(-1.0), Some(f64::NAN)] {
            assert_eq!(warm_chunk(ms), MIN_WARM_CHUNK, "{ms:?}");
        }
    }
}
