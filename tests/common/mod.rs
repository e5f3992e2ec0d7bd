//! A small LSP client that speaks to the real `plan-lsp` binary over its
//! stdio, for the integration tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_plan-lsp"))
}

pub fn example(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(path)
}

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages received while waiting for something else.
    backlog: Vec<Value>,
    next_id: i64,
    pub encoding: String,
    /// How this client answers `window/showMessageRequest`: the action with
    /// this title, or a dismissal (null) when `None` or not offered.
    pub answer: Option<String>,
}

/// Client capabilities: which position encodings it offers and whether it
/// pulls diagnostics.
#[derive(Clone)]
pub struct Caps {
    pub encodings: Vec<&'static str>,
    pub pull: bool,
    pub snippets: bool,
    pub init_options: Value,
    pub root: Option<PathBuf>,
    /// The client takes `workspace/codeLens/refresh`.
    pub lens_refresh: bool,
    /// The client takes server-initiated work-done progress.
    pub progress: bool,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            encodings: vec!["utf-16"],
            pull: false,
            snippets: true,
            init_options: Value::Null,
            root: None,
            lens_refresh: false,
            progress: false,
        }
    }
}

impl Client {
    /// Starts the server without initializing it.
    pub fn spawn() -> Client {
        let mut child = Command::new(binary())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        length = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("the server sends JSON");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            incoming: rx,
            backlog: Vec::new(),
            next_id: 1,
            encoding: "utf-16".into(),
            answer: None,
        }
    }

    /// Starts and initializes the server.
    pub fn start(caps: Caps) -> Client {
        let mut c = Client::spawn();
        let root_uri = caps.root.as_ref().map(|p| file_uri(p));
        let mut text_document = json!({
            "synchronization": {"dynamicRegistration": false},
            "completion": {"completionItem": {"snippetSupport": caps.snippets, "documentationFormat": ["markdown", "plaintext"]}},
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "publishDiagnostics": {"versionSupport": true},
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source", "refactor"]}}},
        });
        if caps.pull {
            text_document["diagnostic"] = json!({"dynamicRegistration": false});
        }
        let result = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "capabilities": {
                    "general": {"positionEncodings": caps.encodings},
                    "window": {"workDoneProgress": caps.progress},
                    "textDocument": text_document,
                    "workspace": {
                        "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]},
                        "diagnostics": {"refreshSupport": true},
                        "didChangeWatchedFiles": {"dynamicRegistration": true},
                        "codeLens": {"refreshSupport": caps.lens_refresh},
                    },
                },
                "initializationOptions": caps.init_options,
            }),
        );
        c.encoding = result["result"]["capabilities"]["positionEncoding"]
            .as_str()
            .unwrap_or("utf-16")
            .to_string();
        c.notify("initialized", json!({}));
        c
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("serialisable");
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("write header");
        stdin.write_all(&body).expect("write body");
        stdin.flush().expect("flush");
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", bytes.len()).expect("write header");
        stdin.write_all(bytes).expect("write body");
        stdin.flush().expect("flush");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
            .unwrap_or_else(|| panic!("no response to {method}"))
    }

    /// Waits for a message matching `pred`, answering the server's own
    /// requests (configuration, refresh) on the way.
    pub fn wait_for(&mut self, pred: impl FnMut(&Value) -> bool) -> Option<Value> {
        self.wait_for_within(TIMEOUT, pred)
    }

    /// [`Client::wait_for`] with its own time limit.
    pub fn wait_for_within(
        &mut self,
        limit: Duration,
        mut pred: impl FnMut(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(i) = self.backlog.iter().position(&mut pred) {
            return Some(self.backlog.remove(i));
        }
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(m) => {
                    if m.get("method").is_some() && m.get("id").is_some() {
                        // a request from the server: apply edits, else null
                        let id = m["id"].clone();
                        let result = match m["method"].as_str() {
                            Some("workspace/applyEdit") => json!({"applied": true}),
                            Some("window/showMessageRequest") => {
                                let offered = m["params"]["actions"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .filter_map(|a| a["title"].as_str())
                                    .any(|t| Some(t) == self.answer.as_deref());
                                match &self.answer {
                                    Some(title) if offered => json!({"title": title}),
                                    _ => Value::Null,
                                }
                            }
                            _ => Value::Null,
                        };
                        self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
                    }
                    if pred(&m) {
                        return Some(m);
                    }
                    self.backlog.push(m);
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    return None;
                }
            }
        }
    }

    /// Collects everything that arrives within `d`.
    pub fn drain(&mut self, d: Duration) -> Vec<Value> {
        let deadline = Instant::now() + d;
        let mut out = std::mem::take(&mut self.backlog);
        while let Ok(m) = self
            .incoming
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            out.push(m);
        }
        out
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, uri: &str, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// The pushed diagnostics for `uri` at `version`.
    pub fn pushed(&mut self, uri: &str, version: i64) -> Vec<Value> {
        self.pushed_within(TIMEOUT, uri, version)
    }

    /// [`Client::pushed`] with its own time limit.
    pub fn pushed_within(&mut self, limit: Duration, uri: &str, version: i64) -> Vec<Value> {
        let m = self
            .wait_for_within(limit, |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && m["params"]["version"] == json!(version)
            })
            .unwrap_or_else(|| panic!("no diagnostics for {uri} version {version}"));
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The pulled diagnostics for `uri`.
    pub fn pulled(&mut self, uri: &str) -> Vec<Value> {
        let r = self.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        );
        r["result"]["items"].as_array().cloned().unwrap_or_default()
    }

    /// The server's peak resident set size (Linux), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    pub fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn shutdown_and_exit(mut self) -> std::process::ExitStatus {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        self.stdin.take();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit after `exit`"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn file_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).expect("absolute path");
    format!("file://{}", abs.display()).replace(' ', "%20")
}

