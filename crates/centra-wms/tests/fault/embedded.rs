//! The embedded shape: `centra-wms run --config FILE` (every service in one process, the
//! embedded bus and SQLite in a data folder), killed with SIGKILL at seeded instants and
//! started again on the same folder and ports.
//!
//! Layout: [`Embedded`] the child, its settings and its kills; the [`Shape`] impl decides when
//! to kill (at least [`MIN_KILLS`] times a run, at seeded steps, a seeded delay into the
//! step's work).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{free_port, grpc_ports};
use crate::table::Tally;
use crate::webhooks::Proxies;
use crate::workload::{Capture, Rng};
use crate::{Shape, Sims, progress, settings_table, wms_table};

/// Kills per run, whatever its size.
const MIN_KILLS: u64 = 10;

/// The `centra-wms run` child and how to start it again.
pub struct Embedded {
    config: PathBuf,
    /// The gRPC addresses (the same after every restart, as the CLI would need).
    env: Vec<(String, String)>,
    child: Option<Child>,
    /// What the current child wrote to stderr (warnings and errors), for a failure message.
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Steps after which it is killed.
    kill_at: Vec<u64>,
}

impl Embedded {
    /// Writes the settings (capture on completion, webhooks through `hooks`) and starts the
    /// process; answers once its gRPC services accept connections.
    pub async fn start(dir: &Path, sims: &Sims, hooks: &Proxies) -> Self {
        let centra_hook = format!("127.0.0.1:{}", free_port());
        let ongoing_hook = format!("127.0.0.1:{}", free_port());
        let config = dir.join("centra-wms.toml");
        std::fs::write(
            &config,
            format!(
                "{}\n{}\n[runtime]\ndata_dir = \"{}\"\nlog_filter = \"warn\"\n\
                 centra_webhook_listen = \"{centra_hook}\"\nongoing_webhook_listen = \"{ongoing_hook}\"\n",
                settings_table(&sims.centra, Capture::OnCompletion),
                wms_table(&sims.ongoing),
                dir.join("data").display(),
            ),
        )
        .expect("settings written");
        hooks.forward_to(&[centra_hook], &[ongoing_hook]);
        let mut embedded = Self {
            config,
            env: grpc_ports(),
            child: None,
            stderr: Arc::new(Mutex::new(Vec::new())),
            kill_at: Vec::new(),
        };
        embedded.launch().await;
        embedded
    }

    async fn launch(&mut self) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
            .args(["run", "--config"])
            .arg(&self.config)
            .env_remove("RUST_LOG")
            .envs(self.env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run starts");
        // One log over every incarnation: what a killed one said still explains a record.
        self.stderr
            .lock()
            .expect("stderr")
            .extend_from_slice(b"--- started ---\n");
        drain(child.stderr.take(), Arc::clone(&self.stderr));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        // stock-sync serves nothing; the WMS is Ongoing, so ogoship-gateway does not run.
        let served: Vec<String> = self
            .env
            .iter()
            .filter(|(key, _)| !key.contains("STOCK_SYNC") && !key.contains("OGOSHIP_GATEWAY"))
            .map(|(_, addr)| addr.clone())
            .collect();
        while !served
            .iter()
            .all(|addr| std::net::TcpStream::connect(addr).is_ok())
        {
            if let Some(crash) = self.crashed() {
                panic!("centra-wms run stopped while starting: {crash}");
            }
            assert!(
                Instant::now() < deadline,
                "centra-wms run did not answer in 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL: no shutdown code runs.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL sent");
            child.wait().expect("killed child reaped");
        }
    }

    pub fn stop(mut self) {
        self.kill();
    }
}

impl Drop for Embedded {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Copies what `pipe` carries into `sink` as it comes (a full pipe would stall the process).
pub fn drain(pipe: Option<impl std::io::Read + Send + 'static>, sink: Arc<Mutex<Vec<u8>>>) {
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                let mut kept = sink.lock().expect("stderr");
                kept.extend_from_slice(&chunk[..n]);
                // The last 64 KiB are enough to say why.
                if kept.len() > 128 * 1024 {
                    let cut = kept.len() - 64 * 1024;
                    kept.drain(..cut);
                }
            }
        });
    }
}

impl Shape for Embedded {
    async fn after_step(&mut self, step: u64, steps: u64, rng: &mut Rng, tally: &mut Tally) {
        if step == 1 {
            // Seeded steps, at least MIN_KILLS of them, about one in four steps at size (a
            // step drawn twice gets two kills).
            let kills = MIN_KILLS.max(steps / 4);
            self.kill_at = (0..kills).map(|_| 1 + rng.below(steps)).collect();
        }
        let due = self.kill_at.iter().filter(|&&at| at == step).count();
        for _ in 0..due {
            // A seeded instant into the work the step started.
            let delay = rng.range(0, 1500);
            tokio::time::sleep(Duration::from_millis(u64::try_from(delay).unwrap_or(0))).await;
            progress(&format!("embedded: step {step}: kill -9"));
            self.kill();
            tally.fault("kill -9 of centra-wms run");
            self.launch().await;
            tally.fault("restart of centra-wms run");
        }
    }

    fn diagnose(&self, records: &[String]) -> String {
        let log = String::from_utf8_lossy(&self.stderr.lock().expect("stderr")).into_owned();
        format!(
            "{}\nlog lines naming them:\n{}",
            crate::cli_views(&self.config, &self.env),
            crate::lines_naming(&log, records)
        )
    }

    fn crashed(&mut self) -> Option<String> {
        let child = self.child.as_mut()?;
        let exit = child.try_wait().ok()??;
        std::thread::sleep(Duration::from_millis(100));
        let stderr = String::from_utf8_lossy(&self.stderr.lock().expect("stderr")).into_owned();
        Some(format!("centra-wms run exited {exit:?}: {stderr}"))
    }
}
