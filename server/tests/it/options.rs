//! Typed load options at every edge: a bad `--dtype`/`--device`/`--quantize`/`--kv-cache` or the same
//! setting is an error naming it and the values it takes, before anything loads; options that only a
//! model in this process reads, given with a remote model, are reported rather than dropped.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

use crate::support::TestServer;

/// A model that does not exist anywhere (nor looks like a hub id): loading it fails at once, so an
/// error about anything else proves nothing was loaded.
const NO_MODEL: &str = "/nonexistent/qwen-lsp-test/model";

/// A remote model nobody serves: port 9 (discard) refuses connections, so nothing ever answers.
const REMOTE: &str = "http://127.0.0.1:9/v1#m";

/// The four typed flags with a bad value each, and what the error must say.
const BAD_VALUES: [(&str, &str, &str); 4] = [
    (
        "--dtype",
        "int4",
        r#""int4" is not a dtype: expected f32, f16 or bf16"#,
    ),
    (
        "--device",
        "tpu",
        r#""tpu" is not a device: expected cpu, cuda, cuda:N or metal"#,
    ),
    (
        "--quantize",
        "q2_k",
        r#""q2_k" is not a quantization: expected q8_0, q4_k or none"#,
    ),
    (
        "--kv-cache",
        "int4",
        r#""int4" is not a KV cache type: expected auto, f16, f32 or int8"#,
    ),
];

fn qwen_lsp(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qwen-lsp"))
        .args(args)
        .env_remove("QWEN_LSP_MODEL")
        .env_remove("QWEN_LSP_THREADS")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("qwen-lsp runs")
}

fn failure(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = qwen_lsp(args, env);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "{args:?} succeeded; stderr: {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "{args:?} wrote to stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

/// Arguments that make each model-loading subcommand start, but for `extra`.
fn command_line(subcommand: &str, model: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = match subcommand {
        "serve" | "serve-http" => vec![subcommand.into(), "--model".into(), model.into()],
        "generate" => [
            "generate",
            "--model",
            model,
            "--prompt-file",
            "/nonexistent/prompt.txt",
        ]
        .map(String::from)
        .into(),
        _ => unreachable!("{subcommand}"),
    };
    if subcommand == "serve-http" {
        args.extend(["--port", "0"].map(String::from));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[test]
fn bad_flag_values_name_the_flag_and_the_values_it_takes_in_every_subcommand() {
    for subcommand in ["serve", "generate", "serve-http"] {
        for (flag, value, want) in BAD_VALUES {
            let args = command_line(subcommand, NO_MODEL, &[flag, value]);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let stderr = failure(&args, &[]);
            assert!(
                stderr.contains(&format!("invalid value '{value}' for '{flag} ")),
                "{args:?}: {stderr}"
            );
            assert!(stderr.contains(want), "{args:?}: {stderr}");
            assert!(
                !stderr.contains("cannot load model"),
                "{args:?} got as far as loading: {stderr}"
            );
        }
    }
    // The command without a subcommand serves, with the same flags.
    let stderr = failure(&["--kv-cache", "int4"], &[]);
    assert!(stderr.contains(BAD_VALUES[3].2), "{stderr}");
    // The threads variable is checked as the flag is.
    let stderr = failure(
        &["generate", "--model", NO_MODEL, "--prompt-file", "/p"],
        &[("QWEN_LSP_THREADS", "many")],
    );
    assert!(
        stderr.contains(r#"QWEN_LSP_THREADS="many" is not a number of threads"#),
        "{stderr}"
    );
}

#[test]
fn local_only_flags_with_a_remote_model_are_errors_in_every_subcommand() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--dtype", "f16"],
            "for a model loaded in this process only: dtype",
        ),
        (
            &["--device", "cpu"],
            "for a model loaded in this process only: device",
        ),
        (
            &["--quantize", "q8_0"],
            "for a model loaded in this process only: quantize",
        ),
        (
            &["--kv-cache", "int8", "--lora", "/a"],
            "for a model loaded in this process only: kv cache, LoRA adapters",
        ),
        (
            &["--threads", "2"],
            "--threads is for a model loaded in this process only",
        ),
        // `auto` is what an unset KV cache means: nothing to report.
        (
            &["--kv-cache", "auto", "--threads", "1"],
            "--threads is for a model loaded in this process only",
        ),
    ];
    for subcommand in ["serve", "generate", "serve-http"] {
        for (extra, want) in cases {
            let args = command_line(subcommand, REMOTE, extra);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let stderr = failure(&args, &[]);
            assert!(
                stderr.contains(&format!("{REMOTE} is a remote server")),
                "{args:?}: {stderr}"
            );
            assert!(stderr.contains(want), "{args:?}: {stderr}");
        }
    }
}

#[test]
fn every_subcommand_reads_model_strings_with_one_parser() {
    for subcommand in ["serve", "generate", "serve-http"] {
        for (model, want) in [
            ("http://127.0.0.1:9/v1", "name the served model after '#'"),
            (
                "http://127.0.0.1:9/v1#",
                "the model name after '#' is empty",
            ),
            ("https://#m", "no host"),
            ("", "no model given"),
        ] {
            let args = command_line(subcommand, model, &[]);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let stderr = failure(&args, &[]);
            assert!(stderr.contains(want), "{args:?}: {stderr}");
        }
    }
}

fn error_shown(server: &mut TestServer, needle: &str) -> String {
    let message = server.notification("window/showMessage", |p| {
        p["type"] == 1 && p["message"].as_str().is_some_and(|m| m.contains(needle))
    });
    message["params"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn settings_cases() -> Vec<(Value, &'static str)> {
    vec![
        (
            json!({ "dtype": "int4" }),
            r#"dtype: "int4" is not a dtype: expected f32, f16 or bf16"#,
        ),
        (
            json!({ "device": "gpu" }),
            r#"device: "gpu" is not a device: expected cpu, cuda, cuda:N or metal"#,
        ),
        (
            json!({ "quantize": "q5" }),
            r#"quantize: "q5" is not a quantization: expected q8_0, q4_k or none"#,
        ),
        (
            json!({ "qwenLsp": { "kvCache": "int4" } }),
            r#"kvCache: "int4" is not a KV cache type: expected auto, f16, f32 or int8"#,
        ),
        (
            json!({ "kvCache": true }),
            "kvCache: invalid type: boolean `true`, expected a string",
        ),
    ]
}

#[test]
fn bad_initialization_options_are_shown_naming_the_setting() {
    for (options, want) in settings_cases() {
        let mut server = TestServer::spawn(&["--model", NO_MODEL]);
        server.initialize(options.clone(), json!({}));
        let message = error_shown(&mut server, "invalid qwen-lsp settings");
        assert!(message.contains(want), "{options}: {message}");
        assert!(message.contains("using the defaults"), "{message}");
        server.shutdown_and_exit();
    }
}

#[test]
fn bad_configuration_changes_are_shown_and_load_nothing() {
    let mut server = TestServer::spawn(&["--model", NO_MODEL]);
    server.initialize(json!({}), json!({ "window": { "workDoneProgress": true } }));
    let first = server.notification("$/progress", |p| p["value"]["kind"] == "end");
    let message = first["params"]["value"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains(NO_MODEL), "{first}");
    for (settings, want) in settings_cases() {
        server.notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": settings }),
        );
        let message = error_shown(&mut server, want);
        assert!(
            message.contains("keeping the previous settings"),
            "{message}"
        );
    }
    // A valid change after them reloads, once: none of the bad ones started a load.
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "kvCache": "int8" } }),
    );
    let token = first["params"]["token"].clone();
    server.notification("$/progress", |p| {
        p["value"]["kind"] == "end" && p["token"] != token
    });
    let begins = server
        .notifications
        .iter()
        .filter(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "begin")
        .count();
    assert_eq!(begins, 2, "the initial load and the valid change only");
    server.shutdown_and_exit();
}

