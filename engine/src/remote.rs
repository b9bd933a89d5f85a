//! A [`Backend`] that generates on a remote OpenAI-compatible server: vLLM, SGLang, llama.cpp's server,
//! Ollama's `/v1`, or our own `qwen-lsp serve-http`.
//!
//! `Prompt::Text` (raw FIM text with special tokens written in it) goes to `/v1/completions`,
//! `Prompt::Chat` to `/v1/chat/completions`, always streamed as server-sent events. Secrets are redacted
//! before the prompt leaves the process unless the configuration turns that off.
//!
//! The request runs on a worker thread that feeds the caller's thread through a channel, so cancellation
//! returns at once even while the server is silent (prefilling a long prompt, or stalled); the worker
//! then drops the connection at its next read, which tells the server to stop generating.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::secrets::{SecretFilter, SecretFilterConfig};
use crate::{
    Backend, CancellationToken, Error, FinishReason, Generation, ModelInfo, Prompt, Result,
    SamplingParams, SpecialTokens,
};

/// How to reach and use a remote server. Plain data; [`RemoteConfig::from_spec`] builds one from
/// `http://host:port/v1#model-name`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RemoteConfig {
    /// Base URL up to and including the API version, e.g. `http://127.0.0.1:8000/v1`.
    pub base_url: String,
    /// The model name the server knows (`Qwen/Qwen3-Coder-30B-A3B-Instruct`).
    pub model: String,
    /// Sent as `Authorization: Bearer <key>`.
    pub api_key: Option<String>,
    /// Time to open the TCP (and TLS) connection. Default 5 s.
    pub connect_timeout_ms: u64,
    /// Longest silence allowed while waiting for the response or between two reads of it. Default 60 s,
    /// enough for a long prefill on a loaded server.
    pub read_timeout_ms: u64,
    /// Retries after a connection failure, a 5xx or a 429, as long as nothing was streamed yet. Default 2.
    pub max_retries: u32,
    /// Wait before the first retry, doubled for each further one. Default 200 ms.
    pub retry_backoff_ms: u64,
    /// Redact secrets from prompts before sending them. Default `true`.
    pub redact_secrets: bool,
    pub secrets: SecretFilterConfig,
    /// Ask for generated token ids (`return_token_ids`, understood by vLLM >= 0.10.2 and serve-http).
    /// Off by default: some servers reject unknown fields.
    pub request_token_ids: bool,
    /// The served model's context window, for prompt budgeting. Default 32768.
    pub context_length: usize,
    /// Special tokens of the served model. Default: Qwen2.5/Qwen3(-Coder)'s, since a Qwen is served.
    pub special: SpecialTokens,
    /// A local copy of the served model's `tokenizer.json`, for exact [`Backend::count_tokens`].
    pub tokenizer: Option<PathBuf>,
}

impl Default for RemoteConfig {
    fn default() -> Self {
        RemoteConfig {
            base_url: String::new(),
            model: String::new(),
            api_key: None,
            connect_timeout_ms: 5_000,
            read_timeout_ms: 60_000,
            max_retries: 2,
            retry_backoff_ms: 200,
            redact_secrets: true,
            secrets: SecretFilterConfig::default(),
            request_token_ids: false,
            context_length: 32_768,
            special: qwen_special_tokens(),
            tokenizer: None,
        }
    }
}

/// The special tokens every Qwen2.5 and Qwen3 tokenizer defines.
pub fn qwen_special_tokens() -> SpecialTokens {
    let s = |t: &str| Some(t.to_string());
    SpecialTokens {
        fim_prefix: s("<|fim_prefix|>"),
        fim_suffix: s("<|fim_suffix|>"),
        fim_middle: s("<|fim_middle|>"),
        fim_pad: s("<|fim_pad|>"),
        repo_name: s("<|repo_name|>"),
        file_sep: s("<|file_sep|>"),
        eos: vec!["<|endoftext|>".into(), "<|im_end|>".into()],
        think_start: s("<think>"),
        think_end: s("</think>"),
    }
}

