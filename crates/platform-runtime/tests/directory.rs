//! The service directory: one client code path reaches a command service in-process
//! (embedded shape) and over TCP (distributed shape).

use std::net::SocketAddr;
use std::time::Duration;

use platform_runtime::{CancellationToken, ServiceDirectory};
use proto::admin::v1::diagnostics_client::DiagnosticsClient;
use proto::admin::v1::diagnostics_server::{Diagnostics, DiagnosticsServer};
use proto::admin::v1::{PingRequest, PingResponse};
use tonic::service::Routes;

#[derive(Debug)]
struct Pong;

#[tonic::async_trait]
impl Diagnostics for Pong {
    async fn ping(
        &self,
        _request: tonic::Request<PingRequest>,
    ) -> Result<tonic::Response<PingResponse>, tonic::Status> {
        Ok(tonic::Response::new(PingResponse {
            service: "probe".to_owned(),
            version: "1".to_owned(),
            trace_id: String::new(),
        }))
    }
}

fn routes() -> Routes {
    Routes::new(DiagnosticsServer::new(Pong))
}

async fn ping(directory: &ServiceDirectory) -> Result<PingResponse, tonic::Status> {
    let channel = directory.channel("probe").expect("probe is known");
    DiagnosticsClient::new(channel)
        .ping(PingRequest {})
        .await
        .map(tonic::Response::into_inner)
}

/// Waits until `ping` answers (the server starts in the background).
async fn ping_when_up(directory: &ServiceDirectory) -> PingResponse {
    for _ in 0..100 {
        if let Ok(pong) = ping(directory).await {
            return pong;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("probe never answered");
}

#[tokio::test]
async fn in_process_calls_reach_the_registered_service_and_fail_cleanly_before() {
    let directory = ServiceDirectory::in_process();
    let early = ping(&directory).await.expect_err("nothing registered yet");
    assert_eq!(early.code(), tonic::Code::Unavailable, "{early}");

    let stop = CancellationToken::new();
    let serving = tokio::spawn({
        let directory = directory.clone();
        let stop = stop.clone();
        async move { directory.serve("probe", routes(), stop).await }
    });
    assert_eq!(ping_when_up(&directory).await.service, "probe");

    stop.cancel();
    serving.await.expect("joins").expect("serves cleanly");
    let late = ping(&directory)
        .await
        .expect_err("deregistered on shutdown");
    assert_eq!(late.code(), tonic::Code::Unavailable, "{late}");
}

/// Answers a ping never: a command waiting out a far system's retries.
#[derive(Debug)]
struct Stuck;

#[tonic::async_trait]
impl Diagnostics for Stuck {
    async fn ping(
        &self,
        _request: tonic::Request<PingRequest>,
    ) -> Result<tonic::Response<PingResponse>, tonic::Status> {
        std::future::pending().await
    }
}

/// A TCP server still answering a call at shutdown drops it after the drain: the server stops
/// (it would wait for the call for good) and the caller gets an error, not a hang.
#[tokio::test]
async fn a_call_still_answered_after_the_drain_is_dropped() {
    let listen: SocketAddr = test_support::free_port();
    let directory =
        ServiceDirectory::network([("probe".to_owned(), listen, format!("http://{listen}"))])
            .with_drain(Duration::from_millis(200));
    let stop = CancellationToken::new();
    let serving = tokio::spawn({
        let directory = directory.clone();
        let stop = stop.clone();
        async move {
            directory
                .serve("probe", Routes::new(DiagnosticsServer::new(Stuck)), stop)
                .await
        }
    });
    for _ in 0..100 {
        if directory.is_serving("probe") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let call = tokio::spawn({
        let directory = directory.clone();
        async move { ping(&directory).await }
    });
    // The call is in the handler before the shutdown (the handler never answers).
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!call.is_finished(), "the call waits for its answer");
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("the server stopped after the drain")
        .expect("joins")
        .expect("serves cleanly");
    let answer = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the caller is not left hanging")
        .expect("joins");
    assert!(answer.is_err(), "{answer:?}");
}

#[tokio::test]
async fn network_calls_reach_the_service_over_tcp() {
    let listen: SocketAddr = test_support::free_port();
    let directory =
        ServiceDirectory::network([("probe".to_owned(), listen, format!("http://{listen}"))]);
    let stop = CancellationToken::new();
    let serving = tokio::spawn({
        let directory = directory.clone();
        let stop = stop.clone();
        async move { directory.serve("probe", routes(), stop).await }
    });
    assert_eq!(ping_when_up(&directory).await.service, "probe");
    assert!(directory.is_serving("probe"));
    // grpc.health.v1 on the same port: the server and the service by name are SERVING.
    let mut health = tonic_health::pb::health_client::HealthClient::new(
        directory.channel("probe").expect("channel"),
    );
    for service in ["", "probe"] {
        let status = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: service.to_owned(),
            })
            .await
            .expect("health answers")
            .into_inner()
            .status;
        assert_eq!(
            status,
            tonic_health::pb::health_check_response::ServingStatus::Serving as i32,
            "{service:?}"
        );
    }
    stop.cancel();
    serving.await.expect("joins").expect("serves cleanly");
    assert!(!directory.is_serving("probe"));
    assert!(
        directory.channel("nobody").is_err(),
        "unknown services are named"
    );
}

/// Generated clients over a `GrpcChannel` must be usable inside `Send` futures, as port
/// adapters written with `async_trait` need.
#[async_trait::async_trait]
trait Pinger {
    async fn ping_once(&self) -> Result<String, tonic::Status>;
}

