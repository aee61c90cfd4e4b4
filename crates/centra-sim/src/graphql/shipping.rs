//! Shipment mutations (ERP GQL guide, "Shipment creation and capture"; DTC examples):
//! `createShipment`, `updateShipment`, `captureShipment`, `completeShipment`. They run the same
//! store rules as the Order API (`state::rules`), so a shipment created through one API is
//! completed through the other. Refusals are `userErrors` next to a `null` or unchanged
//! shipment; nothing changes when a mutation is refused.
//!
//! Differences from the Order API that the guides document:
//! - `createShipment(capture: true)`: a failed capture does not fail the mutation; the shipment
//!   is created unpaid (`isCaptured: false`) and a `userWarning` says why.
//! - `captureShipment`: a failed capture fails the mutation. For payment methods that capture by
//!   request (see `payments`) the answer is `paymentHistoryEntry { status: PENDING, entryType:
//!   CAPTURE_REQUEST }` and the shipment stays unpaid until the request settles.
//! - `completeShipment` never captures: the shipment must be good to go and paid; `shippedAt`
//!   may not be in the future.
//! - `updateShipment(isPaid: true)` marks a shipment paid without a capture.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::auth::require;
use super::schema::{
    IdInput, MonetaryValue, UserError, UserWarning, at, iso, sim, store_id, user_error,
    user_warning,
};
use super::types::{ShipmentNode, order_hash};
use crate::app::Sim;
use crate::state::rules::creating::NewShipment;
use crate::state::rules::paying::CaptureOutcome;
use crate::state::rules::shipping::{CAPTURE_FAILED, Completion, QuantityChange};

/// `order: { id }` or `order: { number }` ("Exactly one input field should be provided").
#[derive(InputObject, Clone, Debug)]
pub struct OrderInput {
    pub id: Option<String>,
    pub number: Option<i32>,
}

#[derive(InputObject, Clone, Debug)]
pub struct ShipmentLineCreateInput {
    pub order_line: IdInput,
    pub quantity: i32,
}

#[derive(InputObject, Clone, Debug)]
pub struct ShipmentCreateInput {
    pub order: OrderInput,
    pub lines: Vec<ShipmentLineCreateInput>,
    pub is_good_to_go: Option<bool>,
    /// Paid outside Centra (no capture).
    pub is_paid: Option<bool>,
    /// Capture through the payment provider.
    pub capture: Option<bool>,
    /// Ship at once (must then be paid or captured).
    pub shipped_at: Option<String>,
    /// The simulator sends no e-mails; accepted because Centra takes it.
    pub send_email: Option<bool>,
}

