//! A person discards a parked return with a reason: only a parked one, the reason and who kept
//! with the record, never picked up again by the service (a redelivery, a resync), and only a
//! person's retry takes it back, parked as before, then run.

use proto::admin::v1 as pb;
use proto::admin::v1::returns_admin_server::ReturnsAdmin;
use returns_sync::admin::Admin;
use returns_sync::fakes::Fault;
use returns_sync::flow::FlowError;
use returns_sync::rules::{ParkReason, ReturnState};
use tonic::{Code, Request};

use crate::harness::{item, line, returned, settings, spawn_flow};

fn one_line() -> proto::events::v1::WmsReturnReceived {
    returned(
        "100:a",
        "S1-1",
        vec![line(11, "L1", 3, 0, vec![item(1, "DMG", "Damaged", 10)])],
    )
}

#[tokio::test]
async fn a_discarded_return_keeps_its_reason_is_left_alone_and_a_retry_takes_it_back() {
    let t = spawn_flow(settings()).await;
    t.centra.with(|c| c.next_fault = Fault::Refuse);
    t.received("m1", &one_line()).await.expect("parked");
    let parked = t.record("100:a").await.reason().cloned().expect("reason");

    let admin = Admin::new(t.flow.clone());
    let answer = admin
        .discard_return(Request::new(pb::DiscardReturnRequest {
            return_id: "100:a".into(),
            reason: "credited by hand in Centra".into(),
            by: "admin".into(),
        }))
        .await
        .expect("discarded")
        .into_inner()
        .summary
        .expect("summary");
    assert_eq!(answer.state, pb::ReturnState::Discarded as i32);
    assert_eq!(answer.reason_kind, "discarded");
    assert!(
        answer
            .reason
            .starts_with("discarded by admin: credited by hand in Centra (was: centra refused"),
        "{}",
        answer.reason
    );
    let record = t.record("100:a").await;
    assert_eq!(record.state(), ReturnState::Discarded);
    assert_eq!(
        record.reason().cloned(),
        Some(ParkReason::Discarded {
            reason: "credited by hand in Centra".into(),
            by: "admin".into(),
            was: Box::new(parked.clone()),
        })
    );

    // The WMS lists it again, a resync runs: neither picks it up.
    t.received("m2", &one_line()).await.expect("redelivered");
    let (found, finished) = t.flow.resync(None, None, true).await.expect("resync");
    assert_eq!((found, finished), (0, 0));
    assert_eq!(t.record("100:a").await.state(), ReturnState::Discarded);
    assert!(t.centra_returns().is_empty());

    // Discarding again changes nothing; a person's retry takes it back and runs it.
    let again = t
        .flow
        .discard("100:a", "twice", "other")
        .await
        .expect("already discarded");
    assert_eq!(again.reason(), record.reason());
    let record = t.flow.retry("100:a").await.expect("retry");
    assert_eq!(record.state(), ReturnState::Reported);
    assert_eq!(t.centra_returns().len(), 1);
}

#[tokio::test]
async fn only_a_parked_return_with_a_reason_is_discarded() {
    let t = spawn_flow(settings()).await;
    t.received("m1", &one_line()).await.expect("reported");
    assert_eq!(t.record("100:a").await.state(), ReturnState::Reported);
    match t.flow.discard("100:a", "no", "admin").await {
        Err(FlowError::NotDiscardable { return_id, problem }) => {
            assert_eq!(return_id, "100:a");
            assert!(problem.contains("reported"), "{problem}");
        }
        other => panic!("expected NotDiscardable, got {other:?}"),
    }
    let admin = Admin::new(t.flow.clone());
    let no_reason = admin
        .discard_return(Request::new(pb::DiscardReturnRequest {
            return_id: "100:a".into(),
            reason: " ".into(),
            by: "admin".into(),
        }))
        .await
        .expect_err("a reason is required");
    assert_eq!(no_reason.code(), Code::FailedPrecondition);
    assert!(
        no_reason.message().contains("reason"),
        "{}",
        no_reason.message()
    );
    let unknown = admin
        .discard_return(Request::new(pb::DiscardReturnRequest {
            return_id: "404:x".into(),
            reason: "gone".into(),
            by: "admin".into(),
        }))
        .await
        .expect_err("unknown");
    assert_eq!(unknown.code(), Code::NotFound);
    assert_eq!(t.record("100:a").await.state(), ReturnState::Reported);
}
