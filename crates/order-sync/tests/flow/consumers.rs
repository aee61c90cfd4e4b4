//! The consumers' answers to the bus: done, retry later, or rejected with a dead letter.

use bytes::Bytes;
use order_sync::consumers::{Feed, handle};
use order_sync::fakes::Fault;
use platform_runtime::Handled;
use platform_store::{DeadLetterFilter, MessageId};
use prost::Message;

use crate::harness::{good_to_go, settings, spawn_flow};

#[tokio::test]
async fn answers_done_retry_or_rejected() {
    let t = spawn_flow(settings()).await;
    let payload = Bytes::from(good_to_go("1-1").encode_to_vec());

    t.wms.with(|w| w.next_fault = Fault::Down);
    let retry = handle(
        &t.flow,
        Feed::GoodToGo,
        MessageId::new("m1"),
        payload.clone(),
        1,
    )
    .await;
    assert!(matches!(retry, Handled::Retry { .. }), "{retry:?}");
    let done = handle(&t.flow, Feed::GoodToGo, MessageId::new("m1"), payload, 2).await;
    assert!(matches!(done, Handled::Done), "{done:?}");

    let garbage = Bytes::from_static(b"\xff\xff not protobuf");
    let rejected = handle(&t.flow, Feed::Shipped, MessageId::new("m2"), garbage, 1).await;
    assert!(matches!(rejected, Handled::Rejected { .. }), "{rejected:?}");
    let letters = t
        .store
        .dead_letters()
        .list(&DeadLetterFilter::default())
        .await
        .expect("dead letters");
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].kind, "order-sync-shipped");
    assert!(
        letters[0].reason.contains("WmsOrderShipped"),
        "{}",
        letters[0].reason
    );
}

#[test]
fn consumers_read_their_subjects() {
    assert_eq!(
        Feed::GoodToGo.filter("main"),
        "centra.*.shipment.good-to-go"
    );
    assert_eq!(Feed::Shipped.filter("main"), "wms.main.order.shipped");
    assert_eq!(
        Feed::ArticleSynced.filter("main"),
        "wms.main.article.synced"
    );
    for feed in Feed::ALL {
        feed.config("main").validate().expect("valid consumer");
    }
}
