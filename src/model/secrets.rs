//! The secret scanner: credentials written in plain text (key and token
//! shapes, passwords in URLs, literal `password=` / `secret:` / `token:`
//! values). It runs on each chunk as it is parsed; the `plaintext-secret`
//! rule reports what it found.

use std::sync::LazyLock;

use regex::Regex;

use super::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    AwsAccessKeyId,
    PrivateKey,
    GitHubToken,
    GitLabToken,
    SlackToken,
    SlackWebhook,
    StripeKey,
    GoogleApiKey,
    Jwt,
    UrlPassword,
    Assignment,
}

impl SecretKind {
    /// What was found, in words that never repeat it.
    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::AwsAccessKeyId => "an AWS access key id",
            SecretKind::PrivateKey => "a private key",
            SecretKind::GitHubToken => "a GitHub token",
            SecretKind::GitLabToken => "a GitLab token",
            SecretKind::SlackToken => "a Slack token",
            SecretKind::SlackWebhook => "a Slack webhook URL",
            SecretKind::StripeKey => "a Stripe secret key",
            SecretKind::GoogleApiKey => "a Google API key",
            SecretKind::Jwt => "a JSON Web Token",
            SecretKind::UrlPassword => "a password in a URL",
            SecretKind::Assignment => "a literal password, secret or token",
        }
    }
}

/// Patterns whose whole match (or group 1) is the secret.
static PATTERNS: LazyLock<Vec<(SecretKind, Regex)>> = LazyLock::new(|| {
    let re = |s: &str| Regex::new(s).expect("secret patterns are valid");
    vec![
        (
            SecretKind::AwsAccessKeyId,
            re(r"(?-u:\b)((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})(?-u:\b)"),
        ),
        (
            SecretKind::PrivateKey,
            re(r"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)"),
        ),
        (
            SecretKind::GitHubToken,
            re(r"(?-u:\b)(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?-u:\b)"),
        ),
        (
            SecretKind::GitLabToken,
            re(r"(?-u:\b)(glpat-[A-Za-z0-9_\-]{20,})"),
        ),
        (
            SecretKind::SlackToken,
            re(r"(?-u:\b)(xox[abposr]-[A-Za-z0-9\-]{10,})"),
        ),
        (
            SecretKind::SlackWebhook,
            re(r"(https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+)"),
        ),
        (
            SecretKind::StripeKey,
            re(r"(?-u:\b)((?:sk|rk)_live_[A-Za-z0-9]{16,})"),
        ),
        (
            SecretKind::GoogleApiKey,
            re(r"(?-u:\b)(AIza[0-9A-Za-z_\-]{35})"),
        ),
        (
            SecretKind::Jwt,
            re(r"(?-u:\b)(eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})"),
        ),
        (
            SecretKind::UrlPassword,
            re(r"[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]+:([^/\s@]+)@"),
        ),
    ]
});

/// `password=…`, `secret: …`, `api_key = "…"`: the key, the operator, the value.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?-u:\b)(?:[a-z0-9]+[_-])*(password|passwd|pwd|secret|client_secret|secret_key|token|auth_token|access_token|api[_-]?key|access[_-]?key)[ \t]*(=|:)[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s,;)]+)"#,
    )
    .expect("assignment pattern is valid")
});

/// Every pattern in one set: a single pass tells which (if any) to run.
static ANY: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    regex::RegexSet::new(
        PATTERNS
            .iter()
            .map(|(_, re)| re.as_str())
            .chain([ASSIGNMENT.as_str()]),
    )
    .expect("secret patterns are valid")
});

/// Finds secrets in a chunk of text.
pub fn scan(text: &str) -> Vec<(Span, SecretKind)> {
    // One pass that stops at the first candidate; most chunks have none.
    if !ANY.is_match(text) {
        return Vec::new();
    }
    let matched = ANY.matches(text);
    let mut out: Vec<(Span, SecretKind)> = Vec::new();
    for (i, (kind, re)) in PATTERNS.iter().enumerate() {
        if !matched.matched(i) {
            continue;
        }
        for caps in re.captures_iter(text) {
            let m = caps.get(1).unwrap_or_else(|| caps.get(0).expect("a match"));
            if *kind == SecretKind::UrlPassword && is_reference(m.as_str()) {
                continue;
            }
            out.push((Span::new(m.start(), m.end()), *kind));
        }
    }
    let assignments = matched
        .matched(PATTERNS.len())
        .then(|| ASSIGNMENT.captures_iter(text));
    for caps in assignments.into_iter().flatten() {
        let value = caps.get(3).expect("group 3 always matches");
        let quoted = value.as_str().starts_with(['"', '\'']);
        let literal = value.as_str().trim_matches(['"', '\'']);
        let is_colon = &caps[2] == ":";
        if is_reference(literal) || (is_colon && !quoted && !looks_like_credential(literal)) {
            continue;
        }
        let span = if quoted {
            Span::new(value.start() + 1, value.end() - 1)
        } else {
            Span::new(value.start(), value.end())
        };
        if !span_overlaps(&out, span) && !literal.is_empty() {
            out.push((span, SecretKind::Assignment));
        }
    }
    out.sort_by_key(|(s, _)| s.start);
    out
}

