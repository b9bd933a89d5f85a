//! A bounded soak: random valid and invalid LSP traffic from a fixed seed against the real binary and
//! the tiny model. Every request must be answered (a result or an error), every unanswerable frame must
//! get its parse error, the server must still serve at the end, and its peak RSS must stay bounded.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::TestServer;

/// Operations sent; with the tiny model in a debug build this takes well under a minute.
const OPERATIONS: usize = 600;

/// Peak RSS allowed for the whole server process (tiny model, a handful of small documents): a leak or
/// a copy of every document per request would cross it.
const PEAK_RSS_BYTES: u64 = 512 << 20;

/// xorshift64*: a fixed seed gives the same traffic every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const URIS: [(&str, &str); 4] = [
    ("file:///soak/a.py", "python"),
    ("file:///soak/b.py", "python"),
    ("file:///soak/C.java", "java"),
    ("file:///soak/notes.txt", "plaintext"),
];

const PIECES: [&str; 10] = [
    "def f(x):\n",
    "    return x + 1\n",
    "import os\n",
    "é = 'café'\n",
    "class A:\n",
    "    pass\n",
    "(",
    ")",
    "\n",
    "x",
];

/// The client's copy of a document, in characters (every character here is one UTF-16 unit).
struct Doc {
    text: String,
    version: i32,
}

impl Doc {
    fn lines(&self) -> Vec<&str> {
        self.text.split('\n').collect()
    }

    /// A random valid position and its character offset in `text`.
    fn position(&self, rng: &mut Rng) -> (Value, usize) {
        let lines = self.lines();
        let line = rng.below(lines.len());
        let character = rng.below(lines[line].chars().count() + 1);
        let before: usize = lines[..line].iter().map(|l| l.chars().count() + 1).sum();
        (
            json!({ "line": line, "character": character }),
            before + character,
        )
    }
}

fn random_text(rng: &mut Rng) -> String {
    (0..1 + rng.below(30))
        .map(|_| PIECES[rng.below(PIECES.len())])
        .collect()
}

fn rss_peak(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    kb * 1024
}

