//! The command line as a script sees it: exit codes, one-line errors, masked secrets, and the
//! embedded runtime starting and stopping on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn centra_wms(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_centra-wms"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("binary runs")
}

fn example_config() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config/centra-wms.example.toml")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_lists_every_command() {
    let out = centra_wms(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for command in [
        "sandbox",
        "run",
        "serve",
        "sim",
        "config",
        "dead-letters",
        "products",
        "shipments",
        "test-connection",
    ] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
}

#[test]
fn config_check_prints_effective_settings_with_secrets_masked() {
    let example = example_config();
    let out = centra_wms(&["config", "check", example.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("is valid"), "{stdout}");
    assert!(
        stdout.contains("sync_interval"),
        "defaults filled in:\n{stdout}"
    );
    assert!(!stdout.contains("change-me"), "secret leaked:\n{stdout}");
}

#[test]
fn config_check_names_the_bad_key_and_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bad.toml");
    let example = std::fs::read_to_string(example_config()).expect("example readable");
    let bad = example.replace(
        "centra_time_zone = \"Europe/Stockholm\"",
        "centra_time_zone = \"Mars/Base\"",
    );
    assert_ne!(bad, example, "the example sets the time zone");
    std::fs::write(&file, bad).expect("write");
    let out = centra_wms(&["config", "check", file.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("centra_time_zone"), "{stderr}");
    assert!(stderr.contains("Mars/Base"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
}

#[test]
fn config_check_of_a_missing_file_exits_2() {
    let out = centra_wms(&["config", "check", "/nonexistent/centra-wms.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/centra-wms.toml"));
}

#[test]
fn serve_rejects_an_unknown_service() {
    let out = centra_wms(&["serve", "billing-sync"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("billing-sync"), "{stderr}");
    assert!(stderr.contains("order-sync"), "lists the choices: {stderr}");
}

#[test]
fn serve_refuses_embedded_mode() {
    let example = example_config();
    let out = centra_wms(&[
        "serve",
        "order-sync",
        "--config",
        example.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("distributed"),
        "{}",
        text(&out.stderr)
    );
}

/// Every listening address of the runtime on port 0, so the test never collides with a
/// process already on the default ports.
fn any_free_ports() -> Vec<(String, &'static str)> {
    let mut vars: Vec<(String, &'static str)> = [
        "CENTRA_GATEWAY",
        "ONGOING_GATEWAY",
        "CATALOG_SYNC",
        "ORDER_SYNC",
        "STOCK_SYNC",
        "RETURNS_SYNC",
    ]
    .iter()
    .map(|service| {
        (
            format!("CENTRA_WMS__RUNTIME__GRPC__{service}__LISTEN"),
            "127.0.0.1:0",
        )
    })
    .collect();
    for key in ["CENTRA_WEBHOOK_LISTEN", "ONGOING_WEBHOOK_LISTEN"] {
        vars.push((format!("CENTRA_WMS__RUNTIME__{key}"), "127.0.0.1:0"));
    }
    vars
}

#[test]
fn sandbox_starts_every_service_and_stops_cleanly_on_ctrl_c() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
        .args([
            "sandbox",
            "--centra-addr",
            "127.0.0.1:0",
            "--ongoing-addr",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir.path())
        .env("CENTRA_WMS__RUNTIME__LOG_FILTER", "warn")
        .envs(any_free_ports())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sandbox starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let centra = lines.next().expect("a line").expect("utf-8");
    let ongoing = lines.next().expect("a line").expect("utf-8");
    let banner = lines.next().expect("a line").expect("utf-8");
    assert!(banner.contains("order-sync"), "{banner}");
    // The simulators answer where the sandbox says they are.
    for line in [&centra, &ongoing] {
        let control = line
            .split("control api ")
            .nth(1)
            .and_then(|rest| rest.strip_suffix("/_sim/state)"))
            .unwrap_or_else(|| panic!("no control api in {line:?}"));
        let addr = control.trim_start_matches("http://");
        assert!(http_get_ok(addr, "/_sim/health"), "{line}");
    }

    // The stores exist once the services run.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !dir.path().join("returns-sync.db").exists() {
        assert!(
            Instant::now() < deadline,
            "services did not open their stores"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let exit = child.wait().expect("sandbox exits");
    assert!(exit.success(), "{exit:?} {rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("stopped cleanly")),
        "{rest:?}"
    );
    for service in [
        "centra-gateway",
        "ongoing-gateway",
        "catalog-sync",
        "order-sync",
        "stock-sync",
        "returns-sync",
    ] {
        assert!(
            dir.path().join(format!("{service}.db")).exists(),
            "{service}"
        );
    }
}

/// A plain `GET path` on `addr`; true on `200` with `"ok"` in the body.
fn http_get_ok(addr: &str, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return false;
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200") && answer.contains("\"ok\"")
}

/// Starts `centra-wms sim WHICH --addr 127.0.0.1:0`, reads the ready line, checks the control
/// API answers, then stops it with SIGTERM.
fn simulator_starts_and_stops(which: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
        .args(["sim", which, "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("simulator starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let ready = lines.next().expect("a line").expect("utf-8");
    let addr = ready
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {ready}"))
        .to_owned();
    assert!(
        http_get_ok(&addr, "/_sim/health"),
        "no health answer on {addr}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = child.wait().expect("simulator exits");
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn sim_centra_starts_and_stops_on_sigterm() {
    simulator_starts_and_stops("centra");
}

#[test]
fn sim_ongoing_starts_and_stops_on_sigterm() {
    simulator_starts_and_stops("ongoing");
}
