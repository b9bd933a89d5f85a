//! Secret filtering on a corpus of real-shaped fake secrets (must be redacted) and look-alikes (must not).
//!
//! Every fake secret is generated here from a seeded generator and split prefixes, so the repository
//! holds no string that a secret scanner would flag.

use engine::secrets::{SecretFilter, SecretFilterConfig};
use engine::{ChatMessage, Prompt, Role};

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &str = "0123456789abcdef";

/// `n` characters of `alphabet`, reproducibly pseudo-random for `seed` (a 64-bit LCG's high bits).
fn fake(seed: u64, n: usize, alphabet: &str) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            chars[((state >> 33) as usize) % chars.len()]
        })
        .collect()
}

fn filter() -> SecretFilter {
    SecretFilter::new(&SecretFilterConfig::default()).expect("built-in rules compile")
}

/// (line of code, the secret in it, the kind it must be redacted as)
fn secrets() -> Vec<(String, String, &'static str)> {
    let mut cases = Vec::new();
    let mut add = |line: String, secret: String, kind| cases.push((line, secret, kind));

    let gh = format!("{}_{}", "ghp", fake(1, 36, ALNUM));
    add(
        format!("GITHUB_TOKEN = \"{gh}\""),
        gh.clone(),
        "github-token",
    );
    let gho = format!("{}_{}", "gho", fake(2, 36, ALNUM));
    add(format!("  oauth: {gho}"), gho, "github-token");
    let pat = format!(
        "{}_{}_{}",
        "github_pat",
        fake(3, 22, ALNUM),
        fake(4, 59, ALNUM)
    );
    add(format!("let t = \"{pat}\";"), pat, "github-token");
    let glpat = format!("{}-{}", "glpat", fake(5, 20, ALNUM));
    add(
        format!("curl --header \"PRIVATE-TOKEN: {glpat}\" https://gitlab.example.com"),
        glpat,
        "gitlab-token",
    );
    let slack = format!(
        "{}-{}-{}-{}",
        "xoxb",
        fake(6, 12, "0123456789"),
        fake(7, 13, "0123456789"),
        fake(8, 24, ALNUM)
    );
    add(
        format!("client = WebClient(\"{slack}\")"),
        slack,
        "slack-token",
    );
    let stripe = format!("{}_{}_{}", "sk", "live", fake(9, 24, ALNUM));
    add(format!("stripe.api_key = '{stripe}'"), stripe, "stripe-key");
    let restricted = format!("{}_{}_{}", "rk", "live", fake(10, 24, ALNUM));
    add(
        format!("const key = `{restricted}`;"),
        restricted,
        "stripe-key",
    );
    let openai = format!("{}-{}", "sk", fake(11, 48, ALNUM));
    add(
        format!("openai.api_key = \"{openai}\""),
        openai,
        "openai-key",
    );
    let project = format!("{}-{}-{}", "sk", "proj", fake(12, 120, B64URL));
    add(
        format!("OpenAI(api_key=\"{project}\")"),
        project,
        "openai-key",
    );
    let anthropic = format!("{}-{}-{}-{}", "sk", "ant", "api03", fake(13, 93, B64URL));
    add(
        format!("client = Anthropic(api_key=\"{anthropic}\")"),
        anthropic,
        "anthropic-key",
    );
    let google = format!("{}za{}", "AI", fake(14, 35, B64URL));
    add(
        format!("<meta name=\"maps-key\" content=\"{google}\">"),
        google,
        "google-api-key",
    );
    let hf = format!("{}_{}", "hf", fake(15, 34, ALNUM));
    add(format!("login(token=\"{hf}\")"), hf, "huggingface-token");
    let npm = format!("{}_{}", "npm", fake(16, 36, ALNUM));
    add(
        format!("//registry.npmjs.org/:_authToken={npm}"),
        npm,
        "npm-token",
    );
    let jwt = format!(
        "{}.{}.{}",
        concat!("ey", "JhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"),
        concat!("ey", "JzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUifQ"),
        fake(17, 43, B64URL)
    );
    add(format!("fetch(url, {{ jwt: {jwt} }})"), jwt, "jwt");
    let akid = format!("{}IA{}", "AK", fake(18, 16, UPPER32));
    add(
        format!("aws_access_key_id = {akid}"),
        akid,
        "aws-access-key-id",
    );
    let aws_secret = fake(19, 40, B64);
    add(
        format!("aws_secret_access_key = {aws_secret}"),
        aws_secret,
        "aws-secret-access-key",
    );
    let sendgrid = format!("{}.{}.{}", "SG", fake(30, 22, B64URL), fake(31, 43, B64URL));
    add(
        format!("sg = SendGridAPIClient(\"{sendgrid}\")"),
        sendgrid,
        "sendgrid-key",
    );
    let azure = format!("{}==", fake(32, 86, B64));
    add(
        format!(
            "CONN = \"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={azure};EndpointSuffix=core.windows.net\""
        ),
        azure,
        "azure-key",
    );
    let pem_body = format!("\n{}\n{}\n", fake(20, 64, B64), fake(21, 40, B64));
    let pem = format!(
        "-----BEGIN RSA {}-----{pem_body}-----END RSA {}-----",
        "PRIVATE KEY", "PRIVATE KEY"
    );
    add(
        format!("KEY = \"\"\"{pem}\"\"\""),
        pem_body.clone(),
        "private-key",
    );
    let openssh = format!("\n{}\n", fake(22, 70, B64));
    add(
        format!(
            "-----BEGIN OPENSSH {}-----{openssh}-----END OPENSSH {}-----\n",
            "PRIVATE KEY", "PRIVATE KEY"
        ),
        openssh,
        "private-key",
    );
    // A prompt cut at the cursor, inside the key.
    let cut = format!("\n{}", fake(23, 50, B64));
    add(
        format!("-----BEGIN {}-----{cut}", "PRIVATE KEY"),
        cut,
        "private-key",
    );

    add(
        "password = \"hunter22\"".into(),
        "hunter22".into(),
        "password",
    );
    add(
        "db_password: str = 'Tr0ub4dor&3'".into(),
        "Tr0ub4dor&3".into(),
        "password",
    );
    add(
        "String dbPassword = \"correct horse battery staple\";".into(),
        "correct horse battery staple".into(),
        "password",
    );
    add(
        "{\"user\": \"admin\", \"password\": \"pa55word!\"}".into(),
        "pa55word!".into(),
        "password",
    );
    let api_key = fake(24, 32, ALNUM);
    add(format!("API_KEY = \"{api_key}\""), api_key, "secret");
    let client_secret = fake(25, 40, B64URL);
    add(
        format!("config.clientSecret = '{client_secret}';"),
        client_secret,
        "secret",
    );
    add("DB_PASSWORD=hunter22".into(), "hunter22".into(), "password");
    let env_secret = fake(26, 50, ALNUM);
    add(
        format!("export SECRET_KEY={env_secret}"),
        env_secret,
        "secret",
    );
    let yaml_token = fake(27, 30, ALNUM);
    add(format!("  auth_token: {yaml_token}"), yaml_token, "secret");
    add(
        "DATABASE_URL = \"postgres://app:s3cretPw@db.internal:5432/app\"".into(),
        "s3cretPw".into(),
        "url-password",
    );
    let url_token = fake(28, 30, ALNUM);
    add(
        format!("git clone https://me:{url_token}@github.com/org/repo.git"),
        url_token,
        "url-password",
    );
    let bearer = fake(29, 40, B64URL);
    add(
        format!("headers = {{\"Authorization\": \"Bearer {bearer}\"}}"),
        bearer,
        "authorization-header",
    );
    cases
}

