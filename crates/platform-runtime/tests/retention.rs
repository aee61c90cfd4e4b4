//! Retention in both shapes: a running service prunes its store at the ages of
//! `[runtime.retention]` (at start and on every `prune_every`), the embedded runtime prunes
//! its bus at `bus`, and the distributed one gives the NATS stream that `max_age`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use platform_bus::{MessageId, NatsBus, NatsBusConfig, OutgoingMessage};
use platform_config::AppConfig;
use platform_runtime::{
    Adapters, CancellationToken, Migrations, Runtime, Service, ServiceBase, ServiceContext,
    ServiceError,
};
use platform_store::{
    DeadLetterFilter, MessageId as StoreMessageId, NewDeadLetter, OutboxMessage, Store,
    StoreOptions, unix_millis,
};

const SERVICE: &str = "retention-probe";
const HOUR: i64 = 60 * 60 * 1000;
const DAY: i64 = 24 * HOUR;

/// Ages chosen apart from the defaults, so a test passing shows the configured ones are used.
const CONFIG: &str = r#"
[settings]
centra_time_zone = "Europe/Stockholm"
[[settings.endpoints]]
name = "shop1"
base_url = "http://127.0.0.1:1/api/order-api"
secret = "s"
[wms]
base_url = "http://127.0.0.1:1"
warehouse = "sandbox"
user = "u"
password = "p"
goods_owner_id = 1
[runtime.retention]
bus = "2h"
inbox = "10days"
published_outbox = "3h"
resolved_dead_letters = "5days"
prune_every = "200ms"
"#;

fn config() -> Arc<AppConfig> {
    Arc::new(AppConfig::from_toml_str(CONFIG).expect("test config is valid"))
}

/// Opens its base (store, relay, pruning) and waits for shutdown.
#[derive(Debug)]
struct Probe;

#[async_trait]
impl Service for Probe {
    fn name(&self) -> &'static str {
        SERVICE
    }

    async fn run(&self, ctx: ServiceContext) -> Result<(), ServiceError> {
        let base = ServiceBase::open(&ctx, SERVICE, &Migrations::none()).await?;
        ctx.shutdown.cancelled().await;
        base.close().await;
        Ok(())
    }
}

async fn open_store(url: &str) -> Store {
    Store::open(StoreOptions::new(SERVICE, url), &Migrations::none())
        .await
        .expect("store")
}

/// Writes one inbox entry, published outbox row and resolved dead letter per name, each
/// `age_ms` old (and one open dead letter of that age, which must stay).
async fn seed(store: &Store, name: &str, age_ms: i64) {
    let at = unix_millis() - age_ms;
    let mut tx = store.begin().await.expect("begin");
    store
        .inbox()
        .record(
            &mut tx,
            "probe",
            &StoreMessageId::new(format!("inbox-{name}")),
        )
        .await
        .expect("inbox");
    store
        .outbox()
        .enqueue(
            &mut tx,
            OutboxMessage::new(format!("outbox-{name}"), "probe.seeded", b"x".to_vec()),
        )
        .await
        .expect("outbox");
    for key in [format!("resolved-{name}"), format!("open-{name}")] {
        let letter = NewDeadLetter {
            kind: "probe".to_owned(),
            record_key: key.clone(),
            reason: "seeded".to_owned(),
            payload: serde_json::json!({}),
            attempts: 1,
        };
        let id = store
            .dead_letters()
            .record(&mut tx, letter)
            .await
            .expect("dead letter");
        if key.starts_with("resolved") {
            store
                .dead_letters()
                .discard(&mut tx, id)
                .await
                .expect("discard");
        }
    }
    tx.commit().await.expect("commit");
    for sql in [
        "UPDATE inbox SET received_at = $1 WHERE message_id = $2",
        "UPDATE outbox SET published_at = $1 WHERE message_id = $2",
    ] {
        let id = if sql.contains("inbox") {
            format!("inbox-{name}")
        } else {
            format!("outbox-{name}")
        };
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(at)
            .bind(id)
            .execute(store.pool())
            .await
            .expect("age the row");
    }
    sqlx::query(
        "UPDATE dead_letters SET first_seen_at = $1, last_seen_at = $1, \
         resolved_at = CASE WHEN resolved_at IS NULL THEN NULL ELSE $1 END \
         WHERE record_key IN ($2, $3)",
    )
    .bind(at)
    .bind(format!("resolved-{name}"))
    .bind(format!("open-{name}"))
    .execute(store.pool())
    .await
    .expect("age the dead letters");
}

/// What is left of the seeded rows, as `kind-name`, sorted.
async fn left(store: &Store) -> Vec<String> {
    let mut rows: Vec<String> = sqlx::query_scalar("SELECT message_id FROM inbox")
        .fetch_all(store.pool())
        .await
        .expect("inbox");
    rows.extend(
        sqlx::query_scalar::<_, String>("SELECT message_id FROM outbox")
            .fetch_all(store.pool())
            .await
            .expect("outbox"),
    );
    let letters = store
        .dead_letters()
        .list(&DeadLetterFilter {
            status: None,
            ..DeadLetterFilter::default()
        })
        .await
        .expect("dead letters");
    rows.extend(letters.into_iter().map(|l| l.record_key));
    rows.sort();
    rows
}

