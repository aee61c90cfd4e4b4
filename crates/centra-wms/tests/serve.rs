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
    let bus = platform_bus::NatsBus::connect(platform_bus::NatsBusConfig::new(
        nats_url,
        platform_runtime::stream_name(&prefix),
        prefix.as_str(),
    ))
    .await
    .expect("reconnect for cleanup");
    bus.delete_stream().await.expect("stream deleted");
    database.drop_database().await;
}