#[test]
fn random_traffic_from_a_fixed_seed_is_always_answered_in_bounded_memory() {
    let started = Instant::now();
    let settings = json!({ "completion": { "validateSyntax": false, "sampling": { "maxTokens": 4 } },
                           "actions": { "runTests": false }, "largeFileBytes": 10_000 });
    let mut server = TestServer::with_tiny_model(settings.clone());
    let mut rng = Rng(0x5eed_0016);
    let mut docs: BTreeMap<&str, Doc> = BTreeMap::new();
    let mut requests: Vec<i64> = Vec::new();
    let mut unanswerable = 0;
    let mut junk_ids = Vec::new();
    let mut answered = 0;

    for op in 0..OPERATIONS {
        let (uri, language) = URIS[rng.below(URIS.len())];
        match rng.below(100) {
            // Open (or reopen with new text).
            0..=11 => {
                let text = random_text(&mut rng);
                server.open(uri, language, &text);
                docs.insert(uri, Doc { text, version: 1 });
            }
            // A valid incremental change.
            12..=34 => {
                let Some(doc) = docs.get_mut(uri) else {
                    continue;
                };
                let (start, a) = doc.position(&mut rng);
                let (end, b) = doc.position(&mut rng);
                let ((start, a), (end, b)) = if a <= b {
                    ((start, a), (end, b))
                } else {
                    ((end, b), (start, a))
                };
                let new_text = if rng.chance(30) {
                    String::new()
                } else {
                    random_text(&mut rng)
                };
                let chars: Vec<char> = doc.text.chars().collect();
                doc.text = chars[..a]
                    .iter()
                    .chain(new_text.chars().collect::<Vec<_>>().iter())
                    .chain(&chars[b..])
                    .collect();
                doc.version += 1;
                server.notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": uri, "version": doc.version },
                            "contentChanges": [{ "range": { "start": start, "end": end }, "text": new_text }] }),
                );
            }
            // An invalid change (past the end, or inside a line that does not exist): the server closes
            // the document; a change to a closed document is only logged.
            35..=37 => {
                server.notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": uri, "version": 99 },
                            "contentChanges": [{ "range": { "start": { "line": 10_000, "character": 0 },
                                                            "end": { "line": 10_000, "character": 1 } }, "text": "y" }] }),
                );
                docs.remove(uri);
            }
            38..=42 => {
                server.notify(
                    "textDocument/didClose",
                    json!({ "textDocument": { "uri": uri } }),
                );
                docs.remove(uri);
            }
            // Completions, inline or classic, at a valid position or a bad one.
            43..=62 => {
                let position = match docs.get(uri) {
                    Some(doc) if !rng.chance(15) => doc.position(&mut rng).0,
                    _ => json!({ "line": rng.below(50), "character": rng.below(200) }),
                };
                let method = if rng.chance(70) {
                    "textDocument/inlineCompletion"
                } else {
                    "textDocument/completion"
                };
                let id = server.request(
                    method,
                    json!({ "textDocument": { "uri": uri }, "position": position, "context": { "triggerKind": 1 } }),
                );
                requests.push(id);
            }
            // Cancel a recent request (answered or not: both are legal).
            63..=69 => {
                if let Some(&id) = requests.get(requests.len().saturating_sub(1 + rng.below(3))) {
                    server.notify("$/cancelRequest", json!({ "id": id }));
                }
            }
            // Code actions, with and without diagnostics.
            70..=77 => {
                let range = match docs.get(uri) {
                    Some(doc) => {
                        let (a, _) = doc.position(&mut rng);
                        json!({ "start": a, "end": a })
                    }
                    None => {
                        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } })
                    }
                };
                let diagnostics = if rng.chance(50) {
                    json!([{ "range": range, "message": "undefined name 'y'", "severity": 1 }])
                } else {
                    json!([])
                };
                let id = server.request(
                    "textDocument/codeAction",
                    json!({ "textDocument": { "uri": uri }, "range": range, "context": { "diagnostics": diagnostics } }),
                );
                requests.push(id);
            }
            // Settings: valid ones, and ones with hostile sampling values (refused, the old ones kept).
            78..=82 => {
                let sampling = match rng.below(4) {
                    0 => json!({ "temperature": 1e-320 }),
                    1 => json!({ "topP": 0.0 }),
                    2 => json!({ "repetitionPenalty": -1.0 }),
                    _ => json!({ "maxTokens": 2 + rng.below(4) }),
                };
                let mut new = settings.clone();
                new["completion"]["sampling"] = sampling;
                server.notify(
                    "workspace/didChangeConfiguration",
                    json!({ "settings": new }),
                );
            }
            // Frames nobody can answer with an id: broken JSON, a header without a length.
            83..=88 => {
                if rng.chance(50) {
                    server.send_raw(b"Content-Length: 3\r\n\r\n{x}");
                } else {
                    server.send_raw(b"Content-Type: nothing\r\n\r\n");
                }
                unanswerable += 1;
            }
            // JSON that is not JSON-RPC, with an id: answered with that id.
            89..=91 => {
                let id = format!("junk-{op}");
                server.send(&json!({ "id": id, "params": [1, 2, 3] }));
                junk_ids.push(id);
            }
            // Methods the server does not have.
            92..=95 => {
                requests.push(server.request("qwen-lsp/noSuchMethod", json!({ "x": op })));
            }
            // A document over the large-file limit of a setting, edited at its end.
            _ => {
                let text = "x = 1\n".repeat(2_000 + rng.below(2_000));
                server.open("file:///soak/big.txt", "plaintext", &text);
                server.notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": "file:///soak/big.txt", "version": 2 },
                            "contentChanges": [{ "range": { "start": { "line": 3, "character": 0 },
                                                            "end": { "line": 3, "character": 0 } }, "text": "y = 2\n" }] }),
                );
            }
        }
        if op % 50 == 0 {
            // Now and then, wait for what is in flight, as an editor does between bursts of typing.
            if let Some(id) = requests.pop() {
                let reply = server.response(id);
                assert!(
                    reply.get("result").is_some() || reply["error"]["code"].is_i64(),
                    "request {id}: {reply}"
                );
                answered += 1;
            }
        }
    }

    for &id in &requests {
        let reply = server.response(id);
        assert!(
            reply.get("result").is_some() || reply["error"]["code"].is_i64(),
            "request {id}: {reply}"
        );
        answered += 1;
    }
    for id in junk_ids {
        let reply = server.response_to(json!(id));
        assert_eq!(reply["error"]["code"], -32600, "{reply}");
    }
    for _ in 0..unanswerable {
        let reply = server.response_to(Value::Null);
        assert_eq!(reply["error"]["code"], -32700, "{reply}");
    }
    // Still serving: a completion on a fresh document is answered with an item.
    server.open(
        "file:///soak/last.py",
        "python",
        "def add(a, b):\n    return ",
    );
    let last = server.call(
        "textDocument/inlineCompletion",
        json!({ "textDocument": { "uri": "file:///soak/last.py" }, "position": { "line": 1, "character": 11 },
                "context": { "triggerKind": 1 } }),
    );
    assert!(last["result"].is_array(), "{last}");
    let peak = rss_peak(server.pid());
    assert!(peak > 0, "no VmHWM in /proc");
    assert!(peak < PEAK_RSS_BYTES, "peak RSS {} MB", peak >> 20);
    eprintln!(
        "soak: {OPERATIONS} operations, {answered} requests answered, peak RSS {} MB, {:.1} s",
        peak >> 20,
        started.elapsed().as_secs_f64()
    );
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "the soak is meant to take under a minute"
    );
    server.shutdown_and_exit();
}
