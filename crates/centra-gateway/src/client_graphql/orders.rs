//! Orders for the order import (`import = "orders"` or `"both"`), read through the Integration
//! API into the same [`CentraOrder`] the Order API client reads, so the orders poll does not
//! care which API an end-point speaks.
//!
//! `orders(where: {createdAt: {from}}, limit, page)`: the DTC examples filter orders by
//! `createdAt: {from, to}` ("Same as orderDate" on the Order schema page), the filter the Order
//! API's `newer_than` is, and page lists by `limit` + `page` (docs section 10). Pages are read
//! until a short one. The read does not depend on the list's order: the window is fixed at
//! its start, so an order created while paging either lands after the last page read (oldest
//! first) or pushes read orders onto the next page (newest first), where they are read twice and
//! the poll's memory drops the copy; none is skipped.
//!
//! Each order is read on its own, so one bad order (named, with its field) never hides the
//! others: it comes back as a [`BadRecord`] keyed by its number, as the Order API's is.
//!
//! From the Integration API's names to the Order API's: `number` is `orderId`, `status`
//! `SHIPPED` is `Completed` (ERP GQL guide, order statuses), `isOnHold` is `hold`,
//! `orderHoldReason: WAITING_FOR_PAYMENT` is `waitingForPayment`, `shippingMethodName` is
//! `shippingList`. Doc gaps: an order shows no carrier (the Order API's `defaultCarrier`; the
//! Integration API carries it on shipments), so the carrier is empty; bundles are not shown on
//! an order line, so no line is a bundle or part of one; nor are a line's country of origin
//! and harmonized code.

use chrono::{DateTime, Utc};
use domain::{CentraOrderId, CentraOrderStatus};
use proto::events::v1 as pb;
use serde_json::Value;

use super::governor::Call;
use super::operations::{OrdersPage, orders_page};
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind, PayloadError};
use crate::client::CentraOrder;
use crate::client::record::{BadRecord, Parsed};

const ORDERS: Call = Call {
    operation: "orders",
    mutation: false,
};

/// The status as the Integration API writes it, and in the gateway's terms.
fn status(status: &orders_page::OrderStatus) -> (String, CentraOrderStatus) {
    use orders_page::OrderStatus as S;
    let text = match status {
        S::PENDING => "PENDING",
        S::CONFIRMED => "CONFIRMED",
        S::PROCESSING => "PROCESSING",
        S::SHIPPED => "SHIPPED",
        S::ARCHIVED => "ARCHIVED",
        S::CANCELLED => "CANCELLED",
        S::Other(other) => other.as_str(),
    };
    let parsed = match status {
        // "Completed" is SHIPPED in GraphQL (ERP GQL guide, order statuses).
        S::SHIPPED => CentraOrderStatus::Completed,
        _ => CentraOrderStatus::parse(text),
    };
    (text.to_owned(), parsed)
}

fn text(value: Option<String>) -> String {
    value.unwrap_or_default()
}

fn address(address: Option<orders_page::OrdersPageOrdersShippingAddress>) -> pb::Address {
    let Some(a) = address else {
        return pb::Address::default();
    };
    let name = [text(a.first_name), text(a.last_name)]
        .into_iter()
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    pb::Address {
        name,
        company: text(a.company_name),
        email: text(a.email),
        mobile_phone: text(a.cell_phone_number),
        phone: text(a.phone_number),
        address_line1: text(a.address1),
        address_line2: text(a.address2),
        zip_code: text(a.zip_code),
        city: text(a.city),
        state: text(a.state_or_province),
        country_code: a.country.map(|c| c.code).unwrap_or_default(),
    }
}

fn line(
    object: &str,
    line: orders_page::OrdersPageOrdersLines,
) -> Result<pb::ProductLine, PayloadError> {
    // Negative or beyond what one line may carry (`domain::line_quantity`): an absurd quantity
    // would become an absurd warehouse line.
    if let Err(error) = domain::line_quantity(line.quantity) {
        return Err(PayloadError::new(object, "quantity", error.to_string()));
    }
    let size = line.product_size;
    Ok(pb::ProductLine {
        line_id: line.id.to_string(),
        sku: text(
            size.as_ref()
                .and_then(|s| s.product.as_ref())
                .and_then(|p| p.product_number.clone()),
        ),
        variant_sku: text(
            size.as_ref()
                .and_then(|s| s.product_variant.as_ref())
                .and_then(|v| v.variant_number.clone()),
        ),
        size_sku: text(size.as_ref().and_then(|s| s.size_number.clone())),
        ean: text(size.as_ref().and_then(|s| s.ean.clone())),
        quantity: line.quantity,
        product_name: text(line.product_name),
        variant_name: text(line.product_variant_name),
        size_name: text(size.and_then(|s| s.size.name)),
        unit_price: line
            .unit_price
            .map(|p| format!("{:.2}", p.value))
            .unwrap_or_default(),
        ..pb::ProductLine::default()
    })
}

