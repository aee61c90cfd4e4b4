//! The batched `ProductChanged` intake on the runtime's rules, on the embedded bus and on NATS
//! JetStream: an event that keeps failing is given up after `max_deliveries` into a dead letter
//! with its bytes, which `dead-letters retry` replays; a batch slower than the ack wait keeps
//! its deliveries (progress acks) instead of being handed to another replica meanwhile.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use catalog_sync::consumers::consume_in_batches;
use catalog_sync::dead_letters::RejectedRows;
use catalog_sync::flow::{CatalogFlow, FlowConfig};
use catalog_sync::ports::{ArticleSink, ArticleWrite, HeldArticle, PortError};
use catalog_sync::rules::{CatalogRules, WmsArticle};
use platform_bus::{
    Bus, ConsumerConfig, EmbeddedBus, EmbeddedBusConfig, MessageId, NatsBus, NatsBusConfig,
    OutgoingMessage,
};
use platform_runtime::{CancellationToken, DeadLetterRetry, Redelivery};
use platform_store::{DeadLetter, DeadLetterFilter, DeadLetterStatus, Store};
use prost::Message;
use proto::events::v1 as pb;

use crate::harness::{FakeWms, TestFlow, product, size, spawn_flow};

const SUBJECT: &str = "centra.shop1.product.changed";

/// A bus under test and what keeps it alive or cleans it up.
struct TestBus {
    bus: Arc<dyn Bus>,
    _dir: Option<tempfile::TempDir>,
    nats: Option<NatsBus>,
}

impl TestBus {
    async fn embedded() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bus.db").display().to_string();
        let config = EmbeddedBusConfig {
            poll_interval: Duration::from_millis(50),
            ..EmbeddedBusConfig::default()
        };
        let bus = EmbeddedBus::open(&path, config).await.expect("bus");
        Self {
            bus: Arc::new(bus),
            _dir: Some(dir),
            nats: None,
        }
    }

    /// `None` (the test said so on stderr) outside CI when no NATS server is configured.
    async fn nats(test: &str) -> Option<Self> {
        let url = test_support::nats_url(test).await?;
        let config = NatsBusConfig::new(
            url,
            test_support::unique("CWMS_CATALOG_INTAKE"),
            test_support::unique("cwmscatalogintake"),
        );
        let bus = NatsBus::connect(config).await.expect("connect to nats");
        Some(Self {
            bus: Arc::new(bus.clone()),
            _dir: None,
            nats: Some(bus),
        })
    }

    async fn finish(self) {
        if let Some(nats) = self.nats {
            nats.delete_stream().await.expect("test stream deleted");
        }
    }
}

fn consumer() -> ConsumerConfig {
    ConsumerConfig::new(catalog_sync::CONSUMER)
        .with_filter(SUBJECT)
        .with_ack_wait(Duration::from_secs(1))
}

fn redelivery(max_deliveries: u32) -> Redelivery {
    Redelivery {
        max_deliveries,
        first_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
    }
}

async fn publish(bus: &dyn Bus, id: &str, product: &pb::Product) {
    let event = pb::ProductChanged {
        meta: None,
        endpoint: "shop1".into(),
        product: Some(product.clone()),
    };
    bus.publish(OutgoingMessage::new(
        SUBJECT,
        MessageId::new(id),
        bytes::Bytes::from(event.encode_to_vec()),
    ))
    .await
    .expect("published");
}

async fn letters(store: &Store, status: DeadLetterStatus) -> Vec<DeadLetter> {
    store
        .dead_letters()
        .list(&DeadLetterFilter {
            kind: Some(catalog_sync::CONSUMER.to_owned()),
            status: Some(status),
            ..DeadLetterFilter::default()
        })
        .await
        .expect("dead letters")
}

/// Waits up to 20 s for `n` dead letters of the consumer's kind in `status`.
async fn wait_for_letters(store: &Store, status: DeadLetterStatus, n: usize) -> Vec<DeadLetter> {
    for _ in 0..400 {
        let found = letters(store, status).await;
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    letters(store, status).await
}

fn set_down(wms: &FakeWms, down: bool) {
    *wms.down.lock().expect("lock") = down;
}

/// The WMS down for good: the event is delivered `max_deliveries` times, then kept with its
/// bytes and acked (no more deliveries); the WMS back, `dead-letters retry` replays it and the
/// articles are written; a replay that fails again keeps the letter open.
async fn a_failing_event_is_given_up_and_replayed(bus: TestBus) {
    let t: TestFlow = spawn_flow(CatalogRules::default(), false).await;
    set_down(&t.wms, true);
    let p = product("1", vec![size("100", "S"), size("101", "M")]);
    publish(bus.bus.as_ref(), "centra:shop1:product:1:v1", &p).await;

    let stop = CancellationToken::new();
    let intake = {
        let (bus, flow, stop) = (bus.bus.clone(), t.flow.clone(), stop.clone());
        tokio::spawn(async move {
            consume_in_batches(bus.as_ref(), consumer(), redelivery(3), stop, &flow).await
        })
    };
    let kept = wait_for_letters(&t.store, DeadLetterStatus::Open, 1).await;
    assert_eq!(kept.len(), 1, "the event is kept after 3 deliveries");
    let letter = &kept[0];
    assert_eq!(letter.record_key, "centra:shop1:product:1:v1");
    assert_eq!(letter.attempts, 3);
    assert!(
        letter.reason.starts_with("gave up after 3 deliveries: "),
        "{}",
        letter.reason
    );
    assert_eq!(letter.payload["subject"], SUBJECT);
    assert!(letter.payload["protobuf_hex"].is_string());
    // Acked: no fourth delivery reaches the flow (the WMS, back now, would be written).
    set_down(&t.wms, false);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        t.wms.write_count(),
        0,
        "the given-up event is not delivered again"
    );
    assert_eq!(letters(&t.store, DeadLetterStatus::Open).await.len(), 1);
    stop.cancel();
    intake.await.expect("intake task").expect("intake ran");

    // A replay while the WMS is down again: kept open, one attempt more.
    set_down(&t.wms, true);
    let retry = RejectedRows::new(t.flow.clone());
    retry.retry(vec![letter.clone()]).await;
    let open = letters(&t.store, DeadLetterStatus::Open).await;
    assert_eq!(open.len(), 1, "a failed replay stays open");
    assert!(
        open[0].reason.starts_with("replay failed: "),
        "{}",
        open[0].reason
    );

    // The WMS back: the replay writes the product's articles.
    set_down(&t.wms, false);
    retry.retry(open).await;
    let mut written = t.wms.take_writes();
    written.sort();
    assert_eq!(written, ["M411-740M", "M411-740S"]);
    bus.finish().await;
}

