//! NATS JetStream adapter (the distributed runtime).
//!
//! One stream holds every subject under `<subject_prefix>.>`; services see subjects relative to
//! that prefix, so the same code runs against the embedded bus.
//!
//! Layout:
//! - `NatsBusConfig`: server, stream and the explicit duplicate window;
//! - `NatsBus`: get-or-create of the stream, publish with `Nats-Msg-Id` = message id;
//! - `NatsConsumer`: a durable pull consumer, one message per pull request, so that every
//!   process sharing a durable name gets work only when it asks for it;
//! - `NatsAcker`: settles a delivery with a double ack (the server confirms it), and extends its
//!   lease with a progress ack.

use std::str::FromStr;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::header::{HeaderName, HeaderValue, NATS_MESSAGE_ID};
use async_nats::jetstream::context::PublishAckFuture;
use async_nats::jetstream::{self, AckKind, consumer::pull, message::PublishMessage, stream};
use async_trait::async_trait;
use futures::StreamExt;

use crate::port::{
    Acknowledge, Bus, BusError, Consumer, ConsumerConfig, Delivery, Headers, MessageId,
    OutgoingMessage, PublishReceipt,
};
use crate::subject::{validate_filter, validate_name};

/// Below this a pull request waits on nothing: the server refuses expiries under 1 ms.
const SHORTEST_PULL_WAIT: Duration = Duration::from_millis(10);

/// Where the bus lives and how its stream is made when missing. `Debug` shows the URL without
/// its credentials.
#[derive(Clone)]
pub struct NatsBusConfig {
    pub url: String,
    /// JetStream stream name (no `.`, `*`, `>` or whitespace).
    pub stream_name: String,
    /// Every subject is published under `<subject_prefix>.`; the stream covers `<prefix>.>`.
    pub subject_prefix: String,
    /// Set explicitly because the server default (2 min) is shorter than the publishers' retry
    /// horizon; ids repeated inside it are dropped by the server. Used only when creating.
    pub duplicate_window: Duration,
    /// Messages older than this are removed by the server (None: kept until deleted). Applied
    /// to an existing stream too, so changing the setting changes the stream.
    pub max_age: Option<Duration>,
    /// Stream replicas when creating it (1 on a single server, 3 on a cluster).
    pub replicas: usize,
    /// Shown by the server in its connection list.
    pub client_name: String,
}

impl std::fmt::Debug for NatsBusConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsBusConfig")
            .field("url", &crate::redact::redacted_url(&self.url))
            .field("stream_name", &self.stream_name)
            .field("subject_prefix", &self.subject_prefix)
            .field("duplicate_window", &self.duplicate_window)
            .field("max_age", &self.max_age)
            .field("replicas", &self.replicas)
            .field("client_name", &self.client_name)
            .finish()
    }
}

impl NatsBusConfig {
    pub fn new(
        url: impl Into<String>,
        stream_name: impl Into<String>,
        subject_prefix: impl Into<String>,
    ) -> Self {
        Self {
            url: url.into(),
            stream_name: stream_name.into(),
            subject_prefix: subject_prefix.into(),
            duplicate_window: Duration::from_secs(10 * 60),
            max_age: None,
            replicas: 1,
            client_name: "centra-wms".to_owned(),
        }
    }
}

/// The JetStream bus. Cheap to clone: clones share one connection.
#[derive(Clone)]
pub struct NatsBus {
    client: async_nats::Client,
    jetstream: jetstream::Context,
    stream: stream::Stream,
    config: NatsBusConfig,
}

impl std::fmt::Debug for NatsBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsBus")
            .field("url", &crate::redact::redacted_url(&self.config.url))
            .field("stream_name", &self.config.stream_name)
            .field("subject_prefix", &self.config.subject_prefix)
            .finish()
    }
}

impl NatsBus {
    /// Connects and gets (or creates) the stream.
    pub async fn connect(config: NatsBusConfig) -> Result<Self, BusError> {
        validate_name("stream", &config.stream_name)?;
        validate_filter("subject prefix", &config.subject_prefix)?;
        if config.subject_prefix.contains(['*', '>']) {
            return Err(BusError::rejected(
                "subject prefix".to_owned(),
                format!("{:?} contains a wildcard", config.subject_prefix),
            ));
        }
        // The client logs the address it dials; the credentials go in as options instead.
        let (url, credentials) = crate::redact::split_credentials(&config.url);
        let options = async_nats::ConnectOptions::new().name(&config.client_name);
        let options = match credentials {
            Some(crate::redact::Credentials::UserAndPassword { user, password }) => {
                options.user_and_password(user, password)
            }
            Some(crate::redact::Credentials::Token(token)) => options.token(token),
            None => options,
        };
        let client = options.connect(url.as_str()).await.map_err(|e| {
            let url = crate::redact::redacted_url(&config.url);
            BusError::unreachable(format!("nats at {url}"), e)
        })?;
        let jetstream = jetstream::new(client.clone());
        let stream = get_or_create_stream(&jetstream, &config).await?;
        tracing::info!(
            stream = %config.stream_name,
            subject_prefix = %config.subject_prefix,
            "connected to jetstream"
        );
        Ok(Self {
            client,
            jetstream,
            stream,
            config,
        })
    }

