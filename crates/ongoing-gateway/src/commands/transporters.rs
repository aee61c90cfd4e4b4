//! `ListTransporterContracts`: the transporters and services the goods owner may use.

use proto::wms::v1::{ListTransporterContractsResponse, TransporterContract, TransporterService};

use super::CommandError;
use crate::client::OngoingClient;

pub async fn list(
    client: &OngoingClient,
) -> Result<ListTransporterContractsResponse, CommandError> {
    let contracts = client.transporter_contracts().await?;
    Ok(ListTransporterContractsResponse {
        contracts: contracts
            .into_iter()
            .map(|c| TransporterContract {
                transporter_code: c.transporter_code.unwrap_or_default(),
                transporter_name: c.transporter_name.unwrap_or_default(),
                edi_code: c.edi_code.unwrap_or_default(),
                services: c
                    .transporter_services
                    .into_iter()
                    .map(|s| TransporterService {
                        code: s.transporter_service_code.unwrap_or_default(),
                        name: s.transporter_service_name.unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect(),
    })
}
