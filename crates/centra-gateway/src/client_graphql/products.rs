//! Products with their variants and sizes, for the catalog flow (`limit` + `page`).

use serde_json::Value;

use super::governor::Call;
use super::operations::{ProductsPage, products_page};
use super::transport::decode;
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind, PayloadError};

/// One size row of a variant: what becomes a WMS article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSize {
    pub id: i64,
    pub sku: Option<String>,
    pub ean: Option<String>,
    pub size_number: Option<String>,
    pub size_name: Option<String>,
}

/// A variant (colour) with its sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductVariant {
    pub id: i64,
    pub name: Option<String>,
    pub sizes: Vec<ProductSize>,
}

/// A product with its variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub variants: Vec<ProductVariant>,
}

impl From<products_page::ProductsPageProducts> for Product {
    fn from(product: products_page::ProductsPageProducts) -> Self {
        Self {
            id: product.id,
            name: product.name,
            variants: product
                .variants
                .into_iter()
                .map(|variant| ProductVariant {
                    id: variant.id,
                    name: variant.name,
                    sizes: variant
                        .product_sizes
                        .into_iter()
                        .map(|size| ProductSize {
                            id: size.id,
                            sku: size.sku,
                            ean: size.ean,
                            size_number: size.size_number,
                            size_name: size.size.name,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

const PRODUCTS: Call = Call {
    operation: "products",
    mutation: false,
};

impl GraphqlClient {
    /// One page (from 1) of products, all of them or those in `ids`; each read on its own, so
    /// one bad product (named, with its field) never hides the others.
    ///
    /// # Errors
    /// A [`GraphqlError`] for the page as a whole, after the retries.
    pub async fn products_page(
        &self,
        ids: &[i64],
        page: u32,
    ) -> Result<Vec<Result<Product, PayloadError>>, GraphqlError> {
        let variables = products_page::Variables {
            where_: (!ids.is_empty()).then(|| products_page::ProductFilter {
                id: Some(ids.to_vec()),
                product_number: None,
            }),
            limit: i64::from(self.inner.options.page_size),
            page: i64::from(page),
        };
        let data = self
            .read(|| self.send_once::<ProductsPage>(PRODUCTS, variables.clone()))
            .await?;
        let Some(Value::Array(list)) = data.get("products") else {
            return Err(self.error(
                PRODUCTS.operation,
                GraphqlErrorKind::BadPayload(PayloadError::new(
                    "response",
                    "data.products",
                    "expected a list",
                )),
            ));
        };
        Ok(list
            .iter()
            .enumerate()
            .map(|(position, value)| {
                let name = value.get("id").and_then(Value::as_i64).map_or_else(
                    || format!("products[{position}]"),
                    |id| format!("product {id}"),
                );
                decode::<products_page::ProductsPageProducts>(&name, value.clone())
                    .map(Product::from)
            })
            .collect())
    }

    /// Every product (or those in `ids`), page after page until a short page.
    ///
    /// # Errors
    /// As [`Self::products_page`].
    pub async fn products(
        &self,
        ids: &[i64],
    ) -> Result<Vec<Result<Product, PayloadError>>, GraphqlError> {
        let mut all = Vec::new();
        for page in 1.. {
            let batch = self.products_page(ids, page).await?;
            let full = batch.len() >= self.inner.options.page_size as usize;
            all.extend(batch);
            if !full {
                break;
            }
        }
        Ok(all)
    }
}
