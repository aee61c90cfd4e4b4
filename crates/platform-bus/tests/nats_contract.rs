//! The bus contract against NATS JetStream (`NATS_URL`, each test in its own stream and subject
//! prefix), plus what only a server-side consumer promises: a new client finds the durable
//! consumer where the old one left it.

use std::time::Duration;

use bytes::Bytes;
use platform_bus::contract::BusUnderTest;
use platform_bus::{Bus, ConsumerConfig, MessageId, NatsBus, NatsBusConfig, OutgoingMessage};

fn nats_config(url: String) -> NatsBusConfig {
    NatsBusConfig::new(
        url,
        test_support::unique("CWMS_TEST"),
        test_support::unique("cwmstest"),
    )
}

async fn nats_bus() -> Option<BusUnderTest> {
    let url = test_support::nats_url("bus contract (nats)").await?;
    let bus = NatsBus::connect(nats_config(url))
        .await
        .expect("connect to nats");
    let for_cleanup = bus.clone();
    Some(BusUnderTest::new(bus).with_cleanup(async move {
        if let Err(e) = for_cleanup.delete_stream().await {
            eprintln!("could not delete test stream: {e}");
        }
    }))
}

platform_bus::bus_contract_tests!(nats_bus());

#[tokio::test]
async fn a_new_client_finds_the_consumer_position() {
    let Some(url) = test_support::nats_url("a_new_client_finds_the_consumer_position").await else {
        return;
    };
    let config = nats_config(url);
    let consumer_config = ConsumerConfig::new("position").with_ack_wait(Duration::from_secs(1));

    let before = NatsBus::connect(config.clone()).await.expect("connect");
    for id in ["p1", "p2", "p3"] {
        let message =
            OutgoingMessage::new("centra.order", MessageId::new(id), Bytes::from_static(b"o"));
        before.publish(message).await.expect("publish");
    }
    let mut consumer = before
        .consumer(consumer_config.clone())
        .await
        .expect("consumer");
    for expected in ["p1", "p2"] {
        let got = consumer
            .next(Duration::from_secs(10))
            .await
            .expect("next")
            .expect("delivery");
        assert_eq!(got.id.as_str(), expected);
        got.ack().await.expect("ack");
    }
    drop(consumer);
    drop(before);

    let after = NatsBus::connect(config).await.expect("reconnect");
    let mut consumer = after
        .consumer(consumer_config)
        .await
        .expect("consumer again");
    let got = consumer
        .next(Duration::from_secs(10))
        .await
        .expect("next")
        .expect("p3");
    assert_eq!(
        got.id.as_str(),
        "p3",
        "the durable consumer kept its position"
    );
    assert_eq!(got.delivery_count, 1);
    got.ack().await.expect("ack");
    assert!(
        consumer
            .next(Duration::from_millis(1500))
            .await
            .expect("next")
            .is_none(),
        "nothing else is pending"
    );
    after.delete_stream().await.expect("delete stream");
}

#[tokio::test]
async fn an_existing_stream_with_other_subjects_is_refused() {
    let Some(url) =
        test_support::nats_url("an_existing_stream_with_other_subjects_is_refused").await
    else {
        return;
    };
    let config = nats_config(url);
    let first = NatsBus::connect(config.clone()).await.expect("connect");
    let mut other_prefix = config;
    other_prefix.subject_prefix = test_support::unique("cwmsother");
    let err = NatsBus::connect(other_prefix)
        .await
        .expect_err("must be refused");
    assert!(err.to_string().contains("subjects"), "{err}");
    first.delete_stream().await.expect("delete stream");
}

