//! Conversions between the core's types (byte ranges) and LSP's (positions
//! in the negotiated encoding). Every conversion goes through the snapshot's
//! rope, so positions are right for the exact text that was analysed.

use serde_json::json;

use super::lsp;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Applicability, Edit, Fix};
use crate::ide::actions::{Action, ActionKind};
use crate::ide::completion::{CompletionItem, FINISH_COMPLETION, ItemKind};
use crate::text::{Document, Encoding, Position, PositionRange};

pub const SOURCE: &str = "plan-lsp";
pub const KIND_FIX_ALL: &str = "source.fixAll.plan-lsp";
pub const KIND_INSERT: &str = "source.plan-lsp.insert";

pub fn position(p: lsp::Position) -> Position {
    Position::new(p.line, p.character)
}

pub fn to_lsp_position(p: Position) -> lsp::Position {
    lsp::Position::new(p.line, p.character)
}

pub fn range(doc: &Document, r: std::ops::Range<usize>, enc: Encoding) -> lsp::Range {
    let p = doc.range_to_positions(r, enc);
    lsp::Range::new(to_lsp_position(p.start), to_lsp_position(p.end))
}

pub fn from_range(r: lsp::Range) -> PositionRange {
    PositionRange {
        start: position(r.start),
        end: position(r.end),
    }
}

pub fn offsets(doc: &Document, r: lsp::Range, enc: Encoding) -> std::ops::Range<usize> {
    let a = doc.position_to_offset(position(r.start), enc);
    let b = doc.position_to_offset(position(r.end), enc);
    a.min(b)..a.max(b)
}

/// An edit as LSP sends it, trimmed to the characters that change: a fix
/// that rewrites a line sends only what differs, so text it keeps (a
/// secret on that line, say) is not sent back.
pub fn text_edit(doc: &Document, e: &Edit, enc: Encoding) -> lsp::TextEdit {
    let old = doc.slice(e.range.clone());
    exact_text_edit(doc, &crate::fix::minimal(&old, e), enc)
}

/// An edit as LSP sends it, its range as it is (a completion's range must
/// start where the typed word starts).
pub fn exact_text_edit(doc: &Document, e: &Edit, enc: Encoding) -> lsp::TextEdit {
    lsp::TextEdit {
        range: range(doc, e.range.clone(), enc),
        new_text: e.new_text.clone(),
    }
}

fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

fn fix_data(doc: &Document, f: &Fix, enc: Encoding) -> serde_json::Value {
    json!({
        "title": f.title,
        "applicability": match f.applicability { Applicability::Safe => "safe", Applicability::Unsafe => "unsafe" },
        "preferred": f.preferred,
        "edits": f.edits.iter().map(|e| text_edit(doc, e, enc)).collect::<Vec<_>>(),
    })
}

pub fn diagnostic(doc: &Document, d: &Diagnostic, enc: Encoding) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: range(doc, d.range.clone(), enc),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        code_description: lsp::Url::parse(&d.code.doc_url())
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: d.message.clone(),
        related_information: None,
        tags: None,
        data: Some(json!({
            "code": d.code.as_str(),
            "fixes": d.fixes.iter().map(|f| fix_data(doc, f, enc)).collect::<Vec<_>>(),
        })),
    }
}

/// How a client wants edits and documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientStyle {
    pub encoding: Option<Encoding>,
    pub document_changes: bool,
    pub markdown_completion: bool,
    pub markdown_hover: bool,
}

impl ClientStyle {
    pub fn enc(&self) -> Encoding {
        self.encoding.unwrap_or(Encoding::Utf16)
    }
}

pub fn workspace_edit(
    doc: &Document,
    uri: &lsp::Url,
    version: i32,
    edits: &[Edit],
    style: ClientStyle,
) -> lsp::WorkspaceEdit {
    let edits: Vec<lsp::TextEdit> = edits
        .iter()
        .map(|e| text_edit(doc, e, style.enc()))
        .collect();
    if style.document_changes {
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        lsp::WorkspaceEdit {
            changes: Some([(uri.clone(), edits)].into_iter().collect()),
            ..Default::default()
        }
    }
}

pub fn action_kind(kind: ActionKind) -> lsp::CodeActionKind {
    match kind {
        ActionKind::QuickFix => lsp::CodeActionKind::QUICKFIX,
        ActionKind::FixAll => lsp::CodeActionKind::from(KIND_FIX_ALL),
        ActionKind::Insert => lsp::CodeActionKind::from(KIND_INSERT),
        ActionKind::Rewrite => lsp::CodeActionKind::REFACTOR_REWRITE,
    }
}

/// Whether an action's kind is among the kinds the client asked for
/// (`only`): equal, or a sub-kind (`source.fixAll.plan-lsp` of `source`).
pub fn kind_wanted(kind: &lsp::CodeActionKind, only: Option<&[lsp::CodeActionKind]>) -> bool {
    let Some(only) = only else { return true };
    let k = kind.as_str();
    only.iter().any(|o| {
        let o = o.as_str();
        k == o || (k.starts_with(o) && k.as_bytes().get(o.len()) == Some(&b'.'))
    })
}

pub fn code_action(
    doc: &Document,
    uri: &lsp::Url,
    version: i32,
    action: &Action,
    diagnostics: &[lsp::Diagnostic],
    style: ClientStyle,
) -> lsp::CodeAction {
    lsp::CodeAction {
        title: action.title.clone(),
        kind: Some(action_kind(action.kind)),
        diagnostics: (!action.diagnostics.is_empty()).then(|| {
            action
                .diagnostics
                .iter()
                .filter_map(|&i| diagnostics.get(i).cloned())
                .collect()
        }),
        edit: Some(workspace_edit(doc, uri, version, &action.edits, style)),
        command: None,
        is_preferred: action.preferred.then_some(true),
        disabled: None,
        data: None,
    }
}

