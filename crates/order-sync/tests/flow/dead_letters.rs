//! Retrying a dead letter replays the kept message: a good-to-go rejected because its
//! end-point was not configured is imported once a person adds the end-point (and restarts)
//! and retries it through the `DeadLetters` service.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use domain::Settings;
use order_sync::consumers::{Feed, handle};
use order_sync::dead_letters::MessageReplay;
use platform_runtime::{DeadLetterService, Handled};
use platform_store::{DeadLetterFilter, DeadLetterStatus, MessageId};
use prost::Message;
use proto::admin::v1 as pb;
use proto::admin::v1::dead_letters_server::DeadLetters;
use tonic::Request;

use crate::harness::{good_to_go, settings, spawn_flow_on};

fn with_second_endpoint() -> Settings {
    let mut settings = settings();
    settings.endpoints.push(
        serde_json::from_str(
            r#"{"name": "shop2", "base_url": "https://shop2.centra.com/api/order-api", "secret": "t", "order_number_prefix": "W"}"#,
        )
        .expect("end-point"),
    );
    settings
}

#[tokio::test]
async fn a_retried_dead_letter_is_handled_again_once_the_cause_is_fixed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/order-sync.db?mode=rwc", dir.path().display());
    let before = spawn_flow_on(settings(), url.clone(), tempfile::tempdir().expect("dir")).await;
    let mut event = good_to_go("7-1");
    event.endpoint = "shop2".into();
    let payload = Bytes::from(event.encode_to_vec());
    let rejected = handle(
        &before.flow,
        Feed::GoodToGo,
        MessageId::new("m7"),
        payload,
        1,
    )
    .await;
    assert!(matches!(rejected, Handled::Rejected { .. }), "{rejected:?}");
    let kept = before
        .store
        .dead_letters()
        .list(&DeadLetterFilter::default())
        .await
        .expect("letters");
    assert_eq!(kept.len(), 1, "kept: {kept:?}");

    // The person adds the end-point and restarts: a new flow over the same store.
    let after = spawn_flow_on(with_second_endpoint(), url, dir).await;
    let service = DeadLetterService::new(
        after.store.clone(),
        Arc::new(MessageReplay::new(after.flow.clone())),
    );
    let listed = service
        .list(Request::new(pb::ListDeadLettersRequest::default()))
        .await
        .expect("list")
        .into_inner();
    assert_eq!(listed.dead_letters.len(), 1, "{listed:?}");
    let letter = &listed.dead_letters[0];
    assert_eq!(letter.event_id, "m7");
    assert!(letter.reason.contains("shop2"), "{}", letter.reason);

    let answer = service
        .retry(Request::new(pb::RetryDeadLettersRequest {
            selection: Some(pb::retry_dead_letters_request::Selection::Ids(
                pb::DeadLetterIds {
                    ids: vec![letter.id.clone(), "999".into()],
                },
            )),
        }))
        .await
        .expect("retry")
        .into_inner();
    assert_eq!(answer.retried_ids, vec![letter.id.clone()]);
    assert_eq!(answer.not_found_ids, vec!["999".to_owned()]);

    let deadline = Instant::now() + Duration::from_secs(10);
    while after.wms.with(|w| w.creations) == 0 {
        assert!(
            Instant::now() < deadline,
            "the replayed shipment reached the wms"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(after.wms.with(|w| w.orders.contains_key("W7-1")));
    let letters = after
        .store
        .dead_letters()
        .list(&DeadLetterFilter {
            status: None,
            ..DeadLetterFilter::default()
        })
        .await
        .expect("letters");
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].status, DeadLetterStatus::Retried);

    // Retrying what is no longer open finds nothing.
    let again = service
        .retry(Request::new(pb::RetryDeadLettersRequest {
            selection: Some(pb::retry_dead_letters_request::Selection::Ids(
                pb::DeadLetterIds {
                    ids: vec![letter.id.clone()],
                },
            )),
        }))
        .await
        .expect("retry")
        .into_inner();
    assert!(again.retried_ids.is_empty());
}
