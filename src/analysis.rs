//! The one analysis entry point the CLI and the server share: text in,
//! targeting, plan and diagnostics out.

use std::path::Path;

use crate::config::{Config, FILE_NAME};
use crate::diagnostic::{Code, Diagnostic, Finding};
use crate::layout::Related;
use crate::model::target::Targeting;
use crate::model::{self, Context, Parser, Plan};
use crate::rules;
use crate::schema::Env;
use crate::text::Unchanged;

/// The result of analysing one version of a document.
#[derive(Debug)]
pub struct Analysis {
    pub targeting: Targeting,
    /// `None` for documents that are not plans, and for plans over the size
    /// limit.
    pub plan: Option<Plan>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    pub fn env(&self) -> Option<Env> {
        self.plan.as_ref().map(|p| p.env)
    }
}

/// Analyses documents, keeping what it parsed between calls so that
/// re-analysing an edited document scans and parses again only what
/// changed. One per document.
pub struct Analyzer {
    parser: Parser,
}

impl Default for Analyzer {
    fn default() -> Analyzer {
        Analyzer {
            parser: Parser::for_one_document(),
        }
    }
}

impl Analyzer {
    /// An analyzer for many documents in turn (the command line's files):
    /// a section that repeats from document to document, as sections of
    /// plans written from one template do, is parsed once.
    pub fn for_many_documents() -> Analyzer {
        Analyzer {
            parser: Parser::for_many_documents(),
        }
    }

    /// Analyses one version of a document; `related` carries what other
    /// files say (the environment of a status document's plan).
    pub fn analyze(
        &mut self,
        text: &str,
        path: Option<&Path>,
        config: &Config,
        related: &Related,
    ) -> Analysis {
        self.analyze_edited(text, None, path, config, related)
    }

    /// [`Analyzer::analyze`] told what is unchanged since the text this
    /// analyzer analysed last, as an editor's changes say it.
    pub fn analyze_edited(
        &mut self,
        text: &str,
        unchanged: Option<Unchanged>,
        path: Option<&Path>,
        config: &Config,
        related: &Related,
    ) -> Analysis {
        let cx = Context { path, config };
        if let Some(analysis) = unparsed(text, &cx) {
            // the parser's last text is no longer the last one analysed
            self.parser.forget_last();
            return analysis;
        }
        let parsed = self.parser.parse(text, &cx, unchanged);
        let diagnostics = match &parsed.plan {
            Some(plan) => rules::check(text, plan, config, related),
            None => Vec::new(),
        };
        Analysis {
            targeting: parsed.targeting,
            plan: parsed.plan,
            diagnostics,
        }
    }
}

/// The analysis of a document that is not parsed as a plan: the
/// configuration, a configured template, a document over the size limit.
fn unparsed(text: &str, cx: &Context<'_>) -> Option<Analysis> {
    let Context { path, config } = *cx;
    if let Some(path) = path.filter(|p| p.file_name().is_some_and(|n| n == FILE_NAME)) {
        Some(configuration_file(text, path, config))
    } else if let Some(source) = path.and_then(|p| config.template_at(p)) {
        Some(template_file(text, source, config))
    } else if text.len() > config.max_document_bytes {
        Some(too_large(text, cx))
    } else {
        None
    }
}

/// The plan a document is, resolved as [`Analyzer::analyze`] resolves it
/// but without running the rules: what the server needs to know of the
/// workspace's files that are not open.
pub fn plan_of(text: &str, path: &Path, config: &Config) -> Option<Plan> {
    let cx = Context {
        path: Some(path),
        config,
    };
    if unparsed(text, &cx).is_some() {
        return None;
    }
    Parser::default().parse(text, &cx, None).plan
}

/// Rounds of fix-then-reanalyse before giving up (a fix can make another).
const MAX_FIX_ROUNDS: usize = 10;

/// A document with every safe fix applied: what `plan-lsp fix` writes and
/// `source.fixAll.plan-lsp` offers.
#[derive(Debug)]
pub struct Fixed {
    pub text: String,
    /// The code of each fix applied.
    pub codes: Vec<Code>,
    /// The analysis of the fixed text, when any fix was applied.
    pub analysis: Option<Analysis>,
}

/// The fix applied in bulk for a diagnostic: its preferred safe fix, else
/// its first safe one.
pub fn safe_fix(d: &Diagnostic) -> Option<&crate::fix::Fix> {
    let safe = || {
        d.fixes
            .iter()
            .filter(|f| f.applicability == crate::fix::Applicability::Safe)
    };
    safe().find(|f| f.preferred).or_else(|| safe().next())
}

