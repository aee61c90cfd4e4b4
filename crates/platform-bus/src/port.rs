//! The bus port: what a service may ask of the event bus, whatever carries it.
//!
//! Both adapters (JetStream and the embedded SQLite bus) implement these traits and pass
//! the same contract suite (`bus_contract_tests!`).

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

/// Message headers. Carries the W3C trace context (`traceparent`, `tracestate`) among others.
pub type Headers = BTreeMap<String, String>;

/// A deterministic message id (e.g. `centra:shop1:shipment:83651-1:gtg`).
///
/// Publishing twice with the same id must be harmless: the bus drops the second copy inside its
/// duplicate window, and consumers keep their own inbox for what falls outside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub String);

impl MessageId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MessageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A message to publish. `subject` is relative to the bus prefix (e.g. `centra.shop1.shipment.gtg`).
#[derive(Debug, Clone)]
pub struct OutgoingMessage {
    pub subject: String,
    pub id: MessageId,
    pub headers: Headers,
    pub payload: Bytes,
}

impl OutgoingMessage {
    pub fn new(subject: impl Into<String>, id: MessageId, payload: impl Into<Bytes>) -> Self {
        Self {
            subject: subject.into(),
            id,
            headers: Headers::new(),
            payload: payload.into(),
        }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Checks what every adapter must carry unchanged, so that the embedded bus refuses exactly
    /// what JetStream would refuse or alter (NATS trims header values and reserves `Nats-`).
    pub fn validate(&self) -> Result<(), BusError> {
        let what = format!("message {:?}", self.id.as_str());
        if self.id.as_str().trim().is_empty() {
            return Err(BusError::rejected(
                format!("message on {:?}", self.subject),
                "id is empty".to_owned(),
            ));
        }
        if self.id.as_str().contains(char::is_control)
            || self.id.as_str().trim() != self.id.as_str()
        {
            return Err(BusError::rejected(
                what,
                "id has a control character or surrounding whitespace".to_owned(),
            ));
        }
        crate::subject::validate_subject(&what, &self.subject)?;
        for (name, value) in &self.headers {
            let reason = if name.is_empty() {
                Some("a header name is empty".to_owned())
            } else if name.contains(|c: char| !c.is_ascii_graphic() || c == ':') {
                Some(format!(
                    "header name {name:?} has a character outside printable ascii or ':'"
                ))
            } else if name.len() >= 5 && name[..5].eq_ignore_ascii_case("nats-") {
                Some(format!(
                    "header name {name:?} uses the reserved `Nats-` prefix"
                ))
            } else if value.contains(['\r', '\n']) {
                Some(format!("header {name:?} has a line break in its value"))
            } else if value.trim() != value {
                Some(format!(
                    "header {name:?} has leading or trailing whitespace in its value"
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(BusError::rejected(what, reason));
            }
        }
        Ok(())
    }
}

/// What the bus says after a publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishReceipt {
    /// Position in the stream.
    pub sequence: u64,
    /// True when the id was seen inside the duplicate window and the message was dropped.
    pub duplicate: bool,
}

/// A durable consumer: every process that opens the same `durable_name` shares its work.
#[derive(Debug, Clone)]
pub struct ConsumerConfig {
    pub durable_name: String,
    /// Relative subject filters with NATS wildcards (`*` one token, `>` the rest).
    pub filter_subjects: Vec<String>,
    /// How long a delivery may stay unacknowledged before it is handed out again.
    pub ack_wait: Duration,
    /// Deliveries after which the bus stops handing a message out (None: no limit). Neither
    /// JetStream nor the embedded bus tells the consumer when it gives up, so the services
    /// leave it unset and bound redelivery themselves from [`Delivery::delivery_count`]
    /// (`platform_runtime::Redelivery`), keeping the message as a dead letter for a person.
    pub max_deliver: Option<u32>,
}

impl ConsumerConfig {
    /// A consumer of every subject with a 30 s ack wait and no delivery limit.
    pub fn new(durable_name: impl Into<String>) -> Self {
        Self {
            durable_name: durable_name.into(),
            filter_subjects: Vec::new(),
            ack_wait: Duration::from_secs(30),
            max_deliver: None,
        }
    }

    pub fn with_filter(mut self, filter: impl Into<String>) -> Self {
        self.filter_subjects.push(filter.into());
        self
    }

    pub fn with_ack_wait(mut self, ack_wait: Duration) -> Self {
        self.ack_wait = ack_wait;
        self
    }

    pub fn with_max_deliver(mut self, max_deliver: u32) -> Self {
        self.max_deliver = Some(max_deliver);
        self
    }

    /// Checks the name and filters with the NATS rules (both adapters use these).
    pub fn validate(&self) -> Result<(), BusError> {
        let what = format!("consumer {:?}", self.durable_name);
        crate::subject::validate_name(&what, &self.durable_name)?;
        for filter in &self.filter_subjects {
            crate::subject::validate_filter(&what, filter)?;
        }
        if self.ack_wait < Duration::from_millis(1) {
            return Err(BusError::rejected(
                what,
                "ack_wait is below 1 ms".to_owned(),
            ));
        }
        if self.max_deliver == Some(0) {
            return Err(BusError::rejected(
                what,
                "max_deliver is 0 (use None for no limit)".to_owned(),
            ));
        }
        Ok(())
    }
}

/// One delivery of a message to a consumer. It must end in `ack`, `nak` or `term`; a delivery
/// that is dropped without one comes back after `ack_wait`, as after a crash.
#[derive(Debug)]
pub struct Delivery {
    pub subject: String,
    pub id: MessageId,
    pub headers: Headers,
    pub payload: Bytes,
    pub sequence: u64,
    /// 1 on the first delivery.
    pub delivery_count: u32,
    pub(crate) acker: Box<dyn Acknowledge>,
}

impl Delivery {
    /// Builds a delivery; adapters call this with the handle that settles it.
    pub fn new(
        subject: String,
        id: MessageId,
        headers: Headers,
        payload: Bytes,
        sequence: u64,
        delivery_count: u32,
        acker: Box<dyn Acknowledge>,
    ) -> Self {
        Self {
            subject,
            id,
            headers,
            payload,
            sequence,
            delivery_count,
            acker,
        }
    }

    /// Done: never deliver it again.
    pub async fn ack(self) -> Result<(), BusError> {
        self.acker.ack().await
    }

    /// Not now: deliver it again after `delay`.
    pub async fn nak(self, delay: Duration) -> Result<(), BusError> {
        self.acker.nak(delay).await
    }

    /// Never: the message cannot be processed (it goes to the dead-letter list upstream).
    pub async fn term(self) -> Result<(), BusError> {
        self.acker.term().await
    }

    /// Still working on it: the lease starts again from now, so a handler that runs longer
    /// than `ack_wait` is not redelivered to another handle while it works (JetStream's
    /// `+WPI`). Send it well within every `ack_wait`.
    ///
    /// # Errors
    /// [`BusError::Unreachable`] or [`BusError::Storage`] when the bus did not take it (the
    /// lease then runs out as before, and the inbox absorbs the repeat).
    pub async fn in_progress(&self) -> Result<(), BusError> {
        self.acker.in_progress().await
    }
}

/// How an adapter settles one delivery.
#[async_trait]
pub trait Acknowledge: Send + Sync + std::fmt::Debug {
    async fn ack(&self) -> Result<(), BusError>;
    async fn nak(&self, delay: Duration) -> Result<(), BusError>;
    async fn term(&self) -> Result<(), BusError>;
    async fn in_progress(&self) -> Result<(), BusError>;
}

/// Publishing side of the bus.
#[async_trait]
pub trait Bus: Send + Sync + std::fmt::Debug + 'static {
    /// Stores `message` in the stream, unless its id was published within the duplicate window
    /// (then the receipt says `duplicate` and names the earlier copy's sequence).
    ///
    /// # Errors
    /// [`BusError::Rejected`] for a message no adapter would carry (see
    /// [`OutgoingMessage::validate`]) or one over the server's size limit; a retryable error
    /// when the bus is not there now, after which the message may or may not be stored (the
    /// same id makes a retry harmless).
    async fn publish(&self, message: OutgoingMessage) -> Result<PublishReceipt, BusError>;

    /// Publishes `messages` as [`Bus::publish`] would one after another, in one go where the
    /// adapter can: the embedded bus writes them in one transaction (one synced commit instead
    /// of one per message), JetStream sends them all before it waits for the first ack. Why:
    /// the outbox relay publishes whatever has piled up, and a synced write per message bounded
    /// how fast a backlog left a service.
    ///
    /// Rules an adapter keeps:
    /// - one result per message, in the order given;
    /// - the stored ones are stored in the order given, each checked for duplicates on its own
    ///   (a second copy of an id within the batch is a duplicate too);
    /// - a message that is refused ([`BusError::Rejected`]) keeps none of the others out;
    /// - an `Err` of any kind means that message may be missing from the stream; the messages
    ///   after a retryable failure may be stored all the same (JetStream: their acks came
    ///   back), so a caller that retries it publishes it after them, which no consumer may
    ///   rely on anyway: handlers run concurrently.
    ///
    /// The default publishes one by one and stops at the first retryable failure: the
    /// messages after it are answered [`BusError::Unreachable`] without being tried.
    async fn publish_batch(
        &self,
        messages: Vec<OutgoingMessage>,
    ) -> Vec<Result<PublishReceipt, BusError>> {
        let mut results = Vec::with_capacity(messages.len());
        let mut failed: Option<(MessageId, String)> = None;
        for message in messages {
            if let Some((first, error)) = &failed {
                results.push(Err(BusError::unreachable(
                    format!(
                        "message {:?}: not sent, message {:?} of its batch failed first",
                        message.id.as_str(),
                        first.as_str()
                    ),
                    error.clone(),
                )));
                continue;
            }
            let id = message.id.clone();
            let result = self.publish(message).await;
            if let Err(error) = &result
                && error.is_retryable()
            {
                failed = Some((id, error.to_string()));
            }
            results.push(result);
        }
        results
    }

    /// Opens (creating when missing, idempotently) a durable consumer.
    async fn consumer(&self, config: ConsumerConfig) -> Result<Box<dyn Consumer>, BusError>;

    /// Whether the bus can take messages now (a readiness probe asks).
    ///
    /// # Errors
    /// [`BusError::Unreachable`] while the server is not connected; an adapter with nothing to
    /// lose touch with (the embedded bus) keeps the default, always ready.
    async fn health(&self) -> Result<(), BusError> {
        Ok(())
    }
}

/// Receiving side of a durable consumer.
#[async_trait]
pub trait Consumer: Send + std::fmt::Debug {
    /// Waits up to `timeout` for the next delivery; `Ok(None)` when nothing came.
    async fn next(&mut self, timeout: Duration) -> Result<Option<Delivery>, BusError>;

