//! `qwen-lsp serve-http` driven by the engine's remote backend over loopback: the real binary with the
//! tiny checkpoint (same greedy output as the model in-process, streaming, API keys, bad input,
//! cancellation), and scripted TCP servers that answer garbage, stall or hang up.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use engine::remote::{RemoteBackend, RemoteConfig};
use engine::{
    Backend, CancellationToken, ChatMessage, Error, FinishReason, Prompt, Role, SamplingParams,
};

use crate::support::{TIMEOUT, tiny_model};

/// The real binary serving the tiny checkpoint on a free loopback port.
struct HttpServer {
    child: Child,
    base: String,
}

impl HttpServer {
    fn spawn(extra: &[&str]) -> HttpServer {
        let extra = [&["--dtype", "f32", "--device", "cpu"], extra].concat();
        HttpServer::spawn_model(&tiny_model().display().to_string(), &extra)
    }

    fn spawn_model(model: &str, extra: &[&str]) -> HttpServer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qwen-lsp"))
            .arg("serve-http")
            .arg("--model")
            .arg(model)
            .args(["--port", "0"])
            .args(extra)
            .env_remove("QWEN_LSP_MODEL")
            .env_remove("QWEN_LSP_API_KEY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the qwen-lsp binary starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = channel();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = line.split("listening on ").nth(1) {
                    let _ = tx.send(addr.trim().to_string());
                }
            }
        });
        let base = rx
            .recv_timeout(TIMEOUT)
            .expect("serve-http prints the address it listens on");
        HttpServer { child, base }
    }

    fn backend(&self, configure: impl FnOnce(&mut RemoteConfig)) -> RemoteBackend {
        let mut config =
            RemoteConfig::from_spec(&format!("{}/v1#tiny", self.base)).expect("valid spec");
        config.request_token_ids = true;
        config.max_retries = 0;
        configure(&mut config);
        RemoteBackend::new(config).expect("valid remote config")
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn greedy(max_tokens: usize) -> SamplingParams {
    SamplingParams {
        max_tokens,
        temperature: 0.0,
        ..SamplingParams::default()
    }
}

/// One HTTP/1.1 exchange over a fresh connection; returns (status, body).
fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).expect("connect to serve-http");
    stream.set_read_timeout(Some(TIMEOUT)).expect("set timeout");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("send request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn metric(base: &str, name: &str) -> f64 {
    let (_, text) = http(base, "GET", "/metrics", &[], "");
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("metric {name} missing in\n{text}"))
}

#[test]
fn remote_greedy_output_matches_the_model_in_process() {
    let server = HttpServer::spawn(&[]);
    let remote = server.backend(|_| {});
    let local = engine::model::LocalModel::load(&engine::model::LoadOptions {
        source: tiny_model().display().to_string(),
        dtype: Some(engine::model::options::WeightDtype::F32),
        device: Some(engine::model::options::DeviceSpec::Cpu),
        ..Default::default()
    })
    .expect("the tiny model loads");
    let prompts = [
        Prompt::Text("<|fim_prefix|>def add(a, b):\n    return <|fim_suffix|>\n\nprint(add(1, 2))<|fim_middle|>".into()),
        Prompt::Chat(vec![ChatMessage { role: Role::User, content: "Write a function that adds two numbers.".into() }]),
    ];
    for prompt in &prompts {
        let mut pieces = Vec::new();
        let got = remote.generate(prompt, &greedy(12), &CancellationToken::new(), &mut |t| {
            pieces.push(t.to_string())
        });
        let got = got.expect("remote generation succeeds");
        let want = local
            .generate(prompt, &greedy(12), &CancellationToken::new(), &mut |_| {})
            .expect("local generation");
        assert_eq!(got.prompt_token_ids, want.prompt_token_ids, "{prompt:?}");
        assert_eq!(got.token_ids, want.token_ids, "{prompt:?}");
        assert_eq!(got.text, want.text, "{prompt:?}");
        assert_eq!(got.finish, want.finish, "{prompt:?}");
        // Streamed: the text arrived in several pieces that add up to the whole.
        assert!(pieces.len() > 1, "one piece only: {pieces:?}");
        assert_eq!(pieces.concat(), got.text);
    }
    // With the served model's tokenizer.json, token counts are exact rather than estimated.
    let counting = server.backend(|c| c.tokenizer = Some(tiny_model().join("tokenizer.json")));
    for text in [
        "<|fim_prefix|>def f(x):<|fim_suffix|>\n<|fim_middle|>",
        "héllo wörld 🦀 = 42\n",
    ] {
        assert_eq!(
            counting.count_tokens(text).expect("count"),
            local.count_tokens(text).expect("count"),
            "{text}"
        );
    }
    // A stop string ends generation server-side and is reported back.
    let first = remote
        .generate(
            &prompts[0],
            &greedy(12),
            &CancellationToken::new(),
            &mut |_| {},
        )
        .expect("generation");
    let word: String = first.text.chars().skip(1).take(3).collect();
    assert!(
        !word.trim().is_empty(),
        "the tiny model's greedy text changed: {:?}",
        first.text
    );
    let params = SamplingParams {
        stop: vec![word.clone()],
        ..greedy(12)
    };
    let stopped = remote
        .generate(&prompts[0], &params, &CancellationToken::new(), &mut |_| {})
        .expect("generation");
    assert_eq!(stopped.finish, FinishReason::Stop(word.clone()));
    assert!(
        first.text.starts_with(&stopped.text) && !stopped.text.contains(&word),
        "{stopped:?}"
    );
}

