//! [`EditorContext`] -> [`Prompt`]: Qwen's fill-in-the-middle format (file-level, or repo-level when
//! other files are included), or a plain prefix prompt for models without FIM tokens; and the chat
//! prompt of the code actions for instruct models. The stop strings, the tokens the markup takes and
//! the `/no_think` switch are decided here once, for completions and code actions alike.
//!
//! Repo-level FIM is the format of the Qwen2.5-Coder technical report (Figure 4):
//! `<|repo_name|>{repo}\n<|file_sep|>{path}\n{content}\n<|file_sep|>{path}\n<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>`.
//! The special tokens are the ones the tokenizer has ([`SpecialTokens`]), never hard-coded strings.

use crate::context::{EditorContext, SnippetKind};
use crate::cursor::Lines;
use crate::{ChatMessage, Language, ModelInfo, Prompt, Role, SamplingParams, SpecialTokens};

/// Tokens the FIM/repo-level markup adds around the context (`<|fim_prefix|>`, file separators, paths).
const TEMPLATE_TOKENS: usize = 32;

/// The token budget of a context: `context_tokens` (the user's setting), within what the model's
/// window leaves after `max_tokens` generated tokens and the template's markup.
pub fn context_budget(info: &ModelInfo, max_tokens: usize, context_tokens: usize) -> usize {
    let room = info
        .context_length
        .saturating_sub(max_tokens.saturating_add(TEMPLATE_TOKENS));
    context_tokens.min(room)
}

/// A prompt and the stop strings that go with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionPrompt {
    pub prompt: Prompt,
    /// Stop strings the pipeline adds to the user's.
    pub stop: Vec<String>,
    /// Whether the prompt shows the suffix to the model (FIM) or only the prefix.
    pub fim: bool,
    /// Single or multi-line, as decided for the request; post-processing keeps to it.
    pub lines: Lines,
}

impl CompletionPrompt {
    /// `params` with this prompt's stop strings added (each once).
    pub fn sampling(&self, params: &SamplingParams) -> SamplingParams {
        let mut params = params.clone();
        for stop in &self.stop {
            if !params.stop.contains(stop) {
                params.stop.push(stop.clone());
            }
        }
        params
    }
}

/// Qwen's file-level FIM prompt: `<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>`, with the
/// tokens the tokenizer actually has. `None` when the model has no FIM tokens.
pub fn fim(special: &SpecialTokens, prefix: &str, suffix: &str) -> Option<String> {
    let (Some(pre), Some(suf), Some(mid)) = (
        &special.fim_prefix,
        &special.fim_suffix,
        &special.fim_middle,
    ) else {
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
            lines,
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
        lines,
    }
}

/// A problem the editor reports in the code a chat prompt asks to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the document.
    pub line: usize,
    pub message: String,
}

/// The chat prompt of a code action for an instruct model: `code` (a function, or lines of the file)
/// to fix (`problems`) or, without problems, to complete; the reply is asked for as one fenced code
/// block. Models with thinking tags get Qwen3's `/no_think` soft switch: an editor action wants an
/// answer, not a long chain of thought.
pub fn chat_edit(info: &ModelInfo, language: Language, code: &str, problems: &[Problem]) -> Prompt {
    let fence = match language {
        Language::Python => "python",
        Language::Java => "java",
        Language::Other => "",
    };
    let mut request = String::new();
    if problems.is_empty() {
        request
            .push_str("Complete the body of this function. Keep its signature and docstring.\n\n");
    } else {
        request.push_str("Fix the problems reported in this code:\n");
        for problem in problems {
            request.push_str(&format!("- line {}: {}\n", problem.line, problem.message));
        }
        request.push('\n');
    }
    request.push_str(&format!("```{fence}\n{}\n```\n", code.trim_end()));
    request.push_str(
        "\nReply with the complete corrected code in one fenced code block and nothing else.",
    );
    if info.special.think_start.is_some() {
        request.push_str(" /no_think");
    }
    Prompt::Chat(vec![
        ChatMessage {
            role: Role::System,
            content: "You are an expert programmer who makes minimal, correct edits to code."
                .to_owned(),
        },
        ChatMessage {
            role: Role::User,
            content: request,
        },
    ])
}