fn span_overlaps(found: &[(Span, SecretKind)], span: Span) -> bool {
    found
        .iter()
        .any(|(s, _)| s.start < span.end && span.start < s.end)
}

/// Values that point at a secret instead of being one: variables,
/// templates, placeholders, masks.
fn is_reference(value: &str) -> bool {
    let v = value.trim();
    v.len() < 4
        || v.starts_with(['$', '<', '[', '{', '%', '*', '`'])
        || v.chars()
            .all(|c| c == '*' || c == 'x' || c == 'X' || c == '•')
        || [
            "vault:",
            "env:",
            "secretsmanager:",
            "ssm:",
            "arn:",
            "op://",
            "gcp-secret:",
            "kms:",
        ]
        .iter()
        .any(|p| v.to_lowercase().starts_with(p))
        || [
            "redacted",
            "none",
            "null",
            "n/a",
            "changeme-in-vault",
            "required",
            "managed",
            "rotated",
        ]
        .contains(&v.to_lowercase().as_str())
}

/// After a colon (`token: …`), only values that look like credentials
/// count: prose such as `token: rotated weekly` does not.
fn looks_like_credential(value: &str) -> bool {
    let has_digit = value.chars().any(|c| c.is_ascii_digit());
    let has_upper = value.chars().any(|c| c.is_uppercase());
    let has_lower = value.chars().any(|c| c.is_lowercase());
    let has_symbol = value.chars().any(|c| !c.is_alphanumeric() && c != '-');
    (value.len() >= 6 && has_digit && (has_lower || has_upper))
        || (value.len() >= 8 && has_symbol && has_digit)
        || (value.len() >= 16 && has_upper && has_lower && has_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, SecretKind)> {
        scan(text)
            .into_iter()
            .map(|(s, k)| (text[s.range()].to_string(), k))
            .collect()
    }

    #[test]
    fn finds_known_token_shapes() {
        let t = "- Secrets: AKIAIOSFODNN7EXAMPLE\n";
        assert_eq!(
            kinds(t),
            vec![("AKIAIOSFODNN7EXAMPLE".into(), SecretKind::AwsAccessKeyId)]
        );
        let t = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n";
        assert_eq!(kinds(t)[0].1, SecretKind::PrivateKey);
        let t = format!("token ghp_{}", "a".repeat(36));
        assert_eq!(kinds(&t)[0].1, SecretKind::GitHubToken);
        let t = "postgres://app:s3cr3t@db.example.com/app";
        assert_eq!(kinds(t), vec![("s3cr3t".into(), SecretKind::UrlPassword)]);
    }

    #[test]
    fn literal_assignments_but_not_references_or_prose() {
        assert_eq!(
            kinds("password=hunter2"),
            vec![("hunter2".into(), SecretKind::Assignment)]
        );
        assert_eq!(
            kinds("secret: \"Tr0ub4dor&3\""),
            vec![("Tr0ub4dor&3".into(), SecretKind::Assignment)]
        );
        assert!(kinds("password=${DB_PASSWORD}").is_empty());
        assert_eq!(
            kinds("- Variables: DB_PASSWORD=hunter22, API_TOKEN=Zx81kq0PwL9"),
            vec![
                ("hunter22".into(), SecretKind::Assignment),
                ("Zx81kq0PwL9".into(), SecretKind::Assignment)
            ]
        );
        assert!(kinds("- Secrets: AWS Secrets Manager").is_empty());
        assert!(kinds("token: rotated weekly by the platform team").is_empty());
        assert!(kinds("postgres://app:${PW}@db/app").is_empty());
        assert!(kinds("api_key: [management method]").is_empty());
    }
}
