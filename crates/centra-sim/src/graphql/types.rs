//! The document types of the Integration API, over the store the Order API serves: `Order`,
//! `OrderLine`, `Shipment`, `ShipmentLine`, `Address`, `Return` (purchase orders and their
//! deliveries are in `purchasing`). Each node holds a copy of its record taken when the query read it;
//! related objects are looked up in the store when asked for, each behind its permission.
//!
//! Ids as in the examples: `Order.id` is a 32-hex hash and `Order.number` the integer the Order
//! API calls `orderId`; `Shipment.id` is the internal integer (the Order API's returns call it
//! `shipmentId`) and `Shipment.number` is `"<order>-<n>"`.

use async_graphql::{ComplexObject, Context, Enum, Object, SimpleObject};
use sha2::{Digest, Sha256};

use super::auth::require;
use super::catalog::ProductSizeNode;
use super::schema::{MonetaryValue, api_id, iso, sim};
use crate::state::Store;
use crate::state::orders::{Address as StoreAddress, Order, OrderLine};
use crate::state::returns::Return;
use crate::state::shipments::{Shipment, ShipmentLine};

/// `Order.id`: a stable 32-hex hash of the number (the examples show ids like
/// `"1497ccf644db871e1e4026d101bde6f3"`).
pub fn order_hash(number: u64) -> String {
    let digest = Sha256::digest(format!("centra-sim order {number}").as_bytes());
    hex::encode(&digest[..16])
}

/// Order status; "Completed" is `SHIPPED` in GraphQL (ERP GQL guide, order statuses).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    Pending,
    Confirmed,
    Processing,
    Shipped,
    Archived,
    Cancelled,
}

/// Why an order is held: `orderHoldReason` of `DirectToConsumerOrder`
/// (centra.dev/integration-api/api-reference/types/OrderHoldReason lists the values and "Field
/// orderHoldReason from DirectToConsumerOrder"). Added because the simulator lacked this
/// documented field. The simulator holds an order for payment only (see
/// [`OrderNode`]'s `orderHoldReason`); the other reasons are never answered.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderHoldReason {
    PaymentMismatch,
    WaitingForPayment,
    WaitingForFraudCheck,
    WaitingForCheckFirstAllocation,
    WaitingForGiftCardAuthorization,
}

pub fn order_status(store: &Store, order_id: u64) -> OrderStatus {
    if store.order_is_shipped(order_id) {
        OrderStatus::Shipped
    } else if store.shipments_of(order_id).next().is_some() {
        OrderStatus::Processing
    } else {
        OrderStatus::Confirmed
    }
}

/// A country (`country { code name }`). The simulator knows codes only.
#[derive(SimpleObject, Clone, Debug)]
pub struct Country {
    pub code: String,
    /// Doc gap: the simulator has no country names; it answers the code.
    pub name: String,
}

/// A postal address as the examples' `fullAddress` fragment reads it.
#[derive(SimpleObject, Clone, Debug)]
pub struct Address {
    pub first_name: String,
    pub last_name: String,
    pub company_name: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub zip_code: String,
    pub state_or_province: String,
    pub country: Country,
    pub email: String,
    pub phone_number: String,
    pub cell_phone_number: String,
}

impl From<&StoreAddress> for Address {
    /// Doc gap: the Order API has one `deliveryName`; the simulator splits it at the first space.
    fn from(a: &StoreAddress) -> Self {
        let (first, last) = a.name.split_once(' ').unwrap_or((a.name.as_str(), ""));
        Self {
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            company_name: a.company.clone(),
            address1: a.address.clone(),
            address2: a.coaddress.clone(),
            city: a.city.clone(),
            zip_code: a.zipcode.clone(),
            state_or_province: a.state.clone(),
            country: Country {
                code: a.country.clone(),
                name: a.country.clone(),
            },
            email: a.email.clone(),
            phone_number: a.tele.clone(),
            cell_phone_number: a.cell.clone(),
        }
    }
}

