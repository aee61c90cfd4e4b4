//! The page as the Helm chart runs it: `centra-wms serve admin-web` alone in the distributed
//! shape (this machine's NATS and PostgreSQL), reaching the services of a running sandbox over
//! their gRPC addresses. It becomes ready on `/readyz` (the chart's readiness probe), shows the
//! sandbox's products and dead letters, and stops cleanly on SIGTERM.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::http::Visitor;
use super::support::{delete_stream, free_port};
use super::{PASSWORD, PageUnderTest};

#[tokio::test(flavor = "multi_thread")]
async fn serve_admin_web_runs_the_page_alone_and_becomes_ready() {
    let test = "centra-wms serve admin-web";
    let Some(nats_url) = test_support::nats_url(test).await else {
        return;
    };
    let Some(database) = test_support::postgres_database(test).await else {
        return;
    };
    let sandbox = PageUnderTest::start();
    let listen = format!("127.0.0.1:{}", free_port());
    let health = format!("127.0.0.1:{}", free_port());
    let prefix = test_support::unique("admin-web");
    let settings = Path::new(env!("CARGO_MANIFEST_DIR")).join("sandbox.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
        .args(["serve", "admin-web", "--config"])
        .arg(&settings)
        .env_remove("RUST_LOG")
        // The sandbox's gRPC addresses: the page reaches its services there.
        .envs(sandbox.sandbox.env.iter().cloned())
        .env("CENTRA_WMS__RUNTIME__MODE", "distributed")
        .env("CENTRA_WMS__RUNTIME__NATS_URL", &nats_url)
        .env("CENTRA_WMS__RUNTIME__DATABASE_URL", &database.url)
        .env("CENTRA_WMS__RUNTIME__STREAM_PREFIX", &prefix)
        .env("CENTRA_WMS__RUNTIME__HEALTH_LISTEN", &health)
        .env("CENTRA_WMS__RUNTIME__LOG_FILTER", "warn")
        .env("CENTRA_WMS__ADMIN_WEB__LISTEN", &listen)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve admin-web starts");

    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(exit)) = child.try_wait() {
            let out = child.wait_with_output().expect("output");
            panic!(
                "serve admin-web stopped ({exit:?}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let answer = http.get(format!("http://{health}/readyz")).send().await;
        let (status, body) = match answer {
            Ok(answer) => (answer.status(), answer.text().await.unwrap_or_default()),
            Err(error) => (StatusCode::SERVICE_UNAVAILABLE, error.to_string()),
        };
        if status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "serve admin-web never ready: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let page = PageUnderTest {
        base: format!("http://{listen}"),
        ..sandbox
    };
    let mut person = Visitor::new();
    let (status, _) = person.sign_in(&page, PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, products) = person.get(&page.url("/products")).await;
    assert_eq!(status, StatusCode::OK, "{products}");
    assert!(
        products.contains("Shirt") && products.contains("rejected"),
        "the sandbox's products through catalog-sync's gRPC address: {products}"
    );
    let (_, _, letters) = person.get(&page.url("/dead-letters")).await;
    assert!(letters.contains(&page.letter), "{letters}");

    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(stopped.success());
    let out = child.wait_with_output().expect("serve exits");
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    delete_stream(&nats_url, &prefix).await;
    database.drop_database().await;
}
