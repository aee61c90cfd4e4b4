//! Delivery address of an order or shipment, in the shape both Centra and the WMS can fill.

use serde::{Deserialize, Serialize};

/// A postal delivery address with the contact details carriers need.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Recipient name (Centra `deliveryName`, or first + last name).
    pub name: String,
    /// Company, if any.
    pub company: Option<String>,
    /// Street line (Centra `deliveryAddress`).
    pub address1: String,
    /// Second line, c/o (Centra `deliveryCoaddress`).
    pub address2: Option<String>,
    /// Postal code.
    pub zip_code: String,
    /// City.
    pub city: String,
    /// State or region, where the country uses one.
    pub state: Option<String>,
    /// ISO 3166-1 alpha-2 country code, e.g. `SE`.
    pub country_code: String,
    /// E-mail for carrier notifications.
    pub email: Option<String>,
    /// Phone (Centra `deliveryCell`, else `deliveryTele`).
    pub phone: Option<String>,
}
