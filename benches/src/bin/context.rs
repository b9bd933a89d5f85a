//! Bench: the editor half of a completion request without the model: context building (tree-sitter
//! outline + budgeting in real tokens), prompt rendering, and post-processing + syntax validation, on
//! a ~1,500-token Python file. Prints a table.
//!
//! ```text
//! cargo run -p benches --bin context [-- --model tests/models/qwen3-tiny --iterations 50]
//! ```
//!
//! Token counts go through the real model's `Backend::count_tokens` (its Qwen3 tokenizer), as in the
//! server.

use std::time::Instant;

use anyhow::Context;
use engine::model::{LoadOptions, LocalModel};
use engine::{Backend, Document, Language, context, cursor, postprocess, prompt, validate};

/// The fixture with `$0` at the cursor, repeated with renamed classes to reach the target size.
const OTHER: &str = include_str!("../../../engine/tests/fixtures/python/money.py");

/// A plausible multi-line model output at that cursor, with the usual debris: a repeated suffix line
/// and a definition after the block.
const RAW: &str = "discounted = item.total() * (1 - rate)\n            total = total + discounted\n        return total\n\n    def total_with_tax(self) -> Money:\n        return self.subtotal()\n";

fn stats(mut samples: Vec<f64>) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (pick(0.5), pick(0.9), samples[samples.len() - 1])
}

fn time_ms(
    iterations: usize,
    mut f: impl FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<(f64, f64, f64)> {
    f()?; // warm-up: lazily compiled queries, tokenizer caches
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        f()?;
        samples.push(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok(stats(samples))
}

fn main() -> anyhow::Result<()> {
    let mut model_dir = "tests/models/qwen3-tiny".to_owned();
    let mut iterations = 50;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--model" => model_dir = args.next().context("--model needs a value")?,
            "--iterations" => {
                iterations = args.next().context("--iterations needs a value")?.parse()?
            }
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let model = LocalModel::load(&LoadOptions {
        source: model_dir.clone(),
        ..LoadOptions::default()
    })
    .with_context(|| format!("loading {model_dir}"))?;

    let (text, cursor) = benches::long_python_file()?;
    let file_tokens = model.count_tokens(&text)?;
    let doc = Document::new("file:///repo/shop/cart.py", Language::Python, text);
    let open = [Document::new(
        "file:///repo/shop/money.py",
        Language::Python,
        OTHER,
    )];
    let count = |s: &str| model.count_tokens(s);

    println!(
        "file: {} bytes, {file_tokens} tokens; {iterations} iterations; times in ms",
        doc.text().len()
    );
    println!("| stage | budget | median | p90 | max |");
    println!("|---|---:|---:|---:|---:|");
    let row = |stage: &str, budget: &str, (m, p, x): (f64, f64, f64)| {
        println!("| {stage} | {budget} | {m:.2} | {p:.2} | {x:.2} |");
    };
    let parse = time_ms(iterations, || {
        Document::new("file:///repo/shop/cart.py", Language::Python, doc.text());
        Ok(())
    })?;
    row("full parse (tree-sitter)", "-", parse);
    for budget in [512, 1024, 2048] {
        let built = time_ms(iterations, || {
            context::build(&count, &doc, cursor, &open, budget)?;
            Ok(())
        })?;
        row("context::build", &budget.to_string(), built);
    }
    // Ten more open files: their outlines are cached in the documents, so they cost a lookup each.
    let many: Vec<Document> = (0..10)
        .map(|i| {
            Document::new(
                format!("file:///repo/shop/m{i}.py"),
                Language::Python,
                OTHER.replace("Money", &format!("Money{i}")),
            )
        })
        .chain(open.iter().cloned())
        .collect();
    let built = time_ms(iterations, || {
        context::build(&count, &doc, cursor, &many, 1024)?;
        Ok(())
    })?;
    row("context::build, 11 other open files", "1024", built);
    let ctx = context::build(&count, &doc, cursor, &open, 1024)?;
    let syntax = cursor::syntax_at(&doc, cursor);
    row(
        "prompt::completion",
        "1024",
        time_ms(iterations, || {
            prompt::completion(model.info(), &ctx, syntax.lines);
            Ok(())
        })?,
    );
    row(
        "postprocess (cursor_syntax + process)",
        "-",
        time_ms(iterations, || {
            let syntax = cursor::syntax_at(&doc, cursor);
            postprocess::process(RAW, &syntax, syntax.lines, ("<think>", "</think>"));
            Ok(())
        })?,
    );
    let processed = postprocess::process(RAW, &syntax, syntax.lines, ("<think>", "</think>"))
        .context("no completion")?;
    row(
        "validate (check_syntax: re-parse)",
        "-",
        time_ms(iterations, || {
            validate::check_syntax(&doc, cursor, &processed);
            Ok(())
        })?,
    );
    let whole = time_ms(iterations, || {
        // The context stage computes the cursor's syntax (`ctx.cursor`) as part of `build`.
        let ctx = context::build(&count, &doc, cursor, &open, 1024)?;
        let prompt = prompt::completion(model.info(), &ctx, ctx.cursor.lines);
        if let Some(p) =
            postprocess::process(RAW, &ctx.cursor, prompt.lines, ("<think>", "</think>"))
        {
            validate::check_syntax(&doc, cursor, &p);
        }
        Ok(())
    })?;
    row("all of the above per request", "1024", whole);
    println!(
        "context at 1024: {} tokens, window {:?}, {} snippets, {} other files",
        ctx.tokens,
        ctx.window,
        ctx.snippets.len(),
        ctx.other_files.len()
    );
    Ok(())
}
