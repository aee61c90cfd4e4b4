//! Ongoing's ID-cursor pagination: `xIdFrom` (inclusive) and `maxXToGet`, bare arrays, no
//! totals. The next page starts at the largest id seen plus one; an empty page ends the walk.
//! Without the two parameters Ongoing returns everything at once (and may time out).
//!
//! [`Pages`] walks a list one page at a time, so a caller handles each page before it asks for
//! the next and never holds the whole list: a poll that finds a backlog of thousands (10,000
//! shipped orders after ongoing-gateway was down) holds one page of them, not all of them
//! (read whole, they took ongoing-gateway from 26 to 98.5 MiB).

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

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{OngoingClient, OngoingError};

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

/// A list walked one page at a time, from its start to its first empty page.
#[derive(Debug)]
pub struct Pages<'a, T> {
    client: &'a OngoingClient,
    path: &'static str,
    cursor: IdCursor,
    filters: Vec<(&'a str, String)>,
    /// Where the next page starts (`None`: the start).
    from: Option<i64>,
    pages_read: usize,
    done: bool,
    records: PhantomData<fn() -> T>,
}

impl<'a, T: HasId> Pages<'a, T> {
    pub(crate) fn new(
        client: &'a OngoingClient,
        path: &'static str,
        cursor: IdCursor,
        filters: &[(&'a str, String)],
    ) -> Self {
        Self {
            client,
            path,
            cursor,
            filters: filters.to_vec(),
            from: None,
            pages_read: 0,
            done: false,
            records: PhantomData,
        }
    }

    /// The next page's records, those of it that could not be read set aside by name, or
    /// `None` once the walk is over (the page before was empty, or its ids did not move on).
    ///
    /// # Errors
    /// The page's call failed ([`OngoingError`], retryable or terminal as the call's); the
    /// pages before it were handed out, so a caller that stops here has handled only those.
    pub async fn next(&mut self) -> Result<Option<Listing<T>>, OngoingError> {
        if self.done {
            return Ok(None);
        }
        let (listing, _, max_id) = self
            .client
            .list_page(
                self.path,
                self.cursor,
                &self.filters,
                self.from,
                self.client.page_size(),
                self.pages_read + 1,
            )
            .await?;
        self.pages_read += 1;
        match next_from(max_id, self.from) {
            Some(next) => self.from = Some(next),
            None => self.done = true,
        }
        Ok(Some(listing))
    }
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
        // The path to the member that failed (`orderLines[0].pickedNumberOfItems`), so the
        // dead letter names the field and not only serde's "invalid type".
        match serde_path_to_error::deserialize::<_, T>(&raw) {
            Ok(record) => listing.records.push(record),
            Err(error) => {
                let record = match id {
                    Some(id) => format!("{} id {id}", T::KIND),
                    None => format!("{} #{index} of page {page_number}", T::KIND),
                };
                let field = match error.path().to_string() {
                    path if path == "." => "(record)".to_owned(),
                    path => path,
                };
                listing.rejected.push(Rejected {
                    kind: T::KIND,
                    error: OngoingError::invalid(&record, field, error.inner().to_string()),
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
        let fields: Vec<&str> = listing
            .rejected
            .iter()
            .map(|r| match &r.error {
                OngoingError::Invalid { field, .. } => field.as_str(),
                other => panic!("not invalid: {other:?}"),
            })
            .collect();
        assert_eq!(
            fields,
            ["qty", "(record)"],
            "the member that failed, or the record"
        );
    }
}

/// Properties of reading a listed order (and making its shipped event) over arbitrary JSON
/// and arbitrary changes of one member of a valid order (proptest, 256 cases each): never a
/// panic; a refusal names the record and a field at or under the member that changed; every
/// shipped line is within `domain::line_quantity`'s bounds.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::super::models::{ArticleModel, OrderModel};
    use super::{Listing, read_page};
    use crate::client::OngoingError;
    use crate::detect::shipped_event;

    /// Members of a valid order that a case changes, as JSON pointers.
    const MEMBERS: &[&str] = &[
        "/orderInfo",
        "/orderInfo/orderId",
        "/orderInfo/orderNumber",
        "/orderInfo/orderStatus",
        "/orderInfo/orderStatus/number",
        "/orderInfo/wayBill",
        "/orderInfo/shippedTime",
        "/orderLines",
        "/orderLines/0",
        "/orderLines/0/id",
        "/orderLines/0/article",
        "/orderLines/0/article/articleNumber",
        "/orderLines/0/pickedNumberOfItems",
        "/orderLines/0/reportedNumberOfItems",
        "/tracking",
        "/parcels",
        "/transporter",
    ];

    fn order() -> Value {
        json!({
            "orderInfo": {"orderId": 7, "orderNumber": "83651-1", "wayBill": "WB1",
                          "orderStatus": {"number": 450}, "shippedTime": "2024-05-01T10:00:00"},
            "orderLines": [{"id": 71, "article": {"articleNumber": "A"},
                            "orderedNumberOfItems": 2, "pickedNumberOfItems": 2,
                            "reportedNumberOfItems": 0}],
            "tracking": [{"waybill": "WB1"}], "parcels": [], "transporter": null
        })
    }

    /// `/orderLines/0/article` as the gateway names fields: `orderLines[0].article`.
    fn dotted(pointer: &str) -> String {
        let mut out = String::new();
        for part in pointer.trim_start_matches('/').split('/') {
            if part.parse::<usize>().is_ok() {
                out.push_str(&format!("[{part}]"));
            } else {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(part);
            }
        }
        out
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
                .map(Value::Number)),
            ".{0,12}".prop_map(Value::from),
        ];
        let key = prop_oneof![
            prop::sample::select(
                &[
                    "orderId",
                    "orderNumber",
                    "orderStatus",
                    "number",
                    "article",
                    "articleNumber",
                    "pickedNumberOfItems",
                    "id",
                    "waybill",
                    "numberOfItems",
                    "inventoryInfo",
                    "articleSystemId",
                ][..]
            )
            .prop_map(str::to_owned),
            "[a-zA-Z]{1,10}",
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(key.clone(), inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    fn read<T: super::HasId>(raw: Value) -> Listing<T> {
        let mut listing = Listing {
            records: Vec::new(),
            rejected: Vec::new(),
        };
        read_page(&mut listing, vec![raw], 1);
        listing
    }

    fn field(error: &OngoingError) -> &str {
        match error {
            OngoingError::Invalid { field, .. } => field,
            other => panic!("not an invalid record: {other:?}"),
        }
    }

    /// Reads `raw` as the detector does: the page, then the shipped event.
    fn refusal(raw: Value) -> Option<(String, String)> {
        let listing = read::<OrderModel>(raw);
        if let Some(rejected) = listing.rejected.first() {
            return Some((rejected.record.clone(), field(&rejected.error).to_owned()));
        }
        let order = listing.records.first()?;
        match shipped_event("sandbox", order, &Default::default(), chrono::Utc::now()) {
            Ok(Some((_, event))) => {
                let bounds = 0..=i64::from(domain::MAX_LINE_QUANTITY);
                assert!(event.lines.iter().all(|l| {
                    bounds.contains(&l.picked_number_of_items)
                        && bounds.contains(&l.ordered_number_of_items)
                }));
                None
            }
            Ok(None) => None,
            Err(error) => Some(("event".to_owned(), field(&error).to_owned())),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn any_json_is_read_or_refused_by_name(raw in any_json()) {
            for rejected in read::<OrderModel>(raw.clone()).rejected {
                prop_assert!(rejected.record.starts_with("order "));
                prop_assert!(!field(&rejected.error).is_empty());
            }
            for rejected in read::<ArticleModel>(raw.clone()).rejected {
                prop_assert!(rejected.record.starts_with("article "));
            }
            let _ = refusal(raw);
        }

        #[test]
        fn a_changed_member_is_read_or_refused_naming_it(
            member in prop::sample::select(MEMBERS),
            value in any_json(),
        ) {
            let mut raw = order();
            *raw.pointer_mut(member).expect("member") = value;
            if let Some((record, field)) = refusal(raw) {
                let name = dotted(member);
                // A missing member of a struct is named at the struct (`orderInfo`).
                let parent = name.rsplit_once(['.', '[']).map_or("", |(p, _)| p);
                prop_assert!(
                    field.starts_with(&name) || (!parent.is_empty() && field == parent)
                        || (field == "(record)" && member == "/orderInfo"),
                    "{member}: {record}: {field}"
                );
            }
        }
    }
}
