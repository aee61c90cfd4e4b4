//! An article's stock as Ongoing reports it (`inventoryInfo`), read the same way by the stock
//! detector and the `ReadStock` command.

use crate::client::OngoingError;
use crate::client::models::ArticleModel;
use crate::quantity::{items, signed_items};

/// One article's stock as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// `numberOfItems`.
    pub physical: i64,
    /// `sellableNumberOfItems` (can be negative).
    pub sellable: i64,
    /// `numberOfBookedItems`.
    pub booked: i64,
}

/// The article number and stock of `article`; an error names the record and the field.
///
/// # Errors
/// [`OngoingError`] (invalid data) when the number or `inventoryInfo` is missing or unreadable.
pub fn level(article: &ArticleModel) -> Result<(String, Level), OngoingError> {
    let record = match article.article_number.as_deref() {
        Some(n) if !n.trim().is_empty() => format!("article {n}"),
        _ => format!("article id {}", article.article_system_id),
    };
    let number = article
        .article_number
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| OngoingError::invalid(&record, "articleNumber", "missing"))?;
    let info = article
        .inventory_info
        .as_ref()
        .ok_or_else(|| OngoingError::invalid(&record, "inventoryInfo", "missing"))?;
    Ok((
        number,
        Level {
            physical: items(&record, "inventoryInfo.numberOfItems", info.number_of_items)?,
            sellable: signed_items(
                &record,
                "inventoryInfo.sellableNumberOfItems",
                info.sellable_number_of_items,
            )?,
            booked: items(
                &record,
                "inventoryInfo.numberOfBookedItems",
                info.number_of_booked_items,
            )?,
        },
    ))
}