impl Analyzer {
    /// Applies the safe fixes of `analysis` (of `text`), re-analyses, and
    /// repeats until no safe fix is left: fixes that overlap wait for the
    /// next round, so the result never depends on how many fixes a round
    /// could take.
    pub fn fix_all(
        &mut self,
        text: &str,
        analysis: &Analysis,
        path: Option<&Path>,
        config: &Config,
        related: &Related,
    ) -> Fixed {
        let mut text = text.to_string();
        let mut codes = Vec::new();
        let mut latest: Option<Analysis> = None;
        for _ in 0..MAX_FIX_ROUNDS {
            let current = latest.as_ref().unwrap_or(analysis);
            let safe: Vec<(Code, &crate::fix::Fix)> = current
                .diagnostics
                .iter()
                .filter_map(|d| safe_fix(d).map(|f| (d.code, f)))
                .collect();
            let chosen = crate::fix::select(&text, safe.iter().map(|(_, f)| *f));
            if chosen.is_empty() {
                break;
            }
            let (next, _) = crate::fix::apply(&text, chosen.iter().copied());
            if next == text {
                break;
            }
            codes.extend(
                safe.iter()
                    .filter(|(_, f)| chosen.iter().any(|c| std::ptr::eq(*c, *f)))
                    .map(|(code, _)| *code),
            );
            text = next;
            latest = Some(self.analyze(&text, path, config, related));
        }
        Fixed {
            text,
            codes,
            analysis: latest,
        }
    }
}

/// Analyses one document on its own, without keeping a cache.
pub fn analyze(text: &str, path: Option<&Path>, config: &Config) -> Analysis {
    Analyzer::default().analyze(text, path, config, &Related::default())
}

/// `.plan-lsp.toml` open in the editor: what reading it says, placed at
/// the offending key (the CLI says the same and exits 2).
fn configuration_file(text: &str, path: &Path, config: &Config) -> Analysis {
    let findings = match Config::from_toml(text, &path.display().to_string(), path.parent()) {
        Ok(_) => Vec::new(),
        Err(e) => vec![Finding {
            code: Code::InvalidConfig,
            range: e
                .span
                .filter(|s| s.start <= s.end && s.end <= text.len())
                .filter(|s| text.is_char_boundary(s.start) && text.is_char_boundary(s.end))
                .unwrap_or_else(|| crate::text::line_content_range(text, 0)),
            message: e.message,
            fixes: Vec::new(),
        }],
    };
    Analysis {
        targeting: Targeting {
            by_title: false,
            kind: None,
            reason: format!("{FILE_NAME} is plan-lsp's configuration, checked as such"),
        },
        plan: None,
        diagnostics: rules::finish(findings, config.default_env.unwrap_or(Env::Staging), config),
    }
}

/// A configured template open in the editor: what reading it says, on the
/// line and column it is about (the CLI says the same and exits 2).
fn template_file(
    text: &str,
    source: &crate::schema::notation::KindSource,
    config: &Config,
) -> Analysis {
    let findings = match crate::schema::notation::read(source, text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| {
                // from the column (in characters) to the end of its line
                let (line_start, line_end) = crate::text::lines(text)
                    .nth(e.line.saturating_sub(1))
                    .map_or((0, 0), |(s, end, _)| (s, end));
                let start = text[line_start..line_end]
                    .char_indices()
                    .nth(e.column.saturating_sub(1))
                    .map_or(line_end, |(i, _)| line_start + i);
                Finding {
                    code: Code::InvalidTemplate,
                    range: start..line_end,
                    message: e.message,
                    fixes: Vec::new(),
                }
            })
            .collect(),
    };
    Analysis {
        targeting: Targeting {
            by_title: false,
            kind: None,
            reason: format!(
                "it is the template of the configured kind `{}`, checked as such",
                source.name
            ),
        },
        plan: None,
        diagnostics: rules::finish(findings, config.default_env.unwrap_or(Env::Staging), config),
    }
}

fn too_large(text: &str, cx: &Context<'_>) -> Analysis {
    let outline = model::outline::scan(text);
    let targeting = model::classify(text, &outline, cx);
    let diagnostics = if targeting.kind.is_some() {
        let finding = Finding {
            code: Code::DocumentTooLarge,
            range: crate::text::line_content_range(text, 0),
            message: format!(
                "this document is {} bytes, over the {}-byte limit, so it was not analysed (raise `max_document_bytes` to analyse it)",
                text.len(),
                cx.config.max_document_bytes
            ),
            fixes: Vec::new(),
        };
        rules::finish(
            vec![finding],
            cx.config.default_env.unwrap_or(Env::Staging),
            cx.config,
        )
    } else {
        Vec::new()
    };
    Analysis {
        targeting,
        plan: None,
        diagnostics,
    }
}
