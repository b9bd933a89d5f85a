//! Bench: the cost of secret filtering per prompt, and of generating through `serve-http` and the
//! remote backend instead of in-process. Prints tables.
//!
//! ```text
//! cargo run --release -p benches --bin remote
//! qwen-lsp serve-http --model tests/models/qwen3-tiny --port 8099 &
//! cargo run --release -p benches --bin remote -- --server http://127.0.0.1:8099/v1#tiny --model tests/models/qwen3-tiny
//! ```

use std::time::Instant;

use anyhow::Context;
use engine::remote::{RemoteBackend, RemoteConfig};
use engine::secrets::{SecretFilter, SecretFilterConfig};
use engine::{Backend, CancellationToken, Prompt, SamplingParams};

/// Ordinary code with assignments, URLs, hashes and identifiers that the rules must look at and keep.
const CODE: &str = r#"import os
import hashlib

MAX_TOKENS = 128
token_count = 0
API_URL = "https://api.example.com:8443/v1/items?limit=10"

def checksum(data: bytes) -> str:
    # sha256 of the payload, e.g. 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    return hashlib.sha256(data).hexdigest()

class Client:
    def __init__(self, password: str, token: str | None = None):
        self.password = password
        self.token = token or os.environ.get("API_TOKEN", "")

    def fetch(self, item_id: str) -> dict:
        return self.session.get(f"{API_URL}/{item_id}", headers={"Accept": "application/json"}).json()
"#;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn filter_table() -> anyhow::Result<()> {
    let filter = SecretFilter::new(&SecretFilterConfig::default())?;
    println!("secret filter (built-in rules, no secrets present)");
    println!("| prompt size | text | median per prompt | throughput |");
    println!("|---|---|---|---|");
    // Non-ASCII text (comments in other languages, emoji) matters: some regex features leave the fast
    // DFA on it.
    let accented = format!("{CODE}# コメント: données reçues ✓\n");
    for (kib, code, what) in [
        (4usize, CODE, "ASCII"),
        (32, CODE, "ASCII"),
        (32, accented.as_str(), "non-ASCII"),
        (256, CODE, "ASCII"),
    ] {
        let text = code.repeat((kib * 1024).div_ceil(code.len()));
        let runs = (2048 / kib).max(5);
        let times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let out = filter.redact(&text);
                std::hint::black_box(out);
                t.elapsed().as_secs_f64()
            })
            .collect();
        let m = median(times);
        println!(
            "| {} KiB | {what} | {:.2} ms | {:.1} MB/s |",
            text.len() / 1024,
            m * 1e3,
            text.len() as f64 / m / 1e6
        );
    }
    Ok(())
}

fn remote_table(server: &str, model: &str) -> anyhow::Result<()> {
    let local = engine::model::LocalModel::load(&engine::model::LoadOptions {
        source: model.into(),
        dtype: Some(engine::model::options::WeightDtype::F32),
        device: Some(engine::model::options::DeviceSpec::Cpu),
        ..Default::default()
    })?;
    let mut config = RemoteConfig::from_spec(server)?;
    config.request_token_ids = true;
    let remote = RemoteBackend::new(config)?;
    let prompt = Prompt::Text(format!(
        "<|fim_prefix|>{}<|fim_suffix|>\n<|fim_middle|>",
        &CODE[..400]
    ));
    println!("\ngeneration, greedy, in-process vs through serve-http on loopback ({model})");
    println!("| max_tokens | in-process median | remote median | overhead | same ids |");
    println!("|---|---|---|---|---|");
    for max_tokens in [1usize, 16, 64] {
        let params = SamplingParams {
            max_tokens,
            temperature: 0.0,
            ..SamplingParams::default()
        };
        let run = |b: &dyn Backend| -> anyhow::Result<(f64, Vec<u32>)> {
            let mut times = Vec::new();
            let mut ids = Vec::new();
            for _ in 0..7 {
                let t = Instant::now();
                let g = b.generate(&prompt, &params, &CancellationToken::new(), &mut |_| {})?;
                times.push(t.elapsed().as_secs_f64());
                ids = g.token_ids;
            }
            Ok((median(times), ids))
        };
        let (l, lids) = run(&local).context("in-process")?;
        let (r, rids) = run(&remote).context("remote")?;
        println!(
            "| {max_tokens} | {:.1} ms | {:.1} ms | {:+.1} ms | {} |",
            l * 1e3,
            r * 1e3,
            (r - l) * 1e3,
            lids == rids
        );
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    filter_table()?;
    if let (Some(server), Some(model)) = (flag("--server"), flag("--model")) {
        remote_table(&server, &model)?;
    }
    Ok(())
}
