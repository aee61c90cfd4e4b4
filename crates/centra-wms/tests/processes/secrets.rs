//! No secret leaves a process in a log line or an exported span (#18).
//!
//! The six services run as separate processes with known, distinctive credentials everywhere
//! a deployment has one: the Centra end-point secret and webhook secret, the WMS password (and the HTTP Basic
//! header made from it), the gRPC token, the Ongoing webhook token, and passwords inside the
//! PostgreSQL and NATS URLs (this machine's servers accept any: trust auth, no NATS auth). Logs
//! are at `debug`, the simulators fail a share of the calls so the error paths log too, and
//! webhooks arrive with wrong tokens and signatures. Then every stderr line of every process
//! and every span the OTLP receiver got is searched for each secret.

use std::time::Duration;

use serde_json::json;

use super::support::{free_port, get_json, post_json, rows, shirt, start_simulator_with};
use super::{Deployment, Running, SERVICES, Setup, otlp, wait_for};

const CENTRA_SECRET: &str = "centra-secret-5f1c9a73e2";
const CENTRA_WEBHOOK_SECRET: &str = "centra-webhook-secret-0d7b2e94af";
const ONGOING_PASSWORD: &str = "ongoing-pass-8b3d0e6a41";
/// `base64("sandbox:ongoing-pass-8b3d0e6a41")`: the Basic header the gateway sends.
const ONGOING_BASIC: &str = "c2FuZGJveDpvbmdvaW5nLXBhc3MtOGIzZDBlNmE0MQ==";
const GRPC_TOKEN: &str = "grpc-token-2e7a94c1d8";
const WEBHOOK_TOKEN: &str = "webhook-token-6d0b3f8e25";
const DATABASE_PASSWORD: &str = "db-pass-9c4e1a7f30";
const NATS_PASSWORD: &str = "nats-pass-3a8e5c0b71";

/// Every secret of the deployment, with what it is.
const SECRETS: [(&str, &str); 8] = [
    ("Centra secret", CENTRA_SECRET),
    ("Centra webhook secret", CENTRA_WEBHOOK_SECRET),
    ("WMS password", ONGOING_PASSWORD),
    ("WMS Basic header", ONGOING_BASIC),
    ("gRPC token", GRPC_TOKEN),
    ("webhook token", WEBHOOK_TOKEN),
    ("PostgreSQL password", DATABASE_PASSWORD),
    ("NATS password", NATS_PASSWORD),
];

/// Each `(secret, where)` found in `texts` (`(where, text)`), at most one finding per pair.
fn leaks<'a>(texts: impl IntoIterator<Item = (String, &'a str)>) -> Vec<String> {
    let mut found = Vec::new();
    for (place, text) in texts {
        for (what, secret) in SECRETS {
            if let Some(at) = text.find(secret) {
                let line = text[..at].rsplit('\n').next().unwrap_or_default();
                found.push(format!("{what} in {place}: …{line}{secret}…"));
            }
        }
    }
    found
}

#[test]
fn the_search_finds_a_planted_secret() {
    let planted = format!("connecting to postgres://postgres:{DATABASE_PASSWORD}@db/x");
    assert_eq!(leaks([("a log".to_owned(), planted.as_str())]).len(), 1);
    assert!(leaks([("a log".to_owned(), "postgres://postgres:***@db/x")]).is_empty());
}

