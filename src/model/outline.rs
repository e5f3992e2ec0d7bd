//! The cheap first pass: a line scan that finds front matter and the ATX
//! headings outside fenced code blocks, and cuts the text into chunks, one
//! per heading (plus the preamble before the first heading). Each chunk is
//! then parsed on its own, so an edit re-parses only the chunk it touches.

use crate::text::lines;
use std::ops::Range;

/// Front matter at the very start of a document (`---` … `---`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontMatter {
    pub range: Range<usize>,
    /// `key: value` lines, keys lower-cased.
    pub entries: Vec<(String, String)>,
}

impl FrontMatter {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A chunk of the document: a heading line and everything up to the next
/// heading, or the preamble (`level == 0`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkSpan {
    pub range: Range<usize>,
    pub level: u8,
}

#[derive(Clone, Debug, Default)]
pub struct Outline {
    pub front_matter: Option<FrontMatter>,
    pub chunks: Vec<ChunkSpan>,
}

impl Outline {
    /// Where the body starts: after the front matter.
    pub fn body_start(&self) -> usize {
        self.front_matter.as_ref().map_or(0, |f| f.range.end)
    }
}

/// The level of an ATX heading line (`## Title`), if it is one.
pub fn atx_level(line: &str) -> Option<u8> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    match rest.as_bytes().get(hashes) {
        None | Some(b' ') | Some(b'\t') => Some(hashes as u8),
        _ => None,
    }
}

/// An open fenced code block: its character and length.
#[derive(Clone, Copy, Debug)]
pub struct Fence {
    ch: u8,
    len: usize,
}

/// If `line` opens a fenced code block, the fence.
pub fn fence_open(line: &str) -> Option<Fence> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let ch = *trimmed.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = trimmed.len() - trimmed.trim_start_matches(ch as char).len();
    if len < 3 {
        return None;
    }
    if ch == b'`' && trimmed[len..].contains('`') {
        return None;
    }
    Some(Fence { ch, len })
}

/// Whether `line` closes the fenced block opened by `fence`.
pub fn fence_closes(fence: Fence, line: &str) -> bool {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return false;
    }
    let len = trimmed.len() - trimmed.trim_start_matches(fence.ch as char).len();
    len >= fence.len && trimmed[len..].trim().is_empty()
}

pub fn scan(text: &str) -> Outline {
    let front_matter = front_matter(text);
    let body_start = front_matter.as_ref().map_or(0, |f| f.range.end);
    let (chunks, _) = scan_chunks(text, body_start, |_| false);
    Outline {
        front_matter,
        chunks,
    }
}

/// The chunks from `from` on: `from` is where the body starts, or the start
/// of a heading line outside any fenced block (where the scan is in the same
/// state as at the body's start). Before each heading the scan
/// asks `resume(at)` whether the rest from `at` is already known (the caller
/// knows it to be the same text as before, cut the same way): then it stops,
/// the chunks found end at `at`, and `at` is returned.
pub fn scan_chunks(
    text: &str,
    from: usize,
    mut resume: impl FnMut(usize) -> bool,
) -> (Vec<ChunkSpan>, Option<usize>) {
    // the preamble before the first heading (`from` is body_start), or an
    // empty stand-in for it when `from` is a heading
    let mut chunks = vec![ChunkSpan {
        range: from..text.len(),
        level: 0,
    }];
    let mut resumed = None;
    let mut fence: Option<Fence> = None;
    for (start, end, _) in lines(&text[from..]) {
        let line = &text[from + start..from + end];
        if let Some(f) = fence {
            if fence_closes(f, line) {
                fence = None;
            }
            continue;
        }
        if let Some(f) = fence_open(line) {
            fence = Some(f);
            continue;
        }
        if let Some(level) = atx_level(line) {
            let at = from + start;
            chunks
                .last_mut()
                .expect("chunks starts non-empty")
                .range
                .end = at;
            if resume(at) {
                resumed = Some(at);
                break;
            }
            chunks.push(ChunkSpan {
                range: at..text.len(),
                level,
            });
        }
    }
    if chunks[0].range.is_empty() && (chunks.len() > 1 || resumed.is_some()) {
        chunks.remove(0);
    }
    (chunks, resumed)
}

/// The front matter, when the text starts with one.
pub fn front_matter(text: &str) -> Option<FrontMatter> {
    let mut it = lines(text);
    let (_, first_end, _) = it.next()?;
    if text[..first_end].trim_end() != "---" {
        return None;
    }
    let mut entries = Vec::new();
    for (start, end, next) in it {
        let line = &text[start..end];
        if line.trim_end() == "---" || line.trim_end() == "..." {
            return Some(FrontMatter {
                range: 0..next,
                entries,
            });
        }
        if let Some((k, v)) = line.split_once(':')
            && !k.starts_with([' ', '\t', '-', '#'])
        {
            let v = v.trim().trim_matches(['"', '\'']).to_string();
            entries.push((k.trim().to_lowercase(), v));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_split_at_headings_outside_fences() {
        let text = "intro\n# T\n```\n## not\n```\n## A\ntext\n   ### B\n    ## code\n";
        let o = scan(text);
        let got: Vec<(&str, u8)> = o
            .chunks
            .iter()
            .map(|c| (text[c.range.clone()].lines().next().unwrap(), c.level))
            .collect();
        assert_eq!(
            got,
            vec![("intro", 0), ("# T", 1), ("## A", 2), ("   ### B", 3)]
        );
        assert_eq!(o.chunks.last().unwrap().range.end, text.len());
    }

    #[test]
    fn front_matter_is_read_and_excluded() {
        let text = "---\nplan: deployment\ntitle: \"x\"\n---\n# Deployment Plan\n";
        let o = scan(text);
        let fm = o.front_matter.unwrap();
        assert_eq!(fm.get("plan"), Some("deployment"));
        assert_eq!(o.chunks[0].range.start, fm.range.end);
        assert_eq!(o.chunks.len(), 1);
    }

    #[test]
    fn heading_detection() {
        assert_eq!(atx_level("## Hosting"), Some(2));
        assert_eq!(atx_level("#"), Some(1));
        assert_eq!(atx_level("#hashtag"), None);
        assert_eq!(atx_level("####### seven"), None);
        assert_eq!(atx_level("    # code"), None);
    }

    #[test]
    fn crlf_and_cr_lines() {
        let text = "# A\r\nx\r## B\ry";
        let o = scan(text);
        assert_eq!(o.chunks.len(), 2);
        assert_eq!(&text[o.chunks[1].range.clone()], "## B\ry");
    }
}