/// Polls up to 10 s until `store` holds exactly `expected`.
async fn wait_until_left(store: &Store, expected: &[&str]) {
    let mut now = Vec::new();
    for _ in 0..100 {
        now = left(store).await;
        if now == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("left {now:?}, expected {expected:?}");
}

/// Seeds rows on both sides of every configured age, runs the probe, and checks what the
/// pruning left: at start, then again for rows seeded while it runs (the timer repeats).
async fn a_running_service_prunes_its_store(adapters: Adapters) {
    let store_url = adapters.store_url(SERVICE);
    let store = open_store(&store_url).await;
    // Older than every configured age: pruned (but the open dead letter).
    seed(&store, "11d", 11 * DAY).await;
    // Younger than inbox (10 days) and resolved_dead_letters (5 days), older than
    // published_outbox (3 h): only the outbox row goes.
    seed(&store, "4d", 4 * DAY).await;
    // Younger than every age: kept.
    seed(&store, "2h", 2 * HOUR).await;

    let shutdown = CancellationToken::new();
    let running = tokio::spawn(
        Runtime::new(config(), adapters)
            .with_service(Probe)
            .run(shutdown.clone()),
    );
    wait_until_left(
        &store,
        &[
            "inbox-2h",
            "inbox-4d",
            "open-11d",
            "open-2h",
            "open-4d",
            "outbox-2h",
            "resolved-2h",
            "resolved-4d",
        ],
    )
    .await;
    // Seeded after the first round: the next rounds prune it.
    seed(&store, "6d", 6 * DAY).await;
    wait_until_left(
        &store,
        &[
            "inbox-2h",
            "inbox-4d",
            "inbox-6d",
            "open-11d",
            "open-2h",
            "open-4d",
            "open-6d",
            "outbox-2h",
            "resolved-2h",
            "resolved-4d",
        ],
    )
    .await;
    shutdown.cancel();
    running
        .await
        .expect("runtime task")
        .expect("runtime stopped cleanly");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_runtime_prunes_stores_and_the_bus_at_the_configured_ages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config();
    let adapters = Adapters::embedded_with_retention(dir.path(), &config.runtime.retention)
        .await
        .expect("adapters");
    // Two messages on the bus, aged 3 h and 1 h: the configured 2 h keeps the second only.
    for id in ["old", "young"] {
        adapters
            .bus
            .publish(OutgoingMessage::new(
                "probe.seeded",
                MessageId::new(id),
                Bytes::from_static(b"x"),
            ))
            .await
            .expect("publish");
    }
    let bus_file =
        sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join("bus.db").display()))
            .await
            .expect("bus file");
    for (id, age) in [("old", 3 * HOUR), ("young", HOUR)] {
        sqlx::query("UPDATE bus_messages SET published_at = ? WHERE message_id = ?")
            .bind(unix_millis() - age)
            .bind(id)
            .execute(&bus_file)
            .await
            .expect("age the message");
    }

    a_running_service_prunes_its_store(adapters).await;

    let on_bus: Vec<String> = sqlx::query_scalar("SELECT message_id FROM bus_messages")
        .fetch_all(&bus_file)
        .await
        .expect("bus messages");
    assert_eq!(on_bus, ["young"], "the runtime pruned the idle bus at 2 h");
    bus_file.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_distributed_runtime_prunes_stores_and_sets_the_stream_max_age() {
    let test = "the_distributed_runtime_prunes_stores_and_sets_the_stream_max_age";
    let Some(nats_url) = test_support::nats_url(test).await else {
        return;
    };
    let Some(database) = test_support::postgres_database(test).await else {
        return;
    };
    let prefix = test_support::unique("retention");
    let config = config();
    let adapters = Adapters::distributed_with_retention(
        &nats_url,
        &database.url,
        &prefix,
        &config.runtime.grpc,
        &config.runtime.retention,
    )
    .await
    .expect("adapters");
    let stream = platform_runtime::stream_name(&prefix);
    let client = async_nats::connect(nats_url.as_str())
        .await
        .expect("plain client");
    let max_age = async_nats::jetstream::new(client)
        .get_stream(&stream)
        .await
        .expect("stream")
        .info()
        .await
        .expect("stream info")
        .config
        .max_age;

    a_running_service_prunes_its_store(adapters).await;

    let mut cleanup_config = NatsBusConfig::new(nats_url, stream, prefix.as_str());
    cleanup_config.max_age = Some(Duration::from_secs(2 * 60 * 60));
    NatsBus::connect(cleanup_config)
        .await
        .expect("reconnect for cleanup")
        .delete_stream()
        .await
        .expect("stream deleted");
    database.drop_database().await;
    assert_eq!(max_age, Duration::from_secs(2 * 60 * 60));
}