fn markup(value: String, markdown: bool) -> lsp::MarkupContent {
    if markdown {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value,
        }
    } else {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::PlainText,
            value: plain_text(&value),
        }
    }
}

/// The core's Markdown docs for a client that shows text as it is: strong
/// and emphasis markers and code backticks dropped.
fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let chars: Vec<char> = markdown.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let marker = match c {
            '`' => true,
            '*' => !(before == Some(' ') && after == Some(' ')),
            // `_` inside a word (snake_case) is text
            '_' => !(word(before) && word(after)),
            _ => false,
        };
        if !marker {
            out.push(c);
        }
    }
    out
}

/// A completion item; literal text is escaped when the client takes
/// snippets, and an item that changes text after the cursor runs the
/// server's finishing command once inserted.
pub fn completion_item(
    doc: &Document,
    uri: &lsp::Url,
    item: &CompletionItem,
    style: ClientStyle,
    snippets: bool,
) -> lsp::CompletionItem {
    let kind = match item.kind {
        ItemKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
        ItemKind::Field => lsp::CompletionItemKind::FIELD,
        ItemKind::ChecklistItem => lsp::CompletionItemKind::VALUE,
        ItemKind::Section => lsp::CompletionItemKind::MODULE,
        ItemKind::Template => lsp::CompletionItemKind::SNIPPET,
    };
    let mut edit = exact_text_edit(doc, &item.edit, style.enc());
    if snippets && !item.snippet {
        edit.new_text = crate::ide::completion::snippet_escape(&edit.new_text);
    }
    let command = item.finish.as_ref().map(|f| {
        let (change, text) = f.change();
        lsp::Command {
            title: "Finish the completion".to_string(),
            command: FINISH_COMPLETION.to_string(),
            arguments: Some(vec![
                json!(uri.as_str()),
                json!({
                    "line": doc.offset_to_position(f.line_start, style.enc()).line,
                    "fingerprint": crate::ide::completion::line_fingerprint(&f.inserted).to_string(),
                    "start": change.start,
                    "end": change.end,
                    "text": text,
                }),
            ]),
        }
    });
    lsp::CompletionItem {
        label: item.label.clone(),
        kind: Some(kind),
        detail: item.detail.clone(),
        documentation: Some(lsp::Documentation::MarkupContent(markup(
            item.documentation.clone(),
            style.markdown_completion,
        ))),
        sort_text: Some(item.sort_text.clone()),
        filter_text: item.filter_text.clone(),
        insert_text_format: Some(if snippets {
            lsp::InsertTextFormat::SNIPPET
        } else {
            lsp::InsertTextFormat::PLAIN_TEXT
        }),
        text_edit: Some(lsp::CompletionTextEdit::Edit(edit)),
        command,
        ..Default::default()
    }
}

pub fn hover(doc: &Document, h: &crate::ide::hover::Hover, style: ClientStyle) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(markup(h.contents.clone(), style.markdown_hover)),
        range: Some(range(doc, h.range.clone(), style.enc())),
    }
}

pub fn symbol(
    doc: &Document,
    s: &crate::ide::structure::Symbol,
    enc: Encoding,
) -> lsp::DocumentSymbol {
    use crate::ide::structure::SymbolKind as K;
    #[allow(deprecated)]
    lsp::DocumentSymbol {
        name: if s.name.is_empty() {
            "(untitled)".into()
        } else {
            s.name.clone()
        },
        detail: s.detail.clone(),
        kind: match s.kind {
            K::Section => lsp::SymbolKind::NAMESPACE,
            K::Checklist => lsp::SymbolKind::ARRAY,
            K::Field => lsp::SymbolKind::PROPERTY,
        },
        tags: None,
        deprecated: None,
        range: range(doc, s.range.clone(), enc),
        selection_range: range(doc, s.selection.clone(), enc),
        children: Some(s.children.iter().map(|c| symbol(doc, c, enc)).collect()),
    }
}

pub fn fold(doc: &Document, f: &crate::ide::structure::Fold, enc: Encoding) -> lsp::FoldingRange {
    let r = range(doc, f.range.clone(), enc);
    lsp::FoldingRange {
        start_line: r.start.line,
        start_character: None,
        end_line: r.end.line,
        end_character: None,
        kind: Some(lsp::FoldingRangeKind::Region),
        collapsed_text: None,
    }
}

pub fn link(
    doc: &Document,
    l: &crate::ide::structure::Link,
    enc: Encoding,
) -> Option<lsp::DocumentLink> {
    Some(lsp::DocumentLink {
        range: range(doc, l.range.clone(), enc),
        target: lsp::Url::parse(&l.target).ok(),
        tooltip: None,
        data: None,
    })
}

pub fn lens(
    doc: &Document,
    uri: &lsp::Url,
    l: &crate::ide::workflow::Lens,
    enc: Encoding,
) -> lsp::CodeLens {
    lsp::CodeLens {
        range: range(doc, l.range.clone(), enc),
        command: Some(lsp::Command {
            title: l.title.clone(),
            command: l.command.unwrap_or_default().to_string(),
            arguments: l
                .command
                .map(|_| vec![serde_json::Value::String(uri.to_string())]),
        }),
        data: None,
    }
}
