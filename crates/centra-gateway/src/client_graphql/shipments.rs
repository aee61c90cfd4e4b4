//! Shipments: read (`limit` + `page`), create, update, capture, complete with tracking.
//!
//! A capture Centra answers `PENDING` (Adyen and Klarna send a `CAPTURE_REQUEST` and the final
//! result later, docs section 10) is [`Capture::Pending`]: not yet captured, never taken as
//! captured.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::governor::Call;
use super::operations::{
    CaptureShipment, CompleteShipment, CreateShipment, ShipmentPayment, ShipmentsPage,
    UpdateShipment, capture_shipment, complete_shipment, create_shipment, shipment_payment,
    shipments_page, update_shipment,
};
use super::user_errors::refuse_on_user_errors;
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind, PayloadError};

/// One shipped line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentLine {
    pub id: i64,
    pub quantity: i64,
    pub order_line_id: i64,
    pub product_size_id: Option<i64>,
    pub sku: Option<String>,
    pub ean: Option<String>,
}

/// A Centra shipment as the Integration API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub id: i64,
    /// `<order number>-<n>`, as the Order API's shipment id.
    pub number: String,
    pub order_id: String,
    pub order_number: i64,
    pub created_at: DateTime<Utc>,
    pub good_to_go: bool,
    pub shipped: bool,
    pub paid: bool,
    pub captured: bool,
    pub shipped_at: Option<DateTime<Utc>>,
    pub tracking_number: Option<String>,
    pub lines: Vec<ShipmentLine>,
}

/// Which shipments to read (`ShipmentFilter`); `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentQuery {
    pub ids: Vec<i64>,
    /// Shipment numbers (`<order number>-<n>`, the Order API's shipment ids).
    pub numbers: Vec<String>,
    pub good_to_go: Option<bool>,
    pub shipped: Option<bool>,
    pub paid: Option<bool>,
}

/// A shipment to create for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShipment {
    pub order_number: i64,
    /// `(order line id, quantity)`.
    pub lines: Vec<(i64, i64)>,
    pub good_to_go: bool,
    /// Capture the whole shipment when creating it (failures come back as `userWarnings`).
    pub capture: bool,
}

/// Changes to a shipment not shipped yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentChanges {
    pub good_to_go: Option<bool>,
    /// `true` only when paid outside Centra; a capture marks it paid itself.
    pub paid: Option<bool>,
    pub additional_message: Option<String>,
    /// `(order line id, quantity the shipment keeps)`; empty leaves the lines as they are.
    pub lines: Vec<(i64, i64)>,
}

/// What completing a shipment tells Centra.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    /// When it left the warehouse; `None` is "now". Never in the future.
    pub shipped_at: Option<DateTime<Utc>>,
    pub carrier: Option<String>,
    pub service: Option<String>,
    pub packages: Option<i64>,
    pub tracking_number: Option<String>,
    pub return_tracking_number: Option<String>,
    pub send_email: bool,
}

/// What a capture did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capture {
    /// The money is taken.
    Captured,
    /// Not yet captured: the provider answers later (`PENDING`, `CAPTURE_REQUEST`). Read the
    /// shipment again before treating it as paid.
    Pending {
        /// The payment history entry's type, e.g. `CAPTURE_REQUEST`.
        entry: String,
    },
    /// The provider declined it.
    Declined {
        /// The payment history entry's type, e.g. `CAPTURE_FAILED`.
        entry: String,
    },
}

/// Where one shipment stands: what completing and capturing read first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShipmentStanding {
    pub id: i64,
    pub good_to_go: bool,
    pub shipped: bool,
    pub paid: bool,
    pub captured: bool,
    /// A capture request is with the payment provider: its payment history has a `PENDING`
    /// `CAPTURE_REQUEST` (or `CAPTURE_PENDING`) entry. Not captured; asking again is refused.
    pub capture_requested: bool,
}

fn time(object: &str, field: &str, text: &str) -> Result<DateTime<Utc>, PayloadError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            PayloadError::new(
                object,
                field,
                format!("{text:?} is not an ISO-8601 time: {e}"),
            )
        })
}

