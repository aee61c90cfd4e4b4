//! Shipments: `GET /shipments` (good to go, a snapshot), `GET /shipment/{id}`, `PUT
//! /shipments/{id}` (quantities), `PUT /shipment` (complete, singular) and `PUT /capture`.

use chrono::{DateTime, Utc};
use domain::ShipmentId;
use proto::events::v1 as pb;
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::record::{BadRecord, Parsed, Record, opt_time};
use super::{CentraClient, CentraError, CentraErrorKind, PayloadError};

/// Which shipments `GET /shipments` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShipmentStatusFilter {
    /// Good to go and not shipped (Centra's default).
    GoodToGo,
    /// Not yet good to go.
    InProgress,
    /// Shipped.
    Completed,
}

impl ShipmentStatusFilter {
    fn as_str(self) -> &'static str {
        match self {
            Self::GoodToGo => "goodtogo",
            Self::InProgress => "inprogress",
            Self::Completed => "completed",
        }
    }
}

/// One line of a shipment as Centra sent it, plus what the gateway needs to map it back.
pub type CentraShipmentLine = pb::ProductLine;

/// A Centra shipment, read leniently.
#[derive(Debug, Clone, PartialEq)]
pub struct CentraShipment {
    pub id: ShipmentId,
    pub order_id: String,
    pub paid: bool,
    pub should_capture: bool,
    pub on_hold: bool,
    pub suspect: bool,
    pub currency: String,
    pub order_date: Option<DateTime<Utc>>,
    pub shipment_date: Option<DateTime<Utc>>,
    pub delivery: pb::Address,
    pub shipping: pb::ShippingMethod,
    pub lines: Vec<CentraShipmentLine>,
    pub tracking_number: String,
}

/// A shipment and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ShipmentState {
    pub shipment: CentraShipment,
    pub status: ShipmentStatusFilter,
}

/// The body of `PUT /shipment` (complete). `capture` is always sent: Centra defaults a missing
/// one to `true`, which would charge the customer behind the caller's back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub order_id: String,
    pub shipment_id: ShipmentId,
    pub capture: bool,
    pub carrier: String,
    pub service: String,
    pub tracking_numbers: Vec<String>,
    pub packages: u32,
    pub return_slip_tracking: String,
    pub send_email: Option<bool>,
    pub internal_comment: String,
}

impl Completion {
    fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("order".into(), json!(self.order_id));
        body.insert("shipment".into(), json!(self.shipment_id.to_string()));
        body.insert("capture".into(), json!(self.capture));
        body.insert("gtg".into(), json!(true));
        body.insert("shipped".into(), json!(true));
        let texts = [
            ("carrier", &self.carrier),
            ("service", &self.service),
            ("returnSlipTracking", &self.return_slip_tracking),
            ("internalComment", &self.internal_comment),
        ];
        for (key, value) in texts {
            if !value.is_empty() {
                body.insert(key.into(), json!(value));
            }
        }
        if !self.tracking_numbers.is_empty() {
            body.insert("tracking".into(), json!(self.tracking_numbers.join(",")));
        }
        if self.packages > 0 {
            body.insert("packages".into(), json!(self.packages));
        }
        if let Some(send) = self.send_email {
            body.insert("sendEmail".into(), json!(send));
        }
        Value::Object(body)
    }
}

pub(crate) fn address(record: &Record<'_>) -> Result<pb::Address, PayloadError> {
    Ok(pb::Address {
        name: record.text_or_empty("deliveryName")?,
        company: record.text_or_empty("deliveryCompany")?,
        email: record.text_or_empty("deliveryEmail")?,
        mobile_phone: record.text_or_empty("deliveryCell")?,
        phone: record.text_or_empty("deliveryTele")?,
        address_line1: record.text_or_empty("deliveryAddress")?,
        address_line2: record.text_or_empty("deliveryCoaddress")?,
        zip_code: record.text_or_empty("deliveryZipcode")?,
        city: record.text_or_empty("deliveryCity")?,
        state: record.text_or_empty("deliveryState")?,
        country_code: record.text_or_empty("deliveryCountry")?,
    })
}

