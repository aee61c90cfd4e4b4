//! A WMS return becomes one Centra return, then the WMS is told; every failure in between.

use std::error::Error as _;

use domain::{PortError, PortErrorKind};
use returns_sync::flow::FlowError;
use returns_sync::rules::ReturnState;

use crate::harness::{item, line, returned, settings, spawn_flow};
use returns_sync::fakes::Fault;

fn two_causes() -> proto::events::v1::WmsReturnReceived {
    returned(
        "100:a",
        "S1-1",
        vec![line(
            11,
            "L1",
            3,
            0,
            vec![
                item(1, "DMG", "Damaged", 10),
                item(2, "WS", "Too small", 20),
            ],
        )],
    )
}

#[tokio::test]
async fn a_return_reaches_centra_once_then_the_wms_is_told() {
    let t = spawn_flow(settings()).await;
    t.received("m1", &two_causes()).await.expect("handled");

    let created = t.centra_returns();
    assert_eq!(created.len(), 1);
    let centra = &created[0];
    assert_eq!(centra.idempotency_key, "100:a");
    assert_eq!(
        (centra.endpoint.as_str(), centra.shipment_id.as_str()),
        ("shop1", "1-1")
    );
    assert_eq!(centra.lines, [("L1".to_owned(), 3)].into());
    assert_eq!(
        centra.comment,
        "2 x Too small (WS); 1 x Damaged (DMG) (WMS return of order S1-1)"
    );
    assert_eq!(centra.return_stock, None, "store default");
    assert_eq!(t.reported(100, 11), 3);
    let record = t.record("100:a").await;
    assert_eq!(record.state(), ReturnState::Reported);
    assert_eq!(record.centra_return_id.as_deref(), Some("R1"));

    // Redelivery and a re-published event change nothing.
    t.received("m1", &two_causes()).await.expect("redelivery");
    t.received("m2", &two_causes())
        .await
        .expect("same return again");
    assert_eq!(t.centra_returns().len(), 1);
    assert_eq!(t.wms.with(|w| w.acknowledgements), 1);
}

#[tokio::test]
async fn with_stock_to_centra_centra_never_adds_the_units_itself() {
    let mut s = settings();
    s.stock_to_centra = true;
    let t = spawn_flow(s).await;
    t.received("m1", &two_causes()).await.expect("handled");
    assert_eq!(t.centra_returns()[0].return_stock, Some(false));

    let mut s = settings();
    s.return_stock = domain::settings::ReturnStock::Yes;
    let t = spawn_flow(s).await;
    t.received("m1", &two_causes()).await.expect("handled");
    assert_eq!(t.centra_returns()[0].return_stock, Some(true));
}

#[tokio::test]
async fn a_lost_centra_answer_is_retried_without_a_second_return() {
    let t = spawn_flow(settings()).await;
    t.centra.with(|c| c.next_fault = Fault::LoseAnswer);
    let error = t
        .received("m1", &two_causes())
        .await
        .expect_err("answer lost");
    assert!(matches!(error, FlowError::Unavailable(_)), "{error}");
    // The port error is the cause, whole: a log shows which service and why.
    let cause = error.source().and_then(|s| s.downcast_ref::<PortError>());
    assert_eq!(cause.map(PortError::kind), Some(PortErrorKind::Unavailable));
    assert_eq!(t.record("100:a").await.state(), ReturnState::Received);
    assert_eq!(
        t.reported(100, 11),
        0,
        "nothing reported before Centra answered"
    );

    // The bus redelivers the same message.
    t.received("m1", &two_causes()).await.expect("retried");
    assert_eq!(t.centra_returns().len(), 1);
    assert_eq!(t.record("100:a").await.state(), ReturnState::Reported);
    assert_eq!(t.reported(100, 11), 3);
}

#[tokio::test]
async fn a_wms_down_after_centra_has_it_resumes_at_the_acknowledgement() {
    let t = spawn_flow(settings()).await;
    t.wms.with(|w| w.next_fault = Fault::Down);
    t.received("m1", &two_causes()).await.expect_err("wms down");
    let record = t.record("100:a").await;
    assert_eq!(record.state(), ReturnState::Created);
    assert_eq!(t.centra_returns().len(), 1);
    assert_eq!(t.reported(100, 11), 0);

    // A restart (a new flow over the same store) gets the redelivery.
    t.received("m1", &two_causes()).await.expect("resumed");
    assert_eq!(t.centra_returns().len(), 1);
    assert_eq!(t.reported(100, 11), 3);
    assert_eq!(t.record("100:a").await.state(), ReturnState::Reported);
}

#[tokio::test]
async fn a_second_return_before_the_first_was_reported_takes_only_its_own_units() {
    let t = spawn_flow(settings()).await;
    // Return A (1 unit) is in Centra, but the WMS acknowledgement failed.
    let first = returned(
        "100:a",
        "S1-1",
        vec![line(11, "L1", 1, 0, vec![item(1, "DMG", "Damaged", 10)])],
    );
    t.wms.with(|w| w.next_fault = Fault::Down);
    t.received("m1", &first).await.expect_err("wms down");
    // Meanwhile the detector sees a second return on the line: the event holds both.
    let both = returned(
        "100:b",
        "S1-1",
        vec![line(
            11,
            "L1",
            3,
            0,
            vec![
                item(1, "DMG", "Damaged", 10),
                item(2, "WS", "Too small", 20),
            ],
        )],
    );
    t.received("m2", &both).await.expect("second return");
    t.received("m1", &first).await.expect("first resumes");

    let mut created = t.centra_returns();
    created.sort_by(|a, b| a.idempotency_key.cmp(&b.idempotency_key));
    assert_eq!(created.len(), 2);
    assert_eq!(created[0].lines, [("L1".to_owned(), 1)].into());
    assert_eq!(created[1].lines, [("L1".to_owned(), 2)].into());
    assert!(
        created[1].comment.starts_with("2 x Too small (WS)"),
        "{}",
        created[1].comment
    );
    assert_eq!(
        t.reported(100, 11),
        3,
        "a late acknowledgement never lowers"
    );
}

