//! The one analysis entry point the CLI and the server share: text in,
//! targeting, plan and diagnostics out.

use std::path::Path;

use crate::config::Config;
use crate::model::chunk::ChunkCache;
use crate::model::target::Targeting;
use crate::model::{self, Context, Plan};
use crate::rules::{self, Code, Diagnostic, Finding};
use crate::schema::Env;
use crate::workspace::Related;

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

/// Analyses documents, keeping parsed chunks between calls so that
/// re-analysing an edited document re-parses only what changed. One per
/// document.
#[derive(Default)]
pub struct Analyzer {
    cache: ChunkCache,
}

impl Analyzer {
    /// Analyses one version of a document; `related` carries what other
    /// files say (the environment of a status document's plan).
    pub fn analyze(
        &mut self,
        text: &str,
        path: Option<&Path>,
        config: &Config,
        related: &Related,
    ) -> Analysis {
        let cx = Context { path, config };
        if text.len() > config.max_document_bytes {
            return too_large(text, &cx);
        }
        let parsed = model::parse(text, &cx, &mut self.cache);
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

/// Analyses one document on its own, without keeping a cache.
pub fn analyze(text: &str, path: Option<&Path>, config: &Config) -> Analysis {
    Analyzer::default().analyze(text, path, config, &Related::default())
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
