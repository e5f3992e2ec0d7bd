//! Running a workflow action's command (SPEC §11): its argv, never through
//! a shell, in its own process group, with the plan's facts in its
//! environment; its output line by line; and the whole group ended on
//! cancel, on timeout, after the command exits, and when plan-lsp exits,
//! so no child outlives its run.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// What to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub argv: Vec<String>,
    /// The working directory (the workspace root).
    pub cwd: PathBuf,
    /// Added to plan-lsp's own environment.
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The command exited with this code (0 is success).
    Exited(i32),
    /// A signal it was not sent by plan-lsp ended it.
    Signalled(i32),
    TimedOut,
    Cancelled,
    /// It could not be started (no such program, not executable, …).
    NotStarted(String),
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        *self == Outcome::Exited(0)
    }

    /// The outcome in words: "exited with status 3", "timed out after 30m".
    pub fn describe(&self, timeout: Duration) -> String {
        match self {
            Outcome::Exited(0) => "succeeded".into(),
            Outcome::Exited(code) => format!("exited with status {code}"),
            Outcome::Signalled(signal) => format!("was ended by signal {signal}"),
            Outcome::TimedOut => format!("timed out after {}", human(timeout)),
            Outcome::Cancelled => "was cancelled".into(),
            Outcome::NotStarted(why) => format!("could not start: {why}"),
        }
    }
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => format!("{}ms", d.as_millis()),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// An argv as a person would type it, each word quoted when it needs to be
/// (for showing only: it is never given to a shell).
pub fn display(argv: &[String]) -> String {
    argv.iter()
        .map(|word| {
            let plain = !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_./=:,@+%".contains(c));
            if plain {
                word.clone()
            } else {
                format!("'{}'", word.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How long a command has after SIGTERM before its group gets SIGKILL.
pub const GRACE: Duration = Duration::from_secs(10);

/// The process groups of the runs in progress, ended by [`end_all`].
static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Runs a job to its end: each output line (stdout and stderr) goes to
/// `on_line` as it comes; setting `cancel` ends it (SIGTERM to its group,
/// SIGKILL after [`GRACE`]), as does its timeout.
pub fn run(job: &Job, cancel: &AtomicBool, mut on_line: impl FnMut(&str)) -> Outcome {
    let Some((program, args)) = job.argv.split_first() else {
        return Outcome::NotStarted("the command is empty".into());
    };
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(&job.cwd)
        .envs(job.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    group::own_group(&mut command);
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) => return Outcome::NotStarted(format!("{program}: {e}")),
    };
    let id = child.id();
    lock().push(id);
    let (lines, readers) = read_lines(&mut child);
    let deadline = Instant::now() + job.timeout;
    // Why and when plan-lsp asked the command to end.
    let mut ending: Option<(Outcome, Instant)> = None;
    let status = loop {
        while let Ok(line) = lines.recv_timeout(Duration::from_millis(50)) {
            on_line(&line);
        }
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(_) => break None,
        }
        match &ending {
            None if cancel.load(Ordering::SeqCst) => {
                group::signal(&mut child, group::TERM);
                ending = Some((Outcome::Cancelled, Instant::now()));
            }
            None if Instant::now() >= deadline => {
                group::signal(&mut child, group::TERM);
                ending = Some((Outcome::TimedOut, Instant::now()));
            }
            Some((_, since)) if since.elapsed() >= GRACE => group::signal(&mut child, group::KILL),
            _ => {}
        }
    };
    // whatever the command left running in its group goes too
    group::signal(&mut child, group::KILL);
    for reader in readers {
        let _ = reader.join();
    }
    while let Ok(line) = lines.try_recv() {
        on_line(&line);
    }
    lock().retain(|g| *g != id);
    if let Some((why, _)) = ending {
        return why;
    }
    match status {
        Some(s) => match (s.code(), group::signal_of(&s)) {
            (Some(code), _) => Outcome::Exited(code),
            (None, Some(signal)) => Outcome::Signalled(signal),
            (None, None) => Outcome::Exited(-1),
        },
        None => Outcome::Exited(-1),
    }
}

/// Ends every run in progress (plan-lsp is exiting).
pub fn end_all() {
    let groups: Vec<u32> = lock().clone();
    for id in &groups {
        group::signal_id(*id, group::TERM);
    }
    if !groups.is_empty() {
        std::thread::sleep(Duration::from_millis(200));
        for id in groups {
            group::signal_id(id, group::KILL);
        }
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<u32>> {
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The child's output, a line at a time from both streams, and the threads
/// that read them (they end when the streams close).
fn read_lines(child: &mut Child) -> (mpsc::Receiver<String>, Vec<std::thread::JoinHandle<()>>) {
    let (tx, rx) = mpsc::channel();
    let mut readers = Vec::new();
    let streams: Vec<Box<dyn Read + Send>> = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .collect();
    for stream in streams {
        let tx = tx.clone();
        readers.push(std::thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&buf);
                        let line = line.trim_end_matches(['\n', '\r']).to_string();
                        if tx.send(line).is_err() {
                            return;
                        }
                    }
                }
            }
        }));
    }
    (rx, readers)
}

