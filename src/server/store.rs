//! The document store: URI → rope + version in a dashmap, edits applied
//! synchronously in arrival order, and one analysis worker per document
//! that always analyses the newest text (latest wins: it starts at once
//! when idle and coalesces edits that arrive while it is busy).
//!
//! Invariants:
//! - Map guards never escape [`Store::with_doc`] / [`Store::with_doc_mut`],
//!   so none is held across an `.await`.
//! - A snapshot is tagged with the revision of the text it analysed;
//!   results older than the newest stored are dropped.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dashmap::DashMap;
use tokio::sync::{Notify, watch};

use super::lsp::Url;
use crate::analysis::{Analysis, Analyzer};
use crate::config::Config;
use crate::layout::Related;
use crate::model::target::Targeting;
use crate::text::{Document, Encoding, PositionRange, Unchanged};
use crate::workspace;

/// One analysed version of a document.
pub struct Snapshot {
    /// Internal revision: increases on every edit and configuration change.
    pub revision: u64,
    /// The client's version of the text analysed.
    pub version: i32,
    /// Shared with the document's analyzer, which makes the next version's
    /// text from it.
    pub text: Arc<String>,
    pub document: Document,
    pub analysis: Analysis,
    pub config: Arc<Config>,
    pub path: Option<PathBuf>,
    /// What other files told the analysis (a status document's plan).
    pub related: Related,
}

struct Doc {
    document: Document,
    version: i32,
    revision: u64,
    path: Option<PathBuf>,
    analyzer: Arc<Mutex<DocAnalyzer>>,
    /// The edits since the text last handed to an analysis.
    edits: EditTrace,
    results: watch::Sender<Option<Arc<Snapshot>>>,
    wake: Arc<Notify>,
}

/// A document's analyzer, and the revision and text it analysed last.
#[derive(Default)]
struct DocAnalyzer {
    analyzer: Analyzer,
    revision: Option<u64>,
    text: Option<Arc<String>>,
}

/// What the edits since a revision left unchanged: the analyzer is told it
/// when that revision is the one it analysed last, so it need not compare
/// the texts to find what to parse again.
#[derive(Clone, Copy)]
struct EditTrace {
    since: Option<u64>,
    unchanged: Unchanged,
}

impl EditTrace {
    fn none_since(revision: Option<u64>, len: usize) -> EditTrace {
        EditTrace {
            since: revision,
            unchanged: Unchanged::all(len),
        }
    }
}

/// What applying a change did.
#[derive(Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    Applied,
    NotOpen,
    /// The version did not increase: the change was ignored.
    Stale {
        held: i32,
        got: i32,
    },
    /// Applying panicked; the document was dropped.
    Dropped,
}

#[derive(Default)]
pub struct Store {
    docs: DashMap<Url, Doc>,
    /// The last revision given out. Revisions are unique across documents
    /// and re-opens, so a snapshot of a document's earlier life (still in
    /// flight when it was re-opened) never passes for the current text.
    last_revision: AtomicU64,
}

/// Documents up to this size are analysed without the blocking pool's
/// round trip (a typical plan is 5–10 KiB).
const INLINE_ANALYSIS_BYTES: usize = 64 * 1024;

/// One analysis to run: a version of a document and what it needs.
struct Job {
    revision: u64,
    version: i32,
    document: Document,
    path: Option<PathBuf>,
    analyzer: Arc<Mutex<DocAnalyzer>>,
    edits: EditTrace,
    config: Arc<Config>,
    store: Arc<Store>,
}

impl Job {
    fn run(self) -> Snapshot {
        // a status document needs its plan's environment
        let related = match self.path.as_deref() {
            Some(p) => {
                workspace::related_for(p, &self.config, |other| self.store.text_of_path(other))
            }
            None => Related::default(),
        };
        let (text, analysis) = {
            let mut held = self
                .analyzer
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            // the edits are known since the text the analyzer saw last
            let unchanged = self
                .edits
                .since
                .filter(|&since| held.revision == Some(since))
                .map(|_| self.edits.unchanged);
            let text = unchanged
                .zip(held.text.as_deref())
                .and_then(|(unchanged, earlier)| self.document.text_from(earlier, unchanged))
                .unwrap_or_else(|| self.document.text());
            debug_assert_eq!(text, self.document.text());
            let text = Arc::new(text);
            held.revision = Some(self.revision);
            held.text = Some(text.clone());
            let analysis = held.analyzer.analyze_edited(
                &text,
                unchanged,
                self.path.as_deref(),
                &self.config,
                &related,
            );
            (text, analysis)
        };
        Snapshot {
            revision: self.revision,
            version: self.version,
            text,
            document: self.document,
            analysis,
            config: self.config,
            path: self.path,
            related,
        }
    }
}

