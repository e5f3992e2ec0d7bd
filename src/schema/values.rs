//! Value grammars (SPEC §6) and enum matching, as pure functions over text.

use std::ops::Range;

use super::EnumSpec;

/// The outcome of matching a value against an enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnumMatch<'a> {
    /// Spelled exactly as the canonical value (or a configured extra).
    Exact(&'a str),
    /// An alias or another casing of this canonical value.
    NonCanonical(&'a str),
    /// One of the values added by configuration (`[values]`).
    Configured,
}

/// The candidate nearest to `written` by edit distance (case ignored),
/// when its similarity (0 to 1) reaches `at_least`.
pub fn closest<'a>(written: &str, candidates: &[&'a str], at_least: f64) -> Option<&'a str> {
    let w = written.to_lowercase();
    candidates
        .iter()
        .map(|c| {
            (
                strsim::normalized_damerau_levenshtein(&w, &c.to_lowercase()),
                *c,
            )
        })
        .filter(|(score, _)| *score >= at_least)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

impl<'a> EnumMatch<'a> {
    /// The canonical value matched (a configured extra has none).
    pub fn canonical(self) -> Option<&'a str> {
        match self {
            EnumMatch::Exact(v) | EnumMatch::NonCanonical(v) => Some(v),
            EnumMatch::Configured => None,
        }
    }
}

/// Matches `raw` (a field value as written) against an enum, ignoring Markdown
/// emphasis, backticks and a trailing note. `extra` holds configured values,
/// which match exactly like the schema's own. Returns `None` when no value
/// matches (for an open enum that is not an error).
pub fn match_enum<'a>(spec: &'a EnumSpec, raw: &str, extra: &[String]) -> Option<EnumMatch<'a>> {
    let core = &raw[value_core(raw)];
    if core.is_empty() {
        return None;
    }
    for v in spec.offered() {
        if v.name == core {
            return Some(EnumMatch::Exact(&v.name));
        }
    }
    if extra.iter().any(|e| fold(e) == fold(core)) {
        return Some(EnumMatch::Configured);
    }
    let folded = fold(core);
    for v in spec.offered() {
        if fold(&v.name) == folded {
            return Some(EnumMatch::NonCanonical(&v.name));
        }
    }
    spec.aliases
        .iter()
        .find(|(alias, _)| fold(alias) == folded)
        .and_then(|(_, canonical)| spec.offered().find(|v| v.name == *canonical))
        .map(|v| EnumMatch::NonCanonical(&v.name))
}

/// Lower-case with runs of whitespace collapsed.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The byte range of a value's core: without surrounding emphasis or
/// backticks and without a trailing note (`Canary (10% → 100%)`,
/// `Canary — fast`, `Canary - fast`).
pub fn value_core(raw: &str) -> Range<usize> {
    let note_at = note_start(raw);
    let r = trim_range(raw, 0..note_at);
    strip_emphasis(raw, r)
}

/// Where a trailing note begins: at ` (`/`(` after some text, ` — `, ` – `
/// or ` - `; the end of the text when there is none.
pub fn note_start(raw: &str) -> usize {
    let bytes = raw.as_bytes();
    let mut seen_text = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            // `(` opens a note unless it is a Markdown link's `](`
            b'(' if seen_text && (i == 0 || bytes[i - 1] != b']') => return i,
            b' ' if seen_text => {
                let rest = &raw[i + 1..];
                let dash = ["— ", "– ", "- ", "-- "]
                    .iter()
                    .any(|d| rest.starts_with(d));
                if dash {
                    return i;
                }
            }
            b' ' | b'\t' => {}
            _ => seen_text = true,
        }
    }
    raw.len()
}

/// Shrinks `r` to exclude surrounding whitespace.
pub fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

/// Shrinks `r` to exclude matching emphasis or code markers around the text
/// (`**x**`, `_x_`, `` `x` ``), repeatedly.
pub fn strip_emphasis(text: &str, mut r: Range<usize>) -> Range<usize> {
    loop {
        let s = &text[r.clone()];
        let mut changed = false;
        for m in ["**", "__", "*", "_", "`", "~~"] {
            if s.len() > 2 * m.len() && s.starts_with(m) && s.ends_with(m) {
                r = trim_range(text, r.start + m.len()..r.end - m.len());
                changed = true;
                break;
            }
        }
        if !changed {
            return r;
        }
    }
}

