//! `ListTransporterContracts`: OGOship lists no shipping methods over API v1 (they are set up
//! per merchant in myOGO, §10), so the contracts are the shipping codes configured for the
//! gateway, each as a transporter whose code is what `UpsertOrder` sends as `shippingCode`.

use proto::wms::v1::{ListTransporterContractsResponse, TransporterContract};

pub fn list(shipping_codes: &[String]) -> ListTransporterContractsResponse {
    ListTransporterContractsResponse {
        contracts: shipping_codes
            .iter()
            .map(|code| TransporterContract {
                transporter_code: code.clone(),
                transporter_name: code.clone(),
                edi_code: String::new(),
                services: Vec::new(),
            })
            .collect(),
    }
}
