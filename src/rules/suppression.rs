//! Suppression comments (SPEC §5):
//! `<!-- plan-lsp-disable-next-line CODE[, CODE] -->`,
//! `<!-- plan-lsp-disable CODE -->` … `<!-- plan-lsp-enable CODE -->`;
//! no code means every code. Unknown codes are reported as
//! `invalid-suppression`.

use std::ops::Range;

use super::{Code, DefaultSeverity, Finding, Fixes, Rule, Severity};
use crate::model::Plan;
use crate::model::directives::DirectiveKind;

pub static RULE: Rule = Rule {
    code: Code::InvalidSuppression,
    summary: "a suppression comment names a code that does not exist",
    default: DefaultSeverity::Fixed(Severity::Warning),
    doc: include_str!("../../docs/rules/invalid-suppression.md"),
    fixes: Fixes::None,
    check: None,
};

/// A code set named by a directive: `None` = every code.
fn applies(codes: &Option<Vec<Code>>, code: Code) -> bool {
    codes.as_ref().is_none_or(|c| c.contains(&code))
}

/// Drops findings that directives suppress and adds one finding per
/// unknown code in a directive.
pub fn apply(text: &str, plan: &Plan, findings: Vec<Finding>) -> Vec<Finding> {
    let mut invalid = Vec::new();
    // (suppressed byte range, codes)
    let mut suppressed: Vec<(Range<usize>, Option<Vec<Code>>)> = Vec::new();
    let mut open: Vec<(usize, Option<Vec<Code>>)> = Vec::new();
    for placed in plan.chunks.iter() {
        for d in &placed.chunk.directives {
            let mut codes = Vec::new();
            for (name, span) in &d.directive.codes {
                match Code::parse(name) {
                    Some(c) => codes.push(c),
                    None => invalid.push(Finding {
                        code: Code::InvalidSuppression,
                        range: span.at(placed.base),
                        message: format!(
                            "`{name}` is not a plan-lsp rule code, so `{}` suppresses nothing; known codes: {}",
                            d.directive.kind.keyword(),
                            Code::known()
                        ),
                        fixes: Vec::new(),
                    }),
                }
            }
            let named = if d.directive.codes.is_empty() {
                None
            } else {
                Some(codes)
            };
            let comment = d.span.at(placed.base);
            match d.directive.kind {
                DirectiveKind::DisableNextLine => {
                    let next = placed.base + d.next_line;
                    if next < text.len() || (next == text.len() && next > comment.end) {
                        let line = crate::text::line_content_range(text, next);
                        suppressed.push((line.start..line.end.max(line.start + 1), named));
                    }
                }
                DirectiveKind::Disable => open.push((comment.end, named)),
                DirectiveKind::Enable => {
                    let mut still_open = Vec::new();
                    for (from, codes) in open.drain(..) {
                        match (&named, &codes) {
                            // `enable` with no code ends every region
                            (None, _) => suppressed.push((from..comment.start, codes)),
                            (Some(enabling), None) => {
                                // re-enable some codes inside an all-codes region:
                                // keep the rest disabled from here on
                                suppressed.push((from..comment.start, None));
                                let rest: Vec<Code> = Code::ALL
                                    .iter()
                                    .copied()
                                    .filter(|c| !enabling.contains(c))
                                    .collect();
                                still_open.push((comment.end, Some(rest)));
                            }
                            (Some(enabling), Some(disabled)) => {
                                let rest: Vec<Code> = disabled
                                    .iter()
                                    .copied()
                                    .filter(|c| !enabling.contains(c))
                                    .collect();
                                suppressed.push((from..comment.start, Some(disabled.clone())));
                                if !rest.is_empty() {
                                    still_open.push((comment.end, Some(rest)));
                                }
                            }
                        }
                    }
                    open = still_open;
                }
            }
        }
    }
    for (from, codes) in open {
        suppressed.push((from..text.len() + 1, codes));
    }
    let mut out: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            !suppressed
                .iter()
                .any(|(range, codes)| range.contains(&f.range.start) && applies(codes, f.code))
        })
        .collect();
    out.extend(invalid);
    out
}
