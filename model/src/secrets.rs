//! Secret filtering: redacts API keys, private keys, passwords and credentials from text before it leaves
//! the process (a remote backend, logs, saved eval samples).
//!
//! Each secret is replaced in place by `<redacted:KIND>`, so the code around it keeps its shape: a string
//! literal stays a string literal, an `.env` line stays `KEY=value`, a URL keeps its user and host.
//!
//! Two kinds of rules run over the text:
//! - provider rules recognise a token by its own shape (`ghp_…`, `AKIA…`, PEM blocks, JWTs); they are
//!   precise enough to apply anywhere;
//! - assignment rules recognise a value by the name it is assigned to (`db_password = "…"`,
//!   `API_TOKEN=…`). Values that do not look like credentials are kept: placeholders (`${X}`, `<|eos|>`,
//!   `{{ csrf }}`) and, for tokens and keys, low-entropy words (`pad_token = "<pad>"`, `token_type =
//!   "bearer"`), because code that merely *names* tokens is far more common than code that holds them.
//!
//! Known limit: the filter sees text, not syntax. A secret split across string concatenations, or
//! base64-encoded inside other data, is not found.

use std::borrow::Cow;
use std::ops::Range;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::backend::{ChatMessage, Prompt};
use crate::error::{Error, Result};

/// What to filter. Plain data, read from settings; [`SecretFilter::new`] compiles it once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SecretFilterConfig {
    /// Redact at all. Default `true`.
    pub enabled: bool,
    /// Regexes for text to keep even when a rule flags it (a known test fixture, a public demo key).
    /// A finding is kept when any pattern matches the whole redacted span.
    pub allow: Vec<String>,
    /// Extra regexes to redact (as `<redacted:custom>`). A capture group named `secret` limits the
    /// redaction to that group; otherwise the whole match is redacted.
    pub deny: Vec<String>,
    /// Minimum Shannon entropy, in bits per character, of a value assigned to a token/key-like name
    /// before it is treated as a secret. Default 3.0: random base62 keys score 4.5-6, English words and
    /// identifiers like `bearer` or `<|endoftext|>` less than 3.
    pub min_entropy: f64,
}

impl Default for SecretFilterConfig {
    fn default() -> Self {
        SecretFilterConfig {
            enabled: true,
            allow: Vec::new(),
            deny: Vec::new(),
            min_entropy: 3.0,
        }
    }
}

/// One redacted span of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule's name, as written in the replacement (`github-token`, `password`, ...).
    pub kind: &'static str,
    /// Byte range in the original text.
    pub range: Range<usize>,
}

/// How strictly a rule's captured value is checked before it is redacted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Check {
    /// The pattern alone is precise enough.
    None,
    /// Anything but a placeholder (passwords: `hunter2` is short, low-entropy and still a secret).
    NotPlaceholder,
    /// Not a placeholder, at least 8 characters, no whitespace, and entropy >= `min_entropy`.
    Random,
}

struct Rule {
    kind: &'static str,
    regex: Regex,
    check: Check,
}

/// Compiled secret rules. Cheap to share (`&self` everywhere); build once per configuration.
pub struct SecretFilter {
    enabled: bool,
    rules: Vec<Rule>,
    allow: Vec<Regex>,
    min_entropy: f64,
}

impl std::fmt::Debug for SecretFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretFilter")
            .field("enabled", &self.enabled)
            .field(
                "rules",
                &self.rules.iter().map(|r| r.kind).collect::<Vec<_>>(),
            )
            .field("allow", &self.allow.len())
            .finish()
    }
}

// Names whose values are passwords: any non-placeholder value is redacted.
const PASSWORD_NAMES: &str = r"passwd|password|passphrase|pwd";
// Names whose values are tokens or keys: redacted only when they look random (see `Check::Random`).
const TOKEN_NAMES: &str = r"secret|token|credentials?|(?:api|access|secret|private|auth|client|signing|encryption|master)[_-]?key|apikey";

