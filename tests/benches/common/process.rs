//! A `centra-wms` binary run as its own OS process by a bench: the distributed shape's six
//! services, or the embedded runtime alone (so its memory is its own, not shared with the
//! simulators and the bench in one process).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use centra_wms_tests::e2e::{Sims, free_port};

use super::arg;

/// One `centra-wms` process (`serve SERVICE`, or `run` for the embedded shape), killed on drop
/// (a failed run leaves nothing running).
pub struct Process {
    /// What the table calls it (the service, or `embedded`).
    pub service: &'static str,
    child: Child,
    /// Its health address (`/readyz`).
    pub health: String,
    stderr: PathBuf,
    /// When it was spawned.
    pub spawned: Instant,
}

impl Process {
    /// Spawns `binary ARGS --config CONFIG` with its health endpoint on a free port and its
    /// stderr in `dir`.
    pub fn spawn(
        binary: &Path,
        service: &'static str,
        args: &[&str],
        config: &Path,
        dir: &Path,
    ) -> Self {
        let health = format!("127.0.0.1:{}", free_port().port());
        let stderr = dir.join(format!("{service}.stderr"));
        let child = Command::new(binary)
            .args(args)
            .arg("--config")
            .arg(config)
            .env_remove("RUST_LOG")
            .env("CENTRA_WMS__RUNTIME__HEALTH_LISTEN", &health)
            .stdout(Stdio::null())
            .stderr(File::create(&stderr).expect("stderr file"))
            .spawn()
            .unwrap_or_else(|e| panic!("{} {args:?}: {e}", binary.display()));
        Self {
            service,
            child,
            health,
            stderr,
            spawned: Instant::now(),
        }
    }

    /// Fails the bench with the process's stderr when it stopped.
    pub fn assert_running(&mut self) {
        if let Ok(Some(exit)) = self.child.try_wait() {
            let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
            panic!("{} stopped ({exit}): {stderr}", self.service);
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `key` (`VmRSS:`, `VmHWM:`) of the process in MiB.
    pub fn memory_mib(&self, key: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    }

    /// Resets its peak resident set (`VmHWM`) to its current one, as `reset_peak_rss` does
    /// for the bench's own process.
    pub fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5");
    }

    /// SIGTERM, then waits until it exits (30 s at most; killed on drop after that).
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary to run: `--centra-wms PATH`, else `centra-wms` in the profile folder this bench
/// was built into (`target/release/deps/distributed-…` → `target/release/centra-wms`).
pub fn binary() -> PathBuf {
    let given: String = arg("centra-wms", String::new());
    let path = if given.is_empty() {
        std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.parent()?.join("centra-wms")))
            .unwrap_or_default()
    } else {
        PathBuf::from(given)
    };
    assert!(
        path.is_file(),
        "no centra-wms binary at {}: build it in the same profile (`cargo build --release -p \
         centra-wms`) or pass --centra-wms PATH",
        path.display()
    );
    path
}

/// The six services of a deployment with the Ongoing warehouse, gateways first.
pub const SERVICES: [&str; 6] = [
    "centra-gateway",
    "ongoing-gateway",
    "catalog-sync",
    "order-sync",
    "stock-sync",
    "returns-sync",
];

/// `[runtime.grpc.<service>]` for each of [`SERVICES`], each on its own free port.
pub fn grpc_tables() -> String {
    SERVICES
        .iter()
        .map(|service| {
            let addr = free_port();
            format!(
                "[runtime.grpc.{}]\nlisten = \"{addr}\"\nconnect = \"http://{addr}\"\n\n",
                service.replace('-', "_")
            )
        })
        .collect()
}

/// What a bench configures its processes with besides the simulators' addresses.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    /// `settings.sync_interval`: how often every poll runs.
    pub sync_interval: &'a str,
    /// The Ongoing webhook token (`wms.webhook_token`), when webhooks are on.
    pub webhook_token: Option<&'a str>,
    /// The Centra end-point's `requests_per_second`, else the gateway's default.
    pub requests_per_second: Option<u32>,
    /// More `[settings]` lines (`capture = "on_completion"`).
    pub extra: &'a str,
}

impl Default for Settings<'_> {
    fn default() -> Self {
        Self {
            sync_interval: "5s",
            webhook_token: None,
            requests_per_second: None,
            extra: "",
        }
    }
}

/// `[settings]` with the end-point `shop1` on the Centra simulator and `[wms]` on the Ongoing
/// simulator: what every process a bench spawns is configured with before its `[runtime]`.
pub fn sims_toml(sims: &Sims, settings: &Settings<'_>) -> String {
    let token = settings
        .webhook_token
        .map(|t| format!("webhook_token = \"{t}\"\n"))
        .unwrap_or_default();
    let rate = settings
        .requests_per_second
        .map(|r| format!("requests_per_second = {r}\n"))
        .unwrap_or_default();
    format!(
        r#"
[settings]
centra_time_zone = "Europe/Stockholm"
sync_interval = "{sync_interval}"
{extra}

[[settings.endpoints]]
name = "shop1"
base_url = "{centra}"
secret = "sandbox-secret"
webhook_secret = "sandbox-webhook-secret"
{rate}
[wms]
base_url = "{ongoing}"
warehouse = "sandbox"
user = "sandbox"
password = "sandbox"
goods_owner_id = 1
{token}"#,
        sync_interval = settings.sync_interval,
        extra = settings.extra,
        centra = sims.centra.base_url(),
        ongoing = sims.ongoing.base_url(),
    )
}
