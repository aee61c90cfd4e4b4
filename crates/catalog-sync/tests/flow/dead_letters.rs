//! The `DeadLetters` service: rejected sizes listed and shown, retried after the data is fixed
//! in Centra, discarded.

use std::time::{Duration, Instant};

use catalog_sync::dead_letters;
use catalog_sync::rules::CatalogRules;
use platform_runtime::DeadLetterService;
use proto::admin::v1 as pb;
use proto::admin::v1::dead_letters_server::DeadLetters as _;
use proto::admin::v1::retry_dead_letters_request::Selection;
use tonic::Request;

use crate::harness::{product, size, spawn_flow};

async fn listed(service: &DeadLetterService, include_discarded: bool) -> Vec<pb::DeadLetter> {
    service
        .list(Request::new(pb::ListDeadLettersRequest {
            flow: "article".into(),
            include_discarded,
            page_size: 0,
            page_token: String::new(),
        }))
        .await
        .expect("list")
        .into_inner()
        .dead_letters
}

#[tokio::test]
async fn a_rejected_size_is_listed_shown_and_retried_once_fixed() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let service = dead_letters::service(t.flow.clone());
    let mut bad = size("101", "M");
    bad.weight = "heavy".into();
    let mut p = product("1", vec![size("100", "S"), bad]);
    t.publish(&p);
    t.flow.reconcile(false).await.expect("reconcile");
    t.wms.take_writes();

    let letters = listed(&service, false).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].record_key, "shop1:101");
    assert_eq!(letters[0].reason, "weight \"heavy\" is not a number");
    assert_eq!(letters[0].state, pb::DeadLetterState::Parked as i32);
    let shown = service
        .show(Request::new(pb::ShowDeadLetterRequest {
            id: letters[0].id.clone(),
        }))
        .await
        .expect("show")
        .into_inner();
    assert!(shown.payload_json.contains("\"stock_item_id\": \"101\""));

    // Retrying before the fix parks it again.
    service
        .retry(Request::new(pb::RetryDeadLettersRequest {
            selection: Some(Selection::Flow("article".into())),
        }))
        .await
        .expect("retry");
    let parked_again = wait_until(|| async {
        listed(&service, false)
            .await
            .iter()
            .any(|l| l.state == pb::DeadLetterState::Parked as i32)
    })
    .await;
    assert!(parked_again, "still bad data is parked again");

    // Fixed in Centra: the retry writes it and the dead letter is resolved.
    p.sizes[1].weight = "0.5".into();
    t.publish(&p);
    let id = listed(&service, false).await[0].id.clone();
    let answer = service
        .retry(Request::new(pb::RetryDeadLettersRequest {
            selection: Some(Selection::Ids(pb::DeadLetterIds {
                ids: vec![id.clone(), "999".into()],
            })),
        }))
        .await
        .expect("retry")
        .into_inner();
    assert_eq!(answer.retried_ids, [id]);
    assert_eq!(answer.not_found_ids, ["999"]);
    let written = wait_until(|| async { t.wms.article("M411-740M").is_some() }).await;
    assert!(written, "the fixed size was written");
    assert!(
        listed(&service, false)
            .await
            .iter()
            .all(|l| l.state != pb::DeadLetterState::Parked as i32)
    );
}

#[tokio::test]
async fn a_discarded_record_is_listed_only_on_request() {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let service = dead_letters::service(t.flow.clone());
    let mut bad = size("101", "M");
    bad.weight = "-1".into();
    t.publish(&product("1", vec![bad]));
    t.flow.reconcile(false).await.expect("reconcile");
    let id = listed(&service, false).await[0].id.clone();
    let answer = service
        .discard(Request::new(pb::DiscardDeadLettersRequest {
            ids: vec![id.clone()],
            reason: "product is discontinued".into(),
        }))
        .await
        .expect("discard")
        .into_inner();
    assert_eq!(answer.discarded_ids, [id]);
    assert!(listed(&service, false).await.is_empty());
    assert_eq!(listed(&service, true).await.len(), 1);
}

/// Polls `check` for up to 10 s (the retry runs in the background).
async fn wait_until<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}