/// How long a request waits for the analysis of the current text.
const ANALYSIS_WAIT: Duration = Duration::from_secs(30);

impl Store {
    fn next_revision(&self) -> u64 {
        self.last_revision.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn with_doc<R>(&self, uri: &Url, f: impl FnOnce(&Doc) -> R) -> Option<R> {
        self.docs.get(uri).map(|d| f(&d))
    }

    fn with_doc_mut<R>(&self, uri: &Url, f: impl FnOnce(&mut Doc) -> R) -> Option<R> {
        self.docs.get_mut(uri).map(|mut d| f(&mut d))
    }

    /// Opens (or re-opens) a document; returns its worker's wake-up handle
    /// and result channel for [`spawn_worker`].
    pub fn open(
        &self,
        uri: Url,
        text: &str,
        version: i32,
    ) -> (Arc<Notify>, watch::Receiver<Option<Arc<Snapshot>>>) {
        let path = uri.to_file_path().ok();
        let (results, rx) = watch::channel(None);
        let wake = Arc::new(Notify::new());
        let doc = Doc {
            document: Document::new(text),
            version,
            revision: self.next_revision(),
            path,
            analyzer: Arc::default(),
            edits: EditTrace::none_since(None, text.len()),
            results,
            wake: wake.clone(),
        };
        if let Some(replaced) = self.docs.insert(uri, doc) {
            // its worker wakes, sees it is no longer the document, and ends
            replaced.wake.notify_one();
        }
        wake.notify_one();
        (wake, rx)
    }

    /// Applies content changes in order, each on the result of the previous.
    /// Synchronous on purpose: it runs before the handler's first await.
    pub fn change(
        &self,
        uri: &Url,
        version: i32,
        changes: &[(Option<PositionRange>, String)],
        encoding: Encoding,
    ) -> ChangeOutcome {
        let outcome = self.with_doc_mut(uri, |doc| {
            if version <= doc.version {
                return ChangeOutcome::Stale {
                    held: doc.version,
                    got: version,
                };
            }
            let mut edited = doc.document.clone();
            let mut edits = doc.edits;
            let applied = std::panic::catch_unwind(AssertUnwindSafe(|| {
                for (range, text) in changes {
                    let len_before = edited.len_bytes();
                    let replaced = edited.apply_change(*range, text, encoding);
                    edits.unchanged = edits.unchanged.then_replaced(replaced, len_before);
                }
            }));
            if applied.is_err() {
                return ChangeOutcome::Dropped;
            }
            doc.document = edited;
            doc.edits = edits;
            doc.version = version;
            doc.revision = self.next_revision();
            doc.wake.notify_one();
            ChangeOutcome::Applied
        });
        match outcome {
            None => ChangeOutcome::NotOpen,
            Some(ChangeOutcome::Dropped) => {
                self.close(uri);
                ChangeOutcome::Dropped
            }
            Some(o) => o,
        }
    }

    /// Forgets a document; its worker ends.
    pub fn close(&self, uri: &Url) -> bool {
        match self.docs.remove(uri) {
            Some((_, doc)) => {
                doc.wake.notify_one();
                true
            }
            None => false,
        }
    }

    /// Marks every document for re-analysis (the configuration changed).
    pub fn invalidate_all(&self) {
        for mut doc in self.docs.iter_mut() {
            doc.revision = self.next_revision();
            doc.wake.notify_one();
        }
    }

    /// Marks the open documents at these paths for re-analysis (a file they
    /// depend on changed). Returns how many there were.
    pub fn invalidate_paths(&self, paths: &[PathBuf]) -> usize {
        let mut n = 0;
        for mut doc in self.docs.iter_mut() {
            if doc.path.as_ref().is_some_and(|p| paths.contains(p)) {
                doc.revision = self.next_revision();
                doc.wake.notify_one();
                n += 1;
            }
        }
        n
    }

    /// The current text of the open document at a path.
    pub fn open_text(&self, path: &Path) -> Option<String> {
        self.docs
            .iter()
            .find(|d| d.path.as_deref() == Some(path))
            .map(|d| d.document.text())
    }

    /// A file's text: the open document's, else the disk's.
    pub fn text_of_path(&self, path: &Path) -> Option<String> {
        self.open_text(path).or_else(|| workspace::read_disk(path))
    }

    /// The open document at a path.
    pub fn uri_of_path(&self, path: &Path) -> Option<Url> {
        self.docs
            .iter()
            .find(|d| d.path.as_deref() == Some(path))
            .map(|d| d.key().clone())
    }

    /// Analyses the current text if no snapshot of it exists yet, stores the
    /// result and returns it. `None` when the document is not open.
    async fn analyse_current(
        self: &Arc<Self>,
        uri: &Url,
        config: &Arc<Config>,
    ) -> Option<Arc<Snapshot>> {
        let (revision, version, document, path, analyzer, edits, latest) =
            self.with_doc_mut(uri, |d| {
                let edits = std::mem::replace(
                    &mut d.edits,
                    EditTrace::none_since(Some(d.revision), d.document.len_bytes()),
                );
                (
                    d.revision,
                    d.version,
                    d.document.clone(),
                    d.path.clone(),
                    d.analyzer.clone(),
                    edits,
                    d.results.borrow().clone(),
                )
            })?;
        if let Some(latest) = latest.filter(|s| s.revision == revision) {
            return Some(latest);
        }
        let config = config.clone();
        let job = Job {
            revision,
            version,
            document,
            path,
            analyzer,
            edits,
            config: config.clone(),
            store: self.clone(),
        };
        // A small document is analysed here, on its worker's task: that
        // takes tens of microseconds, less than handing it to the blocking
        // pool and back. A large one goes to the pool, so the runtime keeps
        // serving other requests meanwhile.
        let analysed = if job.document.len_bytes() <= INLINE_ANALYSIS_BYTES {
            std::panic::catch_unwind(AssertUnwindSafe(|| job.run()))
                .map_err(|_| "the analysis panicked".to_string())
        } else {
            tokio::task::spawn_blocking(move || job.run())
                .await
                .map_err(|e| e.to_string())
        };
        let snapshot = match analysed {
            Ok(s) => Arc::new(s),
            Err(e) => {
                eprintln!("plan-lsp: analysis of {uri} failed: {e}");
                // A fresh analyzer: the old one's cache may be inconsistent.
                self.with_doc_mut(uri, |d| d.analyzer = Arc::default());
                let document = self.with_doc(uri, |d| d.document.clone())?;
                Arc::new(Snapshot {
                    revision,
                    version,
                    text: Arc::new(document.text()),
                    document,
                    analysis: Analysis {
                        targeting: Targeting {
                            by_title: false,
                            kind: None,
                            reason: "the analysis failed (an internal error, logged to stderr)"
                                .into(),
                        },
                        plan: None,
                        diagnostics: Vec::new(),
                    },
                    config,
                    path: None,
                    related: Related::default(),
                })
            }
        };
        self.with_doc(uri, |d| {
            d.results.send_if_modified(|held| {
                if held.as_ref().is_none_or(|h| h.revision < snapshot.revision) {
                    *held = Some(snapshot.clone());
                    true
                } else {
                    false
                }
            })
        });
        Some(snapshot)
    }

    /// The snapshot of the document's current text, waiting for (or doing)
    /// its analysis.
    pub async fn current(
        self: &Arc<Self>,
        uri: &Url,
        config: &Arc<Config>,
    ) -> Option<Arc<Snapshot>> {
        let revision = self.with_doc(uri, |d| d.revision)?;
        let mut rx = self.with_doc(uri, |d| d.results.subscribe())?;
        if let Some(s) = rx.borrow().clone().filter(|s| s.revision >= revision) {
            return Some(s);
        }
        // The worker is on it; wait a little, then do it here.
        let waited = tokio::time::timeout(Duration::from_millis(5), async {
            loop {
                if rx.changed().await.is_err() {
                    return None;
                }
                if let Some(s) = rx.borrow().clone().filter(|s| s.revision >= revision) {
                    return Some(s);
                }
            }
        })
        .await;
        match waited {
            Ok(found) => found,
            Err(_) => tokio::time::timeout(ANALYSIS_WAIT, self.analyse_current(uri, config))
                .await
                .ok()
                .flatten(),
        }
    }

    /// The worker of one document: analyses the newest text whenever woken,
    /// and hands each new snapshot to `publish`. Ends when the document is
    /// closed.
    pub async fn run_worker<F, Fut>(
        self: Arc<Self>,
        uri: Url,
        wake: Arc<Notify>,
        config: impl Fn() -> Arc<Config>,
        publish: F,
    ) where
        F: Fn(Arc<Snapshot>) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let mut published = 0u64;
        loop {
            wake.notified().await;
            // closed, or re-opened (a new document with its own worker)
            if self.with_doc(&uri, |d| Arc::ptr_eq(&d.wake, &wake)) != Some(true) {
                return;
            }
            let Some(snapshot) = self.analyse_current(&uri, &config()).await else {
                return;
            };
            // never publish results older than what was already published
            if snapshot.revision > published
                && self.with_doc(&uri, |d| d.revision == snapshot.revision) == Some(true)
            {
                published = snapshot.revision;
                publish(snapshot).await;
            }
        }
    }
}
