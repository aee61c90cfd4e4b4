//! The flat `delivery*` / `billing*` address fields shared by orders and shipments.
//! Billing has no `Cell` field in any published example (REF/104, REF/107).

use serde::Serialize;

use crate::state::orders::Address;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryFields {
    pub delivery_name: String,
    pub delivery_company: String,
    pub delivery_email: String,
    pub delivery_cell: String,
    pub delivery_tele: String,
    pub delivery_address: String,
    pub delivery_coaddress: String,
    pub delivery_zipcode: String,
    pub delivery_city: String,
    pub delivery_state: String,
    pub delivery_country: String,
}

impl From<&Address> for DeliveryFields {
    fn from(a: &Address) -> Self {
        Self {
            delivery_name: a.name.clone(),
            delivery_company: a.company.clone(),
            delivery_email: a.email.clone(),
            delivery_cell: a.cell.clone(),
            delivery_tele: a.tele.clone(),
            delivery_address: a.address.clone(),
            delivery_coaddress: a.coaddress.clone(),
            delivery_zipcode: a.zipcode.clone(),
            delivery_city: a.city.clone(),
            delivery_state: a.state.clone(),
            delivery_country: a.country.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingFields {
    pub billing_name: String,
    pub billing_company: String,
    pub billing_email: String,
    pub billing_tele: String,
    pub billing_address: String,
    pub billing_coaddress: String,
    pub billing_zipcode: String,
    pub billing_city: String,
    pub billing_state: String,
    pub billing_country: String,
}

impl From<&Address> for BillingFields {
    fn from(a: &Address) -> Self {
        Self {
            billing_name: a.name.clone(),
            billing_company: a.company.clone(),
            billing_email: a.email.clone(),
            billing_tele: a.tele.clone(),
            billing_address: a.address.clone(),
            billing_coaddress: a.coaddress.clone(),
            billing_zipcode: a.zipcode.clone(),
            billing_city: a.city.clone(),
            billing_state: a.state.clone(),
            billing_country: a.country.clone(),
        }
    }
}

/// `{"description": "VAT", "taxPercent": 25, "value": 795.75}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxBreakdown {
    pub description: String,
    pub tax_percent: f64,
    pub value: f64,
}

/// Where printable documents would be; the simulator does not serve them.
pub fn document_url(kind: &str, shipment: &str) -> String {
    format!("https://centra-sim.invalid/{kind}?shipment={shipment}")
}