#[test]
fn api_key_is_required_when_configured() {
    let server = HttpServer::spawn(&["--api-key", "test-key-123"]);
    let prompt = Prompt::Text("x = ".into());
    let err = server
        .backend(|_| {})
        .generate(&prompt, &greedy(2), &CancellationToken::new(), &mut |_| {})
        .expect_err("refused without the key");
    assert!(
        matches!(&err, Error::Backend(m) if m.contains("401") && m.contains("API key")),
        "{err}"
    );
    let wrong = server.backend(|c| c.api_key = Some("test-key-124".into()));
    assert!(
        wrong
            .generate(&prompt, &greedy(2), &CancellationToken::new(), &mut |_| {})
            .is_err()
    );
    let right = server.backend(|c| c.api_key = Some("test-key-123".into()));
    let g = right
        .generate(&prompt, &greedy(2), &CancellationToken::new(), &mut |_| {})
        .expect("accepted with the key");
    assert_eq!(g.token_ids.len(), 2);
    // /health stays open for load balancers; /metrics does not.
    assert_eq!(http(&server.base, "GET", "/health", &[], "").0, 200);
    assert_eq!(http(&server.base, "GET", "/metrics", &[], "").0, 401);
}

#[test]
fn bad_requests_get_json_errors() {
    let server = HttpServer::spawn(&["--max-body-bytes", "16384"]);
    let json = [("Content-Type", "application/json")];
    let cases = [
        ("POST", "/v1/completions", "{\"prompt\": ", 400, "parse"),
        (
            "POST",
            "/v1/completions",
            "{\"max_tokens\": 3}",
            400,
            "prompt",
        ),
        (
            "POST",
            "/v1/completions",
            "{\"prompt\": \"x\", \"temperature\": -2}",
            400,
            "temperature",
        ),
        // Subnormal and out-of-range sampling values (issue 16: they were 500s from the sampler).
        (
            "POST",
            "/v1/completions",
            "{\"prompt\": \"x\", \"temperature\": 1e-320}",
            400,
            "temperature",
        ),
        (
            "POST",
            "/v1/completions",
            "{\"prompt\": \"x\", \"top_p\": 1e-320}",
            400,
            "top_p",
        ),
        (
            "POST",
            "/v1/completions",
            "{\"prompt\": \"x\", \"repetition_penalty\": 1e-320}",
            400,
            "repetition_penalty",
        ),
        (
            "POST",
            "/v1/chat/completions",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"repetition_penalty\": 1e-40}",
            400,
            "repetition_penalty",
        ),
        (
            "POST",
            "/v1/completions",
            "{\"prompt\": \"x\", \"temperature\": 1e308, \"top_p\": 0.5}",
            400,
            "temperature",
        ),
        (
            "POST",
            "/v1/completions",
            "{\"prompt\": \"x\", \"n\": 3}",
            400,
            "n = 1",
        ),
        (
            "POST",
            "/v1/chat/completions",
            "{\"messages\": []}",
            400,
            "messages",
        ),
        (
            "POST",
            "/v1/chat/completions",
            "{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}",
            400,
            "robot",
        ),
        ("GET", "/v1/nothing", "", 404, "no route"),
    ];
    for (method, path, body, status, needle) in cases {
        let (got, text) = http(&server.base, method, path, &json, body);
        assert_eq!(got, status, "{path} {body}: {text}");
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        let message = value["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{body}: {message}");
    }
    let huge = format!("{{\"prompt\": \"{}\"}}", "a".repeat(20_000));
    assert_eq!(
        http(&server.base, "POST", "/v1/completions", &json, &huge).0,
        413
    );
    // A prompt longer than the tiny model's 1024-token context is refused before any streaming starts.
    let long = format!(
        "{{\"prompt\": \"{}\", \"stream\": true}}",
        "word ".repeat(1500)
    );
    let (status, text) = http(&server.base, "POST", "/v1/completions", &json, &long);
    assert_eq!(status, 400, "{text}");
    assert!(metric(&server.base, "qwen_lsp_http_errors_total") >= 14.0);
}