/// Process groups: the command leads its own, and signals go to the whole
/// group. Elsewhere than on Unix only the command itself is ended.
mod group {
    use std::process::{Child, Command, ExitStatus};

    #[cfg(unix)]
    pub const TERM: i32 = libc::SIGTERM;
    #[cfg(unix)]
    pub const KILL: i32 = libc::SIGKILL;
    #[cfg(not(unix))]
    pub const TERM: i32 = 15;
    #[cfg(not(unix))]
    pub const KILL: i32 = 9;

    pub fn own_group(command: &mut Command) {
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        #[cfg(not(unix))]
        let _ = command;
    }

    pub fn signal(child: &mut Child, signal: i32) {
        #[cfg(unix)]
        signal_id(child.id(), signal);
        #[cfg(not(unix))]
        {
            let _ = signal;
            let _ = child.kill();
        }
    }

    /// Signals the process group led by `id`.
    pub fn signal_id(id: u32, signal: i32) {
        #[cfg(unix)]
        if let Ok(pid) = libc::pid_t::try_from(id) {
            // SAFETY: kill(2) with a negative pid signals that process
            // group; it touches no memory of ours.
            unsafe {
                libc::kill(-pid, signal);
            }
        }
        #[cfg(not(unix))]
        let _ = (id, signal);
    }

    pub fn signal_of(status: &ExitStatus) -> Option<i32> {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            status.signal()
        }
        #[cfg(not(unix))]
        {
            let _ = status;
            None
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn job(script: &str, timeout: Duration) -> Job {
        Job {
            argv: vec!["sh".into(), "-c".into(), script.into()],
            cwd: std::env::temp_dir(),
            env: vec![("PLAN_VERSION".into(), "1.0; touch PWNED".into())],
            timeout,
        }
    }

    #[test]
    fn output_lines_and_the_exit_code() {
        let mut lines = Vec::new();
        let outcome = run(
            &job("echo one; echo two >&2; exit 3", Duration::from_secs(10)),
            &AtomicBool::new(false),
            |l| lines.push(l.to_string()),
        );
        assert_eq!(outcome, Outcome::Exited(3));
        lines.sort();
        assert_eq!(lines, ["one", "two"]);
    }

    #[test]
    fn the_environment_is_data_not_a_shell_word() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = job("echo \"$PLAN_VERSION\"", Duration::from_secs(10));
        j.cwd = dir.path().to_path_buf();
        let mut lines = Vec::new();
        assert!(run(&j, &AtomicBool::new(false), |l| lines.push(l.to_string())).succeeded());
        assert_eq!(lines, ["1.0; touch PWNED"]);
        assert!(!dir.path().join("PWNED").exists());
    }

    #[test]
    fn a_timeout_ends_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("still-running");
        // a grandchild that would write the marker after the timeout
        let script = format!("(sleep 2; touch {}) & sleep 30", marker.display());
        let started = Instant::now();
        let outcome = run(
            &job(&script, Duration::from_millis(300)),
            &AtomicBool::new(false),
            |_| {},
        );
        assert_eq!(outcome, Outcome::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(5));
        std::thread::sleep(Duration::from_secs(3));
        assert!(!marker.exists(), "a child outlived its run");
    }

    #[test]
    fn cancelling_ends_it() {
        let cancel = AtomicBool::new(true);
        let outcome = run(&job("sleep 30", Duration::from_secs(60)), &cancel, |_| {});
        assert_eq!(outcome, Outcome::Cancelled);
    }

    #[test]
    fn a_missing_program_is_not_started() {
        let mut j = job("", Duration::from_secs(1));
        j.argv = vec!["plan-lsp-no-such-program".into()];
        assert!(matches!(
            run(&j, &AtomicBool::new(false), |_| {}),
            Outcome::NotStarted(_)
        ));
    }
}
