//! Suppression directives (SPEC §5) as the text writes them:
//! `<!-- plan-lsp-disable-next-line CODE[, CODE] -->`,
//! `<!-- plan-lsp-disable CODE -->` … `<!-- plan-lsp-enable CODE -->`. Each
//! chunk's directives are found as it is parsed; the rules layer applies
//! them to findings.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectiveKind {
    DisableNextLine,
    Disable,
    Enable,
}

impl DirectiveKind {
    pub fn keyword(self) -> &'static str {
        match self {
            DirectiveKind::DisableNextLine => "plan-lsp-disable-next-line",
            DirectiveKind::Disable => "plan-lsp-disable",
            DirectiveKind::Enable => "plan-lsp-enable",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub kind: DirectiveKind,
    /// The codes named and where (relative to the chunk once parsed into
    /// one); empty means every code.
    pub codes: Vec<(String, Span)>,
}

static COMMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"<!--\s*(plan-lsp-disable-next-line|plan-lsp-disable|plan-lsp-enable)\b([^>]*?)\s*-->",
    )
    .expect("directive pattern is valid")
});

/// The directives on one line, with their ranges in the line.
pub fn parse_line(line: &str) -> Vec<(Directive, Range<usize>)> {
    if !line.contains("plan-lsp-") {
        return Vec::new();
    }
    COMMENT
        .captures_iter(line)
        .map(|caps| {
            let kind = match &caps[1] {
                "plan-lsp-disable-next-line" => DirectiveKind::DisableNextLine,
                "plan-lsp-disable" => DirectiveKind::Disable,
                _ => DirectiveKind::Enable,
            };
            let list = caps.get(2).expect("group 2 always matches");
            let mut codes = Vec::new();
            let mut at = list.start();
            for part in list.as_str().split(',') {
                let trimmed = part.trim();
                if !trimmed.is_empty() {
                    let start = at + part.find(trimmed).unwrap_or(0);
                    codes.push((trimmed.to_string(), Span::new(start, start + trimmed.len())));
                }
                at += part.len() + 1;
            }
            let whole = caps.get(0).expect("whole match");
            (Directive { kind, codes }, whole.start()..whole.end())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_with_positions() {
        let line = "<!-- plan-lsp-disable-next-line placeholder, nope -->";
        let d = parse_line(line);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0.kind, DirectiveKind::DisableNextLine);
        let names: Vec<&str> = d[0]
            .0
            .codes
            .iter()
            .map(|(n, s)| {
                assert_eq!(&line[s.range()], n);
                n.as_str()
            })
            .collect();
        assert_eq!(names, vec!["placeholder", "nope"]);
        assert!(parse_line("<!-- plan-lsp-enable -->")[0].0.codes.is_empty());
        assert!(parse_line("<!-- other -->").is_empty());
    }
}
