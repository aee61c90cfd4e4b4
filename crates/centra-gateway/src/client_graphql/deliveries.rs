//! Purchase order deliveries: the pending ones into a warehouse (`purchaseOrderDeliveries(where:
//! {status: PENDING, warehouseId}, limit, page)`, page after page), one by id, and
//! `acceptPurchaseOrderDelivery` once the warehouse received one.
//!
//! A delivery is read into the same [`CentraDelivery`] the Order API client makes (the
//! `SupplierDeliveryCreated` event does not depend on the API): `id` and `number` as text, the
//! purchase order's id as the supplier order, the supplier's name, `createdAt`, the ETA, and per
//! line the size's product number, variant number, size number, EAN, names and the quantity.
//! The Order API's free-text `message` has no field of known name on the reference page
//! (centra.dev/graphql/purchaseorderdelivery.html shows an unnamed `String`), so it stays empty.
//!
//! Centra's accept takes no quantities (centra.dev/graphql/purchaseorderdeliveryacceptinput.html:
//! `adminUser`, `warehouse`, `stockInsertType`): a delivery is accepted as it stands. Whether a
//! receipt matches the delivery is the caller's question (`crate::connection`).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::governor::Call;
use super::operations::{
    AcceptPurchaseOrderDelivery, PurchaseOrderDeliveries, accept_purchase_order_delivery as accept,
    purchase_order_deliveries as list,
};
use super::transport::decode;
use super::user_errors::refuse_on_user_errors;
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind, PayloadError, UnreadEntry};
use crate::client::{CentraDelivery, CentraDeliveryLine};

/// Whether the accepted units go into the warehouse's stock (`WarehouseStockInsertType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockInsert {
    /// Into stock (the usual case without a stock push from the WMS).
    IntoStock,
    /// Not into stock (the WMS's stock push counts them).
    NotIntoStock,
}

/// Who accepts and where (Centra requires an admin user on the accept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAcceptance {
    pub delivery_id: i64,
    pub admin_user_id: i64,
    /// The warehouse's id; `None` is the delivery's own.
    pub warehouse_id: Option<i64>,
    pub stock: StockInsert,
}

/// What Centra answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAccepted {
    pub delivery_id: Option<i64>,
}

/// One delivery read by id, with where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryStanding {
    pub delivery: CentraDelivery,
    /// `status: PENDING`: still waiting to be accepted.
    pub pending: bool,
}

/// One delivery of a listing: read, or kept aside naming the delivery and the field.
pub type DeliveryEntry = Result<CentraDelivery, Box<UnreadEntry>>;

const DELIVERIES: Call = Call {
    operation: "purchaseOrderDeliveries",
    mutation: false,
};

fn time(object: &str, field: &str, text: &str) -> Result<DateTime<Utc>, PayloadError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| PayloadError::new(object, field, e.to_string()))
}

/// The delivery in the gateway's terms, and whether it is pending; a field the flow cannot use
/// is an error naming the delivery and the field.
fn delivery_of(
    object: &str,
    d: list::PurchaseOrderDeliveriesPurchaseOrderDeliveries,
) -> Result<DeliveryStanding, PayloadError> {
    let created = time(object, "createdAt", &d.created_at)?;
    let eta = d
        .eta
        .as_deref()
        .map(|t| time(object, "ETA", t))
        .transpose()?;
    let mut lines = Vec::with_capacity(d.lines.len());
    for (i, line) in d.lines.into_iter().enumerate() {
        if let Err(error) = domain::line_quantity(line.quantity) {
            return Err(PayloadError::new(
                object,
                format!("lines[{i}].quantity"),
                error.to_string(),
            ));
        }
        // Without its size a line names no product to receive (the token lacks
        // ProductSize:read, or the size is gone).
        let size = line.product_size.ok_or_else(|| {
            PayloadError::new(object, format!("lines[{i}].productSize"), "is null")
        })?;
        let (variant_sku, variant_name) = size
            .product_variant
            .map(|v| (v.variant_number, v.name))
            .unwrap_or_default();
        let (sku, product_name) = size
            .product
            .map(|p| (p.product_number, Some(p.name)))
            .unwrap_or_default();
        lines.push(CentraDeliveryLine {
            sku: sku.unwrap_or_default(),
            variant_sku: variant_sku.unwrap_or_default(),
            size_sku: size.size_number.unwrap_or_default(),
            ean: size.ean.unwrap_or_default(),
            quantity: line.quantity,
            product_name: product_name.unwrap_or_default(),
            variant_name: variant_name.unwrap_or_default(),
            size_name: size.size.name.unwrap_or_default(),
        });
    }
    Ok(DeliveryStanding {
        pending: d.status == list::PurchaseOrderDeliveryStatus::PENDING,
        delivery: CentraDelivery {
            id: d.id.to_string(),
            delivery_number: d.number,
            supplier_order_id: d.purchase_order.id.to_string(),
            supplier_name: d.supplier.name.unwrap_or_default(),
            created: Some(created),
            eta,
            message: String::new(),
            lines,
        },
    })
}

