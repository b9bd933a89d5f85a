//! The model's own chat template (Jinja, from `tokenizer_config.json` or `chat_template.jinja`), rendered
//! with minijinja plus Python string methods (`startswith`, `split`, `strip`...) that Qwen's templates use.

use minijinja::{Environment, ErrorKind, context};

use crate::backend::ChatMessage;
use crate::error::{Error, Result};

const NAME: &str = "chat";

/// A compiled chat template.
pub struct ChatTemplate {
    env: Environment<'static>,
    bos_token: Option<String>,
    eos_token: Option<String>,
}

impl ChatTemplate {
    pub fn new(
        source: String,
        bos_token: Option<String>,
        eos_token: Option<String>,
    ) -> Result<Self> {
        let mut env = Environment::new();
        minijinja_contrib::add_to_environment(&mut env);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        // HF templates call `raise_exception('...')` on inputs they reject.
        env.add_function(
            "raise_exception",
            |msg: String| -> std::result::Result<String, minijinja::Error> {
                Err(minijinja::Error::new(ErrorKind::InvalidOperation, msg))
            },
        );
        env.add_template_owned(NAME, source)
            .map_err(|e| Error::Tokenizer(format!("chat template: {e:#}")))?;
        Ok(ChatTemplate {
            env,
            bos_token,
            eos_token,
        })
    }

    /// Renders `messages` with the generation prompt for the assistant's turn appended.
    pub fn render(&self, messages: &[ChatMessage]) -> Result<String> {
        let tmpl = self
            .env
            .get_template(NAME)
            .map_err(|e| Error::Tokenizer(format!("chat template: {e:#}")))?;
        tmpl.render(context! {
            messages => minijinja::Value::from(minijinja::value::Serde(messages)),
            add_generation_prompt => true,
            bos_token => self.bos_token.as_deref(),
            eos_token => self.eos_token.as_deref(),
        })
        .map_err(|e| Error::InvalidInput(format!("chat template rejected the messages: {e:#}")))
    }
}