/// Every operation selects the same `ShipmentFields` fragment; each generated module has its
/// own copy of the type, so the conversion is written once for all of them.
macro_rules! shipment_from_fields {
    ($module:ident) => {
        impl TryFrom<$module::ShipmentFields> for Shipment {
            type Error = PayloadError;

            fn try_from(fields: $module::ShipmentFields) -> Result<Self, PayloadError> {
                let object = format!("shipment {}", fields.number);
                let shipped_at = fields
                    .shipped_at
                    .as_deref()
                    .map(|text| time(&object, "shippedAt", text))
                    .transpose()?;
                Ok(Self {
                    id: fields.id,
                    created_at: time(&object, "createdAt", &fields.created_at)?,
                    number: fields.number,
                    order_id: fields.order.id,
                    order_number: fields.order.number,
                    good_to_go: fields.is_good_to_go,
                    shipped: fields.is_shipped,
                    paid: fields.is_paid,
                    captured: fields.is_captured,
                    shipped_at,
                    tracking_number: fields.tracking_number,
                    lines: fields
                        .lines
                        .into_iter()
                        .map(|line| ShipmentLine {
                            id: line.id,
                            quantity: line.quantity,
                            order_line_id: line.order_line.id,
                            product_size_id: line.order_line.product_size.as_ref().map(|s| s.id),
                            sku: line
                                .order_line
                                .product_size
                                .as_ref()
                                .and_then(|s| s.sku.clone()),
                            ean: line.order_line.product_size.and_then(|s| s.ean),
                        })
                        .collect(),
                })
            }
        }
    };
}

shipment_from_fields!(shipments_page);
shipment_from_fields!(create_shipment);
shipment_from_fields!(update_shipment);
shipment_from_fields!(complete_shipment);

fn shipment_info<T>(
    completion: &Completion,
    make: impl FnOnce(Option<String>, Option<String>, Option<i64>, Option<String>, Option<String>) -> T,
) -> Option<T> {
    let any = completion.carrier.is_some()
        || completion.service.is_some()
        || completion.packages.is_some()
        || completion.tracking_number.is_some()
        || completion.return_tracking_number.is_some();
    any.then(|| {
        make(
            completion.carrier.clone(),
            completion.service.clone(),
            completion.packages,
            completion.tracking_number.clone(),
            completion.return_tracking_number.clone(),
        )
    })
}

/// The name a list entry goes by in errors: `shipment <number>` when readable, else its place.
fn list_entry_name(value: &Value, position: usize) -> String {
    value.get("number").and_then(Value::as_str).map_or_else(
        || format!("shipments[{position}]"),
        |n| format!("shipment {n}"),
    )
}

const SHIPMENTS: Call = Call {
    operation: "shipments",
    mutation: false,
};

impl GraphqlClient {
    /// One page (from 1) of shipments matching `query`; each entry read on its own, so one bad
    /// shipment (named, with its field) never hides the others.
    ///
    /// # Errors
    /// A [`GraphqlError`] for the page as a whole, after the retries.
    pub async fn shipments_page(
        &self,
        query: &ShipmentQuery,
        page: u32,
    ) -> Result<Vec<Result<Shipment, PayloadError>>, GraphqlError> {
        let filter = shipments_page::ShipmentFilter {
            id: (!query.ids.is_empty()).then(|| query.ids.clone()),
            number: (!query.numbers.is_empty()).then(|| query.numbers.clone()),
            is_good_to_go: query.good_to_go,
            is_shipped: query.shipped,
            is_paid: query.paid,
            is_captured: None,
            order_id: None,
        };
        let variables = shipments_page::Variables {
            where_: Some(filter),
            limit: i64::from(self.inner.options.page_size),
            page: i64::from(page),
        };
        let data = self
            .read(|| self.send_once::<ShipmentsPage>(SHIPMENTS, variables.clone()))
            .await?;
        let list = match data.get("shipments") {
            Some(Value::Array(list)) => list.clone(),
            _ => {
                return Err(self.error(
                    SHIPMENTS.operation,
                    GraphqlErrorKind::BadPayload(PayloadError::new(
                        "response",
                        "data.shipments",
                        "expected a list",
                    )),
                ));
            }
        };
        Ok(list
            .into_iter()
            .enumerate()
            .map(|(position, value)| {
                let name = list_entry_name(&value, position);
                let shipment =
                    super::transport::decode::<shipments_page::ShipmentFields>(&name, value)
                        .and_then(Shipment::try_from);
                if let Ok(s) = &shipment {
                    self.shipment_ids().remember(&s.number, s.id);
                }
                shipment
            })
            .collect())
    }

