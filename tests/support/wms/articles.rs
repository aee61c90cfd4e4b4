//! The catalogue side of the WMS simulator in WMS-neutral terms: the articles the WMS holds
//! as a [`WmsArticle`], one article as the WMS's own API answers it, the article writes it
//! received after a request-log seq, and a person editing an article by hand.
//!
//! | neutral | Ongoing | OGOship |
//! | --- | --- | --- |
//! | article number | `articleNumber` | product `code` |
//! | name | `articleName` | `name` |
//! | customer price | `customerPrice` | `salesPrice` |
//! | currency | none for the customer price | `currencyCode` |
//! | active | `isActive` | none in API v1 |
//! | EAN | `barCodeInfo.barCode` | `eanCode` |
//! | country of origin | `countryOfOriginCode` | `countryOfOrigin` |
//! | customs number | `statisticsNumber` | `hsCode` |
//! | weight (kg) | `weight` | none in API v1 |
//! | article write | `PUT .../articles` | `POST /api/v1/products`, `PUT /api/v1/products/{code}` |
//!
//! A field the WMS does not keep is `None`, so a scenario compares with
//! [`WmsSim::keeps_active_flag`], [`WmsSim::keeps_weight`] or [`WmsSim::keeps_price_currency`]
//! instead of skipping the check.

use platform_config::WmsKind;
use serde_json::{Value, json};

use super::WmsSim;

/// The sandbox credentials of [`WmsSim::config_table`], for calls the tests make through the
/// WMS's own API (as a person or another integration would).
const ONGOING_USER: (&str, &str) = ("sandbox", "sandbox");
const OGOSHIP_CLIENT: (&str, &str) = ("123456", "abcdef");
const OGOSHIP_MERCHANT: (&str, &str) = ("sandbox-merchant", "sandbox-secret");

/// An article in the WMS, as the scenarios look at it.
#[derive(Debug, Clone, PartialEq)]
pub struct WmsArticle {
    pub number: String,
    pub name: String,
    /// The customer price.
    pub price: Option<f64>,
    /// The price's currency, where the WMS keeps one (Ongoing keeps none for the customer
    /// price).
    pub currency: Option<String>,
    /// `None` where the WMS has no active flag (OGOship API v1).
    pub active: Option<bool>,
    pub ean: Option<String>,
    pub country_of_origin: Option<String>,
    pub customs_number: Option<String>,
    /// `None` where the WMS keeps no weight (OGOship API v1).
    pub weight_kg: Option<f64>,
    /// The WMS's own row or body, for failure messages.
    pub raw: Value,
}

impl std::fmt::Display for WmsArticle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.raw)
    }
}

/// What a person changes by hand in the WMS's own user interface.
#[derive(Debug, Clone)]
pub enum HandEdit {
    Name(String),
    Price(f64),
}

