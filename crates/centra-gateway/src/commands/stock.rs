//! SetStock: absolute physical stock, in batches of [`STOCK_BATCH`].

use proto::centra::v1::{SetStockRequest, SetStockResponse};

use super::{CommandError, Commands};
use crate::client::STOCK_BATCH;

impl Commands {
    /// Sets stock; Centra's "not found" and "is a bundle" products are reported, the rest set.
    pub async fn set_stock(
        &self,
        request: SetStockRequest,
    ) -> Result<SetStockResponse, CommandError> {
        let client = self.client(&request.endpoint)?;
        let mut levels = Vec::with_capacity(request.levels.len());
        for (i, level) in request.levels.iter().enumerate() {
            if level.product.trim().is_empty() {
                return Err(CommandError::invalid(
                    format!("levels[{i}].product"),
                    "is empty",
                ));
            }
            if level.quantity < 0 {
                return Err(CommandError::invalid(
                    format!("levels[{i}].quantity"),
                    format!("is negative ({})", level.quantity),
                ));
            }
            levels.push((level.product.trim().to_owned(), level.quantity));
        }
        let mut response = SetStockResponse::default();
        for batch in levels.chunks(STOCK_BATCH) {
            let outcome = client.with_retry(|| client.set_stock_once(batch)).await?;
            response
                .products_not_found
                .extend(outcome.products_not_found);
            response
                .products_are_bundles
                .extend(outcome.products_are_bundles);
        }
        tracing::info!(
            endpoint = %client.endpoint(),
            levels = levels.len(),
            not_found = response.products_not_found.len(),
            bundles = response.products_are_bundles.len(),
            "stock set"
        );
        Ok(response)
    }
}
