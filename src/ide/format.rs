//! Formatting: the Decision Validation box re-aligned so every right border
//! sits in one display column (CJK and emoji are two columns wide), and
//! checklist boxes normalised (`[X]` → `[x]`). Nothing else changes, and
//! formatting twice changes nothing.

use crate::fix::Edit;
use crate::model::Plan;

pub fn format(text: &str, plan: &Plan) -> Vec<Edit> {
    let mut edits = Vec::new();
    if let Some(block) = plan.record.as_ref().and_then(|r| r.box_range.clone()) {
        edits.extend(crate::edits::align_box(text, block));
    }
    for placed in plan.chunks.iter() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::config::Config;
    use crate::fix::{Fix, apply};
    use unicode_width::UnicodeWidthStr;

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
