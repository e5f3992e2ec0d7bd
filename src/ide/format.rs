//! Formatting: the Decision Validation box re-aligned so every right border
//! sits in one display column (CJK and emoji are two columns wide), and
//! checklist boxes normalised (`[X]` → `[x]`). Nothing else changes, and
//! formatting twice changes nothing.

use std::ops::Range;

use unicode_width::UnicodeWidthStr;

use crate::fix::{Edit, is_box_char};
use crate::model::Plan;
use crate::model::outline::lines;

pub fn format(text: &str, plan: &Plan) -> Vec<Edit> {
    let mut edits = Vec::new();
    if let Some(block) = plan.record.as_ref().and_then(|r| r.box_range.clone()) {
        edits.extend(align_box(text, block));
    }
    for placed in &plan.chunks {
        walk_tasks(&placed.chunk.items, &mut |task| {
            let r = task.span.at(placed.base);
            if &text[r.clone()] == "[X]" {
                edits.push(Edit::replace(r, "[x]"));
            }
        });
    }
    edits.sort_by_key(|e| e.range.start);
    edits
}

fn walk_tasks(
    items: &[crate::model::chunk::Item],
    f: &mut impl FnMut(&crate::model::chunk::TaskBox),
) {
    for item in items {
        if let Some(t) = &item.task {
            f(t);
        }
        walk_tasks(&item.children, f);
    }
}

/// One line of the box: its range, the part before the right border
/// (trailing spaces dropped), and the border.
struct BoxLine {
    range: Range<usize>,
    body: String,
    border: char,
    /// A rule such as `┌────┐` or `├────┤`: drawn to the width, not padded.
    rule: Option<char>,
}

fn align_box(text: &str, block: Range<usize>) -> Vec<Edit> {
    let mut box_lines: Vec<BoxLine> = Vec::new();
    for (s, e, _) in lines(&text[block.clone()]) {
        let range = block.start + s..block.start + e;
        let line = text[range.clone()].trim_end();
        let Some(border) = line.chars().next_back().filter(|c| is_box_char(*c)) else {
            continue;
        };
        let body = line[..line.len() - border.len_utf8()].trim_end_matches(' ');
        let inner = body.trim_start();
        let left = inner.chars().next();
        let is_rule = !inner.is_empty()
            && inner
                .chars()
                .skip(1)
                .all(|c| c == '─' || c == '━' || c == '═')
            && left.is_some_and(is_box_char)
            && inner.chars().count() > 1;
        let rule = is_rule.then(|| inner.chars().nth(1).unwrap_or('─'));
        box_lines.push(BoxLine {
            range,
            body: body.to_string(),
            border,
            rule,
        });
    }
    // The right borders go one column after the widest content (with a
    // space), and never further left than the widest rule already reaches.
    let content = box_lines
        .iter()
        .filter(|l| l.rule.is_none())
        .map(|l| l.body.width() + 1)
        .max()
        .unwrap_or(0);
    let rules = box_lines
        .iter()
        .filter(|l| l.rule.is_some())
        .map(|l| l.body.trim_end_matches(['─', '━', '═']).width() + 1)
        .max()
        .unwrap_or(0);
    let widest_rule = box_lines
        .iter()
        .filter(|l| l.rule.is_some())
        .map(|l| l.body.width())
        .max()
        .unwrap_or(0);
    let column = content.max(rules).max(widest_rule);
    let mut edits = Vec::new();
    for l in box_lines {
        let new = match l.rule {
            Some(fill) => {
                let head = l.body.trim_end_matches(fill);
                let fill_count = column.saturating_sub(head.width());
                format!("{head}{}{}", fill.to_string().repeat(fill_count), l.border)
            }
            None => format!(
                "{}{}{}",
                l.body,
                " ".repeat(column - l.body.width()),
                l.border
            ),
        };
        if new != text[l.range.clone()] {
            edits.push(Edit::replace(l.range, new));
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::config::Config;
    use crate::fix::{Fix, apply};

    fn formatted(text: &str) -> String {
        let a = analyze(text, None, &Config::default());
        let edits = format(text, a.plan.as_ref().unwrap());
        apply(text, [&Fix::safe("", edits)]).0
    }

    #[test]
    fn aligns_a_box_with_wide_characters_and_is_idempotent() {
        let text = "# Deployment Plan\n\n## Decision Validation\n\n```\n┌──────────────────────┐\n│ Risk: High │\n│ Mitigations: 高可用 and 🚀 │\n├──────────────────────┤\n│ Recommendation: Proceed with Caution │\n└──────────────────────┘\n```\n\n- [X] Done\n";
        let once = formatted(text);
        let widths: Vec<usize> = once
            .lines()
            .filter(|l| l.starts_with(['┌', '│', '├', '└']))
            .map(|l| l.width())
            .collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{once}");
        assert!(once.contains("- [x] Done"));
        assert_eq!(formatted(&once), once);
        // only the box and the checkbox changed
        assert_eq!(once.lines().count(), text.lines().count());
    }
}
