//! `centra-wms serve SERVICE --config FILE`: one service as its own process in the
//! distributed shape, on this machine's NATS JetStream and PostgreSQL (a database and stream
//! prefix of its own). It answers on its gRPC address, serves `/healthz`, `/readyz` and
//! `/metrics` on `runtime.health_listen`, and stops cleanly on SIGTERM.

mod support;

use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::free_port;

#[tokio::test]
async fn serve_runs_one_service_on_nats_and_postgres_and_stops_on_sigterm() {
    let test = "centra-wms serve";
    let Some(nats_url) = test_support::nats_url(test).await else {
        return;
    };
    let Some(database) = test_support::postgres_database(test).await else {
        return;
    };
    let grpc = format!("127.0.0.1:{}", free_port());
    let health = format!("127.0.0.1:{}", free_port());
    let prefix = test_support::unique("serve");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("centra-wms.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[settings]
centra_time_zone = "Europe/Stockholm"

[[settings.endpoints]]
name = "shop"
base_url = "http://127.0.0.1:9/api/order-api"
secret = "s"

[wms]
base_url = "http://127.0.0.1:9"
warehouse = "sandbox"
user = "sandbox"
password = "sandbox"
goods_owner_id = 1

[runtime]
mode = "distributed"
nats_url = "{nats_url}"
database_url = "{database}"
stream_prefix = "{prefix}"
log_filter = "warn"
health_listen = "{health}"

[runtime.grpc.order_sync]
listen = "{grpc}"
connect = "http://{grpc}"
"#,
            database = database.url,
            prefix = prefix,
        ),
    )
    .expect("config written");
    let mut child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
        .args(["serve", "order-sync", "--config"])
        .arg(&config)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(&grpc).is_err() {
        if let Ok(Some(exit)) = child.try_wait() {
            let out = child.wait_with_output().expect("output");
            panic!(
                "serve stopped ({exit:?}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(
            Instant::now() < deadline,
            "order-sync did not listen on {grpc}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let http = reqwest::Client::new();
    let get = |path: &str| {
        let request = http.get(format!("http://{health}{path}"));
        async move {
            let response = request.send().await.expect("health server answers");
            (
                response.status().as_u16(),
                response.text().await.unwrap_or_default(),
            )
        }
    };
    assert_eq!(get("/healthz").await.0, 200);
    // Ready once the service serves (store migrated) with the bus and the database reachable.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = get("/readyz").await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "never ready: {status} {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, body) = get("/metrics").await;
    assert_eq!(status, 200, "{body}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let out = child.wait_with_output().expect("serve exits");
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    support::delete_stream(&nats_url, &prefix).await;
    database.drop_database().await;
}

/// A gateway whose upstream refuses its credentials is alive but not ready, and `/readyz` says
/// which end-point and what the upstream answered; with the right ones it becomes ready.
#[tokio::test]
async fn a_gateway_is_ready_only_while_its_upstream_accepts_the_credentials() {
    let test = "centra-wms serve readiness";
    let Some(nats_url) = test_support::nats_url(test).await else {
        return;
    };
    let Some(database) = test_support::postgres_database(test).await else {
        return;
    };
    let (centra_sim, centra) = support::start_simulator("centra");
    let (ongoing_sim, ongoing) = support::start_simulator("ongoing");
    let _simulators = Killed(vec![centra_sim, ongoing_sim]);
    let prefix = test_support::unique("ready");
    let dir = tempfile::tempdir().expect("temp dir");
    let http = reqwest::Client::new();
    for (service, grpc_key) in [
        ("centra-gateway", "centra_gateway"),
        ("ongoing-gateway", "ongoing_gateway"),
    ] {
        let mut readyz = Vec::new();
        for (secret, password) in [
            ("not-the-secret", "not-the-password"),
            ("sandbox-secret", "sandbox"),
        ] {
            let grpc = format!("127.0.0.1:{}", free_port());
            let health = format!("127.0.0.1:{}", free_port());
            let config = dir.path().join(format!("{service}-{secret}.toml"));
            std::fs::write(
                &config,
                format!(
                    r#"
[settings]
centra_time_zone = "Europe/Stockholm"

[[settings.endpoints]]
name = "shop"
base_url = "http://{centra}/api/order-api"
secret = "{secret}"

[wms]
base_url = "http://{ongoing}"
warehouse = "sandbox"
user = "sandbox"
password = "{password}"
goods_owner_id = 1

[runtime]
mode = "distributed"
nats_url = "{nats_url}"
database_url = "{database}"
stream_prefix = "{prefix}"
log_filter = "error"
health_listen = "{health}"
centra_webhook_listen = "127.0.0.1:{centra_hook}"
ongoing_webhook_listen = "127.0.0.1:{ongoing_hook}"

[runtime.grpc.{grpc_key}]
listen = "{grpc}"
connect = "http://{grpc}"
"#,
                    database = database.url,
                    centra_hook = free_port(),
                    ongoing_hook = free_port(),
                ),
            )
            .expect("config written");
            let child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
                .args(["serve", service, "--config"])
                .arg(&config)
                .env_remove("RUST_LOG")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("serve starts");
            let mut running = Killed(vec![child]);
            // Settled: the first check answered (ready, or refused with the reason).
            let deadline = Instant::now() + Duration::from_secs(60);
            let (status, body) = loop {
                let answer = http.get(format!("http://{health}/readyz")).send().await;
                if let Ok(answer) = answer {
                    let status = answer.status().as_u16();
                    let body = answer.text().await.unwrap_or_default();
                    if status == 200 || body.contains("credentials refused") {
                        break (status, body);
                    }
                }
                assert!(Instant::now() < deadline, "{service} never settled");
                tokio::time::sleep(Duration::from_millis(200)).await;
            };
            let alive = http
                .get(format!("http://{health}/healthz"))
                .send()
                .await
                .map(|r| r.status().as_u16());
            assert_eq!(alive.ok(), Some(200), "{service} alive either way");
            // The answers were this child's, not another test's server on a reused port.
            let exited = running.0[0].try_wait().expect("child status");
            assert!(
                exited.is_none(),
                "{service} exited ({exited:?}) before its readiness was read: its health \
                 port {health} answered for another process"
            );
            readyz.push((status, body));
        }
        let (refused, accepted) = (&readyz[0], &readyz[1]);
        assert_eq!(refused.0, 503, "{service}: {refused:?}");
        let names = if service == "centra-gateway" {
            "centra end-point shop: credentials refused"
        } else {
            "wms sandbox: credentials refused"
        };
        assert!(refused.1.contains(names), "{service}: {}", refused.1);
        assert!(
            !refused.1.contains("not-the-"),
            "no secret in {}",
            refused.1
        );
        assert_eq!(accepted.0, 200, "{service}: {accepted:?}");
    }
    support::delete_stream(&nats_url, &prefix).await;
    database.drop_database().await;
}

/// Children killed on drop.
struct Killed(Vec<std::process::Child>);

impl Drop for Killed {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