/// Reads one `products[]` line of an order or shipment.
pub(crate) fn product_line(object: &str, value: &Value) -> Result<pb::ProductLine, PayloadError> {
    let line = Record::new(object, value)?;
    let quantity = line.int("qty")?;
    // Negative or beyond what one line may carry (`domain::line_quantity`): an absurd
    // quantity would become an absurd warehouse line.
    if let Err(error) = domain::line_quantity(quantity) {
        return Err(PayloadError::new(object, "qty", error.to_string()));
    }
    Ok(pb::ProductLine {
        line_id: line.text("lineId")?,
        sku: line.text_or_empty("sku")?,
        variant_sku: line.text_or_empty("variantSku")?,
        size_sku: line.text_or_empty("sizeSku")?,
        ean: line.text_or_empty("ean")?,
        quantity,
        product_name: line.text_or_empty("name")?,
        variant_name: line.text_or_empty("variant")?,
        size_name: line.text_or_empty("size")?,
        unit_price: line.decimal_text("price")?,
        is_bundle: line.flag("isBundle")?,
        part_of_bundle: line
            .opt_text("isPartOfBundle")?
            .filter(|p| !p.is_empty() && p != "0")
            .unwrap_or_default(),
        country_of_origin: line.text_or_empty("countryOfOrigin")?,
        harm_code: line.text_or_empty("harmCode")?,
    })
}

impl CentraShipment {
    /// Reads one shipment object. `position` names it until its id is known.
    pub fn parse(value: &Value, position: &str, zone: chrono_tz::Tz) -> Result<Self, PayloadError> {
        let record = Record::new(position, value)?;
        let raw_id = record.text("shipmentId")?;
        let id = ShipmentId::parse(&raw_id)
            .map_err(|e| PayloadError::new(position, "shipmentId", e.to_string()))?;
        let object = format!("shipment {id}");
        let record = Record::new(&object, value)?;
        let order_id = record.text("orderId")?;
        if order_id != id.order_id().to_string() {
            return Err(PayloadError::new(
                &object,
                "orderId",
                format!("{order_id:?} does not match the shipment id"),
            ));
        }
        let mut lines = Vec::new();
        for (i, line) in record.array("products")?.iter().enumerate() {
            lines.push(product_line(&format!("{object} products[{i}]"), line)?);
        }
        Ok(Self {
            id,
            order_id,
            paid: record.flag("paid")?,
            should_capture: record.flag("shouldCapture")?,
            on_hold: record.flag("hold")?,
            suspect: record.flag("suspect")?,
            currency: record.text_or_empty("orderCurrency")?,
            order_date: opt_time(&record, "orderDate", zone)?,
            shipment_date: opt_time(&record, "shipmentDate", zone)?,
            delivery: address(&record)?,
            shipping: pb::ShippingMethod {
                carrier: record.text_or_empty("defaultCarrier")?,
                service: record.text_or_empty("deliveryService")?,
                shipping_list: record.text_or_empty("shippingList")?,
            },
            lines,
            tracking_number: record.text_or_empty("trackingNumber")?,
        })
    }
}

/// Reads every element of `array` under `key` in `envelope`, keeping bad ones aside.
pub(crate) fn parse_list<T>(
    envelope: &Value,
    key: &str,
    id_field: &str,
    parse: impl Fn(&Value, &str) -> Result<T, PayloadError>,
) -> Result<Vec<Parsed<T>>, PayloadError> {
    let root = Record::new("response", envelope)?;
    let items = root.array(key)?;
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let position = format!("{key}[{i}]");
            parse(raw, &position).map_err(|error| {
                Box::new(BadRecord {
                    key: raw
                        .get(id_field)
                        .and_then(|v| match v {
                            Value::String(s) => Some(s.clone()),
                            Value::Number(n) => Some(n.to_string()),
                            _ => None,
                        })
                        .unwrap_or(position),
                    error,
                    raw: raw.clone(),
                })
            })
        })
        .collect())
}

impl CentraClient {
    pub(crate) fn bad_payload(&self, operation: &str, error: PayloadError) -> CentraError {
        CentraError::new(
            self.endpoint(),
            operation,
            CentraErrorKind::BadPayload(error),
        )
    }

    /// Every shipment with `status` (created at or after `newer_than` when given), oldest
    /// first, following `limit`+`offset` pages. Unreadable records come back as [`BadRecord`]s.
    pub async fn shipments(
        &self,
        status: ShipmentStatusFilter,
        newer_than: Option<DateTime<Utc>>,
    ) -> Result<Vec<Parsed<CentraShipment>>, CentraError> {
        let mut query = vec![("status".to_owned(), status.as_str().to_owned())];
        if let Some(since) = newer_than {
            query.push(("newer_than".to_owned(), self.filter_time(since)));
        }
        self.offset_pages(
            "GET /shipments",
            "shipments",
            "shipmentId",
            &query,
            CentraShipment::parse,
        )
        .await
    }

