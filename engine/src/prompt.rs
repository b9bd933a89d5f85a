//! [`EditorContext`] -> [`Prompt`]: Qwen's fill-in-the-middle format (file-level, or repo-level when
//! other files are included), or a plain prefix prompt for models without FIM tokens.
//!
//! Repo-level FIM is the format of the Qwen2.5-Coder technical report (Figure 4):
//! `<|repo_name|>{repo}\n<|file_sep|>{path}\n{content}\n<|file_sep|>{path}\n<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>`.
//! The special tokens are the ones the tokenizer has ([`SpecialTokens`]), never hard-coded strings.

use crate::context::{EditorContext, SnippetKind};
use crate::postprocess::Lines;
use crate::{ModelInfo, Prompt, SpecialTokens};

/// A prompt and the stop strings that go with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionPrompt {
    pub prompt: Prompt,
    /// Stop strings the pipeline adds to the user's.
    pub stop: Vec<String>,
    /// Whether the prompt shows the suffix to the model (FIM) or only the prefix.
    pub fim: bool,
}

/// Qwen's file-level FIM prompt: `<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>`, with the
/// tokens the tokenizer actually has. `None` when the model has no FIM tokens.
pub fn fim(special: &SpecialTokens, prefix: &str, suffix: &str) -> Option<String> {
    let (Some(pre), Some(suf), Some(mid)) = (&special.fim_prefix, &special.fim_suffix, &special.fim_middle) else {
        return None;
    };
    Some(format!("{pre}{prefix}{suf}{suffix}{mid}"))
}

/// The same-file snippets (imports, definitions, enclosing headers) as text that reads like the top of
/// the file, to put before the prefix. Empty when there are none.
pub fn header(context: &EditorContext) -> String {
    let mut out = String::new();
    let mut previous: Option<SnippetKind> = None;
    for snippet in &context.snippets {
        if let Some(previous) = previous {
            // Runs of imports and nested headers stay together; definitions get a blank line around them.
            let tight = previous == snippet.kind && snippet.kind != SnippetKind::Definition;
            out.push_str(if tight { "\n" } else { "\n\n" });
        }
        out.push_str(snippet.text.trim_end());
        previous = Some(snippet.kind);
    }
    match previous {
        // The window continues inside the last enclosing header's body.
        Some(SnippetKind::Scope) => out.push('\n'),
        Some(_) => out.push_str("\n\n"),
        None => {}
    }
    out
}

/// The completion prompt for `context`: repo-level FIM when it includes other files and the tokenizer
/// has `<|repo_name|>` and `<|file_sep|>`, file-level FIM otherwise, and the plain prefix for models
/// without FIM tokens. Single-line requests also stop at a newline.
pub fn completion(info: &ModelInfo, context: &EditorContext, lines: Lines) -> CompletionPrompt {
    let special = &info.special;
    let prefix = format!("{}{}", header(context), context.prefix);
    let mut stop: Vec<String> = [
        &special.fim_prefix,
        &special.fim_suffix,
        &special.fim_middle,
        &special.fim_pad,
        &special.file_sep,
        &special.repo_name,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    if lines == Lines::Single {
        stop.push("\n".to_owned());
    }
    let Some(fim_text) = fim(special, &prefix, &context.suffix) else {
        return CompletionPrompt {
            prompt: Prompt::Text(prefix),
            stop,
            fim: false,
        };
    };
    let text = match (&special.repo_name, &special.file_sep) {
        (Some(repo_token), Some(file_sep)) if !context.other_files.is_empty() => {
            let mut text = format!("{repo_token}{}\n", context.repo_name);
            for file in &context.other_files {
                text.push_str(&format!("{file_sep}{}\n", file.path));
                for snippet in &file.snippets {
                    text.push_str(snippet.text.trim_end());
                    text.push_str("\n\n");
                }
                // One blank line between snippets, a single newline before the next separator.
                text.truncate(text.trim_end().len());
                text.push('\n');
            }
            text.push_str(&format!("{file_sep}{}\n{fim_text}", context.path));
            text
        }
        _ => fim_text,
    };
    CompletionPrompt {
        prompt: Prompt::Text(text),
        stop,
        fim: true,
    }
}
