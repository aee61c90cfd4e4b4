//! The ports over the gateways' generated gRPC clients.

use async_trait::async_trait;
use platform_runtime::GrpcChannel;
use proto::centra::v1 as centra;
use proto::centra::v1::centra_gateway_client::CentraGatewayClient;
use proto::wms::v1 as wms;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;
use tonic::Code;

use crate::ports::{CentraShipments, PortError, WmsOrders};

/// Refusals are about the record; everything else may pass on a later try. A refusal for
/// missing articles is told by its typed reason (`proto::reasons`), never by its text.
pub fn port_error(status: &tonic::Status) -> PortError {
    if let Some(articles) = proto::reasons::missing_articles(status) {
        return PortError::ArticlesMissing {
            message: status.message().to_owned(),
            articles,
        };
    }
    match status.code() {
        Code::InvalidArgument | Code::FailedPrecondition | Code::NotFound | Code::OutOfRange => {
            PortError::Refused(status.message().to_owned())
        }
        code => PortError::Unavailable(format!("{code:?}: {}", status.message())),
    }
}

/// [`CentraShipments`] through centra-gateway.
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
impl CentraShipments for GrpcCentra {
    async fn capture(&self, request: centra::CaptureShipmentRequest) -> Result<(), PortError> {
        let mut client = self.client.clone();
        client
            .capture_shipment(request)
            .await
            .map(|_| ())
            .map_err(|s| port_error(&s))
    }

    async fn shipment(
        &self,
        endpoint: &str,
        shipment_id: &str,
    ) -> Result<centra::Shipment, PortError> {
        let mut client = self.client.clone();
        let request = centra::GetShipmentRequest {
            endpoint: endpoint.to_owned(),
            shipment_id: shipment_id.to_owned(),
        };
        let answer = client
            .get_shipment(request)
            .await
            .map_err(|s| port_error(&s))?;
        answer.into_inner().shipment.ok_or_else(|| {
            PortError::Refused(format!(
                "centra has no shipment {shipment_id} on {endpoint}"
            ))
        })
    }

    async fn update_quantities(
        &self,
        request: centra::UpdateShipmentQuantitiesRequest,
    ) -> Result<(), PortError> {
        let mut client = self.client.clone();
        client
            .update_shipment_quantities(request)
            .await
            .map(|_| ())
            .map_err(|s| port_error(&s))
    }

    async fn complete(&self, request: centra::CompleteShipmentRequest) -> Result<bool, PortError> {
        let mut client = self.client.clone();
        client
            .complete_shipment(request)
            .await
            .map(|r| r.into_inner().already_done)
            .map_err(|s| port_error(&s))
    }

    async fn accept_delivery(
        &self,
        request: centra::AcceptSupplierDeliveryRequest,
    ) -> Result<bool, PortError> {
        let mut client = self.client.clone();
        client
            .accept_supplier_delivery(request)
            .await
            .map(|r| r.into_inner().already_done)
            .map_err(|s| port_error(&s))
    }
}

/// [`WmsOrders`] through ongoing-gateway.
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
impl WmsOrders for GrpcWms {
    async fn upsert_order(&self, request: wms::UpsertOrderRequest) -> Result<i64, PortError> {
        let mut client = self.client.clone();
        client
            .upsert_order(request)
            .await
            .map(|r| r.into_inner().order_id)
            .map_err(|s| port_error(&s))
    }

    async fn cancel_order(&self, request: wms::CancelOrderRequest) -> Result<bool, PortError> {
        let mut client = self.client.clone();
        client
            .cancel_order(request)
            .await
            .map(|r| r.into_inner().already_done)
            .map_err(|s| port_error(&s))
    }

    async fn upsert_purchase_order(
        &self,
        request: wms::UpsertPurchaseOrderRequest,
    ) -> Result<i64, PortError> {
        let mut client = self.client.clone();
        client
            .upsert_purchase_order(request)
            .await
            .map(|r| r.into_inner().purchase_order_id)
            .map_err(|s| port_error(&s))
    }

    async fn acknowledge(&self, request: wms::AcknowledgeReportedRequest) -> Result<(), PortError> {
        let mut client = self.client.clone();
        client
            .acknowledge_reported(request)
            .await
            .map(|_| ())
            .map_err(|s| port_error(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_articles_are_read_from_the_reason_never_from_the_text() {
        let typed =
            proto::reasons::articles_missing("Artikel existiert nicht", &["SHIRTREDM".to_owned()]);
        assert_eq!(
            port_error(&typed),
            PortError::ArticlesMissing {
                message: "Artikel existiert nicht".to_owned(),
                articles: vec!["SHIRTREDM".to_owned()],
            }
        );
        // The same words without the reason are a plain refusal.
        assert_eq!(
            port_error(&tonic::Status::failed_precondition(
                "article SHIRTREDM does not exist"
            )),
            PortError::Refused("article SHIRTREDM does not exist".to_owned())
        );
    }

    #[test]
    fn refusals_and_outages_are_told_apart() {
        assert!(matches!(
            port_error(&tonic::Status::failed_precondition(
                "article X does not exist"
            )),
            PortError::Refused(_)
        ));
        assert!(matches!(
            port_error(&tonic::Status::unavailable("down")),
            PortError::Unavailable(_)
        ));
        assert!(matches!(
            port_error(&tonic::Status::internal("boom")),
            PortError::Unavailable(_)
        ));
    }
}
