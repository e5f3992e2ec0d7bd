//! `invalid-url`: a URL field's value is not a valid URL.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};
use crate::schema::ValueKind;
use crate::schema::values::{is_absolute_path, is_http_url, url_of};

pub static RULE: Rule = Rule {
    code: Code::InvalidUrl,
    summary: "a URL field does not hold a valid http(s) URL",
    default: DefaultSeverity::Fixed(Severity::Error),
    doc: include_str!("../../docs/rules/invalid-url.md"),
    fixes: Fixes::None,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    for field in ctx.filled_fields() {
        let Some(spec) = &field.spec else { continue };
        let key = &spec.key;
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
                for item in field.link_items(ctx.text) {
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
