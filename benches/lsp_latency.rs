//! Keystroke → diagnostics latency of the real server over stdio: opens a
//! generated plan, types single characters into a field value mid-document
//! (one incremental didChange each) and times each from the write of the
//! change to the arrival of the publishDiagnostics for that version.
//! Reports p50/p95/p99/max and the server's peak RSS.
//!
//! Run: `cargo bench --bench lsp_latency` (EDITS=200 to change the count).

#[path = "../tests/common/mod.rs"]
mod common;
mod support;

use std::time::{Duration, Instant};

use common::{Caps, Client};
use serde_json::json;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let edits: usize = std::env::var("EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    println!("| plan | first diagnostics | p50 | p95 | p99 | max | peak RSS |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (label, lines) in support::SIZES {
        let text = support::plan(*lines);
        let uri = "file:///bench/docs/deployment.md";
        let mut client = Client::start(Caps::default());
        let opened = Instant::now();
        client.open(uri, &text);
        client.pushed(uri, 1);
        let first = opened.elapsed();
        // type into a value in the middle of the document
        let anchor = text[text.len() / 2..]
            .find("- Region: ")
            .map(|i| text.len() / 2 + i)
            .unwrap();
        let line = text[..anchor].matches('\n').count();
        let first_character = "- Region: ".len();
        let mut latencies = Vec::with_capacity(edits);
        for i in 0..edits {
            let version = i as i32 + 2;
            let character = first_character + i;
            let at = json!({"line": line, "character": character});
            let start = Instant::now();
            client.change(
                uri,
                version,
                json!([{"range": {"start": at, "end": at}, "text": "x"}]),
            );
            client.pushed(uri, version.into());
            latencies.push(start.elapsed());
        }
        let rss = client.peak_rss_kib().map_or("n/a".to_string(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        });
        latencies.sort();
        println!(
            "| {label} ({} KiB) | {} | {} | {} | {} | {} | {rss} |",
            text.len() / 1024,
            ms(first),
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.95)),
            ms(percentile(&latencies, 0.99)),
            ms(*latencies.last().unwrap()),
        );
        let _ = client.shutdown_and_exit();
    }
}