/// `paymentMethod { uri plugin }` (DTC examples, `paymentInfo` fragment).
#[derive(SimpleObject, Clone, Debug)]
pub struct PaymentMethod {
    pub uri: String,
    pub plugin: String,
}

/// A customer order (boxed: it is the largest record, and unions hold it by value).
#[derive(Clone, Debug)]
pub struct OrderNode(pub Box<Order>);

impl OrderNode {
    pub fn new(order: Order) -> Self {
        Self(Box::new(order))
    }
}

#[Object(name = "Order")]
impl OrderNode {
    async fn id(&self) -> String {
        order_hash(self.0.order_id)
    }

    async fn number(&self) -> i32 {
        api_id(self.0.order_id)
    }

    async fn status(&self, ctx: &Context<'_>) -> OrderStatus {
        sim(ctx).read(|store| order_status(store, self.0.order_id))
    }

    async fn is_on_hold(&self) -> bool {
        false
    }

    /// `WAITING_FOR_PAYMENT` for an unpaid order with no authorisation to capture, what the
    /// simulator's Order API answers as `waitingForPayment: 1`; otherwise `null`. Doc gap: the
    /// pages do not say whether a held reason also sets `isOnHold`; the simulator keeps the two
    /// apart, as its Order API keeps `hold` and `waitingForPayment`.
    async fn order_hold_reason(&self) -> Option<OrderHoldReason> {
        (!self.0.paid && !self.0.should_capture).then_some(OrderHoldReason::WaitingForPayment)
    }

    async fn created_at(&self, ctx: &Context<'_>) -> String {
        iso(ctx, self.0.created)
    }

    async fn order_date(&self, ctx: &Context<'_>) -> String {
        iso(ctx, self.0.created)
    }

    async fn currency_code(&self) -> &str {
        &self.0.currency
    }

    async fn grand_total(&self) -> MonetaryValue {
        MonetaryValue::new(
            self.0.items_total() + self.0.shipping_value,
            &self.0.currency,
        )
    }

    async fn payment_method(&self) -> PaymentMethod {
        PaymentMethod {
            uri: self.0.payment_method.clone(),
            plugin: self.0.payment_method.clone(),
        }
    }

    /// Doc gap: Centra's order carries its shipping option through `shippingPriceGroup`; the
    /// simulator answers the Order API's `shippingList` here.
    async fn shipping_method_name(&self) -> &str {
        &self.0.shipping_list
    }

    async fn lines(&self) -> Vec<OrderLineNode> {
        self.0
            .lines
            .iter()
            .map(|line| OrderLineNode {
                line: line.clone(),
                currency: self.0.currency.clone(),
            })
            .collect()
    }

    async fn shipments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ShipmentNode>> {
        require(ctx, "Shipment:read", "Order.shipments")?;
        Ok(sim(ctx).read(|store| {
            store
                .shipments_of(self.0.order_id)
                .cloned()
                .map(ShipmentNode)
                .collect()
        }))
    }

    async fn shipping_address(&self, ctx: &Context<'_>) -> async_graphql::Result<Address> {
        require(ctx, "Order.shippingAddress:read", "Order.shippingAddress")?;
        Ok(Address::from(&self.0.delivery))
    }

    async fn billing_address(&self, ctx: &Context<'_>) -> async_graphql::Result<Address> {
        require(ctx, "Order.billingAddress:read", "Order.billingAddress")?;
        Ok(Address::from(&self.0.billing))
    }
}

/// One line of an order.
#[derive(Clone, Debug)]
pub struct OrderLineNode {
    pub line: OrderLine,
    pub currency: String,
}

#[Object(name = "OrderLine")]
impl OrderLineNode {
    async fn id(&self) -> i32 {
        api_id(self.line.line_id)
    }

    async fn quantity(&self) -> i32 {
        i32::try_from(self.line.qty).unwrap_or(i32::MAX)
    }

    async fn product_name(&self) -> &str {
        &self.line.item.name
    }

    async fn product_variant_name(&self) -> &str {
        &self.line.item.variant
    }