impl RemoteConfig {
    /// True for model specs that name a remote server rather than a checkpoint.
    pub fn is_remote_spec(spec: &str) -> bool {
        spec.starts_with("http://") || spec.starts_with("https://")
    }

    /// Parses `http://host:port/v1#model-name` (the fragment is the served model's name). Everything
    /// else keeps its default.
    pub fn from_spec(spec: &str) -> Result<RemoteConfig> {
        let bad = |why: &str| Err(Error::InvalidInput(format!("remote model {spec:?}: {why}")));
        if !Self::is_remote_spec(spec) {
            return bad("must start with http:// or https://");
        }
        let Some((base, model)) = spec.split_once('#') else {
            return bad(
                "name the served model after '#', e.g. http://127.0.0.1:8000/v1#Qwen/Qwen3-Coder-30B-A3B-Instruct",
            );
        };
        if model.trim().is_empty() {
            return bad("the model name after '#' is empty");
        }
        let base = base.trim_end_matches('/');
        let host = base
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        if host.is_empty() || host.starts_with('/') || host.contains(char::is_whitespace) {
            return bad("no host");
        }
        Ok(RemoteConfig {
            base_url: base.to_string(),
            model: model.trim().to_string(),
            ..Default::default()
        })
    }
}

/// What a model string names, decided once where the string enters (`--model` of every command, the
/// editor's `model` setting): a model this process loads, or a remote OpenAI-compatible server
/// (`http(s)://host:port/v1#model-name`). Plain data, compared to decide whether new settings reload.
///
/// The options that describe loading weights (dtype, device, quantization, KV cache, LoRA adapters,
/// prefix cache size) mean nothing to a server that loaded its own: given with a remote model they are
/// an error naming them, rather than being dropped unnoticed. The secret filter applies to remote
/// models only; a local one never sends a prompt anywhere.
#[derive(Clone, Debug, PartialEq)]
pub enum BackendSpec {
    Local(crate::model::LoadOptions),
    /// Boxed: a configuration is several times the size of the load options.
    Remote(Box<RemoteConfig>),
}

impl BackendSpec {
    /// Parses `options.source` and checks the options against what it names.
    pub fn new(options: crate::model::LoadOptions) -> Result<BackendSpec> {
        if options.source.trim().is_empty() {
            return Err(Error::InvalidInput(
                "no model given: name a hub id, a model directory, a .gguf file or http://host:port/v1#model-name"
                    .into(),
            ));
        }
        if !RemoteConfig::is_remote_spec(&options.source) {
            return Ok(BackendSpec::Local(options));
        }
        let mut config = RemoteConfig::from_spec(&options.source)?;
        let local_only = local_only_options(&options);
        if !local_only.is_empty() {
            return Err(Error::InvalidInput(format!(
                "{} is a remote server, which loads its own weights; these options are for a model loaded in \
                 this process only: {} (remove them, or set them on that server)",
                options.source,
                local_only.join(", "),
            )));
        }
        config.redact_secrets = options.secrets.enabled;
        config.secrets = options.secrets;
        Ok(BackendSpec::Remote(Box::new(config)))
    }

    /// The model string: the local source, or the remote server's `base_url#model`.
    pub fn source(&self) -> String {
        match self {
            BackendSpec::Local(options) => options.source.clone(),
            BackendSpec::Remote(config) => format!("{}#{}", config.base_url, config.model),
        }
    }

    /// Loads the local model, or builds the remote client (API key from [`API_KEY_ENV`]; the server is
    /// not contacted until the first request).
    pub fn open(&self) -> Result<std::sync::Arc<dyn Backend>> {
        match self {
            BackendSpec::Local(options) => Ok(std::sync::Arc::new(crate::model::LocalModel::load(
                options,
            )?)),
            BackendSpec::Remote(config) => {
                let mut config = RemoteConfig::clone(config);
                config.api_key = std::env::var(API_KEY_ENV).ok().filter(|k| !k.is_empty());
                Ok(std::sync::Arc::new(RemoteBackend::new(config)?))
            }
        }
    }
}

