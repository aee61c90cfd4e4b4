//! The WMS simulator of an end-to-end run, in WMS-neutral terms: which simulator runs
//! (ongoing-sim or ogoship-sim, by [`WmsKind`]), the `[wms]` table pointing a gateway at it,
//! and the controls the suites use (articles, an order as a neutral [`WmsOrder`], shipping,
//! "work started", purchase orders and their receipt, faults, the request log).
//!
//! How the terms map (ogoship-gateway `lib.rs`):
//!
//! | neutral | Ongoing | OGOship |
//! | --- | --- | --- |
//! | article number | `articleNumber` | product `code` |
//! | order number | `orderNumber` | order `reference` |
//! | cancelled | status 1000 | status `cancelled` |
//! | work started | status 300 | status `collecting` |
//! | purchase order | purchase order | stock update (`reference`) |
//! | tracking number | `waybill` | `trackingNumber` (one per order in API v1) |
//!
//! What OGOship API v1 cannot express (per-line picks reported back, several parcels) is
//! refused here with a panic naming the limit, so a scenario needing it is excluded where it
//! is invoked rather than weakened.

mod articles;
mod stock;

pub use articles::{HandEdit, WmsArticle};
pub use stock::{WmsReturnCause, WmsReturnLine, WmsStockLevel};

use platform_config::WmsKind;
use serde_json::{Value, json};

/// Ongoing's status of a cancelled order.
const ONGOING_CANCELLED: u64 = 1000;
/// Ongoing-sim's first status past editable: the warehouse started work.
const ONGOING_WORK_STARTED: u64 = 300;
/// Ongoing's status of a shipped order (`/_sim/orders/{n}/ship`).
const ONGOING_SHIPPED: u64 = 450;
/// Ongoing's status of a fully received purchase order.
const ONGOING_RECEIVED: u64 = 500;

/// A running WMS simulator.
#[derive(Debug)]
pub enum WmsSim {
    Ongoing(ongoing_sim::RunningSim),
    Ogoship(ogoship_sim::RunningSim),
}

/// An order in the WMS, as the scenarios look at it.
#[derive(Debug, Clone)]
pub struct WmsOrder {
    pub number: String,
    /// The WMS's own status, as text (`"300"` for Ongoing, `"collecting"` for OGOship).
    pub status: String,
    pub cancelled: bool,
    /// `(article number, ordered quantity)` in the order the WMS lists them.
    pub lines: Vec<(String, f64)>,
    /// How many times the order was really created (a refused duplicate is no creation).
    pub created_count: u64,
    /// The simulator's own row, for failure messages.
    pub raw: Value,
}

impl std::fmt::Display for WmsOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.raw)
    }
}

/// A purchase order in the WMS (a stock update at OGOship).
#[derive(Debug, Clone)]
pub struct WmsPurchaseOrder {
    pub number: String,
    /// How many times it was really created.
    pub created_count: u64,
    /// `(article number, advised quantity)`.
    pub lines: Vec<(String, f64)>,
    pub raw: Value,
}

impl std::fmt::Display for WmsPurchaseOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.raw)
    }
}

/// What the warehouse ships: every line in full unless `picks` says otherwise.
#[derive(Debug, Clone, Default)]
pub struct Shipping {
    /// `(article number, picked)` per line; `None`: every line picked in full.
    pub picks: Option<Vec<(String, u32)>>,
    pub tracking_number: String,
    pub tracking_url: Option<String>,
    /// `(parcel number, tracking url)` of several parcels.
    pub parcels: Vec<(String, Option<String>)>,
}

impl Shipping {
    /// Every line picked in full, sent with `tracking_number`.
    pub fn all(tracking_number: &str) -> Self {
        Self {
            tracking_number: tracking_number.to_owned(),
            ..Self::default()
        }
    }

    /// Only `picks` (`(article number, picked)`) picked.
    #[must_use]
    pub fn picking(mut self, picks: &[(String, u32)]) -> Self {
        self.picks = Some(picks.to_vec());
        self
    }

