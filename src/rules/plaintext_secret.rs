//! `plaintext-secret`: a credential written in the plan. The scan
//! (`model::secrets`) runs per chunk when it is parsed and is cached with
//! it; the rule reports what it found without ever repeating the secret.

use super::{Code, Ctx, DefaultSeverity, Fixes, Rule, Severity};

pub static RULE: Rule = Rule {
    code: Code::PlaintextSecret,
    summary: "a credential (key, token, password) is written in plain text",
    default: DefaultSeverity::Fixed(Severity::Error),
    doc: include_str!("../../docs/rules/plaintext-secret.md"),
    fixes: Fixes::None,
    check: Some(check),
};

fn check(ctx: &mut Ctx<'_>) {
    for placed in ctx.plan.chunks.iter() {
        for secret in &placed.chunk.secrets {
            ctx.report(
                Code::PlaintextSecret,
                secret.span.at(placed.base),
                format!(
                    "{} is written in plain text: remove it, rotate it, and reference it from your secret manager",
                    secret.kind.describe()
                ),
            );
        }
    }
}