/// The options in `options` that only a model loaded in this process reads, by name.
fn local_only_options(options: &crate::model::LoadOptions) -> Vec<&'static str> {
    let crate::model::LoadOptions {
        source: _,
        dtype,
        device,
        show_progress: _,
        quantize,
        // The server's default, not a user's choice.
        cpu_default_quantize: _,
        lora,
        prefix_cache_mb,
        kv_cache,
        secrets: _,
    } = options;
    [
        (dtype.is_some(), "dtype"),
        (device.is_some(), "device"),
        (quantize.is_some(), "quantize"),
        (
            *kv_cache != crate::model::options::KvCacheType::Auto,
            "kv cache",
        ),
        (!lora.is_empty(), "LoRA adapters"),
        (prefix_cache_mb.is_some(), "prefix cache size"),
    ]
    .into_iter()
    .filter_map(|(given, name)| given.then_some(name))
    .collect()
}

/// Environment variable with the API key [`BackendSpec::open`] sends to remote servers.
pub const API_KEY_ENV: &str = "QWEN_LSP_REMOTE_API_KEY";

/// Opens whatever `options.source` names ([`BackendSpec::new`], then [`BackendSpec::open`]). The one
/// entry point for front ends that accept either (LSP server, HTTP server, `generate`, evals).
pub fn open_backend(options: &crate::model::LoadOptions) -> Result<std::sync::Arc<dyn Backend>> {
    BackendSpec::new(options.clone())?.open()
}

/// A remote OpenAI-compatible server as a [`Backend`].
pub struct RemoteBackend {
    config: RemoteConfig,
    agent: ureq::Agent,
    info: ModelInfo,
    filter: Option<SecretFilter>,
    tokenizer: Option<tokenizers::Tokenizer>,
}

impl std::fmt::Debug for RemoteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteBackend")
            .field("base_url", &self.config.base_url)
            .field("model", &self.config.model)
            .field("redact_secrets", &self.filter.is_some())
            .finish()
    }
}

impl RemoteBackend {
    /// Validates the configuration and builds the client. Does not contact the server.
    pub fn new(config: RemoteConfig) -> Result<RemoteBackend> {
        if !RemoteConfig::is_remote_spec(&config.base_url) {
            return Err(Error::InvalidInput(format!(
                "remote base URL {:?} must start with http:// or https://",
                config.base_url
            )));
        }
        if config.model.is_empty() {
            return Err(Error::InvalidInput("remote backend: no model name".into()));
        }
        let filter = if config.redact_secrets {
            Some(SecretFilter::new(&config.secrets)?)
        } else {
            None
        };
        let tokenizer =
            match &config.tokenizer {
                Some(path) => Some(tokenizers::Tokenizer::from_file(path).map_err(|e| {
                    Error::Tokenizer(format!("cannot load {}: {e}", path.display()))
                })?),
                None => None,
            };
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_millis(config.connect_timeout_ms)))
            .timeout_per_read(Some(Duration::from_millis(config.read_timeout_ms)))
            .timeout_recv_response(Some(Duration::from_millis(config.read_timeout_ms)))
            .http_status_as_error(false)
            .build()
            .into();
        let info = ModelInfo {
            name: format!("{}#{}", config.base_url, config.model),
            context_length: config.context_length,
            special: config.special.clone(),
            has_chat_template: true,
            weights: String::new(),
        };
        Ok(RemoteBackend {
            config,
            agent,
            info,
            filter,
            tokenizer,
        })
    }

    pub fn config(&self) -> &RemoteConfig {
        &self.config
    }

    fn request_body(&self, prompt: &Prompt, params: &SamplingParams) -> (String, Value) {
        let mut body = json!({
            "model": self.config.model,
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "seed": params.seed,
            "stream": true,
            "stream_options": {"include_usage": true},
        });
        let fields = &mut body;
        if let Some(p) = params.top_p {
            fields["top_p"] = json!(p);
        }
        // Not in OpenAI's API, but vLLM, SGLang, llama.cpp and serve-http read them; sent only when set
        // so that stricter servers still accept plain requests.
        if let Some(k) = params.top_k {
            fields["top_k"] = json!(k);
        }
        if params.repetition_penalty != 1.0 {
            fields["repetition_penalty"] = json!(params.repetition_penalty);
        }
        if !params.stop.is_empty() {
            fields["stop"] = json!(params.stop);
        }
        if self.config.request_token_ids {
            fields["return_token_ids"] = json!(true);
        }
        let endpoint = match prompt {
            Prompt::Text(text) => {
                fields["prompt"] = json!(text);
                "completions"
            }
            Prompt::Chat(messages) => {
                fields["messages"] = json!(messages);
                "chat/completions"
            }
        };
        (format!("{}/{endpoint}", self.config.base_url), body)
    }
}