    pub fn config(&self) -> &NatsBusConfig {
        &self.config
    }

    /// Removes the stream with all its messages and consumers (test clean-up, decommissioning).
    pub async fn delete_stream(&self) -> Result<(), BusError> {
        self.jetstream
            .delete_stream(&self.config.stream_name)
            .await
            .map_err(|e| BusError::rejected_by(format!("stream {}", self.config.stream_name), e))?;
        Ok(())
    }

    fn full_subject(&self, relative: &str) -> String {
        format!("{}.{relative}", self.config.subject_prefix)
    }

    /// Checks and sends one message; the future it returns gives the server's ack.
    async fn send(&self, message: OutgoingMessage) -> Result<PublishAckFuture, BusError> {
        message.validate()?;
        let what = format!("message {:?}", message.id.as_str());
        let mut headers = HeaderMap::new();
        for (name, value) in &message.headers {
            let name =
                HeaderName::from_str(name).map_err(|e| BusError::rejected_by(what.clone(), e))?;
            let value =
                HeaderValue::from_str(value).map_err(|e| BusError::rejected_by(what.clone(), e))?;
            headers.insert(name, value);
        }
        // The one thing the server refuses a message for, whatever its state: its size. Said
        // here, as a rejection of this message, because the publish errors below all mean the
        // server (or its JetStream) is not there right now.
        let max_payload = self.client.server_info().max_payload;
        if message.payload.len() > max_payload {
            return Err(BusError::rejected(
                what,
                format!(
                    "payload of {} bytes is over the server's max_payload of {max_payload}",
                    message.payload.len()
                ),
            ));
        }
        let publish = PublishMessage::build()
            .payload(message.payload)
            .headers(headers)
            .message_id(message.id.as_str());
        let subject = self.full_subject(&message.subject);
        self.jetstream
            .send_publish(subject, publish)
            .await
            .map_err(|e| publish_error(&what, e))
    }

    /// Waits for the server's ack of a sent message.
    async fn acknowledged(
        &self,
        id: &MessageId,
        ack: PublishAckFuture,
    ) -> Result<PublishReceipt, BusError> {
        let what = format!("message {:?}", id.as_str());
        let ack = ack.await.map_err(|e| publish_error(&what, e))?;
        if ack.duplicate {
            tracing::debug!(message_id = %id, sequence = ack.sequence, "duplicate publish dropped");
        }
        Ok(PublishReceipt {
            sequence: ack.sequence,
            duplicate: ack.duplicate,
        })
    }
}

async fn get_or_create_stream(
    jetstream: &jetstream::Context,
    config: &NatsBusConfig,
) -> Result<stream::Stream, BusError> {
    let wanted_subject = format!("{}.>", config.subject_prefix);
    let stream_config = stream::Config {
        name: config.stream_name.clone(),
        subjects: vec![wanted_subject.clone()],
        storage: stream::StorageType::File,
        duplicate_window: config.duplicate_window,
        max_age: config.max_age.unwrap_or_default(),
        num_replicas: config.replicas,
        ..Default::default()
    };
    let mut stream = jetstream
        .get_or_create_stream(stream_config)
        .await
        .map_err(|e| {
            let what = format!("stream {}", config.stream_name);
            if is_transport(&e.kind()) {
                BusError::unreachable(what, e)
            } else {
                BusError::rejected_by(what, e)
            }
        })?;
    let info = stream
        .info()
        .await
        .map_err(|e| BusError::unreachable(format!("stream {}", config.stream_name), e))?;
    if !info.config.subjects.contains(&wanted_subject) {
        return Err(BusError::rejected(
            format!("stream {}", config.stream_name),
            format!(
                "it exists with subjects {:?}, not {wanted_subject:?}",
                info.config.subjects
            ),
        ));
    }
    // Retention is the operator's setting ([runtime.retention] bus), so a stream made before
    // it was set, or with another value, takes the configured one (JetStream applies a new
    // max_age to the messages already kept).
    let wanted_age = config.max_age.unwrap_or_default();
    if info.config.max_age != wanted_age {
        let mut updated = info.config.clone();
        updated.max_age = wanted_age;
        jetstream.update_stream(updated).await.map_err(|e| {
            BusError::rejected_by(format!("max_age of stream {}", config.stream_name), e)
        })?;
        tracing::info!(
            stream = %config.stream_name,
            previous = ?info.config.max_age,
            max_age = ?wanted_age,
            "stream retention updated"
        );
    }
    if info.config.duplicate_window != config.duplicate_window {
        tracing::warn!(
            stream = %config.stream_name,
            existing = ?info.config.duplicate_window,
            configured = ?config.duplicate_window,
            "stream exists with another duplicate window; keeping the existing one"
        );
    }
    Ok(stream)
}

