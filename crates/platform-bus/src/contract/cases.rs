//! The bodies of the bus contract, written against the port only.
//!
//! Timing: consumers use a 2 s `ack_wait` so redelivery cases stay short; waits for something
//! that must come are generous (`ARRIVES`), and "nothing comes" windows stay well clear of the
//! moment something would legitimately come.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use crate::port::{Bus, BusError, Consumer, ConsumerConfig, Delivery, MessageId, OutgoingMessage};

/// Lease of every contract consumer.
pub const ACK_WAIT: Duration = Duration::from_secs(2);
/// How long to wait for a delivery that must come.
pub const ARRIVES: Duration = Duration::from_secs(15);
/// How long a drained consumer must stay silent to count as empty.
const SETTLED: Duration = Duration::from_millis(1500);
/// Allowance for clock granularity when checking "not before" (ms-stored times, server clocks).
const CLOCK_SLACK: Duration = Duration::from_millis(100);

fn config(durable_name: &str) -> ConsumerConfig {
    ConsumerConfig::new(durable_name).with_ack_wait(ACK_WAIT)
}

fn message(subject: &str, id: &str, payload: &'static str) -> OutgoingMessage {
    OutgoingMessage::new(
        subject,
        MessageId::new(id),
        Bytes::from_static(payload.as_bytes()),
    )
}

async fn open(bus: &dyn Bus, config: ConsumerConfig) -> Box<dyn Consumer> {
    let name = config.durable_name.clone();
    bus.consumer(config)
        .await
        .unwrap_or_else(|e| panic!("opening consumer {name}: {e}"))
}

async fn publish(bus: &dyn Bus, message: OutgoingMessage) -> crate::port::PublishReceipt {
    let id = message.id.clone();
    bus.publish(message)
        .await
        .unwrap_or_else(|e| panic!("publishing {id}: {e}"))
}

async fn expect_delivery(consumer: &mut Box<dyn Consumer>, what: &str) -> Delivery {
    consumer
        .next(ARRIVES)
        .await
        .unwrap_or_else(|e| panic!("{what}: next failed: {e}"))
        .unwrap_or_else(|| panic!("{what}: nothing delivered within {ARRIVES:?}"))
}

async fn expect_nothing(consumer: &mut Box<dyn Consumer>, window: Duration, why: &str) {
    let got = consumer
        .next(window)
        .await
        .unwrap_or_else(|e| panic!("{why}: next failed: {e}"));
    if let Some(delivery) = got {
        panic!(
            "{why}: got {} (delivery {}) within {window:?}",
            delivery.id, delivery.delivery_count
        );
    }
}

async fn ack(delivery: Delivery) {
    let id = delivery.id.clone();
    delivery
        .ack()
        .await
        .unwrap_or_else(|e| panic!("acking {id}: {e}"));
}

/// Takes and acks everything until the consumer stays silent; returns (subject, id) in order.
async fn drain(consumer: &mut Box<dyn Consumer>) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    while let Some(delivery) = consumer
        .next(SETTLED)
        .await
        .unwrap_or_else(|e| panic!("draining: next failed: {e}"))
    {
        seen.push((delivery.subject.clone(), delivery.id.to_string()));
        ack(delivery).await;
    }
    seen
}

