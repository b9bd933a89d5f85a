//! [`EditorContext`] -> [`Prompt`]: Qwen's fill-in-the-middle format (file-level, or repo-level when
//! other files are included), or a plain prefix prompt for models without FIM tokens.

use crate::context::EditorContext;
use crate::{ModelInfo, Prompt, SpecialTokens};

/// A prompt and the stop strings that go with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionPrompt {
    pub prompt: Prompt,
    /// Stop strings the sampler must add to the user's.
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

/// The completion prompt for `context`.
pub fn completion(info: &ModelInfo, context: &EditorContext) -> CompletionPrompt {
    let text = fim(&info.special, &context.prefix, &context.suffix);
    let fim = text.is_some();
    CompletionPrompt { prompt: Prompt::Text(text.unwrap_or_else(|| context.prefix.clone())), stop: Vec::new(), fim }
}