    /// In several parcels `(parcel number, tracking url)`.
    #[must_use]
    pub fn in_parcels(mut self, parcels: &[(&str, Option<&str>)]) -> Self {
        self.parcels = parcels
            .iter()
            .map(|(n, u)| ((*n).to_owned(), u.map(str::to_owned)))
            .collect();
        self
    }
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| value.to_string())
}

impl WmsSim {
    /// Starts the simulator of `kind` on a free port with its sandbox credentials.
    pub async fn start(kind: WmsKind) -> Self {
        match kind {
            WmsKind::Ongoing => Self::Ongoing(
                ongoing_sim::OngoingSim::builder()
                    .build()
                    .spawn("127.0.0.1:0")
                    .await
                    .expect("ongoing sim starts"),
            ),
            WmsKind::Ogoship => Self::Ogoship(
                ogoship_sim::OgoshipSim::builder()
                    .build()
                    .spawn("127.0.0.1:0")
                    .await
                    .expect("ogoship sim starts"),
            ),
        }
    }

    pub fn kind(&self) -> WmsKind {
        match self {
            Self::Ongoing(_) => WmsKind::Ongoing,
            Self::Ogoship(_) => WmsKind::Ogoship,
        }
    }

    /// The host root; the control API is under `{control_url}/_sim/`.
    pub fn control_url(&self) -> String {
        match self {
            Self::Ongoing(sim) => sim.base_url(),
            Self::Ogoship(sim) => sim.base_url(),
        }
    }

    /// The `[wms]` table (warehouse `sandbox`) pointing the configured gateway at this
    /// simulator.
    pub fn config_table(&self) -> String {
        match self {
            Self::Ongoing(sim) => format!(
                r#"[wms]
base_url = "{}"
warehouse = "sandbox"
user = "sandbox"
password = "sandbox"
goods_owner_id = 1
"#,
                sim.base_url()
            ),
            Self::Ogoship(sim) => format!(
                r#"[wms]
kind = "ogoship"
warehouse = "sandbox"
api_url = "{}"
token_url = "{}"
client_id = "123456"
client_secret = "abcdef"
merchant_id = "sandbox-merchant"
merchant_secret = "sandbox-secret"
"#,
                sim.base_url(),
                sim.token_url()
            ),
        }
    }

    /// `/_sim/state`.
    pub async fn state(&self, http: &reqwest::Client) -> Value {
        get(http, format!("{}/_sim/state", self.control_url())).await
    }

    /// The article numbers the WMS holds.
    pub async fn article_numbers(&self, http: &reqwest::Client) -> Vec<String> {
        let state = self.state(http).await;
        let (list, key) = match self {
            Self::Ongoing(_) => ("articles", "articleNumber"),
            Self::Ogoship(_) => ("products", "code"),
        };
        state[list]
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|a| a[key].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every order in the WMS.
    pub async fn orders(&self, http: &reqwest::Client) -> Vec<WmsOrder> {
        let state = self.state(http).await;
        let rows = state["orders"].as_array().cloned().unwrap_or_default();
        rows.into_iter().map(|row| self.order_of(row)).collect()
    }

    /// Order `number`, if the WMS has it.
    pub async fn order(&self, http: &reqwest::Client, number: &str) -> Option<WmsOrder> {
        self.orders(http)
            .await
            .into_iter()
            .find(|o| o.number == number)
    }

    fn order_of(&self, raw: Value) -> WmsOrder {
        match self {
            Self::Ongoing(_) => WmsOrder {
                number: text(&raw["orderNumber"]),
                status: text(&raw["status"]),
                cancelled: raw["status"].as_u64() == Some(ONGOING_CANCELLED),
                lines: lines(&raw["lines"], "articleNumber", "ordered"),
                created_count: raw["createdCount"].as_u64().unwrap_or(0),
                raw,
            },
            Self::Ogoship(_) => WmsOrder {
                number: text(&raw["reference"]),
                status: text(&raw["status"]),
                cancelled: raw["status"]
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case("cancelled")),
                lines: lines(&raw["lines"], "code", "quantity"),
                created_count: raw["createdCount"].as_u64().unwrap_or(0),
                raw,
            },
        }
    }