#[derive(Debug)]
struct ClientPort(DiagnosticsClient<platform_runtime::GrpcChannel>);

#[async_trait::async_trait]
impl Pinger for ClientPort {
    async fn ping_once(&self) -> Result<String, tonic::Status> {
        let mut client = self.0.clone();
        let pong = client.ping(PingRequest {}).await?.into_inner();
        Ok(pong.service)
    }
}

#[tokio::test]
async fn clients_work_inside_send_futures() {
    let directory = ServiceDirectory::in_process();
    let stop = CancellationToken::new();
    let serving = tokio::spawn({
        let directory = directory.clone();
        let stop = stop.clone();
        async move { directory.serve("probe", routes(), stop).await }
    });
    let port = ClientPort(DiagnosticsClient::new(
        directory.channel("probe").expect("probe is known"),
    ));
    let mut answer = None;
    for _ in 0..100 {
        if let Ok(service) = tokio::spawn({
            let port = ClientPort(port.0.clone());
            async move { port.ping_once().await }
        })
        .await
        .expect("joins")
        {
            answer = Some(service);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(answer.as_deref(), Some("probe"));
    stop.cancel();
    serving.await.expect("joins").expect("serves cleanly");
}

#[tokio::test]
async fn an_exposed_in_process_service_is_also_reachable_over_tcp() {
    let listen: SocketAddr = test_support::free_port();
    let directory = ServiceDirectory::in_process_exposed([("probe".to_owned(), listen)]);
    let stop = CancellationToken::new();
    let serving = tokio::spawn({
        let directory = directory.clone();
        let stop = stop.clone();
        async move { directory.serve("probe", routes(), stop).await }
    });
    // In-process, as the other services call it.
    assert_eq!(ping_when_up(&directory).await.service, "probe");
    // Over TCP, as an operator's CLI does.
    let operator =
        ServiceDirectory::network([("probe".to_owned(), listen, format!("http://{listen}"))]);
    assert_eq!(ping_when_up(&operator).await.service, "probe");
    stop.cancel();
    serving.await.expect("joins").expect("serves cleanly");
}

/// With `runtime.grpc_token` set, a TCP call without the token (or with another) is refused
/// with UNAUTHENTICATED; the directory's own channels send it; health checks need none.
#[tokio::test]
async fn a_call_without_the_token_is_unauthenticated() {
    use platform_runtime::GrpcToken;

    let listen: SocketAddr = ([127, 0, 0, 1], free_port()).into();
    let url = format!("http://{listen}");
    let address = || [("probe".to_owned(), listen, url.clone())];
    let token = || Some(GrpcToken::new("a-long-enough-shared-token"));
    let server = ServiceDirectory::network(address()).with_token(token());
    let stop = CancellationToken::new();
    let serving = tokio::spawn({
        let (server, stop) = (server.clone(), stop.clone());
        async move { server.serve("probe", routes(), stop).await }
    });
    // The directory of a process with the token gets through.
    assert_eq!(ping_when_up(&server).await.service, "probe");
    for (label, client) in [
        ("no token", ServiceDirectory::network(address())),
        (
            "another token",
            ServiceDirectory::network(address())
                .with_token(Some(GrpcToken::new("not-the-token-at-all"))),
        ),
    ] {
        let status = DiagnosticsClient::new(client.channel("probe").expect("channel"))
            .ping(PingRequest {})
            .await
            .expect_err(label);
        assert_eq!(
            status.code(),
            tonic::Code::Unauthenticated,
            "{label}: {status:?}"
        );
    }
    let open = ServiceDirectory::network(address());
    let health =
        tonic_health::pb::health_client::HealthClient::new(open.channel("probe").expect("channel"))
            .check(tonic_health::pb::HealthCheckRequest {
                service: String::new(),
            })
            .await;
    assert!(health.is_ok(), "health needs no token: {health:?}");
    stop.cancel();
    serving.await.expect("joins").expect("serves cleanly");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// The sync services ask for `WMS_GATEWAY`; the directory hands them the configured WMS's
/// gateway (Ongoing by default), so no sync service names a warehouse.
#[tokio::test]
async fn the_wms_gateway_name_reaches_the_configured_gateway() {
    use platform_runtime::WMS_GATEWAY;

    async fn answers(directory: &ServiceDirectory) -> bool {
        let channel = directory.channel(WMS_GATEWAY).expect("always known");
        for _ in 0..100 {
            if DiagnosticsClient::new(channel.clone())
                .ping(PingRequest {})
                .await
                .is_ok()
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }

    let stop = CancellationToken::new();
    let directory = ServiceDirectory::in_process();
    tokio::spawn({
        let directory = directory.clone();
        let stop = stop.clone();
        async move { directory.serve("ongoing-gateway", routes(), stop).await }
    });
    assert!(answers(&directory).await, "ongoing-gateway by default");

    let other = ServiceDirectory::in_process().with_wms_gateway("ogoship-gateway");
    tokio::spawn({
        let other = other.clone();
        let stop = stop.clone();
        async move { other.serve("ongoing-gateway", routes(), stop).await }
    });
    let channel = other.channel(WMS_GATEWAY).expect("known");
    let refused = DiagnosticsClient::new(channel).ping(PingRequest {}).await;
    assert!(
        refused.is_err(),
        "an ogoship directory never reaches ongoing-gateway"
    );
    tokio::spawn({
        let other = other.clone();
        let stop = stop.clone();
        async move { other.serve("ogoship-gateway", routes(), stop).await }
    });
    assert!(answers(&other).await, "ogoship-gateway when configured");
    stop.cancel();
}
