//! Batched decoding on the tiny Qwen3 checkpoint: n samples of one prompt (`Backend::generate_batch`),
//! different prompts queued together (`LocalModel::generate_many`) and concurrent `generate` calls from
//! threads (continuous batching), each against `generate` one request at a time.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::{Arc, Barrier};

use model::{Backend, CancellationToken, Error, FinishReason, Prompt, SamplingParams};
use model::{LoadOptions, LocalModel};

fn load() -> LocalModel {
    crate::reference::load_fresh("qwen3-tiny")
}

fn prompt() -> Prompt {
    Prompt::Text("def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n".into())
}

fn single(model: &LocalModel, params: &SamplingParams) -> model::Generation {
    model
        .generate(&prompt(), params, &CancellationToken::new(), &mut |_| {})
        .unwrap()
}

#[test]
fn greedy_rows_equal_the_single_sequence_output() {
    let model = load();
    let params = SamplingParams {
        max_tokens: 24,
        ..SamplingParams::default()
    };
    let want = single(&model, &params);
    let batch = model
        .generate_batch(
            &prompt(),
            &vec![params.clone(); 4],
            &CancellationToken::new(),
        )
        .unwrap();
    assert_eq!(batch.len(), 4);
    for row in &batch {
        assert_eq!(row.token_ids, want.token_ids);
        assert_eq!(row.text, want.text);
        assert_eq!(row.finish, want.finish);
    }
    // Batch of one is `generate`.
    let one = model
        .generate_batch(
            &prompt(),
            std::slice::from_ref(&params),
            &CancellationToken::new(),
        )
        .unwrap();
    assert_eq!(one[0].token_ids, want.token_ids);
}

#[test]
fn sampled_row_i_equals_generate_with_seed_i() {
    let model = load();
    let params: Vec<SamplingParams> = (0..4)
        .map(|i| SamplingParams {
            max_tokens: 24,
            temperature: 1.0,
            top_p: Some(0.95),
            seed: 1000 + i,
            ..SamplingParams::default()
        })
        .collect();
    let batch = model
        .generate_batch(&prompt(), &params, &CancellationToken::new())
        .unwrap();
    for (p, row) in params.iter().zip(&batch) {
        let want = single(&model, p);
        assert_eq!(row.token_ids, want.token_ids, "seed {}", p.seed);
        assert_eq!(row.text, want.text, "seed {}", p.seed);
    }
    // Different seeds draw different samples.
    assert!(batch.iter().any(|r| r.token_ids != batch[0].token_ids));
}

#[test]
fn rows_stop_on_their_own_stop_strings_and_max_tokens() {
    let model = load();
    let base = SamplingParams {
        max_tokens: 24,
        ..SamplingParams::default()
    };
    let full = single(&model, &base);
    assert!(full.text.chars().count() > 4, "{:?}", full.text);
    // A stop string taken from the middle of the greedy text.
    let cut: String = full
        .text
        .chars()
        .skip(full.text.chars().count() / 2)
        .take(2)
        .collect();
    let stop = SamplingParams {
        stop: vec![cut.clone()],
        ..base.clone()
    };
    let short = SamplingParams {
        max_tokens: 3,
        ..base.clone()
    };
    let params = vec![base.clone(), stop.clone(), short.clone()];
    let batch = model
        .generate_batch(&prompt(), &params, &CancellationToken::new())
        .unwrap();
    assert_eq!(batch[0].token_ids, full.token_ids);
    let want_stop = single(&model, &stop);
    assert_eq!(batch[1].finish, FinishReason::Stop(cut));
    assert_eq!(
        (&batch[1].text, &batch[1].token_ids, &batch[1].finish),
        (&want_stop.text, &want_stop.token_ids, &want_stop.finish)
    );
    assert_eq!(batch[2].token_ids.len(), 3);
    assert_eq!(batch[2].finish, FinishReason::Length);
    assert_eq!(batch[2].token_ids, full.token_ids[..3]);
}

