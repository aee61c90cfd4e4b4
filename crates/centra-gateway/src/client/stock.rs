//! Stock: `POST /stock` with absolute physical quantities, in batches.

use reqwest::Method;
use serde_json::{Value, json};

use super::{CentraClient, CentraError};

/// Products per `POST /stock` call.
pub const STOCK_BATCH: usize = 100;

/// What Centra did not update (the rest was updated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockOutcome {
    pub products_not_found: Vec<String>,
    pub products_are_bundles: Vec<String>,
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

impl CentraClient {
    /// Sets one batch (at most [`STOCK_BATCH`]) of absolute physical stock. One attempt; the
    /// call is idempotent (absolute values), so callers may simply retry it.
    pub async fn set_stock_once(
        &self,
        levels: &[(String, i64)],
    ) -> Result<StockOutcome, CentraError> {
        const OP: &str = "POST /stock";
        let products: Vec<Value> = levels
            .iter()
            .map(|(product, quantity)| json!({ "product": product, "quantity": quantity }))
            .collect();
        let envelope = self
            .send_raw(
                Method::POST,
                OP,
                "stock",
                &[],
                Some(&json!({ "products": products })),
            )
            .await?;
        let errors = envelope.get("errors");
        let outcome = StockOutcome {
            products_not_found: strings(errors.and_then(|e| e.get("productsNotFound"))),
            products_are_bundles: strings(errors.and_then(|e| e.get("productsAreBundles"))),
        };
        let partial =
            !outcome.products_not_found.is_empty() || !outcome.products_are_bundles.is_empty();
        if partial {
            return Ok(outcome);
        }
        self.ensure_ok(OP, envelope).map(|_| outcome)
    }
}