/// The comma-separated parts of `range` in `text`, trimmed (commas inside a
/// Markdown link's text or URL, or in parentheses, do not split).
pub fn list_parts(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = range.start;
    for (i, c) in text[range.clone()].char_indices() {
        match c {
            '[' | '(' | '<' => depth += 1,
            ']' | ')' | '>' => depth -= 1,
            ',' if depth <= 0 => {
                parts.push(start..range.start + i);
                start = range.start + i + 1;
            }
            _ => {}
        }
    }
    parts.push(start..range.end);
    parts
        .into_iter()
        .map(|r| trim_range(text, r))
        .filter(|r| !r.is_empty())
        .collect()
}

/// `YYYY-MM-DD` naming a real calendar day.
pub fn is_iso_date(s: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    s.len() == 10 && time::Date::parse(s, &format).is_ok()
}

/// An RFC 3339 date-time such as `2026-11-26T09:30:00Z`.
pub fn is_rfc3339(s: &str) -> bool {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

/// The current time as RFC 3339 (UTC, whole seconds).
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Duration units and their length in seconds (a month counts 30 days, a
/// year 365).
const DURATION_UNITS: &[(&str, f64)] = &[
    ("ms", 0.001),
    ("msec", 0.001),
    ("msecs", 0.001),
    ("millisecond", 0.001),
    ("milliseconds", 0.001),
    ("s", 1.0),
    ("sec", 1.0),
    ("secs", 1.0),
    ("second", 1.0),
    ("seconds", 1.0),
    ("m", 60.0),
    ("min", 60.0),
    ("mins", 60.0),
    ("minute", 60.0),
    ("minutes", 60.0),
    ("h", 3_600.0),
    ("hr", 3_600.0),
    ("hrs", 3_600.0),
    ("hour", 3_600.0),
    ("hours", 3_600.0),
    ("d", 86_400.0),
    ("day", 86_400.0),
    ("days", 86_400.0),
    ("w", 604_800.0),
    ("wk", 604_800.0),
    ("wks", 604_800.0),
    ("week", 604_800.0),
    ("weeks", 604_800.0),
    ("mo", 2_592_000.0),
    ("month", 2_592_000.0),
    ("months", 2_592_000.0),
    ("y", 31_536_000.0),
    ("yr", 31_536_000.0),
    ("yrs", 31_536_000.0),
    ("year", 31_536_000.0),
    ("years", 31_536_000.0),
];

fn unit_seconds(unit: &str) -> Option<f64> {
    DURATION_UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|(_, seconds)| *seconds)
}

/// A duration: an optional `every`, a number and a unit (`30s`, `1 m`,
/// `every 5 minutes`, `500ms`, `90 days`), or `every minute`-style phrases.
pub fn is_duration(s: &str) -> bool {
    let s = s.trim();
    let lower = s.to_lowercase();
    let rest = lower
        .strip_prefix("every")
        .map(str::trim_start)
        .unwrap_or(&lower);
    if rest.len() < lower.len() && unit_seconds(rest).is_some() && rest.len() > 2 {
        // "every minute", "every hour"
        return true;
    }
    let Some((number, unit)) = split_number(rest) else {
        return false;
    };
    !number.is_empty() && unit_seconds(unit.trim()).is_some()
}

/// The length of a duration (`30m`, `90 s`, `2 hours`).
pub fn duration_value(s: &str) -> Option<std::time::Duration> {
    let lower = s.trim().to_lowercase();
    let rest = lower
        .strip_prefix("every")
        .map_or(lower.as_str(), str::trim_start);
    let (number, unit) = split_number(rest)?;
    let number: f64 = number.replace(',', ".").parse().ok()?;
    let seconds = unit_seconds(unit.trim())?;
    std::time::Duration::try_from_secs_f64(number * seconds).ok()
}

/// A leading duration, and the byte length it takes in `s` (for thresholds
/// followed by a condition: `500ms for 5 minutes`).
pub fn leading_duration(s: &str) -> Option<usize> {
    let (number, rest) = split_number(s)?;
    let unit_len = rest
        .trim_start()
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(rest.trim_start().len());
    let ws = rest.len() - rest.trim_start().len();
    let unit = &rest.trim_start()[..unit_len];
    if number.is_empty() || unit_seconds(&unit.to_lowercase()).is_none() {
        return None;
    }
    Some(number.len() + ws + unit_len)
}

/// A leading percentage (`1%`, `0.5 %`) and the byte length it takes.
pub fn leading_percent(s: &str) -> Option<usize> {
    let (number, rest) = split_number(s)?;
    if number.is_empty() {
        return None;
    }
    let ws = rest.len() - rest.trim_start().len();
    rest.trim_start()
        .starts_with('%')
        .then_some(number.len() + ws + 1)
}

/// Splits a leading decimal number (`12`, `0.5`, `1,000`) from the rest.
fn split_number(s: &str) -> Option<(&str, &str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ','))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let number = &s[..end];
    if !number.is_empty() && !number.chars().next()?.is_ascii_digit() {
        return None;
    }
    Some((number, &s[end..]))
}