pub async fn round_trip_keeps_headers_and_payload(bus: &dyn Bus) {
    let mut consumer = open(bus, config("round-trip")).await;
    let payload = Bytes::from_static(&[0, 159, 146, 150, b'{', b'"', 255, b'\n']);
    let sent = OutgoingMessage::new(
        "centra.shop1.shipment.gtg",
        MessageId::new("centra:shop1:shipment:83651-1:gtg"),
        payload.clone(),
    )
    .with_header(
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    )
    .with_header("tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7")
    .with_header("content-type", "application/json; charset=utf-8");
    let receipt = publish(bus, sent.clone()).await;
    assert!(!receipt.duplicate, "a first publish is not a duplicate");

    let bare = message("centra.shop1.order.created", "centra:shop1:order:1001", "");
    let bare_receipt = publish(bus, bare.clone()).await;
    assert!(bare_receipt.sequence > receipt.sequence, "sequences grow");

    let got = expect_delivery(&mut consumer, "round trip").await;
    assert_eq!(got.subject, sent.subject);
    assert_eq!(got.id, sent.id);
    assert_eq!(got.headers, sent.headers);
    assert_eq!(got.payload, payload);
    assert_eq!(got.sequence, receipt.sequence);
    assert_eq!(got.delivery_count, 1);
    ack(got).await;

    let got = expect_delivery(&mut consumer, "message without headers").await;
    assert_eq!(got.id, bare.id);
    assert!(
        got.headers.is_empty(),
        "no headers were sent: {:?}",
        got.headers
    );
    assert!(got.payload.is_empty());
    assert_eq!(got.sequence, bare_receipt.sequence);
    ack(got).await;

    expect_nothing(
        &mut consumer,
        ACK_WAIT * 2,
        "acked messages must not come back after ack_wait",
    )
    .await;
}

pub async fn keeps_order_per_subject(bus: &dyn Bus) {
    let mut consumer = open(bus, config("ordered")).await;
    let mut published: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in 0..8 {
        for subject in ["ongoing.owner1.order", "ongoing.owner2.order"] {
            let id = format!("{subject}:{n}");
            publish(bus, message(subject, &id, "x")).await;
            published.entry(subject.to_owned()).or_default().push(id);
        }
    }
    let mut received: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut last_sequence = 0;
    for _ in 0..16 {
        let got = expect_delivery(&mut consumer, "ordered stream").await;
        assert!(
            got.sequence > last_sequence,
            "sequence {} after {last_sequence}",
            got.sequence
        );
        last_sequence = got.sequence;
        received
            .entry(got.subject.clone())
            .or_default()
            .push(got.id.to_string());
        ack(got).await;
    }
    assert_eq!(received, published);
}

pub async fn nak_redelivers_after_the_delay(bus: &dyn Bus) {
    let mut consumer = open(bus, config("nak")).await;
    publish(bus, message("stock.eu.changed", "stock:1", "5")).await;
    let first = expect_delivery(&mut consumer, "before nak").await;
    assert_eq!(first.delivery_count, 1);

    let delay = Duration::from_secs(3);
    let naked_at = Instant::now();
    first.nak(delay).await.expect("nak");
    expect_nothing(
        &mut consumer,
        Duration::from_millis(1500),
        "a nak'd message must wait out its delay",
    )
    .await;

    let again = expect_delivery(&mut consumer, "after nak delay").await;
    assert!(
        naked_at.elapsed() + CLOCK_SLACK >= delay,
        "redelivered {:?} after a nak of {delay:?}",
        naked_at.elapsed()
    );
    assert_eq!(again.id.as_str(), "stock:1");
    assert_eq!(again.delivery_count, 2);
    ack(again).await;
}

pub async fn crash_redelivers_after_ack_wait(bus: &dyn Bus) {
    let mut consumer = open(bus, config("crash")).await;
    publish(bus, message("returns.arrived", "return:7", "r")).await;
    let taken = expect_delivery(&mut consumer, "before crash").await;
    let taken_at = Instant::now();
    drop(taken);

    expect_nothing(
        &mut consumer,
        ACK_WAIT / 2,
        "an unacked delivery stays leased until ack_wait",
    )
    .await;
    let again = expect_delivery(&mut consumer, "after ack_wait").await;
    assert!(
        taken_at.elapsed() + CLOCK_SLACK >= ACK_WAIT,
        "redelivered {:?} after the crash, ack_wait is {ACK_WAIT:?}",
        taken_at.elapsed()
    );
    assert_eq!(again.id.as_str(), "return:7");
    assert_eq!(again.delivery_count, 2);
    ack(again).await;
    expect_nothing(&mut consumer, ACK_WAIT * 2, "acked after redelivery").await;
}

