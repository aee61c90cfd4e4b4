//! SetStock: absolute physical stock, in batches of [`STOCK_BATCH`], through either API;
//! ReadStock: physical and allocated stock of named products through either API, or one page
//! of every size item (a page of size items through the Order API, of products through GraphQL;
//! the token is the API's own).

use proto::centra::v1::{
    ReadStockRequest, ReadStockResponse, SetStockRequest, SetStockResponse, StockRow,
};

use super::{CommandError, Commands};
use crate::client::record::Parsed;
use crate::client::{CentraStockRow, STOCK_BATCH};

impl Commands {
    /// Sets stock; Centra's "not found" and "is a bundle" products are reported, the rest set.
    pub async fn set_stock(
        &self,
        request: SetStockRequest,
    ) -> Result<SetStockResponse, CommandError> {
        let connection = self.connection(&request.endpoint)?;
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
            let outcome = connection.set_stock(batch).await?;
            response
                .products_not_found
                .extend(outcome.products_not_found);
            response
                .products_are_bundles
                .extend(outcome.products_are_bundles);
        }
        tracing::info!(
            endpoint = %connection.endpoint(),
            levels = levels.len(),
            not_found = response.products_not_found.len(),
            bundles = response.products_are_bundles.len(),
            "stock set"
        );
        Ok(response)
    }

    /// Reads stock: every size item of each named product (`GET /stock?productId=`, all pages),
    /// or one page of every size item. Unreadable rows are logged and left out: the stock flow
    /// then shows the article as not found instead of guessing its stock.
    ///
    /// # Errors
    /// [`CommandError::InvalidArgument`] naming `product_ids[i]` for an id that is not a number;
    /// the client's errors otherwise.
    pub async fn read_stock(
        &self,
        request: ReadStockRequest,
    ) -> Result<ReadStockResponse, CommandError> {
        let connection = self.connection(&request.endpoint)?;
        let mut ids: Vec<String> = Vec::with_capacity(request.product_ids.len());
        for (i, id) in request.product_ids.iter().enumerate() {
            let id = id.trim();
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(CommandError::invalid(
                    format!("product_ids[{i}]"),
                    format!("{id:?} is not a Centra product id"),
                ));
            }
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_owned());
            }
        }
        let keep = |rows: Vec<Parsed<CentraStockRow>>, out: &mut Vec<StockRow>| {
            for row in rows {
                match row {
                    Ok(row) => out.push(StockRow {
                        product_id: row.product_id,
                        sku: row.sku,
                        variant_sku: row.variant_sku,
                        size_sku: row.size_sku,
                        ean: row.ean,
                        physical: row.physical,
                        allocated: row.allocated,
                    }),
                    Err(bad) => {
                        tracing::warn!(endpoint = %connection.endpoint(), key = %bad.key, error = %bad.error, "skipped unreadable stock row");
                    }
                }
            }
        };
        let mut response = ReadStockResponse::default();
        if ids.is_empty() {
            let token = Some(request.page_token.as_str()).filter(|t| !t.is_empty());
            let (rows, next) = connection
                .stock_page(request.page_size.min(500), token)
                .await?;
            keep(rows, &mut response.rows);
            response.next_page_token = next.unwrap_or_default();
            return Ok(response);
        }
        for id in &ids {
            let rows = connection.product_stock(id).await?;
            keep(rows, &mut response.rows);
        }
        Ok(response)
    }
}