    /// Every shipment matching `query`, page after page until a short page.
    ///
    /// # Errors
    /// As [`Self::shipments_page`].
    pub async fn shipments(
        &self,
        query: &ShipmentQuery,
    ) -> Result<Vec<Result<Shipment, PayloadError>>, GraphqlError> {
        let mut all = Vec::new();
        for page in 1.. {
            let batch = self.shipments_page(query, page).await?;
            let full = batch.len() >= self.inner.options.page_size as usize;
            all.extend(batch);
            if !full {
                break;
            }
        }
        Ok(all)
    }

    /// Where the shipment numbered `number` (`<order>-<n>`) stands, with its payment history;
    /// `None` when Centra has no such shipment.
    ///
    /// # Errors
    /// A [`GraphqlError`] after the retries.
    pub async fn shipment_standing(
        &self,
        number: &str,
    ) -> Result<Option<ShipmentStanding>, GraphqlError> {
        use shipment_payment::{
            PaymentHistoryEntryStatus as Status, PaymentHistoryEntryType as Type,
        };
        const CALL: Call = Call {
            operation: "shipments",
            mutation: false,
        };
        let record = format!("shipment {number}");
        let variables = shipment_payment::Variables {
            where_: Some(shipment_payment::ShipmentFilter {
                id: None,
                number: Some(vec![number.to_owned()]),
                is_good_to_go: None,
                is_shipped: None,
                is_paid: None,
                is_captured: None,
                order_id: None,
            }),
        };
        let data = self
            .read(|| self.send_once::<ShipmentPayment>(CALL, variables.clone()))
            .await?;
        let answer: shipment_payment::ResponseData = self.decode(CALL.operation, &record, data)?;
        Ok(answer
            .shipments
            .into_iter()
            .find(|s| s.number == number)
            .map(|s| ShipmentStanding {
                id: s.id,
                good_to_go: s.is_good_to_go,
                shipped: s.is_shipped,
                paid: s.is_paid,
                captured: s.is_captured,
                capture_requested: s.payment_history.iter().any(|entry| {
                    matches!(entry.status, Status::PENDING)
                        && matches!(
                            entry.entry_type,
                            Type::CAPTURE_REQUEST | Type::CAPTURE_PENDING
                        )
                }),
            }))
    }

    /// `createShipment` for an order's lines. Sent again only after a 429.
    ///
    /// # Errors
    /// [`GraphqlErrorKind::Refused`] naming the order and each field for `userErrors`; other
    /// kinds as any call.
    pub async fn create_shipment(&self, new: &NewShipment) -> Result<Shipment, GraphqlError> {
        const CALL: Call = Call {
            operation: "createShipment",
            mutation: true,
        };
        let record = format!("order {}", new.order_number);
        let variables = create_shipment::Variables {
            input: create_shipment::ShipmentCreateInput {
                order: create_shipment::OrderInput {
                    id: None,
                    number: Some(new.order_number),
                },
                lines: Some(
                    new.lines
                        .iter()
                        .map(
                            |&(order_line, quantity)| create_shipment::ShipmentLineInput {
                                order_line: create_shipment::OrderLineInput {
                                    id: Some(order_line),
                                },
                                quantity,
                            },
                        )
                        .collect(),
                ),
                is_good_to_go: Some(new.good_to_go),
                is_paid: None,
                shipped_at: None,
                shipment_info: None,
                send_email: None,
                additional_message: None,
                capture: new.capture.then_some(true),
            },
        };
        let data = self
            .mutate(|| self.send_once::<CreateShipment>(CALL, variables.clone()))
            .await?;
        let answer: create_shipment::ResponseData = self.decode(CALL.operation, &record, data)?;
        let payload = answer.create_shipment;
        refuse_on_user_errors!(self, CALL.operation, &record, payload)?;
        self.written_shipment(CALL.operation, &record, payload.shipment)
    }

    /// `updateShipment` (quantities, good to go, paid outside Centra, message). Sent again only after a
    /// 429.
    ///
    /// # Errors
    /// As [`Self::create_shipment`], naming the shipment.
    pub async fn update_shipment(
        &self,
        id: i64,
        changes: &ShipmentChanges,
    ) -> Result<Shipment, GraphqlError> {
        const CALL: Call = Call {
            operation: "updateShipment",
            mutation: true,
        };
        let record = format!("shipment {id}");
        let variables = update_shipment::Variables {
            id,
            input: update_shipment::ShipmentUpdateInput {
                lines: (!changes.lines.is_empty()).then(|| {
                    changes
                        .lines
                        .iter()
                        .map(
                            |&(order_line, quantity)| update_shipment::ShipmentLineInput {
                                order_line: update_shipment::OrderLineInput {
                                    id: Some(order_line),
                                },
                                quantity,
                            },
                        )
                        .collect()
                }),
                shipment_info: None,
                additional_message: changes.additional_message.clone(),
                is_good_to_go: changes.good_to_go,
                is_paid: changes.paid,
                external_id: None,
            },
        };
        let data = self
            .mutate(|| self.send_once::<UpdateShipment>(CALL, variables.clone()))
            .await?;
        let answer: update_shipment::ResponseData = self.decode(CALL.operation, &record, data)?;
        let payload = answer.update_shipment;
        refuse_on_user_errors!(self, CALL.operation, &record, payload)?;
        self.written_shipment(CALL.operation, &record, payload.shipment)
    }

