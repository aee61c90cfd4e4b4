//! One method per OGOship endpoint the gateway uses, and the page walk of list calls
//! (ogoship-api.md §3: `limit` 1..=250, `page` from 1, a bare array, the last page is the
//! first one shorter than `limit`).

use base64::Engine as _;
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::models::{
    OrderBody, OrderResponse, ProductBody, ProductResponse, ReturnResponse, StockResponse,
    StockUpdateBody, StockUpdateResponse, WebHookBody, WebHookResponse,
};
use super::{OgoshipClient, OgoshipError};

/// The records of a list call; those that could not be read are set aside by name.
#[derive(Debug)]
pub struct Listing<T> {
    pub records: Vec<T>,
    pub rejected: Vec<Rejected>,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Self {
            records: Vec::new(),
            rejected: Vec::new(),
        }
    }
}

/// A listed record that could not be read: kept as a dead letter of `kind`.
#[derive(Debug)]
pub struct Rejected {
    pub kind: &'static str,
    pub record: String,
    pub error: OgoshipError,
    pub raw: Value,
}

/// A list endpoint: its path, the dead-letter kind of its records and the field naming one.
#[derive(Debug, Clone, Copy)]
pub struct Resource {
    pub path: &'static str,
    pub kind: &'static str,
    pub key: &'static str,
}

pub const PRODUCTS: Resource = Resource {
    path: "products",
    kind: "product",
    key: "code",
};
pub const ORDERS: Resource = Resource {
    path: "orders",
    kind: "order",
    key: "reference",
};
pub const STOCK: Resource = Resource {
    path: "stock",
    kind: "article",
    key: "productCode",
};
pub const STOCK_UPDATES: Resource = Resource {
    path: "StockUpdate",
    kind: "purchase_order",
    key: "reference",
};
pub const RETURNS: Resource = Resource {
    path: "returns",
    kind: "return",
    key: "id",
};

/// Pages walked at most by one list call (250 000 records): a server that never answers a
/// short page must not keep a poller busy forever.
const MAX_PAGES: u32 = 1000;

fn read_into<T: DeserializeOwned>(resource: Resource, listing: &mut Listing<T>, page: Vec<Value>) {
    for raw in page {
        let name = raw
            .get(resource.key)
            .and_then(Value::as_str)
            .map_or_else(|| "?".to_owned(), str::to_owned);
        match serde_json::from_value::<T>(raw.clone()) {
            Ok(record) => listing.records.push(record),
            Err(e) => listing.rejected.push(Rejected {
                kind: resource.kind,
                record: format!("{} {name}", resource.kind),
                error: OgoshipError::invalid(
                    format!("{} {name}", resource.kind),
                    "(record)",
                    e.to_string(),
                ),
                raw,
            }),
        }
    }
}

/// The path segment of a product code: as is when it is plain, else base64url with
/// `?base64url=true` (§4), so codes with `/`, `?` or `%` survive any proxy.
fn product_segment(code: &str) -> (String, Vec<(&'static str, String)>) {
    let plain = code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        (code.to_owned(), Vec::new())
    } else {
        (
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(code),
            vec![("base64url", "true".to_owned())],
        )
    }
}

impl OgoshipClient {
    /// Page `page` (from 1) of `resource` with `filters`, `limit` records (1..=250); also
    /// whether the page was full (more may follow).
    pub async fn page<T: DeserializeOwned>(
        &self,
        resource: Resource,
        filters: &[(&str, String)],
        page: u32,
        limit: u32,
    ) -> Result<(Listing<T>, bool), OgoshipError> {
        let limit = limit.clamp(1, super::MAX_PAGE);
        let mut query = filters.to_vec();
        query.push(("limit", limit.to_string()));
        query.push(("page", page.max(1).to_string()));
        let rows: Option<Vec<Value>> = self.get_json(&[resource.path], &query).await?;
        let rows = rows.unwrap_or_default();
        let full = rows.len() >= limit as usize;
        let mut listing = Listing::default();
        read_into(resource, &mut listing, rows);
        Ok((listing, full))
    }

    /// Every record of `resource` matching `filters`, page after page.
    pub async fn all<T: DeserializeOwned>(
        &self,
        resource: Resource,
        filters: &[(&str, String)],
    ) -> Result<Listing<T>, OgoshipError> {
        let mut listing = Listing::default();
        for page in 1..=MAX_PAGES {
            let (part, full) = self
                .page::<T>(resource, filters, page, self.page_size())
                .await?;
            listing.records.extend(part.records);
            listing.rejected.extend(part.rejected);
            if !full {
                break;
            }
        }
        Ok(listing)
    }