fn is_transport(kind: &jetstream::context::CreateStreamErrorKind) -> bool {
    use jetstream::context::CreateStreamErrorKind as K;
    matches!(kind, K::TimedOut | K::JetStreamUnavailable | K::Response)
}

#[async_trait]
impl Bus for NatsBus {
    async fn publish(&self, message: OutgoingMessage) -> Result<PublishReceipt, BusError> {
        let id = message.id.clone();
        let ack = self.send(message).await?;
        self.acknowledged(&id, ack).await
    }

    /// Every message is sent before the first ack is awaited: the server stores them in the
    /// order sent (one connection), and the acks come back while the rest are on the way.
    async fn publish_batch(
        &self,
        messages: Vec<OutgoingMessage>,
    ) -> Vec<Result<PublishReceipt, BusError>> {
        let mut sent = Vec::with_capacity(messages.len());
        for message in messages {
            let id = message.id.clone();
            sent.push((id, self.send(message).await));
        }
        let mut results = Vec::with_capacity(sent.len());
        for (id, ack) in sent {
            results.push(match ack {
                Ok(ack) => self.acknowledged(&id, ack).await,
                Err(error) => Err(error),
            });
        }
        results
    }

    async fn health(&self) -> Result<(), BusError> {
        match self.client.connection_state() {
            async_nats::connection::State::Connected => Ok(()),
            state => Err(BusError::unreachable(
                format!("nats at {}", crate::redact::redacted_url(&self.config.url)),
                format!("connection {state:?}"),
            )),
        }
    }

    async fn consumer(&self, config: ConsumerConfig) -> Result<Box<dyn Consumer>, BusError> {
        config.validate()?;
        let mut filters: Vec<String> = config
            .filter_subjects
            .iter()
            .map(|f| self.full_subject(f))
            .collect();
        // One filter goes in `filter_subject`: servers before 2.10 know no `filter_subjects`.
        let (filter_subject, filter_subjects) = match filters.len() {
            1 => (filters.remove(0), Vec::new()),
            _ => (String::new(), filters),
        };
        let pull_config = pull::Config {
            durable_name: Some(config.durable_name.clone()),
            ack_policy: jetstream::consumer::AckPolicy::Explicit,
            // A durable created now starts at the oldest message the stream still keeps: a
            // new service (or a flow switched on later) must see every event still retained
            // to build its state (an article synced before it ran, an order still open), and
            // its inbox makes a message it already handled harmless. The stream's max_age
            // ([runtime.retention] bus) bounds how much that is. An existing durable keeps its
            // position whatever this says.
            deliver_policy: jetstream::consumer::DeliverPolicy::All,
            ack_wait: config.ack_wait,
            max_deliver: config.max_deliver.map_or(-1, i64::from),
            filter_subject,
            filter_subjects,
            ..Default::default()
        };
        // Create-or-update: the same config again is a no-op, a changed one is applied.
        let consumer = self
            .stream
            .create_consumer(pull_config)
            .await
            .map_err(|e| match e.kind() {
                jetstream::stream::ConsumerErrorKind::TimedOut
                | jetstream::stream::ConsumerErrorKind::Request => {
                    BusError::unreachable(format!("consumer {}", config.durable_name), e)
                }
                _ => BusError::rejected_by(format!("consumer {}", config.durable_name), e),
            })?;
        Ok(Box::new(NatsConsumer {
            consumer,
            prefix: format!("{}.", self.config.subject_prefix),
            durable_name: config.durable_name,
        }))
    }
}

/// Every publish error is the bus being unavailable, never the message being bad: a server that
/// restarts answers "no responders" (`StreamNotFound`) until JetStream is back, a missing stream
/// is an operator's to restore, and the message's own problems (subject, headers, size) are
/// refused before it is sent. So the relay keeps the message and tries again, in order, instead
/// of dead-lettering it.
fn publish_error(what: &str, error: jetstream::context::PublishError) -> BusError {
    BusError::unreachable(what, error)
}

/// A durable pull consumer handle; several handles (in any process) share the work.
pub struct NatsConsumer {
    consumer: jetstream::consumer::PullConsumer,
    prefix: String,
    durable_name: String,
}

