//! The operator commands against a running sandbox (a child `centra-wms sandbox` on free
//! ports) and against nothing at all: output, `--json`, and exit codes (0 ok, 1 failure,
//! 2 bad usage).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

const SERVICES: [&str; 6] = [
    "CENTRA_GATEWAY",
    "ONGOING_GATEWAY",
    "CATALOG_SYNC",
    "ORDER_SYNC",
    "STOCK_SYNC",
    "RETURNS_SYNC",
];

/// A port that is free now, below Linux's ephemeral range (32768+): simulators and webhook
/// receivers bind port 0, so a port from that range could be handed to them before the
/// sandbox binds it. Each call moves on, so tests running side by side never share one.
fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 20_000 + (std::process::id() % 600) as u16 * 20;
    loop {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 20_000 + (base - 20_000 + offset) % 12_000;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// `CENTRA_WMS__RUNTIME__GRPC__<SERVICE>__LISTEN` for every service, on fresh free ports;
/// the sandbox and the CLI read the same variables, so the CLI finds the sandbox.
fn grpc_ports() -> Vec<(String, String)> {
    SERVICES
        .iter()
        .map(|service| {
            (
                format!("CENTRA_WMS__RUNTIME__GRPC__{service}__LISTEN"),
                format!("127.0.0.1:{}", free_port()),
            )
        })
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `centra-wms sandbox` child process, killed on drop.
struct Sandbox {
    child: Child,
    env: Vec<(String, String)>,
    /// `host:port` of the Centra simulator's control API.
    centra_sim: String,
    /// Kept open: the sandbox prints to it, and a closed pipe would fail its writes.
    _stdout: BufReader<ChildStdout>,
    _data: tempfile::TempDir,
}

impl Sandbox {
    /// Starts the sandbox and waits until it answers.
    fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts the sandbox with extra settings (`CENTRA_WMS__…` variables).
    fn start_with(settings: &[(&str, &str)]) -> Self {
        let mut sandbox = Self::spawn(settings);
        sandbox.wait_ready();
        sandbox
    }

    fn spawn(settings: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let env = grpc_ports();
        let mut child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
            .args([
                "sandbox",
                "--centra-addr",
                "127.0.0.1:0",
                "--ongoing-addr",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(data.path())
            .env("CENTRA_WMS__RUNTIME__LOG_FILTER", "warn")
            .env("CENTRA_WMS__RUNTIME__CENTRA_WEBHOOK_LISTEN", "127.0.0.1:0")
            .env("CENTRA_WMS__RUNTIME__ONGOING_WEBHOOK_LISTEN", "127.0.0.1:0")
            .envs(env.iter().cloned())
            .envs(settings.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("sandbox starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("a first line");
        let centra_sim = first
            .split("control api http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no control api in {first:?}"))
            .to_owned();
        Self {
            child,
            env,
            centra_sim,
            _stdout: stdout,
            _data: data,
        }
    }

    /// Waits until every service with command services (the gateways, catalog-sync and
    /// order-sync) accepts connections.
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let served: Vec<String> = self
            .env
            .iter()
            .filter(|(key, _)| !key.contains("STOCK_SYNC") && !key.contains("RETURNS_SYNC"))
            .map(|(_, addr)| addr.clone())
            .collect();
        while !served.iter().all(|addr| TcpStream::connect(addr).is_ok()) {
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!("the sandbox stopped: {exit:?}");
            }
            assert!(Instant::now() < deadline, "the sandbox did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs the CLI against this sandbox.
    fn cli(&self, args: &[&str]) -> Output {
        cli_with(&self.env, args)
    }
}

/// `POST path` with a JSON body; panics unless the answer is 2xx.
fn post_json(addr: &str, path: &str, body: &serde_json::Value) {
    let body = body.to_string();
    let mut stream = TcpStream::connect(addr).expect("simulator reachable");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("request sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer read");
    assert!(answer.starts_with("HTTP/1.1 2"), "{answer}");
}

/// `GET path` as JSON (the body after the headers; the simulators answer with a length).
fn get_json(addr: &str, path: &str) -> serde_json::Value {
    let mut stream = TcpStream::connect(addr).expect("simulator reachable");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("request sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer read");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not json ({e}): {answer}"))
}

/// One active size row (article `SHIRTREDM` by the default rule) in the Centra simulator.
fn seed_shirt(sandbox: &Sandbox) {
    post_json(
        &sandbox.centra_sim,
        "/_sim/products",
        &serde_json::json!({"products": [{
            "productId": 1, "product": "Shirt", "name": "Shirt", "variantId": 11,
            "variant": "Red", "variantSku": "RED", "sku": "SHIRT", "stockItemId": 111,
            "size": "M", "sizeSku": "M", "ean": "7350000000016", "active": true,
            "weight": 0.2, "weightUnit": "kg", "countryOfOrigin": "SE", "harmCode": "6109",
            "prices": [{"pricelist": "1", "currency": "SEK", "price": 100.0}],
            "physicalStock": 5
        }]}),
    );
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cli_with(env: &[(String, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_centra-wms"))
        .args(args)
        .env_remove("RUST_LOG")
        .envs(env.iter().cloned())
        .output()
        .expect("binary runs")
}

/// Asserts exit `code` and one error line on stderr (no panic, no backtrace); returns it.
fn fails_with(out: &Output, code: i32) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not json ({e}): {}", text(&out.stdout)))
}

#[test]
fn every_operator_command_has_help() {
    for args in [
        vec!["dead-letters", "--help"],
        vec!["dead-letters", "retry", "--help"],
        vec!["products", "--help"],
        vec!["products", "create", "--help"],
        vec!["shipments", "complete", "--help"],
        vec!["test-connection", "--help"],
    ] {
        let out = cli_with(&[], &args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("--config"), "{args:?}");
    }
}

#[test]
fn completing_a_shipment_without_an_explicit_capture_is_bad_usage() {
    let out = cli_with(&[], &["shipments", "complete", "1234"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--capture"),
        "{}",
        text(&out.stderr)
    );
    let out = cli_with(
        &[],
        &["shipments", "complete", "1234", "--capture", "maybe"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_config_file_is_bad_usage() {
    let out = cli_with(
        &[],
        &["products", "list", "--config", "/nonexistent/c.toml"],
    );
    let line = fails_with(&out, 2);
    assert!(line.contains("/nonexistent/c.toml"), "{line}");
}

#[test]
fn commands_name_the_address_and_the_fix_when_nothing_runs() {
    let env = grpc_ports();
    let catalog = env
        .iter()
        .find(|(k, _)| k.contains("CATALOG_SYNC"))
        .map(|(_, v)| v.clone())
        .expect("catalog port");
    let line = fails_with(&cli_with(&env, &["dead-letters", "list"]), 1);
    assert!(line.contains(&catalog), "{line}");
    assert!(line.contains("centra-wms run"), "{line}");

    let line = fails_with(&cli_with(&env, &["products", "refresh"]), 1);
    assert!(line.contains(&catalog), "{line}");

    let out = cli_with(&env, &["test-connection"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAIL centra sandbox:"), "{stdout}");
    assert!(stdout.contains("FAIL wms sandbox:"), "{stdout}");
    assert!(stdout.contains("centra-wms run"), "{stdout}");
}

#[test]
fn test_connection_checks_centra_and_the_wms_of_a_running_sandbox() {
    let sandbox = Sandbox::start();
    let out = sandbox.cli(&["test-connection"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("ok   centra sandbox:"), "{stdout}");
    assert!(stdout.contains("ok   wms sandbox:"), "{stdout}");

    // The same through a settings file naming the ports, with no environment overrides.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("centra-wms.toml");
    let mut settings =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/sandbox.toml"))
            .expect("sandbox settings");
    for (key, addr) in &sandbox.env {
        let service = key
            .trim_start_matches("CENTRA_WMS__RUNTIME__GRPC__")
            .trim_end_matches("__LISTEN")
            .to_lowercase();
        settings.push_str(&format!(
            "\n[runtime.grpc.{service}]\nlisten = \"{addr}\"\n"
        ));
    }
    std::fs::write(&file, settings).expect("write settings");
    let path = file.to_str().expect("utf-8 path");
    let checks = json(&cli_with(
        &[],
        &["test-connection", "--json", "--config", path],
    ));
    let checks = checks.as_array().expect("an array");
    assert_eq!(checks.len(), 2, "{checks:?}");
    assert!(checks.iter().all(|c| c["ok"] == true), "{checks:?}");
}

#[test]
fn dead_letters_of_a_running_sandbox() {
    let sandbox = Sandbox::start();
    let listed = json(&sandbox.cli(&["dead-letters", "list", "--json"]));
    assert_eq!(listed, serde_json::json!([]));
    let out = sandbox.cli(&["dead-letters", "list"]);
    assert!(text(&out.stdout).contains("no dead letters"));

    let line = fails_with(&sandbox.cli(&["dead-letters", "show", "no-such-id"]), 1);
    assert!(line.contains("no-such-id"), "{line}");
    let line = fails_with(&sandbox.cli(&["dead-letters", "retry", "no-such-id"]), 1);
    assert!(line.contains("no-such-id"), "{line}");
    let line = fails_with(&sandbox.cli(&["dead-letters", "discard", "gone-id"]), 1);
    assert!(line.contains("gone-id"), "{line}");

    let line = fails_with(
        &sandbox.cli(&["dead-letters", "list", "--service", "order-sync"]),
        1,
    );
    assert!(line.contains("does not serve DeadLetters"), "{line}");
    // A service with no command services opens no port in the sandbox.
    let line = fails_with(
        &sandbox.cli(&["dead-letters", "list", "--service", "stock-sync"]),
        1,
    );
    assert!(line.contains("serves no DeadLetters"), "{line}");
    let out = sandbox.cli(&["dead-letters", "list", "--service", "billing-sync"]);
    fails_with(&out, 2);
}

#[test]
fn products_of_a_running_sandbox() {
    let sandbox = Sandbox::start();
    let out = sandbox.cli(&["products", "list"]);
    assert!(text(&out.stdout).contains("no products known yet"));
    seed_shirt(&sandbox);
    let out = sandbox.cli(&["products", "refresh"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("refreshed: 1 size items seen"),
        "{stdout}"
    );
    let refreshed = json(&sandbox.cli(&["products", "refresh", "--json"]));
    assert_eq!(refreshed["size_items_seen"], 1, "{refreshed}");

    let items = json(&sandbox.cli(&["products", "list", "--json"]));
    let items = items.as_array().expect("an array");
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["ean"], "7350000000016", "{items:?}");
    let article = items[0]["article_number"]
        .as_str()
        .expect("an article number")
        .to_owned();
    let out = sandbox.cli(&["products", "create", &article]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with(&format!("ok   {article}")), "{stdout}");

    let out = sandbox.cli(&["products", "create", "NO-SUCH-ARTICLE"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("NO-SUCH-ARTICLE"));
}

#[test]
fn completing_a_shipment_by_hand_on_a_running_sandbox() {
    // A short poll interval, so order-sync imports the shipment within the test.
    let sandbox = Sandbox::start_with(&[("CENTRA_WMS__SETTINGS__SYNC_INTERVAL", "1s")]);
    let out = sandbox.cli(&["shipments", "complete", "999999", "--capture", "false"]);
    let line = fails_with(&out, 1);
    assert!(line.contains("order-sync: not found"), "{line}");
    assert!(line.contains("999999"), "{line}");

    seed_shirt(&sandbox);
    let out = sandbox.cli(&["products", "refresh"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = sandbox.cli(&["products", "create", "SHIRTREDM"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    post_json(
        &sandbox.centra_sim,
        "/_sim/orders",
        &serde_json::json!({"order": {
            "orderId": "1001", "paid": true, "shouldCapture": true,
            "delivery": {"name": "A Person", "address": "Street 1", "zipcode": "11122",
                         "city": "Stockholm", "country": "SE", "email": "a@example.com"},
            "lines": [{"sku": "SHIRT", "variantSku": "RED", "sizeSku": "M", "qty": 1,
                       "price": 100}]
        }, "goodToGo": true}),
    );
    let args = [
        "shipments",
        "complete",
        "1001-1",
        "--capture",
        "false",
        "--json",
    ];
    let deadline = Instant::now() + Duration::from_secs(15);
    let done = loop {
        let out = sandbox.cli(&args);
        if out.status.success() {
            break json(&out);
        }
        assert!(
            Instant::now() < deadline,
            "never completed: {}",
            text(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(done["already_done"], false, "{done}");
    assert_eq!(done["capture"], false, "{done}");
    assert_eq!(done["state"], "completed", "{done}");
    let state = get_json(&sandbox.centra_sim, "/_sim/state");
    let shipment = &state["shipments"][0];
    assert_eq!(shipment["shipmentId"], "1001-1", "{state}");
    assert_eq!(shipment["completed"], true, "{state}");
    assert_eq!(shipment["captured"], false, "no capture asked: {state}");
    let again = json(&sandbox.cli(&args));
    assert_eq!(again["already_done"], true, "{again}");
    let out = sandbox.cli(&["shipments", "complete", "1001-1", "--capture", "true"]);
    assert!(
        text(&out.stdout).contains("already completed"),
        "{}",
        text(&out.stdout)
    );
}