/// `(code, start line, start character)` of each diagnostic.
pub fn summary(diagnostics: &[Value]) -> Vec<(String, u64, u64)> {
    let mut out: Vec<(String, u64, u64)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
                d["range"]["start"]["character"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    out.sort();
    out
}

/// Applies LSP text edits (in the given encoding) to a text, as a client would.
pub fn apply_edits(text: &str, edits: &[Value], encoding: &str) -> String {
    let mut resolved: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let start = offset(text, &e["range"]["start"], encoding);
            let end = offset(text, &e["range"]["end"], encoding);
            (
                start,
                end,
                e["newText"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    resolved.sort_by_key(|(s, e, _)| (*s, *e));
    let mut out = text.to_string();
    for (s, e, new) in resolved.into_iter().rev() {
        out.replace_range(s..e, &new);
    }
    out
}

/// A byte offset from an LSP position, computed independently of the server.
pub fn offset(text: &str, pos: &Value, encoding: &str) -> usize {
    let line = pos["line"].as_u64().unwrap_or(0) as usize;
    let character = pos["character"].as_u64().unwrap_or(0) as usize;
    let mut starts = vec![0];
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            starts.push(i + 2);
            i += 2;
            continue;
        }
        if b[i] == b'\n' || b[i] == b'\r' {
            starts.push(i + 1);
        }
        i += 1;
    }
    let Some(&start) = starts.get(line) else {
        return text.len();
    };
    let end = text[start..]
        .find(['\n', '\r'])
        .map_or(text.len(), |e| start + e);
    let mut units = 0;
    for (o, ch) in text[start..end].char_indices() {
        if units >= character {
            return start + o;
        }
        units += match encoding {
            "utf-8" => ch.len_utf8(),
            "utf-32" => 1,
            _ => ch.len_utf16(),
        };
    }
    end
}

/// The edits of a code action's WorkspaceEdit for one document.
pub fn action_edits(action: &Value) -> Vec<Value> {
    let edit = &action["edit"];
    if let Some(changes) = edit["documentChanges"].as_array() {
        return changes
            .iter()
            .flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default())
            .collect();
    }
    edit["changes"]
        .as_object()
        .map(|m| {
            m.values()
                .flat_map(|v| v.as_array().cloned().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

/// The LSP position of the first occurrence of `needle` (plus `delta`
/// bytes) in `text`.
pub fn position_of(text: &str, needle: &str, delta: usize, encoding: &str) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in text"))
        + delta;
    let line = text[..at].matches('\n').count();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[line_start..at]
        .chars()
        .map(|c| match encoding {
            "utf-8" => c.len_utf8(),
            _ => c.len_utf16(),
        })
        .sum();
    json!({"line": line, "character": character})
}

/// The text a snippet inserts, as an editor expands it: escapes resolved,
/// a choice's first option and a placeholder's default kept, `$0` dropped.
pub fn expand_snippet(snippet: &str) -> String {
    let mut out = String::new();
    let mut chars = snippet.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                let body: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let body = body.trim_start_matches(|c: char| c.is_ascii_digit());
                if let Some(choices) = body.strip_prefix('|') {
                    out.push_str(choices.split(',').next().unwrap_or_default());
                } else if let Some(default) = body.strip_prefix(':') {
                    out.push_str(default);
                }
            }
            '$' => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    out
}

impl Client {
    /// Accepts a completion item requested at `cursor` the way an editor
    /// does: its text (a snippet expanded) replaces its range, which must end
    /// at the cursor (Neovim replaces nothing after it); the change is sent;
    /// then the item's command runs and the edit the server asks for with
    /// `workspace/applyEdit` is applied and sent too. Returns the new text
    /// and version.
    pub fn accept(
        &mut self,
        uri: &str,
        text: &str,
        version: i32,
        cursor: &Value,
        item: &Value,
    ) -> (String, i32) {
        let mut edit = item["textEdit"].clone();
        assert_eq!(
            &edit["range"]["end"], cursor,
            "the completion range ends at the cursor: {item}"
        );
        assert_eq!(
            edit["range"]["start"]["line"], cursor["line"],
            "the completion range is on the cursor's line: {item}"
        );
        if item["insertTextFormat"] == 2 {
            edit["newText"] = json!(expand_snippet(edit["newText"].as_str().unwrap_or_default()));
        }
        let mut text = apply_edits(text, std::slice::from_ref(&edit), &self.encoding);
        let mut version = version + 1;
        self.change(
            uri,
            version,
            json!([{"range": edit["range"], "text": edit["newText"]}]),
        );
        let command = &item["command"];
        if command.is_null() {
            return (text, version);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.send(
            &json!({"jsonrpc": "2.0", "id": id, "method": "workspace/executeCommand",
            "params": {"command": command["command"], "arguments": command["arguments"]}}),
        );
        let apply = self
            .wait_for(|m| m["method"] == "workspace/applyEdit")
            .unwrap_or_else(|| panic!("no workspace/applyEdit after the command of {item}"));
        let edits = action_edits(&apply["params"]);
        text = apply_edits(&text, &edits, &self.encoding);
        version += 1;
        let changes: Vec<Value> = {
            // sent one by one, last first, so earlier ranges stay valid
            let mut sorted = edits.clone();
            sorted.sort_by_key(|e| {
                (
                    e["range"]["start"]["line"].as_u64(),
                    e["range"]["start"]["character"].as_u64(),
                )
            });
            sorted
                .iter()
                .rev()
                .map(|e| json!({"range": e["range"], "text": e["newText"]}))
                .collect()
        };
        self.change(uri, version, json!(changes));
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
            .expect("the command's response");
        (text, version)
    }

    /// The completion items at `position`.
    pub fn completions(&mut self, uri: &str, position: &Value) -> Vec<Value> {
        let r = self.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        let result = &r["result"];
        result["items"]
            .as_array()
            .or(result.as_array())
            .cloned()
            .unwrap_or_default()
    }
}
