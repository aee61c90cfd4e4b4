//! Orders: `GET /orders` (REF/104), oldest first, `limit`+`offset` pages, `newer_than` in
//! Centra's zone. Which statuses come back is the Order API plugin's "Get Orders with Status"
//! setting; there is no status parameter.

use chrono::{DateTime, Utc};
use domain::{CentraOrderId, CentraOrderStatus};
use proto::events::v1 as pb;
use serde_json::Value;

use super::record::{Parsed, Record, opt_time};
use super::shipments::{address, product_line};
use super::{CentraClient, CentraError, PayloadError};

/// A Centra order, read leniently.
#[derive(Debug, Clone, PartialEq)]
pub struct CentraOrder {
    pub id: CentraOrderId,
    /// `orderStatus` as sent (the REST casing is undocumented).
    pub status_text: String,
    pub status: CentraOrderStatus,
    pub on_hold: bool,
    pub waiting_for_payment: bool,
    pub currency: String,
    pub order_date: Option<DateTime<Utc>>,
    pub delivery: pb::Address,
    pub shipping: pb::ShippingMethod,
    pub lines: Vec<pb::ProductLine>,
}

impl CentraOrder {
    /// Reads one order object. `position` names it until its id is known.
    pub fn parse(value: &Value, position: &str, zone: chrono_tz::Tz) -> Result<Self, PayloadError> {
        let first = Record::new(position, value)?;
        let raw_id = first.text("orderId")?;
        let id = CentraOrderId::parse(&raw_id)
            .map_err(|e| PayloadError::new(position, "orderId", e.to_string()))?;
        let object = format!("order {id}");
        let record = Record::new(&object, value)?;
        let status_text = record.text("orderStatus")?;
        let mut lines = Vec::new();
        for (i, line) in record.array("products")?.iter().enumerate() {
            lines.push(product_line(&format!("{object} products[{i}]"), line)?);
        }
        Ok(Self {
            id,
            status: CentraOrderStatus::parse(&status_text),
            status_text,
            on_hold: record.flag("hold")?,
            waiting_for_payment: record.flag("waitingForPayment")?,
            currency: record.text_or_empty("orderCurrency")?,
            order_date: opt_time(&record, "orderDate", zone)?,
            delivery: address(&record)?,
            // Orders carry no `deliveryService`; the carrier/service key is `shippingList`.
            shipping: pb::ShippingMethod {
                carrier: record.text_or_empty("defaultCarrier")?,
                service: String::new(),
                shipping_list: record.text_or_empty("shippingList")?,
            },
            lines,
        })
    }
}

impl CentraClient {
    /// Every order created at or after `newer_than` (all when `None`), oldest first, following
    /// `limit`+`offset` pages (each page retried). Unreadable orders come back as bad records;
    /// any failed page fails the whole read, so a caller never mistakes half a list for all.
    pub async fn orders(
        &self,
        newer_than: Option<DateTime<Utc>>,
    ) -> Result<Vec<Parsed<CentraOrder>>, CentraError> {
        let mut query = Vec::new();
        if let Some(since) = newer_than {
            query.push(("newer_than".to_owned(), self.filter_time(since)));
        }
        self.offset_pages(
            "GET /orders",
            "orders",
            "orderId",
            &query,
            CentraOrder::parse,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_an_order_as_the_reference_prints_it() {
        let value = json!({
            "orderId": "83651", "orderStatus": "confirmed", "orderDate": "2012-02-04 15:16:13",
            "orderCurrency": "EUR", "hold": 0, "waitingForPayment": "1",
            "deliveryName": "Someones Name", "deliveryCountry": "DE", "shippingList": "standard",
            "shipments": [{"shipmentId": "16-1", "shippedDate": "0000-00-00 00:00:00"}],
            "products": [{"lineId": "43243", "sku": "S123", "qty": "2", "price": "450.50"}]
        });
        let order =
            CentraOrder::parse(&value, "orders[0]", chrono_tz::Europe::Stockholm).expect("order");
        assert_eq!(order.id.get(), 83651);
        assert_eq!(order.status, CentraOrderStatus::Confirmed);
        assert_eq!(order.status_text, "confirmed");
        assert!(order.waiting_for_payment && !order.on_hold);
        assert_eq!(
            order.order_date.map(|d| d.to_rfc3339()).as_deref(),
            Some("2012-02-04T14:16:13+00:00")
        );
        assert_eq!(order.lines[0].quantity, 2);
        assert_eq!(order.shipping.shipping_list, "standard");
    }

    #[test]
    fn errors_name_the_order_and_the_field() {
        let zone = chrono_tz::UTC;
        let bad_line = json!({"orderId": 7, "orderStatus": "Confirmed",
            "products": [{"lineId": 1, "qty": "many"}]});
        let error = CentraOrder::parse(&bad_line, "orders[0]", zone).expect_err("bad qty");
        assert_eq!(
            (error.object.as_str(), error.field.as_str()),
            ("order 7 products[0]", "qty")
        );
        let no_id = json!({"orderStatus": "Confirmed"});
        let error = CentraOrder::parse(&no_id, "orders[1]", zone).expect_err("no id");
        assert_eq!(
            (error.object.as_str(), error.field.as_str()),
            ("orders[1]", "orderId")
        );
        let no_status = json!({"orderId": "8"});
        let error = CentraOrder::parse(&no_status, "orders[2]", zone).expect_err("no status");
        assert_eq!(
            (error.object.as_str(), error.field.as_str()),
            ("order 8", "orderStatus")
        );
    }
}