/// Bound on a non-streamed response and on one line of a stream: far above any completion, low enough
/// that a broken server cannot exhaust memory.
const MAX_RESPONSE_BYTES: u64 = 16 << 20;

/// What the worker thread reports.
enum Event {
    Text { text: String, token_ids: Vec<u32> },
    PromptIds(Vec<u32>),
    Finish(FinishReason),
    Done,
    Failed(Error),
}

impl Backend for RemoteBackend {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Exact with a configured `tokenizer.json`. Otherwise an estimate of one token per 3 bytes, plus
    /// one per special token: Qwen's BPE averages 3.5-4.5 bytes per token on source code, so the estimate
    /// errs on the side of a prompt that fits the context rather than one that overflows it.
    fn count_tokens(&self, text: &str) -> Result<usize> {
        if let Some(tokenizer) = &self.tokenizer {
            let encoding = tokenizer
                .encode(text, false)
                .map_err(|e| Error::Tokenizer(e.to_string()))?;
            return Ok(encoding.len());
        }
        let specials = [
            &self.info.special.fim_prefix,
            &self.info.special.fim_suffix,
            &self.info.special.fim_middle,
        ];
        let mut rest = text.len();
        let mut count = 0;
        for token in specials.into_iter().flatten() {
            let n = text.matches(token.as_str()).count();
            count += n;
            rest -= n * token.len();
        }
        Ok(count + rest.div_ceil(3))
    }

    fn generate(
        &self,
        prompt: &Prompt,
        params: &SamplingParams,
        cancel: &CancellationToken,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Generation> {
        params.validate()?;
        let start = Instant::now();
        let redacted;
        let prompt = match &self.filter {
            Some(filter) => {
                redacted = filter.redact_prompt(prompt);
                &redacted
            }
            None => prompt,
        };
        let (url, body) = self.request_body(prompt, params);
        let body = serde_json::to_vec(&body)
            .map_err(|e| Error::Backend(format!("cannot encode request: {e}")))?;

        // A small bound: the worker waits for the caller (back-pressure) instead of buffering a whole
        // generation if the caller's `on_text` is slow.
        let (tx, rx) = mpsc::sync_channel::<Event>(64);
        let worker = Worker {
            agent: self.agent.clone(),
            url,
            api_key: self.config.api_key.clone(),
            body,
            max_retries: self.config.max_retries,
            backoff: Duration::from_millis(self.config.retry_backoff_ms),
            cancel: cancel.clone(),
            tx,
        };
        std::thread::Builder::new()
            .name("remote-backend".into())
            .spawn(move || worker.run())
            .map_err(|e| Error::Backend(format!("cannot start the request thread: {e}")))?;

        let mut generation = Generation {
            prompt_token_ids: Vec::new(),
            token_ids: Vec::new(),
            text: String::new(),
            finish: FinishReason::Eos,
            prefill_ms: 0.0,
            decode_ms: 0.0,
        };
        let mut first_text: Option<Instant> = None;
        let mut finish = None;
        loop {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let event = match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(event) => event,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(Error::Backend(
                        "the request thread ended without a result".into(),
                    ));
                }
            };
            match event {
                Event::Text { text, token_ids } => {
                    first_text.get_or_insert_with(Instant::now);
                    generation.token_ids.extend(token_ids);
                    if !text.is_empty() {
                        on_text(&text);
                        generation.text.push_str(&text);
                    }
                }
                Event::PromptIds(ids) => generation.prompt_token_ids = ids,
                Event::Finish(reason) => finish = Some(reason),
                Event::Done => break,
                Event::Failed(e) => return Err(e),
            }
        }
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        // The time to the first text is the closest a client gets to the server's prefill time.
        let first = first_text.unwrap_or_else(Instant::now);
        generation.prefill_ms = (first - start).as_secs_f64() * 1e3;
        generation.decode_ms = first.elapsed().as_secs_f64() * 1e3;
        generation.finish = finish
            .ok_or_else(|| Error::Backend("the stream ended without a finish reason".into()))?;
        Ok(generation)
    }
}

