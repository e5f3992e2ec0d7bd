//! Every file the command line writes (fix, fmt, new -o, approve, deploy's
//! status.md), under faults: killed mid-write, read-only, changed on disk,
//! behind a symlink — the old or the new content, never a mix; a clear
//! error and nothing lost; the link, the permissions and the line endings
//! kept.

mod common;

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output, Stdio};

    use super::common::{binary, example};

    fn run(dir: &Path, args: &[&str]) -> Output {
        Command::new(binary())
            .current_dir(dir)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs")
    }

    /// A staging plan with one safe fix (`gcp` → `GCP`) in a fresh folder.
    fn plan_with_a_safe_fix(dir: &Path) -> PathBuf {
        let text = std::fs::read_to_string(example("staging/docs/deployment.md"))
            .unwrap()
            .replacen("- Provider: GCP", "- Provider: gcp", 1);
        assert!(text.contains("- Provider: gcp"));
        let path = dir.join("deployment.md");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn temporaries(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    /// The plan with a safe fix grown to 10 MB with component sections
    /// (under the 10 MiB analysis limit, so it is still fixed).
    fn ten_megabyte_plan(dir: &Path) -> (PathBuf, String) {
        let path = plan_with_a_safe_fix(dir);
        let mut big = std::fs::read_to_string(&path).unwrap();
        let component = "\n### Component: service\n- Owner: platform team\n- Notes: runs behind the load balancer, restarts on failure\n";
        while big.len() < 10_000_000 {
            big.push_str(component);
        }
        std::fs::write(&path, &big).unwrap();
        (path, big)
    }

    #[test]
    fn killed_while_writing_a_large_file_leaves_the_old_or_the_new_content() {
        let dir = tempfile::tempdir().unwrap();
        let (path, old) = ten_megabyte_plan(dir.path());
        let copy = dir.path().join("copy");
        std::fs::create_dir(&copy).unwrap();
        std::fs::write(copy.join("deployment.md"), &old).unwrap();
        let started = std::time::Instant::now();
        let done = run(&copy, &["fix", "deployment.md"]);
        let whole_run = started.elapsed();
        assert!(done.status.code().is_some_and(|c| c < 2));
        let new = std::fs::read_to_string(copy.join("deployment.md")).unwrap();
        assert_ne!(new, old);
        // kills spread over a whole run, the last ones in its writing tail
        let mut outcomes = Vec::new();
        for percent in [50, 97, 99, 101] {
            let mut child = Command::new(binary())
                .current_dir(dir.path())
                .args(["fix", "deployment.md"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(whole_run * percent / 100);
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            let now = std::fs::read_to_string(&path).unwrap();
            assert!(
                now == old || now == new,
                "killed at {percent}% of a run: the file is neither the old nor the new content"
            );
            outcomes.push(now == new);
            if now == new {
                std::fs::write(&path, &old).unwrap();
            }
        }
        // the next run cleans up what the killed ones left
        let out = run(dir.path(), &["fix", "deployment.md"]);
        assert!(out.status.code().is_some_and(|c| c < 2));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), new);
        assert_eq!(temporaries(dir.path()), Vec::<String>::new());
        assert!(
            outcomes.contains(&false),
            "no kill landed before the write: {outcomes:?}"
        );
    }

    #[test]
    fn a_file_changed_on_disk_while_fixing_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let (path, old) = ten_megabyte_plan(dir.path());
        let started = std::time::Instant::now();
        let copy = dir.path().join("copy");
        std::fs::create_dir(&copy).unwrap();
        std::fs::write(copy.join("deployment.md"), &old).unwrap();
        run(&copy, &["fix", "deployment.md"]);
        let whole_run = started.elapsed();
        // the edit lands while the 10 MB plan is being analysed, after the
        // read and long before the write
        let child = Command::new(binary())
            .current_dir(dir.path())
            .args(["fix", "deployment.md"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(whole_run / 3);
        let edited = format!("{old}\n<!-- edited by hand meanwhile -->\n");
        std::fs::write(&path, &edited).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains(
                "deployment.md: error: the file changed on disk since it was read; not overwritten"
            ),
            "{said}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
        assert_eq!(temporaries(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn a_read_only_file_or_folder_is_a_clear_error_and_nothing_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = plan_with_a_safe_fix(dir.path());
        let before = std::fs::read_to_string(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let out = run(dir.path(), &["fix", "deployment.md"]);
        assert_eq!(out.status.code(), Some(2));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("deployment.md: error: the file is read-only"),
            "{said}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
        let out = run(dir.path(), &["fix", "deployment.md"]);
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(out.status.code(), Some(2));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("is read-only; nothing was written"), "{said}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
        assert_eq!(temporaries(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn a_symlink_is_written_through_and_permissions_and_line_endings_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = plan_with_a_safe_fix(dir.path());
        let crlf = std::fs::read_to_string(&real)
            .unwrap()
            .replace('\n', "\r\n");
        std::fs::write(&real, &crlf).unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let docs = dir.path().join("docs");
        std::fs::create_dir(&docs).unwrap();
        let link = docs.join("plan.md");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let out = run(dir.path(), &["fix", "docs/plan.md"]);
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let fixed = std::fs::read_to_string(&real).unwrap();
        assert!(fixed.contains("- Provider: GCP\r\n"), "{fixed}");
        assert!(
            !fixed.replace("\r\n", "").contains('\n'),
            "a bare LF slipped in"
        );
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(temporaries(&docs), Vec::<String>::new());
        assert_eq!(temporaries(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn new_never_overwrites_without_force_and_approve_keeps_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("status.md"), "keep me\n").unwrap();
        let out = run(dir.path(), &["new", "status", "-o", "status.md"]);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("status.md")).unwrap(),
            "keep me\n"
        );
        let out = run(dir.path(), &["new", "status", "-o", "status.md", "--force"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            std::fs::read_to_string(dir.path().join("status.md"))
                .unwrap()
                .starts_with("## Deployment State")
        );
    }
}
