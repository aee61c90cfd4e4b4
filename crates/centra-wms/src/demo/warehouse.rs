//! The demo's warehouse in neutral terms: which WMS simulator plays it (ongoing-sim or
//! ogoship-sim), its state read as a [`WarehouseView`], and the few things the warehouse does
//! in the demo (put opening stock on the shelf, move stock, ship, receive, take returns) as
//! each simulator's control API spells them (shared/docs/simulators.md; ogoship-sim's
//! `control/mod.rs`).
//!
//! | neutral | Ongoing | OGOship |
//! | --- | --- | --- |
//! | article | `articles[].articleNumber` | `products[].code` |
//! | order | `orders[].orderNumber`, status number | `orders[].reference`, status word |
//! | purchase order | `purchaseOrders[]` | `stockUpdates[]` (by `reference`) |
//! | stock | `inventory[]`: `numberOfItems`, `sellableNumberOfItems` | `stock[]`: `stock`, `stockAvailable` |
//! | return | `returns[]`, one row per line | `returns[].products[]` |
//!
//! OGOship API v1 keeps one tracking number per order, so the demo sends no parcels there.

use serde_json::{Value, json};

use super::control::rows;

/// Ongoing's "sent" status.
const ONGOING_SENT: u64 = 450;
/// Below this Ongoing status an order is neither picked nor shipped ("picked" is 400).
const ONGOING_PICKED: u64 = 400;
/// Ongoing's "received" purchase-order status.
const ONGOING_RECEIVED: u64 = 500;
/// OGOship statuses of an order the warehouse can still pick and ship: accepted and waiting
/// (`new`), waiting for stock (`pending`), held (`locked`) or being picked (`collecting`).
/// `reserved` means OGOship found the order invalid; nobody ships it.
const OGOSHIP_OPEN: [&str; 4] = ["new", "pending", "locked", "collecting"];

/// The WMS simulator and where its control API answers (`http://host:port`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warehouse {
    Ongoing(String),
    Ogoship(String),
}

/// An order in the warehouse.
#[derive(Debug, Clone, PartialEq)]
pub struct WarehouseOrder {
    pub number: String,
    /// Neither picked nor shipped yet: the demo may ship it.
    pub open: bool,
    pub shipped: bool,
    /// Units ordered over all lines.
    pub items: f64,
    /// The article of each line, in order.
    pub articles: Vec<String>,
}

/// A purchase order (an OGOship stock update) in the warehouse.
#[derive(Debug, Clone, PartialEq)]
pub struct WarehousePurchaseOrder {
    pub number: String,
    /// `(article, units announced)` per line.
    pub lines: Vec<(String, f64)>,
    /// Some goods have arrived.
    pub received: bool,
}

/// One article's stock in the warehouse.
#[derive(Debug, Clone, PartialEq)]
pub struct WarehouseStock {
    pub article: String,
    /// On the shelf.
    pub physical: f64,
    /// What the warehouse can still sell (physical less what open orders hold).
    pub sellable: f64,
}

/// The warehouse's state as the demo and the status view read it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WarehouseView {
    pub articles: Vec<String>,
    pub orders: Vec<WarehouseOrder>,
    pub purchase_orders: Vec<WarehousePurchaseOrder>,
    pub stock: Vec<WarehouseStock>,
    /// Units the warehouse registered as returned.
    pub returned_items: f64,
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(value: &Value) -> f64 {
    value.as_f64().unwrap_or(0.0)
}

/// `(article, quantity)` of every row of `list` under `article` and `quantity`.
fn pairs(list: &Value, article: &str, quantity: &str) -> Vec<(String, f64)> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| Some((text(&l[article])?, number(&l[quantity]))))
        .collect()
}

impl WarehouseView {
    /// Reads the simulator's `GET /_sim/state` document.
    pub fn read(warehouse: &Warehouse, state: &Value) -> Self {
        match warehouse {
            Warehouse::Ongoing(_) => Self::read_ongoing(state),
            Warehouse::Ogoship(_) => Self::read_ogoship(state),
        }
    }