/// One request, run on its own thread.
struct Worker {
    agent: ureq::Agent,
    url: String,
    api_key: Option<String>,
    body: Vec<u8>,
    max_retries: u32,
    backoff: Duration,
    cancel: CancellationToken,
    tx: mpsc::SyncSender<Event>,
}

impl Worker {
    fn run(self) {
        let result = self.connect().and_then(|response| self.read(response));
        // The caller may be gone (cancelled); nobody is left to tell then.
        let _ = self.tx.send(match result {
            Ok(()) => Event::Done,
            Err(e) => Event::Failed(e),
        });
    }

    /// Sends the request, retrying connection failures, 5xx and 429 with exponential backoff.
    fn connect(&self) -> Result<ureq::http::Response<ureq::Body>> {
        let mut attempt = 0;
        loop {
            let mut request = self
                .agent
                .post(&self.url)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream");
            if let Some(key) = &self.api_key {
                request = request.header("Authorization", format!("Bearer {key}"));
            }
            let failure = match request.send(&self.body[..]) {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let message = error_message(response);
                    let error =
                        Error::Backend(format!("{} answered HTTP {status}: {message}", self.url));
                    if status != 429 && status < 500 {
                        return Err(error);
                    }
                    error
                }
                Err(e) if retryable(&e) => {
                    Error::Backend(format!("cannot reach {}: {e}", self.url))
                }
                Err(e) => {
                    return Err(Error::Backend(format!(
                        "request to {} failed: {e}",
                        self.url
                    )));
                }
            };
            if attempt >= self.max_retries {
                return Err(failure);
            }
            tracing::debug!(attempt, error = %failure, "retrying remote request");
            let deadline = Instant::now() + self.backoff * 2u32.saturating_pow(attempt);
            while Instant::now() < deadline {
                if self.cancel.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                std::thread::sleep(Duration::from_millis(10).min(deadline - Instant::now()));
            }
            attempt += 1;
        }
    }

    /// Reads the streamed events (or a plain JSON answer from a server that ignores `stream`).
    fn read(&self, response: ureq::http::Response<ureq::Body>) -> Result<()> {
        let is_json = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let reader = response.into_body().into_reader();
        if is_json {
            let mut body = String::new();
            let read = reader
                .take(MAX_RESPONSE_BYTES + 1)
                .read_to_string(&mut body);
            read.map_err(|e| read_error(&self.url, e))?;
            if body.len() as u64 > MAX_RESPONSE_BYTES {
                return Err(Error::Backend(format!(
                    "{} sent more than {MAX_RESPONSE_BYTES} bytes",
                    self.url
                )));
            }
            let value: Value = serde_json::from_str(&body)
                .map_err(|e| Error::Backend(format!("malformed JSON from {}: {e}", self.url)))?;
            return self.event(&value, "message").map(|_| ());
        }
        let mut lines = BufReader::new(reader);
        let mut line = String::new();
        let mut data = String::new();
        let mut finished = false;
        loop {
            if self.cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            line.clear();
            let n = (&mut lines)
                .take(MAX_RESPONSE_BYTES)
                .read_line(&mut line)
                .map_err(|e| read_error(&self.url, e))?;
            if n as u64 == MAX_RESPONSE_BYTES && !line.ends_with('\n') {
                return Err(Error::Backend(format!(
                    "{} sent a line longer than {MAX_RESPONSE_BYTES} bytes",
                    self.url
                )));
            }
            if n == 0 {
                // Some servers close right after the last chunk instead of sending [DONE].
                if finished {
                    return Ok(());
                }
                return Err(Error::Backend(format!(
                    "{} closed the stream before [DONE]",
                    self.url
                )));
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                // An event ends at a blank line; its data lines are joined with newlines (SSE spec).
                if data.is_empty() {
                    continue;
                }
                if data.trim() == "[DONE]" {
                    return Ok(());
                }
                let value: Value = serde_json::from_str(&data).map_err(|e| {
                    Error::Backend(format!(
                        "malformed event from {}: {e}: {data:.200}",
                        self.url
                    ))
                })?;
                data.clear();
                finished |= self.event(&value, "delta")?;
            } else if let Some(rest) = line.strip_prefix("data:") {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            } else if line.starts_with(':')
                || line.starts_with("event:")
                || line.starts_with("id:")
                || line.starts_with("retry:")
            {
                // Comments (keep-alives) and fields OpenAI-compatible servers do not use.
            } else {
                return Err(Error::Backend(format!(
                    "{} sent a line that is not server-sent events: {line:.200}",
                    self.url
                )));
            }
        }
    }

    /// Handles one response object (a streamed chunk, or a whole answer when `message_key` is
    /// `message`). Text lives in `choices[0].text` (completions) or `choices[0].<delta|message>.content`.
    /// Returns whether it carried a finish reason.
    fn event(&self, value: &Value, message_key: &str) -> Result<bool> {
        if let Some(error) = value.get("error") {
            let message = error
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| error.to_string());
            return Err(Error::Backend(format!(
                "{} reported an error: {message}",
                self.url
            )));
        }
        if let Some(ids) = value.get("prompt_token_ids").and_then(ids) {
            self.send(Event::PromptIds(ids))?;
        }
        let Some(choices) = value.get("choices").and_then(Value::as_array) else {
            // Usage-only chunks have an empty `choices`; anything without it is not ours to read.
            return if value.get("usage").is_some() {
                Ok(false)
            } else {
                Err(Error::Backend(format!(
                    "{} sent an object without choices: {:.200}",
                    self.url,
                    value.to_string()
                )))
            };
        };
        let Some(choice) = choices.first() else {
            return Ok(false);
        };
        if let Some(ids) = choice.get("prompt_token_ids").and_then(ids) {
            self.send(Event::PromptIds(ids))?;
        }
        let text = choice
            .get("text")
            .or_else(|| choice.get(message_key).and_then(|m| m.get("content")))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let token_ids = choice.get("token_ids").and_then(ids).unwrap_or_default();
        if !text.is_empty() || !token_ids.is_empty() {
            self.send(Event::Text {
                text: text.to_string(),
                token_ids,
            })?;
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            let finish = match reason {
                "length" => FinishReason::Length,
                // vLLM and serve-http name the stop string that ended generation in `stop_reason`; a
                // plain "stop" is an end-of-sequence token.
                _ => match choice.get("stop_reason").and_then(Value::as_str) {
                    Some(stop) => FinishReason::Stop(stop.to_string()),
                    None => FinishReason::Eos,
                },
            };
            self.send(Event::Finish(finish))?;
            return Ok(true);
        }
        Ok(false)
    }

    fn send(&self, event: Event) -> Result<()> {
        // A closed channel means the caller cancelled and left; stop reading so the connection closes.
        self.tx.send(event).map_err(|_| Error::Cancelled)
    }
}

