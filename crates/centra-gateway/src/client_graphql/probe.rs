//! A harmless read per end-point group (TestConnection): one row of the group's list, so a
//! token lacking a permission the group needs is found before a flow needs it. Nothing is
//! written.
//!
//! - ORDER & SHIPMENT: `shipments(limit: 1)` with the lines' order lines (`Shipment:read`,
//!   `Order:read`, `ProductSize:read`).
//! - PRODUCT & STOCK: `products(limit: 1)` with variants and sizes.
//! - RETURNS: `returns(limit: 1)`.
//! - SUPPLIER DELIVERIES: `purchaseOrderDeliveries(where: {status: PENDING}, limit: 1)` with
//!   the fields the deliveries poll reads (`PurchaseOrderDelivery:read`, `Supplier:read`,
//!   `PurchaseOrder:read`, `ProductSize:read`).
//!
//! Write permissions ([`WriteProbe`]): a token may read and still lack the write a flow needs
//! (`Shipment:write`, `StockChange:write`, `Return:write`, docs section 10;
//! `PurchaseOrderDelivery:write` for accepting supplier deliveries), which would otherwise show
//! at the first completion, stock push, return or receipt. Centra names no query that
//! lists a token's permissions, so each write is checked with its own mutation made so that it
//! cannot change anything: a record that does not exist (id 0: Centra's ids start at 1) and,
//! where the input has one, an empty list. A token without the permission is refused at the
//! field (a top-level `authorization` error); one with it reaches the mutation, which answers
//! `userErrors` for the missing record. \[I\] That Centra checks the permission before it looks
//! the record up is how its schema marks permissions per field ("Required permission"); the
//! simulator does the same. Each probe costs one mutation of the hourly budget.

use domain::EndpointGroup;

use super::governor::Call;
use super::operations::{
    AcceptPurchaseOrderDelivery, CompleteShipment, CreateReturn, ProductsPage, ReturnsPage,
    SetStock, ShipmentsPage, accept_purchase_order_delivery, complete_shipment, create_return,
    products_page, returns_page, set_stock, shipments_page,
};
use super::user_errors::refuse_on_user_errors;
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind};

/// A write permission a flow needs, checked by a mutation that cannot change anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteProbe {
    /// `Shipment:write`: completing, capturing and updating shipments (`completeShipment` on
    /// shipment 0).
    Shipments,
    /// `StockChange:write`: stock to Centra (`setStock` of no variant in warehouse 0).
    Stock,
    /// `Return:write`: returns to Centra (`createReturn` of no line on shipment 0).
    Returns,
    /// `PurchaseOrderDelivery:write`: accepting supplier deliveries (`acceptPurchaseOrderDelivery`
    /// of delivery 0, stock not inserted).
    Deliveries,
}

impl WriteProbe {
    /// The permission the probe checks, as Centra names it.
    pub fn permission(self) -> &'static str {
        match self {
            Self::Shipments => "Shipment:write",
            Self::Stock => "StockChange:write",
            Self::Returns => "Return:write",
            Self::Deliveries => "PurchaseOrderDelivery:write",
        }
    }

    /// The writes `flows` (setting names) make in `group`, in a fixed order.
    pub fn needed(group: EndpointGroup, flows: &[String]) -> Vec<Self> {
        let uses = |flow: &str| flows.iter().any(|f| f == flow);
        match group {
            // The order import only reads orders; the shipment import completes shipments.
            EndpointGroup::OrderAndShipment if uses("shipments") => vec![Self::Shipments],
            EndpointGroup::ProductAndStock if uses("stock_to_centra") => vec![Self::Stock],
            EndpointGroup::Returns if uses("returns_to_centra") => vec![Self::Returns],
            EndpointGroup::SupplierDeliveries if uses("purchase_orders") => {
                vec![Self::Deliveries]
            }
            _ => Vec::new(),
        }
    }
}

/// The record no probe can change: Centra's ids start at 1.
const NO_RECORD: i64 = 0;

