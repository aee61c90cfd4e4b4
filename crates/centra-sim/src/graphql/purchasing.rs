//! Purchase orders and their deliveries (`PurchaseOrder`, `PurchaseOrderDelivery`), over the
//! supplier deliveries the Order API serves (REF/501-506): a purchase order is the supplier
//! order its deliveries name.

use async_graphql::{Context, Enum, Object, SimpleObject};

use super::auth::require;
use super::catalog::ProductSizeNode;
use super::schema::{api_id, iso, sim};
use crate::state::deliveries::SupplierDelivery;

/// Purchase order status (doc gap: the enum's values are not in the stored docs; the
/// simulator answers `CONFIRMED` until every delivery is accepted, then `RECEIVED`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurchaseOrderStatus {
    Confirmed,
    Received,
}

/// Delivery status (`PurchaseOrderDelivery.status: PurchaseOrderDeliveryStatus!` and the
/// filter's `status`, centra.dev/graphql/purchaseorderdelivery.html and
/// purchaseorderdeliveryfilter.html). Doc gap: the enum's values are not on the pages searched;
/// the simulator answers `PENDING` until the delivery is accepted, then `ACCEPTED`. The gateway's
/// schema uses the same two names, also marked as a doc gap.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurchaseOrderDeliveryStatus {
    Pending,
    Accepted,
}

/// Where `delivery` stands.
pub fn delivery_status(delivery: &SupplierDelivery) -> PurchaseOrderDeliveryStatus {
    if delivery.acceptance.is_some() {
        PurchaseOrderDeliveryStatus::Accepted
    } else {
        PurchaseOrderDeliveryStatus::Pending
    }
}

/// `supplier { name country }`.
#[derive(SimpleObject, Clone, Debug)]
pub struct Supplier {
    pub name: String,
    pub country: String,
}

/// A purchase order: the simulator's supplier order, known through its deliveries.
#[derive(Clone, Debug)]
pub struct PurchaseOrderNode(pub u64);

#[Object(name = "PurchaseOrder")]
impl PurchaseOrderNode {
    async fn id(&self) -> i32 {
        api_id(self.0)
    }

    async fn status(&self, ctx: &Context<'_>) -> PurchaseOrderStatus {
        let all_accepted = sim(ctx).read(|store| {
            store
                .deliveries
                .values()
                .filter(|d| d.supplier_order_id == self.0)
                .all(|d| d.acceptance.is_some())
        });
        if all_accepted {
            PurchaseOrderStatus::Received
        } else {
            PurchaseOrderStatus::Confirmed
        }
    }

    async fn supplier(&self, ctx: &Context<'_>) -> Option<Supplier> {
        sim(ctx).read(|store| {
            store
                .deliveries
                .values()
                .find(|d| d.supplier_order_id == self.0)
                .map(|d| Supplier {
                    name: d.supplier_name.clone(),
                    country: d.supplier_country.clone(),
                })
        })
    }

    async fn deliveries(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DeliveryNode>> {
        require(
            ctx,
            "PurchaseOrderDelivery:read",
            "PurchaseOrder.deliveries",
        )?;
        Ok(sim(ctx).read(|store| {
            store
                .deliveries
                .values()
                .filter(|d| d.supplier_order_id == self.0)
                .cloned()
                .map(DeliveryNode)
                .collect()
        }))
    }
}

/// A delivery of a purchase order (the Order API's supplier delivery).
#[derive(Clone, Debug)]
pub struct DeliveryNode(pub SupplierDelivery);

#[Object(name = "PurchaseOrderDelivery")]
impl DeliveryNode {
    async fn id(&self) -> i32 {
        api_id(self.0.id)
    }

    /// `"957-1"`, the Order API's `deliveryId`.
    async fn number(&self) -> &str {
        &self.0.number
    }

    async fn status(&self) -> PurchaseOrderDeliveryStatus {
        delivery_status(&self.0)
    }

    async fn created_at(&self, ctx: &Context<'_>) -> String {
        iso(ctx, self.0.created)
    }

    /// Doc gap: the schema page (centra.dev/graphql/purchaseorderdelivery.html) lists an ETD
    /// ("supposed to leave the factory") and an ETA ("Estimated time of arrival") without their
    /// names in the stored excerpt. The delivery filter on purchaseorderdeliveryfilter.html
    /// names its field `ETA: DateRange`, so the simulator names the fields `ETD` and `ETA`.
    #[graphql(name = "ETD")]
    async fn etd(&self, ctx: &Context<'_>) -> String {
        iso(ctx, self.0.etd)
    }

    #[graphql(name = "ETA")]
    async fn eta(&self, ctx: &Context<'_>) -> String {
        iso(ctx, self.0.eta)
    }

    /// "Required permission: Supplier:read" (centra.dev/graphql/purchaseorderdelivery.html).
    async fn supplier(&self, ctx: &Context<'_>) -> async_graphql::Result<Supplier> {
        require(ctx, "Supplier:read", "PurchaseOrderDelivery.supplier")?;
        Ok(Supplier {
            name: self.0.supplier_name.clone(),
            country: self.0.supplier_country.clone(),
        })
    }

    async fn purchase_order(&self, ctx: &Context<'_>) -> async_graphql::Result<PurchaseOrderNode> {
        require(
            ctx,
            "PurchaseOrder:read",
            "PurchaseOrderDelivery.purchaseOrder",
        )?;
        Ok(PurchaseOrderNode(self.0.supplier_order_id))
    }

    async fn lines(&self, ctx: &Context<'_>) -> Vec<DeliveryLineNode> {
        sim(ctx).read(|store| {
            self.0
                .lines
                .iter()
                .map(|l| DeliveryLineNode {
                    quantity: l.quantity,
                    product_size: store
                        .items
                        .get(&l.item.stock_item_id)
                        .cloned()
                        .map(ProductSizeNode),
                })
                .collect()
        })
    }
}

/// One expected product of a delivery.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "PurchaseOrderDeliveryLine")]
pub struct DeliveryLineNode {
    pub quantity: i64,
    pub product_size: Option<ProductSizeNode>,
}
