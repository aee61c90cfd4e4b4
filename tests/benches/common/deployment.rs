//! The distributed shape as deployed, for the benches: the six services as separate OS
//! processes (`centra-wms serve SERVICE`) over this machine's NATS JetStream and PostgreSQL (a
//! fresh database and stream prefix per deployment), all reading one config file, against both
//! simulators (in the bench process).
//!
//! A bench can stop one service and spawn it again (a backlog waits for it meanwhile, as it
//! would for a gateway being redeployed), or stop them all, rewrite the settings and spawn them
//! all again. [`Deployment::remove`] stops everything and drops the stream and the database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use centra_wms_tests::e2e::{Sims, free_port};
use platform_config::AppConfig;
use test_support::PostgresDatabase;

use super::process::{Process, SERVICES, Settings, grpc_tables, sims_toml};

/// The longest a process may take to be ready.
pub const READY_LIMIT: Duration = Duration::from_secs(120);

/// Six running (or stopped) service processes and what they share.
pub struct Deployment {
    /// One per service, in the order of [`SERVICES`]; a stopped one stays until spawned again.
    pub processes: Vec<Process>,
    binary: PathBuf,
    dir: tempfile::TempDir,
    file: PathBuf,
    /// The `[runtime]` and `[runtime.grpc.*]` tables, kept when the settings are rewritten.
    runtime: String,
    /// What the processes read (the webhook receivers' addresses, for the simulators).
    pub config: AppConfig,
    nats: String,
    prefix: String,
    database: PostgresDatabase,
}

impl Deployment {
    /// Writes the config (`settings`, the distributed runtime with a fresh database and stream
    /// prefix, each service's own gRPC address) and spawns the six processes at once, without
    /// waiting for them ([`Self::ready`] does).
    ///
    /// # Panics
    /// When `NATS_URL` or `DATABASE_URL` is missing or unreachable: a bench of this shape
    /// measures nothing without them.
    pub async fn start(binary: &Path, sims: &Sims, settings: &Settings<'_>, test: &str) -> Self {
        let nats = test_support::nats_url(test)
            .await
            .expect("the distributed shape needs NATS_URL (a NATS server with JetStream)");
        let database = test_support::postgres_database(test)
            .await
            .expect("the distributed shape needs DATABASE_URL (a PostgreSQL server)");
        let prefix = test_support::unique("bench");
        let runtime = format!(
            r#"
[runtime]
mode = "distributed"
nats_url = "{nats}"
database_url = "{database}"
stream_prefix = "{prefix}"
grpc_token = "a-token-only-these-processes-share"
log_filter = "warn"
centra_webhook_listen = "{centra_hook}"
ongoing_webhook_listen = "{ongoing_hook}"

{grpc}"#,
            database = database.url,
            centra_hook = free_port(),
            ongoing_hook = free_port(),
            grpc = grpc_tables(),
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("centra-wms.toml");
        let config = write_config(&file, sims, settings, &runtime);
        let mut deployment = Self {
            processes: Vec::new(),
            binary: binary.to_owned(),
            dir,
            file,
            runtime,
            config,
            nats,
            prefix,
            database,
        };
        deployment.processes = SERVICES
            .iter()
            .map(|service| deployment.spawn_process(service))
            .collect();
        deployment
    }

    /// Rewrites the config file with `settings`; a process reads it when it is next spawned.
    pub fn write_settings(&mut self, sims: &Sims, settings: &Settings<'_>) {
        self.config = write_config(&self.file, sims, settings, &self.runtime);
    }

    fn spawn_process(&self, service: &'static str) -> Process {
        Process::spawn(
            &self.binary,
            service,
            &["serve", service],
            &self.file,
            self.dir.path(),
        )
    }

    fn index(service: &str) -> usize {
        SERVICES
            .iter()
            .position(|s| *s == service)
            .unwrap_or_else(|| panic!("{service} is not one of {SERVICES:?}"))
    }

    /// Waits until every process answers `/readyz` with 200; each one's milliseconds from its
    /// spawn, in the order of [`SERVICES`]. Every process is asked each round, so each is timed
    /// when it first answers.
    pub async fn ready(&mut self) -> Vec<f64> {
        let http = reqwest::Client::new();
        let mut ready_ms: Vec<Option<f64>> = vec![None; self.processes.len()];
        while ready_ms.iter().any(Option::is_none) {
            for (process, ready) in self.processes.iter_mut().zip(&mut ready_ms) {
                if ready.is_some() {
                    continue;
                }
                let url = format!("http://{}/readyz", process.health);
                if matches!(
                    http.get(&url).send().await.map(|r| r.status().as_u16()),
                    Ok(200)
                ) {
                    *ready = Some(process.spawned.elapsed().as_secs_f64() * 1000.0);
                    continue;
                }
                process.assert_running();
                assert!(
                    process.spawned.elapsed() < READY_LIMIT,
                    "{} ready within {READY_LIMIT:?}",
                    process.service
                );
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        ready_ms.into_iter().flatten().collect()
    }

    /// Stops `service` (SIGTERM, until it has exited).
    pub fn stop(&mut self, service: &str) {
        self.processes[Self::index(service)].stop();
    }

    /// Stops every service.
    pub fn stop_all(&mut self) {
        for process in &mut self.processes {
            process.stop();
        }
    }

    /// Spawns `service` again (after [`Self::stop`]), not waiting for it to be ready.
    pub fn spawn(&mut self, service: &'static str) {
        let process = self.spawn_process(service);
        self.processes[Self::index(service)] = process;
    }

    /// Fails the bench with a stopped process's stderr.
    pub fn assert_running(&mut self) {
        for process in &mut self.processes {
            process.assert_running();
        }
    }

    /// Resets every process's peak resident set to its current one.
    pub fn reset_peaks(&self) {
        for process in &self.processes {
            process.reset_peak();
        }
    }

    /// Each running process's pid and service.
    pub fn pids(&self) -> Vec<(u32, &'static str)> {
        self.processes
            .iter()
            .map(|p| (p.pid(), p.service))
            .collect()
    }

    /// `key` (`VmRSS:`, `VmHWM:`) of every process in MiB, in the order of [`SERVICES`].
    pub fn memory_mib(&self, key: &str) -> Vec<f64> {
        self.processes.iter().map(|p| p.memory_mib(key)).collect()
    }

    /// Stops every process, deletes the stream and drops the database.
    pub async fn remove(mut self) {
        self.stop_all();
        self.processes.clear();
        let bus = platform_bus::NatsBus::connect(platform_bus::NatsBusConfig::new(
            self.nats,
            platform_runtime::stream_name(&self.prefix),
            self.prefix.as_str(),
        ))
        .await
        .expect("NATS for the clean-up");
        bus.delete_stream().await.expect("stream deleted");
        self.database.drop_database().await;
    }
}

/// Writes `settings` and the `runtime` tables to `file`; what the processes will read.
fn write_config(file: &Path, sims: &Sims, settings: &Settings<'_>, runtime: &str) -> AppConfig {
    let text = format!("{}{runtime}", sims_toml(sims, settings));
    std::fs::write(file, &text).expect("config written");
    AppConfig::from_toml_str(&text).expect("config")
}