#[test]
fn cancelling_returns_at_once_and_stops_the_server_generation() {
    let server = HttpServer::spawn(&[]);
    let remote = server.backend(|_| {});
    let cancel = CancellationToken::new();
    let mut pieces = 0;
    let started = Instant::now();
    let params = SamplingParams {
        max_tokens: 1000,
        ..greedy(0)
    };
    let prompt = Prompt::Text("<|fim_prefix|>".into());
    let result = remote.generate(&prompt, &params, &cancel, &mut |_| {
        pieces += 1;
        if pieces == 2 {
            cancel.cancel();
        }
    });
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert!(started.elapsed() < TIMEOUT);
    // The client hung up; the server notices at its next token and stops instead of generating the
    // remaining ~1000 tokens for nobody.
    let deadline = Instant::now() + Duration::from_secs(30);
    while metric(&server.base, "qwen_lsp_cancelled_total") < 1.0 {
        assert!(
            Instant::now() < deadline,
            "the server did not cancel the abandoned generation"
        );
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(metric(&server.base, "qwen_lsp_generations_in_flight"), 0.0);

    // The same for a plain JSON request whose client hangs up while it waits for the whole answer.
    let addr = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).expect("connect");
    let body = r#"{"prompt": "<|fim_prefix|>", "max_tokens": 1000, "temperature": 0}"#;
    let request = format!(
        "POST /v1/completions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    thread::sleep(Duration::from_millis(300));
    drop(stream);
    while metric(&server.base, "qwen_lsp_cancelled_total") < 2.0 {
        assert!(
            Instant::now() < deadline,
            "the server did not cancel the abandoned JSON request"
        );
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        metric(&server.base, "qwen_lsp_generated_tokens_total"),
        0.0,
        "no generation ran to completion"
    );
}

/// What a scripted server does with each connection, in order.
#[derive(Clone)]
pub(crate) enum Act {
    /// Send these bytes, then close.
    Send(&'static str),
    /// Send these bytes, then keep the connection open without a word for this long.
    SendThenStall(&'static str, Duration),
}

/// A one-thread loopback server that plays `acts` to successive connections and records each request.
pub(crate) fn scripted(acts: Vec<Act>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!("http://{}/v1", listener.local_addr().expect("local addr"));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    thread::spawn(move || {
        for act in acts {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let request = read_request(&mut stream);
            seen.lock().expect("lock").push(request);
            match act {
                Act::Send(bytes) => {
                    let _ = stream.write_all(bytes.as_bytes());
                }
                Act::SendThenStall(bytes, wait) => {
                    let _ = stream.write_all(bytes.as_bytes());
                    thread::sleep(wait);
                }
            }
        }
    });
    (base, requests)
}

fn read_request(stream: &mut TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    head + "\r\n" + &String::from_utf8_lossy(&body)
}

const SSE_HEAD: &str =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
const CHUNK: &str =
    "data: {\"choices\":[{\"index\":0,\"text\":\"hello\",\"finish_reason\":null}]}\n\n";
pub(crate) const OK_STREAM: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\ndata: {\"choices\":[{\"index\":0,\"text\":\"hello\",\"finish_reason\":null}]}\n\ndata: {\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n";

/// Scripts are `&'static` so that they can be replayed; the few built at run time are leaked.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn reply(status: &str, content_type: &str, body: &str) -> &'static str {
    leak(format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ))
}

fn backend_for(base: &str, configure: impl FnOnce(&mut RemoteConfig)) -> RemoteBackend {
    let mut config = RemoteConfig::from_spec(&format!("{base}#m")).expect("valid spec");
    config.read_timeout_ms = 500;
    config.connect_timeout_ms = 500;
    config.retry_backoff_ms = 10;
    configure(&mut config);
    RemoteBackend::new(config).expect("valid config")
}

fn run(backend: &RemoteBackend) -> (Result<engine::Generation, Error>, String, Duration) {
    let mut streamed = String::new();
    let started = Instant::now();
    let result = backend.generate(
        &Prompt::Text("x".into()),
        &greedy(4),
        &CancellationToken::new(),
        &mut |t| streamed.push_str(t),
    );
    (result, streamed, started.elapsed())
}

fn backend_error(result: Result<engine::Generation, Error>) -> String {
    match result {
        Err(Error::Backend(message)) => message,
        other => panic!("expected a backend error, got {other:?}"),
    }
}

#[test]
fn broken_servers_give_clear_errors_without_hanging() {
    let cases: Vec<(Act, &str)> = vec![
        (
            Act::Send(concat!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n",
                "this is not sse\n\n"
            )),
            "not server-sent events",
        ),
        (
            Act::Send(concat!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n",
                "data: {not json\n\n"
            )),
            "malformed event",
        ),
        (
            Act::Send(reply("200 OK", "application/json", "{\"a\":1}")),
            "without choices",
        ),
        (Act::Send("garbage that is not HTTP\r\n\r\n"), "failed"),
        (
            Act::Send(concat!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n",
                "data: {\"error\": {\"message\": \"out of memory\"}}\n\n"
            )),
            "out of memory",
        ),
        (
            Act::Send(reply(
                "400 Bad Request",
                "application/json",
                "{\"error\": {\"message\": \"bad max_tok\"}}",
            )),
            "bad max_tok",
        ),
    ];
    for (act, needle) in cases {
        let (base, _) = scripted(vec![act]);
        let (result, _, elapsed) = run(&backend_for(&base, |_| {}));
        let message = backend_error(result);
        assert!(
            message.contains(needle),
            "expected {needle:?} in {message:?}"
        );
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    }
}

