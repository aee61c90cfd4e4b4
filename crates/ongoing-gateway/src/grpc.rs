//! The `WmsGateway` gRPC service (`proto/centrawms/wms/v1/wms_gateway.proto`): thin
//! glue from requests to [`crate::commands`], and from [`CommandError`] to status codes.

use std::sync::Arc;

use platform_http::calls::record;
use platform_runtime::CallLog;
use platform_store::Store;
use proto::wms::v1::wms_gateway_server::{self, WmsGatewayServer};
use proto::wms::v1::{
    AcknowledgeReportedRequest, AcknowledgeReportedResponse, CancelOrderRequest,
    CancelOrderResponse, ListArticlesRequest, ListArticlesResponse,
    ListTransporterContractsRequest, ListTransporterContractsResponse, ReadStockRequest,
    ReadStockResponse, TestConnectionRequest, TestConnectionResponse, UpsertArticlesRequest,
    UpsertArticlesResponse, UpsertOrderRequest, UpsertOrderResponse, UpsertPurchaseOrderRequest,
    UpsertPurchaseOrderResponse,
};
use tonic::{Request, Response, Status};

use crate::client::OngoingClient;
use crate::commands::{self, CommandError};
use crate::settings::GatewaySettings;

/// Serves the commands of one warehouse.
#[derive(Debug, Clone)]
pub struct GatewayCommands {
    client: OngoingClient,
    /// Where `ReadStock` records the levels it read (see `stock_levels`).
    store: Store,
    settings: Arc<GatewaySettings>,
    /// Where the calls of an order's, article's or purchase order's command are kept.
    calls: CallLog,
}

impl GatewayCommands {
    pub fn new(
        client: OngoingClient,
        store: Store,
        settings: Arc<GatewaySettings>,
        calls: CallLog,
    ) -> Self {
        Self {
            client,
            store,
            settings,
            calls,
        }
    }

    /// The tonic service.
    pub fn into_server(self) -> WmsGatewayServer<Self> {
        WmsGatewayServer::new(self)
    }

    /// An empty warehouse means "the one this gateway serves"; another name is NOT_FOUND.
    fn check_warehouse(&self, warehouse: &str) -> Result<(), Status> {
        if warehouse.is_empty() || warehouse == self.settings.warehouse {
            Ok(())
        } else {
            Err(Status::not_found(format!(
                "warehouse {warehouse:?} is not served here (this gateway serves {:?})",
                self.settings.warehouse
            )))
        }
    }
}

/// The articles an upsert names, each a record of its calls; none for a batch larger than
/// [`ARTICLES_NAMED_MAX`] (a catalogue run: its calls belong to no one article).
fn article_records(request: &UpsertArticlesRequest) -> Vec<String> {
    if request.articles.len() > ARTICLES_NAMED_MAX {
        return Vec::new();
    }
    request
        .articles
        .iter()
        .map(|article| record::article(&article.article_number))
        .collect()
}

/// The record an acknowledgement's calls belong to: the WMS order whose picks were reported,
/// or the return whose units were; none when the sender did not name it (an older sender, or
/// purchase order lines, whose acknowledgement nobody sends yet).
fn reported_records(request: &AcknowledgeReportedRequest) -> Vec<String> {
    use proto::wms::v1::acknowledge_reported_request::Report;
    let record = match &request.report {
        Some(Report::OrderLines(lines)) if !lines.order_number.is_empty() => {
            record::order(&lines.order_number)
        }
        Some(Report::Returned(lines)) if !lines.return_id.is_empty() => {
            record::wms_return(&lines.return_id)
        }
        _ => return Vec::new(),
    };
    vec![record]
}

/// The most articles an upsert names as records of its calls.
const ARTICLES_NAMED_MAX: usize = 20;

impl From<CommandError> for Status {
    fn from(error: CommandError) -> Self {
        let message = error.to_string();
        match error {
            CommandError::InvalidArgument(_) => Status::invalid_argument(message),
            CommandError::FailedPrecondition(_) => Status::failed_precondition(message),
            CommandError::NotFound(_) => Status::not_found(message),
            CommandError::ArticlesMissing { articles, .. } => {
                proto::reasons::articles_missing(message, &articles)
            }
            CommandError::Unavailable(_) => Status::unavailable(message),
            CommandError::Ongoing(_) => Status::internal(message),
        }
    }
}