    /// The status [`WmsSim::start_work`] sets, as [`WmsOrder::status`] shows it.
    pub fn work_started_status(&self) -> String {
        match self {
            Self::Ongoing(_) => ONGOING_WORK_STARTED.to_string(),
            Self::Ogoship(_) => "collecting".to_owned(),
        }
    }

    /// The warehouse starts work on order `number` (past changes and cancellation).
    pub async fn start_work(&self, http: &reqwest::Client, number: &str) {
        let body = match self {
            Self::Ongoing(_) => json!({"status": ONGOING_WORK_STARTED}),
            Self::Ogoship(_) => json!({"status": "collecting"}),
        };
        post(
            http,
            format!("{}/_sim/orders/{number}/status", self.control_url()),
            &body,
        )
        .await;
    }

    /// The warehouse ships order `number`.
    ///
    /// # Panics
    /// For OGOship, on several parcels: API v1 keeps one tracking number per order.
    pub async fn ship(&self, http: &reqwest::Client, number: &str, shipping: &Shipping) {
        let body = match self {
            Self::Ongoing(_) => {
                let mut body =
                    json!({"waybill": shipping.tracking_number, "status": ONGOING_SHIPPED});
                if let Some(picks) = &shipping.picks {
                    body["lines"] = picks
                        .iter()
                        .map(
                            |(article, picked)| json!({"articleNumber": article, "picked": picked}),
                        )
                        .collect();
                }
                if let Some(url) = &shipping.tracking_url {
                    body["trackingUrl"] = json!(url);
                }
                if !shipping.parcels.is_empty() {
                    body["parcels"] = shipping
                        .parcels
                        .iter()
                        .map(|(parcel, url)| match url {
                            Some(url) => json!({"parcelNumber": parcel, "trackingUrl": url}),
                            None => json!({"parcelNumber": parcel}),
                        })
                        .collect();
                }
                body
            }
            Self::Ogoship(_) => {
                assert!(
                    shipping.parcels.is_empty(),
                    "OGOship API v1 has one tracking number per order, no parcels"
                );
                let mut body = json!({"trackingNumber": shipping.tracking_number});
                if let Some(picks) = &shipping.picks {
                    body["lines"] = picks
                        .iter()
                        .map(|(code, picked)| json!({"code": code, "picked": picked}))
                        .collect();
                }
                if let Some(url) = &shipping.tracking_url {
                    body["trackingUrl"] = json!(url);
                }
                body
            }
        };
        post(
            http,
            format!("{}/_sim/orders/{number}/ship", self.control_url()),
            &body,
        )
        .await;
    }