    fn read_ongoing(state: &Value) -> Self {
        Self {
            articles: rows(state, "articles")
                .iter()
                .filter_map(|a| text(&a["articleNumber"]))
                .collect(),
            orders: rows(state, "orders")
                .iter()
                .filter_map(|o| {
                    let lines = pairs(&o["lines"], "articleNumber", "ordered");
                    let shipped = !o["shippedTime"].is_null();
                    Some(WarehouseOrder {
                        number: text(&o["orderNumber"])?,
                        open: !shipped && o["status"].as_u64().is_some_and(|s| s < ONGOING_PICKED),
                        shipped,
                        items: lines.iter().map(|(_, q)| q).sum(),
                        articles: lines.into_iter().map(|(a, _)| a).collect(),
                    })
                })
                .collect(),
            purchase_orders: rows(state, "purchaseOrders")
                .iter()
                .filter_map(|p| {
                    Some(WarehousePurchaseOrder {
                        number: text(&p["purchaseOrderNumber"])?,
                        lines: pairs(&p["lines"], "articleNumber", "advised"),
                        received: rows(p, "lines")
                            .iter()
                            .any(|l| number(&l["received"]) > 0.0),
                    })
                })
                .collect(),
            stock: rows(state, "inventory")
                .iter()
                .filter_map(|i| {
                    Some(WarehouseStock {
                        article: text(&i["articleNumber"])?,
                        physical: number(&i["numberOfItems"]),
                        sellable: number(&i["sellableNumberOfItems"]),
                    })
                })
                .collect(),
            returned_items: rows(state, "returns")
                .iter()
                .map(|r| number(&r["returned"]))
                .sum(),
        }
    }

    fn read_ogoship(state: &Value) -> Self {
        Self {
            articles: rows(state, "products")
                .iter()
                .filter_map(|p| text(&p["code"]))
                .collect(),
            orders: rows(state, "orders")
                .iter()
                .filter_map(|o| {
                    let lines = pairs(&o["lines"], "code", "quantity");
                    let status = o["status"].as_str().unwrap_or_default();
                    Some(WarehouseOrder {
                        number: text(&o["reference"])?,
                        open: OGOSHIP_OPEN.contains(&status) && o["trackingNumber"].is_null(),
                        shipped: status == "shipped",
                        items: lines.iter().map(|(_, q)| q).sum(),
                        articles: lines.into_iter().map(|(a, _)| a).collect(),
                    })
                })
                .collect(),
            purchase_orders: rows(state, "stockUpdates")
                .iter()
                .filter_map(|u| {
                    Some(WarehousePurchaseOrder {
                        number: text(&u["reference"])?,
                        lines: pairs(&u["products"], "code", "expectedQuantity"),
                        received: rows(u, "products")
                            .iter()
                            .any(|l| number(&l["receivedQuantity"]) > 0.0),
                    })
                })
                .collect(),
            stock: rows(state, "stock")
                .iter()
                .filter_map(|s| {
                    Some(WarehouseStock {
                        article: text(&s["productCode"])?,
                        physical: number(&s["stock"]),
                        sellable: number(&s["stockAvailable"]),
                    })
                })
                .collect(),
            returned_items: rows(state, "returns")
                .iter()
                .flat_map(|r| rows(r, "products"))
                .map(|p| number(&p["quantity"]))
                .sum(),
        }
    }
}

/// One control-API call: the path under `/_sim/` and its JSON body.
pub type ControlCall = (String, Value);

impl Warehouse {
    /// `http://host:port` of the control API.
    pub fn url(&self) -> &str {
        match self {
            Self::Ongoing(url) | Self::Ogoship(url) => url,
        }
    }

    /// Whether the warehouse can tell several parcels of one order apart.
    pub fn has_parcels(&self) -> bool {
        matches!(self, Self::Ongoing(_))
    }

    /// The shelf of `article` counted: `physical` units.
    pub fn count_stock(&self, article: &str, physical: u32) -> ControlCall {
        match self {
            Self::Ongoing(_) => (
                "stock".into(),
                json!({"articleNumber": article, "physical": physical}),
            ),
            Self::Ogoship(_) => (
                "stock".into(),
                json!({"productCode": article, "stock": physical}),
            ),
        }
    }

    /// `delta` units of `article` found (or lost) outside any order.
    pub fn move_stock(&self, article: &str, delta: i64) -> ControlCall {
        match self {
            Self::Ongoing(_) => (
                "stock".into(),
                json!({"articleNumber": article, "delta": delta}),
            ),
            Self::Ogoship(_) => (
                "stock".into(),
                json!({"productCode": article, "delta": delta}),
            ),
        }
    }

    /// Order `number` shipped with `waybill` (tracked at `tracking_url`), in `parcels`
    /// `(parcel number, tracking url)` when there are several.
    pub fn ship(
        &self,
        number: &str,
        waybill: &str,
        tracking_url: &str,
        parcels: &[(String, String)],
    ) -> ControlCall {
        let path = format!("orders/{number}/ship");
        match self {
            Self::Ongoing(_) => {
                let mut body = json!({"waybill": waybill, "trackingUrl": tracking_url, "status": ONGOING_SENT});
                if !parcels.is_empty() {
                    body["parcels"] = parcels
                        .iter()
                        .map(|(p, url)| json!({"parcelNumber": p, "trackingUrl": url}))
                        .collect();
                }
                (path, body)
            }
            Self::Ogoship(_) => (
                path,
                json!({"trackingNumber": waybill, "trackingUrl": tracking_url}),
            ),
        }
    }

