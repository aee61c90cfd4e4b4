//! What happened in the simulated warehouse, as data. Store operations return these; the
//! caller turns them into webhooks (see `webhooks::payloads`), so the ledger code never knows
//! about HTTP.

/// One change worth a webhook (ongoing-rest-api.md §8 lists the triggers).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DomainEvent {
    OrderCreated {
        order_id: i64,
    },
    OrderStatusChanged {
        order_id: i64,
    },
    /// Status reached 400 or more with at least one picked item.
    OrderPicked {
        order_id: i64,
    },
    ArticlePicked {
        order_id: i64,
        line_id: i64,
        item_id: i64,
    },
    ArticleReturned {
        order_id: i64,
        line_id: i64,
        item_id: i64,
    },
    PurchaseOrderCreated {
        purchase_order_id: i64,
    },
    PurchaseOrderStatusChanged {
        purchase_order_id: i64,
    },
    /// Status reached the deviation status (400) or more with at least one received item.
    PurchaseOrderReceived {
        purchase_order_id: i64,
    },
    InventoryAdjusted {
        article_system_id: i64,
        delta: f64,
        transaction_id: i64,
    },
}