#[tonic::async_trait]
impl wms_gateway_server::WmsGateway for GatewayCommands {
    async fn upsert_articles(
        &self,
        request: Request<UpsertArticlesRequest>,
    ) -> Result<Response<UpsertArticlesResponse>, Status> {
        let request = request.into_inner();
        self.check_warehouse(&request.warehouse)?;
        Ok(Response::new(
            self.calls
                .around(
                    article_records(&request),
                    commands::articles::upsert_articles(&self.client, &request.articles),
                )
                .await?,
        ))
    }

    async fn upsert_order(
        &self,
        request: Request<UpsertOrderRequest>,
    ) -> Result<Response<UpsertOrderResponse>, Status> {
        let request = request.into_inner();
        self.check_warehouse(&request.warehouse)?;
        Ok(Response::new(
            self.calls
                .around(
                    vec![record::order(&request.order_number)],
                    commands::orders::upsert_order(&self.client, &request),
                )
                .await?,
        ))
    }

    async fn cancel_order(
        &self,
        request: Request<CancelOrderRequest>,
    ) -> Result<Response<CancelOrderResponse>, Status> {
        let request = request.into_inner();
        self.check_warehouse(&request.warehouse)?;
        Ok(Response::new(
            self.calls
                .around(
                    vec![record::order(&request.order_number)],
                    commands::orders::cancel_order(
                        &self.client,
                        &self.settings.statuses,
                        &request.order_number,
                    ),
                )
                .await?,
        ))
    }

    async fn upsert_purchase_order(
        &self,
        request: Request<UpsertPurchaseOrderRequest>,
    ) -> Result<Response<UpsertPurchaseOrderResponse>, Status> {
        let request = request.into_inner();
        self.check_warehouse(&request.warehouse)?;
        Ok(Response::new(
            self.calls
                .around(
                    vec![record::purchase_order(&request.purchase_order_number)],
                    commands::purchase_orders::upsert_purchase_order(&self.client, &request),
                )
                .await?,
        ))
    }

    async fn acknowledge_reported(
        &self,
        request: Request<AcknowledgeReportedRequest>,
    ) -> Result<Response<AcknowledgeReportedResponse>, Status> {
        let request = request.into_inner();
        self.check_warehouse(&request.warehouse)?;
        Ok(Response::new(
            self.calls
                .around(
                    reported_records(&request),
                    commands::acknowledge::acknowledge(&self.client, request.report.as_ref()),
                )
                .await?,
        ))
    }

    async fn list_transporter_contracts(
        &self,
        request: Request<ListTransporterContractsRequest>,
    ) -> Result<Response<ListTransporterContractsResponse>, Status> {
        self.check_warehouse(&request.get_ref().warehouse)?;
        Ok(Response::new(
            commands::transporters::list(&self.client).await?,
        ))
    }

    async fn read_stock(
        &self,
        request: Request<ReadStockRequest>,
    ) -> Result<Response<ReadStockResponse>, Status> {
        let request = request.into_inner();
        self.check_warehouse(&request.warehouse)?;
        Ok(Response::new(
            commands::stock::read_stock(
                &self.client,
                &self.store,
                &self.settings.warehouse,
                &request.article_numbers,
                request.article_system_id_from,
                request.max_articles,
            )
            .await?,
        ))
    }

    async fn list_articles(
        &self,
        request: Request<ListArticlesRequest>,
    ) -> Result<Response<ListArticlesResponse>, Status> {
        let request = request.into_inner();
        self.check_warehouse(&request.warehouse)?;
        Ok(Response::new(
            commands::articles::list_articles(
                &self.client,
                request.article_system_id_from,
                request.max_articles,
            )
            .await?,
        ))
    }

    async fn test_connection(
        &self,
        request: Request<TestConnectionRequest>,
    ) -> Result<Response<TestConnectionResponse>, Status> {
        self.check_warehouse(&request.get_ref().warehouse)?;
        Ok(Response::new(
            commands::connection::test(&self.client).await,
        ))
    }
}
