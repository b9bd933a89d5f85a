//! The `tokenizer.ggml.*` metadata of a GGUF file, both ways, for Qwen2 and Qwen3 (a byte-level BPE,
//! pre-tokenizer `qwen2`):
//! - [`tokenizer_metadata`] writes it from a Hugging Face `tokenizer.json` the way llama.cpp's
//!   `convert_hf_to_gguf.py` does. llama.cpp refuses a GGUF without it (`key not found in model:
//!   tokenizer.ggml.model`), so the checkpoints the benches write carry it and llama.cpp runs on the
//!   very same files.
//! - [`tokenizer_from_metadata`] reads it back into a `tokenizer.json` for the `tokenizers` crate, so a
//!   GGUF file from the hub (which ships alone) loads without one beside it.
//!
//! What the converter does, and this module with it:
//! - `tokens`: one per id up to the model's vocabulary size; ids the tokenizer lacks (Qwen pads its
//!   embedding to 151,936 rows for 151,669 tokens) are `[PAD<id>]`, typed UNUSED.
//! - `token_type`: NORMAL for the BPE vocabulary; an added token is CONTROL when it is special or looks
//!   special (`<|...|>`), else USER_DEFINED.
//! - `merges`: "a b"; a space inside a part is written as `Ġ` (U+0120, the space moved up by 256), as
//!   the converter does, so that the pair splits at its one real space.
//! - special ids from `tokenizer_config.json` (`bos_token`, `eos_token`, ... by content), else from
//!   `config.json`'s `*_token_id`; `add_bos_token` / `add_eos_token` false under a byte-level
//!   post-processor, else from `tokenizer_config.json`; its `chat_template`.
//!
//! Checked against the converter itself (llama.cpp 0c1e570's `convert_hf_to_gguf.py` on the tiny Qwen3
//! checkpoint, read back with its gguf-py): every `tokenizer.*` key and value the same.

use std::collections::HashMap;
use std::path::Path;

use candle_core::quantized::gguf_file::Value;
use serde_json::Value as Json;

use crate::error::{Error, Result};

/// llama.cpp's `llama_token_type` (gguf-py's `TokenType`).
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
enum TokenType {
    Normal = 1,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
}

/// The converter's special tokens, in its order.
const SPECIAL: [&str; 7] = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"];

/// GGUF's name of a special token's id key (`pad` is `padding`).
fn special_key(kind: &str) -> String {
    let name = if kind == "pad" { "padding" } else { kind };
    format!("tokenizer.ggml.{name}_token_id")
}