fn ids(value: &Value) -> Option<Vec<u32>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_u64().and_then(|n| u32::try_from(n).ok()))
        .collect()
}

/// Errors worth another attempt: the server was not reachable (yet), or the connection broke. A server
/// that accepted the request but did not answer in time is not retried: it is busy, and a second copy
/// of a long prompt would only add to its load.
fn retryable(e: &ureq::Error) -> bool {
    use ureq::Timeout;
    matches!(
        e,
        ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
            | ureq::Error::Io(_)
            | ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect)
    )
}

fn read_error(url: &str, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::TimedOut {
        Error::Backend(format!("{url} stopped sending (read timeout): {e}"))
    } else {
        Error::Backend(format!("reading the response from {url} failed: {e}"))
    }
}

/// The `error.message` of an OpenAI-style error body, or the start of the body.
fn error_message(response: ureq::http::Response<ureq::Body>) -> String {
    let mut body = String::new();
    let _ = response
        .into_body()
        .into_reader()
        .take(4096)
        .read_to_string(&mut body);
    serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("error")?.get("message")?.as_str().map(str::to_string))
        .unwrap_or_else(|| body.trim().chars().take(300).collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn spec_names_url_and_model() {
        let c =
            RemoteConfig::from_spec("http://gpu-box:8000/v1/#Qwen/Qwen3-Coder-30B-A3B-Instruct")
                .unwrap();
        assert_eq!(c.base_url, "http://gpu-box:8000/v1");
        assert_eq!(c.model, "Qwen/Qwen3-Coder-30B-A3B-Instruct");
        assert!(
            c.redact_secrets,
            "redaction is on by default for remote backends"
        );
    }

    #[test]
    fn open_backend_takes_the_secret_filter_from_the_load_options() {
        let remote_config =
            |options: &crate::model::LoadOptions| match BackendSpec::new(options.clone()) {
                Ok(BackendSpec::Remote(config)) => Ok(*config),
                Ok(BackendSpec::Local(_)) => panic!("{} is remote", options.source),
                Err(e) => Err(e),
            };
        let mut options = crate::model::LoadOptions {
            source: "http://127.0.0.1:9/v1#m".into(),
            ..Default::default()
        };
        let config = remote_config(&options).unwrap();
        assert!(config.redact_secrets, "on by default");
        assert_eq!(config.secrets, SecretFilterConfig::default());

        options.secrets.deny = vec!["internal-[0-9]+".into()];
        let backend = RemoteBackend::new(remote_config(&options).unwrap()).unwrap();
        let redacted = backend.filter.as_ref().unwrap().redact("x = 'internal-42'");
        assert!(!redacted.contains("internal-42"), "{redacted}");

        options.secrets.enabled = false;
        let backend = RemoteBackend::new(remote_config(&options).unwrap()).unwrap();
        assert!(backend.filter.is_none(), "the user turned redaction off");

        options.secrets = SecretFilterConfig {
            deny: vec!["(".into()],
            ..Default::default()
        };
        assert!(
            RemoteBackend::new(remote_config(&options).unwrap()).is_err(),
            "a bad pattern is an error"
        );
    }

    #[test]
    fn the_model_string_decides_local_or_remote_once() {
        let spec = |source: &str| {
            BackendSpec::new(crate::model::LoadOptions {
                source: source.into(),
                ..Default::default()
            })
        };
        for local in [
            "Qwen/Qwen3-0.6B",
            "./models/qwen",
            "/tmp/q.gguf",
            "httpd-model",
        ] {
            assert!(
                matches!(spec(local), Ok(BackendSpec::Local(ref o)) if o.source == local),
                "{local}"
            );
        }
        let remote = spec("https://gpu-box/v1/#Qwen/Qwen3-Coder").unwrap();
        assert!(
            matches!(&remote, BackendSpec::Remote(c) if c.base_url == "https://gpu-box/v1"),
            "{remote:?}"
        );
        assert_eq!(remote.source(), "https://gpu-box/v1#Qwen/Qwen3-Coder");
        for bad in ["", "  ", "http://gpu-box:8000/v1"] {
            assert!(matches!(spec(bad), Err(Error::InvalidInput(_))), "{bad:?}");
        }
    }

    #[test]
    fn local_only_options_with_a_remote_model_are_named_in_the_error() {
        use crate::model::options::{DeviceSpec, KvCacheType, Quantization, WeightDtype};
        let remote = crate::model::LoadOptions {
            source: "http://127.0.0.1:9/v1#m".into(),
            ..Default::default()
        };
        let cases: [(crate::model::LoadOptions, &str); 6] = [
            (
                crate::model::LoadOptions {
                    dtype: Some(WeightDtype::F16),
                    ..remote.clone()
                },
                "dtype",
            ),
            (
                crate::model::LoadOptions {
                    device: Some(DeviceSpec::Cpu),
                    ..remote.clone()
                },
                "device",
            ),
            (
                crate::model::LoadOptions {
                    quantize: Some(Quantization::Q8_0),
                    ..remote.clone()
                },
                "quantize",
            ),
            (
                crate::model::LoadOptions {
                    kv_cache: KvCacheType::Int8,
                    ..remote.clone()
                },
                "kv cache",
            ),
            (
                crate::model::LoadOptions {
                    lora: vec!["/a".into()],
                    ..remote.clone()
                },
                "LoRA adapters",
            ),
            (
                crate::model::LoadOptions {
                    prefix_cache_mb: Some(64),
                    ..remote.clone()
                },
                "prefix cache size",
            ),
        ];
        for (options, name) in cases {
            let err = BackendSpec::new(options).unwrap_err().to_string();
            assert!(
                err.contains("http://127.0.0.1:9/v1#m is a remote server"),
                "{err}"
            );
            assert!(
                err.contains(&format!(
                    "for a model loaded in this process only: {name} (remove them"
                )),
                "{err}"
            );
        }
        let both = crate::model::LoadOptions {
            dtype: Some(WeightDtype::F32),
            kv_cache: KvCacheType::F16,
            ..remote.clone()
        };
        let err = BackendSpec::new(both).unwrap_err().to_string();
        assert!(err.contains("only: dtype, kv cache (remove"), "{err}");
        // What applies to a remote model is not reported.
        let fine = crate::model::LoadOptions {
            show_progress: true,
            secrets: SecretFilterConfig {
                enabled: false,
                ..Default::default()
            },
            ..remote
        };
        assert!(BackendSpec::new(fine).is_ok());
    }

    #[test]
    fn bad_specs_say_what_is_missing() {
        for (spec, needle) in [
            ("http://gpu-box:8000/v1", "after '#'"),
            ("http://gpu-box:8000/v1#", "empty"),
            ("ftp://gpu-box/v1#m", "http://"),
            ("http://#m", "no host"),
        ] {
            let err = RemoteConfig::from_spec(spec).unwrap_err().to_string();
            assert!(err.contains(needle), "{spec}: {err}");
        }
    }

    #[test]
    fn token_estimate_counts_special_tokens_once() {
        let backend =
            RemoteBackend::new(RemoteConfig::from_spec("http://127.0.0.1:9/v1#m").unwrap())
                .unwrap();
        assert_eq!(backend.count_tokens("").unwrap(), 0);
        assert_eq!(
            backend
                .count_tokens("<|fim_prefix|>abcdef<|fim_suffix|><|fim_middle|>")
                .unwrap(),
            3 + 2
        );
        assert_eq!(backend.count_tokens("abcd").unwrap(), 2);
    }
}