    /// The one record of `resource` whose key field is exactly `key` (searches may match
    /// loosely, and §4 notes duplicate product codes: the first exact match wins).
    async fn find<T: DeserializeOwned>(
        &self,
        resource: Resource,
        filter: &str,
        key: &str,
    ) -> Result<Option<T>, OgoshipError> {
        let (listing, _) = self
            .page::<Value>(resource, &[(filter, key.to_owned())], 1, super::MAX_PAGE)
            .await?;
        let Some(raw) = listing
            .records
            .into_iter()
            .find(|r| r.get(resource.key).and_then(Value::as_str) == Some(key))
        else {
            return Ok(None);
        };
        serde_json::from_value(raw).map(Some).map_err(|e| {
            OgoshipError::invalid(
                format!("{} {key}", resource.kind),
                "(record)",
                e.to_string(),
            )
        })
    }

    pub async fn find_product(&self, code: &str) -> Result<Option<ProductResponse>, OgoshipError> {
        self.find(PRODUCTS, "code", code).await
    }

    pub async fn create_product(
        &self,
        body: &ProductBody,
    ) -> Result<ProductResponse, OgoshipError> {
        self.send_json(Method::POST, &["products"], &[], body).await
    }

    /// `PUT /products/{code}` (the current code; a rename would put the new one in the body).
    pub async fn update_product(
        &self,
        code: &str,
        body: &ProductBody,
    ) -> Result<ProductResponse, OgoshipError> {
        let (segment, query) = product_segment(code);
        self.send_json(Method::PUT, &["products", &segment], &query, body)
            .await
    }

    pub async fn find_order(&self, reference: &str) -> Result<Option<OrderResponse>, OgoshipError> {
        self.find(ORDERS, "reference", reference).await
    }

    pub async fn create_order(&self, body: &OrderBody) -> Result<OrderResponse, OgoshipError> {
        self.send_json(Method::POST, &["orders"], &[], body).await
    }

    pub async fn update_order<B: Serialize>(
        &self,
        reference: &str,
        body: &B,
    ) -> Result<OrderResponse, OgoshipError> {
        self.send_json(Method::PUT, &["orders", reference], &[], body)
            .await
    }

    pub async fn stock_of(&self, code: &str) -> Result<Option<StockResponse>, OgoshipError> {
        self.find(STOCK, "productCode", code).await
    }

    pub async fn find_stock_update(
        &self,
        reference: &str,
    ) -> Result<Option<StockUpdateResponse>, OgoshipError> {
        self.find(STOCK_UPDATES, "reference", reference).await
    }

    pub async fn create_stock_update(
        &self,
        body: &StockUpdateBody,
    ) -> Result<StockUpdateResponse, OgoshipError> {
        self.send_json(Method::POST, &["StockUpdate"], &[], body)
            .await
    }

    /// Returns changed after `modified_after` (every one when `None`).
    pub async fn list_returns(
        &self,
        modified_after: Option<String>,
    ) -> Result<Listing<ReturnResponse>, OgoshipError> {
        let filters: Vec<(&str, String)> = modified_after
            .map(|m| ("modifiedAfter", m))
            .into_iter()
            .collect();
        self.all(RETURNS, &filters).await
    }

    /// `GET /webhooks`: every registered webhook (OGOship answers `null` for none, §9).
    pub async fn list_webhooks(&self) -> Result<Vec<WebHookResponse>, OgoshipError> {
        let hooks: Option<Vec<WebHookResponse>> = self.get_json(&["webhooks"], &[]).await?;
        Ok(hooks.unwrap_or_default())
    }

    pub async fn create_webhook(
        &self,
        body: &WebHookBody,
    ) -> Result<WebHookResponse, OgoshipError> {
        self.send_json(Method::POST, &["webhooks"], &[], body).await
    }

    /// `PUT /webhooks/{id}`: replaces the hook.
    pub async fn update_webhook(
        &self,
        id: &str,
        body: &WebHookBody,
    ) -> Result<WebHookResponse, OgoshipError> {
        self.send_json(Method::PUT, &["webhooks", id], &[], body)
            .await
    }

    /// `DELETE /webhooks/{id}` (204, no body).
    pub async fn delete_webhook(&self, id: &str) -> Result<(), OgoshipError> {
        self.call(Method::DELETE, &["webhooks", id], &[], None)
            .await
            .map(|_| ())
    }

    /// Credentials and reachability in one cheap read: a token, then one product.
    pub async fn probe(&self) -> Result<(), OgoshipError> {
        self.page::<Value>(PRODUCTS, &[], 1, 1).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_codes_go_as_they_are_others_as_base64url() {
        assert_eq!(product_segment("M411-740.XL_2").0, "M411-740.XL_2");
        let (segment, query) = product_segment("A/B 1");
        assert_eq!(segment, "QS9CIDE");
        assert_eq!(query, vec![("base64url", "true".to_owned())]);
    }
}