/// The metadata for a model of `vocab_size` rows whose tokenizer files (`tokenizer.json`, and
/// `tokenizer_config.json` when present) are in `dir`; `config` is the model's `config.json`.
pub(crate) fn tokenizer_metadata(
    dir: &Path,
    vocab_size: usize,
    config: &Json,
) -> Result<Vec<(String, Value)>> {
    let tokenizer = read_json(&dir.join("tokenizer.json"))?;
    let tokenizer_config = match dir.join("tokenizer_config.json") {
        path if path.exists() => read_json(&path)?,
        _ => Json::Null,
    };
    let bad = |what: &str| Error::InvalidInput(format!("tokenizer.json: {what}"));
    if tokenizer["model"]["type"] != "BPE" {
        return Err(bad("only BPE tokenizers are written to GGUF"));
    }
    let vocab = tokenizer["model"]["vocab"]
        .as_object()
        .ok_or_else(|| bad("model.vocab is not an object"))?;

    let mut by_id: HashMap<usize, (String, TokenType)> = HashMap::new();
    for (token, id) in vocab {
        let id = id
            .as_u64()
            .ok_or_else(|| bad("a vocab id is not a number"))? as usize;
        by_id.insert(id, (token.clone(), TokenType::Normal));
    }
    let mut added_ids: HashMap<String, u32> = HashMap::new();
    for added in tokenizer["added_tokens"].as_array().into_iter().flatten() {
        let (Some(id), Some(content)) = (added["id"].as_u64(), added["content"].as_str()) else {
            return Err(bad("an added token lacks its id or content"));
        };
        let special = added["special"].as_bool().unwrap_or(false) || looks_special(content);
        let kind = if special {
            TokenType::Control
        } else {
            TokenType::UserDefined
        };
        by_id.insert(id as usize, (content.to_owned(), kind));
        added_ids.insert(content.to_owned(), id as u32);
    }
    if let Some(&max) = by_id.keys().max()
        && max >= vocab_size
    {
        return Err(bad(&format!(
            "token id {max} is past the model's {vocab_size} rows"
        )));
    }
    let (tokens, types): (Vec<Value>, Vec<Value>) = (0..vocab_size)
        .map(|id| {
            let (token, kind) = by_id
                .remove(&id)
                .unwrap_or_else(|| (format!("[PAD{id}]"), TokenType::Unused));
            (Value::String(token), Value::I32(kind as i32))
        })
        .unzip();

    let merges = tokenizer["model"]["merges"]
        .as_array()
        .ok_or_else(|| bad("model.merges is not a list"))?
        .iter()
        .map(|merge| match merge {
            Json::String(s) => Ok(Value::String(s.clone())),
            Json::Array(pair) => match pair.as_slice() {
                [Json::String(a), Json::String(b)] => Ok(Value::String(format!(
                    "{} {}",
                    encode_spaces(a),
                    encode_spaces(b)
                ))),
                _ => Err(bad("a merge is not a pair of strings")),
            },
            _ => Err(bad("a merge is neither a string nor a pair")),
        })
        .collect::<Result<Vec<_>>>()?;

    let mut metadata = vec![
        (
            "tokenizer.ggml.model".to_owned(),
            Value::String("gpt2".into()),
        ),
        (
            "tokenizer.ggml.pre".to_owned(),
            Value::String("qwen2".into()),
        ),
        ("tokenizer.ggml.tokens".to_owned(), Value::Array(tokens)),
        ("tokenizer.ggml.token_type".to_owned(), Value::Array(types)),
        ("tokenizer.ggml.merges".to_owned(), Value::Array(merges)),
    ];
    for kind in SPECIAL {
        let by_content = match &tokenizer_config[format!("{kind}_token")] {
            Json::String(content) => added_ids.get(content).copied(),
            // The older form: `{"content": "<|im_end|>", ...}`.
            Json::Object(token) => token
                .get("content")
                .and_then(Json::as_str)
                .and_then(|content| added_ids.get(content).copied()),
            _ => None,
        };
        let id = by_content.or_else(|| {
            config[format!("{kind}_token_id")]
                .as_u64()
                .map(|id| id as u32)
        });
        if let Some(id) = id {
            metadata.push((special_key(kind), Value::U32(id)));
        }
    }
    // Whether BOS and EOS are added: false both under a byte-level post-processor (Qwen's), which then
    // wins over tokenizer_config.json as in the converter; else tokenizer_config.json's flags.
    let post = &tokenizer["post_processor"];
    let byte_level = match post["processors"].as_array() {
        Some(processors) => processors.iter().any(|p| p["type"] == "ByteLevel"),
        None => post["type"] == "ByteLevel",
    };
    for flag in ["add_bos_token", "add_eos_token"] {
        let on = if byte_level {
            Some(false)
        } else {
            tokenizer_config[flag].as_bool()
        };
        if let Some(on) = on {
            metadata.push((format!("tokenizer.ggml.{flag}"), Value::Bool(on)));
        }
    }
    if let Some(template) = tokenizer_config["chat_template"].as_str() {
        metadata.push((
            "tokenizer.chat_template".to_owned(),
            Value::String(template.to_owned()),
        ));
    }
    Ok(metadata)
}

/// Qwen2's pre-tokenizer (`tokenizer.ggml.pre` = `qwen2`), as its `tokenizer.json` spells it: the
/// split regex, then byte-level mapping; normalized with NFC, decoded byte-level.
const QWEN2_PIPELINE: &str = r#"{
  "normalizer": {"type": "NFC"},
  "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
    {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
     "behavior": "Isolated", "invert": false},
    {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]},
  "post_processor": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
  "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}
}"#;

