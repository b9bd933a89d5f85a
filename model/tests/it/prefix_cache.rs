//! The prefix cache across requests: alternating prompts find their own keys/values again, outputs
//! equal cold runs, edits of one prompt reuse it in place, and the byte bound evicts.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use model::{Backend, CancellationToken, Prompt, SamplingParams};
use model::{LoadOptions, LocalModel};

fn load() -> LocalModel {
    crate::reference::load_fresh("qwen3-tiny")
}

fn run(m: &LocalModel, prompt: &str) -> Vec<u32> {
    let params = SamplingParams {
        max_tokens: 8,
        ..SamplingParams::default()
    };
    m.generate(
        &Prompt::Text(prompt.into()),
        &params,
        &CancellationToken::new(),
        &mut |_| {},
    )
    .unwrap()
    .token_ids
}

fn tokens(m: &LocalModel, text: &str) -> usize {
    m.count_tokens(text).unwrap()
}

/// Tokens at the start of `a` and `b` that encode the same (the shared preamble, as the model sees it).
fn common(m: &LocalModel, a: &str, b: &str) -> usize {
    let (a, b) = (
        m.tokenizer().encode(a).unwrap(),
        m.tokenizer().encode(b).unwrap(),
    );
    a.iter().zip(&b).take_while(|(x, y)| x == y).count()
}

const PREAMBLE: &str = "# repo: shop\n";

fn file_a() -> String {
    format!(
        "{PREAMBLE}def total(items):\n    s = 0\n    for i in items:\n        s += i.price * i.qty\n    return s\n\n\
         def tax(amount, rate=0.2):\n    return round(amount * rate, 2)\n\n\ndef "
    )
}

fn file_b() -> String {
    format!(
        "{PREAMBLE}class Cart:\n    def __init__(self):\n        self.items = []\n\n    def add(self, item):\n\
         \x20       self.items.append(item)\n\n    def "
    )
}

#[test]
fn alternating_prompts_reuse_their_own_cache_and_match_cold_runs() {
    let (a, b) = (file_a(), file_b());
    let cold_a = run(&load(), &a);
    let cold_b = run(&load(), &b);

    let m = load();
    assert_eq!(run(&m, &a), cold_a);
    assert_eq!(m.last_reused_tokens(), 0);
    assert_eq!(run(&m, &b), cold_b);
    // B shares only the preamble with A, and runs on a copy of it: A's cache stays whole.
    let shared = common(&m, &a, &b);
    assert!(shared >= tokens(&m, PREAMBLE) - 1, "{shared}");
    assert_eq!(m.last_reused_tokens(), shared);
    assert_eq!(m.cached_sequences(), 2);

    // A again: everything but the token that must run for its logits comes from A's own cache.
    assert_eq!(run(&m, &a), cold_a);
    assert_eq!(m.last_reused_tokens(), tokens(&m, &a) - 1);
    assert_eq!(run(&m, &b), cold_b);
    assert_eq!(m.last_reused_tokens(), tokens(&m, &b) - 1);
}

#[test]
fn the_same_prompt_again_and_an_edit_reuse_one_sequence_in_place() {
    let a = file_a();
    let m = load();
    run(&m, &a);
    // Evals' n samples: the same prompt; the previous answer is dropped, nothing is copied.
    run(&m, &a);
    assert_eq!(m.last_reused_tokens(), tokens(&m, &a) - 1);
    assert_eq!(m.cached_sequences(), 1);
    // A keystroke near the end: the edited prompt keeps most of A, so A is truncated, not kept.
    let edited = format!("{a}r");
    let cold = run(&load(), &edited);
    assert_eq!(run(&m, &edited), cold);
    assert!(m.last_reused_tokens() >= tokens(&m, &a) - 2);
    assert_eq!(m.cached_sequences(), 1);
}