    /// `completeShipment` with tracking (Centra requires it good to go and paid). Sent again
    /// only after a 429.
    ///
    /// # Errors
    /// As [`Self::create_shipment`], naming the shipment.
    pub async fn complete_shipment(
        &self,
        id: i64,
        completion: &Completion,
    ) -> Result<Shipment, GraphqlError> {
        const CALL: Call = Call {
            operation: "completeShipment",
            mutation: true,
        };
        let record = format!("shipment {id}");
        let info = shipment_info(
            completion,
            |carrier, service, packages, tracking, returns| complete_shipment::ShipmentInfoInput {
                carrier,
                service,
                packages_number: packages,
                tracking_number: tracking,
                return_tracking_number: returns,
            },
        );
        let variables = complete_shipment::Variables {
            id,
            input: Some(complete_shipment::ShipmentCompleteInput {
                shipped_at: completion.shipped_at.map(|t| t.to_rfc3339()),
                shipment_info: info,
                send_email: Some(completion.send_email),
                additional_message: None,
            }),
        };
        let data = self
            .mutate(|| self.send_once::<CompleteShipment>(CALL, variables.clone()))
            .await?;
        let answer: complete_shipment::ResponseData = self.decode(CALL.operation, &record, data)?;
        let payload = answer.complete_shipment;
        refuse_on_user_errors!(self, CALL.operation, &record, payload)?;
        self.shipment_ids().remember_completed(id);
        self.written_shipment(CALL.operation, &record, payload.shipment)
    }

    /// `captureShipment`. Sent again only after a 429: a lost answer may have taken the money,
    /// so the caller reads the shipment back before asking again.
    ///
    /// # Errors
    /// As [`Self::create_shipment`], naming the shipment.
    pub async fn capture_shipment(&self, id: i64) -> Result<Capture, GraphqlError> {
        use capture_shipment::{
            PaymentHistoryEntryStatus as Status, PaymentHistoryEntryType as Type,
        };
        const CALL: Call = Call {
            operation: "captureShipment",
            mutation: true,
        };
        let record = format!("shipment {id}");
        let variables = capture_shipment::Variables { id };
        let data = self
            .mutate(|| self.send_once::<CaptureShipment>(CALL, variables.clone()))
            .await?;
        let answer: capture_shipment::ResponseData = self.decode(CALL.operation, &record, data)?;
        let payload = answer.capture_shipment;
        refuse_on_user_errors!(self, CALL.operation, &record, payload)?;
        let captured = payload.shipment.as_ref().is_some_and(|s| s.is_captured);
        let Some(entry) = payload.payment_history_entry else {
            // No entry to read: only the shipment's own flag counts as captured.
            return Ok(if captured {
                Capture::Captured
            } else {
                Capture::Pending {
                    entry: "none".to_owned(),
                }
            });
        };
        let name = format!("{:?}", entry.entry_type);
        Ok(match (&entry.status, &entry.entry_type) {
            (Status::FAILED, _) | (_, Type::CAPTURE_FAILED) => Capture::Declined { entry: name },
            (Status::SUCCESS, Type::CAPTURE) => Capture::Captured,
            // PENDING, CAPTURE_REQUEST, CAPTURE_PENDING, and anything not plainly a capture.
            _ => Capture::Pending { entry: name },
        })
    }

    fn written_shipment<F>(
        &self,
        operation: &str,
        record: &str,
        fields: Option<F>,
    ) -> Result<Shipment, GraphqlError>
    where
        Shipment: TryFrom<F, Error = PayloadError>,
    {
        let fields = fields.ok_or_else(|| {
            self.error(
                operation,
                GraphqlErrorKind::BadPayload(PayloadError::new(record, "shipment", "missing")),
            )
        })?;
        Shipment::try_from(fields)
            .map_err(|e| self.error(operation, GraphqlErrorKind::BadPayload(e)))
    }
}
