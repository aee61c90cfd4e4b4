//! One shipment as the warehouse needs it: its order's delivery address, currency and shipping
//! method, the carrier, and each line with its product (sku, variant sku, size sku, EAN, names,
//! unit price). What GetShipment and a quantity update read through the Integration API.
//!
//! A line names both its own id (the shipment line) and its order line's id, since
//! `updateShipment` keys quantities by order line (as `createShipment` does).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::governor::Call;
use super::operations::{ShipmentDetail, shipment_detail};
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind, PayloadError};

/// The delivery address, in the Order API's terms (one name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailAddress {
    pub name: String,
    pub company: String,
    pub email: String,
    pub mobile_phone: String,
    pub phone: String,
    pub address_line1: String,
    pub address_line2: String,
    pub zip_code: String,
    pub city: String,
    pub state: String,
    pub country_code: String,
}

/// One line of a shipment, with its product.
#[derive(Debug, Clone, PartialEq)]
pub struct DetailLine {
    /// The shipment line's id.
    pub id: i64,
    /// The order line's id (what `updateShipment` keys a quantity by).
    pub order_line_id: i64,
    pub quantity: i64,
    /// The product's number (the Order API's `sku`).
    pub sku: String,
    /// The variant's number (the Order API's `variantSku`).
    pub variant_sku: String,
    /// The size's number (the Order API's `sizeSku`).
    pub size_sku: String,
    pub ean: String,
    pub product_name: String,
    pub variant_name: String,
    pub size_name: String,
    pub unit_price: Option<f64>,
}

/// A shipment with what the warehouse needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ShipmentDetails {
    pub id: i64,
    pub number: String,
    pub order_id: String,
    pub good_to_go: bool,
    pub shipped: bool,
    pub paid: bool,
    pub captured: bool,
    pub on_hold: bool,
    pub shipped_at: Option<DateTime<Utc>>,
    pub tracking_number: Option<String>,
    pub currency: String,
    pub carrier: String,
    pub service: String,
    pub shipping_method: String,
    pub delivery: DetailAddress,
    pub lines: Vec<DetailLine>,
}

fn text(value: Option<String>) -> String {
    value.unwrap_or_default()
}

impl TryFrom<shipment_detail::ShipmentDetailShipments> for ShipmentDetails {
    type Error = PayloadError;

    fn try_from(s: shipment_detail::ShipmentDetailShipments) -> Result<Self, PayloadError> {
        let object = format!("shipment {}", s.number);
        let shipped_at = s
            .shipped_at
            .as_deref()
            .map(|t| {
                DateTime::parse_from_rfc3339(t)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| {
                        PayloadError::new(
                            &object,
                            "shippedAt",
                            format!("{t:?} is not an ISO-8601 time: {e}"),
                        )
                    })
            })
            .transpose()?;
        let address = s.order.shipping_address.unwrap_or_default();
        let name = [text(address.first_name), text(address.last_name)]
            .into_iter()
            .filter(|part| !part.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let carrier = s.carrier_information.unwrap_or_default();
        Ok(Self {
            id: s.id,
            number: s.number,
            order_id: s.order.id,
            good_to_go: s.is_good_to_go,
            shipped: s.is_shipped,
            paid: s.is_paid,
            captured: s.is_captured,
            on_hold: s.order.is_on_hold,
            shipped_at,
            tracking_number: s.tracking_number,
            currency: text(s.order.currency_code),
            carrier: text(carrier.carrier_name),
            service: text(carrier.service_name),
            shipping_method: text(s.order.shipping_method_name),
            delivery: DetailAddress {
                name,
                company: text(address.company_name),
                email: text(address.email),
                mobile_phone: text(address.cell_phone_number),
                phone: text(address.phone_number),
                address_line1: text(address.address1),
                address_line2: text(address.address2),
                zip_code: text(address.zip_code),
                city: text(address.city),
                state: text(address.state_or_province),
                country_code: address.country.map(|c| c.code).unwrap_or_default(),
            },
            lines: s
                .lines
                .into_iter()
                .map(|line| {
                    let order_line = line.order_line;
                    let size = order_line.product_size;
                    DetailLine {
                        id: line.id,
                        order_line_id: order_line.id,
                        quantity: line.quantity,
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
                        product_name: text(order_line.product_name),
                        variant_name: text(order_line.product_variant_name),
                        size_name: text(size.and_then(|s| s.size.name)),
                        unit_price: order_line.unit_price.map(|p| p.value),
                    }
                })
                .collect(),
        })
    }
}