    /// Doc gap: bundles are not modelled in the simulator's Integration API; a bundle line and
    /// its parts are plain lines, the bundle line without a `productSize`.
    async fn product_size(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ProductSizeNode>> {
        require(ctx, "ProductSize:read", "OrderLine.productSize")?;
        if self.line.bundle.is_bundle() {
            return Ok(None);
        }
        Ok(sim(ctx).read(|store| {
            store
                .items
                .get(&self.line.item.stock_item_id)
                .cloned()
                .map(ProductSizeNode)
        }))
    }

    async fn tax_percent(&self) -> f64 {
        self.line.tax_percent
    }

    async fn unit_price(&self) -> MonetaryValue {
        MonetaryValue::new(self.line.price, &self.currency)
    }

    async fn unit_original_price(&self) -> MonetaryValue {
        MonetaryValue::new(self.line.original_price, &self.currency)
    }

    async fn line_value(&self) -> MonetaryValue {
        MonetaryValue::new(self.line.price * self.line.qty as f64, &self.currency)
    }

    async fn comment(&self) -> &str {
        &self.line.comment
    }
}

/// `carrierInformation { carrierName serviceName }`.
#[derive(SimpleObject, Clone, Debug)]
pub struct CarrierInformation {
    pub carrier_name: String,
    pub service_name: String,
}

/// A shipment of an order.
#[derive(Clone, Debug)]
pub struct ShipmentNode(pub Shipment);

#[Object(name = "Shipment")]
impl ShipmentNode {
    async fn id(&self) -> i32 {
        api_id(self.0.id)
    }

    async fn number(&self) -> &str {
        &self.0.number
    }

    async fn created_at(&self, ctx: &Context<'_>) -> String {
        iso(ctx, self.0.created)
    }

    async fn is_good_to_go(&self) -> bool {
        self.0.good_to_go
    }

    async fn is_paid(&self) -> bool {
        self.0.paid
    }

    async fn is_captured(&self) -> bool {
        self.0.captured
    }

    async fn is_shipped(&self) -> bool {
        self.0.is_completed()
    }

