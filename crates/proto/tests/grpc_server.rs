//! The generated tonic server and client talk to each other over a real socket.

use std::net::SocketAddr;

use proto::admin::v1::stock_admin_client::StockAdminClient;
use proto::admin::v1::stock_admin_server::{StockAdmin, StockAdminServer};
use proto::admin::v1::{
    ListStockArticlesRequest, ListStockArticlesResponse, ReconcileStockRequest,
    ReconcileStockResponse,
};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Code, Request, Response, Status};

/// Knows one warehouse; counts the requested articles and writes nothing on a dry run.
#[derive(Debug)]
struct OneWarehouse;

#[tonic::async_trait]
impl StockAdmin for OneWarehouse {
    async fn reconcile(
        &self,
        request: Request<ReconcileStockRequest>,
    ) -> Result<Response<ReconcileStockResponse>, Status> {
        let request = request.into_inner();
        if request.warehouse != "wh1" {
            return Err(Status::not_found(format!(
                "unknown warehouse {}",
                request.warehouse
            )));
        }
        let checked = request.article_numbers.len() as u64;
        Ok(Response::new(ReconcileStockResponse {
            articles_checked: checked,
            updates_sent: if request.dry_run { 0 } else { checked },
            unchanged: 0,
            failed: 0,
        }))
    }

    async fn list_articles(
        &self,
        _: Request<ListStockArticlesRequest>,
    ) -> Result<Response<ListStockArticlesResponse>, Status> {
        Err(Status::unimplemented("not in this test"))
    }
}

async fn spawn_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(StockAdminServer::new(OneWarehouse))
            .serve_with_incoming(TcpListenerStream::new(listener))
            .await
            .expect("server runs");
    });
    addr
}

#[tokio::test]
async fn generated_client_calls_generated_server() {
    let addr = spawn_server().await;
    let mut client = StockAdminClient::connect(format!("http://{addr}"))
        .await
        .expect("connects");

    let response = client
        .reconcile(ReconcileStockRequest {
            warehouse: "wh1".to_owned(),
            article_numbers: vec!["A1".to_owned(), "A2".to_owned(), "A3".to_owned()],
            dry_run: false,
        })
        .await
        .expect("reconcile answers")
        .into_inner();
    assert_eq!(response.articles_checked, 3);
    assert_eq!(response.updates_sent, 3);

    let dry = client
        .reconcile(ReconcileStockRequest {
            warehouse: "wh1".to_owned(),
            article_numbers: vec!["A1".to_owned()],
            dry_run: true,
        })
        .await
        .expect("dry run answers")
        .into_inner();
    assert_eq!(dry.articles_checked, 1);
    assert_eq!(dry.updates_sent, 0);

    let status = client
        .reconcile(ReconcileStockRequest {
            warehouse: "elsewhere".to_owned(),
            ..ReconcileStockRequest::default()
        })
        .await
        .expect_err("unknown warehouse is refused");
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "unknown warehouse elsewhere");
}