/// `url` with `user:password@` put in front of its host.
fn with_password(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_log_line_or_an_exported_span() {
    let test = "secrets in logs and spans";
    let Some(nats) = test_support::nats_url(test).await else {
        return;
    };
    let Some(database) = test_support::postgres_database(test).await else {
        return;
    };
    let prefix = test_support::unique("secrets");
    let otlp_addr = format!("127.0.0.1:{}", free_port());
    let receiver = otlp::Receiver::start(otlp_addr.parse().expect("an address")).await;
    let (centra_sim, centra) = start_simulator_with("centra", &["--secret", CENTRA_SECRET]);
    let (ongoing_sim, ongoing) = start_simulator_with("ongoing", &["--password", ONGOING_PASSWORD]);
    let _simulators = [
        Running::new("centra-sim", centra_sim),
        Running::new("ongoing-sim", ongoing_sim),
    ];
    let centra_webhooks = format!("127.0.0.1:{}", free_port());
    let ongoing_webhooks = format!("127.0.0.1:{}", free_port());
    let nats_url = with_password(&nats, "centra-wms", NATS_PASSWORD);
    let database_url = with_password(&database.url, "postgres", DATABASE_PASSWORD);
    let dir = tempfile::tempdir().expect("temp dir");
    let setup = Setup {
        centra: &centra,
        nats: &nats_url,
        database: &database_url,
        prefix: &prefix,
        otlp: &otlp_addr,
        centra_secret: CENTRA_SECRET,
        endpoint: format!("webhook_secret = \"{CENTRA_WEBHOOK_SECRET}\""),
        wms: format!(
            r#"[wms]
base_url = "http://{ongoing}"
warehouse = "sandbox"
user = "sandbox"
password = "{ONGOING_PASSWORD}"
goods_owner_id = 1
webhook_token = "{WEBHOOK_TOKEN}"
"#
        ),
        grpc_token: GRPC_TOKEN,
        log_filter: "debug",
        runtime: format!(
            "centra_webhook_listen = \"{centra_webhooks}\"\nongoing_webhook_listen = \"{ongoing_webhooks}\""
        ),
    };
    let mut deployment = Deployment {
        config: setup.write(dir.path()),
        health: Vec::new(),
        processes: Vec::new(),
    };
    for service in SERVICES {
        deployment.start(service);
    }
    deployment.wait_ready().await;

    // Every call may fail, be throttled or lose its answer: the error paths log what they know.
    for sim in [&centra, &ongoing] {
        post_json(
            sim,
            "/_sim/faults",
            &json!({"error_rate": 0.2, "throttle_rate": 0.1, "retry_after_s": 1,
                    "lost_response_rate": 0.1, "seed": 7}),
        );
    }
    post_json(&centra, "/_sim/products", &shirt());
    post_json(
        &centra,
        "/_sim/orders",
        &json!({"order": {"paid": true,
                          "delivery": {"name": "Ada", "address": "Storgatan 1", "zipcode": "11122",
                                       "city": "Stockholm", "country": "SE"},
                          "lines": [{"sku": "SHIRT", "variantSku": "RED", "sizeSku": "M",
                                     "ean": "7350000000016", "qty": 1, "price": "10.00"}]},
                "goodToGo": true}),
    );
    wait_for("the order in the wms", Duration::from_secs(90), || {
        let state = get_json(&ongoing, "/_sim/state");
        (!rows(&state, "orders").is_empty())
            .then_some(())
            .ok_or_else(|| state.to_string())
    })
    .await;

    // Webhooks with the wrong credentials are refused and logged, the right ones accepted.
    let http = reqwest::Client::new();
    for (token, expected) in [("not-the-token", 401), (WEBHOOK_TOKEN, 200)] {
        let answer = http
            .post(format!("http://{ongoing_webhooks}/webhooks/ongoing"))
            .header("x-auth-token", token)
            .body("{}")
            .send()
            .await
            .expect("ongoing webhook answers");
        assert_eq!(answer.status().as_u16(), expected, "token {token}");
    }
    let answer = http
        .post(format!("http://{centra_webhooks}/centra/shop/webhook"))
        .header("x-centra-signature", "t=1,v1=00")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("payload=%7B%7D")
        .send()
        .await
        .expect("centra webhook answers");
    assert_eq!(answer.status().as_u16(), 401, "a bad signature is refused");
    // Let the batch exporters send what the run made.
    tokio::time::sleep(Duration::from_secs(6)).await;

    let logs = deployment.stop();
    let spans = receiver.spans();
    // The search must have had something to search: debug lines from every process, the
    // faults' warnings, and the spans of the calls.
    for (service, log) in &logs {
        assert!(log.lines().count() > 20, "{service} logged at debug: {log}");
    }
    assert!(
        logs.iter()
            .any(|(_, log)| log.contains("WARN") || log.contains("ERROR")),
        "the faults were logged"
    );
    assert!(
        spans
            .iter()
            .any(|span| span.attributes.contains_key("url.full")),
        "the HTTP calls were exported: {} spans",
        spans.len()
    );
    let found = leaks(
        logs.iter()
            .map(|(service, log)| (format!("{service}'s log"), log.as_str()))
            .chain(spans.iter().map(|span| {
                (
                    format!("{}'s span {}", span.service, span.name),
                    span.raw.as_str(),
                )
            })),
    );
    assert!(found.is_empty(), "secrets leaked:\n{}", found.join("\n"));

    super::support::delete_stream(&nats, &prefix).await;
    database.drop_database().await;
}