/// The runtime bounds redelivery by `delivery_count` (`platform_runtime::Redelivery`), so it
/// must grow by one with every delivery, whether the one before was nak'd or its lease ran out
/// (a crash), and a new handle (another process, a restart) must continue the count.
pub async fn every_delivery_is_counted(bus: &dyn Bus) {
    let mut consumer = open(bus, config("counted")).await;
    publish(bus, message("wms.eu.order.shipped", "shipped:1", "s")).await;
    let first = expect_delivery(&mut consumer, "first delivery").await;
    assert_eq!(first.delivery_count, 1);
    first.nak(Duration::ZERO).await.expect("nak");
    let second = expect_delivery(&mut consumer, "after a nak").await;
    assert_eq!(second.delivery_count, 2);
    drop(second);
    drop(consumer);

    let mut restarted = open(bus, config("counted")).await;
    let third = expect_delivery(&mut restarted, "after the lease ran out").await;
    assert_eq!(third.id.as_str(), "shipped:1");
    assert_eq!(third.delivery_count, 3, "a new handle continues the count");
    third.nak(Duration::ZERO).await.expect("nak");
    let fourth = expect_delivery(&mut restarted, "after another nak").await;
    assert_eq!(fourth.delivery_count, 4);
    ack(fourth).await;
    expect_nothing(&mut restarted, ACK_WAIT + SETTLED, "acked at last").await;
}

/// A handler that runs longer than `ack_wait` says so with `in_progress`, and the message is not
/// handed to another handle meanwhile; once it stops, the lease runs out as before.
pub async fn in_progress_keeps_the_lease(bus: &dyn Bus) {
    let mut working = open(bus, config("long-handler")).await;
    let mut other = open(bus, config("long-handler")).await;
    publish(bus, message("wms.eu.order.shipped", "slow:1", "s")).await;
    let delivery = expect_delivery(&mut working, "first delivery").await;
    let started = Instant::now();
    while started.elapsed() < ACK_WAIT * 2 {
        expect_nothing(
            &mut other,
            ACK_WAIT / 3,
            "a delivery in progress stays with its handle",
        )
        .await;
        delivery.in_progress().await.expect("in progress");
    }
    drop(delivery);
    let again = expect_delivery(&mut other, "after the handle stopped").await;
    assert_eq!(again.id.as_str(), "slow:1");
    assert_eq!(again.delivery_count, 2);
    ack(again).await;
}

pub async fn duplicate_publish_is_dropped(bus: &dyn Bus) {
    let mut consumer = open(bus, config("dedup")).await;
    let id = "centra:shop1:shipment:83651-1:gtg";
    let first = publish(bus, message("centra.shipment", id, "first")).await;
    let second = publish(bus, message("centra.shipment", id, "second")).await;
    assert!(!first.duplicate);
    assert!(second.duplicate, "same id inside the window");
    assert_eq!(
        second.sequence, first.sequence,
        "a duplicate names the original"
    );
    let other = publish(bus, message("centra.shipment", "other", "x")).await;
    assert!(!other.duplicate);
    assert!(other.sequence > first.sequence);

    let got = expect_delivery(&mut consumer, "deduplicated").await;
    assert_eq!(got.id.as_str(), id);
    assert_eq!(got.payload, Bytes::from_static(b"first"));
    ack(got).await;
    let rest = drain(&mut consumer).await;
    assert_eq!(
        rest,
        vec![("centra.shipment".to_owned(), "other".to_owned())]
    );
}