    /// Waits up to `timeout` for deliveries and returns between one and `max` of them as soon
    /// as any came (empty when nothing came). Each is leased to this handle exactly as
    /// [`Consumer::next`] leases one, its `ack_wait` running from now, so ask only for as
    /// many as the caller starts on at once. An adapter may return fewer than are waiting;
    /// the default returns at most one. Why: the embedded bus leases several in one
    /// transaction, one synced commit instead of one each.
    ///
    /// # Errors
    /// A failed read (retryable [`BusError::Unreachable`] or [`BusError::Storage`], or
    /// [`BusError::Rejected`] when the consumer no longer exists): nothing was leased.
    async fn next_batch(
        &mut self,
        max: usize,
        timeout: Duration,
    ) -> Result<Vec<Delivery>, BusError> {
        let _ = max;
        Ok(self.next(timeout).await?.into_iter().collect())
    }
}

/// The error a bus call failed with, as the adapter's own library reported it.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a bus call can fail with. The variant is decided **at the adapter boundary**, from the
/// client's typed error (a NATS error kind, a SQLite error), and says whether trying again can
/// help ([`BusError::is_retryable`]); the client's error is kept as the
/// [`source`](std::error::Error::source), so a log shows the whole chain and nobody has to
/// read the kind back from the text.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The server is not there now (connection lost, timed out, JetStream restarting, a stream
    /// an operator has to restore): retryable, the same call may pass later.
    #[error("bus unreachable: {what}: {source}")]
    Unreachable {
        what: String,
        #[source]
        source: Cause,
    },
    /// The bus refuses this input (a subject, name, header, size or setting it never takes):
    /// terminal, the same call fails again.
    #[error("bus rejected {what}: {reason}")]
    Rejected {
        what: String,
        reason: String,
        #[source]
        source: Option<Cause>,
    },
    /// The embedded bus's file failed (locked past the busy timeout, disk full, I/O):
    /// retryable, as a restart or freed space can fix it.
    #[error("bus storage failed: {what}: {source}")]
    Storage {
        what: String,
        #[source]
        source: Cause,
    },
}

impl BusError {
    /// [`BusError::Unreachable`]: `what` could not reach the server because of `source`.
    pub fn unreachable(what: impl Into<String>, source: impl Into<Cause>) -> Self {
        Self::Unreachable {
            what: what.into(),
            source: source.into(),
        }
    }

    /// [`BusError::Rejected`] by the bus's own rules (no client error behind it).
    pub fn rejected(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Rejected {
            what: what.into(),
            reason: reason.into(),
            source: None,
        }
    }

    /// [`BusError::Rejected`] because the client refused `what` with `source`.
    pub fn rejected_by(what: impl Into<String>, source: impl Into<Cause>) -> Self {
        let source = source.into();
        Self::Rejected {
            what: what.into(),
            reason: source.to_string(),
            source: Some(source),
        }
    }

    /// [`BusError::Storage`]: `what` failed in the embedded bus's file because of `source`.
    pub fn storage(what: impl Into<String>, source: impl Into<Cause>) -> Self {
        Self::Storage {
            what: what.into(),
            source: source.into(),
        }
    }

    /// Whether the same call may pass later without anything changing.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable { .. } | Self::Storage { .. } => true,
            Self::Rejected { .. } => false,
        }
    }
}
