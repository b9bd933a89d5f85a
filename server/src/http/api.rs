//! The OpenAI-compatible wire format of `serve-http`: request bodies in, response bodies and stream
//! chunks out, and their conversion to the engine's plain `Prompt` and `SamplingParams`.
//!
//! Defaults follow OpenAI's API (`max_tokens` 16, `temperature` 1), so a client written for vLLM gets
//! the same behaviour here. Extensions shared with vLLM: `top_k`, `repetition_penalty`, `stop_reason`
//! and `return_token_ids`. Fields this server cannot honour (`n > 1`, `logprobs`, `echo`, token-id
//! prompts) are rejected with a 400 instead of being silently ignored. `model` is ignored: one model is
//! served, and clients often send a display name of their own.

use engine::{ChatMessage, FinishReason, Generation, Prompt, Role, SamplingParams, SpecialTokens};
use serde::Deserialize;
use serde_json::{Value, json};

/// Input that no generation can be made from; becomes a 400 with this message.
#[derive(Debug)]
pub struct BadRequest(pub String);

fn bad<T>(message: impl Into<String>) -> Result<T, BadRequest> {
    Err(BadRequest(message.into()))
}

/// Sampling fields shared by both endpoints.
#[derive(Debug, Default, Deserialize)]
pub struct Sampling {
    pub max_tokens: Option<usize>,
    /// The chat endpoint's newer name for `max_tokens`.
    pub max_completion_tokens: Option<usize>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    /// vLLM's convention: -1 (or 0) means off.
    pub top_k: Option<i64>,
    pub repetition_penalty: Option<f32>,
    pub seed: Option<u64>,
    pub stop: Option<StringOrList>,
    pub n: Option<usize>,
    pub logprobs: Option<Value>,
    #[serde(default)]
    pub stream: bool,
    /// Return generated (and prompt) token ids, as vLLM does.
    #[serde(default)]
    pub return_token_ids: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum StringOrList {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
pub struct CompletionRequest {
    pub prompt: Value,
    /// With a suffix, the prompt becomes a fill-in-the-middle prompt in the model's FIM tokens.
    #[serde(default)]
    pub suffix: Option<String>,
    #[serde(default)]
    pub echo: bool,
    #[serde(flatten)]
    pub sampling: Sampling,
}

#[derive(Debug, Deserialize)]
pub struct ChatRequest {
    pub messages: Vec<WireMessage>,
    #[serde(flatten)]
    pub sampling: Sampling,
}

#[derive(Debug, Deserialize)]
pub struct WireMessage {
    pub role: String,
    pub content: Value,
}

/// What the handlers need from a parsed request.
#[derive(Debug)]
pub struct Job {
    pub prompt: Prompt,
    pub params: SamplingParams,
    pub stream: bool,
    pub return_token_ids: bool,
}

impl Sampling {
    fn to_params(&self) -> Result<SamplingParams, BadRequest> {
        if self.n.is_some_and(|n| n != 1) {
            return bad("only n = 1 is supported");
        }
        if self
            .logprobs
            .as_ref()
            .is_some_and(|v| !v.is_null() && *v != json!(false))
        {
            return bad("logprobs are not supported");
        }
        let defaults = SamplingParams::default();
        let stop = match &self.stop {
            None => Vec::new(),
            Some(StringOrList::One(s)) => vec![s.clone()],
            Some(StringOrList::Many(v)) => v.clone(),
        };
        let params = SamplingParams {
            max_tokens: self.max_completion_tokens.or(self.max_tokens).unwrap_or(16),
            temperature: self.temperature.unwrap_or(1.0),
            // top_p = 1 keeps every token: the same as no nucleus filter.
            top_p: self.top_p.filter(|&p| p != 1.0),
            top_k: match self.top_k {
                None | Some(-1) | Some(0) => None,
                Some(k) if k > 0 => Some(k as usize),
                Some(k) => return bad(format!("top_k must be -1 (off) or >= 1, got {k}")),
            },
            seed: self.seed.unwrap_or(defaults.seed),
            repetition_penalty: self.repetition_penalty.unwrap_or(1.0),
            stop,
            ..defaults
        };
        if params.max_tokens == 0 {
            return bad("max_tokens must be >= 1");
        }
        params.validate().map_err(|e| BadRequest(e.to_string()))?;
        Ok(params)
    }
}

impl CompletionRequest {
    pub fn into_job(self, special: &SpecialTokens) -> Result<Job, BadRequest> {
        if self.echo {
            return bad("echo is not supported");
        }
        let prompt = match self.prompt {
            Value::String(s) => s,
            Value::Array(items) => match items.as_slice() {
                [Value::String(s)] => s.clone(),
                [] => return bad("prompt is empty"),
                [Value::String(_), ..] => return bad("one prompt per request"),
                _ => return bad("prompt must be text; token-id prompts are not supported"),
            },
            _ => return bad("prompt must be a string"),
        };
        let prompt = match self.suffix {
            Some(suffix) if !suffix.is_empty() => {
                let (Some(pre), Some(suf), Some(mid)) = (
                    &special.fim_prefix,
                    &special.fim_suffix,
                    &special.fim_middle,
                ) else {
                    return bad(
                        "this model has no fill-in-the-middle tokens, so suffix is not supported",
                    );
                };
                format!("{pre}{prompt}{suf}{suffix}{mid}")
            }
            _ => prompt,
        };
        Ok(Job {
            prompt: Prompt::Text(prompt),
            params: self.sampling.to_params()?,
            stream: self.sampling.stream,
            return_token_ids: self.sampling.return_token_ids,
        })
    }
}

impl ChatRequest {
    pub fn into_job(self) -> Result<Job, BadRequest> {
        if self.messages.is_empty() {
            return bad("messages is empty");
        }
        let mut messages = Vec::with_capacity(self.messages.len());
        for (i, m) in self.messages.into_iter().enumerate() {
            let role = match m.role.as_str() {
                "system" | "developer" => Role::System,
                "user" => Role::User,
                "assistant" => Role::Assistant,
                other => {
                    return bad(format!(
                        "messages[{i}].role {other:?} is not one of system, user, assistant"
                    ));
                }
            };
            let content = match m.content {
                Value::String(s) => s,
                // The content-parts form: only text parts can be served by a text model.
                Value::Array(parts) => {
                    let mut text = String::new();
                    for part in parts {
                        match (
                            part.get("type").and_then(Value::as_str),
                            part.get("text").and_then(Value::as_str),
                        ) {
                            (Some("text"), Some(t)) => text.push_str(t),
                            _ => {
                                return bad(format!(
                                    "messages[{i}].content: only text parts are supported"
                                ));
                            }
                        }
                    }
                    text
                }
                _ => return bad(format!("messages[{i}].content must be a string")),
            };
            messages.push(ChatMessage { role, content });
        }
        Ok(Job {
            prompt: Prompt::Chat(messages),
            params: self.sampling.to_params()?,
            stream: self.sampling.stream,
            return_token_ids: self.sampling.return_token_ids,
        })
    }
}

/// `finish_reason` and vLLM's `stop_reason` (the stop string, or null for end-of-sequence).
pub fn finish_fields(finish: &FinishReason) -> (&'static str, Value) {
    match finish {
        FinishReason::Length => ("length", Value::Null),
        FinishReason::Eos => ("stop", Value::Null),
        FinishReason::Stop(s) => ("stop", json!(s)),
    }
}

pub fn usage(g: &Generation) -> Value {
    json!({
        "prompt_tokens": g.prompt_token_ids.len(),
        "completion_tokens": g.token_ids.len(),
        "total_tokens": g.prompt_token_ids.len() + g.token_ids.len(),
    })
}

/// Which endpoint a response belongs to; decides the object names and where text goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Completion,
    Chat,
}

/// The whole (non-streamed) response.
pub fn response(
    kind: Kind,
    id: &str,
    created: u64,
    model: &str,
    g: &Generation,
    ids: bool,
) -> Value {
    let (finish, stop_reason) = finish_fields(&g.finish);
    let mut choice = match kind {
        Kind::Completion => {
            json!({"index": 0, "text": g.text, "finish_reason": finish, "stop_reason": stop_reason})
        }
        Kind::Chat => json!({
            "index": 0,
            "message": {"role": "assistant", "content": g.text},
            "finish_reason": finish,
            "stop_reason": stop_reason,
        }),
    };
    if ids {
        choice["token_ids"] = json!(g.token_ids);
        choice["prompt_token_ids"] = json!(g.prompt_token_ids);
    }
    let object = match kind {
        Kind::Completion => "text_completion",
        Kind::Chat => "chat.completion",
    };
    json!({"id": id, "object": object, "created": created, "model": model, "choices": [choice], "usage": usage(g)})
}

/// One streamed chunk with `text` (and, on the last one, the finish reason).
pub fn chunk(
    kind: Kind,
    id: &str,
    created: u64,
    model: &str,
    text: &str,
    finish: Option<(&FinishReason, Option<&Generation>)>,
) -> Value {
    let mut choice = match kind {
        Kind::Completion => json!({"index": 0, "text": text, "finish_reason": null}),
        Kind::Chat => json!({"index": 0, "delta": {"content": text}, "finish_reason": null}),
    };
    if let Some((reason, generation)) = finish {
        let (finish, stop_reason) = finish_fields(reason);
        choice["finish_reason"] = json!(finish);
        choice["stop_reason"] = stop_reason;
        // Ids come with the last chunk: the engine reports them once generation is over.
        if let Some(g) = generation {
            choice["token_ids"] = json!(g.token_ids);
            choice["prompt_token_ids"] = json!(g.prompt_token_ids);
        }
    }
    let object = match kind {
        Kind::Completion => "text_completion",
        Kind::Chat => "chat.completion.chunk",
    };
    json!({"id": id, "object": object, "created": created, "model": model, "choices": [choice]})
}

/// An OpenAI-style error body.
pub fn error_body(message: &str, kind: &str) -> Value {
    json!({"error": {"message": message, "type": kind, "param": null, "code": null}})
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn completion(body: Value) -> Result<Job, BadRequest> {
        let request: CompletionRequest =
            serde_json::from_value(body).map_err(|e| BadRequest(e.to_string()))?;
        request.into_job(&engine::remote::qwen_special_tokens())
    }

    #[test]
    fn openai_defaults_and_vllm_extensions() {
        let job =
            completion(json!({"prompt": "def f():", "top_k": -1, "stop": "\n\n", "stream": true}))
                .unwrap();
        assert_eq!(job.params.max_tokens, 16);
        assert_eq!(job.params.temperature, 1.0);
        assert_eq!(job.params.top_k, None);
        assert_eq!(job.params.stop, vec!["\n\n".to_string()]);
        assert!(job.stream);
    }

    #[test]
    fn suffix_builds_a_fim_prompt() {
        let job = completion(json!({"prompt": ["a = "], "suffix": "\nprint(a)"})).unwrap();
        assert_eq!(
            job.prompt,
            Prompt::Text("<|fim_prefix|>a = <|fim_suffix|>\nprint(a)<|fim_middle|>".into())
        );
    }

    #[test]
    fn unsupported_requests_are_refused_with_the_reason() {
        for (body, needle) in [
            (json!({"prompt": "x", "n": 2}), "n = 1"),
            (json!({"prompt": [1, 2, 3]}), "token-id"),
            (json!({"prompt": ["a", "b"]}), "one prompt"),
            (json!({"prompt": "x", "temperature": -1}), "temperature"),
            (json!({"prompt": "x", "max_tokens": 0}), "max_tokens"),
            (json!({"prompt": "x", "logprobs": 2}), "logprobs"),
        ] {
            let err = completion(body.clone()).unwrap_err().0;
            assert!(err.contains(needle), "{body}: {err}");
        }
    }

    #[test]
    fn chat_content_parts_are_joined() {
        let request: ChatRequest = serde_json::from_value(json!({
            "messages": [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]
        }))
        .unwrap();
        let job = request.into_job().unwrap();
        assert_eq!(
            job.prompt,
            Prompt::Chat(vec![ChatMessage {
                role: Role::User,
                content: "ab".into()
            }])
        );
    }
}