/// The built-in rules, most specific first: when two findings cover the same span, the earlier rule
/// names it. Word boundaries are ASCII (`(?-u:\b)`): secrets are ASCII, and a Unicode `\b` makes the
/// regex engine leave its fast DFA on any non-ASCII prompt (measured on a 32 KiB prompt: 2.7 ms -> 0.5 ms
/// for the Stripe rule alone).
fn builtin_rules() -> Vec<(&'static str, String, Check)> {
    let key = r"[A-Za-z0-9_.\-]*";
    // `name = "value"`, `"name": 'value'`, `name: str = "value"`, `name := "value"`, `name => "value"`.
    let assign = |names: &str| {
        format!(
            r#"(?i)(?-u:\b){key}(?:{names})["']?\s*(?::\s*[A-Za-z_][A-Za-z0-9_\[\]]*\s*)?(?::=|=>|=|:)\s*[rbf]?["'`](?P<secret>[^"'`\r\n]+)["'`]"#
        )
    };
    // `.env` / shell lines with an unquoted value: `export DB_PASSWORD=hunter2`. Upper-case names and no
    // spaces around `=`, as in `.env` files, so that code like `password = os.environ[...]` is left alone.
    let env = |names: &str| {
        let names = names.to_uppercase();
        format!(
            r#"(?m)^[ \t]*(?:export[ \t]+)?[A-Z0-9_]*(?:{names})=(?P<secret>[^\s"'`#$(][^\s"'`#()\[\]]*)[ \t]*(?:#.*)?$"#
        )
    };
    // YAML / TOML-ish lines with an unquoted value: `password: hunter2`.
    let yaml = |names: &str| {
        format!(
            r#"(?im)^[ \t\-]*{key}(?:{names}):[ \t]+(?P<secret>[^\s"'`#{{\[&*|>][^\s#]*)[ \t]*$"#
        )
    };
    vec![
        (
            "private-key",
            // The header and footer stay, so the block is still recognisable; an unterminated block (a
            // prompt cut at the cursor) is redacted to the end of the text.
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?P<secret>[\s\S]*?)(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)"
                .into(),
            Check::None,
        ),
        ("aws-access-key-id", r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}(?-u:\b)".into(), Check::None),
        (
            "aws-secret-access-key",
            r#"(?i)aws_?secret_?(?:access_?)?key["']?\s*(?::=|=>|=|:)\s*["'`]?(?P<secret>[A-Za-z0-9/+]{40})(?-u:\b)"#.into(),
            Check::None,
        ),
        ("github-token", r"(?-u:\b)(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}(?-u:\b)".into(), Check::None),
        ("github-token", r"(?-u:\b)github_pat_[A-Za-z0-9_]{60,255}(?-u:\b)".into(), Check::None),
        ("gitlab-token", r"(?-u:\b)glpat-[A-Za-z0-9_\-]{20,}".into(), Check::None),
        ("slack-token", r"(?-u:\b)xox[abposre]-[A-Za-z0-9\-]{10,}".into(), Check::None),
        (
            "slack-webhook",
            r"https://hooks\.slack\.com/services/(?P<secret>T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+)".into(),
            Check::None,
        ),
        // No leading word boundary: it keeps the regex engine from using the literal prefix to skip ahead
        // (measured 4x slower in a dev build), and no identifier ends in `sk_live_`.
        ("stripe-key", r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}(?-u:\b)".into(), Check::None),
        ("anthropic-key", r"(?-u:\b)sk-ant-[A-Za-z0-9_\-]{20,}".into(), Check::None),
        // Project/service keys are long base64url; legacy keys are 48 alphanumerics. Requiring one of those
        // shapes keeps kebab-case names such as `sk-learn-...` out.
        (
            "openai-key",
            r"(?-u:\b)sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}|[A-Za-z0-9]{32,})".into(),
            Check::Random,
        ),
        ("google-api-key", r"(?-u:\b)AIza[0-9A-Za-z_\-]{35}".into(), Check::None),
        ("huggingface-token", r"(?-u:\b)hf_[A-Za-z0-9]{34,}(?-u:\b)".into(), Check::Random),
        ("npm-token", r"(?-u:\b)npm_[A-Za-z0-9]{36}(?-u:\b)".into(), Check::None),
        ("sendgrid-key", r"(?-u:\b)SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}".into(), Check::None),
        (
            "azure-key",
            // Storage and Service Bus connection strings: `...;AccountKey=<base64>;...`.
            r"(?i)(?:AccountKey|SharedAccessKey)=(?P<secret>[A-Za-z0-9+/]{20,}={0,2})".into(),
            Check::None,
        ),
        ("jwt", r"(?-u:\b)eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}".into(), Check::None),
        (
            "url-password",
            r"(?-u:\b)[A-Za-z][A-Za-z0-9+.\-]*://[^\s:@/'`]+:(?P<secret>[^\s@/'`]+)@".into(),
            Check::NotPlaceholder,
        ),
        (
            "authorization-header",
            r#"(?i)authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token)\s+(?P<secret>[A-Za-z0-9._~+/=\-]{8,})"#
                .into(),
            Check::Random,
        ),
        ("password", assign(PASSWORD_NAMES), Check::NotPlaceholder),
        ("secret", assign(TOKEN_NAMES), Check::Random),
        ("password", env(PASSWORD_NAMES), Check::NotPlaceholder),
        ("secret", env(TOKEN_NAMES), Check::Random),
        ("password", yaml(PASSWORD_NAMES), Check::Random),
        ("secret", yaml(TOKEN_NAMES), Check::Random),
    ]
}

