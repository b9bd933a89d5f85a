//! Speculative decoding with prompt-lookup drafts cannot change the output: on the tiny Qwen3
//! checkpoint, with f16, bf16 and q8_0 weights (dense f32 ones do not speculate), the verify pass
//! computes every row to the bit as a decode step does, greedy generation gives the same ids, text and finish reason with speculation on
//! and off (drafts accepted and rejected; stop strings, `max_tokens` and EOS landing inside an
//! accepted draft), sampled generation gives the same samples for each seed, and the draft rule
//! keeps the model's distribution.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use model::config::RawConfig;
use model::kv_cache::KvCache;
use model::options::{DeviceSpec, Quantization, WeightDtype};
use model::qwen::Qwen;
use model::sampler::Sampler;
use model::{Backend, CancellationToken, FinishReason, Generation, Prompt, SamplingParams};
use model::{LoadOptions, LocalModel};

use crate::reference::model_dir;

/// The weights the tests run: (dtype read, quantized at load).
const WEIGHTS: [(WeightDtype, Option<Quantization>); 3] = [
    (WeightDtype::F16, None),
    (WeightDtype::Bf16, None),
    (WeightDtype::F32, Some(Quantization::Q8_0)),
];

fn load_from(dir: &Path, dtype: WeightDtype, quantize: Option<Quantization>) -> LocalModel {
    LocalModel::load(&LoadOptions {
        source: dir.display().to_string(),
        dtype: quantize.is_none().then_some(dtype),
        quantize,
        device: Some(DeviceSpec::Cpu),
        ..LoadOptions::default()
    })
    .unwrap()
}

fn load(dtype: WeightDtype, quantize: Option<Quantization>) -> LocalModel {
    load_from(&model_dir("qwen3-tiny"), dtype, quantize)
}

/// Text that repeats, so its own tokens predict what follows it.
fn repetitive() -> Prompt {
    let line = "    total = total + values[index] * weights[index]\n";
    Prompt::Text(format!(
        "def dot(values, weights):\n    total = 0\n{}",
        line.repeat(6)
    ))
}

/// Text with few repeats: drafts are mostly single-token guesses, mostly rejected.
fn plain() -> Prompt {
    Prompt::Text(
        "import os\n\ndef list_files(path):\n    \"\"\"Every file under path.\"\"\"\n".into(),
    )
}

fn generate(model: &LocalModel, prompt: &Prompt, params: &SamplingParams) -> Generation {
    let mut streamed = String::new();
    let g = model
        .generate(prompt, params, &CancellationToken::new(), &mut |t| {
            streamed.push_str(t)
        })
        .unwrap();
    assert_eq!(streamed, g.text, "streamed text is the answer's");
    g
}

/// `generate` with speculation off, then on; returns both.
fn off_and_on(
    model: &LocalModel,
    prompt: &Prompt,
    params: &SamplingParams,
) -> (Generation, Generation) {
    model.set_draft_tokens(0);
    let off = generate(model, prompt, params);
    model.set_draft_tokens(8);
    let on = generate(model, prompt, params);
    (off, on)
}

fn assert_same(off: &Generation, on: &Generation, what: &str) {
    assert_eq!(
        (&on.token_ids, &on.text, &on.finish),
        (&off.token_ids, &off.text, &off.finish),
        "{what}"
    );
}

fn greedy(max_tokens: usize) -> SamplingParams {
    SamplingParams {
        max_tokens,
        ..SamplingParams::default()
    }
}

/// The tiny checkpoint as [`Qwen`] with the KV cache a `LocalModel` would give it.
fn qwen(dtype: DType, quantize: Option<Quantization>, int8_kv: bool) -> Qwen {
    let dir = model_dir("qwen3-tiny");
    let text = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let cfg = RawConfig::parse(&text).unwrap().resolve().unwrap();
    let tensors =
        candle_core::safetensors::load(dir.join("model.safetensors"), &Device::Cpu).unwrap();
    let vb = VarBuilder::from_tensors(tensors, dtype, &Device::Cpu);
    let mut m = Qwen::with_quantization(&cfg, vb, quantize).unwrap();
    let kv = if int8_kv {
        model::kv_cache::KvType::Int8
    } else if dtype == DType::F32 && quantize.is_none() {
        model::kv_cache::KvType::Activations
    } else {
        model::kv_cache::KvType::Float(DType::F16)
    };
    m.set_kv_type(kv);
    m
}