    /// The capture entries of this shipment's payment history: a `PENDING` `CAPTURE_REQUEST`
    /// while a request is with the provider, a `SUCCESS` `CAPTURE` once captured. What a client
    /// reads after a `PENDING` capture to know a request is out, before asking again.
    ///
    /// Doc gap: the ERP GQL guide filters `paymentHistory(where: {entryType: [CAPTURE,
    /// CAPTURE_REQUEST]})` without showing its parent object or the entries' link to a
    /// shipment; the simulator hangs it on `Shipment` (the entries of that shipment only) and
    /// keeps no history of failed attempts (a refused capture changes nothing).
    async fn payment_history(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::shipping::PaymentHistoryEntry>> {
        use super::shipping::{PaymentHistoryEntryType as Type, PaymentHistoryStatus as Status};
        require(ctx, "PaymentHistory:read", "Shipment.paymentHistory")?;
        let sim = sim(ctx);
        let mut entries = Vec::new();
        if self.0.capture_pending {
            entries.extend(super::shipping::capture_entry(
                sim,
                ctx,
                self.0.id,
                Status::Pending,
                Type::CaptureRequest,
            ));
        }
        if self.0.captured {
            entries.extend(super::shipping::capture_entry(
                sim,
                ctx,
                self.0.id,
                Status::Success,
                Type::Capture,
            ));
        }
        Ok(entries)
    }

    async fn shipped_at(&self, ctx: &Context<'_>) -> Option<String> {
        self.0.shipped_at.map(|at| iso(ctx, at))
    }

    async fn number_of_packages(&self) -> i32 {
        self.0
            .packages
            .and_then(|p| i32::try_from(p).ok())
            .unwrap_or(0)
    }

    async fn tracking_number(&self) -> Option<&str> {
        Some(self.0.tracking.as_str()).filter(|t| !t.is_empty())
    }

    async fn return_tracking_number(&self) -> Option<&str> {
        Some(self.0.return_slip_tracking.as_str()).filter(|t| !t.is_empty())
    }

    /// Doc gap: before completion the examples show `null`; the simulator answers the order's
    /// carrier and service (what the Order API lists as `defaultCarrier`/`deliveryService`), so a
    /// warehouse learns how to ship, and `null` only when both are empty.
    async fn carrier_information(&self) -> Option<CarrierInformation> {
        (!self.0.carrier.is_empty() || !self.0.service.is_empty()).then(|| CarrierInformation {
            carrier_name: self.0.carrier.clone(),
            service_name: self.0.service.clone(),
        })
    }

    async fn lines(&self) -> Vec<ShipmentLineNode> {
        self.0
            .lines
            .iter()
            .map(|line| ShipmentLineNode {
                line: line.clone(),
                order_id: self.0.order_id,
            })
            .collect()
    }

    async fn order(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<OrderNode>> {
        require(ctx, "Order:read", "Shipment.order")?;
        Ok(sim(ctx).read(|store| {
            store
                .orders
                .get(&self.0.order_id)
                .cloned()
                .map(OrderNode::new)
        }))
    }

    async fn shipping_address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Address>> {
        require(
            ctx,
            "Shipment.shippingAddress:read",
            "Shipment.shippingAddress",
        )?;
        Ok(sim(ctx).read(|store| {
            store
                .orders
                .get(&self.0.order_id)
                .map(|o| Address::from(&o.delivery))
        }))
    }
}

/// One line of a shipment.
#[derive(Clone, Debug)]
pub struct ShipmentLineNode {
    pub line: ShipmentLine,
    pub order_id: u64,
}

#[Object(name = "ShipmentLine")]
impl ShipmentLineNode {
    async fn id(&self) -> i32 {
        api_id(self.line.line_id)
    }

    async fn quantity(&self) -> i32 {
        i32::try_from(self.line.qty).unwrap_or(i32::MAX)
    }

    async fn order_line(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<OrderLineNode>> {
        require(ctx, "Order:read", "ShipmentLine.orderLine")?;
        Ok(sim(ctx).read(|store| {
            let order = store.orders.get(&self.order_id)?;
            order
                .line(self.line.order_line_id)
                .map(|line| OrderLineNode {
                    line: line.clone(),
                    currency: order.currency.clone(),
                })
        }))
    }
}

/// Return status.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnStatus {
    InProgress,
    Completed,
}

/// A return of shipped items.
#[derive(Clone, Debug)]
pub struct ReturnNode(pub Return);

#[Object(name = "Return")]
impl ReturnNode {
    async fn id(&self) -> i32 {
        api_id(self.0.return_id)
    }

    async fn status(&self) -> ReturnStatus {
        if self.0.completed {
            ReturnStatus::Completed
        } else {
            ReturnStatus::InProgress
        }
    }

    async fn created_at(&self, ctx: &Context<'_>) -> String {
        iso(ctx, self.0.created)
    }

    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    async fn shipment(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ShipmentNode>> {
        require(ctx, "Shipment:read", "Return.shipment")?;
        Ok(sim(ctx).read(|store| {
            store
                .shipments
                .get(&self.0.shipment_id)
                .cloned()
                .map(ShipmentNode)
        }))
    }

    async fn lines(&self, ctx: &Context<'_>) -> Vec<ReturnLineNode> {
        let shipment = sim(ctx).read(|store| store.shipments.get(&self.0.shipment_id).cloned());
        self.0
            .lines
            .iter()
            .map(|l| ReturnLineNode {
                id: l.return_line_id,
                quantity: l.qty,
                shipment_line: shipment.as_ref().and_then(|s| {
                    s.line(l.shipment_line_id).map(|line| ShipmentLineNode {
                        line: line.clone(),
                        order_id: s.order_id,
                    })
                }),
            })
            .collect()
    }
}

/// One returned line.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "ReturnLine", complex)]
pub struct ReturnLineNode {
    #[graphql(skip)]
    pub id: u64,
    pub quantity: i64,
    pub shipment_line: Option<ShipmentLineNode>,
}

#[ComplexObject]
impl ReturnLineNode {
    async fn id(&self) -> i32 {
        api_id(self.id)
    }
}
