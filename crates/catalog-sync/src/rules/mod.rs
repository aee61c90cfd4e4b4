//! The business rules of the article flow, pure (no I/O): mapping a size item to a WMS article
//! with its content hash, the readable reasons a size item is left out, and collisions.
//!
//! Layout:
//! - `article`: [`WmsArticle`] and its content hash;
//! - `mapping`: [`CatalogRules`] and [`map_product`], size item to article or [`Problem`];
//! - `problem`: [`Problem`] and its [`ProblemKind`];
//! - `collision`: [`find_collisions`], two size items that map to one article number;
//! - `held`: [`held_differences`], the WMS's article against the mapped one (resync);
//! - `state`: [`ItemState`] and [`ProductState`], what a person sees listed, from the facts.

mod article;
mod collision;
mod held;
mod mapping;
mod problem;
mod state;

#[cfg(test)]
mod tests;

pub use article::WmsArticle;
pub use collision::{Claim, find_collisions};
pub use held::held_differences;
pub use mapping::{CatalogRules, Mapped, map_product, map_size};
pub use problem::{Problem, ProblemKind};
pub use state::{ItemState, ProductState, StateFacts};