    /// Page `index` (from 0) of the shipments with `status` (`limit` is the page size, at
    /// most 100), and whether it was full: a full page may have another after it. Unreadable
    /// records come back as [`BadRecord`]s.
    pub async fn shipments_page(
        &self,
        status: ShipmentStatusFilter,
        index: u32,
    ) -> Result<(Vec<Parsed<CentraShipment>>, bool), CentraError> {
        let query = vec![("status".to_owned(), status.as_str().to_owned())];
        let offset = u64::from(index) * u64::from(self.page_limit());
        self.offset_page(
            "GET /shipments",
            "shipments",
            "shipmentId",
            &query,
            offset,
            CentraShipment::parse,
        )
        .await
    }

    /// Every record of a `limit`+`offset` list (`GET /orders`, `GET /shipments`) with `query`,
    /// page after page until a short page; unreadable records come back as [`BadRecord`]s.
    pub(crate) async fn offset_pages<T>(
        &self,
        operation: &'static str,
        key: &'static str,
        id_field: &'static str,
        query: &[(String, String)],
        parse: impl Fn(&Value, &str, chrono_tz::Tz) -> Result<T, PayloadError>,
    ) -> Result<Vec<Parsed<T>>, CentraError> {
        let mut all = Vec::new();
        loop {
            let offset = all.len() as u64;
            let (page, full) = self
                .offset_page(operation, key, id_field, query, offset, &parse)
                .await?;
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }

    /// One page of a `limit`+`offset` list from `offset` (retried), and whether it was full.
    async fn offset_page<T>(
        &self,
        operation: &'static str,
        key: &'static str,
        id_field: &'static str,
        query: &[(String, String)],
        offset: u64,
        parse: impl Fn(&Value, &str, chrono_tz::Tz) -> Result<T, PayloadError>,
    ) -> Result<(Vec<Parsed<T>>, bool), CentraError> {
        let limit = self.page_limit();
        let zone = self.zone();
        let mut page_query = query.to_vec();
        page_query.push(("limit".to_owned(), limit.to_string()));
        page_query.push(("offset".to_owned(), offset.to_string()));
        let page = self
            .with_retry(|| self.get_once(operation, key, &page_query))
            .await?;
        let parsed = parse_list(&page, key, id_field, |raw, position| {
            parse(raw, &format!("{position} (offset {offset})"), zone)
        })
        .map_err(|e| self.bad_payload(operation, e))?;
        let full = parsed.len() >= limit as usize;
        Ok((parsed, full))
    }

    /// The `limit` of a list page: the configured page size, which Centra caps at 100.
    fn page_limit(&self) -> u32 {
        self.options().page_size.clamp(1, 100)
    }

    /// One shipment whatever its state (`GET /shipment/{id}`), `None` when Centra has none.
    pub async fn shipment_once(
        &self,
        id: &ShipmentId,
        status: Option<ShipmentStatusFilter>,
    ) -> Result<Option<CentraShipment>, CentraError> {
        let operation = format!("GET /shipment/{id}");
        let query: Vec<(String, String)> = status
            .map(|s| vec![("status".to_owned(), s.as_str().to_owned())])
            .unwrap_or_default();
        let envelope = self
            .get_once(&operation, &format!("shipment/{id}"), &query)
            .await?;
        let record =
            Record::new("response", &envelope).map_err(|e| self.bad_payload(&operation, e))?;
        let items = record
            .array("shipments")
            .map_err(|e| self.bad_payload(&operation, e))?;
        match items.first() {
            None => Ok(None),
            Some(raw) => CentraShipment::parse(raw, &format!("shipment {id}"), self.zone())
                .map(Some)
                .map_err(|e| self.bad_payload(&operation, e)),
        }
    }

    /// One shipment and whether it is good to go, in progress or completed.
    ///
    /// The Order API has no status field on a shipment, only the `status` filter of the read
    /// (§4.1), so the state is which filtered read finds it. Good to go comes first: it is
    /// what nearly every caller meets (a shipment about to be completed, captured or changed),
    /// and the good-to-go list holds only unsent shipments, so one call answers with the
    /// shipment, its `paid` flag and "not completed". Then completed, then unfiltered (in
    /// progress, or unknown).
    pub async fn shipment_state_once(
        &self,
        id: &ShipmentId,
    ) -> Result<Option<ShipmentState>, CentraError> {
        self.shipment_state_from_once(id, ShipmentStatusFilter::GoodToGo)
            .await
    }

    /// As [`Self::shipment_state_once`], asking for `likely` first (good to go or completed;
    /// in progress is always the last, unfiltered read): a caller that knows the shipment
    /// completed saves the good-to-go read.
    pub async fn shipment_state_from_once(
        &self,
        id: &ShipmentId,
        likely: ShipmentStatusFilter,
    ) -> Result<Option<ShipmentState>, CentraError> {
        let order = match likely {
            ShipmentStatusFilter::Completed => [
                ShipmentStatusFilter::Completed,
                ShipmentStatusFilter::GoodToGo,
            ],
            _ => [
                ShipmentStatusFilter::GoodToGo,
                ShipmentStatusFilter::Completed,
            ],
        };
        for status in order {
            if let Some(shipment) = self.shipment_once(id, Some(status)).await? {
                return Ok(Some(ShipmentState { shipment, status }));
            }
        }
        Ok(self
            .shipment_once(id, None)
            .await?
            .map(|shipment| ShipmentState {
                shipment,
                status: ShipmentStatusFilter::InProgress,
            }))
    }

    /// [`Self::shipment_state_once`] with retries.
    pub async fn shipment_state(
        &self,
        id: &ShipmentId,
    ) -> Result<Option<ShipmentState>, CentraError> {
        self.with_retry(|| self.shipment_state_once(id)).await
    }

    /// [`Self::shipment_state_from_once`] with retries.
    pub async fn shipment_state_from(
        &self,
        id: &ShipmentId,
        likely: ShipmentStatusFilter,
    ) -> Result<Option<ShipmentState>, CentraError> {
        self.with_retry(|| self.shipment_state_from_once(id, likely))
            .await
    }

    /// `PUT /shipment`: completes a shipment. One attempt; callers re-read before retrying.
    pub async fn complete_once(&self, completion: &Completion) -> Result<(), CentraError> {
        self.send_once(
            Method::PUT,
            "PUT /shipment",
            "shipment",
            &[],
            Some(&completion.body()),
        )
        .await
        .map(|_| ())
    }

    /// `PUT /capture`. One attempt; callers re-read before retrying.
    pub async fn capture_once(&self, id: &ShipmentId) -> Result<(), CentraError> {
        self.send_once(
            Method::PUT,
            "PUT /capture",
            "capture",
            &[],
            Some(&json!({ "shipment": id.to_string() })),
        )
        .await
        .map(|_| ())
    }

    /// `PUT /shipments/{id}` with `products: {order line id: qty}`; answers the shipment.
    pub async fn update_quantities_once(
        &self,
        id: &ShipmentId,
        order_line_quantities: &[(String, i64)],
    ) -> Result<CentraShipment, CentraError> {
        let operation = format!("PUT /shipments/{id}");
        let products: Map<String, Value> = order_line_quantities
            .iter()
            .map(|(line, qty)| (line.clone(), json!(qty)))
            .collect();
        let envelope = self
            .send_once(
                Method::PUT,
                &operation,
                &format!("shipments/{id}"),
                &[],
                Some(&json!({ "products": products })),
            )
            .await?;
        let raw = envelope.get("shipment").cloned().unwrap_or(Value::Null);
        CentraShipment::parse(&raw, &format!("shipment {id}"), self.zone())
            .map_err(|e| self.bad_payload(&operation, e))
    }

    /// The lines of an order (`GET /orders?order=`), to map shipment lines to order lines.
    pub async fn order_lines_once(
        &self,
        order_id: &str,
    ) -> Result<Vec<pb::ProductLine>, CentraError> {
        const OP: &str = "GET /orders";
        let envelope = self
            .get_once(OP, "orders", &[("order".to_owned(), order_id.to_owned())])
            .await?;
        let root = Record::new("response", &envelope).map_err(|e| self.bad_payload(OP, e))?;
        let orders = root.array("orders").map_err(|e| self.bad_payload(OP, e))?;
        let Some(order) = orders.first() else {
            return Ok(Vec::new());
        };
        let object = format!("order {order_id}");
        let record = Record::new(&object, order).map_err(|e| self.bad_payload(OP, e))?;
        let mut lines = Vec::new();
        for (i, raw) in record
            .array("products")
            .map_err(|e| self.bad_payload(OP, e))?
            .iter()
            .enumerate()
        {
            lines.push(
                product_line(&format!("{object} products[{i}]"), raw)
                    .map_err(|e| self.bad_payload(OP, e))?,
            );
        }
        Ok(lines)
    }
}
