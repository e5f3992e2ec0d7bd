//! Standard input as tower-lsp reads it, with every message checked first.
//! tower-lsp's reader stops for good at the first body that is not a
//! JSON-RPC message, which would end the server; here such a body is
//! logged and replaced by a notification tower-lsp ignores, and bytes that
//! are not a message header are skipped up to the next `Content-Length`.

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

/// What a discarded message becomes: a notification nobody handles.
const DISCARDED: &[u8] = br#"{"jsonrpc":"2.0","method":"$/plan-lsp/discarded"}"#;

/// What the input buffer keeps of its capacity between messages.
const KEPT_BUFFER: usize = 1 << 20;

/// Largest header block accepted before it is treated as garbage.
const MAX_HEADER: usize = 8 * 1024;

pub fn checked_stdin() -> impl AsyncRead {
    let (reader, mut writer) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        let mut stdin = tokio::io::stdin();
        let mut buffer: Vec<u8> = Vec::new();
        let mut chunk = vec![0u8; 1 << 16];
        loop {
            while let Some(frame) = next_frame(&mut buffer) {
                if writer.write_all(&frame).await.is_err() {
                    return;
                }
            }
            // a large message (a didOpen of a big document) grew the buffer:
            // give the memory back rather than keep it for good
            if buffer.capacity() > KEPT_BUFFER && buffer.len() <= KEPT_BUFFER {
                buffer.shrink_to(KEPT_BUFFER);
            }
            match stdin.read(&mut chunk).await {
                Ok(0) | Err(_) => return, // end of input: dropping the writer ends the reader
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
    });
    reader
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Takes the next complete message off `buffer`, re-framed, with its body
/// checked. `None` when more input is needed.
pub fn next_frame(buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    loop {
        let Some(header_end) = find(buffer, b"\r\n\r\n") else {
            if buffer.len() > MAX_HEADER {
                skip_to_next_header(buffer, 1);
            }
            return None;
        };
        let headers = String::from_utf8_lossy(&buffer[..header_end]).to_string();
        let length = headers.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        });
        let Some(length) = length else {
            eprintln!("plan-lsp: skipped input without a Content-Length header");
            skip_to_next_header(buffer, header_end + 4);
            continue;
        };
        let body_start = header_end + 4;
        if buffer.len() < body_start + length {
            return None;
        }
        let body = check(&buffer[body_start..body_start + length]);
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        drop(body);
        buffer.drain(..body_start + length);
        return Some(frame);
    }
}

/// Drops bytes up to the next `Content-Length` at or after `from`.
fn skip_to_next_header(buffer: &mut Vec<u8>, from: usize) {
    let from = from.min(buffer.len());
    let next = find(&buffer[from..], b"Content-Length").map_or(buffer.len(), |i| from + i);
    buffer.drain(..next);
}

/// A request or notification as the common case has it, read without
/// building its params (a `didOpen` carries the whole document).
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    jsonrpc: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    method: std::borrow::Cow<'a, str>,
    #[serde(default)]
    id: Option<Value>,
    params: Option<serde::de::IgnoredAny>,
}

/// Whether the body is a JSON-RPC request or notification that [`check`]
/// would pass on unchanged: its params present and not `null`, its id (if
/// any) a string or an integer, and not `initialize` (which it rewrites).
/// Anything else takes the full check.
fn passes_unchanged(body: &[u8]) -> bool {
    serde_json::from_slice::<Envelope<'_>>(body).is_ok_and(|e| {
        e.jsonrpc == "2.0"
            && e.method != "initialize"
            && e.params.is_some()
            && e.id
                .is_none_or(|id| id.is_string() || id.is_i64() || id.is_u64())
    })
}

/// The body to pass on: the message itself when it is a JSON-RPC message
/// (with a `null` params member removed, which tower-lsp would reject for
/// `shutdown` and `exit`), else a discarded notification.
fn check(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if passes_unchanged(body) {
        return body.into();
    }
    full_check(body).into()
}

