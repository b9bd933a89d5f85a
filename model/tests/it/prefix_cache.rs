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