#[tokio::test]
async fn returns_that_do_not_fit_are_parked_with_the_reason() {
    let t = spawn_flow(settings()).await;
    let cases = [
        (
            returned("x:1", "X-77", vec![line(1, "L1", 1, 0, vec![])]),
            "not_imported",
            "order X-77: not imported by centra-wms (its number belongs to no configured end-point)",
        ),
        (
            returned("x:2", "S1-1", vec![line(1, "L9", 1, 0, vec![])]),
            "line_not_on_shipment",
            "shipment 1-1: line L9 (ART-1) is not on the centra shipment",
        ),
        (
            returned("x:3", "S1-1", vec![line(2, "L2", 2, 0, vec![])]),
            "too_many",
            "shipment 1-1: line L2 (ART-2): returning 2 but 1 shipped and 0 returned before",
        ),
        (
            returned("x:4", "S1-1", vec![line(3, "", 1, 0, vec![])]),
            "no_shipment_line",
            "wms line 3 (ART-3): field externalId is empty, so no centra shipment line to return against",
        ),
        (
            returned("x:5", "S2-1", vec![line(1, "L1", 1, 0, vec![])]),
            "shipment_unknown",
            "shipment 2-1: centra refused it: no shipment 2-1",
        ),
        (
            returned("x:6", "S1234", vec![line(1, "L1", 1, 0, vec![])]),
            "imported_as_order",
            "order S1234: imported as Centra order 1234, not as a shipment; a Centra return needs the shipment lines",
        ),
    ];
    for (i, (event, kind, text)) in cases.iter().enumerate() {
        let mut event = event.clone();
        event.order_id = 200 + i64::try_from(i).expect("small");
        t.received(&format!("p{i}"), &event)
            .await
            .expect("parked, not failed");
        let record = t.record(&event.return_id).await;
        assert_eq!(record.state(), ReturnState::Parked, "{kind}");
        let reason = record.reason().expect("reason");
        assert_eq!(reason.kind(), *kind);
        assert_eq!(reason.to_string(), *text);
    }
    assert!(t.centra_returns().is_empty());
    assert_eq!(t.wms.with(|w| w.acknowledgements), 0);

    // A good return still flows past the parked ones.
    t.received("ok", &two_causes()).await.expect("handled");
    assert_eq!(t.centra_returns().len(), 1);
}

#[tokio::test]
async fn a_centra_refusal_parks_and_a_retry_creates_it_once() {
    let t = spawn_flow(settings()).await;
    t.centra.with(|c| c.next_fault = Fault::Refuse);
    t.received("m1", &two_causes()).await.expect("parked");
    let record = t.record("100:a").await;
    assert_eq!(record.state(), ReturnState::Parked);
    assert_eq!(
        record.reason().map(|r| r.to_string()).as_deref(),
        Some("centra refused the return: line 9 cannot be returned")
    );
    let record = t.flow.retry("100:a").await.expect("retry");
    assert_eq!(record.state(), ReturnState::Reported);
    let record = t.flow.retry("100:a").await.expect("retry twice");
    assert_eq!(record.state(), ReturnState::Reported);
    assert_eq!(t.centra_returns().len(), 1);
    assert_eq!(t.wms.with(|w| w.acknowledgements), 1);
}

#[tokio::test]
async fn a_wms_refusal_after_centra_has_it_resumes_at_the_acknowledgement() {
    let t = spawn_flow(settings()).await;
    t.wms.with(|w| w.next_fault = Fault::Refuse);
    t.received("m1", &two_causes()).await.expect("parked");
    let record = t.record("100:a").await;
    assert_eq!(record.state(), ReturnState::Parked);
    assert_eq!(record.reason().map(|r| r.kind()), Some("wms_refused"));
    assert_eq!(t.centra_returns().len(), 1);

    t.flow.retry("100:a").await.expect("retry");
    assert_eq!(t.centra_returns().len(), 1, "not created twice");
    assert_eq!(t.reported(100, 11), 3);
}

#[tokio::test]
async fn unreadable_events_are_refused_with_the_field() {
    let t = spawn_flow(settings()).await;
    let mut event = two_causes();
    event.lines[0].returned_number_of_items = -1;
    let error = t.received("bad", &event).await.expect_err("invalid");
    let FlowError::Invalid(invalid) = error else {
        panic!("not invalid: {error:?}");
    };
    assert_eq!(
        (invalid.record.as_str(), invalid.field.as_str()),
        ("return 100:a", "lines[0].returned_number_of_items")
    );
    assert_eq!(invalid.problem, "is negative");
    let mut event = two_causes();
    event.return_id = String::new();
    assert!(matches!(
        t.received("bad2", &event).await,
        Err(FlowError::Invalid(_))
    ));
}

#[tokio::test]
async fn a_retry_names_the_return_it_cannot_find() {
    let t = spawn_flow(settings()).await;
    let error = t.flow.retry("nope").await.expect_err("unknown");
    assert!(
        matches!(&error, FlowError::NotFound { return_id } if return_id == "nope"),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "no return nope");
}
