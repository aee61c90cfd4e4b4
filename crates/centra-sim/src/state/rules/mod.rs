//! Business rules that change the store, one file per flow:
//! - `seeding`: what the control API puts in (size items, orders, supplier deliveries);
//! - `creating`: create shipments from order lines, delete them;
//! - `shipping`: update quantities / good to go, capture, complete;
//! - `paying`: mark paid and capture requests (Integration API only);
//! - `receiving`: absolute and relative stock updates and supplier delivery acceptance;
//! - `returning`: create and update returns.
//!
//! A rule either applies completely or refuses with the message Centra gives, changing nothing.

pub mod creating;
pub mod paying;
pub mod receiving;
pub mod returning;
pub mod seeding;
pub mod shipping;

/// Centra said no: the `msg` of a `{"status":"no"}` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub msg: String,
}

impl Refusal {
    pub fn new(msg: impl Into<String>) -> Self {
        Self { msg: msg.into() }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg)
    }
}
