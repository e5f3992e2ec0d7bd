//! `invalid-url`: a URL field's value is not a valid URL.

use super::{Code, Ctx, DefaultSeverity, Rule, Severity};
use crate::schema::ValueKind;
use crate::schema::values::{self, is_absolute_path, is_http_url, url_of};

pub static RULE: Rule = Rule {
    code: Code::InvalidUrl,
    summary: "a URL field does not hold a valid http(s) URL",
    default: DefaultSeverity::Fixed(Severity::Error),
    doc: include_str!("../../docs/rules/invalid-url.md"),
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    for field in ctx.filled_fields() {
        let Some(spec) = field.spec else { continue };
        let key = spec.key;
        match spec.value {
            ValueKind::Url | ValueKind::UrlOrPath => {
                let core = field.core(ctx.text);
                let url = url_of(ctx.text(core.clone()));
                let path_ok = matches!(spec.value, ValueKind::UrlOrPath) && is_absolute_path(url);
                if !is_http_url(url) && !path_ok {
                    let expected = spec.value.describe();
                    ctx.report(
                        Code::InvalidUrl,
                        core,
                        format!("`{key}` is not a valid URL: expected {expected}"),
                    );
                }
            }
            ValueKind::Links => {
                let mut items: Vec<std::ops::Range<usize>> = Vec::new();
                if !field.value.is_empty() {
                    items.extend(split_list(ctx.text, field.value.clone()));
                }
                items.extend(field.nested.iter().cloned());
                for item in items {
                    // `Label: URL` and a trailing note are allowed around a link.
                    let mut item = item;
                    let written = ctx.text(item.clone());
                    if let Some(i) = written.find(": ") {
                        item = values::trim_range(ctx.text, item.start + i + 1..item.end);
                    }
                    let core = values::value_core(ctx.text(item.clone()));
                    let item = item.start + core.start..item.start + core.end;
                    let url = url_of(ctx.text(item.clone()));
                    if !is_http_url(url) {
                        ctx.report(
                            Code::InvalidUrl,
                            item,
                            format!("`{key}` should hold links: `{url}` is not an http(s) URL"),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// The comma-separated parts of a value, trimmed (commas inside a Markdown
/// link's text or URL do not split).
fn split_list(text: &str, value: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
    let s = &text[value.clone()];
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' | '(' | '<' => depth += 1,
            ']' | ')' | '>' => depth -= 1,
            ',' if depth <= 0 => {
                parts.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(start..s.len());
    parts
        .into_iter()
        .map(|r| values::trim_range(text, value.start + r.start..value.start + r.end))
        .filter(|r| !r.is_empty())
        .collect()
}
