//! The warehouse floor for outbound orders, driven by `POST /_sim/orders/{orderNumber}/ship`:
//! pick (all open lines or the given ones, partial picks allowed), pack into parcels, write
//! shipment tracking and move the status (ongoing-rest-api.md §4.5, §11 "Tracking").

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Parcel, PickedItem, TrackingEntry};
use crate::config::SimConfig;
use crate::error::ControlError;
use crate::events::DomainEvent;
use crate::state::{Store, next};

/// `{"lines"?, "waybill"?, "trackingUrl"?, "status"?, "parcels"?, "returnWaybill"?}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShipRequest {
    /// Absent: pick everything still open. `[]`: pick nothing (tracking or status only).
    #[serde(default)]
    pub lines: Option<Vec<ShipLine>>,
    /// Shipment number (`orderInfo.wayBill`, `tracking[].waybill`).
    #[serde(default)]
    pub waybill: Option<String>,
    #[serde(default)]
    pub tracking_url: Option<String>,
    /// Defaults to the instance's "sent" status (450), or the current one when already past it.
    #[serde(default)]
    pub status: Option<i32>,
    /// Parcels (colli) of this shipment; without them a waybill makes one parcel of that number.
    #[serde(default)]
    pub parcels: Option<Vec<ShipParcel>>,
    #[serde(default)]
    pub return_waybill: Option<String>,
    #[serde(default)]
    pub return_tracking_url: Option<String>,
}

/// Pick `picked` more items of an article (or of the line `rowNumber`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShipLine {
    #[serde(default)]
    pub article_number: Option<String>,
    #[serde(default)]
    pub row_number: Option<String>,
    pub picked: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShipParcel {
    pub parcel_number: String,
    #[serde(default)]
    pub tracking_url: Option<String>,
    #[serde(default)]
    pub is_return_parcel: bool,
}

/// Decides which line each requested pick lands on, without changing anything.
fn plan_picks(
    order: &super::Order,
    request: &ShipRequest,
) -> Result<Vec<(usize, f64)>, ControlError> {
    let Some(lines) = &request.lines else {
        return Ok(order
            .lines
            .iter()
            .enumerate()
            .filter(|(_, line)| line.should_be_picked() && line.open() > 0.0)
            .map(|(index, line)| (index, line.open()))
            .collect());
    };
    let mut planned = vec![0.0; order.lines.len()];
    let mut picks = Vec::new();
    for wanted in lines {
        let what = wanted
            .row_number
            .as_deref()
            .map(|row| format!("row {row}"))
            .or_else(|| {
                wanted
                    .article_number
                    .as_deref()
                    .map(|a| format!("article {a}"))
            })
            .ok_or_else(|| {
                ControlError::bad_request("each ship line needs articleNumber or rowNumber")
            })?;
        if !(wanted.picked > 0.0 && wanted.picked.is_finite()) {
            return Err(ControlError::bad_request(format!(
                "order {}, {what}: picked must be a positive number",
                order.order_number
            )));
        }
        let candidates: Vec<usize> = order
            .lines
            .iter()
            .enumerate()
            .filter(
                |(_, line)| match (&wanted.row_number, &wanted.article_number) {
                    (Some(row), _) => &line.row_number == row,
                    (None, Some(article)) => {
                        line.post.article_number.as_deref() == Some(article.as_str())
                    }
                    (None, None) => false,
                },
            )
            .map(|(index, _)| index)
            .collect();
        if candidates.is_empty() {
            return Err(ControlError::bad_request(format!(
                "order {} has no line for {what}",
                order.order_number
            )));
        }
        let index = candidates
            .iter()
            .copied()
            .find(|&i| order.lines[i].open() - planned[i] >= wanted.picked)
            .ok_or_else(|| {
                let left: f64 = candidates
                    .iter()
                    .map(|&i| order.lines[i].open() - planned[i])
                    .sum();
                ControlError::bad_request(format!(
                    "order {}, {what}: only {left} left to pick, asked to pick {}",
                    order.order_number, wanted.picked
                ))
            })?;
        planned[index] += wanted.picked;
        picks.push((index, wanted.picked));
    }
    Ok(picks)
}

