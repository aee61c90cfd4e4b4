//! The stock and returns side of the WMS simulator in WMS-neutral terms: each article's stock
//! level as a [`WmsStockLevel`], a stock move by a delta, a stock-take setting the physical
//! stock, a customer return with a cause per returned item ([`WmsReturnLine`]), and what the
//! warehouse reports of a pick.
//!
//! | neutral | Ongoing | OGOship |
//! | --- | --- | --- |
//! | stock levels | `/_sim/state` `inventory` | `/_sim/state` `stock` |
//! | physical | `numberOfItems` | `stock` |
//! | sellable | `sellableNumberOfItems` | `stockAvailable` |
//! | booked | `numberOfBookedItems` | `reserved` |
//! | stock move | `POST /_sim/stock {"articleNumber", "delta"}` | `POST /_sim/stock {"productCode", "delta"}` |
//! | stock-take | `POST /_sim/stock {"articleNumber", "physical"}` | `POST /_sim/stock {"productCode", "stock"}` |
//! | return | `POST /_sim/returns {"orderNumber", "lines": [{"articleNumber", "returned", "cause": {"code", "name"}}]}` | `POST /_sim/returns {"orderReference", "products": [{"code", "quantity", "reason": {"code", "description"}}]}` |
//! | picked per line | reported (`pickedArticleItems`) | not in API v1: a shipped order counts as picked in full |
//! | order handed to the warehouse | any open order | status `new` (`pending` waits for stock, `reserved` is held) |
//!
//! The numbers mean the same in both (ogoship-api.md §6, ogoship-gateway `commands/stock.rs`):
//! physical stock is on the shelf and leaves it when an order is picked, booked stock is held
//! by orders not picked yet, sellable is physical minus booked and may be negative.
//!
//! OGOship's return model is undocumented (ogoship-api.md §8, open item 1), so it names no
//! reason codes; the simulator and ogoship-gateway (`detect/returns.rs`) assume a
//! `returnReason {code, description}` per returned product, and a scenario's causes are sent
//! there as they are.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{WmsOrder, WmsSim, post};

/// One article's stock in the WMS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WmsStockLevel {
    /// On the shelf.
    pub physical: i64,
    /// What a webshop may still sell (physical minus booked); may be negative.
    pub sellable: i64,
    /// Held by orders the warehouse has not picked yet.
    pub booked: i64,
}

/// Why a customer sent items back, as the warehouse records it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WmsReturnCause {
    pub code: String,
    /// Ongoing's cause `name`, OGOship's reason `description`.
    pub text: String,
}

impl WmsReturnCause {
    pub fn new(code: &str, text: &str) -> Self {
        Self {
            code: code.to_owned(),
            text: text.to_owned(),
        }
    }

    /// How Centra's return comment names the cause. Both gateways hand the cause on as code
    /// and name (ongoing-gateway: `returnCause.code`/`name`; ogoship-gateway
    /// `detect/returns.rs`: `returnReason.code`/`description`), and returns-sync combines
    /// them as `N x name (code)` (`domain::combine_causes`), so the text is the same for
    /// every WMS.
    pub fn label(&self) -> String {
        format!("{} ({})", self.text, self.code)
    }
}

/// Units of one article a customer returned for one cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WmsReturnLine {
    pub article: String,
    pub units: u32,
    pub cause: WmsReturnCause,
}

fn number(value: &Value) -> i64 {
    value
        .as_i64()
        .or_else(|| value.as_f64().map(|f| f as i64))
        .unwrap_or(0)
}

impl WmsSim {
    /// Every article's stock level from a `/_sim/state` answer (so a caller can read it next
    /// to the orders of the same answer).
    pub fn stock_levels_in(&self, state: &Value) -> BTreeMap<String, WmsStockLevel> {
        let (list, key, physical, sellable, booked) = match self {
            Self::Ongoing(_) => (
                "inventory",
                "articleNumber",
                "numberOfItems",
                "sellableNumberOfItems",
                "numberOfBookedItems",
            ),
            Self::Ogoship(_) => (
                "stock",
                "productCode",
                "stock",
                "stockAvailable",
                "reserved",
            ),
        };
        state[list]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|row| {
                let level = WmsStockLevel {
                    physical: number(&row[physical]),
                    sellable: number(&row[sellable]),
                    booked: number(&row[booked]),
                };
                row[key].as_str().map(|k| (k.to_owned(), level))
            })
            .collect()
    }

    /// Every article's stock level now.
    pub async fn stock_levels(&self, http: &reqwest::Client) -> BTreeMap<String, WmsStockLevel> {
        self.stock_levels_in(&self.state(http).await)
    }

    /// Units found or lost outside any order (`delta` may be negative).
    pub async fn move_stock(&self, http: &reqwest::Client, article: &str, delta: i64) {
        let body = match self {
            Self::Ongoing(_) => json!({"articleNumber": article, "delta": delta}),
            Self::Ogoship(_) => json!({"productCode": article, "delta": delta}),
        };
        post(http, format!("{}/_sim/stock", self.control_url()), &body).await;
    }

    /// A stock-take counted `physical` units of `article` on the shelf.
    pub async fn count_stock(&self, http: &reqwest::Client, article: &str, physical: i64) {
        let body = match self {
            Self::Ongoing(_) => json!({"articleNumber": article, "physical": physical}),
            Self::Ogoship(_) => json!({"productCode": article, "stock": physical}),
        };
        post(http, format!("{}/_sim/stock", self.control_url()), &body).await;
    }

    /// The warehouse registers a customer return of shipped order `number`; the goods go back
    /// on the shelf. Lines of one article with different causes stay separate items.
    pub async fn register_return(
        &self,
        http: &reqwest::Client,
        number: &str,
        lines: &[WmsReturnLine],
    ) {
        let body = match self {
            Self::Ongoing(_) => json!({
                "orderNumber": number,
                "lines": lines
                    .iter()
                    .map(|l| json!({"articleNumber": l.article, "returned": l.units,
                                    "cause": {"code": l.cause.code, "name": l.cause.text}}))
                    .collect::<Vec<_>>(),
            }),
            Self::Ogoship(_) => json!({
                "orderReference": number,
                "products": lines
                    .iter()
                    .map(|l| json!({"code": l.article, "quantity": l.units,
                                    "reason": {"code": l.cause.code,
                                               "description": l.cause.text}}))
                    .collect::<Vec<_>>(),
            }),
        };
        post(http, format!("{}/_sim/returns", self.control_url()), &body).await;
    }

    /// Whether the WMS reports the quantity picked per order line. OGOship API v1 does not
    /// (ogoship-gateway `detect/shipped.rs`: a shipped order counts as picked in full), so a
    /// partial pick there would leave the warehouse and Centra disagreeing for good: ship such
    /// an order in full (`Shipping::all`).
    pub fn reports_picks_per_line(&self) -> bool {
        match self {
            Self::Ongoing(_) => true,
            Self::Ogoship(_) => false,
        }
    }

    /// Whether the warehouse would start picking `order` now. OGOship hands only `new` orders
    /// to the warehouse (ogoship-api.md §5, P2: `pending` waits for stock, `reserved` is held);
    /// Ongoing picks any open order, as far as its stock goes.
    pub fn ready_to_pick(&self, order: &WmsOrder) -> bool {
        match self {
            Self::Ongoing(_) => !order.cancelled,
            Self::Ogoship(_) => order.status.eq_ignore_ascii_case("new"),
        }
    }
}
