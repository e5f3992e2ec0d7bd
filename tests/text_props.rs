//! Random edit sequences, addressed in UTF-8 and in UTF-16 positions, keep
//! the rope equal to a plain `String` edited by an independent model.

use plan_lsp::fuzzing::{model_offset, model_position};
use plan_lsp::text::{Document, Encoding, Position, PositionRange};
use proptest::prelude::*;

fn piece() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "│", "🚀", "高", "é", "\n", "\r\n", "\r", " ", "- ", "#", "\u{2028}",
        ]),
        0..6,
    )
    .prop_map(|v| v.concat())
}

#[derive(Debug, Clone)]
struct EditOp {
    start: (u32, u32),
    end: (u32, u32),
    text: String,
    utf16: bool,
}

fn edit() -> impl Strategy<Value = EditOp> {
    (0u32..8, 0u32..12, 0u32..8, 0u32..12, piece(), any::<bool>()).prop_map(
        |(l1, c1, l2, c2, text, utf16)| EditOp {
            start: (l1, c1),
            end: (l2, c2),
            text,
            utf16,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn edits_keep_rope_and_string_equal(initial in piece(), edits in prop::collection::vec(edit(), 1..40)) {
        let mut doc = Document::new(&initial);
        let mut model = initial.clone();
        for e in edits {
            let enc = if e.utf16 { Encoding::Utf16 } else { Encoding::Utf8 };
            let start = Position::new(e.start.0, e.start.1);
            let end = Position::new(e.end.0, e.end.1);
            let a = model_offset(&model, start, enc);
            let b = model_offset(&model, end, enc);
            let (a, b) = (a.min(b), a.max(b));
            model.replace_range(a..b, &e.text);
            doc.apply_change(Some(PositionRange { start, end }), &e.text, enc);
            prop_assert_eq!(doc.text(), model.clone());
        }
        // and every offset converts to the same position both ways (an
        // offset between the \r and \n of a line break is no position)
        let inside_crlf = |o: usize| o > 0 && model.as_bytes()[o - 1] == b'\r' && model.as_bytes().get(o) == Some(&b'\n');
        for (offset, _) in model.char_indices().chain(std::iter::once((model.len(), ' '))).filter(|(o, _)| !inside_crlf(*o)) {
            for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let p = doc.offset_to_position(offset, enc);
                prop_assert_eq!(p, model_position(&model, offset, enc));
                prop_assert_eq!(doc.position_to_offset(p, enc), offset);
            }
        }
    }
}
