//! The command line as a script sees it: exit codes, one-line errors, masked secrets, and the
//! simulators alone starting and stopping (the sandbox has its own tests in `sandbox.rs`).

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

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
        "status",
        "resync",
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
    let (mut child, addr) = support::start_simulator(which);
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

#[test]
fn sim_ogoship_starts_and_stops_on_sigterm() {
    simulator_starts_and_stops("ogoship");
}
