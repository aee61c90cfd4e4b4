//! A harmless read per end-point group (TestConnection): one row of the group's list, so a
//! token lacking a permission the group needs is found before a flow needs it. Nothing is
//! written.
//!
//! - ORDER & SHIPMENT: `shipments(limit: 1)` with the lines' order lines (`Shipment:read`,
//!   `Order:read`, `ProductSize:read`).
//! - PRODUCT & STOCK: `products(limit: 1)` with variants and sizes.
//! - RETURNS: `returns(limit: 1)`.
//! - SUPPLIER DELIVERIES: the gateway has no purchase-order delivery read through GraphQL
//!   (docs section 10 leaves the exact names open, "\[I\]"), so the check fails saying so rather
//!   than passing unread.

use domain::EndpointGroup;

use super::governor::Call;
use super::operations::{
    ProductsPage, ReturnsPage, ShipmentsPage, products_page, returns_page, shipments_page,
};
use super::{GraphqlClient, GraphqlError, GraphqlErrorKind};

impl GraphqlClient {
    /// Reads one row of `group`'s list; answers the operation read.
    ///
    /// # Errors
    /// [`GraphqlErrorKind::NotAuthorized`] for a refused token or a missing permission;
    /// [`GraphqlErrorKind::InvalidRequest`] for SUPPLIER DELIVERIES (no read through GraphQL);
    /// other kinds as any read, after the retries.
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
            EndpointGroup::SupplierDeliveries => Err(self.error(
                "probe",
                GraphqlErrorKind::InvalidRequest(
                    "supplier deliveries are not read through api = \"graphql\" yet".to_owned(),
                ),
            )),
        }
    }
}
