//! Order import (`settings.import` = `orders` or `both`): a ready Centra order becomes one WMS
//! order numbered [`WmsOrderNumber::for_order`]. Nothing is reported back to Centra for such an
//! order (completion is per shipment), which the log says on every import.
//!
//! Under `both` the first to arrive wins (see [`crate::rules::order_import`]): an order with a
//! known shipment is left to its shipments, and a shipment of an imported order is parked
//! "order already imported as <number>" by [`OrderFlow::order_imported_as`].

use domain::WmsOrderNumber;
use domain::settings::ImportMode;
use platform_store::MessageId;
use proto::events::v1 as events;

use super::{FlowError, OrderFlow, terminal};
use crate::convert::{self, ConvertError};
use crate::orders::{OrderRecord, OrderState};
use crate::ports::WmsOrder;
use crate::records::ShipmentRecord;
use crate::rules::{OrderFacts, OrderHold, OrderImportDecision, decide_order_import};

/// Inbox consumer of ready orders.
pub const ORDER_READY: &str = "order-sync-order-ready";

impl OrderFlow {
    /// Commits the order's new state with the inbox entry of the message that caused it.
    async fn finish_order(
        &self,
        message: &MessageId,
        record: &OrderRecord,
    ) -> Result<(), FlowError> {
        let store = self.records.store();
        let mut tx = store.begin().await?;
        store.inbox().record(&mut tx, ORDER_READY, message).await?;
        self.orders.save(&mut tx, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `OrderReady`: import the order as one WMS order, once.
    pub async fn on_order_ready(
        &self,
        message: &MessageId,
        event: &events::OrderReady,
    ) -> Result<(), FlowError> {
        if !self.settings.import.imports_orders() {
            return self.finish(ORDER_READY, message, None).await;
        }
        let order = convert::order_from_event(event)?;
        let _guard = self.locks.order(order.endpoint.as_str(), order.id).await?;
        if self.seen(ORDER_READY, message).await? {
            return Ok(());
        }
        let endpoint = self
            .settings
            .endpoint(&order.endpoint)
            .ok_or_else(|| ConvertError {
                record: format!("order {}", order.id),
                field: "endpoint",
                problem: format!("end-point {:?} is not configured", order.endpoint.as_str()),
            })?;
        let order_id = order.id.to_string();
        let known = self.orders.find(order.endpoint.as_str(), &order_id).await?;
        // An order whose import is under way (intent saved) already won: its shipments wait
        // behind it, so they do not count against finishing the import.
        let claimed = known
            .as_ref()
            .is_some_and(|k| k.state().reached_warehouse());
        let facts = OrderFacts {
            imported: known
                .as_ref()
                .is_some_and(|k| k.state() == OrderState::Imported),
            has_shipment: !claimed
                && self
                    .records
                    .any_of_order(order.endpoint.as_str(), &order_id)
                    .await?,
        };
        let mut record = known.unwrap_or_else(|| {
            OrderRecord::new(
                order.endpoint.to_string(),
                order_id.clone(),
                WmsOrderNumber::for_order(endpoint, order.id)
                    .as_str()
                    .to_owned(),
            )
        });
        let plan = match decide_order_import(&self.settings, &order, facts) {
            OrderImportDecision::Ignore => return self.finish(ORDER_READY, message, None).await,
            OrderImportDecision::ImportedAsShipments => {
                tracing::info!(order_id = %order.id, "order has a shipment already; it reaches the warehouse as its shipments");
                return self.finish(ORDER_READY, message, None).await;
            }
            OrderImportDecision::Hold(reason) => {
                tracing::info!(order_id = %order.id, %reason, "order parked");
                record.park(reason.to_string())?;
                return self.finish_order(message, &record).await;
            }
            OrderImportDecision::Import(plan) => plan,
        };
        record.start_import()?;
        let mut tx = self.records.store().begin().await?;
        self.orders.save(&mut tx, &record).await?;
        tx.commit().await?;
        let request = WmsOrder {
            idempotency_key: format!("order-sync:{}:order:{order_id}:import", record.endpoint),
            warehouse: self.warehouse.clone(),
            order_number: record.wms_order_number.clone(),
            delivery_date: chrono::Utc::now().date_naive(),
            consignee: order.delivery.clone(),
            transporter: plan.transporter.clone(),
            lines: plan.lines.clone(),
            centra_order_id: order_id.clone(),
            shop_order_id: order_id.clone(),
        };
        match terminal(self.wms.upsert_order(&request).await)? {
            Ok(id) => {
                tracing::info!(order_id = %order.id, wms_order_number = %record.wms_order_number, wms_order_id = id, "imported order; order import reports nothing back to centra");
                record.imported(id)?;
            }
            Err(refusal) => {
                let message = refusal.reason();
                tracing::warn!(order_id = %order.id, %message, "warehouse refused the order; parked");
                record.park(
                    OrderHold::WmsRefused {
                        message: message.to_owned(),
                    }
                    .to_string(),
                )?;
            }
        }
        self.finish_order(message, &record).await
    }

    /// Under `both`: the WMS number of the shipment's order when that order went to the
    /// warehouse as itself, so the shipment is not imported too.
    pub(super) async fn order_imported_as(
        &self,
        record: &ShipmentRecord,
    ) -> Result<Option<String>, FlowError> {
        if self.settings.import != ImportMode::Both {
            return Ok(None);
        }
        let order = self
            .orders
            .find(record.shipment.endpoint.as_str(), &record.order_id)
            .await?;
        Ok(order
            .filter(|o| o.state().reached_warehouse())
            .map(|o| o.wms_order_number))
    }
}
