//! Ongoing's ID-cursor pagination: `xIdFrom` (inclusive) and `maxXToGet`, bare arrays, no
//! totals. The next page starts at the largest id seen plus one; an empty page ends the walk.
//! Without the two parameters Ongoing returns everything at once (and may time out).

/// The cursor parameters of one list resource, e.g. `orderIdFrom` / `maxOrdersToGet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdCursor {
    pub id_from: &'static str,
    pub max_to_get: &'static str,
}

impl IdCursor {
    pub const ORDERS: IdCursor = IdCursor {
        id_from: "orderIdFrom",
        max_to_get: "maxOrdersToGet",
    };
    pub const ARTICLES: IdCursor = IdCursor {
        id_from: "articleSystemIdFrom",
        max_to_get: "maxArticlesToGet",
    };
    pub const PURCHASE_ORDERS: IdCursor = IdCursor {
        id_from: "purchaseOrderIdFrom",
        max_to_get: "maxPurchaseOrdersToGet",
    };
}

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::OngoingError;

/// Something listed with an id cursor.
pub trait HasId: DeserializeOwned {
    /// What the records are called in errors and dead letters, e.g. `order`.
    const KIND: &'static str;
    /// JSON pointer to the cursor id in the raw record, e.g. `/orderInfo/orderId`.
    const ID_POINTER: &'static str;
}

/// The records of a list call that could be read, and those that could not. A record that
/// does not match the documented shape is set aside by name; it never hides the others.
#[derive(Debug)]
pub struct Listing<T> {
    pub records: Vec<T>,
    pub rejected: Vec<Rejected>,
}

/// A listed record that could not be read.
#[derive(Debug)]
pub struct Rejected {
    /// [`HasId::KIND`] of the record.
    pub kind: &'static str,
    /// `order id 17`, or `order #3 of the page` when even the id is missing.
    pub record: String,
    pub error: OngoingError,
    /// The record as received, for the person who looks at the dead letter.
    pub raw: Value,
}

/// Reads each record of a page on its own; returns the page's largest raw id too.
pub(crate) fn read_page<T: HasId>(
    listing: &mut Listing<T>,
    page: Vec<Value>,
    page_number: usize,
) -> Option<i64> {
    let mut max_id = None;
    for (index, raw) in page.into_iter().enumerate() {
        let id = raw.pointer(T::ID_POINTER).and_then(Value::as_i64);
        max_id = max_id.max(id);
        match serde_json::from_value::<T>(raw.clone()) {
            Ok(record) => listing.records.push(record),
            Err(error) => {
                let record = match id {
                    Some(id) => format!("{} id {id}", T::KIND),
                    None => format!("{} #{index} of page {page_number}", T::KIND),
                };
                listing.rejected.push(Rejected {
                    kind: T::KIND,
                    error: OngoingError::invalid(&record, "(record)", error.to_string()),
                    record,
                    raw,
                });
            }
        }
    }
    max_id
}

/// The `xIdFrom` of the next page given the largest id of this one; `None` ends the walk: an
/// empty page, or a largest id that did not grow (a server ignoring the cursor must not loop
/// us forever).
pub(crate) fn next_from(max_id: Option<i64>, current: Option<i64>) -> Option<i64> {
    let next = max_id?.checked_add(1)?;
    match current {
        Some(current) if next <= current => None,
        _ => Some(next),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    struct Row {
        id: i64,
        #[allow(dead_code)]
        qty: f64,
    }
    impl HasId for Row {
        const KIND: &'static str = "row";
        const ID_POINTER: &'static str = "/id";
    }

    #[test]
    fn next_page_starts_after_the_largest_id() {
        assert_eq!(next_from(Some(9), None), Some(10));
        assert_eq!(next_from(None, Some(10)), None);
        assert_eq!(
            next_from(Some(3), Some(10)),
            None,
            "no progress ends the walk"
        );
    }

    #[test]
    fn a_bad_record_is_set_aside_by_name() {
        let mut listing = Listing::<Row> {
            records: Vec::new(),
            rejected: Vec::new(),
        };
        let max = read_page(
            &mut listing,
            vec![
                json!({"id": 3, "qty": 1}),
                json!({"id": 9, "qty": "many"}),
                json!({"qty": 2}),
            ],
            1,
        );
        assert_eq!(max, Some(9), "the bad record's id still moves the cursor");
        assert_eq!(
            listing.records.iter().map(|r| r.id).collect::<Vec<_>>(),
            [3]
        );
        let names: Vec<&str> = listing.rejected.iter().map(|r| r.record.as_str()).collect();
        assert_eq!(names, ["row id 9", "row #2 of page 1"]);
        assert!(
            listing.rejected[0]
                .error
                .to_string()
                .contains("invalid type")
        );
    }
}