#[test]
fn a_cancelled_request_leaves_its_prompt_cached_for_the_next_keystroke() {
    let a = file_a();
    let m = load();
    let cancel = CancellationToken::new();
    let params = SamplingParams {
        max_tokens: 8,
        ..SamplingParams::default()
    };
    let out = m.generate(&Prompt::Text(a.clone()), &params, &cancel, &mut |_| {
        cancel.cancel()
    });
    assert!(out.is_err(), "{out:?}");
    // The editor's next request (one more character typed) finds the cancelled one's keys/values.
    let edited = format!("{a}r");
    let cold = run(&load(), &edited);
    assert_eq!(run(&m, &edited), cold);
    assert!(m.last_reused_tokens() >= tokens(&m, &a) - 2);
    assert_eq!(m.cached_sequences(), 1);
}

#[test]
fn the_byte_bound_evicts_the_least_recently_used_sequence() {
    let (a, b) = (file_a(), file_b());
    let m = load();
    // qwen3-tiny: 2 layers x (k, v) x 2 KV heads x 16 x 4 bytes, in blocks of 256 positions = 128 KiB
    // per sequence of these prompts. Room for one only: B's arrival evicts A.
    m.set_prefix_cache_bytes(200 << 10);
    run(&m, &a);
    run(&m, &b);
    assert_eq!(m.cached_sequences(), 1);
    run(&m, &a);
    assert_eq!(
        m.last_reused_tokens(),
        common(&m, &a, &b),
        "only the preamble, from B"
    );

    // Room for two: both stay, until a third evicts the least recently used (A, after B was used).
    m.clear_cache();
    m.set_prefix_cache_bytes(300 << 10);
    run(&m, &a);
    run(&m, &b);
    assert_eq!(m.cached_sequences(), 2);
    let c = "import os\nprint(os.getcwd())\n";
    run(&m, c);
    assert_eq!(m.cached_sequences(), 2);
    run(&m, &b);
    assert_eq!(m.last_reused_tokens(), tokens(&m, &b) - 1);
    run(&m, &a);
    assert_eq!(m.last_reused_tokens(), common(&m, &a, &b), "A was evicted");
}

#[test]
fn load_options_set_the_budget() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/models/qwen3-tiny");
    let m = LocalModel::load(&LoadOptions {
        source: dir.display().to_string(),
        dtype: Some(model::options::WeightDtype::F32),
        device: Some(model::options::DeviceSpec::Cpu),
        prefix_cache_mb: Some(0),
        ..LoadOptions::default()
    })
    .unwrap();
    // No room for anything but the sequence in use.
    run(&m, &file_a());
    run(&m, &file_b());
    assert_eq!(m.cached_sequences(), 1);
    assert_eq!(load().cached_sequences(), 0);
    let m = load();
    run(&m, &file_a());
    run(&m, &file_b());
    assert_eq!(m.cached_sequences(), 2, "the default budget keeps both");
}