/// While the stream is gone (JetStream restarting answers the same way) a publish is the bus
/// being unavailable, to be tried again, never the message being refused for good: the relay
/// would dead-letter it otherwise and the event would be lost to its consumers.
#[tokio::test]
async fn a_publish_without_the_stream_is_unreachable_not_rejected() {
    let Some(url) = test_support::nats_url("publish without the stream").await else {
        return;
    };
    let bus = NatsBus::connect(nats_config(url)).await.expect("connect");
    bus.delete_stream().await.expect("stream deleted");
    let message = OutgoingMessage::new(
        "centra.order",
        MessageId::new("gone"),
        Bytes::from_static(b"o"),
    );
    let error = bus
        .publish(message)
        .await
        .expect_err("no stream to take it");
    assert!(
        matches!(error, platform_bus::BusError::Unreachable { .. }),
        "{error:?}"
    );
    assert!(error.is_retryable(), "{error:?}");
    // The client's own error is kept, so a log shows it and nobody reads the kind from text.
    let source = std::error::Error::source(&error).expect("the client's error is kept");
    assert!(
        source
            .downcast_ref::<async_nats::jetstream::context::PublishError>()
            .is_some(),
        "{source:?}"
    );
}

/// A server that is not there is retryable, with the client's connect error as the source.
#[tokio::test]
async fn no_server_is_unreachable_with_the_clients_error_kept() {
    let config = NatsBusConfig::new("nats://127.0.0.1:1", "S", "p");
    let error = NatsBus::connect(config).await.expect_err("nothing listens");
    assert!(
        matches!(error, platform_bus::BusError::Unreachable { .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    let source = std::error::Error::source(&error).expect("the client's error is kept");
    assert!(
        source.downcast_ref::<async_nats::ConnectError>().is_some(),
        "{source:?}"
    );
}

/// A message over the server's `max_payload` can never be published: that one is refused.
#[tokio::test]
async fn a_message_over_the_servers_max_payload_is_rejected() {
    let Some(url) = test_support::nats_url("publish over max payload").await else {
        return;
    };
    let bus = NatsBus::connect(nats_config(url)).await.expect("connect");
    let huge = Bytes::from(vec![b'x'; 64 * 1024 * 1024]);
    let message = OutgoingMessage::new("centra.order", MessageId::new("huge"), huge);
    let error = bus.publish(message).await.expect_err("too large");
    bus.delete_stream().await.expect("stream deleted");
    assert!(
        matches!(error, platform_bus::BusError::Rejected { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable(), "{error:?}");
}

/// The retention setting reaches a stream made before it was set (or with another value), and
/// a consumer created later replays only what the stream kept.
#[tokio::test]
async fn the_configured_max_age_reaches_an_existing_stream() {
    let Some(url) =
        test_support::nats_url("the_configured_max_age_reaches_an_existing_stream").await
    else {
        return;
    };
    let mut config = nats_config(url);
    config.duplicate_window = Duration::from_millis(500);
    let unbounded = NatsBus::connect(config.clone()).await.expect("connect");
    unbounded
        .publish(OutgoingMessage::new(
            "centra.order",
            MessageId::new("old"),
            Bytes::from_static(b"o"),
        ))
        .await
        .expect("publish old");

    config.max_age = Some(Duration::from_secs(2));
    let bounded = NatsBus::connect(config.clone()).await.expect("reconnect");
    let client = async_nats::connect(config.url.as_str())
        .await
        .expect("plain client");
    let mut stream = async_nats::jetstream::new(client)
        .get_stream(&config.stream_name)
        .await
        .expect("stream");
    let info = stream.info().await.expect("stream info");
    assert_eq!(info.config.max_age, Duration::from_secs(2));

    tokio::time::sleep(Duration::from_secs(4)).await;
    bounded
        .publish(OutgoingMessage::new(
            "centra.order",
            MessageId::new("new"),
            Bytes::from_static(b"n"),
        ))
        .await
        .expect("publish new");
    let mut late = bounded
        .consumer(ConsumerConfig::new("late").with_ack_wait(Duration::from_secs(5)))
        .await
        .expect("consumer");
    let got = late
        .next(Duration::from_secs(10))
        .await
        .expect("next")
        .expect("new");
    assert_eq!(
        got.id.as_str(),
        "new",
        "the expired message is not replayed"
    );
    got.ack().await.expect("ack");
    bounded.delete_stream().await.expect("delete stream");
}