#[test]
fn local_only_settings_with_a_remote_model_fail_the_load_naming_them() {
    let mut server = TestServer::spawn(&["--model", REMOTE]);
    server.initialize(
        json!({ "dtype": "f16", "prefixCacheMb": 64 }),
        json!({ "window": { "workDoneProgress": true } }),
    );
    let loaded = server.wait_model_loaded();
    assert!(
        loaded.contains(&format!("{REMOTE} is a remote server")),
        "{loaded}"
    );
    assert!(
        loaded.contains("for a model loaded in this process only: dtype, prefix cache size"),
        "{loaded}"
    );
    error_shown(
        &mut server,
        "for a model loaded in this process only: dtype, prefix cache size",
    );
    // Dropping them loads the remote model (a client only: nothing is contacted until a request).
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": {} }),
    );
    let loaded = server.notification("$/progress", |p| {
        p["value"]["kind"] == "end"
            && p["value"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("loaded"))
    });
    assert!(
        loaded["params"]["value"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(REMOTE)),
        "{loaded}"
    );
    server.shutdown_and_exit();
}

/// On the CPU the server quantizes an unquantized checkpoint to q8_0 unless told otherwise, and says
/// how it holds the weights when it has loaded them.
#[test]
fn cpu_default_is_q8_0_and_none_or_a_dtype_keeps_the_dtype() {
    let tiny = crate::support::tiny_model();
    for (flags, held) in [
        (&[][..], "(q8_0, "),
        (&["--quantize", "none"][..], "(f32, "),
        (&["--dtype", "f16"][..], "(f16, "),
        (&["--dtype", "f32", "--quantize", "q8_0"][..], "(q8_0, "),
    ] {
        let mut args = vec!["--model", tiny.to_str().unwrap(), "--device", "cpu"];
        args.extend_from_slice(flags);
        let mut server = TestServer::spawn(&args);
        server.initialize(
            Value::Null,
            json!({ "window": { "workDoneProgress": true } }),
        );
        let loaded = server.wait_model_loaded();
        assert!(
            loaded.starts_with("loaded ") && loaded.contains(held),
            "{flags:?}: {loaded}"
        );
        assert!(loaded.contains(", cpu)"), "{loaded}");
        server.shutdown_and_exit();
    }
}