pub async fn publish_batch_keeps_order_and_checks_each(bus: &dyn Bus) {
    let mut consumer = open(bus, config("batch")).await;
    let earlier = publish(bus, message("centra.shipment", "b-0", "before")).await;
    let results = bus
        .publish_batch(vec![
            message("centra.shipment", "b-1", "one"),
            message("centra..shipment", "b-bad", "an empty token"),
            message("centra.shipment", "b-2", "two"),
            message("centra.shipment", "b-1", "one again"),
            message("centra.shipment", "b-0", "before again"),
            message("centra.order", "b-3", "three"),
        ])
        .await;
    assert_eq!(results.len(), 6, "one result per message");
    let receipt = |i: usize| match &results[i] {
        Ok(receipt) => *receipt,
        Err(e) => panic!("message {i} of the batch: {e}"),
    };
    match &results[1] {
        Err(BusError::Rejected { .. }) => {}
        other => panic!("an invalid subject is rejected on its own, got {other:?}"),
    }
    let (one, two, three) = (receipt(0), receipt(2), receipt(5));
    assert!(!one.duplicate && !two.duplicate && !three.duplicate);
    assert!(
        earlier.sequence < one.sequence
            && one.sequence < two.sequence
            && two.sequence < three.sequence,
        "stored in the order given: {earlier:?} {one:?} {two:?} {three:?}"
    );
    assert!(receipt(3).duplicate, "a second copy within the batch");
    assert_eq!(receipt(3).sequence, one.sequence);
    assert!(receipt(4).duplicate, "a copy of a message published before");
    assert_eq!(receipt(4).sequence, earlier.sequence);

    let got = drain(&mut consumer).await;
    let ids: Vec<&str> = got.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(ids, ["b-0", "b-1", "b-2", "b-3"]);
    assert!(bus.publish_batch(Vec::new()).await.is_empty());
}

pub async fn consumer_group_shares_work(bus: &dyn Bus) {
    let mut a = open(bus, config("group")).await;
    let mut b = open(bus, config("group")).await;
    let ids: BTreeSet<String> = (0..12).map(|n| format!("order:{n}")).collect();
    for id in &ids {
        publish(bus, message("centra.order.created", id, "o")).await;
    }

    let mut by_a = Vec::new();
    let mut by_b = Vec::new();
    let deadline = Instant::now() + ARRIVES * 2;
    while by_a.len() + by_b.len() < ids.len() && Instant::now() < deadline {
        for (handle, taken) in [(&mut a, &mut by_a), (&mut b, &mut by_b)] {
            let got = handle
                .next(Duration::from_millis(300))
                .await
                .expect("next in group");
            if let Some(delivery) = got {
                taken.push(delivery.id.to_string());
                ack(delivery).await;
            }
        }
    }
    let mut all: Vec<String> = by_a.iter().chain(&by_b).cloned().collect();
    all.sort();
    assert_eq!(
        all,
        ids.iter().cloned().collect::<Vec<_>>(),
        "each message exactly once"
    );
    assert!(
        !by_a.is_empty() && !by_b.is_empty(),
        "both handles got work: {by_a:?} / {by_b:?}"
    );
    expect_nothing(&mut a, ACK_WAIT + SETTLED, "group drained (a)").await;
    expect_nothing(&mut b, SETTLED, "group drained (b)").await;
}

pub async fn concurrent_handles_split_the_work(bus: &dyn Bus) {
    let mut handles = Vec::new();
    for _ in 0..3 {
        handles.push(open(bus, config("concurrent")).await);
    }
    let ids: Vec<String> = (0..30).map(|n| format!("stock:{n}")).collect();
    for id in &ids {
        publish(bus, message("stock.eu.changed", id, "s")).await;
    }
    // All handles claim at the same time; none may get a message another one holds.
    let taken = futures::future::join_all(handles.iter_mut().map(drain)).await;
    let mut all: Vec<String> = taken.into_iter().flatten().map(|(_, id)| id).collect();
    all.sort();
    let mut expected = ids;
    expected.sort();
    assert_eq!(
        all, expected,
        "each message exactly once across concurrent handles"
    );
}

