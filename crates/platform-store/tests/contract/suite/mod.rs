//! The store contract: every test here runs on SQLite and on PostgreSQL through
//! `store_contract_tests!` (see `main.rs`). The bodies know nothing of the database except
//! where a behaviour is documented to differ (`db.backend()`).
//!
//! Layout: `schema` (opening, migrations, isolation, Any types, connections), `inbox`, `locks`,
//! `outbox`, `relay`, `dead_letters`; helpers shared by them below.

mod dead_letters;
mod inbox;
mod locks;
mod outbox;
mod relay;
mod schema;

pub use dead_letters::*;
pub use inbox::*;
pub use locks::*;
pub use outbox::*;
pub use relay::*;
pub use schema::*;

use platform_store::{OutboxMessage, Store};

pub fn message(id: &str) -> OutboxMessage {
    OutboxMessage::new(
        id,
        "parcels.created",
        format!("{{\"parcel\":\"{id}\"}}").into_bytes(),
    )
    .with_header("traceparent", format!("00-{id}-01"))
}

/// Enqueues each id in a transaction of its own.
pub async fn enqueue_committed(store: &Store, ids: &[String]) {
    for id in ids {
        let mut tx = store.begin().await.expect("begin");
        let added = store
            .outbox()
            .enqueue(&mut tx, message(id))
            .await
            .expect("enqueue");
        assert!(added, "{id} was already enqueued");
        tx.commit().await.expect("commit");
    }
}

pub fn ids(prefix: &str, range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("{prefix}-{i:02}")).collect()
}
