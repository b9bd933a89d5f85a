//! The model's tokenizer (HF `tokenizers`) and what it tells us: FIM, EOS and think tokens, and the chat
//! template, all read from `tokenizer.json` / `tokenizer_config.json` / `config.json`, never guessed from
//! the model's name.

use std::path::Path;

use tokenizers::Tokenizer;

use crate::backend::SpecialTokens;
use crate::error::{Error, Result};

use super::chat_template::ChatTemplate;
use super::config::token_ids;

/// Spellings of each FIM token across Qwen generations (`<|fim_prefix|>` in Qwen2.5/Qwen3, `<fim_prefix>`
/// in CodeQwen1.5); the first one the vocabulary has wins.
const FIM_PREFIX: &[&str] = &["<|fim_prefix|>", "<fim_prefix>"];
const FIM_SUFFIX: &[&str] = &["<|fim_suffix|>", "<fim_suffix>"];
const FIM_MIDDLE: &[&str] = &["<|fim_middle|>", "<fim_middle>"];
const FIM_PAD: &[&str] = &["<|fim_pad|>", "<fim_pad>"];
const REPO_NAME: &[&str] = &["<|repo_name|>", "<reponame>"];
const FILE_SEP: &[&str] = &["<|file_sep|>", "<file_sep>"];
/// Tokens that end a turn or a document in every Qwen tokenizer that has them.
const EOS: &[&str] = &["<|endoftext|>", "<|im_end|>"];

/// The tokenizer plus the special tokens detected from it.
pub struct QwenTokenizer {
    inner: Tokenizer,
    special: SpecialTokens,
    eos_ids: Vec<u32>,
    chat_template: Option<ChatTemplate>,
}

/// The side files next to `tokenizer.json` that add to what it says.
#[derive(Default)]
pub(crate) struct TokenizerSources<'a> {
    pub tokenizer_config: Option<&'a Path>,
    /// transformers 5 writes the template here instead of into `tokenizer_config.json`.
    pub chat_template_jinja: Option<&'a Path>,
    /// `eos_token_id` of `config.json` and `generation_config.json`.
    pub extra_eos_ids: Vec<u32>,
}

impl QwenTokenizer {
    pub(crate) fn load(tokenizer_json: &Path, sources: TokenizerSources<'_>) -> Result<Self> {
        let inner = Tokenizer::from_file(tokenizer_json).map_err(|e| {
            Error::Tokenizer(format!("cannot load {}: {e}", tokenizer_json.display()))
        })?;
        let tok_config: serde_json::Value = match sources.tokenizer_config {
            Some(p) => read_json(p)?,
            None => serde_json::Value::Null,
        };
        Self::from_parts(
            inner,
            &tok_config,
            sources.chat_template_jinja,
            &sources.extra_eos_ids,
        )
    }

    /// A tokenizer from a `tokenizer.json` document held in memory (a GGUF file's, rebuilt) and the
    /// `tokenizer_config.json` that goes with it.
    pub(crate) fn from_json(
        tokenizer_json: &str,
        tok_config: &serde_json::Value,
        what: &str,
    ) -> Result<Self> {
        let inner = tokenizer_json
            .parse::<Tokenizer>()
            .map_err(|e| Error::Tokenizer(format!("cannot load the tokenizer of {what}: {e}")))?;
        Self::from_parts(inner, tok_config, None, &[])
    }

    fn from_parts(
        inner: Tokenizer,
        tok_config: &serde_json::Value,
        chat_template_jinja: Option<&Path>,
        extra_eos_ids: &[u32],
    ) -> Result<Self> {
        let find = |names: &[&str]| {
            names
                .iter()
                .find(|n| inner.token_to_id(n).is_some())
                .map(|n| n.to_string())
        };
        let mut eos_ids: Vec<u32> = EOS.iter().filter_map(|t| inner.token_to_id(t)).collect();
        if let Some(id) =
            token_string(tok_config.get("eos_token")).and_then(|t| inner.token_to_id(&t))
        {
            eos_ids.push(id);
        }
        eos_ids.extend(
            extra_eos_ids
                .iter()
                .copied()
                .filter(|id| inner.id_to_token(*id).is_some()),
        );
        let mut seen = std::collections::HashSet::new();
        eos_ids.retain(|id| seen.insert(*id));
        let special = SpecialTokens {
            fim_prefix: find(FIM_PREFIX),
            fim_suffix: find(FIM_SUFFIX),
            fim_middle: find(FIM_MIDDLE),
            fim_pad: find(FIM_PAD),
            repo_name: find(REPO_NAME),
            file_sep: find(FILE_SEP),
            eos: eos_ids
                .iter()
                .filter_map(|id| inner.id_to_token(*id))
                .collect(),
            think_start: find(&["<think>"]),
            think_end: find(&["</think>"]),
        };
        let template_source = match chat_template_jinja {
            Some(p) => Some(std::fs::read_to_string(p).map_err(|source| Error::Io {
                path: p.into(),
                source,
            })?),
            None => template_from_config(tok_config),
        };
        let chat_template = match template_source {
            Some(src) => Some(ChatTemplate::new(
                src,
                token_string(tok_config.get("bos_token")),
                token_string(tok_config.get("eos_token")),
            )?),
            None => None,
        };
        Ok(QwenTokenizer {
            inner,
            special,
            eos_ids,
            chat_template,
        })
    }

    pub fn special(&self) -> &SpecialTokens {
        &self.special
    }

    pub fn eos_ids(&self) -> &[u32] {
        &self.eos_ids
    }

    pub fn chat_template(&self) -> Option<&ChatTemplate> {
        self.chat_template.as_ref()
    }

    pub fn inner(&self) -> &Tokenizer {
        &self.inner
    }

    /// Encodes `text`; special tokens written in it (`<|fim_prefix|>`) become their single ids, and
    /// nothing is added that the tokenizer's own post-processor does not add.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        self.inner
            .encode(text, true)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| Error::Tokenizer(e.to_string()))
    }

    /// Decodes `ids`, keeping special tokens.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.inner
            .decode(ids, false)
            .map_err(|e| Error::Tokenizer(e.to_string()))
    }

    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Tokenizer(format!("{}: {e}", path.display())))
}

/// `bos_token`/`eos_token` are a string or an `AddedToken` object with `content`.
fn token_string(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => o.get("content")?.as_str().map(str::to_string),
        _ => None,
    }
}

/// `chat_template` is a string or a list of `{name, template}`; the one named `default` wins.
fn template_from_config(cfg: &serde_json::Value) -> Option<String> {
    match cfg.get("chat_template")? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(list) => {
            let named = |want: &str| {
                list.iter()
                    .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(want))?
                    .get("template")?
                    .as_str()
            };
            named("default")
                .or_else(|| list.first()?.get("template")?.as_str())
                .map(str::to_string)
        }
        _ => None,
    }
}

/// `eos_token_id` of a `generation_config.json`, if the file exists and says.
pub(crate) fn generation_config_eos(path: &Path) -> Result<Vec<u32>> {
    let v = read_json(path)?;
    Ok(token_ids(v.get("eos_token_id")))
}