/// One order of a page in the gateway's terms; an error names the order (by its number once
/// read) and the field.
pub(crate) fn order_of(
    position: &str,
    order: orders_page::OrdersPageOrders,
) -> Result<CentraOrder, PayloadError> {
    let id = u64::try_from(order.number)
        .ok()
        .and_then(CentraOrderId::new)
        .ok_or_else(|| {
            PayloadError::new(
                position,
                "number",
                format!("{} is not a Centra order number", order.number),
            )
        })?;
    let object = format!("order {id}");
    let order_date = DateTime::parse_from_rfc3339(&order.order_date)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            PayloadError::new(
                &object,
                "orderDate",
                format!("{:?} is not an ISO-8601 time: {e}", order.order_date),
            )
        })?;
    let mut lines = Vec::with_capacity(order.lines.len());
    for (i, entry) in order.lines.into_iter().enumerate() {
        lines.push(line(&format!("{object} lines[{i}]"), entry)?);
    }
    let (status_text, status) = status(&order.status);
    Ok(CentraOrder {
        id,
        status,
        status_text,
        on_hold: order.is_on_hold,
        waiting_for_payment: matches!(
            order.order_hold_reason,
            Some(orders_page::OrderHoldReason::WAITING_FOR_PAYMENT)
        ),
        currency: text(order.currency_code),
        order_date: Some(order_date),
        delivery: address(order.shipping_address),
        shipping: pb::ShippingMethod {
            carrier: String::new(),
            service: String::new(),
            shipping_list: text(order.shipping_method_name),
        },
        lines,
    })
}

/// Reads one entry of a page as it came: decoded and mapped, or kept aside naming it.
fn entry(position: &str, raw: Value) -> Parsed<CentraOrder> {
    let key = match raw.get("number") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => position.to_owned(),
    };
    let object = if key == position {
        position.to_owned()
    } else {
        format!("order {key}")
    };
    super::transport::decode::<orders_page::OrdersPageOrders>(&object, raw.clone())
        .and_then(|order| order_of(position, order))
        .map_err(|error| Box::new(BadRecord { key, error, raw }))
}