fn bits(t: &Tensor) -> Vec<u32> {
    t.to_vec1::<f32>()
        .unwrap()
        .iter()
        .map(|v| v.to_bits())
        .collect()
}

/// The claim everything rests on: a verify pass's row `i` is, to the bit, the logits a one-token
/// decode step at that position returns, and a cache cut back after it continues as the decode one.
#[test]
fn verify_rows_equal_decode_steps_to_the_bit() {
    let cases = [
        (DType::F16, None, false),
        (DType::BF16, None, false),
        (DType::F32, Some(Quantization::Q8_0), false),
        (DType::F32, Some(Quantization::Q8_0), true),
    ];
    let prompt: Vec<u32> = (0..40).map(|i| (i * 7919 + 13) % 151_000).collect();
    let next: Vec<u32> = vec![220, 11, 1000, 42, 42, 42, 7, 99, 151_643];
    for (dtype, quant, int8) in cases {
        let what = format!("{dtype:?} {quant:?} int8 kv {int8}");
        let m = qwen(dtype, quant, int8);
        assert_eq!(m.verify_rows(), 16, "{what}");
        let prefill = |cache: &mut KvCache| {
            let input = Tensor::new(prompt.as_slice(), &Device::Cpu)
                .unwrap()
                .unsqueeze(0)
                .unwrap();
            m.forward(&input, cache, false).unwrap();
        };
        let step = |cache: &mut KvCache, token: u32| {
            let input = Tensor::new(&[token], &Device::Cpu)
                .unwrap()
                .unsqueeze(0)
                .unwrap();
            m.forward(&input, cache, false).unwrap().squeeze(0).unwrap()
        };
        let mut decode = m.new_cache();
        prefill(&mut decode);
        let want: Vec<Tensor> = next.iter().map(|&t| step(&mut decode, t)).collect();

        let mut verify = m.new_cache();
        prefill(&mut verify);
        let rows = m.forward_verify(&next, &mut verify).unwrap();
        assert_eq!(rows.dims(), [next.len(), 151_936], "{what}");
        assert_eq!(verify.len(), prompt.len() + next.len(), "{what}");
        for (i, want) in want.iter().enumerate() {
            assert!(
                bits(&rows.get(i).unwrap()) == bits(want),
                "{what}: row {i} differs"
            );
        }
        // Rejecting after row 3: both caches cut back there go on alike.
        let keep = prompt.len() + 4;
        verify.truncate(keep);
        decode.truncate(keep);
        let a = step(&mut verify, 5);
        let b = step(&mut decode, 5);
        assert!(bits(&a) == bits(&b), "{what}: after truncating");
        // A second verify pass after the cut.
        let again = m.forward_verify(&[6, 7], &mut verify).unwrap();
        let b7 = step(&mut decode, 6);
        assert!(
            bits(&again.get(0).unwrap()) == bits(&b7),
            "{what}: second pass"
        );
    }
}

/// Dense f32 weights go through candle's matmul, whose rows move in the last bits with the row
/// count: a verify pass would not be exact, so the model refuses it and does not speculate.
#[test]
fn dense_f32_weights_do_not_speculate() {
    let m = qwen(DType::F32, None, false);
    assert_eq!(m.verify_rows(), 0);
    assert!(m.forward_verify(&[1, 2], &mut m.new_cache()).is_err());
    let model = load(WeightDtype::F32, None);
    assert!(!model.speculates());
    let (off, on) = off_and_on(&model, &repetitive(), &greedy(32));
    assert_same(&off, &on, "f32");
    assert_eq!(model.batch_stats().verify_steps, 0);
}

#[test]
fn verify_rejects_empty_input_and_passes_past_the_context_or_the_exact_rows() {
    let m = qwen(DType::F32, Some(Quantization::Q8_0), false);
    let mut cache = m.new_cache();
    assert!(m.forward_verify(&[], &mut cache).is_err());
    assert!(m.forward_verify(&[11; 17], &mut cache).is_err());
    let input = Tensor::new(&[[11u32; 1020]], &Device::Cpu).unwrap();
    m.forward(&input, &mut cache, false).unwrap();
    assert!(m.forward_verify(&[11; 5], &mut cache).is_err());
    assert_eq!(cache.len(), 1020);
    assert!(m.forward_verify(&[11; 4], &mut cache).is_ok());
}

