//! The orders the orders poll reads (the order import, `import = "orders"` or `"both"`): every
//! order created since an instant, through either API, in the Order API client's
//! [`CentraOrder`] (the poll publishes one `OrderReady` per order from it).
//!
//! - Order API: `GET /orders?newer_than=` (REF/104), `limit` + `offset` pages, the instant in
//!   Centra's zone.
//! - GraphQL: `orders(where: {createdAt: {from}}, limit, page)` (the DTC examples' date filter),
//!   the instant with its offset.
//!
//! An order that cannot be read comes back as a [`crate::client::record::BadRecord`] keyed by
//! its number under both APIs (the poll keeps it in the dead-letter list); the others are read
//! on.

use chrono::{DateTime, Utc};

use super::{CentraConnection, ConnectionError};
use crate::client::CentraOrder;
use crate::client::record::Parsed;

impl CentraConnection {
    /// Every order created at or after `newer_than` (all when `None`), each read or kept aside
    /// as bad. Pages are retried as any read; a page that still fails fails the whole read, so
    /// the poll never mistakes half a list for all of it.
    ///
    /// # Errors
    /// [`super::ConnectionErrorKind::Unavailable`] when Centra is unreachable (after the
    /// retries), [`super::ConnectionErrorKind::Refused`] for a refused credential or
    /// permission, [`super::ConnectionErrorKind::BadAnswer`] for an unreadable page.
    pub async fn orders(
        &self,
        newer_than: Option<DateTime<Utc>>,
    ) -> Result<Vec<Parsed<CentraOrder>>, ConnectionError> {
        match self {
            Self::OrderApi(client) => Ok(client.orders(newer_than).await?),
            Self::Graphql(client) => Ok(client.orders(newer_than).await?),
        }
    }
}