impl SecretFilter {
    /// Compiles the built-in rules plus the configured allow/deny patterns. An invalid pattern is an
    /// [`Error::InvalidInput`] naming it.
    pub fn new(config: &SecretFilterConfig) -> Result<SecretFilter> {
        if !(config.min_entropy.is_finite() && config.min_entropy >= 0.0) {
            return Err(Error::InvalidInput(format!(
                "secret filter min_entropy must be >= 0, got {}",
                config.min_entropy
            )));
        }
        let compile = |pattern: &str, what: &str| {
            Regex::new(pattern).map_err(|e| {
                Error::InvalidInput(format!(
                    "invalid secret filter {what} pattern {pattern:?}: {e}"
                ))
            })
        };
        let mut rules = Vec::new();
        for (kind, pattern, check) in builtin_rules() {
            rules.push(Rule {
                kind,
                regex: compile(&pattern, "built-in")?,
                check,
            });
        }
        for pattern in &config.deny {
            rules.push(Rule {
                kind: "custom",
                regex: compile(pattern, "deny")?,
                check: Check::None,
            });
        }
        let allow = config
            .allow
            .iter()
            .map(|p| compile(p, "allow"))
            .collect::<Result<Vec<_>>>()?;
        Ok(SecretFilter {
            enabled: config.enabled,
            rules,
            allow,
            min_entropy: config.min_entropy,
        })
    }

    /// Whether this filter redacts anything at all.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The spans of `text` that would be redacted, sorted and non-overlapping.
    pub fn find(&self, text: &str) -> Vec<Finding> {
        if !self.enabled {
            return Vec::new();
        }
        let mut found = Vec::new();
        for (priority, rule) in self.rules.iter().enumerate() {
            for caps in rule.regex.captures_iter(text) {
                let Some(m) = caps.name("secret").or_else(|| caps.get(0)) else {
                    continue;
                };
                if m.is_empty() || !self.passes(rule.check, m.as_str()) || self.allowed(m.as_str())
                {
                    continue;
                }
                found.push((m.start(), std::cmp::Reverse(m.end()), priority, rule.kind));
            }
        }
        // Earliest start first, then the longest span, then the most specific rule; overlapping spans
        // after the first are dropped (a token inside an assignment is named by its provider).
        found.sort();
        let mut findings: Vec<Finding> = Vec::new();
        for (start, std::cmp::Reverse(end), _, kind) in found {
            match findings.last_mut() {
                Some(last) if start < last.range.end => last.range.end = last.range.end.max(end),
                _ => findings.push(Finding {
                    kind,
                    range: start..end,
                }),
            }
        }
        findings
    }

    /// `text` with every secret replaced by `<redacted:KIND>`. Borrows when nothing was found.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let findings = self.find(text);
        if findings.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in &findings {
            out.push_str(&text[at..f.range.start]);
            out.push_str("<redacted:");
            out.push_str(f.kind);
            out.push('>');
            at = f.range.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// A copy of `prompt` with every text part redacted.
    pub fn redact_prompt(&self, prompt: &Prompt) -> Prompt {
        match prompt {
            Prompt::Text(text) => Prompt::Text(self.redact(text).into_owned()),
            Prompt::Chat(messages) => Prompt::Chat(
                messages
                    .iter()
                    .map(|m| ChatMessage {
                        role: m.role,
                        content: self.redact(&m.content).into_owned(),
                    })
                    .collect(),
            ),
        }
    }

    fn passes(&self, check: Check, value: &str) -> bool {
        match check {
            Check::None => true,
            Check::NotPlaceholder => !is_placeholder(value),
            Check::Random => {
                !is_placeholder(value)
                    && value.chars().count() >= 8
                    && !value.chars().any(char::is_whitespace)
                    && shannon_entropy(value) >= self.min_entropy
            }
        }
    }

    fn allowed(&self, value: &str) -> bool {
        self.allow.iter().any(|re| {
            re.find(value)
                .is_some_and(|m| m.start() == 0 && m.end() == value.len())
        })
    }
}

/// Values that stand for a secret rather than being one: template variables, special tokens, masks.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || v.starts_with('$')
        || v.starts_with('%')
        || v.starts_with("{{")
        || v.starts_with("<redacted:")
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('[') && v.ends_with(']'))
        || (v.starts_with('{') && v.ends_with('}'))
        || v.chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '-' | '_' | '#'))
        || matches!(
            lower.as_str(),
            "none"
                | "null"
                | "nil"
                | "undefined"
                | "changeme"
                | "your_password"
                | "password"
                | "secret"
                | "token"
        )
        || lower.starts_with("your-")
        || lower.starts_with("your_")
}

/// Shannon entropy of the characters of `s`, in bits per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::<char, usize>::new();
    let mut n = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_default() += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    counts
        .values()
        .map(|&k| k as f64 / n)
        .map(|p| -p * p.log2())
        .sum()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_uniform_and_constant_strings() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-12);
    }

    #[test]
    fn invalid_patterns_are_rejected_with_the_pattern_named() {
        let config = SecretFilterConfig {
            deny: vec!["(unclosed".into()],
            ..Default::default()
        };
        let err = SecretFilter::new(&config)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(err.contains("deny") && err.contains("(unclosed"), "{err}");
    }

    #[test]
    fn disabled_filter_keeps_everything() {
        let config = SecretFilterConfig {
            enabled: false,
            ..Default::default()
        };
        let filter = SecretFilter::new(&config).unwrap();
        let text = "password = \"hunter22\"";
        assert!(matches!(filter.redact(text), Cow::Borrowed(t) if t == text));
    }
}