    /// Every announced unit of `purchase_order` arrived.
    pub fn receive(&self, purchase_order: &WarehousePurchaseOrder) -> ControlCall {
        match self {
            Self::Ongoing(_) => (
                format!("purchase-orders/{}/receive", purchase_order.number),
                json!({"status": ONGOING_RECEIVED}),
            ),
            Self::Ogoship(_) => (
                format!("stock-updates/{}/receive", purchase_order.number),
                json!({"products": purchase_order
                    .lines
                    .iter()
                    .map(|(code, quantity)| json!({"code": code, "received": quantity.round() as i64}))
                    .collect::<Vec<_>>()}),
            ),
        }
    }

    /// One unit of `article` of order `number` came back for `cause` (`(code, words)`).
    pub fn customer_return(&self, number: &str, article: &str, cause: (&str, &str)) -> ControlCall {
        let (code, words) = cause;
        match self {
            Self::Ongoing(_) => (
                "returns".into(),
                json!({"orderNumber": number, "lines": [{"articleNumber": article,
                        "returned": 1, "cause": {"code": code, "name": words}}]}),
            ),
            Self::Ogoship(_) => (
                "returns".into(),
                json!({"orderReference": number, "products": [{"code": article,
                        "quantity": 1, "reason": {"code": code, "description": words}}]}),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_simulators_read_as_the_same_view() {
        let ongoing = json!({
            "articles": [{"articleNumber": "A"}],
            "orders": [
                {"orderNumber": "1", "status": 200, "shippedTime": null,
                 "lines": [{"articleNumber": "A", "ordered": 2}]},
                {"orderNumber": "2", "status": 450, "shippedTime": "2026-01-01T00:00:00",
                 "lines": [{"articleNumber": "A", "ordered": 1}]}
            ],
            "purchaseOrders": [{"purchaseOrderNumber": "P1",
                "lines": [{"articleNumber": "A", "advised": 5, "received": 5}]}],
            "inventory": [{"articleNumber": "A", "numberOfItems": 7, "sellableNumberOfItems": 5}],
            "returns": [{"articleNumber": "A", "returned": 1}]
        });
        let ogoship = json!({
            "products": [{"code": "A"}],
            "orders": [
                {"reference": "1", "status": "new", "trackingNumber": null,
                 "lines": [{"code": "A", "quantity": 2}]},
                {"reference": "2", "status": "shipped", "trackingNumber": "T",
                 "lines": [{"code": "A", "quantity": 1}]}
            ],
            "stockUpdates": [{"reference": "P1",
                "products": [{"code": "A", "expectedQuantity": 5, "receivedQuantity": 5}]}],
            "stock": [{"productCode": "A", "stock": 7, "stockAvailable": 5}],
            "returns": [{"products": [{"code": "A", "quantity": 1}]}]
        });
        let a = WarehouseView::read(&Warehouse::Ongoing(String::new()), &ongoing);
        let b = WarehouseView::read(&Warehouse::Ogoship(String::new()), &ogoship);
        assert_eq!(a, b);
        assert_eq!(a.articles, ["A"]);
        assert!(a.orders[0].open && !a.orders[0].shipped);
        assert!(!a.orders[1].open && a.orders[1].shipped);
        assert_eq!(a.orders[0].items, 2.0);
        assert_eq!(a.purchase_orders[0].lines, [("A".to_owned(), 5.0)]);
        assert!(a.purchase_orders[0].received);
        assert_eq!(a.stock[0].sellable, 5.0);
        assert_eq!(a.returned_items, 1.0);
    }

    #[test]
    fn an_invalid_ogoship_order_is_not_shipped_and_parcels_stay_with_ongoing() {
        let state = json!({"orders": [{"reference": "1", "status": "reserved",
                                       "trackingNumber": null, "lines": []}]});
        let view = WarehouseView::read(&Warehouse::Ogoship(String::new()), &state);
        assert!(!view.orders[0].open);
        let parcels = [("W-1".to_owned(), "u1".to_owned())];
        let (_, body) = Warehouse::Ogoship(String::new()).ship("1", "W", "u", &parcels);
        assert!(body.get("parcels").is_none());
        let (_, body) = Warehouse::Ongoing(String::new()).ship("1", "W", "u", &parcels);
        assert_eq!(body["parcels"][0]["parcelNumber"], "W-1");
    }
}