#[test]
fn real_shaped_fake_secrets_are_redacted() {
    let filter = filter();
    let mut failures = Vec::new();
    for (line, secret, kind) in secrets() {
        let out = filter.redact(&line);
        let marker = format!("<redacted:{kind}>");
        if out.contains(secret.trim()) || !out.contains(&marker) {
            failures.push(format!("{line:?}\n  -> {out:?} (expected {marker})"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} not redacted as expected:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn look_alikes_are_kept() {
    let sha512 = fake(40, 86, B64);
    let lines = vec![
        format!("\"integrity\": \"sha512-{sha512}==\","),
        format!("checksum = \"{}\"", fake(41, 64, HEX)),
        format!("sha256 = \"{}\"", fake(42, 64, HEX)),
        "id = \"123e4567-e89b-12d3-a456-426614174000\"".into(),
        format!("commit {} (HEAD -> main)", fake(43, 40, HEX)),
        "git checkout 9fceb02d0ae598e95dc970b74767f19372d61af8".into(),
        "data = \"SGVsbG8sIFdvcmxkIQ==\"".into(),
        format!("EXPECTED = base64.b64decode(\"{}\")", fake(44, 120, B64)),
        "token_count = 3".into(),
        "max_tokens = 128".into(),
        "password_hint = \"Your first pet's name\"".into(),
        "password_field = \"pwd\"".into(),
        "eos_token = \"<|endoftext|>\"".into(),
        "pad_token = '<|fim_pad|>'".into(),
        "token_type = \"bearer\"".into(),
        "csrf_token = \"{{ csrf_token() }}\"".into(),
        "password = os.environ[\"DB_PASSWORD\"]".into(),
        "password = \"${DB_PASSWORD}\"".into(),
        "DB_PASSWORD=$DB_PASSWORD".into(),
        "ACCESS_TOKEN_EXPIRE_MINUTES=30".into(),
        "tokenizer = \"Qwen/Qwen3-0.6B\"".into(),
        "secret_name = \"prod-db\"".into(),
        "secret = \"the answer is 42\"".into(),
        "    password: str".into(),
        "    password: Optional[str] = None".into(),
        "token = f\"{prefix}-{suffix}\"".into(),
        "url = \"https://example.com:8443/path?q=1\"".into(),
        "remote = git@github.com:org/repo.git".into(),
        "pip install sk-learn-tutorial-for-beginners-2024".into(),
        "def get_api_key(self) -> str: return self._api_key".into(),
        "let tokens: Vec<Token> = lexer.tokens();".into(),
        format!("const ENCODED = \"{}\";", fake(45, 200, B64URL)),
    ];
    let filter = filter();
    let flagged: Vec<_> = lines
        .iter()
        .filter_map(|l| Some((l, filter.find(l))).filter(|(_, f)| !f.is_empty()))
        .collect();
    assert!(flagged.is_empty(), "look-alikes redacted: {flagged:#?}");
}

#[test]
fn redaction_keeps_code_structure() {
    let key = format!("{}_{}", "ghp", fake(50, 36, ALNUM));
    let pw = fake(51, 12, ALNUM);
    let source = format!(
        "import os\n\nTOKEN = \"{key}\"\nDSN = \"mysql://root:{pw}@localhost/db\"\nmax_tokens = 64\n\ndef connect():\n    return db.connect(DSN, token=TOKEN)\n"
    );
    let out = filter().redact(&source).into_owned();
    expect_test::expect![[r#"
        import os

        TOKEN = "<redacted:github-token>"
        DSN = "mysql://root:<redacted:url-password>@localhost/db"
        max_tokens = 64

        def connect():
            return db.connect(DSN, token=TOKEN)
    "#]]
    .assert_eq(&out);
}

#[test]
fn findings_report_byte_ranges_of_the_original() {
    let key = format!("{}_{}", "npm", fake(52, 36, ALNUM));
    let text = format!("é = 1\nNPM = '{key}'\n");
    let findings = filter().find(&text);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(&text[findings[0].range.clone()], key);
    assert_eq!(findings[0].kind, "npm-token");
}

#[test]
fn allow_patterns_keep_and_deny_patterns_redact() {
    let akid = format!("{}IA{}", "AK", fake(60, 16, UPPER32));
    let internal = format!("corp-{}", fake(61, 32, HEX));
    let config = SecretFilterConfig {
        allow: vec![regex::escape(&akid)],
        deny: vec![
            r"corp-[0-9a-f]{32}".into(),
            r"session=(?P<secret>[0-9]{6,})".into(),
        ],
        ..Default::default()
    };
    let filter = SecretFilter::new(&config).expect("valid patterns");
    let text = format!("demo = {akid}\nkey = {internal}\ncookie: session=12345678; path=/");
    expect_test::expect![[r#"
        demo = AKIA_ALLOWED
        key = <redacted:custom>
        cookie: session=<redacted:custom>; path=/"#]]
    .assert_eq(&filter.redact(&text).replace(&akid, "AKIA_ALLOWED"));
    // Without the allow pattern the same key is redacted.
    assert!(!self::filter().find(&akid).is_empty());
}

#[test]
fn chat_prompts_are_redacted_message_by_message() {
    let key = format!("{}-{}-{}", "sk", "proj", fake(70, 64, B64URL));
    let prompt = Prompt::Chat(vec![
        ChatMessage {
            role: Role::System,
            content: "You are a coding assistant.".into(),
        },
        ChatMessage {
            role: Role::User,
            content: format!("Why does OpenAI(api_key=\"{key}\") fail?"),
        },
    ]);
    let Prompt::Chat(messages) = filter().redact_prompt(&prompt) else {
        panic!("chat stays chat")
    };
    assert_eq!(messages[0].content, "You are a coding assistant.");
    assert_eq!(
        messages[1].content,
        "Why does OpenAI(api_key=\"<redacted:openai-key>\") fail?"
    );
    let text = Prompt::Text(format!(
        "<|fim_prefix|>key = \"{key}\"<|fim_suffix|><|fim_middle|>"
    ));
    assert_eq!(
        filter().redact_prompt(&text),
        Prompt::Text(
            "<|fim_prefix|>key = \"<redacted:openai-key>\"<|fim_suffix|><|fim_middle|>".into()
        )
    );
}
