//! `centra-wms run --config FILE` as a merchant runs it against real end-points (here the two
//! simulators started alone with `centra-wms sim`): a wrong Centra secret is one clear line of
//! `test-connection` (exit 1) naming the end-point; with the right one the catalogue reaches
//! the WMS; Ctrl-C stops it cleanly.

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{
    cli_with, free_port, grpc_ports, json, ongoing_wms_table, post_json, shirt, start_simulator,
    text, wait_for_row,
};

/// A child process killed on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `centra-wms sim WHICH`, killed on drop; its `host:port`.
fn simulator(which: &str) -> (Running, String) {
    let (child, addr) = start_simulator(which);
    (Running(child), addr)
}

/// A settings file for the two simulators with `secret` for Centra.
fn settings(dir: &Path, centra: &str, ongoing: &str, secret: &str) -> String {
    settings_with(dir, centra, ongoing, secret, "")
}

/// [`settings`] with `extra` lines in `[settings]` (before the end-point).
fn settings_with(dir: &Path, centra: &str, ongoing: &str, secret: &str, extra: &str) -> String {
    let file = dir.join(format!("{secret}.toml"));
    let wms = ongoing_wms_table(ongoing);
    std::fs::write(
        &file,
        format!(
            r#"
[settings]
centra_time_zone = "Europe/Stockholm"
sync_interval = "2s"
{extra}

[[settings.endpoints]]
name = "shop"
base_url = "http://{centra}/api/order-api"
secret = "{secret}"

{wms}
[runtime]
data_dir = "{data}"
log_filter = "warn"
centra_webhook_listen = "127.0.0.1:{centra_hook}"
ongoing_webhook_listen = "127.0.0.1:{ongoing_hook}"
"#,
            data = dir.join(secret).display(),
            centra_hook = free_port(),
            ongoing_hook = free_port(),
        ),
    )
    .expect("settings written");
    file.display().to_string()
}

/// `centra-wms run --config FILE` with `env` (the gRPC listen addresses), once its command
/// services answer.
fn run(config: &str, env: &[(String, String)]) -> Running {
    run_with(config, env, None)
}

/// [`run`] with the operator's own `MALLOC_ARENA_MAX`, if any (else none is passed).
fn run_with(config: &str, env: &[(String, String)], arena_max: Option<&str>) -> Running {
    let mut command = Command::new(env!("CARGO_BIN_EXE_centra-wms"));
    command.env_remove("MALLOC_ARENA_MAX");
    if let Some(max) = arena_max {
        command.env("MALLOC_ARENA_MAX", max);
    }
    let mut child = command
        .args(["run", "--config", config])
        .env_remove("RUST_LOG")
        .envs(env.iter().cloned())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !env
        .iter()
        .filter(|(key, _)| !key.contains("STOCK_SYNC") && !key.contains("RETURNS_SYNC"))
        // The WMS here is Ongoing: ogoship-gateway does not run.
        .filter(|(key, _)| !key.contains("OGOSHIP_GATEWAY"))
        .all(|(_, addr)| std::net::TcpStream::connect(addr).is_ok())
    {
        if let Ok(Some(exit)) = child.try_wait() {
            panic!("run stopped: {exit:?}");
        }
        assert!(Instant::now() < deadline, "run did not answer");
        std::thread::sleep(Duration::from_millis(100));
    }
    Running(child)
}

/// `MALLOC_ARENA_MAX` in the running process's environment (`/proc/<pid>/environ`).
fn arena_max(running: &Running) -> Option<String> {
    let environ = std::fs::read(format!("/proc/{}/environ", running.0.id())).ok()?;
    environ
        .split(|b| *b == 0)
        .filter_map(|entry| std::str::from_utf8(entry).ok())
        .find_map(|entry| entry.strip_prefix("MALLOC_ARENA_MAX=").map(str::to_owned))
}

