//! The `CentraGateway` gRPC service: a thin shell over [`Commands`]. A command about a record
//! (a shipment, a return, a supplier delivery) runs inside the gateway's [`CallLog`], so the
//! calls it makes to Centra are kept in that record's journey (`ExternalCalls`).

use platform_http::calls::record;
use platform_runtime::CallLog;
use proto::centra::v1 as rpc;
use proto::centra::v1::centra_gateway_server::{
    CentraGateway as CentraGatewayRpc, CentraGatewayServer,
};
use tonic::{Request, Response, Status};

use crate::commands::Commands;

/// Serves [`Commands`] over gRPC.
#[derive(Debug, Clone)]
pub struct GrpcService {
    commands: Commands,
    calls: CallLog,
}

impl GrpcService {
    /// Serves `commands`, keeping the calls of each record's command in `calls`.
    pub fn new(commands: Commands, calls: CallLog) -> Self {
        Self { commands, calls }
    }

    /// The tonic server to add to a router.
    pub fn into_server(self) -> CentraGatewayServer<Self> {
        CentraGatewayServer::new(self)
    }
}

fn answer<T>(result: Result<T, crate::commands::CommandError>) -> Result<Response<T>, Status> {
    result.map(Response::new).map_err(|error| {
        tracing::warn!(%error, "centra command failed");
        Status::from(error)
    })
}

#[tonic::async_trait]
impl CentraGatewayRpc for GrpcService {
    async fn complete_shipment(
        &self,
        request: Request<rpc::CompleteShipmentRequest>,
    ) -> Result<Response<rpc::CompleteShipmentResponse>, Status> {
        let request = request.into_inner();
        let records = vec![record::shipment(&request.endpoint, &request.shipment_id)];
        answer(
            self.calls
                .around(records, self.commands.complete_shipment(request))
                .await,
        )
    }

    async fn capture_shipment(
        &self,
        request: Request<rpc::CaptureShipmentRequest>,
    ) -> Result<Response<rpc::CaptureShipmentResponse>, Status> {
        let request = request.into_inner();
        let records = vec![record::shipment(&request.endpoint, &request.shipment_id)];
        answer(
            self.calls
                .around(records, self.commands.capture_shipment(request))
                .await,
        )
    }

    async fn update_shipment_quantities(
        &self,
        request: Request<rpc::UpdateShipmentQuantitiesRequest>,
    ) -> Result<Response<rpc::UpdateShipmentQuantitiesResponse>, Status> {
        let request = request.into_inner();
        let records = vec![record::shipment(&request.endpoint, &request.shipment_id)];
        answer(
            self.calls
                .around(records, self.commands.update_shipment_quantities(request))
                .await,
        )
    }

    async fn read_stock(
        &self,
        request: Request<rpc::ReadStockRequest>,
    ) -> Result<Response<rpc::ReadStockResponse>, Status> {
        answer(self.commands.read_stock(request.into_inner()).await)
    }

    async fn set_stock(
        &self,
        request: Request<rpc::SetStockRequest>,
    ) -> Result<Response<rpc::SetStockResponse>, Status> {
        answer(self.commands.set_stock(request.into_inner()).await)
    }

    async fn accept_supplier_delivery(
        &self,
        request: Request<rpc::AcceptSupplierDeliveryRequest>,
    ) -> Result<Response<rpc::AcceptSupplierDeliveryResponse>, Status> {
        let request = request.into_inner();
        let records = vec![record::delivery(&request.endpoint, &request.delivery_id)];
        answer(
            self.calls
                .around(records, self.commands.accept_supplier_delivery(request))
                .await,
        )
    }

    async fn create_return(
        &self,
        request: Request<rpc::CreateReturnRequest>,
    ) -> Result<Response<rpc::CreateReturnResponse>, Status> {
        let request = request.into_inner();
        let records = vec![
            record::shipment(&request.endpoint, &request.shipment_id),
            record::wms_return(&request.idempotency_key),
        ];
        answer(
            self.calls
                .around(records, self.commands.create_return(request))
                .await,
        )
    }

    async fn get_shipment(
        &self,
        request: Request<rpc::GetShipmentRequest>,
    ) -> Result<Response<rpc::GetShipmentResponse>, Status> {
        let request = request.into_inner();
        let records = vec![record::shipment(&request.endpoint, &request.shipment_id)];
        answer(
            self.calls
                .around(records, self.commands.get_shipment(request))
                .await,
        )
    }

    async fn list_products(
        &self,
        request: Request<rpc::ListProductsRequest>,
    ) -> Result<Response<rpc::ListProductsResponse>, Status> {
        answer(self.commands.list_products(request.into_inner()).await)
    }

    async fn test_connection(
        &self,
        request: Request<rpc::TestConnectionRequest>,
    ) -> Result<Response<rpc::TestConnectionResponse>, Status> {
        answer(self.commands.test_connection(request.into_inner()).await)
    }
}
