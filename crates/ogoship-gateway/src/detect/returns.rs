//! Returns: `GET /returns?modifiedAfter=` names the orders with new returns; for each, every
//! return of the order is read (`?orderReference=`) and one `WmsReturnReceived` says, per
//! order line, how many units came back in all, how many were acknowledged
//! (`AcknowledgeReported`, kept by the gateway) and the unacknowledged items with their cause
//! (the return reason code and description).
//!
//! Returns are an assumption of the simulator's (ogoship-api.md §8 is undocumented): returned
//! products are matched to the first order line with the same product code. The id is the
//! domain's `wms:<warehouse>:return:<reference>:<fingerprint>` over the returned quantities per
//! line, return and cause: a new return is a new event, the same state read again is not.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use domain::{EventId, quantities_fingerprint};
use proto::events::v1::{ReturnedItem, ReturnedOrderLine, WmsReturnReceived};
use serde_json::json;

use super::shipped::reference as order_reference;
use super::{DetectError, Detector, FIRST_LOOKBACK, PollReport, count, cursor};
use crate::client::OgoshipError;
use crate::client::models::{OrderResponse, ReturnResponse};
use crate::client::resources::RETURNS;
use crate::handles::{self, ORDER, REPORTED_RETURNED, SentLine};
use crate::publish::{self, meta, parse_time, timestamp};

const CURSOR: &str = "returns.modified";

/// The returned items beyond the first `reported` units, oldest first; an item straddling the
/// boundary is cut.
fn unreported(mut all: Vec<ReturnedItem>, reported: i64) -> Vec<ReturnedItem> {
    all.sort_by_key(|i| i.returned_at.as_ref().map(|t| (t.seconds, t.nanos)));
    let mut skip = reported;
    let mut out = Vec::new();
    for mut item in all {
        if skip >= item.number_of_items {
            skip -= item.number_of_items;
            continue;
        }
        item.number_of_items -= skip;
        skip = 0;
        out.push(item);
    }
    out
}

/// The return event of `order` from all its `returns`; `None` when every returned unit was
/// acknowledged.
pub fn return_event(
    warehouse: &str,
    order: &OrderResponse,
    order_id: i64,
    returns: &[ReturnResponse],
    sent: &[SentLine],
    reported: &[(i64, i64)],
) -> Result<Option<(EventId, WmsReturnReceived)>, OgoshipError> {
    let number = order_reference(order)?;
    let codes: Vec<Option<&str>> = order
        .order_lines
        .iter()
        .map(|l| l.code.as_deref())
        .collect();
    let mut per_line: Vec<Vec<ReturnedItem>> = vec![Vec::new(); codes.len()];
    let mut keys: Vec<(String, u64)> = Vec::new();
    for ret in returns {
        let rid = ret.id.clone().unwrap_or_default();
        let record = format!("return {rid} of order {number}");
        let at = parse_time(ret.created.as_deref()).or_else(|| parse_time(ret.modified.as_deref()));
        for (index, product) in ret.products.iter().enumerate() {
            let field = |n: &str| format!("products[{index}].{n}");
            let code = product
                .code
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .ok_or_else(|| OgoshipError::invalid(&record, field("code"), "missing"))?;
            let quantity = count(&record, &field("quantity"), product.quantity)?;
            let position = codes.iter().position(|c| *c == Some(code)).ok_or_else(|| {
                OgoshipError::invalid(
                    &record,
                    field("code"),
                    format!("{code} is not on the order"),
                )
            })?;
            let reason = product.return_reason.clone().unwrap_or_default();
            let cause = reason.code.unwrap_or_default();
            keys.push((
                format!("line:{}:return:{rid}:cause:{cause}", position + 1),
                u64::try_from(quantity).unwrap_or(0),
            ));
            per_line[position].push(ReturnedItem {
                number_of_items: quantity,
                cause_code: cause,
                cause_name: reason.description.unwrap_or_default(),
                comment: String::new(),
                returned_at: at.map(timestamp),
            });
        }
    }
    let mut lines = Vec::new();
    let mut latest: Option<DateTime<Utc>> = None;
    for (index, items) in per_line.into_iter().enumerate() {
        let returned: i64 = items.iter().map(|i| i.number_of_items).sum();
        let line_id = i64::try_from(index).unwrap_or(i64::MAX - 1) + 1;
        let done = reported
            .iter()
            .find(|(id, _)| *id == line_id)
            .map_or(0, |(_, q)| *q);
        if returned <= done {
            continue;
        }
        let code = codes[index].unwrap_or_default().to_owned();
        let ours = sent
            .iter()
            .find(|s| s.line_id == line_id && s.article_number == code);
        let new_items = unreported(items, done);
        for item in &new_items {
            let at = item
                .returned_at
                .as_ref()
                .and_then(|t| DateTime::from_timestamp(t.seconds, 0));
            latest = latest.max(at);
        }
        lines.push(ReturnedOrderLine {
            line_id,
            row_number: ours.map_or_else(|| line_id.to_string(), |s| s.row_number.clone()),
            article_number: code,
            external_id: ours.map(|s| s.external_id.clone()).unwrap_or_default(),
            returned_number_of_items: returned,
            reported_returned_number_of_items: done,
            items: new_items,
        });
    }
    if lines.is_empty() {
        return Ok(None);
    }
    let pairs = || keys.iter().map(|(k, q)| (k.as_str(), *q));
    let id = EventId::wms_return(warehouse, &number, pairs());
    let returned_at = latest.unwrap_or_else(Utc::now);
    let event = WmsReturnReceived {
        meta: Some(meta(&id, warehouse, returned_at)),
        warehouse: warehouse.to_owned(),
        return_id: format!("{order_id}:{}", quantities_fingerprint(pairs())),
        order_id,
        order_number: number,
        return_order_id: 0,
        returned_at: Some(timestamp(returned_at)),
        lines,
    };
    Ok(Some((id, event)))
}