/// Reads one raw entry of a `purchaseOrderDeliveries` list on its own; `position` names it when
/// its id cannot be read.
fn entry(position: usize, raw: Value) -> Result<DeliveryStanding, Box<UnreadEntry>> {
    let key = raw.get("id").and_then(Value::as_i64).map_or_else(
        || format!("purchaseOrderDeliveries[{position}]"),
        |id| format!("purchase order delivery {id}"),
    );
    decode::<list::PurchaseOrderDeliveriesPurchaseOrderDeliveries>(&key, raw.clone())
        .and_then(|d| delivery_of(&key, d))
        .map_err(|error| Box::new(UnreadEntry { key, raw, error }))
}

impl GraphqlClient {
    /// One page (from 1) of `limit` deliveries matching `filter`, as Centra sent them. Reads
    /// retry what is transient.
    async fn delivery_rows(
        &self,
        filter: list::PurchaseOrderDeliveryFilter,
        limit: u32,
        page: u32,
    ) -> Result<Vec<Value>, GraphqlError> {
        let variables = list::Variables {
            where_: Some(filter),
            limit: i64::from(limit),
            page: i64::from(page),
        };
        let data = self
            .read(|| self.send_once::<PurchaseOrderDeliveries>(DELIVERIES, variables.clone()))
            .await?;
        match data.get("purchaseOrderDeliveries") {
            Some(Value::Array(list)) => Ok(list.clone()),
            _ => Err(self.error(
                DELIVERIES.operation,
                GraphqlErrorKind::BadPayload(PayloadError::new(
                    "response",
                    "data.purchaseOrderDeliveries",
                    "expected a list",
                )),
            )),
        }
    }

    /// Every delivery into `warehouse` waiting to be accepted (`status: PENDING`), with its
    /// lines, page after page until a short page. Each is read on its own: one that cannot be
    /// read comes back as an [`UnreadEntry`] naming the delivery and the field, the others are
    /// read on.
    ///
    /// # Errors
    /// A [`GraphqlError`] for a page as a whole, after the retries.
    pub async fn pending_deliveries(
        &self,
        warehouse: i64,
    ) -> Result<Vec<DeliveryEntry>, GraphqlError> {
        let limit = self.inner.options.page_size;
        let mut all = Vec::new();
        for page in 1_u32.. {
            let filter = list::PurchaseOrderDeliveryFilter {
                warehouse_id: Some(vec![warehouse]),
                ..pending_filter()
            };
            let rows = self.delivery_rows(filter, limit, page).await?;
            let full = rows.len() >= limit as usize;
            let offset = all.len();
            all.extend(
                rows.into_iter()
                    .enumerate()
                    .map(|(i, raw)| entry(offset + i, raw).map(|d| d.delivery)),
            );
            if !full {
                break;
            }
        }
        Ok(all)
    }

    /// One harmless read of a single pending delivery (TestConnection's SUPPLIER DELIVERIES
    /// group): the same fields the poll reads, so a permission the poll needs and the token
    /// lacks fails here.
    ///
    /// # Errors
    /// A [`GraphqlError`] after the retries (an authorization error names the permission).
    pub async fn probe_deliveries(&self) -> Result<(), GraphqlError> {
        self.delivery_rows(pending_filter(), 1, 1).await.map(|_| ())
    }

    /// The delivery with Centra's id `id` and whether it is still pending; `None` when Centra
    /// does not know it.
    ///
    /// # Errors
    /// A [`GraphqlError`] after the retries; [`GraphqlErrorKind::BadPayload`] naming the
    /// delivery and the field for an answer that cannot be read.
    pub async fn delivery(&self, id: i64) -> Result<Option<DeliveryStanding>, GraphqlError> {
        let filter = list::PurchaseOrderDeliveryFilter {
            id: Some(vec![id]),
            number: None,
            status: None,
            warehouse_id: None,
        };
        let rows = self.delivery_rows(filter, 1, 1).await?;
        rows.into_iter()
            .filter(|raw| raw.get("id").and_then(Value::as_i64) == Some(id))
            .map(|raw| entry(0, raw))
            .next()
            .transpose()
            .map_err(|unread| {
                self.error(
                    DELIVERIES.operation,
                    GraphqlErrorKind::BadPayload(unread.error),
                )
            })
    }

