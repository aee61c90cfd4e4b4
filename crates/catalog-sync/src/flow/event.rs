//! The `ArticleSynced` event: parked orders waiting for an article are retried when it comes.

use domain::EventId;
use platform_store::OutboxMessage;
use prost::Message;
use proto::events::v1 as pb;

use crate::items::CatalogItem;

/// Header value naming the payload type.
pub const ARTICLE_SYNCED_TYPE: &str = "centrawms.events.v1.ArticleSynced";

/// `wms.<warehouse>.article.synced`.
pub fn article_synced_subject(warehouse: &str) -> String {
    format!("wms.{warehouse}.article.synced")
}

/// The event for a just written `item` (one per article version, so a rewrite of the same
/// content is dropped by the bus and every inbox).
pub(super) fn article_synced(warehouse: &str, item: &CatalogItem, created: bool) -> OutboxMessage {
    let number = item.synced_number.clone().unwrap_or_default();
    let id = EventId::from_parts([
        "catalog",
        item.endpoint.as_str(),
        "article",
        number.as_str(),
        item.synced_hash.as_deref().unwrap_or_default(),
    ]);
    let occurred_at = item.last_synced_at.map(|ms| prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    });
    let event = pb::ArticleSynced {
        meta: Some(pb::EventMeta {
            event_id: id.to_string(),
            occurred_at,
            source: warehouse.to_owned(),
        }),
        warehouse: warehouse.to_owned(),
        article_number: number,
        article_system_id: item.article_system_id.unwrap_or_default(),
        endpoint: item.endpoint.clone(),
        product_id: item.product_id.clone(),
        sku: item.sku.clone(),
        variant_sku: item.variant_sku.clone(),
        size_sku: item.size_sku.clone(),
        ean: item.ean.clone(),
        // What the WMS now holds: a retired article is inactive whatever Centra said last.
        active: item.article.as_ref().map_or(item.active, |a| a.active),
        created,
    };
    OutboxMessage::new(
        id.to_string(),
        article_synced_subject(warehouse),
        event.encode_to_vec(),
    )
    .with_header("content-type", ARTICLE_SYNCED_TYPE)
}