#[tokio::test]
async fn a_failing_event_is_given_up_and_replayed_on_the_embedded_bus() {
    a_failing_event_is_given_up_and_replayed(TestBus::embedded().await).await;
}

#[tokio::test]
async fn a_failing_event_is_given_up_and_replayed_on_nats() {
    let Some(bus) = TestBus::nats("a_failing_event_is_given_up_and_replayed_on_nats").await else {
        return;
    };
    a_failing_event_is_given_up_and_replayed(bus).await;
}

/// The fake WMS behind a write that takes `delay`, counting the upsert calls.
#[derive(Debug)]
struct SlowWms {
    wms: Arc<FakeWms>,
    delay: Duration,
    upserts: std::sync::Mutex<u32>,
}

#[async_trait]
impl ArticleSink for SlowWms {
    async fn upsert(
        &self,
        idempotency_key: &str,
        articles: &[WmsArticle],
    ) -> Result<Vec<ArticleWrite>, PortError> {
        *self.upserts.lock().expect("lock") += 1;
        tokio::time::sleep(self.delay).await;
        self.wms.upsert(idempotency_key, articles).await
    }

    async fn held(&self) -> Result<Vec<HeldArticle>, PortError> {
        self.wms.held().await
    }
}

/// A batch that takes 3 s with a 1 s ack wait and a second replica's intake beside it: the
/// event is handed out once (progress acks keep its lease), so it is written once and nothing
/// is given up. Without them the second intake gets it again after the ack wait: with one
/// delivery allowed, that second delivery is past the limit and kept as a dead letter while
/// the first still works (and with more allowed it would wait on the first run's commit).
async fn a_slow_batch_keeps_its_deliveries(bus: TestBus) {
    let t = spawn_flow(CatalogRules::default(), false).await;
    let slow = Arc::new(SlowWms {
        wms: t.wms.clone(),
        delay: Duration::from_secs(3),
        upserts: std::sync::Mutex::new(0),
    });
    let flow = CatalogFlow::new(
        t.store.clone(),
        t.catalog.clone(),
        slow.clone(),
        FlowConfig {
            endpoint: "shop1".into(),
            warehouse: "sandbox".into(),
            rules: CatalogRules::default(),
            manual: false,
        },
    );
    publish(
        bus.bus.as_ref(),
        "centra:shop1:product:1:v1",
        &product("1", vec![size("100", "S")]),
    )
    .await;
    let stop = CancellationToken::new();
    let mut replicas = tokio::task::JoinSet::new();
    for _ in 0..2 {
        let (bus, flow, stop) = (bus.bus.clone(), flow.clone(), stop.clone());
        replicas.spawn(async move {
            consume_in_batches(bus.as_ref(), consumer(), redelivery(1), stop, &flow).await
        });
    }
    for _ in 0..100 {
        if t.wms.write_count() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Time for a redelivery to show: another ack wait and a slow write.
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop.cancel();
    while let Some(ended) = replicas.join_next().await {
        ended.expect("intake task").expect("intake ran");
    }
    assert_eq!(t.wms.take_writes(), ["M411-740S"]);
    assert_eq!(
        *slow.upserts.lock().expect("lock"),
        1,
        "the event was handed out once"
    );
    assert_eq!(
        letters(&t.store, DeadLetterStatus::Open)
            .await
            .iter()
            .map(|l| l.reason.as_str())
            .collect::<Vec<_>>(),
        Vec::<&str>::new(),
        "no second delivery while the first was at work"
    );
    bus.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_batch_keeps_its_deliveries_on_the_embedded_bus() {
    a_slow_batch_keeps_its_deliveries(TestBus::embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_batch_keeps_its_deliveries_on_nats() {
    let Some(bus) = TestBus::nats("a_slow_batch_keeps_its_deliveries_on_nats").await else {
        return;
    };
    a_slow_batch_keeps_its_deliveries(bus).await;
}