/// Doc gap: the guides show only `isPaid` and `isGoodToGo`; partial picks need quantities, so
/// the simulator takes `lines: [{orderLine: {id}, quantity}]` as `createShipment` does (the
/// Order API's `PUT /shipments/{id}` also keys quantities by order line, REF/108). A quantity of
/// 0 drops the line.
#[derive(InputObject, Clone, Debug)]
pub struct ShipmentUpdateInput {
    pub is_good_to_go: Option<bool>,
    pub is_paid: Option<bool>,
    pub lines: Option<Vec<ShipmentLineCreateInput>>,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct ShipmentInfoInput {
    pub carrier: Option<String>,
    pub service: Option<String>,
    pub packages_number: Option<i32>,
    pub tracking_number: Option<String>,
    pub return_tracking_number: Option<String>,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct ShipmentCompleteInput {
    /// ISO-8601 with offset, `Y-m-d H:i:s` in the store's zone, or `now`; absent means now.
    /// Doc gap: Centra takes any PHP date string ("yesterday", "-1 hour"); the simulator takes
    /// these three.
    pub shipped_at: Option<String>,
    /// The simulator sends no e-mails; accepted because Centra takes it.
    pub send_email: Option<bool>,
    pub shipment_info: Option<ShipmentInfoInput>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct ShipmentCreatePayload {
    pub shipment: Option<ShipmentNode>,
    pub user_errors: Vec<UserError>,
    pub user_warnings: Vec<UserWarning>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct ShipmentUpdatePayload {
    pub shipment: Option<ShipmentNode>,
    pub user_errors: Vec<UserError>,
    pub user_warnings: Vec<UserWarning>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct ShipmentCompletePayload {
    pub shipment: Option<ShipmentNode>,
    pub user_errors: Vec<UserError>,
    pub user_warnings: Vec<UserWarning>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct ShipmentCapturePayload {
    pub shipment: Option<ShipmentNode>,
    pub payment_history_entry: Option<PaymentHistoryEntry>,
    pub user_errors: Vec<UserError>,
    pub user_warnings: Vec<UserWarning>,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentHistoryStatus {
    Success,
    Pending,
    Failed,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentHistoryEntryType {
    Capture,
    CaptureRequest,
}

/// The payment provider's answer to a capture (DTC examples, `PaymentHistoryEntry`).
#[derive(SimpleObject, Clone, Debug)]
pub struct PaymentHistoryEntry {
    pub created_at: String,
    pub status: PaymentHistoryStatus,
    pub entry_type: PaymentHistoryEntryType,
    pub external_reference: String,
    pub value: MonetaryValue,
    pub payment_method: String,
    #[graphql(name = "paramsJSON")]
    pub params_json: String,
}

/// The shipment mutations.
#[derive(Default)]
pub struct ShipmentMutations;

fn shipment_now(sim: &Sim, id: u64) -> Option<ShipmentNode> {
    sim.read(|store| store.shipments.get(&id).cloned().map(ShipmentNode))
}

/// Reads `shippedAt`: absent or `now` is now; refused when unreadable or in the future.
fn shipped_at(sim: &Sim, raw: Option<&str>, at: &[&str]) -> Result<DateTime<Utc>, UserError> {
    let now = sim.now();
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty() && *r != "now") else {
        return Ok(now);
    };
    let when = DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| sim.clock.parse(raw))
        .map_err(|_| {
            user_error(
                format!("shippedAt: {raw:?} is not a date (ISO-8601, Y-m-d H:i:s or now)"),
                at.iter().map(|s| (*s).to_owned()).collect(),
            )
        })?;
    if when > now {
        return Err(user_error(
            "shippedAt can not be in the future",
            at.iter().map(|s| (*s).to_owned()).collect(),
        ));
    }
    Ok(when)
}

fn order_id_of(sim: &Sim, input: &OrderInput) -> Option<u64> {
    sim.read(|store| {
        store.orders.keys().copied().find(|id| {
            input.number.is_some_and(|n| store_id(n) == Some(*id))
                || input.id.as_deref().is_some_and(|h| order_hash(*id) == h)
        })
    })
}

pub(super) fn capture_entry(
    sim: &Sim,
    ctx: &Context<'_>,
    shipment_id: u64,
    status: PaymentHistoryStatus,
    entry_type: PaymentHistoryEntryType,
) -> Option<PaymentHistoryEntry> {
    let (value, currency, method) = sim.read(|store| {
        let shipment = store.shipments.get(&shipment_id)?;
        let order = store.orders.get(&shipment.order_id)?;
        let value: f64 = shipment
            .lines
            .iter()
            .filter_map(|l| {
                order
                    .line(l.order_line_id)
                    .map(|ol| ol.price * l.qty as f64)
            })
            .sum();
        Some((value, order.currency.clone(), order.payment_method.clone()))
    })?;
    Some(PaymentHistoryEntry {
        created_at: iso(ctx, sim.now()),
        status,
        entry_type,
        external_reference: format!("sim-capture-{shipment_id}"),
        value: MonetaryValue::new(value, &currency),
        payment_method: method,
        params_json: "{}".into(),
    })
}

#[Object]
impl ShipmentMutations {
    #[graphql(complexity = "100 + child_complexity")]
    async fn create_shipment(
        &self,
        ctx: &Context<'_>,
        input: ShipmentCreateInput,
    ) -> async_graphql::Result<ShipmentCreatePayload> {
        require(ctx, "Shipment:write", "createShipment")?;
        let sim = sim(ctx);
        let refuse = |e: UserError| ShipmentCreatePayload {
            shipment: None,
            user_errors: vec![e],
            user_warnings: Vec::new(),
        };
        let Some(order_id) = order_id_of(sim, &input.order) else {
            return Ok(refuse(user_error(
                "order does not exist",
                at!["input", "order"],
            )));
        };
        let shipped = match &input.shipped_at {
            Some(raw) => match shipped_at(sim, Some(raw), &["input", "shippedAt"]) {
                Ok(at) => Some(at),
                Err(e) => return Ok(refuse(e)),
            },
            None => None,
        };
        let request = NewShipment {
            order_id,
            products: input
                .lines
                .iter()
                .map(|l| (l.order_line.id.to_string(), i64::from(l.quantity)))
                .collect(),
            gtg: input.is_good_to_go.unwrap_or(false) || shipped.is_some(),
            capture: false,
            shipped: false,
            ..NewShipment::default()
        };
        let as_request = sim.read(|store| {
            store
                .orders
                .get(&order_id)
                .is_some_and(|o| sim.graphql.payments.captures_by_request(&o.payment_method))
        });
        let paid = input.is_paid.unwrap_or(false);
        let capture = input.capture.unwrap_or(false);
        let outcome = sim.mutate(|store, now| {
            let number = store.create_shipment(&request, now)?;
            let id = store.shipment_by_number(&number).map_or(0, |s| s.id);
            let mut warnings = Vec::new();
            let mut pending = false;
            if paid {
                store.mark_paid(id)?;
            } else if capture {
                match store.request_capture(id, as_request) {
                    Ok(CaptureOutcome::Pending) => pending = true,
                    Ok(CaptureOutcome::Captured) => {}
                    Err(refusal) => warnings.push(user_warning(
                        format!("shipment created without capture: {refusal}"),
                        at!["input", "capture"],
                    )),
                }
            }
            if let Some(at) = shipped {
                let completion = Completion {
                    order: order_id.to_string(),
                    shipment: number,
                    shipped: Some(true),
                    shipped_at: Some(at),
                    ..Completion::default()
                };
                if let Err(refused) = store.complete(&completion, now) {
                    warnings.push(user_warning(
                        format!("shipment created but not shipped: {}", refused.refusal),
                        at!["input", "shippedAt"],
                    ));
                }
            }
            Ok::<_, crate::state::rules::Refusal>((id, warnings, pending))
        });
        match outcome {
            Ok((id, warnings, pending)) => {
                if pending {
                    sim.graphql.payments.requested(id, sim.now());
                }
                Ok(ShipmentCreatePayload {
                    shipment: shipment_now(sim, id),
                    user_errors: Vec::new(),
                    user_warnings: warnings,
                })
            }
            Err(refusal) => Ok(refuse(user_error(refusal.msg, at!["input", "lines"]))),
        }
    }

    #[graphql(complexity = "100 + child_complexity")]
    async fn update_shipment(
        &self,
        ctx: &Context<'_>,
        id: i32,
        input: ShipmentUpdateInput,
    ) -> async_graphql::Result<ShipmentUpdatePayload> {
        require(ctx, "Shipment:write", "updateShipment")?;
        let sim = sim(ctx);
        let refuse = |message: String, at: Vec<String>| ShipmentUpdatePayload {
            shipment: store_id(id).and_then(|id| shipment_now(sim, id)),
            user_errors: vec![user_error(message, at)],
            user_warnings: Vec::new(),
        };
        let Some(number) = store_id(id)
            .and_then(|id| sim.read(|store| store.shipments.get(&id).map(|s| s.number.clone())))
        else {
            return Ok(refuse("shipment does not exist".into(), at!["id"]));
        };
        if input.is_paid == Some(false) {
            // Doc gap: un-paying is not documented; the simulator refuses it.
            return Ok(refuse(
                "isPaid can only be set to true".into(),
                at!["input", "isPaid"],
            ));
        }
        let changes: Vec<QuantityChange> = input
            .lines
            .iter()
            .flatten()
            .map(|l| QuantityChange {
                order_line_key: l.order_line.id.to_string(),
                qty: i64::from(l.quantity),
                serial_number: None,
            })
            .collect();
        let outcome = sim.mutate(|store, _| {
            let shipment_id = store.update_shipment(&number, input.is_good_to_go, &changes)?;
            if input.is_paid == Some(true) {
                store.mark_paid(shipment_id)?;
            }
            Ok::<_, crate::state::rules::Refusal>(shipment_id)
        });
        match outcome {
            Ok(shipment_id) => Ok(ShipmentUpdatePayload {
                shipment: shipment_now(sim, shipment_id),
                user_errors: Vec::new(),
                user_warnings: Vec::new(),
            }),
            Err(refusal) => Ok(refuse(refusal.msg, at!["input"])),
        }
    }

    #[graphql(complexity = "100 + child_complexity")]
    async fn capture_shipment(
        &self,
        ctx: &Context<'_>,
        id: i32,
    ) -> async_graphql::Result<ShipmentCapturePayload> {
        require(ctx, "Shipment:write", "captureShipment")?;
        let sim = sim(ctx);
        let Some((shipment_id, as_request)) = store_id(id).and_then(|id| {
            sim.read(|store| {
                let shipment = store.shipments.get(&id)?;
                let order = store.orders.get(&shipment.order_id)?;
                Some((
                    id,
                    sim.graphql
                        .payments
                        .captures_by_request(&order.payment_method),
                ))
            })
        }) else {
            return Ok(ShipmentCapturePayload {
                shipment: None,
                payment_history_entry: None,
                user_errors: vec![user_error("shipment does not exist", at!["id"])],
                user_warnings: Vec::new(),
            });
        };
        let outcome = sim.mutate(|store, _| store.request_capture(shipment_id, as_request));
        let (entry, errors) = match outcome {
            Ok(CaptureOutcome::Captured) => (
                capture_entry(
                    sim,
                    ctx,
                    shipment_id,
                    PaymentHistoryStatus::Success,
                    PaymentHistoryEntryType::Capture,
                ),
                Vec::new(),
            ),
            Ok(CaptureOutcome::Pending) => {
                sim.graphql.payments.requested(shipment_id, sim.now());
                (
                    capture_entry(
                        sim,
                        ctx,
                        shipment_id,
                        PaymentHistoryStatus::Pending,
                        PaymentHistoryEntryType::CaptureRequest,
                    ),
                    Vec::new(),
                )
            }
            Err(refusal) => {
                let entry = (refusal.msg == CAPTURE_FAILED).then(|| {
                    let kind = if as_request {
                        PaymentHistoryEntryType::CaptureRequest
                    } else {
                        PaymentHistoryEntryType::Capture
                    };
                    capture_entry(sim, ctx, shipment_id, PaymentHistoryStatus::Failed, kind)
                });
                (entry.flatten(), vec![user_error(refusal.msg, at!["id"])])
            }
        };
        if entry.is_some() {
            require(
                ctx,
                "PaymentHistory:read",
                "ShipmentCapturePayload.paymentHistoryEntry",
            )?;
        }
        Ok(ShipmentCapturePayload {
            shipment: shipment_now(sim, shipment_id),
            payment_history_entry: entry,
            user_errors: errors,
            user_warnings: Vec::new(),
        })
    }

    #[graphql(complexity = "100 + child_complexity")]
    async fn complete_shipment(
        &self,
        ctx: &Context<'_>,
        id: i32,
        input: Option<ShipmentCompleteInput>,
    ) -> async_graphql::Result<ShipmentCompletePayload> {
        require(ctx, "Shipment:write", "completeShipment")?;
        let sim = sim(ctx);
        let input = input.unwrap_or_default();
        let current = store_id(id).and_then(|id| shipment_now(sim, id));
        let refuse = |error: UserError| ShipmentCompletePayload {
            shipment: current.clone(),
            user_errors: vec![error],
            user_warnings: Vec::new(),
        };
        let Some(ShipmentNode(shipment)) = current.clone() else {
            return Ok(refuse(user_error("shipment does not exist", at!["id"])));
        };
        let at = match shipped_at(sim, input.shipped_at.as_deref(), &["input", "shippedAt"]) {
            Ok(at) => at,
            Err(e) => return Ok(refuse(e)),
        };
        let info = input.shipment_info.unwrap_or_default();
        let completion = Completion {
            order: shipment.order_id.to_string(),
            shipment: shipment.number.clone(),
            // Never captures: "must be good to go and paid".
            capture: false,
            shipped: Some(true),
            carrier: info.carrier,
            service: info.service,
            packages: info.packages_number.map(i64::from),
            tracking: info.tracking_number,
            return_slip_tracking: info.return_tracking_number,
            shipped_at: Some(at),
            ..Completion::default()
        };
        match sim.mutate(|store, now| store.complete(&completion, now)) {
            Ok(_) => Ok(ShipmentCompletePayload {
                shipment: shipment_now(sim, shipment.id),
                user_errors: Vec::new(),
                user_warnings: Vec::new(),
            }),
            Err(refused) => Ok(refuse(user_error(refused.refusal.msg, at!["id"]))),
        }
    }
}