/// `next_batch` leases between one and `max` messages, in stream order, each to this handle
/// alone: another handle of the same durable gets only the rest, and nothing comes twice.
pub async fn next_batch_leases_up_to_max_each_once(bus: &dyn Bus) {
    // Leases long enough to outlast the other handle's drain below.
    let config = || ConsumerConfig::new("batch").with_ack_wait(Duration::from_secs(10));
    let mut a = open(bus, config()).await;
    let mut b = open(bus, config()).await;
    let ids: Vec<String> = (0..5).map(|n| format!("batch:{n}")).collect();
    for id in &ids {
        publish(bus, message("centra.order.created", id, "o")).await;
    }

    let held = a
        .next_batch(3, ARRIVES)
        .await
        .unwrap_or_else(|e| panic!("next_batch failed: {e}"));
    let held_ids: Vec<String> = held.iter().map(|d| d.id.to_string()).collect();
    assert!(
        (1..=3).contains(&held.len()),
        "between one and max: {held_ids:?}"
    );
    assert_eq!(held_ids, ids[..held.len()], "the oldest first, in order");
    assert!(
        held.iter().all(|d| d.delivery_count == 1),
        "first deliveries"
    );

    let mut rest = Vec::new();
    loop {
        let got = b
            .next_batch(10, SETTLED)
            .await
            .unwrap_or_else(|e| panic!("next_batch of the other handle failed: {e}"));
        if got.is_empty() {
            break;
        }
        assert!(got.len() <= 10, "never more than max");
        for delivery in got {
            rest.push(delivery.id.to_string());
            ack(delivery).await;
        }
    }
    assert_eq!(
        rest,
        ids[held.len()..],
        "the other handle gets only what the batch did not lease"
    );
    for delivery in held {
        ack(delivery).await;
    }
    expect_nothing(&mut a, SETTLED, "everything acked (a)").await;
    expect_nothing(&mut b, Duration::from_millis(200), "everything acked (b)").await;
}

/// A durable created after messages were published starts at the oldest one the bus still
/// keeps (bounded by its retention), and one that exists keeps its position.
pub async fn a_new_consumer_starts_at_the_oldest_message_kept(bus: &dyn Bus) {
    let mut early = open(bus, config("early")).await;
    for id in ["article:1", "article:2"] {
        publish(bus, message("ongoing.article", id, "a")).await;
    }
    let first = expect_delivery(&mut early, "the early consumer").await;
    assert_eq!(first.id.as_str(), "article:1");
    ack(first).await;

    let mut late = open(bus, config("late")).await;
    assert_eq!(
        drain(&mut late).await,
        [
            ("ongoing.article".to_owned(), "article:1".to_owned()),
            ("ongoing.article".to_owned(), "article:2".to_owned()),
        ],
        "a new consumer sees every message still kept"
    );
    drop(early);
    let mut early = open(bus, config("early")).await;
    let next = expect_delivery(&mut early, "the early consumer again").await;
    assert_eq!(
        next.id.as_str(),
        "article:2",
        "an existing consumer keeps its position"
    );
    ack(next).await;
}

pub async fn term_is_never_redelivered(bus: &dyn Bus) {
    let mut consumer = open(bus, config("term")).await;
    publish(bus, message("ongoing.article", "article:bad", "?")).await;
    publish(bus, message("ongoing.article", "article:good", "ok")).await;
    let bad = expect_delivery(&mut consumer, "to term").await;
    assert_eq!(bad.id.as_str(), "article:bad");
    bad.term().await.expect("term");
    let good = expect_delivery(&mut consumer, "after term").await;
    assert_eq!(good.id.as_str(), "article:good");
    ack(good).await;
    expect_nothing(
        &mut consumer,
        ACK_WAIT * 2 + SETTLED,
        "a terminated message never comes back",
    )
    .await;
}

pub async fn max_deliver_is_honoured(bus: &dyn Bus) {
    let mut consumer = open(bus, config("limited").with_max_deliver(2)).await;
    publish(bus, message("centra.capture", "capture:1", "c")).await;
    for attempt in 1..=2 {
        let got = expect_delivery(&mut consumer, "within max_deliver").await;
        assert_eq!(got.id.as_str(), "capture:1");
        assert_eq!(got.delivery_count, attempt);
        got.nak(Duration::ZERO).await.expect("nak");
    }
    expect_nothing(
        &mut consumer,
        ACK_WAIT + SETTLED,
        "no delivery beyond max_deliver",
    )
    .await;
    publish(bus, message("centra.capture", "capture:2", "c")).await;
    let next = expect_delivery(&mut consumer, "consumer still alive").await;
    assert_eq!(next.id.as_str(), "capture:2");
    ack(next).await;
}