#[test]
fn greedy_output_is_the_same_with_speculation_and_drafts_are_kept() {
    for (dtype, quant) in WEIGHTS {
        let model = load(dtype, quant);
        for (name, prompt) in [("repetitive", repetitive()), ("plain", plain())] {
            let (off, on) = off_and_on(&model, &prompt, &greedy(40));
            assert_same(&off, &on, &format!("{dtype:?} {quant:?} {name}"));
        }
        let stats = model.batch_stats();
        assert!(stats.verify_steps > 0, "{stats:?}");
        // Drafts were both kept and turned down.
        assert!(stats.accepted > 0, "{dtype:?} {quant:?} {stats:?}");
        assert!(
            stats.accepted < stats.drafted,
            "{dtype:?} {quant:?} {stats:?}"
        );
    }
}

#[test]
fn the_q8_0_gguf_gives_the_same_greedy_output_with_speculation() {
    let gguf = model_dir("qwen3-tiny").join("qwen3-tiny-q8_0.gguf");
    let model = LocalModel::load(&LoadOptions {
        source: gguf.display().to_string(),
        device: Some(DeviceSpec::Cpu),
        ..LoadOptions::default()
    })
    .unwrap();
    let (off, on) = off_and_on(&model, &repetitive(), &greedy(48));
    assert_same(&off, &on, "gguf");
    assert!(
        model.batch_stats().accepted > 0,
        "{:?}",
        model.batch_stats()
    );
}

/// `max_tokens` ending the answer at many positions, stop strings cutting it at many points: they
/// land inside accepted drafts, and the answer is still the plain one.
#[test]
fn max_tokens_and_stop_strings_inside_a_draft_end_the_answer_alike() {
    let model = load(WeightDtype::F32, Some(Quantization::Q8_0));
    let prompt = repetitive();
    let (full, _) = off_and_on(&model, &prompt, &greedy(40));
    for max_tokens in [1, 2, 3, 4, 6, 9, 13, 19] {
        let (off, on) = off_and_on(&model, &prompt, &greedy(max_tokens));
        assert_same(&off, &on, &format!("max_tokens {max_tokens}"));
        assert_eq!(on.token_ids.len(), max_tokens.min(full.token_ids.len()));
    }
    let chars: Vec<char> = full.text.chars().collect();
    let mut stops = 0;
    for at in (2..chars.len().saturating_sub(3)).step_by(5).take(8) {
        let stop: String = chars[at..at + 3].iter().collect();
        let params = SamplingParams {
            stop: vec![stop.clone()],
            ..greedy(40)
        };
        let (off, on) = off_and_on(&model, &prompt, &params);
        assert_same(&off, &on, &format!("stop {stop:?}"));
        stops += usize::from(matches!(on.finish, FinishReason::Stop(_)));
    }
    assert!(stops > 3, "the stop strings were found: {stops}");
    assert!(model.batch_stats().accepted > 0);
}

/// A copy of the tiny checkpoint whose `generation_config.json` names `eos` as an end token.
fn with_eos(eos: u32) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let src = model_dir("qwen3-tiny");
    for file in [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
    ] {
        std::fs::copy(src.join(file), tmp.path().join(file)).unwrap();
    }
    let config = serde_json::json!({ "eos_token_id": [151643, eos] });
    std::fs::write(
        tmp.path().join("generation_config.json"),
        config.to_string(),
    )
    .unwrap();
    let dir = tmp.path().to_path_buf();
    (tmp, dir)
}

/// EOS inside an accepted draft: a token the plain answer produces late (while drafts are being
/// kept) is made an end token; both answers end there, with the same finish reason.
#[test]
fn eos_inside_a_draft_ends_the_answer_alike() {
    let model = load(WeightDtype::F32, Some(Quantization::Q8_0));
    let (full, _) = off_and_on(&model, &repetitive(), &greedy(40));
    // The token whose first occurrence comes latest, past the first few.
    let ids = &full.token_ids;
    let (first, eos) = ids
        .iter()
        .enumerate()
        .filter(|&(i, t)| ids[..i].iter().all(|u| u != t))
        .map(|(i, &t)| (i, t))
        .max()
        .unwrap();
    assert!(first >= 2, "{ids:?}");
    let (_tmp, dir) = with_eos(eos);
    let model = load_from(&dir, WeightDtype::F32, Some(Quantization::Q8_0));
    let (off, on) = off_and_on(&model, &repetitive(), &greedy(40));
    assert_same(&off, &on, "eos");
    assert_eq!(on.finish, FinishReason::Eos);
    assert_eq!(on.token_ids, ids[..first]);
}

