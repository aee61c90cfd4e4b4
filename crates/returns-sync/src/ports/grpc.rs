//! The ports over the gateways' generated gRPC clients: the only place that knows the gateway
//! messages.

use std::collections::BTreeMap;

use async_trait::async_trait;
use platform_runtime::GrpcChannel;
use proto::centra::v1 as centra;
use proto::centra::v1::centra_gateway_client::CentraGatewayClient;
use proto::wms::v1 as wms;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;
use tonic::Code;

use crate::ports::{CentraReturns, CreatedReturn, NewCentraReturn, PortError, WmsReturns};

/// Refusals are about the record; everything else may pass on a later try.
pub fn port_error(status: &tonic::Status) -> PortError {
    match status.code() {
        Code::InvalidArgument | Code::FailedPrecondition | Code::NotFound | Code::OutOfRange => {
            PortError::Refused(status.message().to_owned())
        }
        code => PortError::Unavailable(format!("{code:?}: {}", status.message())),
    }
}

/// [`CentraReturns`] through centra-gateway.
#[derive(Clone)]
pub struct GrpcCentra {
    client: CentraGatewayClient<GrpcChannel>,
}

impl std::fmt::Debug for GrpcCentra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GrpcCentra")
    }
}

impl GrpcCentra {
    pub fn new(channel: GrpcChannel) -> Self {
        Self {
            client: CentraGatewayClient::new(channel),
        }
    }
}

#[async_trait]
impl CentraReturns for GrpcCentra {
    async fn shipment_lines(
        &self,
        endpoint: &str,
        shipment_id: &str,
    ) -> Result<BTreeMap<String, i64>, PortError> {
        let mut client = self.client.clone();
        let request = centra::GetShipmentRequest {
            endpoint: endpoint.to_owned(),
            shipment_id: shipment_id.to_owned(),
        };
        let answer = client
            .get_shipment(request)
            .await
            .map_err(|s| port_error(&s))?;
        let shipment = answer.into_inner().shipment.ok_or_else(|| {
            PortError::Refused(format!(
                "centra has no shipment {shipment_id} on {endpoint}"
            ))
        })?;
        let mut lines: BTreeMap<String, i64> = BTreeMap::new();
        for line in shipment.lines.iter().filter(|l| !l.is_bundle) {
            *lines.entry(line.line_id.clone()).or_default() += line.quantity;
        }
        Ok(lines)
    }

    async fn create_return(&self, new: &NewCentraReturn) -> Result<CreatedReturn, PortError> {
        let mut client = self.client.clone();
        let request = centra::CreateReturnRequest {
            idempotency_key: new.idempotency_key.clone(),
            endpoint: new.endpoint.clone(),
            shipment_id: new.shipment_id.clone(),
            lines: new
                .lines
                .iter()
                .map(|(line, quantity)| centra::ReturnLine {
                    shipment_line_id: line.clone(),
                    quantity: *quantity,
                })
                .collect(),
            comment: new.comment.clone(),
            return_stock: new.return_stock,
        };
        let answer = client
            .create_return(request)
            .await
            .map_err(|s| port_error(&s))?
            .into_inner();
        Ok(CreatedReturn {
            return_id: answer.return_id,
            already_done: answer.already_done,
        })
    }
}

/// [`WmsReturns`] through ongoing-gateway.
#[derive(Clone)]
pub struct GrpcWms {
    client: WmsGatewayClient<GrpcChannel>,
}

impl std::fmt::Debug for GrpcWms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GrpcWms")
    }
}

impl GrpcWms {
    pub fn new(channel: GrpcChannel) -> Self {
        Self {
            client: WmsGatewayClient::new(channel),
        }
    }
}

#[async_trait]
impl WmsReturns for GrpcWms {
    async fn acknowledge_returned(
        &self,
        idempotency_key: &str,
        warehouse: &str,
        wms_order_id: i64,
        lines: &BTreeMap<i64, i64>,
    ) -> Result<(), PortError> {
        let mut client = self.client.clone();
        let request = wms::AcknowledgeReportedRequest {
            idempotency_key: idempotency_key.to_owned(),
            warehouse: warehouse.to_owned(),
            report: Some(wms::acknowledge_reported_request::Report::Returned(
                wms::ReturnedLinesReported {
                    order_id: wms_order_id,
                    lines: lines
                        .iter()
                        .map(|(line_id, reported)| wms::ReportedLine {
                            line_id: *line_id,
                            reported_number_of_items: *reported,
                        })
                        .collect(),
                },
            )),
        };
        client
            .acknowledge_reported(request)
            .await
            .map(|_| ())
            .map_err(|s| port_error(&s))
    }
}
