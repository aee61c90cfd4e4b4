//! Inbound goods (`settings.purchase_orders`, default off): a Centra supplier delivery becomes a
//! WMS purchase order; what the warehouse received is accepted in Centra exactly once, keyed by
//! EAN or joined SKU as the article-number rule says (domain [`plan_acceptance`]). Under-delivery
//! follows Centra's rule (it creates a follow-up delivery); over-delivery is accepted as
//! received.

use domain::{
    DeliveryId, DeliveryLine, EndpointName, PortErrorKind, Receipt, ReceivedLine, SupplierDelivery,
    WmsPurchaseOrderNumber, plan_acceptance,
};
use platform_store::MessageId;
use proto::events::v1 as events;

use super::{FlowError, OrderFlow, terminal};
use crate::convert::{ConvertError, count};
use crate::deliveries::{DeliveryRecord, DeliveryState};
use crate::ports::{DeliveryAcceptance, PurchaseOrderLine, WmsPurchaseOrder};
use crate::rules::DeliveryHold;

/// Inbox consumer of supplier deliveries.
pub const SUPPLIER_DELIVERY: &str = "order-sync-supplier-delivery";
/// Inbox consumer of received purchase orders.
pub const PURCHASE_ORDER_RECEIVED: &str = "order-sync-purchase-order-received";

fn delivery_from_event(
    event: &events::SupplierDeliveryCreated,
) -> Result<SupplierDelivery, ConvertError> {
    let record = format!("supplier delivery {:?}", event.delivery_number);
    let id = event
        .delivery_id
        .trim()
        .parse::<u64>()
        .map_err(|_| ConvertError {
            record: record.clone(),
            field: "delivery_id",
            problem: format!("{:?} is not a number", event.delivery_id),
        })?;
    let delivery_id = DeliveryId::parse(&event.delivery_number).map_err(|e| ConvertError {
        record: record.clone(),
        field: "delivery_number",
        problem: e.to_string(),
    })?;
    let lines = event
        .lines
        .iter()
        .enumerate()
        .map(|(index, l)| {
            Ok(DeliveryLine {
                sku: l.sku.clone(),
                variant_sku: l.variant_sku.clone(),
                size_sku: l.size_sku.clone(),
                ean: Some(l.ean.trim().to_owned()).filter(|e| !e.is_empty()),
                quantity: count(&record, "quantity", &(index + 1).to_string(), l.quantity)?,
            })
        })
        .collect::<Result<Vec<_>, ConvertError>>()?;
    Ok(SupplierDelivery {
        id,
        delivery_id,
        supplier_name: event.supplier_name.clone(),
        lines,
    })
}

impl OrderFlow {
    async fn finish_inbox(&self, consumer: &str, message: &MessageId) -> Result<(), FlowError> {
        self.finish(consumer, message, None).await
    }

    /// Commits the delivery's new state with the inbox entry of the message that caused it.
    async fn finish_delivery(
        &self,
        consumer: &str,
        message: &MessageId,
        record: &DeliveryRecord,
    ) -> Result<(), FlowError> {
        let store = self.records.store();
        let mut tx = store.begin().await?;
        store.inbox().record(&mut tx, consumer, message).await?;
        self.deliveries.save(&mut tx, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `SupplierDeliveryCreated`: the WMS purchase order, by a deterministic number.
    pub async fn on_supplier_delivery(
        &self,
        message: &MessageId,
        event: &events::SupplierDeliveryCreated,
    ) -> Result<(), FlowError> {
        let _guard = self.locks.inbound().await?;
        if !self.settings.purchase_orders || self.seen(SUPPLIER_DELIVERY, message).await? {
            return self.finish_inbox(SUPPLIER_DELIVERY, message).await;
        }
        let delivery = delivery_from_event(event)?;
        let name = EndpointName::parse(&event.endpoint).map_err(|e| ConvertError {
            record: format!("supplier delivery {}", delivery.delivery_id),
            field: "endpoint",
            problem: e.to_string(),
        })?;
        let endpoint = self.settings.endpoint(&name).ok_or_else(|| ConvertError {
            record: format!("supplier delivery {}", delivery.delivery_id),
            field: "endpoint",
            problem: format!("end-point {:?} is not configured", name.as_str()),
        })?;
        let number = WmsPurchaseOrderNumber::for_delivery(endpoint, &delivery.delivery_id);
        if let Some(known) = self
            .deliveries
            .find_by_purchase_order(number.as_str())
            .await?
            && known.state() == DeliveryState::Accepted
        {
            return self.finish_inbox(SUPPLIER_DELIVERY, message).await;
        }
        let mut record = DeliveryRecord::new(
            name.to_string(),
            delivery,
            number.as_str().to_owned(),
            event.expected_arrival.map(|t| t.seconds),
            event.message.clone(),
        );
        self.send_purchase_order(&mut record).await?;
        self.finish_delivery(SUPPLIER_DELIVERY, message, &record)
            .await
    }

    /// Sends the delivery's purchase order (upsert by number) and sets its state: sent, or
    /// parked with the reason (waiting for the articles the warehouse does not know yet, when
    /// that was the refusal). An outage is an error: the caller keeps the record as it was.
    async fn send_purchase_order(&self, record: &mut DeliveryRecord) -> Result<(), FlowError> {
        record.send()?;
        let mut lines = Vec::new();
        let mut problems = Vec::new();
        for (row, line) in (1u32..).zip(&record.delivery.lines) {
            match self.settings.article_number(line) {
                Ok(article_number) => lines.push(PurchaseOrderLine {
                    row_number: row,
                    article_number,
                    quantity: line.quantity,
                }),
                Err(e) => problems.push((row, e.to_string())),
            }
        }
        if !problems.is_empty() {
            record.park(DeliveryHold::UnresolvedLines { lines: problems }.to_string())?;
            return Ok(());
        }
        let order = WmsPurchaseOrder {
            idempotency_key: format!(
                "order-sync:{}:delivery:{}:po",
                record.endpoint, record.delivery.delivery_id
            ),
            warehouse: self.warehouse.clone(),
            purchase_order_number: record.purchase_order_number.clone(),
            supplier_order_number: record.delivery.delivery_id.supplier_order_id().to_string(),
            supplier_name: record.delivery.supplier_name.clone(),
            in_date: record
                .in_date
                .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0)),
            remark: record.remark.clone(),
            reference: record.delivery.delivery_id.to_string(),
            lines,
        };
        match terminal(self.wms.upsert_purchase_order(&order).await)? {
            Ok(id) => {
                tracing::info!(delivery = %record.delivery.delivery_id, purchase_order_id = id, "purchase order sent");
                Ok(())
            }
            Err(refusal) if refusal.kind() == PortErrorKind::ArticlesMissing => {
                let message = refusal.reason();
                let missing = refusal.missing_articles().to_vec();
                tracing::info!(delivery = %record.delivery.delivery_id, missing = %missing.join(", "), "purchase order waits for its articles");
                let reason = DeliveryHold::ArticlesMissing {
                    articles: missing.clone(),
                    message: message.to_owned(),
                };
                record.wait_for_articles(reason.to_string(), missing)?;
                Ok(())
            }
            Err(refusal) => {
                let hold = DeliveryHold::WmsRefused {
                    message: refusal.reason().to_owned(),
                };
                record.park(hold.to_string())?;
                Ok(())
            }
        }
    }