fn full_check(body: &[u8]) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        eprintln!(
            "plan-lsp: discarded a message that is not JSON ({} bytes)",
            body.len()
        );
        return DISCARDED.to_vec();
    };
    let Some(object) = value.as_object_mut() else {
        eprintln!("plan-lsp: discarded a message that is not a JSON object");
        return DISCARDED.to_vec();
    };
    let version_ok = object.get("jsonrpc").and_then(Value::as_str) == Some("2.0");
    let id_ok = object
        .get("id")
        .is_none_or(|id| id.is_string() || id.is_i64() || id.is_u64() || id.is_null());
    let is_request = object.get("method").is_some_and(Value::is_string);
    let is_response = object.contains_key("id")
        && (object.contains_key("result") || object.contains_key("error"));
    if !version_ok || !id_ok || !(is_request || is_response) {
        eprintln!("plan-lsp: discarded a message that is not JSON-RPC 2.0");
        return DISCARDED.to_vec();
    }
    let mut changed = false;
    if object.get("params").is_some_and(Value::is_null) {
        object.remove("params");
        changed = true;
    }
    if object.get("method").and_then(Value::as_str) == Some("initialize") {
        changed |= spell_workspace_diagnostics(object);
    }
    if changed {
        return serde_json::to_vec(&value).unwrap_or_else(|_| DISCARDED.to_vec());
    }
    body.to_vec()
}

/// LSP 3.17 names the client capability `workspace.diagnostics`; the
/// lsp-types version tower-lsp 0.20 uses reads `workspace.diagnostic`, so
/// without this a client's refresh support (VS Code's) would go unseen.
fn spell_workspace_diagnostics(message: &mut serde_json::Map<String, Value>) -> bool {
    let Some(workspace) = message
        .get_mut("params")
        .and_then(|p| p.get_mut("capabilities"))
        .and_then(|c| c.get_mut("workspace"))
        .and_then(Value::as_object_mut)
    else {
        return false;
    };
    match (
        workspace.get("diagnostics").cloned(),
        workspace.contains_key("diagnostic"),
    ) {
        (Some(plural), false) => {
            workspace.insert("diagnostic".into(), plural);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    #[test]
    fn initialize_gets_the_capability_name_lsp_types_reads() {
        let body = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"workspace":{"diagnostics":{"refreshSupport":true}}}}}"#;
        let out: Value = serde_json::from_slice(&check(body)).unwrap();
        assert_eq!(
            out["params"]["capabilities"]["workspace"]["diagnostic"]["refreshSupport"],
            true
        );
    }

    #[test]
    fn the_quick_path_passes_on_what_the_full_check_passes_on() {
        let bodies = [
            r##"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.md","languageId":"markdown","version":1,"text":"# T\n\u00e9\"x\""}}}"##,
            r#"{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":"a","method":"x","params":[]}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"x","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"x","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":{},"method":"x","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"shutdown","params":null}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#,
            r#"{"jsonrpc":"1.0","method":"x","params":{}}"#,
            r#"{"jsonrpc":"2.0","method":7,"params":{}}"#,
            r#"{"jsonrpc":"2.0","method":"x","method":"y","params":{}}"#,
            r#"{"jsonrpc":"2.0","method":"x","params":{}} trailing"#,
            r#"{"jsonrpc":"2.0","id":3,"result":{"a":1}}"#,
            r#"{"jsonrpc":"2.0","method":"initialize","id":1,"params":{"capabilities":{}}}"#,
            r#"[1,2]"#,
        ];
        for body in bodies {
            let body = body.as_bytes();
            assert_eq!(
                String::from_utf8_lossy(&check(body)),
                String::from_utf8_lossy(&full_check(body)),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn passes_messages_and_replaces_garbage() {
        let mut buffer = Vec::new();
        buffer.extend(framed(
            r#"{"jsonrpc":"2.0","id":1,"method":"shutdown","params":null}"#,
        ));
        buffer.extend(framed("{not json"));
        buffer.extend(b"noise without a header\r\n\r\n");
        buffer.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#));
        buffer.extend(b"Content-Length: 40\r\n\r\n{\"jsonrpc\"");
        let frames: Vec<String> = std::iter::from_fn(|| next_frame(&mut buffer))
            .map(|f| String::from_utf8(f).unwrap())
            .collect();
        assert_eq!(frames.len(), 3);
        assert!(
            frames[0].ends_with(r#"{"id":1,"jsonrpc":"2.0","method":"shutdown"}"#),
            "{}",
            frames[0]
        );
        assert!(frames[1].ends_with("discarded\"}"));
        assert!(frames[2].ends_with(r#"{"jsonrpc":"2.0","method":"exit"}"#));
        // the incomplete message waits for the rest
        assert!(buffer.starts_with(b"Content-Length: 40"));
    }
}
