//! What the binary's tests share: free ports, a `centra-wms sandbox` child process that the
//! CLI can reach, and small helpers for its output and the simulators' control API.
//!
//! Each test binary uses a part of it, hence `dead_code` is allowed here only.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The services, as they appear in `CENTRA_WMS__RUNTIME__GRPC__<SERVICE>__LISTEN`.
pub const SERVICES: [&str; 7] = [
    "CENTRA_GATEWAY",
    "ONGOING_GATEWAY",
    "OGOSHIP_GATEWAY",
    "CATALOG_SYNC",
    "ORDER_SYNC",
    "STOCK_SYNC",
    "RETURNS_SYNC",
];

/// The sandbox's default simulator ports, which the README tour (`readme.rs`) uses as
/// written: never handed out here, or another test could hold one when the tour starts.
const SANDBOX_SIMULATOR_PORTS: [u16; 2] = [18081, 18082];

/// A port that is free now, below Linux's ephemeral range (32768+): simulators and gRPC
/// servers on port 0 get theirs from that range, so one from there could be taken before the
/// sandbox binds it. The range depends on the process id and each call moves on, so test
/// binaries running side by side rarely meet, and a taken port is skipped.
pub fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = (std::process::id() % 600) as u16 * 20;
    loop {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 10_000 + (base + offset) % 22_000;
        if SANDBOX_SIMULATOR_PORTS.contains(&port) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// `CENTRA_WMS__RUNTIME__GRPC__<SERVICE>__LISTEN` for every service, on fresh free ports;
/// the sandbox and the CLI read the same variables, so the CLI finds the sandbox.
pub fn grpc_ports() -> Vec<(String, String)> {
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

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The CLI with `env` (usually a sandbox's gRPC ports).
pub fn cli_with(env: &[(String, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_centra-wms"))
        .args(args)
        .env_remove("RUST_LOG")
        .envs(env.iter().cloned())
        .output()
        .expect("binary runs")
}

/// Asserts exit `code` and one error line on stderr (no panic, no backtrace); returns it.
pub fn fails_with(out: &Output, code: i32) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not json ({e}): {}", text(&out.stdout)))
}

/// One HTTP/1.1 exchange with `Connection: close`; the whole answer as text.
fn exchange(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("simulator reachable");
    stream.write_all(request.as_bytes()).expect("request sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer read");
    answer
}

/// `GET path` as JSON (the body after the headers; the simulators answer with a length).
pub fn get_json(addr: &str, path: &str) -> Value {
    let answer = exchange(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not json ({e}): {answer}"))
}

/// `POST path` with a JSON body; panics unless the answer is 2xx; the answer's JSON (null
/// when it has none).
pub fn post_json(addr: &str, path: &str, body: &Value) -> Value {
    let body = body.to_string();
    let answer = exchange(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 2"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or(Value::Null)
}

/// `POST /_sim/products` body: one active size row, article `SHIRTREDM` by the default rule
/// (EAN 7350000000016).
pub fn shirt() -> Value {
    serde_json::json!({"products": [{
        "productId": 1, "product": "Shirt", "name": "Shirt", "variantId": 11,
        "variant": "Red", "variantSku": "RED", "sku": "SHIRT", "stockItemId": 111,
        "size": "M", "sizeSku": "M", "ean": "7350000000016", "active": true,
        "weight": 0.2, "weightUnit": "kg", "countryOfOrigin": "SE", "harmCode": "6109",
        "prices": [{"pricelist": "1", "currency": "SEK", "price": 100.0}],
        "physicalStock": 5
    }]})
}

/// `centra-wms sim WHICH` on port 0, once it printed its ready line: the child (its stdout
/// kept open, so later prints never meet a closed pipe) and its `host:port`.
pub fn start_simulator(which: &str) -> (Child, String) {
    start_simulator_with(which, &[])
}

/// [`start_simulator`] with more arguments (its credentials, say).
pub fn start_simulator_with(which: &str, args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
        .args(["sim", which, "--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("simulator starts");
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    stdout.read_line(&mut line).expect("ready line");
    child.stdout = Some(stdout.into_inner());
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    (child, addr)
}

/// Asks `done` every `every` until it answers `None` (done); fails with its last answer
/// (what it saw instead) after `limit`. `every` is the caller's because a poll's cost varies:
/// a simulator's state is a cheap read, a `cargo run … status` a process spawned.
pub fn wait_until(
    what: &str,
    limit: Duration,
    every: Duration,
    mut done: impl FnMut() -> Option<String>,
) {
    let started = Instant::now();
    while let Some(seen) = done() {
        assert!(started.elapsed() < limit, "{what} within {limit:?}: {seen}");
        std::thread::sleep(every);
    }
}

/// Waits (four times a second, up to a minute) until a row under `key` of the simulator
/// `sim`'s state satisfies `found`; fails with the last state.
pub fn wait_for_row(what: &str, sim: &str, key: &str, found: impl Fn(&Value) -> bool) {
    wait_until(
        what,
        Duration::from_secs(60),
        Duration::from_millis(250),
        || {
            let state = get_json(sim, "/_sim/state");
            (!rows(&state, key).iter().any(&found)).then(|| state.to_string())
        },
    );
}

/// The rows under `key` of a simulator state.
pub fn rows<'a>(state: &'a Value, key: &str) -> &'a [Value] {
    state[key].as_array().map_or(&[], Vec::as_slice)
}

/// A `centra-wms sandbox` child on free ports (gRPC and webhook receivers; the simulators on
/// port 0, read back from what it prints). Its stdout lines are collected as they come.
/// Killed on drop.
pub struct Sandbox {
    pub child: Child,
    /// The gRPC addresses it was started with; [`Sandbox::cli`] passes them on.
    pub env: Vec<(String, String)>,
    /// `host:port` of the Centra simulator's control API.
    pub centra: String,
    /// `host:port` of the WMS simulator's control API (Ongoing, or OGOship with
    /// `--wms ogoship`).
    pub wms: String,
    /// Started with `--wms ogoship`: the CLI gets the same flag to find it.
    ogoship: bool,
    lines: Arc<Mutex<Vec<String>>>,
    data_dir: PathBuf,
    /// The data folder when the sandbox made it (removed on drop).
    _temporary: Option<tempfile::TempDir>,
}

impl Sandbox {
    /// Starts `centra-wms sandbox ARGS` and waits until its command services answer.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with(args, &[])
    }

    /// [`Sandbox::start`] with extra settings (`CENTRA_WMS__…` variables).
    pub fn start_with(args: &[&str], settings: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let mut sandbox = Self::launch(data.path(), args, settings);
        sandbox._temporary = Some(data);
        sandbox
    }

    /// [`Sandbox::start`] keeping its state in `data_dir` (which outlives it).
    pub fn start_in(data_dir: &Path, args: &[&str]) -> Self {
        Self::launch(data_dir, args, &[])
    }

    fn launch(data_dir: &Path, args: &[&str], settings: &[(&str, &str)]) -> Self {
        let env = grpc_ports();
        let ogoship = args.windows(2).any(|pair| pair == ["--wms", "ogoship"]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
            .arg("sandbox")
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--centra-addr", "127.0.0.1:0", "--wms-addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("RUST_LOG")
            .env("CENTRA_WMS__RUNTIME__LOG_FILTER", "warn")
            .env(
                "CENTRA_WMS__RUNTIME__CENTRA_WEBHOOK_LISTEN",
                format!("127.0.0.1:{}", free_port()),
            )
            .env(
                "CENTRA_WMS__RUNTIME__ONGOING_WEBHOOK_LISTEN",
                format!("127.0.0.1:{}", free_port()),
            )
            .envs(env.iter().cloned())
            .envs(settings.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("sandbox starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut control = || {
            let mut line = String::new();
            stdout.read_line(&mut line).expect("a line");
            line.split("control api http://")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .unwrap_or_else(|| panic!("no control api in {line:?}"))
                .to_owned()
        };
        let centra = control();
        let wms = control();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let collected = lines.clone();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                collected.lock().expect("lines").push(line);
            }
        });
        let mut sandbox = Self {
            child,
            env,
            centra,
            wms,
            ogoship,
            lines,
            data_dir: data_dir.to_owned(),
            _temporary: None,
        };
        sandbox.wait_ready();
        sandbox
    }

    /// Waits until every service with command services (the gateways, catalog-sync and
    /// order-sync) accepts connections.
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        // One WMS gateway runs: the one of the sandbox's WMS.
        let idle_gateway = if self.ogoship {
            "ONGOING_GATEWAY"
        } else {
            "OGOSHIP_GATEWAY"
        };
        let served: Vec<String> = self
            .env
            .iter()
            .filter(|(key, _)| !key.contains("STOCK_SYNC") && !key.contains("RETURNS_SYNC"))
            .filter(|(key, _)| !key.contains(idle_gateway))
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

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Runs the CLI against this sandbox (with `--wms ogoship` when it runs OGOship).
    pub fn cli(&self, args: &[&str]) -> Output {
        let mut args = args.to_vec();
        if self.ogoship {
            args.extend(["--wms", "ogoship"]);
        }
        cli_with(&self.env, &args)
    }

    pub fn centra_state(&self) -> Value {
        get_json(&self.centra, "/_sim/state")
    }

    pub fn wms_state(&self) -> Value {
        get_json(&self.wms, "/_sim/state")
    }

    /// Polls both states twice a second until `done(centra, wms)` holds; fails with the last
    /// states after `limit`, or at once when the sandbox stops.
    pub fn wait_for(&mut self, what: &str, limit: Duration, done: impl Fn(&Value, &Value) -> bool) {
        self.wait_until(what, limit, Duration::from_millis(500), |sandbox| {
            let (centra, wms) = (sandbox.centra_state(), sandbox.wms_state());
            (!done(&centra, &wms)).then(|| format!("centra: {centra}\nwms: {wms}"))
        });
    }

    /// [`wait_until`] with the sandbox passed to `done`, so it can read anything (the
    /// simulators' states, the CLI's answer); fails at once when the sandbox stops.
    pub fn wait_until(
        &mut self,
        what: &str,
        limit: Duration,
        every: Duration,
        mut done: impl FnMut(&Self) -> Option<String>,
    ) {
        wait_until(what, limit, every, || {
            let seen = done(self)?;
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!("the sandbox stopped ({exit:?}) before {what}; {seen}");
            }
            Some(seen)
        });
    }

    /// Ctrl-C (SIGINT), then the exit status and every line printed.
    pub fn interrupt(mut self) -> (ExitStatus, Vec<String>) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        let exit = loop {
            if let Some(exit) = self.child.try_wait().expect("wait") {
                break exit;
            }
            assert!(Instant::now() < deadline, "no exit 30 s after ctrl-c");
            std::thread::sleep(Duration::from_millis(100));
        };
        // The reader thread ends with the pipe; give it a moment to take the last lines.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Arc::strong_count(&self.lines) > 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let lines = self.lines.lock().expect("lines").clone();
        (exit, lines)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Deletes the JetStream stream of the bus prefix `prefix` on `nats_url`, so a test over NATS
/// leaves nothing behind (its database is dropped by `test_support`).
pub async fn delete_stream(nats_url: &str, prefix: &str) {
    let bus = platform_bus::NatsBus::connect(platform_bus::NatsBusConfig::new(
        nats_url,
        platform_runtime::stream_name(prefix),
        prefix,
    ))
    .await
    .expect("reconnect for cleanup");
    bus.delete_stream().await.expect("stream deleted");
}

/// The `[wms]` table of a test configuration: ongoing-sim's defaults at `ongoing` (host:port).
pub fn ongoing_wms_table(ongoing: &str) -> String {
    format!(
        r#"[wms]
base_url = "http://{ongoing}"
warehouse = "sandbox"
user = "sandbox"
password = "sandbox"
goods_owner_id = 1
"#
    )
}