#[test]
fn run_reports_bad_credentials_and_syncs_with_good_ones() {
    let (_centra_sim, centra) = simulator("centra");
    let (_ongoing_sim, ongoing) = simulator("ongoing");
    let dir = tempfile::tempdir().expect("temp dir");

    // A wrong secret: the process runs, and test-connection names what is wrong.
    let wrong = settings(dir.path(), &centra, &ongoing, "not-the-secret");
    let env = grpc_ports();
    let running = run_with(&wrong, &env, Some("4"));
    assert_eq!(
        arena_max(&running),
        Some("4".to_owned()),
        "the operator's own arena limit is kept"
    );
    let out = cli_with(&env, &["test-connection", "--config", &wrong]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let centra_line = stdout
        .lines()
        .find(|l| l.contains("centra shop"))
        .unwrap_or_else(|| panic!("a line for the centra end-point: {stdout}"));
    assert!(centra_line.starts_with("FAIL"), "{centra_line}");
    assert!(
        centra_line.to_lowercase().contains("secret")
            || centra_line.to_lowercase().contains("credentials")
            || centra_line.to_lowercase().contains("auth"),
        "names the cause: {centra_line}"
    );
    assert!(
        !stdout.contains("not-the-secret"),
        "secret printed: {stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("ok") && l.contains("wms")),
        "{stdout}"
    );
    drop(running);

    // The documented secret: the catalogue reaches the WMS.
    let good = settings(dir.path(), &centra, &ongoing, "sandbox-secret");
    let env = grpc_ports();
    let running = run(&good, &env);
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        assert_eq!(
            arena_max(&running),
            Some("2".to_owned()),
            "the process limits glibc's arenas itself (same process id: it ran itself again)"
        );
    }
    let checks = json(&cli_with(
        &env,
        &["test-connection", "--json", "--config", &good],
    ));
    assert!(
        checks
            .as_array()
            .is_some_and(|all| all.iter().all(|c| c["ok"] == true)),
        "{checks}"
    );
    post_json(&centra, "/_sim/products", &shirt());
    wait_for_row("the article reached the wms", &ongoing, "articles", |_| {
        true
    });

    // Ctrl-C: a clean stop.
    let mut running = running;
    let status = Command::new("kill")
        .args(["-INT", &running.0.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = running.0.wait().expect("run exits");
    assert!(exit.success(), "{exit:?}");
}

/// What the settings ask of the plugin and the WMS, checked before any flow runs: the Centra
/// plugin refuses PRODUCT & STOCK (its allow-list), and the shipping-method mapping names a
/// transporter the WMS has no contract for. Each is its own failing line naming what to change;
/// the groups and transporters that are fine say so.
#[test]
fn test_connection_checks_the_groups_the_flows_need_and_the_mapped_transporters() {
    let (_centra_sim, centra) = simulator("centra");
    let (_ongoing_sim, ongoing) = simulator("ongoing");
    post_json(
        &centra,
        "/_sim/plugin",
        &serde_json::json!({"deniedGroups": ["PRODUCT & STOCK"]}),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let config = settings_with(
        dir.path(),
        &centra,
        &ongoing,
        "sandbox-secret",
        r#"purchase_orders = true
returns_to_centra = true

[[settings.shipping_methods]]
carrier = "DHL"
transporter_code = "DHL"

[[settings.shipping_methods]]
carrier = "PostNord"
transporter_code = "PLAB"
transporter_service_code = "P83"

[[settings.shipping_methods]]
carrier = "Schenker"
transporter_code = "SBTL"
transporter_service_code = "NOPE""#,
    );
    let env = grpc_ports();
    let _running = run(&config, &env);
    let out = cli_with(&env, &["test-connection", "--config", &config]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let line = |start: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("a line starting {start:?}: {stdout}"))
            .to_owned()
    };
    line("ok   centra shop (retail, catalog) ORDER & SHIPMENT:");
    line("ok   centra shop (retail, catalog) SUPPLIER DELIVERIES:");
    line("ok   centra shop (retail, catalog) RETURNS:");
    let refused = line("FAIL centra shop (retail, catalog) PRODUCT & STOCK:");
    assert!(
        refused.contains("allow PRODUCT & STOCK in the Order API plugin's endpoint settings"),
        "names the plugin setting: {refused}"
    );
    assert!(refused.contains("needed by articles"), "{refused}");
    line("ok   wms sandbox:");
    let transporters: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("wms sandbox transporters"))
        .collect();
    assert_eq!(transporters.len(), 2, "{stdout}");
    assert!(
        transporters.iter().all(|l| l.starts_with("FAIL")),
        "{transporters:?}"
    );
    assert!(
        transporters[0].contains("settings.shipping_methods[0]")
            && transporters[0].contains("\"DHL\" is not among the WMS's transporter contracts"),
        "{transporters:?}"
    );
    assert!(
        transporters[1].contains("settings.shipping_methods[2]")
            && transporters[1].contains("no service \"NOPE\""),
        "{transporters:?}"
    );

    // Allowed again and mapped to real contracts: every line is ok.
    post_json(&centra, "/_sim/plugin", &serde_json::json!({}));
    let fixed = settings_with(
        dir.path(),
        &centra,
        &ongoing,
        "sandbox-secret",
        r#"purchase_orders = true

[[settings.shipping_methods]]
carrier = "PostNord"
transporter_code = "PLAB"
transporter_service_code = "P83""#,
    );
    let checks = json(&cli_with(
        &env,
        &["test-connection", "--json", "--config", &fixed],
    ));
    let checks = checks.as_array().expect("an array");
    assert!(checks.iter().all(|c| c["ok"] == true), "{checks:?}");
    assert_eq!(
        checks.len(),
        5,
        "three groups, the wms, its transporters: {checks:?}"
    );
}
