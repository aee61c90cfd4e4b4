//! The warehouse's own status tables (`GET /orders/statuses`, `GET /purchaseOrders/statuses`).
//!
//! Every Ongoing instance renames, adds and removes statuses (ongoing-rest-api.md §4.4), so a
//! status number is only meaningful against the table of the warehouse that sent it. A record
//! carrying a number the table does not have is bad input: it is dead-lettered by name rather
//! than silently treated as "not shipped yet". The tables are read once per poll round, one
//! request at a time like every call, so a status the warehouse adds is known at the next
//! round.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};

use domain::settings::WmsStatusMapping;

use crate::client::OngoingError;
use crate::client::models::StatusModel;

/// The field an order's status is read from.
pub(crate) const ORDER_STATUS_FIELD: &str = "orderInfo.orderStatus.number";
/// The field a purchase order's status is read from.
pub(crate) const PURCHASE_ORDER_STATUS_FIELD: &str = "purchaseOrderInfo.purchaseOrderStatus.number";

/// The status numbers one warehouse uses for one kind of record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatusTable {
    numbers: BTreeSet<i64>,
}

impl StatusTable {
    /// The table as read; rows without a number are ignored.
    pub(crate) fn new(rows: &[StatusModel]) -> Self {
        Self {
            numbers: rows.iter().filter_map(|row| row.number).collect(),
        }
    }

    /// Refuses a status number this warehouse does not have. A missing number passes: the
    /// event builder names that ("missing") itself. So does everything against an empty
    /// table: an instance that lists no statuses tells nothing, and refusing every record
    /// would stop the whole flow.
    pub(crate) fn check(
        &self,
        record: &str,
        field: &str,
        number: Option<i64>,
    ) -> Result<(), OngoingError> {
        if self.numbers.is_empty() {
            return Ok(());
        }
        match number {
            Some(number) if !self.numbers.contains(&number) => Err(OngoingError::invalid(
                record,
                field,
                format!("{number} is not a status of this warehouse"),
            )),
            _ => Ok(()),
        }
    }

    /// The configured numbers (`settings.wms_status`) this table does not have, in order.
    fn missing<'a>(&self, configured: impl IntoIterator<Item = &'a u32>) -> Vec<u32> {
        let missing: BTreeSet<u32> = configured
            .into_iter()
            .copied()
            .filter(|n| !self.numbers.contains(&i64::from(*n)))
            .collect();
        missing.into_iter().collect()
    }
}

/// Warns, once per detector (clones share it) and kind, about configured status numbers
/// the warehouse does not have. Not an error: a configured number that never occurs only
/// means that mapping entry never matches (the defaults list 425 and 451, which many
/// warehouses lack).
#[derive(Debug, Default)]
pub(crate) struct ConfigurationCheck {
    orders_checked: AtomicBool,
    purchase_orders_checked: AtomicBool,
}

impl ConfigurationCheck {
    pub(crate) fn orders(&self, warehouse: &str, mapping: &WmsStatusMapping, table: &StatusTable) {
        if self.orders_checked.swap(true, Ordering::Relaxed) {
            return;
        }
        let missing = table.missing(
            mapping
                .order_picked
                .iter()
                .chain(&mapping.order_shipped)
                .chain(&mapping.order_delivered)
                .chain(&mapping.order_cancelled),
        );
        if table.numbers.is_empty() {
            tracing::warn!(
                warehouse = %warehouse,
                "the warehouse lists no order statuses; status numbers are not checked"
            );
        } else if !missing.is_empty() {
            tracing::warn!(
                warehouse = %warehouse,
                missing = ?missing,
                "configured order statuses are not statuses of this warehouse"
            );
        }
    }

    pub(crate) fn purchase_orders(
        &self,
        warehouse: &str,
        mapping: &WmsStatusMapping,
        table: &StatusTable,
    ) {
        if self.purchase_orders_checked.swap(true, Ordering::Relaxed) {
            return;
        }
        let missing = table.missing(&mapping.purchase_order_received);
        if table.numbers.is_empty() {
            tracing::warn!(
                warehouse = %warehouse,
                "the warehouse lists no purchase order statuses; status numbers are not checked"
            );
        } else if !missing.is_empty() {
            tracing::warn!(
                warehouse = %warehouse,
                missing = ?missing,
                "configured purchase order statuses are not statuses of this warehouse"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(numbers: &[i64]) -> StatusTable {
        let rows: Vec<StatusModel> = numbers
            .iter()
            .map(|n| StatusModel {
                number: Some(*n),
                text: None,
            })
            .collect();
        StatusTable::new(&rows)
    }

    #[test]
    fn unknown_numbers_are_named_missing_ones_pass() {
        let statuses = table(&[200, 450]);
        assert!(
            statuses
                .check("order A", ORDER_STATUS_FIELD, Some(450))
                .is_ok()
        );
        assert!(statuses.check("order A", ORDER_STATUS_FIELD, None).is_ok());
        assert!(
            table(&[])
                .check("order A", ORDER_STATUS_FIELD, Some(999))
                .is_ok()
        );
        let err = statuses
            .check("order 83651-1", ORDER_STATUS_FIELD, Some(999))
            .expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "order 83651-1: field orderInfo.orderStatus.number: 999 is not a status of this warehouse"
        );
    }

    #[test]
    fn configured_numbers_the_warehouse_lacks_are_listed() {
        let statuses = table(&[400, 450, 500, 1000]);
        let mapping = WmsStatusMapping::default();
        assert_eq!(
            statuses.missing(
                mapping
                    .order_picked
                    .iter()
                    .chain(&mapping.order_shipped)
                    .chain(&mapping.order_delivered)
            ),
            [425, 451]
        );
    }
}