/// Whether an order must be read again for `listed`, its returns in this round's listing: one
/// of them is not in an event yet (`seen`: return id -> `modified` in unix ms when it went
/// into one) or was modified since. A return without an id or a readable `modified` is always
/// read again: it cannot be told apart from a new one.
pub fn needs_reading(listed: &[&ReturnResponse], seen: &HashMap<String, i64>) -> bool {
    listed.iter().any(|ret| {
        let modified = parse_time(ret.modified.as_deref()).map(|t| t.timestamp_millis());
        match (ret.id.as_deref(), modified) {
            (Some(id), Some(modified)) => seen.get(id) != Some(&modified),
            _ => true,
        }
    })
}

impl Detector {
    /// Returns changed within the cursor's overlap; the orders with a return not yet in an
    /// event are read (the order and all its returns) and published. Without the seen set,
    /// every round would read every order with a return in the overlap (ten minutes) again:
    /// two calls per order, before the stock poll of the same round.
    pub(super) async fn returns(&self) -> Result<PollReport, DetectError> {
        let mut report = PollReport::default();
        let first = chrono::Duration::from_std(FIRST_LOOKBACK)
            .ok()
            .map(|back| Utc::now() - back);
        let (stored, filters) = self.since(CURSOR, first).await?;
        let changed = self.client.all::<ReturnResponse>(RETURNS, &filters).await?;
        report.dead_lettered += self.reject(&changed.rejected).await?;
        let mut orders: BTreeMap<String, Vec<&ReturnResponse>> = BTreeMap::new();
        for ret in &changed.records {
            if let Some(reference) = ret.order_reference.as_deref().map(str::trim)
                && !reference.is_empty()
            {
                orders.entry(reference.to_owned()).or_default().push(ret);
            }
        }
        let seen = cursor::seen_returns(&self.store).await?;
        for (reference, listed) in &orders {
            if needs_reading(listed, &seen) {
                report.add(self.order_returns(reference).await?);
            }
        }
        self.advance(
            CURSOR,
            changed.records.iter().map(|r| r.modified.as_deref()),
        )
        .await?;
        // What the next filter starts after can never be listed again.
        if let Some(from) = stored.map(|c| c - self.overlap()) {
            cursor::forget_returns_before(&self.store, from).await?;
        }
        Ok(report)
    }

    async fn order_returns(&self, reference: &str) -> Result<PollReport, DetectError> {
        let warehouse = &self.settings.warehouse;
        let mut read = Vec::new();
        let built = match self.client.find_order(reference).await? {
            None => Err(OgoshipError::invalid(
                format!("return of order {reference}"),
                "orderReference",
                "no such order at OGOship",
            )),
            Some(order) => {
                let guid = order
                    .id
                    .as_deref()
                    .filter(|g| !g.is_empty())
                    .unwrap_or(reference);
                let order_id = handles::handle(&self.store, ORDER, guid, reference).await?;
                let returns = self
                    .client
                    .all::<ReturnResponse>(RETURNS, &[("orderReference", reference.to_owned())])
                    .await?;
                read = returns
                    .records
                    .iter()
                    .filter_map(|r| Some((r.id.clone()?, parse_time(r.modified.as_deref())?)))
                    .collect();
                let sent = handles::lines(&self.store, ORDER, reference).await?;
                let reported = handles::reported(&self.store, REPORTED_RETURNED, order_id).await?;
                return_event(
                    warehouse,
                    &order,
                    order_id,
                    &returns.records,
                    &sent,
                    &reported,
                )
            }
        };
        match built {
            Ok(event) => {
                let new = match event {
                    Some((id, event)) => {
                        self.publish(&id, publish::return_received_subject(warehouse), &event)
                            .await?
                    }
                    None => false,
                };
                // In the outbox (or nothing left to report): the next round need not read
                // these returns again unless they change.
                cursor::see_returns(&self.store, &read).await?;
                Ok(PollReport {
                    published: usize::from(new),
                    dead_lettered: 0,
                })
            }
            Err(error) => {
                self.dead_letter(
                    "return",
                    &format!("return of order {reference}"),
                    &error,
                    json!({"orderReference": reference}),
                )
                .await?;
                Ok(PollReport {
                    published: 0,
                    dead_lettered: 1,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(id: Option<&str>, modified: Option<&str>) -> ReturnResponse {
        ReturnResponse {
            id: id.map(str::to_owned),
            order_reference: Some("R-1".into()),
            modified: modified.map(str::to_owned),
            ..ReturnResponse::default()
        }
    }

    #[test]
    fn an_order_is_read_again_only_for_a_new_or_changed_return() {
        let at = "2026-12-04T12:00:00.000+00:00";
        let ms = parse_time(Some(at)).expect("time").timestamp_millis();
        let seen: HashMap<String, i64> = [("a".to_owned(), ms)].into();
        let known = listed(Some("a"), Some(at));
        assert!(!needs_reading(&[&known], &seen), "in an event already");
        let changed = listed(Some("a"), Some("2026-12-04T12:00:01.000+00:00"));
        assert!(needs_reading(&[&changed], &seen), "modified since");
        let new = listed(Some("b"), Some(at));
        assert!(
            needs_reading(&[&known, &new], &seen),
            "a new return of the order"
        );
        assert!(needs_reading(&[&listed(None, Some(at))], &seen), "no id");
        assert!(needs_reading(&[&listed(Some("a"), None)], &seen), "no time");
    }
}
