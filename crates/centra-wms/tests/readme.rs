//! The README's tour, run exactly as written: `make run` in the repository, then every line of
//! the block between `<!-- tour:start -->` and `<!-- tour:end -->` through `sh -c` from the
//! repository folder, each expected to succeed. Then Ctrl-C, a clean stop and the summary.
//!
//! The tour uses the sandbox's default simulator ports (18081, 18082; its `curl` lines name
//! them), which `support::free_port` never hands out. The rest moves, through the environment
//! that `make run` and every tour line share, so the lines stay exactly as written: the data
//! folder (`CENTRA_WMS__RUNTIME__DATA_DIR`, so the checkout stays as it was), the services'
//! gRPC ports (the defaults 50051-50057 lie in Linux's ephemeral range, where another test's
//! listener may sit) and the webhook receivers (8081, 8082 may be taken on a developer's
//! machine). make's and the sandbox's stderr are kept, so a failure shows why it stopped.

mod support;

use std::io::{BufRead, BufReader};
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::{free_port, grpc_ports, wait_until};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository folder")
}

/// The command lines of the README's tour block.
fn tour_lines(readme: &str) -> Vec<String> {
    let start = readme
        .find("<!-- tour:start -->")
        .expect("README has a tour:start marker");
    let end = readme
        .find("<!-- tour:end -->")
        .expect("README has a tour:end marker");
    readme[start..end]
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("<!--") && !line.starts_with("```"))
        .map(str::to_owned)
        .collect()
}

/// `make run` in its own process group, so Ctrl-C reaches make, cargo and the sandbox alike.
struct MakeRun {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    /// Where make's, cargo's and the sandbox's stderr go, so a failure shows why the sandbox
    /// stopped (its error line and warnings) next to what it printed.
    stderr: PathBuf,
}

impl MakeRun {
    fn start(repository: &Path, data_dir: &Path, env: &[(String, String)]) -> Self {
        let stderr = data_dir.join("make-run.stderr");
        let stderr_file = std::fs::File::create(&stderr).expect("stderr file");
        let mut child = Command::new("make")
            .arg("run")
            .current_dir(repository)
            .envs(env.iter().cloned())
            .env("CENTRA_WMS__RUNTIME__DATA_DIR", data_dir)
            .env("CENTRA_WMS__RUNTIME__LOG_FILTER", "warn")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr_file))
            .process_group(0)
            .spawn()
            .expect("make run starts");
        let stdout = child.stdout.take().expect("stdout");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
            stderr,
        }
    }

    /// What was printed so far, stdout lines then the last 40 lines of stderr.
    fn report(&self) -> String {
        let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let lines: Vec<&str> = stderr.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        format!("stdout: {:#?}\nstderr (last 40 lines):\n{tail}", self.seen)
    }

    /// Waits (at most `limit`) for a printed line containing `text`.
    fn wait_for_line(&mut self, text: &str, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        if self.seen.iter().any(|l| l.contains(text)) {
            return true;
        }
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(text);
                    self.seen.push(line);
                    if found {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
        false
    }

    fn interrupt(&self) {
        let group = format!("-{}", self.child.id());
        let status = Command::new("kill")
            .args(["-INT", "--", &group])
            .status()
            .expect("kill runs");
        assert!(status.success(), "interrupting make run");
    }
}

impl Drop for MakeRun {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = self.child.wait();
        }
    }
}

fn sh(repository: &Path, env: &[(String, String)], line: &str) -> std::process::Output {
    Command::new("sh")
        .args(["-c", line])
        .current_dir(repository)
        .env_remove("RUST_LOG")
        .envs(env.iter().cloned())
        .output()
        .expect("sh runs")
}

#[test]
fn the_readme_tour_runs_as_written() {
    let repository = repository();
    let readme = std::fs::read_to_string(repository.join("README.md")).expect("README.md");
    let tour = tour_lines(&readme);
    assert!(tour.len() >= 5, "the tour has its commands: {tour:?}");
    let data = tempfile::tempdir().expect("temp dir");
    let mut env = grpc_ports();
    for receiver in ["CENTRA_WEBHOOK_LISTEN", "ONGOING_WEBHOOK_LISTEN"] {
        env.push((
            format!("CENTRA_WMS__RUNTIME__{receiver}"),
            format!("127.0.0.1:{}", free_port()),
        ));
    }
    let mut run = MakeRun::start(&repository, data.path(), &env);
    // `make run` may have to build the binary first.
    assert!(
        run.wait_for_line("Ctrl-C stops.", Duration::from_secs(600)),
        "make run did not start: {}",
        run.report()
    );
    // Services answer once their gRPC routes are up: `status` succeeds.
    wait_until(
        "status succeeds",
        Duration::from_secs(60),
        Duration::from_millis(500),
        || {
            let status = sh(&repository, &env, "cargo run -q -p centra-wms -- status");
            (!status.status.success()).then(|| {
                format!(
                    "{}\n{}",
                    String::from_utf8_lossy(&status.stderr),
                    run.report()
                )
            })
        },
    );
    // The demo store is in the WMS before the tour looks at it.
    assert!(
        run.wait_for_line("397/397 articles in wms", Duration::from_secs(120)),
        "the catalogue did not arrive: {}",
        run.report()
    );
    for line in &tour {
        let out = sh(&repository, &env, line);
        assert!(
            out.status.success(),
            "`{line}` failed ({:?}):\n{}\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            run.report()
        );
        assert!(!out.stdout.is_empty(), "`{line}` printed nothing");
    }
    run.interrupt();
    assert!(
        run.wait_for_line("stopped cleanly", Duration::from_secs(60)),
        "no clean stop: {}",
        run.report()
    );
    assert!(
        run.wait_for_line("summary", Duration::from_secs(10)),
        "no summary: {}",
        run.report()
    );
    let exit = run.child.wait().expect("make run exits");
    // The sandbox stopped cleanly (above); make itself, interrupted too, ends by the signal
    // (GNU make re-raises it) or with success when the child was faster.
    assert!(
        exit.success() || exit.signal() == Some(2),
        "make run ended with {exit:?}: {}",
        run.report()
    );
}