fn some_text(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

impl WmsArticle {
    /// An Ongoing `GetArticleModel` or `PostArticleModel` (the body of a `PUT .../articles`).
    fn from_ongoing(raw: Value) -> Self {
        Self {
            number: some_text(&raw["articleNumber"]).unwrap_or_default(),
            name: some_text(&raw["articleName"]).unwrap_or_default(),
            price: raw["customerPrice"].as_f64(),
            currency: None,
            // Ongoing's default for an article written without the flag.
            active: Some(raw["isActive"].as_bool().unwrap_or(true)),
            ean: some_text(&raw["barCodeInfo"]["barCode"]),
            country_of_origin: some_text(&raw["countryOfOriginCode"]),
            customs_number: some_text(&raw["statisticsNumber"]),
            weight_kg: raw["weight"].as_f64(),
            raw,
        }
    }

    /// An OGOship `Product` or `ProductResponse`; `code` when the body names none (an update
    /// keeps the path's code).
    fn from_ogoship(raw: Value, code: Option<&str>) -> Self {
        Self {
            number: some_text(&raw["code"])
                .or_else(|| code.map(str::to_owned))
                .unwrap_or_default(),
            name: some_text(&raw["name"]).unwrap_or_default(),
            price: raw["salesPrice"].as_f64(),
            currency: some_text(&raw["currencyCode"]),
            active: None,
            ean: some_text(&raw["eanCode"]),
            country_of_origin: some_text(&raw["countryOfOrigin"]),
            customs_number: some_text(&raw["hsCode"]),
            weight_kg: None,
            raw,
        }
    }
}

impl WmsSim {
    /// Whether the WMS keeps an article's active flag (OGOship API v1's product has none).
    pub fn keeps_active_flag(&self) -> bool {
        matches!(self.kind(), WmsKind::Ongoing)
    }

    /// Whether the WMS keeps the currency of an article's customer price (Ongoing's
    /// `purcaseCurrencyCode` belongs to the purchase price; OGOship's `currencyCode` covers
    /// both).
    pub fn keeps_price_currency(&self) -> bool {
        matches!(self.kind(), WmsKind::Ogoship)
    }

    /// Whether the WMS keeps an article's weight (OGOship API v1's product has none).
    pub fn keeps_weight(&self) -> bool {
        matches!(self.kind(), WmsKind::Ongoing)
    }

    /// Every article the WMS holds. Ongoing's through its `GET /articles` (one call without a
    /// cursor answers all; `/_sim/state` leaves out the price and the active flag), OGOship's
    /// from `/_sim/state` (each product as its `ProductResponse`).
    pub async fn articles(&self, http: &reqwest::Client) -> Vec<WmsArticle> {
        match self {
            Self::Ongoing(sim) => {
                let answer = http
                    .get(format!("{}/sandbox/api/v1/articles", sim.base_url()))
                    .basic_auth(ONGOING_USER.0, Some(ONGOING_USER.1))
                    .query(&[("goodsOwnerId", "1")])
                    .send()
                    .await
                    .expect("articles answered");
                rows(answer)
                    .await
                    .into_iter()
                    .map(WmsArticle::from_ongoing)
                    .collect()
            }
            Self::Ogoship(_) => self.state(http).await["products"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|raw| WmsArticle::from_ogoship(raw, None))
                .collect(),
        }
    }

    /// Article `number` as the WMS's own API answers it (Ongoing `GET /articles?articleNumber=`,
    /// OGOship `GET /api/v1/products?code=`), if the WMS has it.
    pub async fn article(&self, http: &reqwest::Client, number: &str) -> Option<WmsArticle> {
        let found = match self {
            Self::Ongoing(sim) => {
                let answer = http
                    .get(format!("{}/sandbox/api/v1/articles", sim.base_url()))
                    .basic_auth(ONGOING_USER.0, Some(ONGOING_USER.1))
                    .query(&[("goodsOwnerId", "1"), ("articleNumber", number)])
                    .send()
                    .await
                    .expect("articles answered");
                rows(answer)
                    .await
                    .into_iter()
                    .map(WmsArticle::from_ongoing)
                    .next()
            }
            Self::Ogoship(sim) => {
                let answer = http
                    .get(format!("{}/products", sim.api_url()))
                    .bearer_auth(ogoship_token(http, sim).await)
                    .query(&[("code", number)])
                    .send()
                    .await
                    .expect("products answered");
                rows(answer)
                    .await
                    .into_iter()
                    .map(|raw| WmsArticle::from_ogoship(raw, None))
                    .next()
            }
        };
        found.filter(|a| a.number == number)
    }

    /// The article writes the WMS received after request-log seq `since` (as sent, whatever
    /// the answer), and the last seq seen: the next call's `since`. OGOship's gateway looks a
    /// product up before writing it; the look-ups are reads, not writes.
    pub async fn article_writes(
        &self,
        http: &reqwest::Client,
        since: u64,
    ) -> (Vec<WmsArticle>, u64) {
        let entries = self.requests(http, since).await;
        let last = entries
            .iter()
            .filter_map(|e| e["seq"].as_u64())
            .max()
            .unwrap_or(since);
        let writes = entries
            .into_iter()
            .filter_map(|mut entry| {
                let method = entry["method"].as_str().unwrap_or_default().to_owned();
                let path = entry["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let body = entry["body"].take();
                match self {
                    Self::Ongoing(_) => (method == "PUT" && path.ends_with("/articles"))
                        .then(|| WmsArticle::from_ongoing(body)),
                    Self::Ogoship(_) => {
                        let (_, product) = path.split_once("/api/v1/products")?;
                        match (method.as_str(), product.strip_prefix('/')) {
                            ("POST", None) if product.is_empty() => {
                                Some(WmsArticle::from_ogoship(body, None))
                            }
                            ("PUT", Some(code)) if !code.is_empty() => {
                                Some(WmsArticle::from_ogoship(body, Some(code)))
                            }
                            _ => None,
                        }
                    }
                }
            })
            .collect();
        (writes, last)
    }

    /// A person changes article `number` by hand, through the WMS's own API (the simulators'
    /// stand-in for its user interface).
    pub async fn edit_article_by_hand(&self, http: &reqwest::Client, number: &str, edit: HandEdit) {
        let answer = match self {
            Self::Ongoing(sim) => {
                let mut body = json!({"goodsOwnerId": 1, "articleNumber": number});
                match edit {
                    HandEdit::Name(name) => body["articleName"] = json!(name),
                    HandEdit::Price(price) => body["customerPrice"] = json!(price),
                }
                http.put(format!("{}/sandbox/api/v1/articles", sim.base_url()))
                    .basic_auth(ONGOING_USER.0, Some(ONGOING_USER.1))
                    .json(&body)
                    .send()
                    .await
            }
            Self::Ogoship(sim) => {
                // A product update takes the fields it changes; `languageCode` is kept.
                let body = match edit {
                    HandEdit::Name(name) => json!({"code": number, "name": name}),
                    HandEdit::Price(price) => json!({"code": number, "salesPrice": price}),
                };
                http.put(format!("{}/products/{number}", sim.api_url()))
                    .bearer_auth(ogoship_token(http, sim).await)
                    .json(&body)
                    .send()
                    .await
            }
        }
        .expect("edit answered");
        let status = answer.status();
        assert!(
            status.is_success(),
            "editing {number} by hand: {status}: {}",
            answer.text().await.unwrap_or_default()
        );
    }
}

/// A bare JSON array answer (both APIs list that way).
async fn rows(answer: reqwest::Response) -> Vec<Value> {
    let status = answer.status();
    let body: Value = answer.json().await.expect("json");
    assert!(status.is_success(), "{status}: {body}");
    body.as_array().cloned().unwrap_or_default()
}

/// An OGOship access token for the sandbox merchant (password grant, form-encoded as the
/// token server demands). Each call gets its own; a grant does not revoke the gateway's.
async fn ogoship_token(http: &reqwest::Client, sim: &ogoship_sim::RunningSim) -> String {
    let answer = http
        .post(sim.token_url())
        .form(&[
            ("grant_type", "password"),
            ("client_id", OGOSHIP_CLIENT.0),
            ("client_secret", OGOSHIP_CLIENT.1),
            ("username", OGOSHIP_MERCHANT.0),
            ("password", OGOSHIP_MERCHANT.1),
            ("scope", "read:product write:product"),
        ])
        .send()
        .await
        .expect("token answered");
    let status = answer.status();
    let body: Value = answer.json().await.expect("token json");
    assert!(status.is_success(), "token: {status}: {body}");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}