impl GraphqlClient {
    /// The shipment numbered `number` (`<order>-<n>`) with its order's address and its lines'
    /// products; `None` when Centra has no such shipment. Reads retry what is transient.
    ///
    /// # Errors
    /// A [`GraphqlError`] after the retries; [`GraphqlErrorKind::BadPayload`] naming the
    /// shipment and field for an answer that cannot be read.
    pub async fn shipment_details(
        &self,
        number: &str,
    ) -> Result<Option<ShipmentDetails>, GraphqlError> {
        const CALL: Call = Call {
            operation: "shipments",
            mutation: false,
        };
        let record = format!("shipment {number}");
        let variables = shipment_detail::Variables {
            where_: Some(shipment_detail::ShipmentFilter {
                number: Some(vec![number.to_owned()]),
                ..filter()
            }),
            limit: 1,
            page: 1,
        };
        let data = self
            .read(|| self.send_once::<ShipmentDetail>(CALL, variables.clone()))
            .await?;
        let answer: shipment_detail::ResponseData = self.decode(CALL.operation, &record, data)?;
        let details = answer
            .shipments
            .into_iter()
            .find(|s| s.number == number)
            .map(ShipmentDetails::try_from)
            .transpose()
            .map_err(|e| self.error(CALL.operation, GraphqlErrorKind::BadPayload(e)))?;
        if let Some(details) = &details {
            self.shipment_ids().remember(&details.number, details.id);
        }
        Ok(details)
    }
}

fn filter() -> shipment_detail::ShipmentFilter {
    shipment_detail::ShipmentFilter {
        id: None,
        number: None,
        is_good_to_go: None,
        is_shipped: None,
        is_paid: None,
        is_captured: None,
        order_id: None,
    }
}

/// One entry of a list that could not be read: the entry as Centra sent it, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct UnreadEntry {
    /// `shipment <number>` when the number was readable, else its place in the list.
    pub key: String,
    pub raw: Value,
    pub error: PayloadError,
}

impl GraphqlClient {
    /// One page (from 1) of the shipments good to go and not shipped, with their details
    /// (`limit` + `page`, docs section 10), and whether it was full: a full page may have
    /// another after it. Each entry is read on its own, so one bad shipment (named, with its
    /// field) never hides the others.
    ///
    /// # Errors
    /// A [`GraphqlError`] for the page as a whole, after the retries.
    pub async fn good_to_go_shipments_page(
        &self,
        page: i64,
    ) -> Result<(Vec<Result<ShipmentDetails, Box<UnreadEntry>>>, bool), GraphqlError> {
        const CALL: Call = Call {
            operation: "shipments",
            mutation: false,
        };
        let limit = self.inner.options.page_size;
        let variables = shipment_detail::Variables {
            where_: Some(shipment_detail::ShipmentFilter {
                is_good_to_go: Some(true),
                is_shipped: Some(false),
                ..filter()
            }),
            limit: i64::from(limit),
            page,
        };
        let data = self
            .read(|| self.send_once::<ShipmentDetail>(CALL, variables.clone()))
            .await?;
        let Some(Value::Array(list)) = data.get("shipments").cloned() else {
            return Err(self.error(
                CALL.operation,
                GraphqlErrorKind::BadPayload(PayloadError::new(
                    "response",
                    "data.shipments",
                    "expected a list",
                )),
            ));
        };
        let full = list.len() >= limit as usize;
        let offset = usize::try_from(page.saturating_sub(1)).unwrap_or_default() * limit as usize;
        let entries = list
            .into_iter()
            .enumerate()
            .map(|(position, raw)| {
                let key = raw.get("number").and_then(Value::as_str).map_or_else(
                    || format!("shipments[{}]", offset + position),
                    |n| format!("shipment {n}"),
                );
                super::transport::decode::<shipment_detail::ShipmentDetailShipments>(
                    &key,
                    raw.clone(),
                )
                .and_then(ShipmentDetails::try_from)
                .map_err(|error| Box::new(UnreadEntry { key, raw, error }))
            })
            .collect();
        Ok((entries, full))
    }
}