    /// `ArticleSynced` for `article_number`: every delivery parked waiting for it stops
    /// waiting for it, and the ones that wait for nothing else are sent again (once: a
    /// delivery leaves the waiting list when it is sent, or waits for what is still missing).
    pub(crate) async fn resume_deliveries(&self, article_number: &str) -> Result<(), FlowError> {
        if !self.settings.purchase_orders {
            return Ok(());
        }
        let _guard = self.locks.inbound().await?;
        for mut record in self.deliveries.waiting_for_article(article_number).await? {
            if record.article_arrived(article_number) {
                let mut sent = record.clone();
                self.send_purchase_order(&mut sent).await?;
                record = sent;
            } else {
                tracing::info!(delivery = %record.delivery.delivery_id, still_missing = %record.waiting_for().join(", "), "purchase order still waits for articles");
            }
            self.deliveries.save_now(&record).await?;
        }
        Ok(())
    }

    /// `WmsPurchaseOrderReceived`: accept the delivery once with what arrived.
    pub async fn on_purchase_order_received(
        &self,
        message: &MessageId,
        event: &events::WmsPurchaseOrderReceived,
    ) -> Result<(), FlowError> {
        let _guard = self.locks.inbound().await?;
        if self.seen(PURCHASE_ORDER_RECEIVED, message).await? {
            return Ok(());
        }
        let Some(mut record) = self
            .deliveries
            .find_by_purchase_order(&event.purchase_order_number)
            .await?
        else {
            tracing::info!(purchase_order_number = %event.purchase_order_number, "received purchase order is not a delivery of order-sync; ignored");
            return self.finish_inbox(PURCHASE_ORDER_RECEIVED, message).await;
        };
        if record.state() == DeliveryState::Accepted {
            return self.finish_inbox(PURCHASE_ORDER_RECEIVED, message).await;
        }
        let mut received = Vec::new();
        let what = format!("purchase order {:?}", event.purchase_order_number);
        for line in &event.lines {
            if let Ok(article_number) = domain::ArticleNumber::from_wms(&line.article_number) {
                received.push(ReceivedLine {
                    received: count(
                        &what,
                        "received_number_of_items",
                        &line.article_number,
                        line.received_number_of_items,
                    )?,
                    article_number,
                });
            }
        }
        let plan = plan_acceptance(
            &record.delivery,
            &Receipt { lines: received },
            self.settings.article_number,
            self.settings.article_number_max_length,
        );
        let acceptance = DeliveryAcceptance {
            idempotency_key: format!(
                "order-sync:{}:delivery:{}:accept",
                record.endpoint, record.delivery.delivery_id
            ),
            endpoint: record.endpoint.clone(),
            delivery_id: record.delivery.id.to_string(),
            key: plan.key,
            quantities: plan
                .quantities
                .iter()
                .map(|(product, quantity)| (product.clone(), *quantity))
                .collect(),
            // With stock-sync the WMS is the stock master: its next stock write brings the
            // received units to Centra, so Centra adding them as well would count them twice
            // (oversold until that write). Without it, Centra's default (add them) applies.
            insert_stock: self.settings.stock_to_centra.then_some(false),
        };
        match terminal(self.centra.accept_delivery(&acceptance).await)? {
            Ok(already_done) => {
                tracing::info!(delivery = %record.delivery.delivery_id, already_done, follow_up = plan.leads_to_follow_up_delivery(), over = plan.has_over_delivery(), "delivery accepted");
                let note = (!plan.unexpected.is_empty()).then(|| {
                    let names: Vec<&str> = plan
                        .unexpected
                        .iter()
                        .map(|l| l.article_number.as_str())
                        .collect();
                    format!(
                        "received articles not on the delivery: {}",
                        names.join(", ")
                    )
                });
                record.accept(note)?;
            }
            Err(refusal) => {
                let hold = DeliveryHold::CentraRefused {
                    message: refusal.reason().to_owned(),
                };
                record.park(hold.to_string())?;
            }
        }
        self.finish_delivery(PURCHASE_ORDER_RECEIVED, message, &record)
            .await
    }
}
