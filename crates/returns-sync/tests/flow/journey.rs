//! A return's journey, as Find shows it (`ReturnsAdmin.FindReturns`): every save of the record
//! writes what changed, so a return parked by Centra's refusal, discarded by a person and
//! retried (taken straight to Centra: one save from discarded to created) shows each step
//! with who and why, found by its return id or its WMS order number.
//! On SQLite here, on PostgreSQL where the database is up.

use proto::admin::v1 as pb;
use proto::admin::v1::returns_admin_server::ReturnsAdmin;
use returns_sync::admin::Admin;
use returns_sync::fakes::Fault;
use tonic::{Code, Request};

use crate::harness::{TestFlow, item, line, returned, settings, spawn_flow, spawn_flow_on};

async fn find(admin: &Admin, query: &str) -> Vec<pb::FoundReturn> {
    admin
        .find_returns(Request::new(pb::FindReturnsRequest {
            query: query.into(),
        }))
        .await
        .expect("answered")
        .into_inner()
        .returns
}

fn steps(found: &pb::FoundReturn) -> Vec<(String, String)> {
    found
        .journey
        .iter()
        .map(|s| (s.step.clone(), s.detail.clone()))
        .collect()
}

async fn parked_discarded_retried(t: TestFlow) {
    let event = returned(
        "100:a",
        "S1-1",
        vec![line(11, "L1", 2, 0, vec![item(2, "DMG", "Damaged", 10)])],
    );
    t.centra.with(|c| c.next_fault = Fault::Refuse);
    t.received("m1", &event).await.expect("parked");
    let admin = Admin::new(t.flow.clone());
    admin
        .discard_return(Request::new(pb::DiscardReturnRequest {
            return_id: "100:a".into(),
            reason: "credited by hand".into(),
            by: "admin".into(),
        }))
        .await
        .expect("discarded");
    t.received("m2", &event)
        .await
        .expect("a redelivery adds nothing");
    t.flow.retry("100:a").await.expect("retried");

    let by_id = find(&admin, "100:a").await;
    assert_eq!(by_id.len(), 1);
    let journey = steps(&by_id[0]);
    let names: Vec<&str> = journey.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        names,
        [
            "received",
            "state",
            "state",
            "parked",
            "state",
            "discarded",
            "retried",
            "created in centra",
            "state",
            "reported",
            "state",
        ],
        "{journey:?}"
    );
    let detail = |n: usize| journey[n].1.as_str();
    assert_eq!(detail(1), "- -> received");
    assert_eq!(detail(2), "received -> parked");
    assert!(detail(3).starts_with("centra refused"), "{journey:?}");
    assert!(
        detail(5).starts_with("discarded by admin: credited by hand (was: centra refused"),
        "{journey:?}"
    );
    assert_eq!(detail(6), "taken up again from discarded");
    assert_eq!(detail(8), "discarded -> created");
    assert_eq!(detail(10), "created -> reported");
    assert!(by_id[0].journey.iter().all(|s| s.at.is_some()));

    let by_order = find(&admin, "S1-1").await;
    assert_eq!(by_order.len(), 1);
    assert_eq!(steps(&by_order[0]), journey);
    assert!(find(&admin, "nothing").await.is_empty());
    let refused = admin
        .find_returns(Request::new(pb::FindReturnsRequest { query: " ".into() }))
        .await
        .expect_err("empty");
    assert_eq!(refused.code(), Code::InvalidArgument);
}

#[tokio::test]
async fn a_returns_journey_shows_parked_discarded_retried_and_reported_on_sqlite() {
    parked_discarded_retried(spawn_flow(settings()).await).await;
}

#[tokio::test]
async fn a_returns_journey_shows_parked_discarded_retried_and_reported_on_postgres() {
    let Some(database) = test_support::postgres_database("returns-sync journey on postgres").await
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    parked_discarded_retried(spawn_flow_on(settings(), database.url.clone(), dir).await).await;
    database.drop_database().await;
}

/// Each step keeps the trace id of the work that made it: the steps of a traced delivery carry
/// its trace, those of an untraced retry none.
#[tokio::test]
async fn each_step_keeps_the_trace_of_the_work_that_made_it() {
    use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
    use tracing::Instrument as _;

    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(InMemorySpanExporter::default())
        .build();
    let subscriber = platform_telemetry::build_subscriber(
        &platform_telemetry::TelemetryConfig::new("returns-sync test"),
        Some(provider),
    )
    .expect("subscriber builds");
    let _default = tracing::subscriber::set_default(subscriber);

    let t = spawn_flow(settings()).await;
    let event = returned(
        "100:t",
        "S1-1",
        vec![line(11, "L1", 1, 0, vec![item(1, "DMG", "Damaged", 10)])],
    );
    t.centra.with(|c| c.next_fault = Fault::Refuse);
    let delivery = tracing::info_span!("delivery of the WMS's report");
    let trace = delivery
        .in_scope(platform_telemetry::current_trace_id)
        .expect("the delivery is traced")
        .to_string();
    t.received("m1", &event)
        .instrument(delivery)
        .await
        .expect("parked");
    t.flow.retry("100:t").await.expect("retried");

    let admin = Admin::new(t.flow.clone());
    let found = find(&admin, "100:t").await;
    let traced: Vec<(&str, &str)> = found[0]
        .journey
        .iter()
        .map(|s| (s.step.as_str(), s.trace_id.as_str()))
        .collect();
    assert_eq!(
        traced,
        [
            ("received", trace.as_str()),
            ("state", trace.as_str()),
            ("state", trace.as_str()),
            ("parked", trace.as_str()),
            ("retried", ""),
            ("created in centra", ""),
            ("state", ""),
            ("reported", ""),
            ("state", ""),
        ],
        "the delivery's steps carry its trace, the untraced retry's none"
    );
}
