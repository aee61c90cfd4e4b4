//! The consume loop settles each delivery by the handler's answer.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use platform_bus::{
    Bus, ConsumerConfig, EmbeddedBus, EmbeddedBusConfig, MessageId, OutgoingMessage,
};
use platform_runtime::{CancellationToken, Handled, consume};

#[tokio::test]
async fn done_is_acked_retry_comes_back_rejected_never_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bus.db").display().to_string();
    let bus = EmbeddedBus::open(&path, EmbeddedBusConfig::default())
        .await
        .expect("bus");
    for id in ["ok-1", "retry-once", "bad-1"] {
        bus.publish(OutgoingMessage::new(
            "centra.shop1.product.changed",
            MessageId::new(id),
            Bytes::from_static(b"x"),
        ))
        .await
        .expect("published");
    }
    let seen: Arc<Mutex<Vec<(String, u32)>>> = Arc::default();
    let stop = CancellationToken::new();
    let running = tokio::spawn({
        let bus = bus.clone();
        let seen = seen.clone();
        let stop = stop.clone();
        async move {
            let config = ConsumerConfig::new("catalog-sync")
                .with_filter("centra.*.product.>")
                .with_ack_wait(Duration::from_secs(2));
            consume(&bus, config, stop, |delivery| {
                let id = delivery.id.as_str().to_owned();
                let count = delivery.delivery_count;
                seen.lock().expect("lock").push((id.clone(), count));
                async move {
                    match id.as_str() {
                        "retry-once" if count == 1 => Handled::Retry {
                            after: Duration::from_millis(200),
                            reason: "wms unreachable".to_owned(),
                        },
                        "bad-1" => Handled::Rejected {
                            reason: "missing sku".to_owned(),
                        },
                        _ => Handled::Done,
                    }
                }
            })
            .await
        }
    });

    // Wait until the retried message came back, then long enough for any wrong redelivery.
    for _ in 0..100 {
        if seen
            .lock()
            .expect("lock")
            .iter()
            .any(|(id, n)| id == "retry-once" && *n == 2)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    stop.cancel();
    running.await.expect("joins").expect("consumer ran");

    let seen = seen.lock().expect("lock").clone();
    let count = |id: &str| seen.iter().filter(|(s, _)| s == id).count();
    assert_eq!(count("ok-1"), 1, "{seen:?}");
    assert_eq!(count("retry-once"), 2, "{seen:?}");
    assert_eq!(count("bad-1"), 1, "rejected is never redelivered: {seen:?}");
}
