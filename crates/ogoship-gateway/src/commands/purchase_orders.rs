//! `UpsertPurchaseOrder`: a stock update (ASN, ogoship-api.md §7). `GET /StockUpdate?reference=`
//! first; when absent `POST /StockUpdate`, else nothing is written (`created` false: updating
//! a stock update is undocumented, §7).
//!
//! OGOship requires `countryOfOrigin` on every line; the contract's purchase-order lines carry
//! none, so it is taken from the product at OGOship (written there by `UpsertArticles`). A
//! product OGOship lacks is `ARTICLE_MISSING`; one without a country is refused naming it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use platform_store::Store;
use proto::wms::v1::{UpsertPurchaseOrderRequest, UpsertPurchaseOrderResponse};

use super::refusal::write_naming_articles;
use super::{CommandError, check_row, optional, quantity, required};
use crate::client::models::{
    ProductResponse, StockUpdateBody, StockUpdateLineBody, StockUpdateResponse,
};
use crate::client::{OgoshipClient, OgoshipError};
use crate::handles::{self, STOCK_UPDATE, SentLine};
use crate::publish::format_time;

/// A validated request: what is sent once the products are known.
struct Planned {
    reference: String,
    supplier: String,
    receive_date: String,
    comments: Option<String>,
    lines: Vec<(SentLine, i64)>,
}

fn plan(request: &UpsertPurchaseOrderRequest) -> Result<Planned, CommandError> {
    let reference = required("purchase_order_number", &request.purchase_order_number)?;
    // OGOship requires a supplier (§7).
    let supplier = required("supplier_name", &request.supplier_name)?;
    if request.lines.is_empty() {
        return Err(CommandError::InvalidArgument(
            "lines: at least one line is required".into(),
        ));
    }
    // OGOship requires a receive date; without an expected arrival, today is the best guess.
    let receive_date = match &request.in_date {
        Some(ts) => {
            let nanos = u32::try_from(ts.nanos)
                .map_err(|_| CommandError::InvalidArgument("in_date: negative nanos".into()))?;
            DateTime::from_timestamp(ts.seconds, nanos)
                .ok_or_else(|| CommandError::InvalidArgument("in_date: out of range".into()))?
        }
        None => Utc::now(),
    };
    let mut rows = HashSet::new();
    let mut lines = Vec::with_capacity(request.lines.len());
    for (index, line) in request.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{index}].{name}");
        let row_number = check_row(&mut rows, &field("row_number"), &line.row_number)?;
        let code = required(&field("article_number"), &line.article_number)?.to_owned();
        let expected = quantity(&field("number_of_items"), line.number_of_items, 0)?;
        if expected > 1_000_000 {
            return Err(CommandError::InvalidArgument(format!(
                "{}: {expected} is above 1000000, which OGOship refuses",
                field("number_of_items")
            )));
        }
        lines.push((
            SentLine {
                line_id: i64::try_from(index).unwrap_or(i64::MAX - 1) + 1,
                row_number,
                external_id: line.external_line_id.trim().to_owned(),
                article_number: code,
            },
            expected,
        ));
    }
    Ok(Planned {
        reference: reference.to_owned(),
        supplier: supplier.to_owned(),
        receive_date: format_time(receive_date),
        comments: optional(&request.remark),
        lines,
    })
}

/// An 8-digit HS code, the only form OGOship takes on stock update lines.
fn hs_code(product: &ProductResponse) -> Option<String> {
    product
        .hs_code
        .as_deref()
        .map(str::trim)
        .filter(|h| h.len() == 8 && h.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

/// The body, with each line's country (and HS code) from its product at OGOship.
async fn body(client: &OgoshipClient, planned: &Planned) -> Result<StockUpdateBody, CommandError> {
    let mut products: HashMap<&str, ProductResponse> = HashMap::new();
    let mut missing = Vec::new();
    for (line, _) in &planned.lines {
        let code = line.article_number.as_str();
        if products.contains_key(code) || missing.iter().any(|m| m == code) {
            continue;
        }
        match client.find_product(code).await? {
            Some(product) => {
                products.insert(code, product);
            }
            None => missing.push(code.to_owned()),
        }
    }
    if !missing.is_empty() {
        return Err(CommandError::ArticlesMissing {
            message: format!(
                "stock update {}: OGOship has no product {}",
                planned.reference,
                missing.join(", ")
            ),
            articles: missing,
        });
    }
    let mut lines = Vec::with_capacity(planned.lines.len());
    for (index, (line, expected)) in planned.lines.iter().enumerate() {
        let product = &products[line.article_number.as_str()];
        let country = product
            .country_of_origin
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                CommandError::FailedPrecondition(format!(
                    "lines[{index}].article_number: product {} has no countryOfOrigin at \
                     OGOship, which every stock update line requires; set the article's \
                     country_of_origin",
                    line.article_number
                ))
            })?;
        lines.push(StockUpdateLineBody {
            code: line.article_number.clone(),
            expected_quantity: *expected,
            country_of_origin: country.to_owned(),
            name: product.name.clone(),
            hs_code: hs_code(product),
        });
    }
    Ok(StockUpdateBody {
        reference: planned.reference.clone(),
        supplier: planned.supplier.clone(),
        receive_date: planned.receive_date.clone(),
        merchant_comments: planned.comments.clone(),
        products: lines,
    })
}

/// The handle of a stock update (its `autoReference`; the reference when it has none).
pub(crate) async fn stock_update_handle(
    store: &Store,
    update: &StockUpdateResponse,
    reference: &str,
) -> Result<i64, CommandError> {
    let key = update
        .auto_reference
        .as_deref()
        .filter(|a| !a.trim().is_empty())
        .unwrap_or(reference);
    Ok(handles::handle(store, STOCK_UPDATE, key, reference).await?)
}

pub async fn upsert_purchase_order(
    client: &OgoshipClient,
    store: &Store,
    request: &UpsertPurchaseOrderRequest,
) -> Result<UpsertPurchaseOrderResponse, CommandError> {
    let planned = plan(request)?;
    let reference = planned.reference.as_str();
    let sent: Vec<SentLine> = planned.lines.iter().map(|(l, _)| l.clone()).collect();
    if let Some(existing) = client.find_stock_update(reference).await? {
        let id = stock_update_handle(store, &existing, reference).await?;
        handles::save_lines(store, STOCK_UPDATE, reference, &sent).await?;
        return Ok(UpsertPurchaseOrderResponse {
            purchase_order_id: id,
            created: false,
        });
    }
    let body = body(client, &planned).await?;
    let codes = body.products.iter().map(|l| l.code.as_str());
    let written = write_naming_articles(client, codes, || async {
        match client.create_stock_update(&body).await {
            // Our earlier create whose answer was lost: read what it made.
            Err(error @ OgoshipError::Status { status: 409, .. }) => {
                client.find_stock_update(reference).await?.ok_or(error)
            }
            other => other,
        }
    })
    .await?;
    let id = stock_update_handle(store, &written, reference).await?;
    handles::save_lines(store, STOCK_UPDATE, reference, &sent).await?;
    tracing::info!(
        purchase_order_number = reference,
        purchase_order_id = id,
        "stock update created"
    );
    Ok(UpsertPurchaseOrderResponse {
        purchase_order_id: id,
        created: true,
    })
}