/// Sampled generation with speculation gives the very samples of plain decoding for each seed
/// (the draft step draws once per token, as plain decoding does), while drafts are kept.
#[test]
fn sampled_output_is_the_same_with_speculation_for_each_seed() {
    let model = load(WeightDtype::F32, Some(Quantization::Q8_0));
    let settings = [
        SamplingParams {
            temperature: 0.3,
            ..greedy(24)
        },
        SamplingParams {
            temperature: 0.7,
            top_p: Some(0.9),
            ..greedy(24)
        },
        SamplingParams {
            temperature: 1.0,
            top_k: Some(5),
            ..greedy(24)
        },
        SamplingParams {
            temperature: 0.5,
            repetition_penalty: 1.2,
            ..greedy(24)
        },
    ];
    for params in settings {
        for seed in 0..3 {
            let params = SamplingParams {
                seed,
                ..params.clone()
            };
            let (off, on) = off_and_on(&model, &repetitive(), &params);
            assert_same(&off, &on, &format!("{params:?}"));
        }
    }
    let stats = model.batch_stats();
    assert!(
        stats.accepted > 0 && stats.accepted < stats.drafted,
        "{stats:?}"
    );
}

/// `draws` frequencies of the tokens `pick` returns, over the vocabulary.
fn frequencies(vocab: usize, draws: usize, mut pick: impl FnMut() -> u32) -> Vec<f64> {
    let mut counts = vec![0usize; vocab];
    for _ in 0..draws {
        counts[pick() as usize] += 1;
    }
    counts
        .into_iter()
        .map(|c| c as f64 / draws as f64)
        .collect()
}

/// The draft rule on the tiny model's real next-token distribution, against that distribution
/// computed here in f64 (softmax at the temperature, then top-k): the token the draft step returns
/// has the model's probabilities, and the draft is kept with its own probability, for a likely and an
/// unlikely draft. 20,000 draws: a frequency's standard error is at most 0.0036, the tolerance 0.015;
/// keeping the draft always, or whenever one of two draws was it, would be off by 0.05 or more.
#[test]
fn the_draft_rule_keeps_the_samplers_distribution() {
    let model = load(WeightDtype::F16, None);
    let history = model.encode_prompt(&plain()).unwrap();
    let all = model.step_logits(&[], &history).unwrap();
    // The 64 most likely tokens' logits: the model's distribution without its long tail, so that
    // 20,000 draws stay cheap in a debug build.
    let mut top: Vec<usize> = (0..all.len()).collect();
    top.sort_by(|&a, &b| all[b].total_cmp(&all[a]));
    top.truncate(64);
    let logits: Vec<f32> = top.iter().map(|&i| all[i]).collect();
    let vocab = logits.len();
    let tensor = Tensor::new(logits.as_slice(), &Device::Cpu).unwrap();
    const DRAWS: usize = 20_000;
    let mut informative = false;
    for (temperature, top_k) in [(0.02, None), (0.05, Some(3)), (1.0, None)] {
        // The distribution, computed apart from the sampler.
        let kept = top_k.unwrap_or(vocab);
        let max = f64::from(logits[0]);
        let weights: Vec<f64> = (0..vocab)
            .map(|i| {
                if i < kept {
                    ((f64::from(logits[i]) - max) / temperature).exp()
                } else {
                    0.0
                }
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let p: Vec<f64> = weights.iter().map(|w| w / total).collect();
        for draft in [0u32, 1] {
            let params = SamplingParams {
                temperature,
                top_k,
                seed: 7,
                ..Default::default()
            };
            let mut sampler = Sampler::new(&params);
            let mut kept_draft = 0usize;
            let got = frequencies(vocab, DRAWS, || {
                let (token, kept) = sampler.sample_draft(&tensor, &[], draft).unwrap();
                assert_eq!(kept, token == draft);
                kept_draft += usize::from(kept);
                token
            });
            let worst = (0..vocab)
                .map(|t| (got[t] - p[t]).abs())
                .fold(0.0f64, f64::max);
            let what = format!("t {temperature} top_k {top_k:?} draft {draft}");
            assert!(worst < 0.015, "{what}: off by {worst}");
            let rate = kept_draft as f64 / DRAWS as f64;
            assert!(
                (rate - p[draft as usize]).abs() < 0.015,
                "{what}: kept {rate}"
            );
            informative |= (0.05..0.95).contains(&p[draft as usize]);
        }
    }
    assert!(
        informative,
        "some draft had a probability inside (0.05, 0.95)"
    );
}