/// Waits for the model's warm-ups to finish (a guard against a hang, not a timing).
fn wait_warm(m: &LocalModel) {
    let start = std::time::Instant::now();
    while m.warming() {
        assert!(
            start.elapsed().as_secs() < 120,
            "the warm-up never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[test]
fn a_warmed_file_serves_a_request_anywhere_in_it_from_the_cache() {
    // Warmed as if the cursor were at the end of the file; the request comes for an edit in its middle.
    let a = file_a();
    let whole = format!("{a}discount(amount):\n    return amount * 0.9\n");
    let request = format!("{a}dis");
    let cold = run(&load(), &request);

    let m = load();
    m.warm(&Prompt::Text(whole.clone())).unwrap();
    wait_warm(&m);
    assert_eq!(run(&m, &request), cold, "warming changes nothing but speed");
    let shared = common(&m, &whole, &request);
    assert!(shared > tokens(&m, &a) - 2, "{shared}");
    assert_eq!(m.last_reused_tokens(), shared.min(tokens(&m, &request) - 1));
}

#[test]
fn requests_during_a_warm_up_are_answered_as_cold_and_the_warm_up_still_lands() {
    let (a, b) = (file_a(), file_b());
    let long_b = b.repeat(12);
    let cold_a = run(&load(), &a);
    let m = load();
    // Warm a long prompt, and ask for another at once: the request goes between warm-up chunks.
    m.warm(&Prompt::Text(long_b.clone())).unwrap();
    assert_eq!(run(&m, &a), cold_a);
    wait_warm(&m);
    run(&m, &long_b);
    assert_eq!(m.last_reused_tokens(), tokens(&m, &long_b) - 1);
    // A's cache was kept beside the warmed one.
    run(&m, &a);
    assert_eq!(m.last_reused_tokens(), tokens(&m, &a) - 1);
}

#[test]
fn warming_a_prompt_the_model_cannot_hold_is_an_error_and_warms_nothing() {
    let m = load();
    let huge = "x = 1\n".repeat(2_000);
    let err = m.warm(&Prompt::Text(huge)).unwrap_err();
    assert!(err.to_string().contains("context"), "{err}");
    assert!(!m.warming());
    assert_eq!(m.cached_sequences(), 0);
}

fn estimate(m: &LocalModel, text: &str) -> Option<model::PrefillEstimate> {
    m.prefill_estimate(&Prompt::Text(text.into())).unwrap()
}

#[test]
fn the_prefill_estimate_counts_what_the_cache_lacks_at_the_measured_speed() {
    let m = load();
    let (a, b) = (file_a(), file_b());
    assert_eq!(estimate(&m, &a), None, "no prefill measured yet");
    run(&m, &a);
    let cached = estimate(&m, &a).unwrap();
    assert_eq!(
        cached.uncached_tokens, 1,
        "the last prompt token always runs"
    );
    assert!(cached.ms > 0.0 && cached.ms.is_finite(), "{cached:?}");

    // An edit at the end of A: the tokens from the edit on; another file: all but the preamble.
    let edited = format!("{a}discount(amount):\n    return amount\n");
    let lacking = tokens(&m, &edited) - common(&m, &a, &edited).min(tokens(&m, &a));
    assert_eq!(estimate(&m, &edited).unwrap().uncached_tokens, lacking);
    let other = estimate(&m, &b).unwrap();
    assert_eq!(other.uncached_tokens, tokens(&m, &b) - common(&m, &a, &b));
    let per_token = |e: model::PrefillEstimate| e.ms / e.uncached_tokens as f64;
    assert!((per_token(other) - per_token(cached)).abs() < 1e-9 * per_token(cached));

    // A sequence counts while it is parked, and after the cache is cleared nothing does.
    run(&m, &b);
    assert_eq!(estimate(&m, &a).unwrap().uncached_tokens, 1);
    m.clear_cache();
    assert_eq!(estimate(&m, &a).unwrap().uncached_tokens, tokens(&m, &a));
}

#[test]
fn the_newest_warm_up_runs_to_its_end_before_an_older_one_goes_on() {
    // Two prompts of several warm-up chunks each, queued one after the other: the newer one (the
    // cold-cache prompt of a file just opened) must be whole before the older one takes a turn.
    let m = load();
    let older = format!("# older\n{}", file_a().repeat(6));
    let newer = format!("# newer\n{}", file_b().repeat(6));
    let (older_len, newer_len) = (tokens(&m, &older), tokens(&m, &newer));
    assert!(
        older_len > 3 * 64 && newer_len > 3 * 64,
        "{older_len} {newer_len}"
    );
    run(&m, &file_a()); // measures the prefill speed, so that estimates exist
    m.warm(&Prompt::Text(older.clone())).unwrap();
    m.warm(&Prompt::Text(newer.clone())).unwrap();
    let start = std::time::Instant::now();
    let mut seen_older_going = false;
    while m.warming() {
        assert!(
            start.elapsed().as_secs() < 120,
            "the warm-up never finished"
        );
        let older_done = older_len - estimate(&m, &older).unwrap().uncached_tokens;
        let newer_done = newer_len - estimate(&m, &newer).unwrap().uncached_tokens;
        // The older one may have run one chunk before the newer one was queued.
        if older_done > 64 + 8 {
            seen_older_going = true;
            assert_eq!(newer_done, newer_len - 1, "the older warm-up went on first");
        }
    }
    assert_eq!(estimate(&m, &newer).unwrap().uncached_tokens, 1);
    assert_eq!(estimate(&m, &older).unwrap().uncached_tokens, 1);
    // Not a timing: the older prompt has more chunks left than one poll can miss.
    assert!(
        seen_older_going || older_len < 64,
        "never saw the older warm-up run"
    );
}