impl std::fmt::Debug for NatsConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsConsumer")
            .field("durable_name", &self.durable_name)
            .finish()
    }
}

#[async_trait]
impl Consumer for NatsConsumer {
    async fn next(&mut self, timeout: Duration) -> Result<Option<Delivery>, BusError> {
        let what = || format!("consumer {}", self.durable_name);
        let batch = if timeout < SHORTEST_PULL_WAIT {
            self.consumer.fetch().max_messages(1).messages().await
        } else {
            self.consumer
                .batch()
                .max_messages(1)
                .expires(timeout)
                .messages()
                .await
        };
        let mut batch = batch.map_err(|e| BusError::unreachable(what(), e))?;
        let message = match batch.next().await {
            None => return Ok(None),
            Some(Err(e)) => return Err(BusError::unreachable(what(), e)),
            Some(Ok(message)) => message,
        };
        let info = message.info().map_err(|e| {
            BusError::rejected_by(format!("{}: delivery without jetstream info", what()), e)
        })?;
        let (sequence, delivery_count) = (info.stream_sequence, info.delivered);
        let delivery_count = u32::try_from(delivery_count).unwrap_or(u32::MAX);
        let (message, acker) = message.split();
        let subject = message
            .subject
            .as_str()
            .strip_prefix(&self.prefix)
            .unwrap_or(message.subject.as_str())
            .to_owned();
        let mut headers = Headers::new();
        let mut id = None;
        if let Some(map) = &message.headers {
            id = map.get(NATS_MESSAGE_ID).map(|v| v.as_str().to_owned());
            for (name, values) in map.iter() {
                let name = name.to_string();
                if name.len() >= 5 && name[..5].eq_ignore_ascii_case("nats-") {
                    continue;
                }
                if let Some(value) = values.last() {
                    headers.insert(name, value.as_str().to_owned());
                }
            }
        }
        let id = id.unwrap_or_else(|| {
            // Published by something other than this adapter: still deliver, with a stable id.
            let synthetic = format!("{}:{sequence}", self.consumer.cached_info().stream_name);
            tracing::warn!(sequence, subject = %subject, "message without Nats-Msg-Id; using {synthetic}");
            synthetic
        });
        let acker = NatsAcker {
            acker,
            durable_name: self.durable_name.clone(),
            sequence,
        };
        Ok(Some(Delivery::new(
            subject,
            MessageId(id),
            headers,
            message.payload,
            sequence,
            delivery_count,
            Box::new(acker),
        )))
    }
}

/// Settles one delivery with a double ack: the call returns once the server has it, so an ack
/// lost on the wire shows as an error instead of a silent redelivery.
struct NatsAcker {
    acker: jetstream::message::Acker,
    durable_name: String,
    sequence: u64,
}

impl std::fmt::Debug for NatsAcker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsAcker")
            .field("durable_name", &self.durable_name)
            .field("sequence", &self.sequence)
            .finish()
    }
}

impl NatsAcker {
    async fn settle(&self, kind: AckKind) -> Result<(), BusError> {
        self.acker.double_ack_with(kind).await.map_err(|e| {
            BusError::unreachable(
                format!(
                    "settling delivery {} of consumer {}",
                    self.sequence, self.durable_name
                ),
                e,
            )
        })
    }
}

#[async_trait]
impl Acknowledge for NatsAcker {
    async fn ack(&self) -> Result<(), BusError> {
        self.settle(AckKind::Ack).await
    }

    async fn nak(&self, delay: Duration) -> Result<(), BusError> {
        let delay = (!delay.is_zero()).then_some(delay);
        self.settle(AckKind::Nak(delay)).await
    }

    async fn term(&self) -> Result<(), BusError> {
        self.settle(AckKind::Term).await
    }

    /// A plain publish: the server answers no progress ack, and a lost one only means the
    /// lease runs out as it would have.
    async fn in_progress(&self) -> Result<(), BusError> {
        self.acker.ack_with(AckKind::Progress).await.map_err(|e| {
            BusError::unreachable(
                format!(
                    "extending the lease of delivery {} of consumer {}",
                    self.sequence, self.durable_name
                ),
                e,
            )
        })
    }
}

#[cfg(test)]
mod credential_tests {
    use super::*;

    /// Nothing listens on port 1: the connection fails, and its error names the server
    /// without the password the URL carried.
    #[tokio::test]
    async fn a_connection_error_does_not_show_the_password() {
        let config = NatsBusConfig::new("nats://app:hunter2@127.0.0.1:1", "S", "p");
        assert!(!format!("{config:?}").contains("hunter2"));
        let error = NatsBus::connect(config).await.expect_err("nothing listens");
        let shown = error.to_string();
        assert!(shown.contains("127.0.0.1:1"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