pub async fn filters_select_subjects(bus: &dyn Bus) {
    let mut orders = open(bus, config("orders").with_filter("orders.*")).await;
    let mut stock = open(bus, config("stock").with_filter("stock.>")).await;
    let mut mixed = open(
        bus,
        config("mixed")
            .with_filter("orders.created")
            .with_filter("returns.>"),
    )
    .await;
    let mut everything = open(bus, config("everything")).await;
    let subjects = [
        "orders.created",
        "orders.cancelled",
        "orders.created.eu",
        "stock.eu.changed",
        "stock.us",
        "returns.arrived",
        "stockx.eu",
    ];
    for subject in subjects {
        publish(bus, message(subject, subject, "f")).await;
    }
    let subjects_of = |seen: Vec<(String, String)>| -> Vec<String> {
        seen.into_iter().map(|(subject, _)| subject).collect()
    };
    assert_eq!(
        subjects_of(drain(&mut orders).await),
        ["orders.created", "orders.cancelled"]
    );
    assert_eq!(
        subjects_of(drain(&mut stock).await),
        ["stock.eu.changed", "stock.us"]
    );
    assert_eq!(
        subjects_of(drain(&mut mixed).await),
        ["orders.created", "returns.arrived"]
    );
    assert_eq!(subjects_of(drain(&mut everything).await), subjects);
}

pub async fn consumer_call_is_idempotent(bus: &dyn Bus) {
    let mut first = open(bus, config("idempotent")).await;
    for n in 1..=3 {
        publish(bus, message("centra.order", &format!("order:{n}"), "o")).await;
    }
    let got = expect_delivery(&mut first, "first handle").await;
    assert_eq!(got.id.as_str(), "order:1");
    ack(got).await;

    let mut second = open(bus, config("idempotent")).await;
    let got = expect_delivery(&mut second, "second handle").await;
    assert_eq!(
        got.id.as_str(),
        "order:2",
        "the second call keeps the position"
    );
    ack(got).await;
    let got = expect_delivery(&mut first, "first handle again").await;
    assert_eq!(got.id.as_str(), "order:3");
    ack(got).await;
    expect_nothing(&mut second, SETTLED, "all acked (second)").await;
    expect_nothing(&mut first, SETTLED, "all acked (first)").await;
}

pub async fn rejects_invalid_input(bus: &dyn Bus) {
    let mut consumer = open(bus, config("validated")).await;
    let bad = [
        message("orders.*", "wildcard", "x"),
        message("orders..created", "empty-token", "x"),
        message("orders.created", "", "x"),
        message("orders.created", "reserved-header", "x").with_header("Nats-Msg-Id", "other"),
        message("orders.created", "line-break", "x").with_header("note", "a\r\nb"),
        message("orders.created", "colon", "x").with_header("a:b", "x"),
    ];
    for message in bad {
        let id = message.id.clone();
        match bus.publish(message).await {
            Err(BusError::Rejected { .. }) => {}
            other => panic!("publishing {id:?} should be rejected, got {other:?}"),
        }
    }
    for bad_config in [
        config("has.dot"),
        config("bad-filter").with_filter("orders.>.created"),
        config("no-limit").with_max_deliver(0),
    ] {
        let name = bad_config.durable_name.clone();
        match bus.consumer(bad_config).await {
            Err(BusError::Rejected { .. }) => {}
            Err(other) => panic!("consumer {name} should be rejected, got {other:?}"),
            Ok(_) => panic!("consumer {name} should be rejected, got a consumer"),
        }
    }
    publish(bus, message("orders.created", "good", "x")).await;
    let seen = drain(&mut consumer).await;
    assert_eq!(seen, vec![("orders.created".to_owned(), "good".to_owned())]);
}