/// An absolute `http://` or `https://` URL with a valid host and port, and
/// no spaces (parsed as browsers do, by the `url` crate).
pub fn is_http_url(s: &str) -> bool {
    if s.contains(char::is_whitespace) {
        return false;
    }
    url::Url::parse(s).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

/// An absolute path such as `/healthz` or `/api/v1/health?full=1`.
pub fn is_absolute_path(s: &str) -> bool {
    s.starts_with('/') && !s.starts_with("//") && !s.contains(char::is_whitespace)
}

/// The URL a value names: itself, `<url>`, or a Markdown link `[text](url)`.
pub fn url_of(value: &str) -> &str {
    let v = value.trim();
    if let Some(inner) = v.strip_prefix('<').and_then(|x| x.strip_suffix('>')) {
        return inner;
    }
    if v.starts_with('[')
        && let Some(open) = v.find("](")
        && v.ends_with(')')
    {
        return v[open + 2..v.len() - 1]
            .split_whitespace()
            .next()
            .unwrap_or("");
    }
    v
}

/// Byte ranges of template placeholders in `text`: `[...]` that is not a
/// Markdown link (`[t](u)`, `[t][r]`, `[t][]`), not a reference to a
/// definition in `link_labels`, not a task box, not escaped and not inside a
/// code span.
pub fn placeholders(text: &str, link_labels: &[String]) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => {
                // skip a code span
                let ticks = bytes[i..].iter().take_while(|b| **b == b'`').count();
                let fence = &text[i..i + ticks];
                match text[i + ticks..].find(fence) {
                    Some(j) => i += ticks + j + ticks,
                    None => i += ticks,
                }
            }
            b'[' => {
                let Some(close) = matching_bracket(bytes, i) else {
                    i += 1;
                    continue;
                };
                let inner = &text[i + 1..close];
                let after = bytes.get(close + 1);
                let is_link = matches!(after, Some(b'(') | Some(b'['))
                    || (i > 0 && bytes[i - 1] == b']')
                    || (i > 0 && bytes[i - 1] == b'!');
                let is_task_box = matches!(inner, " " | "x" | "X");
                let is_reference = link_labels
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(inner.trim()));
                if !is_link && !is_task_box && !is_reference && !inner.trim().is_empty() {
                    out.push(i..close + 1);
                }
                i = close + 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn matching_bracket(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'\n' | b'\r' => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ENV;

    #[test]
    fn durations() {
        for ok in [
            "30s",
            "1 m",
            "every 5 minutes",
            "500ms",
            "90d",
            "30 days",
            "1 year",
            "2 weeks",
            "12h",
            "every minute",
            "0.5s",
        ] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["lots", "", "every", "5", "five minutes", "30 parsecs", "s"] {
            assert!(!is_duration(bad), "{bad}");
        }
        assert_eq!(leading_duration("500ms for 5 minutes"), Some(5));
        assert_eq!(
            duration_value("30m"),
            Some(std::time::Duration::from_secs(1800))
        );
        assert_eq!(
            duration_value("every 1.5 s"),
            Some(std::time::Duration::from_millis(1500))
        );
        assert_eq!(duration_value("soon"), None);
        assert_eq!(leading_duration("2 s"), Some(3));
        assert_eq!(leading_duration("slow"), None);
    }

    #[test]
    fn percents() {
        assert_eq!(leading_percent("1%"), Some(2));
        assert_eq!(leading_percent("0.5 % over 5 minutes"), Some(5));
        assert_eq!(leading_percent("lots"), None);
        assert_eq!(leading_percent("5"), None);
    }

    #[test]
    fn dates() {
        assert!(is_iso_date("2026-02-28"));
        assert!(is_iso_date("2028-02-29"));
        assert!(!is_iso_date("2026-02-30"));
        assert!(!is_iso_date("2026-13-01"));
        assert!(!is_iso_date("26-11-2026"));
        assert!(is_rfc3339("2026-11-26T09:30:00Z"));
        assert!(is_rfc3339("2026-11-26T09:30:00.5+01:00"));
        assert!(!is_rfc3339("2026-11-26 09:30"));
        assert!(is_rfc3339(&now_rfc3339()));
    }

    #[test]
    fn urls() {
        assert!(is_http_url("https://api.example.com/healthz"));
        assert!(is_http_url("http://localhost:8080/x?y=1"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("ftp://x.example.com"));
        assert!(!is_http_url("not a url"));
        assert!(!is_http_url("https://exa mple.com"));
        assert!(!is_http_url("https://example.com:99999/health"));
        assert!(!is_http_url("https://exa<mple.com/"));
        assert!(is_http_url("https://[::1]:8443/healthz"));
        assert!(is_absolute_path("/healthz"));
        assert!(!is_absolute_path("healthz"));
        assert_eq!(
            url_of("[Grafana](https://g.example.com/d)"),
            "https://g.example.com/d"
        );
        assert_eq!(url_of("<https://x.example.com>"), "https://x.example.com");
    }

    #[test]
    fn enum_matching() {
        assert_eq!(
            match_enum(&ENV, "production", &[]),
            Some(EnumMatch::Exact("production"))
        );
        assert_eq!(
            match_enum(&ENV, "**Production** (eu)", &[]),
            Some(EnumMatch::NonCanonical("production"))
        );
        assert_eq!(
            match_enum(&ENV, "`staging`", &[]),
            Some(EnumMatch::Exact("staging"))
        );
        assert_eq!(
            match_enum(&ENV, "stg", &[]),
            Some(EnumMatch::NonCanonical("staging"))
        );
        assert_eq!(match_enum(&ENV, "qa", &[]), None);
        assert_eq!(
            match_enum(&ENV, "qa", &["qa".into()]),
            Some(EnumMatch::Configured)
        );
    }

    #[test]
    fn notes_are_not_part_of_the_value() {
        let raw = "Canary (10% → 50% → 100%)";
        assert_eq!(&raw[value_core(raw)], "Canary");
        let raw = "Proceed with Caution — watch p99";
        assert_eq!(&raw[value_core(raw)], "Proceed with Caution");
        let raw = "[Grafana](https://g.example.com/d) (main)";
        assert_eq!(&raw[value_core(raw)], "[Grafana](https://g.example.com/d)");
        let raw = "Blue-Green - switch at noon";
        assert_eq!(&raw[value_core(raw)], "Blue-Green");
    }

    #[test]
    fn placeholder_detection() {
        let t = "[AWS/GCP] and [link](https://x) and [ref][r] and [ ] and `[code]` and \\[esc]";
        let found: Vec<&str> = placeholders(t, &[]).into_iter().map(|r| &t[r]).collect();
        assert_eq!(found, vec!["[AWS/GCP]"]);
        assert!(placeholders("[docs]", &["docs".into()]).is_empty());
    }
}
