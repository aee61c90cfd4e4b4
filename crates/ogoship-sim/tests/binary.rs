//! The `ogoship-sim` binary: prints exactly `listening on http://ADDR` when ready, takes the
//! documented flags, and stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[tokio::test]
async fn the_binary_announces_its_address_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ogoship-sim"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--client-id",
            "c1",
            "--client-secret",
            "s1",
            "--merchant-id",
            "m1",
            "--merchant-secret",
            "ms1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("reader")
    .expect("a line");
    let addr = line
        .trim_end()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(addr.parse::<std::net::SocketAddr>().is_ok(), "{addr}");

    let client = reqwest::Client::new();
    let health: Value = client
        .get(format!("http://{addr}/_sim/health"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(health["ok"], true);
    let token: Value = client
        .post(format!("http://{addr}/OAuth/Token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "c1"),
            ("client_secret", "s1"),
            ("username", "m1"),
            ("password", "ms1"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let access = token["access_token"]
        .as_str()
        .expect("the flags' credentials work");
    let orders = client
        .get(format!("http://{addr}/api/v1/orders"))
        .bearer_auth(access)
        .send()
        .await
        .expect("orders");
    assert_eq!(orders.status(), reqwest::StatusCode::OK);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 15 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "clean exit: {status}");
}
