//! The `centra-sim` binary: prints exactly `listening on http://ADDR`, serves, stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the child we started if the test fails before it stops.
struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[tokio::test]
async fn the_binary_announces_its_address_and_stops_on_sigterm() {
    let mut started = Started(
        Command::new(env!("CARGO_BIN_EXE_centra-sim"))
            .args(["--addr", "127.0.0.1:0", "--secret", "bin-secret"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("binary starts"),
    );
    let child = &mut started.0;
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .expect("a line on stdout");
    let addr = line
        .trim_end()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(addr.parse::<std::net::SocketAddr>().is_ok(), "{addr}");

    let client = reqwest::Client::new();
    let health = client
        .get(format!("http://{addr}/_sim/health"))
        .send()
        .await
        .expect("health answers");
    assert_eq!(health.status(), 200);
    let orders = client
        .get(format!("http://{addr}/api/order-api/orders"))
        .header("API-Authorization", "bin-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(orders.status(), 200);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            assert!(exit.success(), "clean exit, got {exit}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still running after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
