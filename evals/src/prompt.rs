//! From a problem to a model prompt, and from the model's text back to a completion.
//!
//! Base models continue the problem's `prompt` as is and are cut at stop sequences; instruct models (those
//! with a chat template) are asked in a chat message and the first fenced code block of the answer is used.

use engine::{ChatMessage, Prompt, Role};

use crate::problem::{Form, Problem};

/// How a model is prompted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptStyle {
    /// Continue the problem's prompt (base models).
    Completion,
    /// A chat message; the answer's code block is extracted (instruct models).
    Chat,
}

/// Where a base model's function body ends: the next top-level statement. Stdin-form programs are whole
/// modules, so they are only cut at the end of text or `max_tokens`.
pub const FUNCTION_STOPS: &[&str] = &[
    "\ndef ",
    "\nclass ",
    "\nif __name__",
    "\nprint(",
    "\n#",
    "\nassert ",
];

pub fn build_prompt(problem: &Problem, style: PromptStyle) -> Prompt {
    match style {
        PromptStyle::Completion => Prompt::Text(problem.prompt.clone()),
        PromptStyle::Chat => {
            let ask = match problem.form() {
                Some(Form::Stdio { .. }) => {
                    "Write a complete Python 3 program for the task below. It reads the input from stdin and \
                     writes the answer to stdout. Answer with one ```python code block."
                }
                _ => {
                    "Complete the following Python code. Answer with the complete code (imports, the \
                     function or class with its body) in one ```python code block."
                }
            };
            let content = format!("{ask}\n\n```python\n{}```\n", problem.prompt);
            Prompt::Chat(vec![ChatMessage {
                role: Role::User,
                content,
            }])
        }
    }
}

pub fn stop_sequences(problem: &Problem, style: PromptStyle) -> Vec<String> {
    match (style, problem.form()) {
        (PromptStyle::Completion, Some(Form::Functional { .. })) => {
            FUNCTION_STOPS.iter().map(|s| (*s).to_owned()).collect()
        }
        _ => Vec::new(),
    }
}

/// Turns generated text into the `completion` appended to the prompt.
pub fn extract_completion(text: &str, style: PromptStyle) -> String {
    match style {
        PromptStyle::Completion => text.to_owned(),
        PromptStyle::Chat => {
            let answer = strip_think(text);
            // The full code follows the prompt: Python lets the later `def` replace the prompt's stub, so the
            // program stays HumanEval's layout (prompt + completion + test).
            let code = first_code_block(answer).unwrap_or(answer);
            format!("\n{}\n", code.trim_matches('\n'))
        }
    }
}

/// Drops a `<think>...</think>` block (Qwen3's thinking mode); an unclosed one leaves nothing.
fn strip_think(text: &str) -> &str {
    match (text.find("<think>"), text.find("</think>")) {
        (_, Some(end)) => &text[end + "</think>".len()..],
        (Some(_), None) => "",
        (None, None) => text,
    }
}

/// The body of the first fenced code block (```python, ```py or a bare ```); an unclosed fence runs to the
/// end of the text (generation may stop at `max_tokens` inside it).
fn first_code_block(text: &str) -> Option<&str> {
    let start = text.find("```")?;
    let after = &text[start + 3..];
    let body_start = after.find('\n').map_or(after.len(), |i| i + 1);
    let body = &after[body_start..];
    Some(match body.find("```") {
        Some(end) => &body[..end],
        None => body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_answers_yield_their_first_code_block() {
        let text = "<think>\nhmm\n</think>\nHere:\n```python\ndef f(x):\n    return x\n```\nand\n```python\nbad\n```";
        assert_eq!(
            extract_completion(text, PromptStyle::Chat),
            "\ndef f(x):\n    return x\n"
        );
        assert_eq!(
            extract_completion("```\nx = 1\n", PromptStyle::Chat),
            "\nx = 1\n"
        );
        assert_eq!(extract_completion("x = 1", PromptStyle::Chat), "\nx = 1\n");
        assert_eq!(
            extract_completion("<think>never closed ```python\n1\n```", PromptStyle::Chat),
            "\n\n"
        );
    }

    #[test]
    fn completion_text_is_kept_verbatim() {
        assert_eq!(
            extract_completion("    return x\n", PromptStyle::Completion),
            "    return x\n"
        );
    }
}