/// Picks, packs, tracks and moves the status of the order `order_number`; returns its id.
pub(crate) fn ship(
    store: &mut Store,
    config: &SimConfig,
    order_number: &str,
    request: &ShipRequest,
    now: DateTime<Utc>,
) -> Result<(i64, Vec<DomainEvent>), ControlError> {
    let order_id = store
        .order_id_by_number(order_number)
        .ok_or_else(|| ControlError::not_found(format!("order {order_number} does not exist")))?;
    let picks = {
        let order = &store.orders[&order_id];
        if order.status == config.order_cancelled_status {
            return Err(ControlError::bad_request(format!(
                "order {order_number} is cancelled"
            )));
        }
        plan_picks(order, request)?
    };
    // Without an explicit status a shipment moves the order to Sent, never back from a later
    // status (a second delivery of an already collected order stays collected).
    let current = store.orders[&order_id].status;
    let target_status = request
        .status
        .unwrap_or(config.order_sent_status.max(current));

    let new_parcels: Vec<Parcel> = match (&request.parcels, &request.waybill) {
        (Some(parcels), _) => parcels
            .iter()
            .map(|p| Parcel {
                id: next(&mut store.ids.parcel),
                parcel_number: p.parcel_number.clone(),
                is_return: p.is_return_parcel,
                tracking_url: p
                    .tracking_url
                    .clone()
                    .or_else(|| request.tracking_url.clone()),
            })
            .collect(),
        (None, Some(waybill)) => vec![Parcel {
            id: next(&mut store.ids.parcel),
            parcel_number: waybill.clone(),
            is_return: false,
            tracking_url: request.tracking_url.clone(),
        }],
        (None, None) => Vec::new(),
    };
    let outbound: Vec<i64> = new_parcels
        .iter()
        .filter(|p| !p.is_return)
        .map(|p| p.id)
        .collect();
    let packed = !outbound.is_empty() || target_status >= config.order_sent_status;

    let mut events = Vec::new();
    let mut movements = Vec::new();
    {
        let order = store
            .orders
            .get_mut(&order_id)
            .ok_or_else(|| ControlError::not_found("order vanished"))?;
        for (n, (index, quantity)) in picks.into_iter().enumerate() {
            let item_id = next(&mut store.ids.article_item);
            let line = &mut order.lines[index];
            line.picked += quantity;
            line.allocated += quantity;
            if packed {
                line.packed += quantity;
            }
            line.items.push(PickedItem {
                id: item_id,
                number_of_items: quantity,
                in_date: store
                    .articles
                    .get(&line.article_system_id)
                    .and_then(|a| a.stock.last_in),
                picked_time: now,
                packed_time: packed.then_some(now),
                is_returned: false,
                return_date: None,
                return_cause: None,
                parcel_id: (!outbound.is_empty()).then(|| outbound[n % outbound.len()]),
            });
            movements.push((line.article_system_id, quantity));
            events.push(DomainEvent::ArticlePicked {
                order_id,
                line_id: line.id,
                item_id,
            });
            order.last_picked = Some(now);
        }
        order.parcels.extend(new_parcels);
        if let Some(waybill) = &request.waybill {
            order.way_bill = Some(waybill.clone());
            order.tracking.push(TrackingEntry {
                waybill: Some(waybill.clone()),
                tracking_url: request.tracking_url.clone(),
                created: now,
                is_return: false,
            });
        }
        if let Some(waybill) = &request.return_waybill {
            order.return_way_bill = Some(waybill.clone());
            order.tracking.push(TrackingEntry {
                waybill: Some(waybill.clone()),
                tracking_url: request.return_tracking_url.clone(),
                created: now,
                is_return: true,
            });
        }
        order.updated = now;
    }
    for (article, quantity) in movements {
        if let Some(article) = store.articles.get_mut(&article) {
            article.stock.pick(quantity, now);
        }
    }
    events.extend(super::store::set_status(
        store,
        config,
        order_id,
        target_status,
        now,
    ));
    Ok((order_id, events))
}