    /// Every purchase order in the WMS.
    pub async fn purchase_orders(&self, http: &reqwest::Client) -> Vec<WmsPurchaseOrder> {
        let state = self.state(http).await;
        match self {
            Self::Ongoing(_) => state["purchaseOrders"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|raw| WmsPurchaseOrder {
                    number: text(&raw["purchaseOrderNumber"]),
                    created_count: raw["createdCount"].as_u64().unwrap_or(0),
                    lines: lines(&raw["lines"], "articleNumber", "advised"),
                    raw,
                })
                .collect(),
            Self::Ogoship(_) => {
                // OGOship keeps every stock update it was sent; one per reference is one
                // creation.
                let all = state["stockUpdates"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                all.iter()
                    .map(|raw| {
                        let number = text(&raw["reference"]);
                        let created = all.iter().filter(|u| u["reference"] == raw["reference"]);
                        WmsPurchaseOrder {
                            created_count: u64::try_from(created.count()).unwrap_or(u64::MAX),
                            lines: lines(&raw["products"], "code", "expectedQuantity"),
                            number,
                            raw: raw.clone(),
                        }
                    })
                    .collect()
            }
        }
    }

    /// Purchase order `number`, if the WMS has it.
    pub async fn purchase_order(
        &self,
        http: &reqwest::Client,
        number: &str,
    ) -> Option<WmsPurchaseOrder> {
        self.purchase_orders(http)
            .await
            .into_iter()
            .find(|p| p.number == number)
    }

    /// Goods of purchase order `number` arrive: `(article number, received)`, and the
    /// warehouse is done with it.
    pub async fn receive_purchase_order(
        &self,
        http: &reqwest::Client,
        number: &str,
        received: &[(String, u32)],
    ) {
        let (url, body) = match self {
            Self::Ongoing(_) => (
                format!(
                    "{}/_sim/purchase-orders/{number}/receive",
                    self.control_url()
                ),
                json!({
                    "lines": received
                        .iter()
                        .map(|(a, q)| json!({"articleNumber": a, "received": q}))
                        .collect::<Vec<_>>(),
                    "status": ONGOING_RECEIVED,
                }),
            ),
            // The status follows from the quantities (RECEIVED or PARTIALLY_RECEIVED).
            Self::Ogoship(_) => (
                format!("{}/_sim/stock-updates/{number}/receive", self.control_url()),
                json!({
                    "products": received
                        .iter()
                        .map(|(a, q)| json!({"code": a, "received": q}))
                        .collect::<Vec<_>>(),
                }),
            ),
        };
        post(http, url, &body).await;
    }

    /// Whether the WMS turned purchase order `number` (with a line for `article`) away
    /// because it lacked an article. Ongoing refuses the write (`PUT .../purchaseOrders` >=
    /// 400); OGOship's gateway asks for each product first and writes nothing when one is
    /// missing, so there it is the product look-up of `article` (`GET .../products?code=`)
    /// or a refused `POST .../StockUpdate`.
    pub async fn purchase_order_turned_away(
        &self,
        http: &reqwest::Client,
        number: &str,
        article: &str,
    ) -> bool {
        let log = self.requests(http, 0).await;
        let refused = |r: &Value| r["status"].as_u64().is_some_and(|s| s >= 400);
        let path = |r: &Value| r["path"].as_str().unwrap_or_default().to_ascii_lowercase();
        match self {
            Self::Ongoing(_) => log.iter().any(|r| {
                r["method"] == "PUT"
                    && path(r).ends_with("purchaseorders")
                    && refused(r)
                    && r["body"]["purchaseOrderNumber"] == number
            }),
            Self::Ogoship(_) => log.iter().any(|r| {
                let looked_up = r["method"] == "GET"
                    && path(r).ends_with("/products")
                    && r["query"]
                        .as_str()
                        .is_some_and(|q| q.contains(&format!("code={article}")));
                let written = r["method"] == "POST"
                    && path(r).ends_with("/stockupdate")
                    && refused(r)
                    && r["body"]["reference"] == number;
                looked_up || written
            }),
        }
    }

    /// The API calls received after seq `since`.
    pub async fn requests(&self, http: &reqwest::Client, since: u64) -> Vec<Value> {
        get(
            http,
            format!("{}/_sim/requests?since={since}", self.control_url()),
        )
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
    }

    /// `/_sim/faults` (the same settings in both simulators).
    pub async fn faults(&self, http: &reqwest::Client, body: &Value) {
        post(http, format!("{}/_sim/faults", self.control_url()), body).await;
    }
}

fn lines(rows: &Value, article: &str, quantity: &str) -> Vec<(String, f64)> {
    rows.as_array()
        .map(|all| {
            all.iter()
                .map(|l| {
                    (
                        l[article].as_str().unwrap_or("<none>").to_owned(),
                        l[quantity].as_f64().unwrap_or(-1.0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A control-API POST that must succeed; its JSON answer (null when none).
pub async fn post(http: &reqwest::Client, url: String, body: &Value) -> Value {
    let response = http
        .post(&url)
        .json(body)
        .send()
        .await
        .expect("control call answered");
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "POST {url}: {status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A control-API GET as JSON.
pub async fn get(http: &reqwest::Client, url: String) -> Value {
    http.get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: not json: {e}"))
}