    /// Accepts a delivery as it stands. Sent again only after a 429: accepting is one-shot in
    /// Centra, so the caller checks the delivery is still pending before asking again.
    ///
    /// # Errors
    /// [`super::GraphqlErrorKind::Refused`] naming the delivery and each field; other kinds as
    /// any call.
    pub async fn accept_delivery(
        &self,
        acceptance: &DeliveryAcceptance,
    ) -> Result<DeliveryAccepted, GraphqlError> {
        const CALL: Call = Call {
            operation: "acceptPurchaseOrderDelivery",
            mutation: true,
        };
        let record = format!("purchase order delivery {}", acceptance.delivery_id);
        let variables = accept::Variables {
            id: acceptance.delivery_id,
            input: accept::PurchaseOrderDeliveryAcceptInput {
                admin_user: accept::AdminUserInput {
                    id: Some(acceptance.admin_user_id),
                },
                warehouse: acceptance
                    .warehouse_id
                    .map(|id| accept::WarehouseInput { id: Some(id) }),
                stock_insert_type: match acceptance.stock {
                    StockInsert::IntoStock => accept::WarehouseStockInsertType::INSERT,
                    StockInsert::NotIntoStock => accept::WarehouseStockInsertType::DO_NOT_INSERT,
                },
            },
        };
        let data = self
            .mutate(|| self.send_once::<AcceptPurchaseOrderDelivery>(CALL, variables.clone()))
            .await?;
        let answer: accept::ResponseData = self.decode(CALL.operation, &record, data)?;
        let payload = answer.accept_purchase_order_delivery;
        refuse_on_user_errors!(self, CALL.operation, &record, payload)?;
        Ok(DeliveryAccepted {
            delivery_id: payload.purchase_order_delivery.map(|d| d.id),
        })
    }
}

fn pending_filter() -> list::PurchaseOrderDeliveryFilter {
    list::PurchaseOrderDeliveryFilter {
        id: None,
        number: None,
        status: Some(list::PurchaseOrderDeliveryStatus::PENDING),
        warehouse_id: None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn raw_delivery() -> Value {
        json!({
            "id": 12,
            "number": "957-1",
            "status": "PENDING",
            "createdAt": "2026-01-05T10:00:00+01:00",
            "ETA": "2026-01-09T00:00:00+01:00",
            "supplier": {"name": "Sim Mill"},
            "purchaseOrder": {"id": 957},
            "lines": [{
                "quantity": 4,
                "productSize": {
                    "id": 9001,
                    "SKU": "HJ100NVYS",
                    "EAN": "7350000000011",
                    "sizeNumber": "S",
                    "size": {"name": "Small"},
                    "productVariant": {"name": "Navy", "variantNumber": "NVY"},
                    "product": {"name": "Hoodie", "productNumber": "HJ100"}
                }
            }]
        })
    }

    #[test]
    fn a_delivery_reads_as_the_order_apis() {
        let standing = entry(0, raw_delivery()).unwrap();
        assert!(standing.pending);
        let d = standing.delivery;
        assert_eq!(d.id, "12");
        assert_eq!(d.delivery_number, "957-1");
        assert_eq!(d.supplier_order_id, "957");
        assert_eq!(d.supplier_name, "Sim Mill");
        assert_eq!(d.created.unwrap().to_rfc3339(), "2026-01-05T09:00:00+00:00");
        assert!(d.eta.is_some());
        assert_eq!(
            d.lines,
            vec![CentraDeliveryLine {
                sku: "HJ100".into(),
                variant_sku: "NVY".into(),
                size_sku: "S".into(),
                ean: "7350000000011".into(),
                quantity: 4,
                product_name: "Hoodie".into(),
                variant_name: "Navy".into(),
                size_name: "Small".into(),
            }]
        );
    }

    #[test]
    fn an_accepted_or_unknown_status_is_not_pending() {
        for status in ["ACCEPTED", "SOMETHING_NEW"] {
            let mut raw = raw_delivery();
            raw["status"] = json!(status);
            assert!(!entry(0, raw).unwrap().pending, "{status}");
        }
    }

    #[test]
    fn a_bad_delivery_names_itself_and_the_field() {
        let mut raw = raw_delivery();
        raw["lines"][0]["quantity"] = json!(-1);
        let unread = entry(3, raw).unwrap_err();
        assert_eq!(unread.key, "purchase order delivery 12");
        assert_eq!(unread.error.field, "lines[0].quantity");

        let mut raw = raw_delivery();
        raw["lines"][0]["productSize"] = Value::Null;
        assert_eq!(
            entry(0, raw).unwrap_err().error.field,
            "lines[0].productSize"
        );

        let mut raw = raw_delivery();
        raw["createdAt"] = json!("yesterday");
        assert_eq!(entry(0, raw).unwrap_err().error.field, "createdAt");
    }

    #[test]
    fn a_delivery_without_a_readable_id_is_named_by_its_place() {
        let mut raw = raw_delivery();
        raw["id"] = json!("twelve");
        let unread = entry(5, raw).unwrap_err();
        assert_eq!(unread.key, "purchaseOrderDeliveries[5]");
        assert_eq!(unread.error.field, "id");
    }
}
