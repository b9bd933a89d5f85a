//! Batched decoding of n samples of one prompt (`Backend::generate_batch`) against `generate` one sample at
//! a time, on the tiny Qwen3 checkpoint.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use engine::model::{LoadOptions, LocalModel};
use engine::{Backend, CancellationToken, Error, FinishReason, Prompt, SamplingParams};

fn load() -> LocalModel {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/models/qwen3-tiny");
    LocalModel::load(&LoadOptions {
        source: dir.display().to_string(),
        dtype: Some("f32".into()),
        device: Some("cpu".into()),
        ..LoadOptions::default()
    })
    .unwrap()
}

fn prompt() -> Prompt {
    Prompt::Text("def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n".into())
}

fn single(model: &LocalModel, params: &SamplingParams) -> engine::Generation {
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
