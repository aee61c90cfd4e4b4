//! The schema (query and mutation roots merged from their files) and what every resolver shares:
//! the simulator and the caller in the request's data, ISO-8601 dates in the store's zone,
//! `limit`/`page` lists, monetary values and `UserError`/`UserWarning`.

use std::sync::Arc;

use async_graphql::{Context, EmptySubscription, InputObject, MergedObject, Schema, SimpleObject};
use chrono::{DateTime, Utc};

use super::events::{EventMutations, EventQueries};
use super::queries::DocumentQueries;
use super::returns::ReturnMutations;
use super::shipping::ShipmentMutations;
use super::stock::StockMutations;
use crate::app::Sim;

/// The query root: every query of the simulated Integration API.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(DocumentQueries, EventQueries);

/// The mutation root.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    ShipmentMutations,
    StockMutations,
    ReturnMutations,
    EventMutations,
);

pub type CentraSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The schema. It holds no data: the simulator travels in each request's data.
pub fn build() -> CentraSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .extension(super::operation::MeteringFactory)
    .finish()
}

/// The schema as SDL (what `centra-sim graphql-schema` prints and `/_sim/graphql/schema` serves).
pub fn sdl() -> String {
    build().sdl()
}

/// The simulator serving this request.
pub fn sim<'a>(ctx: &Context<'a>) -> &'a Arc<Sim> {
    ctx.data_unchecked::<Arc<Sim>>()
}

/// `2022-06-23T15:47:12+02:00`: the shape of every `DateTimeTz` in the published examples, in
/// the store's zone.
///
/// Doc gap: Centra's date fields take a `format` argument (PHP date syntax, GQL schema pages);
/// the simulator always answers the default ISO-8601 shape.
pub fn iso(ctx: &Context<'_>, at: DateTime<Utc>) -> String {
    at.with_timezone(&sim(ctx).clock.zone()).to_rfc3339()
}

/// Default and bounds of `limit` (GQL schema pages: "Limit must be in range 1 - 200", default 20).
pub const DEFAULT_LIMIT: i32 = 20;
pub const MAX_LIMIT: i32 = 200;

/// One page of `items` for `limit` and the 1-based `page`, or an error naming the argument.
pub fn page<T>(items: Vec<T>, limit: i32, page: i32) -> async_graphql::Result<Vec<T>> {
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(format!("limit must be in range 1 - {MAX_LIMIT}, got {limit}").into());
    }
    if page < 1 {
        return Err(format!("page must be 1 or more, got {page}").into());
    }
    let per_page = usize::try_from(limit).unwrap_or(1);
    let skip = usize::try_from(page - 1)
        .unwrap_or(0)
        .saturating_mul(per_page);
    Ok(items.into_iter().skip(skip).take(per_page).collect())
}

/// A currency (`currency { code }` in the examples).
#[derive(SimpleObject, Clone, Debug)]
pub struct Currency {
    pub code: String,
}

/// An amount in a currency (`MonetaryValue`).
#[derive(SimpleObject, Clone, Debug)]
pub struct MonetaryValue {
    pub value: f64,
    pub currency: Currency,
    /// Always 1: the simulator keeps one currency per order.
    pub conversion_rate: f64,
    /// `"700.00 SEK"`, as in the shipment examples.
    pub formatted_value: String,
}

impl MonetaryValue {
    pub fn new(value: f64, currency: &str) -> Self {
        Self {
            value,
            currency: Currency {
                code: currency.to_owned(),
            },
            conversion_rate: 1.0,
            formatted_value: format!("{value:.2} {currency}"),
        }
    }
}

/// `{ value, currencyIsoCode }` (e.g. `unitCost` of `changeStock`).
#[derive(InputObject, Clone, Debug)]
pub struct MonetaryValueInput {
    pub value: f64,
    pub currency_iso_code: String,
}

/// A refusal of a mutation, next to its (null or unchanged) result.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct UserError {
    pub message: String,
    /// The input path the message is about, e.g. `["input", "lines", "0", "quantity"]`.
    pub path: Vec<String>,
}

/// Something done differently from what was asked, the mutation still applied.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct UserWarning {
    pub message: String,
    pub path: Vec<String>,
}

/// Builds `path` vectors from mixed pieces (`at!["input", "lines", i]`).
macro_rules! at {
    ($($piece:expr),* $(,)?) => {
        vec![$($piece.to_string()),*]
    };
}
pub(crate) use at;

pub fn user_error(message: impl Into<String>, path: Vec<String>) -> UserError {
    UserError {
        message: message.into(),
        path,
    }
}

pub fn user_warning(message: impl Into<String>, path: Vec<String>) -> UserWarning {
    UserWarning {
        message: message.into(),
        path,
    }
}

/// `{ id }` of an object with an integer id (`ShipmentInput`, `OrderLineInput`, …).
#[derive(InputObject, Clone, Copy, Debug)]
pub struct IdInput {
    pub id: i32,
}

/// A positive id from the API's `Int`, for store lookups (`None` for zero or negative).
pub fn store_id(id: i32) -> Option<u64> {
    u64::try_from(id).ok().filter(|id| *id > 0)
}

/// The API's `Int` for a store id.
pub fn api_id(id: u64) -> i32 {
    i32::try_from(id).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_one_based_and_bounded() {
        let items: Vec<i32> = (1..=45).collect();
        assert_eq!(page(items.clone(), 20, 1).unwrap().len(), 20);
        assert_eq!(
            page(items.clone(), 20, 3).unwrap(),
            (41..=45).collect::<Vec<_>>()
        );
        assert!(page(items.clone(), 20, 4).unwrap().is_empty());
        assert!(page(items.clone(), 0, 1).is_err());
        assert!(page(items.clone(), 201, 1).is_err());
        assert!(page(items, 20, 0).is_err());
    }

    #[test]
    fn the_schema_prints_as_sdl() {
        let sdl = sdl();
        for needle in [
            "type Query",
            "type Mutation",
            "completeShipment",
            "rateLimits",
            "setEventListeners",
        ] {
            assert!(sdl.contains(needle), "{needle} in SDL");
        }
    }
}