/// A tokenizer rebuilt from a GGUF file's metadata: the `tokenizer.json` document for the `tokenizers`
/// crate, and a `tokenizer_config.json` with what the metadata says of special tokens and the chat
/// template. `Ok(None)` when the file carries no tokenizer.
pub(crate) fn tokenizer_from_metadata(
    metadata: &HashMap<String, Value>,
) -> std::result::Result<Option<(String, Json)>, String> {
    let Some(model) = metadata.get("tokenizer.ggml.model") else {
        return Ok(None);
    };
    let text = |key: &str| match metadata.get(key) {
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(format!("{key} is not a string: {other:?}")),
        None => Ok(None),
    };
    let list = |key: &str| match metadata.get(key) {
        Some(Value::Array(items)) => Ok(items.as_slice()),
        _ => Err(format!("{key} is missing or not a list")),
    };
    let model = match model {
        Value::String(s) => s.as_str(),
        other => return Err(format!("tokenizer.ggml.model is not a string: {other:?}")),
    };
    let pre = text("tokenizer.ggml.pre")?.unwrap_or("default");
    if model != "gpt2" || pre != "qwen2" {
        return Err(format!(
            "its tokenizer ({model}, pre-tokenizer {pre}) is not one this loader rebuilds (gpt2 \
             with qwen2: Qwen2, Qwen2.5, Qwen3); put the model's tokenizer.json beside the file"
        ));
    }
    let tokens = list("tokenizer.ggml.tokens")?;
    let types = list("tokenizer.ggml.token_type")?;
    if types.len() != tokens.len() {
        return Err(format!(
            "{} tokens but {} token types",
            tokens.len(),
            types.len()
        ));
    }
    let mut vocab = serde_json::Map::new();
    let mut added = Vec::new();
    for (id, (token, kind)) in tokens.iter().zip(types).enumerate() {
        let (Value::String(token), Ok(kind)) = (token, kind.to_i32()) else {
            return Err(format!("token {id} or its type has the wrong type"));
        };
        if kind == TokenType::Normal as i32 {
            vocab.insert(token.clone(), Json::from(id));
        } else if kind == TokenType::Control as i32 || kind == TokenType::UserDefined as i32 {
            added.push(serde_json::json!({
                "id": id, "content": token, "single_word": false, "lstrip": false, "rstrip": false,
                "normalized": false, "special": kind == TokenType::Control as i32,
            }));
        }
    }
    let merges = list("tokenizer.ggml.merges")?
        .iter()
        .map(|m| match m {
            Value::String(m) => Ok(Json::from(m.as_str())),
            other => Err(format!("a merge is not a string: {other:?}")),
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut document: Json = serde_json::from_str(QWEN2_PIPELINE).map_err(|e| e.to_string())?;
    document["version"] = "1.0".into();
    document["truncation"] = Json::Null;
    document["padding"] = Json::Null;
    document["added_tokens"] = Json::Array(added);
    document["model"] = serde_json::json!({
        "type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": "",
        "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
        "vocab": vocab, "merges": merges,
    });

    let mut config = serde_json::Map::new();
    for kind in SPECIAL {
        if let Some(Value::U32(id)) = metadata.get(&special_key(kind))
            && let Some(Value::String(token)) = tokens.get(*id as usize)
        {
            config.insert(format!("{kind}_token"), Json::from(token.as_str()));
        }
    }
    if let Some(template) = text("tokenizer.chat_template")? {
        config.insert("chat_template".into(), Json::from(template));
    }
    Ok(Some((document.to_string(), Json::Object(config))))
}

/// The converter's `does_token_look_special`, for the forms a Qwen vocabulary has.
fn looks_special(token: &str) -> bool {
    (token.starts_with("<|") && token.ends_with("|>"))
        || (token.starts_with("<｜") && token.ends_with("｜>"))
}

/// A space inside a merge's part, moved up by 256 as the converter does.
fn encode_spaces(part: &str) -> String {
    part.chars()
        .map(|c| if c == ' ' { '\u{120}' } else { c })
        .collect()
}

fn read_json(path: &Path) -> Result<Json> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| Error::InvalidInput(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::PathBuf;

    use candle_core::quantized::gguf_file::Content;

    use super::*;
    use crate::random::{RandomQwen3, WeightFormat};
    use crate::tokenizer::QwenTokenizer;

    fn tiny_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/models/qwen3-tiny")
    }

    fn strings(value: &Value) -> Vec<String> {
        let Value::Array(items) = value else {
            panic!("not an array: {value:?}")
        };
        items
            .iter()
            .map(|v| v.to_string().unwrap().clone())
            .collect()
    }

    /// What llama.cpp reads back from a written file: every id's token and type, the merges, the
    /// special ids, the template.
    #[test]
    fn a_written_gguf_carries_the_tokenizer_as_llama_cpp_reads_it() {
        let tmp = tempfile::tempdir().unwrap();
        let shape = RandomQwen3::tiny();
        let path = shape
            .write(tmp.path(), WeightFormat::Q8_0, &tiny_dir())
            .unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        let content = Content::read(&mut file).unwrap();
        let meta = &content.metadata;
        assert_eq!(meta["tokenizer.ggml.model"].to_string().unwrap(), "gpt2");
        assert_eq!(meta["tokenizer.ggml.pre"].to_string().unwrap(), "qwen2");

        let tokens = strings(&meta["tokenizer.ggml.tokens"]);
        assert_eq!(tokens.len(), shape.vocab_size);
        let Value::Array(types) = &meta["tokenizer.ggml.token_type"] else {
            panic!()
        };
        let type_of = |id: usize| types[id].to_i32().unwrap();
        let tokenizer =
            tokenizers::Tokenizer::from_file(tiny_dir().join("tokenizer.json")).unwrap();
        for text in ["def", "Ġreturn", "ĠĠĠ"] {
            let id = tokenizer.token_to_id(text).unwrap() as usize;
            assert_eq!(tokens[id], text);
            assert_eq!(type_of(id), TokenType::Normal as i32, "{text}");
        }
        let im_end = tokenizer.token_to_id("<|im_end|>").unwrap() as usize;
        assert_eq!(tokens[im_end], "<|im_end|>");
        assert_eq!(type_of(im_end), TokenType::Control as i32);
        // `<think>` is added but neither special nor special-looking.
        let think = tokenizer.token_to_id("<think>").unwrap() as usize;
        assert_eq!(type_of(think), TokenType::UserDefined as i32);
        // Past the tokenizer's last id, the embedding's padding rows.
        let last = tokenizer.get_vocab_size(true);
        assert_eq!(tokens[last], format!("[PAD{last}]"));
        assert_eq!(type_of(last), TokenType::Unused as i32);
        assert_eq!(type_of(shape.vocab_size - 1), TokenType::Unused as i32);

        let merges = strings(&meta["tokenizer.ggml.merges"]);
        assert_eq!(merges[0], "Ġ Ġ");
        assert!(merges.iter().all(|m| m.split(' ').count() == 2));

        let id = |key: &str| meta[key].to_u32().unwrap();
        assert_eq!(id("tokenizer.ggml.eos_token_id") as usize, im_end);
        let endoftext = tokenizer.token_to_id("<|endoftext|>").unwrap();
        assert_eq!(id("tokenizer.ggml.padding_token_id"), endoftext);
        // `bos_token` is null in tokenizer_config.json; config.json names it.
        assert_eq!(id("tokenizer.ggml.bos_token_id"), endoftext);
        assert!(!meta["tokenizer.ggml.add_bos_token"].to_bool().unwrap());
        assert!(!meta["tokenizer.ggml.add_eos_token"].to_bool().unwrap());
        assert!(
            meta["tokenizer.chat_template"]
                .to_string()
                .unwrap()
                .contains("<|im_start|>")
        );
    }

    /// The items joined by NUL, hashed: how scripts/make-gguf-tokenizer-reference.py digests a list.
    fn digest(items: &[String]) -> String {
        use sha2::Digest;
        let hash = sha2::Sha256::digest(items.join("\0").as_bytes());
        hash.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// What llama.cpp's own converter wrote as the tiny checkpoint's tokenizer (its digests:
    /// scripts/make-gguf-tokenizer-reference.sh) is what our writer writes, key by key.
    #[test]
    fn the_tokenizer_written_is_the_one_llama_cpp_s_converter_writes() {
        let reference: Json = serde_json::from_str(
            &std::fs::read_to_string(tiny_dir().join("gguf-tokenizer-reference.json")).unwrap(),
        )
        .unwrap();
        let shape = RandomQwen3::tiny();
        let ours: HashMap<String, Value> =
            tokenizer_metadata(&tiny_dir(), shape.vocab_size, &shape.config_json(""))
                .unwrap()
                .into_iter()
                .collect();
        let list = |key: &str| strings(&ours[key]);
        let tokens = list("tokenizer.ggml.tokens");
        assert_eq!(tokens.len() as u64, reference["tokens"]);
        assert_eq!(digest(&tokens), reference["tokens_sha256"]);
        let merges = list("tokenizer.ggml.merges");
        assert_eq!(merges.len() as u64, reference["merges"]);
        assert_eq!(digest(&merges), reference["merges_sha256"]);
        let template = ours["tokenizer.chat_template"].to_string().unwrap().clone();
        assert_eq!(digest(&[template]), reference["chat_template_sha256"]);

        let Value::Array(types) = &ours["tokenizer.ggml.token_type"] else {
            panic!()
        };
        let mut not_normal = serde_json::Map::new();
        for (id, kind) in types.iter().enumerate() {
            let kind = kind.to_i32().unwrap();
            if kind != TokenType::Normal as i32 {
                let ids = not_normal
                    .entry(kind.to_string())
                    .or_insert(Json::Array(vec![]));
                ids.as_array_mut().unwrap().push(Json::from(id));
            }
        }
        assert_eq!(
            Json::Object(not_normal),
            reference["token_types_not_normal"]
        );

        let scalars = reference["scalars"].as_object().unwrap();
        let lists = [
            "tokenizer.ggml.tokens",
            "tokenizer.ggml.merges",
            "tokenizer.ggml.token_type",
            "tokenizer.chat_template",
        ];
        assert_eq!(ours.len(), scalars.len() + lists.len(), "{:?}", ours.keys());
        for (key, want) in scalars {
            let got = match &ours[key] {
                Value::String(s) => Json::from(s.as_str()),
                Value::U32(n) => Json::from(*n),
                Value::Bool(b) => Json::from(*b),
                other => panic!("{key}: {other:?}"),
            };
            assert_eq!(&got, want, "{key}");
        }
    }

    /// A four-token vocabulary as a GGUF file's metadata: `a`, `b`, `ab` (merged from `a b`) and
    /// `<|im_end|>` (CONTROL, the EOS).
    fn small_vocabulary() -> HashMap<String, Value> {
        let strings = |items: &[&str]| {
            Value::Array(items.iter().map(|s| Value::String((*s).into())).collect())
        };
        HashMap::from([
            ("tokenizer.ggml.model".into(), Value::String("gpt2".into())),
            ("tokenizer.ggml.pre".into(), Value::String("qwen2".into())),
            (
                "tokenizer.ggml.tokens".into(),
                strings(&["a", "b", "ab", "<|im_end|>"]),
            ),
            (
                "tokenizer.ggml.token_type".into(),
                Value::Array([1, 1, 1, 3].map(Value::I32).to_vec()),
            ),
            ("tokenizer.ggml.merges".into(), strings(&["a b"])),
            ("tokenizer.ggml.eos_token_id".into(), Value::U32(3)),
        ])
    }

    fn load(metadata: &HashMap<String, Value>) -> std::result::Result<QwenTokenizer, String> {
        let (json, config) = tokenizer_from_metadata(metadata)?.ok_or("no tokenizer")?;
        QwenTokenizer::from_json(&json, &config, "test.gguf").map_err(|e| e.to_string())
    }

    #[test]
    fn a_small_vocabulary_is_rebuilt() {
        let tokenizer = load(&small_vocabulary()).unwrap();
        assert_eq!(tokenizer.encode("abba<|im_end|>").unwrap(), [2, 1, 0, 3]);
        assert_eq!(tokenizer.eos_ids(), [3]);
    }

    /// Metadata a corrupt or hostile file could carry: each is an error that says what is wrong,
    /// never a panic.
    #[test]
    fn a_broken_tokenizer_in_the_metadata_is_a_clear_error() {
        let cases: [(&str, Value, &str); 6] = [
            (
                "tokenizer.ggml.pre",
                Value::String("llama-bpe".into()),
                "pre-tokenizer llama-bpe",
            ),
            ("tokenizer.ggml.model", Value::U32(7), "is not a string"),
            ("tokenizer.ggml.tokens", Value::U32(7), "tokens is missing"),
            (
                "tokenizer.ggml.token_type",
                Value::Array(vec![Value::I32(1)]),
                "4 tokens but 1 token types",
            ),
            (
                "tokenizer.ggml.merges",
                Value::Array(vec![Value::String("a zz".into())]),
                "test.gguf",
            ),
            (
                "tokenizer.ggml.token_type",
                Value::Array([1, 1, 1, 3].map(|_| Value::String("x".into())).to_vec()),
                "wrong type",
            ),
        ];
        for (key, value, expected) in cases {
            let mut metadata = small_vocabulary();
            metadata.insert(key.into(), value);
            let err = load(&metadata).err().unwrap_or_default();
            assert!(err.contains(expected), "{key}: {err}");
        }
        // An EOS id past the vocabulary is dropped, not followed.
        let mut metadata = small_vocabulary();
        metadata.insert("tokenizer.ggml.eos_token_id".into(), Value::U32(u32::MAX));
        assert!(load(&metadata).is_ok());
        // No tokenizer at all: none, for the caller to explain.
        assert!(tokenizer_from_metadata(&HashMap::new()).unwrap().is_none());
    }

    #[test]
    fn a_tokenizer_larger_than_the_model_is_refused() {
        let err = tokenizer_metadata(&tiny_dir(), 1000, &Json::Null).unwrap_err();
        assert!(
            err.to_string().contains("past the model's 1000 rows"),
            "{err}"
        );
    }
}