impl GraphqlClient {
    /// Reads one row of `group`'s list; answers the operation read.
    ///
    /// # Errors
    /// [`GraphqlErrorKind::NotAuthorized`] for a refused token or a missing permission; other
    /// kinds as any read, after the retries.
    pub async fn probe(&self, group: EndpointGroup) -> Result<&'static str, GraphqlError> {
        const fn call(operation: &'static str) -> Call {
            Call {
                operation,
                mutation: false,
            }
        }
        match group {
            EndpointGroup::OrderAndShipment => {
                let variables = shipments_page::Variables {
                    where_: None,
                    limit: 1,
                    page: 1,
                };
                self.read(|| self.send_once::<ShipmentsPage>(call("shipments"), variables.clone()))
                    .await?;
                Ok("shipments")
            }
            EndpointGroup::ProductAndStock => {
                let variables = products_page::Variables {
                    where_: None,
                    limit: 1,
                    page: 1,
                };
                self.read(|| self.send_once::<ProductsPage>(call("products"), variables.clone()))
                    .await?;
                Ok("products")
            }
            EndpointGroup::Returns => {
                let variables = returns_page::Variables {
                    where_: None,
                    limit: 1,
                    page: 1,
                };
                self.read(|| self.send_once::<ReturnsPage>(call("returns"), variables.clone()))
                    .await?;
                Ok("returns")
            }
            EndpointGroup::SupplierDeliveries => {
                self.probe_deliveries().await?;
                Ok("purchaseOrderDeliveries")
            }
        }
    }

    /// Checks the token holds `write`'s permission with a mutation that cannot change anything;
    /// answers the permission.
    ///
    /// # Errors
    /// [`GraphqlErrorKind::NotAuthorized`] when the token lacks the permission;
    /// [`GraphqlErrorKind::BadPayload`] when Centra ran the probe without refusing it (it
    /// changed nothing: no record, or an empty list, but the answer does not tell the
    /// permission apart from the record); other kinds as any call, after the retries.
    pub async fn probe_write(&self, write: WriteProbe) -> Result<&'static str, GraphqlError> {
        let record = "permission probe (record 0)";
        let outcome = match write {
            WriteProbe::Shipments => {
                const CALL: Call = Call {
                    operation: "completeShipment",
                    mutation: true,
                };
                let variables = complete_shipment::Variables {
                    id: NO_RECORD,
                    input: None,
                };
                let data = self
                    .mutate(|| self.send_once::<CompleteShipment>(CALL, variables.clone()))
                    .await?;
                let answer: complete_shipment::ResponseData =
                    self.decode(CALL.operation, record, data)?;
                let payload = answer.complete_shipment;
                refuse_on_user_errors!(self, CALL.operation, record, payload)
            }
            WriteProbe::Stock => {
                const CALL: Call = Call {
                    operation: "setStock",
                    mutation: true,
                };
                let variables = set_stock::Variables {
                    input: set_stock::StockSetInput {
                        warehouse: set_stock::WarehouseInput {
                            id: Some(NO_RECORD),
                        },
                        description: Some("centra-wms permission probe".to_owned()),
                        stock_quantity_type: set_stock::StockQuantityType::PHYSICAL,
                        product_variants: Vec::new(),
                    },
                };
                let data = self
                    .mutate(|| self.send_once::<SetStock>(CALL, variables.clone()))
                    .await?;
                let answer: set_stock::ResponseData = self.decode(CALL.operation, record, data)?;
                let payload = answer.set_stock;
                refuse_on_user_errors!(self, CALL.operation, record, payload)
            }
            WriteProbe::Returns => {
                const CALL: Call = Call {
                    operation: "createReturn",
                    mutation: true,
                };
                let variables = create_return::Variables {
                    input: create_return::ReturnCreateInput {
                        shipment: create_return::ShipmentInput {
                            id: Some(NO_RECORD),
                            number: None,
                        },
                        lines: Vec::new(),
                        return_stock_action_policy: create_return::StockPolicyActionInput {
                            release_items_back_to_warehouse: Some(true),
                            send_items_to_different_warehouse: None,
                            remove_items_from_stock: None,
                        },
                        comment: None,
                        external_id: None,
                    },
                };
                let data = self
                    .mutate(|| self.send_once::<CreateReturn>(CALL, variables.clone()))
                    .await?;
                let answer: create_return::ResponseData =
                    self.decode(CALL.operation, record, data)?;
                let payload = answer.create_return;
                refuse_on_user_errors!(self, CALL.operation, record, payload)
            }
            WriteProbe::Deliveries => {
                const CALL: Call = Call {
                    operation: "acceptPurchaseOrderDelivery",
                    mutation: true,
                };
                let variables = accept_purchase_order_delivery::Variables {
                    id: NO_RECORD,
                    input: accept_purchase_order_delivery::PurchaseOrderDeliveryAcceptInput {
                        admin_user: accept_purchase_order_delivery::AdminUserInput {
                            id: Some(self.admin_user_id().unwrap_or(NO_RECORD)),
                        },
                        warehouse: None,
                        stock_insert_type:
                            accept_purchase_order_delivery::WarehouseStockInsertType::DO_NOT_INSERT,
                    },
                };
                let data = self
                    .mutate(|| {
                        self.send_once::<AcceptPurchaseOrderDelivery>(CALL, variables.clone())
                    })
                    .await?;
                let answer: accept_purchase_order_delivery::ResponseData =
                    self.decode(CALL.operation, record, data)?;
                let payload = answer.accept_purchase_order_delivery;
                refuse_on_user_errors!(self, CALL.operation, record, payload)
            }
        };
        match outcome {
            // The mutation ran and refused the missing record: the field let the token in.
            Err(error) if matches!(error.kind, GraphqlErrorKind::Refused(_)) => {
                Ok(write.permission())
            }
            Err(error) => Err(error),
            Ok(()) => Err(self.error(
                "permission probe",
                GraphqlErrorKind::BadPayload(super::PayloadError::new(
                    record,
                    write.permission(),
                    "Centra accepted a write of nothing without a refusal, so the answer does not \
                     tell whether the token holds the permission",
                )),
            )),
        }
    }
}