#[test]
fn cancelled_batch_returns_cancelled() {
    let model = load();
    let cancel = CancellationToken::new();
    cancel.cancel();
    let params = vec![SamplingParams::default(); 3];
    assert!(matches!(
        model.generate_batch(&prompt(), &params, &cancel),
        Err(Error::Cancelled)
    ));
    // The model still works afterwards, and the prompt's cache is reused.
    let out = model
        .generate_batch(&prompt(), &params, &CancellationToken::new())
        .unwrap();
    assert_eq!(out.len(), 3);
}

/// Prompts of different lengths, so the rows of a batch sit at different positions.
fn prompts() -> Vec<Prompt> {
    [
        "import os\n\ndef list_files(path):\n",
        "class Stack:\n    def __init__(self):\n        self.items = []\n\n    def push(self, x):\n",
        "x = ",
        "def quicksort(xs):\n    if len(xs) <= 1:\n        return xs\n    pivot = xs[0]\n",
    ]
    .into_iter()
    .map(|p| Prompt::Text(p.into()))
    .collect()
}

fn params_for(i: usize) -> SamplingParams {
    SamplingParams {
        // Rows leave at different steps; the odd ones sample (each with its own seed).
        max_tokens: [20, 7, 30, 12][i % 4],
        temperature: if i % 2 == 1 { 0.8 } else { 0.0 },
        seed: 7 + i as u64,
        ..SamplingParams::default()
    }
}

/// The prompts with their parameters.
fn requests() -> Vec<(Prompt, SamplingParams)> {
    prompts()
        .into_iter()
        .enumerate()
        .map(|(i, p)| (p, params_for(i)))
        .collect()
}

/// Each request alone, on a fresh model.
fn one_at_a_time(requests: &[(Prompt, SamplingParams)]) -> Vec<model::Generation> {
    let model = load();
    requests
        .iter()
        .map(|(prompt, p)| {
            model
                .generate(prompt, p, &CancellationToken::new(), &mut |_| {})
                .unwrap()
        })
        .collect()
}

#[test]
fn different_prompts_decode_together_and_match_one_at_a_time() {
    let requests = requests();
    let want = one_at_a_time(&requests);
    let model = load();
    let got = model
        .generate_many(&requests, &CancellationToken::new())
        .unwrap();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(
            (&g.token_ids, &g.text, &g.finish),
            (&w.token_ids, &w.text, &w.finish),
            "request {i}"
        );
    }
    let stats = model.batch_stats();
    assert!(
        stats.max_rows >= 3,
        "the requests were queued together, so they decoded together: {stats:?}"
    );
    assert!(stats.rows > stats.steps, "{stats:?}");
}

/// Every row greedy: their tokens are taken for the whole batch at once (one argmax over the batch's
/// logits); each row must still get its own.
#[test]
fn all_greedy_rows_of_different_prompts_match_one_at_a_time() {
    let requests: Vec<(Prompt, SamplingParams)> = prompts()
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let params = SamplingParams {
                max_tokens: [20, 7, 30, 12][i % 4],
                ..SamplingParams::default()
            };
            (p, params)
        })
        .collect();
    let want = one_at_a_time(&requests);
    let model = load();
    let got = model
        .generate_many(&requests, &CancellationToken::new())
        .unwrap();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(
            (&g.token_ids, &g.finish),
            (&w.token_ids, &w.finish),
            "request {i}"
        );
    }
    // Different prompts give different continuations, so a row given another's token would show.
    assert_ne!(want[0].token_ids, want[2].token_ids);
    assert!(
        model.batch_stats().max_rows >= 3,
        "{:?}",
        model.batch_stats()
    );
}

#[test]
fn concurrent_generate_calls_match_one_at_a_time() {
    let requests = requests();
    let want = one_at_a_time(&requests);
    let model = Arc::new(load());
    let start = Arc::new(Barrier::new(requests.len()));
    let threads: Vec<_> = requests
        .into_iter()
        .map(|(prompt, p)| {
            let (model, start) = (model.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let mut streamed = String::new();
                let g = model
                    .generate(&prompt, &p, &CancellationToken::new(), &mut |t| {
                        streamed.push_str(t)
                    })
                    .unwrap();
                (g, streamed)
            })
        })
        .collect();
    for (i, (t, w)) in threads.into_iter().zip(&want).enumerate() {
        let (g, streamed) = t.join().unwrap();
        assert_eq!(
            (&g.token_ids, &g.text),
            (&w.token_ids, &w.text),
            "request {i}"
        );
        assert_eq!(streamed, g.text, "request {i} streams exactly its own text");
    }
}