impl GraphqlClient {
    /// Every order created at or after `created_from` (all when `None`), page after page until
    /// a short page (each page retried as any read). Unreadable orders come back as bad
    /// records; a failed page fails the whole read, so a caller never mistakes half a list
    /// for all of it.
    ///
    /// # Errors
    /// A [`GraphqlError`] for a page as a whole, after the retries;
    /// [`GraphqlErrorKind::BadPayload`] when the answer holds no list of orders.
    pub async fn orders(
        &self,
        created_from: Option<DateTime<Utc>>,
    ) -> Result<Vec<Parsed<CentraOrder>>, GraphqlError> {
        let limit = self.inner.options.page_size;
        let filter = orders_page::OrderFilter {
            number: None,
            created_at: created_from.map(|from| orders_page::DateTimeRangeFilter {
                from: Some(from.to_rfc3339()),
                to: None,
            }),
        };
        let mut all = Vec::new();
        for page in 1_i64.. {
            let variables = orders_page::Variables {
                where_: Some(filter.clone()),
                limit: i64::from(limit),
                page,
            };
            let data = self
                .read(|| self.send_once::<OrdersPage>(ORDERS, variables.clone()))
                .await?;
            let Some(Value::Array(list)) = data.get("orders").cloned() else {
                return Err(self.error(
                    ORDERS.operation,
                    GraphqlErrorKind::BadPayload(PayloadError::new(
                        "response",
                        "data.orders",
                        "expected a list",
                    )),
                ));
            };
            let full = list.len() >= limit as usize;
            let offset = all.len();
            all.extend(
                list.into_iter()
                    .enumerate()
                    .map(|(i, raw)| entry(&format!("orders[{}]", offset + i), raw)),
            );
            if !full {
                break;
            }
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(raw: Value) -> Parsed<CentraOrder> {
        entry("orders[0]", raw)
    }

    fn good() -> Value {
        json!({
            "number": 83651, "status": "CONFIRMED", "isOnHold": false,
            "orderHoldReason": "WAITING_FOR_PAYMENT", "currencyCode": "EUR",
            "orderDate": "2012-02-04T15:16:13+01:00", "shippingMethodName": "standard",
            "shippingAddress": {"firstName": "Someones", "lastName": "Name", "companyName": null,
                "address1": "Storgatan 1", "address2": null, "city": "Stockholm",
                "zipCode": "11122", "stateOrProvince": null, "country": {"code": "SE"},
                "email": "a@example.com", "phoneNumber": null, "cellPhoneNumber": "070"},
            "lines": [{"id": 43243, "quantity": 2, "productName": "Shirt",
                "productVariantName": "Black", "unitPrice": {"value": 450.5},
                "productSize": {"SKU": "S123-BL-M", "EAN": "7350000000001", "sizeNumber": "M",
                    "size": {"name": "M"}, "productVariant": {"variantNumber": "BL"},
                    "product": {"productNumber": "S123"}}}]
        })
    }

    #[test]
    fn reads_an_order_in_the_order_apis_terms() {
        let order = read(good()).expect("order");
        assert_eq!(order.id.get(), 83651);
        assert_eq!(order.status, CentraOrderStatus::Confirmed);
        assert_eq!(order.status_text, "CONFIRMED");
        assert!(order.waiting_for_payment && !order.on_hold);
        assert_eq!(order.currency, "EUR");
        assert_eq!(
            order.order_date.map(|d| d.to_rfc3339()).as_deref(),
            Some("2012-02-04T14:16:13+00:00")
        );
        assert_eq!(order.delivery.name, "Someones Name");
        assert_eq!(order.delivery.country_code, "SE");
        assert_eq!(order.delivery.mobile_phone, "070");
        assert_eq!(order.shipping.shipping_list, "standard");
        let line = &order.lines[0];
        assert_eq!(
            (
                line.line_id.as_str(),
                line.sku.as_str(),
                line.variant_sku.as_str(),
                line.size_sku.as_str(),
                line.ean.as_str(),
                line.quantity,
                line.unit_price.as_str(),
            ),
            ("43243", "S123", "BL", "M", "7350000000001", 2, "450.50")
        );
    }

    #[test]
    fn shipped_is_completed_and_no_hold_reason_is_not_waiting() {
        let mut raw = good();
        raw["status"] = json!("SHIPPED");
        raw["orderHoldReason"] = Value::Null;
        raw["isOnHold"] = json!(true);
        let order = read(raw).expect("order");
        assert_eq!(order.status, CentraOrderStatus::Completed);
        assert!(order.on_hold && !order.waiting_for_payment);
        let mut raw = good();
        raw["status"] = json!("HELD_BY_SOMETHING_NEW");
        let order = read(raw).expect("an unknown status is read, not guessed");
        assert_eq!(
            order.status,
            CentraOrderStatus::Other("HELD_BY_SOMETHING_NEW".to_owned())
        );
    }

    #[test]
    fn a_bad_order_is_named_with_its_field() {
        let mut bad_quantity = good();
        bad_quantity["lines"][0]["quantity"] = json!(-1);
        let bad = read(bad_quantity).expect_err("negative quantity");
        assert_eq!(bad.key, "83651");
        assert_eq!(
            (bad.error.object.as_str(), bad.error.field.as_str()),
            ("order 83651 lines[0]", "quantity")
        );
        let mut bad_date = good();
        bad_date["orderDate"] = json!("yesterday");
        let bad = read(bad_date).expect_err("bad date");
        assert_eq!(
            (bad.error.object.as_str(), bad.error.field.as_str()),
            ("order 83651", "orderDate")
        );
        let mut wrong_type = good();
        wrong_type["lines"][0]["quantity"] = json!("many");
        let bad = read(wrong_type).expect_err("not a number");
        assert_eq!(bad.key, "83651");
        assert_eq!(
            (bad.error.object.as_str(), bad.error.field.as_str()),
            ("order 83651", "lines[0].quantity")
        );
        let no_number = json!({"status": "CONFIRMED"});
        let bad = read(no_number.clone()).expect_err("no number");
        assert_eq!(bad.key, "orders[0]");
        assert_eq!(bad.raw, no_number, "the order is kept as sent");
    }
}
