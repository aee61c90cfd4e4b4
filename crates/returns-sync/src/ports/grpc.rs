//! The ports over the gateways' generated gRPC clients: the only place that knows the gateway
//! messages. Every failed call becomes a [`PortError`] through [`port_error`], so the kind comes
//! from the status code and its typed reasons, and the status stays as the error's source.

use std::collections::BTreeMap;

use async_trait::async_trait;
use domain::PortError;
use platform_runtime::{GrpcChannel, port_error};
use proto::centra::v1 as centra;
use proto::centra::v1::centra_gateway_client::CentraGatewayClient;
use proto::wms::v1 as wms;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;

use super::{CentraReturns, CreatedReturn, NewCentraReturn, ReturnedReported, WmsReturns};

/// The service named in a failure of a Centra call.
const CENTRA: &str = "centra-gateway";
/// The service named in a failure of a WMS call (the contract is WMS-neutral).
const WMS: &str = "wms-gateway";

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
            .map_err(|s| port_error(CENTRA, s))?;
        // The gateway answers NOT_FOUND for a shipment Centra does not know, so an answer
        // without one breaks the contract.
        let shipment = answer.into_inner().shipment.ok_or_else(|| {
            PortError::broken_answer(
                CENTRA,
                format!("the answer for shipment {shipment_id} on {endpoint} has no shipment"),
            )
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
            .map_err(|s| port_error(CENTRA, s))?
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
    async fn acknowledge_returned(&self, report: &ReturnedReported) -> Result<(), PortError> {
        let mut client = self.client.clone();
        let request = wms::AcknowledgeReportedRequest {
            idempotency_key: report.idempotency_key.clone(),
            warehouse: report.warehouse.clone(),
            report: Some(wms::acknowledge_reported_request::Report::Returned(
                wms::ReturnedLinesReported {
                    order_id: report.wms_order_id,
                    return_id: report.return_id.clone(),
                    lines: report
                        .lines
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
            .map_err(|s| port_error(WMS, s))
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;
    use std::future::{Ready, ready};
    use std::task::{Context, Poll};

    use domain::PortErrorKind;
    use platform_runtime::ChannelError;
    use tonic::body::Body;
    use tonic::codegen::{Service, http};
    use tonic::{Code, Status};

    use super::*;

    /// A gateway answering every call with `code`: the adapters see the status exactly as the
    /// generated client decodes it off the wire.
    #[derive(Clone)]
    struct Answers(Code);

    impl Service<http::Request<Body>> for Answers {
        type Response = http::Response<Body>;
        type Error = ChannelError;
        type Future = Ready<Result<Self::Response, Self::Error>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: http::Request<Body>) -> Self::Future {
            ready(Ok(Status::new(self.0, "said the gateway").into_http()))
        }
    }

    fn answering(code: Code) -> GrpcChannel {
        GrpcChannel::new(Answers(code))
    }

    fn status_of(error: &PortError) -> Code {
        error
            .source()
            .and_then(|source| source.downcast_ref::<Status>())
            .expect("the status is kept as the source")
            .code()
    }

    fn reported(lines: BTreeMap<i64, i64>) -> ReturnedReported {
        ReturnedReported {
            idempotency_key: "return:100:a".into(),
            warehouse: "main".into(),
            wms_order_id: 100,
            return_id: "100:a".into(),
            lines,
        }
    }

    fn new_return() -> NewCentraReturn {
        NewCentraReturn {
            idempotency_key: "100:a".into(),
            endpoint: "shop1".into(),
            shipment_id: "1-1".into(),
            lines: BTreeMap::from([("L1".to_owned(), 1)]),
            comment: "too small".into(),
            return_stock: None,
        }
    }

    #[tokio::test]
    async fn an_unavailable_gateway_is_retryable_with_the_status_as_source() {
        let centra = GrpcCentra::new(answering(Code::Unavailable));
        let error = centra.create_return(&new_return()).await.expect_err("down");
        assert_eq!(error.kind(), PortErrorKind::Unavailable);
        assert!(error.is_retryable());
        assert_eq!(error.service(), CENTRA);
        assert_eq!(status_of(&error), Code::Unavailable);

        let wms = GrpcWms::new(answering(Code::Unavailable));
        let lines = BTreeMap::from([(1, 1)]);
        let error = wms
            .acknowledge_returned(&reported(lines))
            .await
            .expect_err("down");
        assert!(error.is_retryable());
        assert_eq!(error.service(), WMS);
        assert_eq!(status_of(&error), Code::Unavailable);
    }

    #[tokio::test]
    async fn a_failed_precondition_is_terminal() {
        let centra = GrpcCentra::new(answering(Code::FailedPrecondition));
        let error = centra
            .shipment_lines("shop1", "1-1")
            .await
            .expect_err("refused");
        assert_eq!(error.kind(), PortErrorKind::Refused);
        assert!(!error.is_retryable());
        assert_eq!(error.reason(), "said the gateway");
        assert_eq!(status_of(&error), Code::FailedPrecondition);

        let wms = GrpcWms::new(answering(Code::FailedPrecondition));
        let lines = BTreeMap::from([(1, 1)]);
        let error = wms
            .acknowledge_returned(&reported(lines))
            .await
            .expect_err("refused");
        assert_eq!(error.kind(), PortErrorKind::Refused);
        assert_eq!(error.service(), WMS);
    }
}
