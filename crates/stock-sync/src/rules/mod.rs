//! stock-sync's rules: pure functions over domain values, each with a table test; no store, no
//! port, no wire type. How much Centra may sell is the stock rule of `domain::stock`; these
//! decide what a check of one article makes of it.
//!
//! Layout:
//! - `state`: [`StockState`], what a person sees of an article (the outcome of its latest
//!   check, not a lifecycle: see its docs), and [`Blocked`], the states that stop a write;
//! - `check`: [`found`] (what the reads say, before the write), [`held_back`] (a write decided
//!   on numbers that news overtook, [`Meanwhile`]), [`concluded`] (the state after Centra's answer),
//!   [`recheck_after`] (when an unsettled article is looked at again).

mod check;
mod state;

pub use check::{
    Conclusion, Found, Meanwhile, WriteAnswer, concluded, found, held_back, recheck_after,
};
pub use state::{Blocked, StockState};