#[test]
fn a_cancelled_request_leaves_the_batch_and_the_others_finish() {
    let requests: Vec<(Prompt, SamplingParams)> = prompts()
        .into_iter()
        .take(2)
        .map(|p| {
            let params = SamplingParams {
                max_tokens: 30,
                ..SamplingParams::default()
            };
            (p, params)
        })
        .collect();
    let want = one_at_a_time(&requests);
    let model = Arc::new(load());
    let start = Arc::new(Barrier::new(2));
    let long = {
        let (model, start, (prompt, p)) = (model.clone(), start.clone(), requests[0].clone());
        std::thread::spawn(move || {
            start.wait();
            model
                .generate(&prompt, &p, &CancellationToken::new(), &mut |_| {})
                .unwrap()
        })
    };
    start.wait();
    let cancel = CancellationToken::new();
    let (prompt, p) = &requests[1];
    let cancelled = model.generate(prompt, p, &cancel, &mut |_| cancel.cancel());
    assert!(matches!(cancelled, Err(Error::Cancelled)), "{cancelled:?}");
    assert_eq!(long.join().unwrap().token_ids, want[0].token_ids);
    // The model goes on serving after a request left mid-batch.
    let again = model
        .generate(prompt, p, &CancellationToken::new(), &mut |_| {})
        .unwrap();
    assert_eq!(again.token_ids, want[1].token_ids);
}

/// GGUF files load into the same model as safetensors checkpoints (they once ran on a separate
/// implementation whose cache could only be cleared): requests batch, and a repeated prompt reuses
/// its cached prefix.
#[test]
fn gguf_models_batch_and_reuse_prefixes() {
    batches_and_reuses_prefixes_of_the_gguf(None);
}

/// The same with an int8 KV cache: its rows are read by the decode kernel and, for prefill after a
/// reused prefix, dequantized.
#[test]
fn an_int8_kv_cache_batches_and_reuses_prefixes() {
    batches_and_reuses_prefixes_of_the_gguf(Some("int8"));
}

fn batches_and_reuses_prefixes_of_the_gguf(kv_cache: Option<&str>) {
    let gguf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/models/qwen3-tiny/qwen3-tiny-q8_0.gguf");
    let load_gguf = || {
        LocalModel::load(&LoadOptions {
            source: gguf.display().to_string(),
            device: Some(model::options::DeviceSpec::Cpu),
            kv_cache: kv_cache.map_or(Default::default(), |kv| kv.parse().unwrap()),
            ..LoadOptions::default()
        })
        .unwrap()
    };
    let requests: Vec<(Prompt, SamplingParams)> = prompts()
        .into_iter()
        .take(3)
        .enumerate()
        .map(|(i, p)| (p, params_for(i)))
        .collect();
    let alone = load_gguf();
    let want: Vec<model::Generation> = requests
        .iter()
        .map(|(prompt, p)| {
            alone
                .generate(prompt, p, &CancellationToken::new(), &mut |_| {})
                .unwrap()
        })
        .collect();
    let model = load_gguf();
    let got = model
        .generate_many(&requests, &CancellationToken::new())
        .unwrap();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(
            (&g.token_ids, &g.finish),
            (&w.token_ids, &w.finish),
            "request {i}"
        );
    }
    let stats = model.batch_stats();
    assert!(stats.max_rows >= 3, "{stats:?}");

    let (prompt, params) = &requests[0];
    let prompt_len = model.encode_prompt(prompt).unwrap().len();
    let again = model
        .generate(prompt, params, &CancellationToken::new(), &mut |_| {})
        .unwrap();
    assert_eq!(again.token_ids, want[0].token_ids);
    assert_eq!(model.last_reused_tokens(), prompt_len - 1);
    assert!(model.weight_bytes() > 0);
}