#[test]
fn a_stream_cut_short_keeps_what_arrived_and_fails() {
    let (base, _) = scripted(vec![Act::Send(leak(format!("{SSE_HEAD}{CHUNK}")))]);
    let (result, streamed, _) = run(&backend_for(&base, |_| {}));
    assert!(backend_error(result).contains("closed the stream"));
    assert_eq!(streamed, "hello");
}

#[test]
fn read_timeouts_are_honoured() {
    // Silent after the headers, and silent before them.
    let stall_body = leak(format!("{SSE_HEAD}{CHUNK}"));
    for act in [
        Act::SendThenStall(stall_body, Duration::from_secs(10)),
        Act::SendThenStall("", Duration::from_secs(10)),
    ] {
        let (base, _) = scripted(vec![act]);
        let (result, _, elapsed) = run(&backend_for(&base, |c| {
            c.read_timeout_ms = 300;
            c.max_retries = 0;
        }));
        let message = backend_error(result);
        assert!(
            message.contains("timeout") || message.contains("Timeout"),
            "{message}"
        );
        assert!(
            elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(5),
            "{elapsed:?}"
        );
    }
}

#[test]
fn overloaded_servers_are_retried_and_client_errors_are_not() {
    let busy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy";
    let (base, requests) = scripted(vec![Act::Send(busy), Act::Send(busy), Act::Send(OK_STREAM)]);
    let (result, _, _) = run(&backend_for(&base, |c| c.max_retries = 2));
    let g = result.expect("the third attempt succeeds");
    assert_eq!((g.text.as_str(), g.finish), ("hello", FinishReason::Length));
    assert_eq!(requests.lock().expect("lock").len(), 3);

    let (base, requests) = scripted(vec![Act::Send(busy), Act::Send(OK_STREAM)]);
    let message = backend_error(run(&backend_for(&base, |c| c.max_retries = 0)).0);
    assert!(
        message.contains("503") && message.contains("busy"),
        "{message}"
    );
    assert_eq!(requests.lock().expect("lock").len(), 1);

    // Nothing listens on a port we just released: every attempt fails to connect.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let (result, _, elapsed) = run(&backend_for(&format!("http://127.0.0.1:{port}/v1"), |c| {
        c.max_retries = 2
    }));
    assert!(backend_error(result).contains("cannot reach"));
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn secrets_are_redacted_before_the_request_leaves() {
    let token = format!("{}_{}", "ghp", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5");
    let prompt = Prompt::Text(format!("TOKEN = \"{token}\"\nprint(TOKEN)"));
    for (redact, expect_secret) in [(true, false), (false, true)] {
        let (base, requests) = scripted(vec![Act::Send(OK_STREAM)]);
        let backend = backend_for(&base, |c| c.redact_secrets = redact);
        backend
            .generate(&prompt, &greedy(4), &CancellationToken::new(), &mut |_| {})
            .expect("generation");
        let sent = requests.lock().expect("lock").concat();
        assert_eq!(
            sent.contains(&token),
            expect_secret,
            "redact = {redact}: {sent}"
        );
        assert_eq!(sent.contains("<redacted:github-token>"), redact, "{sent}");
    }
}

#[test]
fn serve_http_relays_to_a_remote_server_with_secrets_redacted() {
    let (upstream, requests) = scripted(vec![Act::Send(OK_STREAM)]);
    let gateway = HttpServer::spawn_model(&format!("{upstream}#upstream-model"), &[]);
    let token = format!("{}-{}", "glpat", "x7Kq2mWv9RtLp4ZbN8cD");
    let body =
        format!(r#"{{"prompt": "GITLAB_TOKEN = '{token}'\n", "max_tokens": 4, "temperature": 0}}"#);
    let (status, text) = http(
        &gateway.base,
        "POST",
        "/v1/completions",
        &[("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(status, 200, "{text}");
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(value["choices"][0]["text"], "hello");
    assert_eq!(value["choices"][0]["finish_reason"], "length");
    let sent = requests.lock().expect("lock").concat();
    assert!(sent.contains("\"model\":\"upstream-model\""), "{sent}");
    assert!(
        !sent.contains(&token) && sent.contains("<redacted:gitlab-token>"),
        "{sent}"
    );
}

#[test]
fn the_language_server_completes_through_a_remote_model() {
    use crate::support::TestServer;
    use serde_json::json;

    let http_server = HttpServer::spawn(&[]);
    let settings =
        json!({ "completion": { "validateSyntax": false, "sampling": { "maxTokens": 8 } } });
    let source = "def greet(name):\n    s = 'hi ' + \n    return s\n";
    let at = json!({ "textDocument": { "uri": "file:///greet.py" }, "position": { "line": 1, "character": 16 },
                     "context": { "triggerKind": 1 } });
    let mut completions = Vec::new();
    for model in [
        format!("{}/v1#tiny", http_server.base),
        tiny_model().display().to_string(),
    ] {
        let mut lsp = TestServer::spawn(&["--model", &model]);
        lsp.initialize(
            settings.clone(),
            json!({ "window": { "workDoneProgress": true } }),
        );
        let loaded = lsp.wait_model_loaded();
        assert!(loaded.starts_with("loaded"), "{model}: {loaded}");
        lsp.open("file:///greet.py", "python", source);
        let response = lsp.call("textDocument/inlineCompletion", at.clone());
        completions.push(response["result"][0]["insertText"].clone());
        lsp.shutdown_and_exit();
    }
    assert!(
        completions[0].as_str().is_some_and(|t| !t.is_empty()),
        "{completions:?}"
    );
    assert_eq!(completions[0], completions[1], "remote vs in-process");
}
