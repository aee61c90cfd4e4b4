//! `ReturnsAdmin`: what a person sees and does (list by state with the reason, find one with
//! its journey, retry one, discard one, resync).

use async_trait::async_trait;
use platform_runtime::timestamp;
use proto::admin::v1 as pb;
use proto::admin::v1::returns_admin_server::{ReturnsAdmin, ReturnsAdminServer};
use tonic::{Code, Request, Response, Status};

use crate::flow::{FlowError, ReturnFlow};
use crate::journey;
use crate::records::{ReturnFilter, ReturnRecord};
use crate::rules::ReturnState;

/// The most returns one Find answers.
const FOUND_MAX: u32 = 20;

/// The admin service over the flow.
#[derive(Debug, Clone)]
pub struct Admin {
    flow: ReturnFlow,
}

impl Admin {
    pub fn new(flow: ReturnFlow) -> Self {
        Self { flow }
    }

    pub fn into_server(self) -> ReturnsAdminServer<Self> {
        ReturnsAdminServer::new(self)
    }
}

/// The answer to a person: the code from the variant, the message from the error's text.
fn status(error: &FlowError) -> Status {
    let code = match error {
        FlowError::Invalid(_) => Code::InvalidArgument,
        FlowError::Unavailable(_) => Code::Unavailable,
        FlowError::Store(_) | FlowError::Illegal(_) => Code::Internal,
        FlowError::NotFound { .. } => Code::NotFound,
        FlowError::NotDiscardable { .. } => Code::FailedPrecondition,
    };
    Status::new(code, error.to_string())
}

/// How a state shows in the admin contract.
pub fn return_state(state: ReturnState) -> pb::ReturnState {
    match state {
        ReturnState::Received => pb::ReturnState::Received,
        ReturnState::Created => pb::ReturnState::Created,
        ReturnState::Reported => pb::ReturnState::Reported,
        ReturnState::Parked => pb::ReturnState::Parked,
        ReturnState::Discarded => pb::ReturnState::Discarded,
    }
}

fn states(state: pb::ReturnState) -> Vec<ReturnState> {
    match state {
        pb::ReturnState::Unspecified => Vec::new(),
        pb::ReturnState::Received => vec![ReturnState::Received],
        pb::ReturnState::Created => vec![ReturnState::Created],
        pb::ReturnState::Reported => vec![ReturnState::Reported],
        pb::ReturnState::Parked => vec![ReturnState::Parked],
        pb::ReturnState::Discarded => vec![ReturnState::Discarded],
    }
}

/// A record as the admin contract shows it.
pub fn summary(record: &ReturnRecord) -> pb::ReturnSummary {
    pb::ReturnSummary {
        return_id: record.return_id.clone(),
        warehouse: record.warehouse.clone(),
        order_number: record.order_number.clone(),
        wms_order_id: record.wms_order_id,
        return_order_id: record.return_order_id,
        endpoint: record.endpoint.clone().unwrap_or_default(),
        shipment_id: record.shipment_id.clone().unwrap_or_default(),
        state: return_state(record.state()).into(),
        centra_return_id: record.centra_return_id.clone().unwrap_or_default(),
        reason: record.reason().map(ToString::to_string).unwrap_or_default(),
        reason_kind: record
            .reason()
            .map(|r| r.kind().to_owned())
            .unwrap_or_default(),
        comment: record.comment.clone(),
        lines: record
            .lines
            .iter()
            .map(|l| pb::ReturnLineSummary {
                wms_line_id: l.wms_line_id,
                article_number: l.article_number.clone(),
                shipment_line_id: l.external_id.clone(),
                quantity: l.quantity,
            })
            .collect(),
        returned_at: (record.returned_at > 0).then(|| timestamp(record.returned_at)),
        updated_at: Some(timestamp(record.updated_at)),
    }
}

fn millis(t: &prost_types::Timestamp) -> i64 {
    t.seconds
        .saturating_mul(1000)
        .saturating_add(i64::from(t.nanos / 1_000_000))
}

#[async_trait]
impl ReturnsAdmin for Admin {
    /// Runs every unfinished and parked return of the filter again (safe twice). The WMS side
    /// needs no re-read: the WMS lists a return until returns-sync acknowledges it, and the
    /// detector publishes it under the same id until then.
    async fn resync(
        &self,
        request: Request<pb::ResyncReturnsRequest>,
    ) -> Result<Response<pb::ResyncReturnsResponse>, Status> {
        let request = request.into_inner();
        if !request.warehouse.is_empty() && request.warehouse != self.flow.warehouse() {
            return Err(Status::invalid_argument(format!(
                "warehouse: {:?} is not this service's warehouse {:?}",
                request.warehouse,
                self.flow.warehouse()
            )));
        }
        let number = (!request.order_number.trim().is_empty()).then(|| request.order_number.trim());
        let since = request.since.as_ref().map(millis);
        let (found, finished) = self
            .flow
            .resync(number, since, true)
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::ResyncReturnsResponse {
            returns_found: found,
            queued: finished,
        }))
    }

    async fn list_returns(
        &self,
        request: Request<pb::ListReturnsRequest>,
    ) -> Result<Response<pb::ListReturnsResponse>, Status> {
        let request = request.into_inner();
        let state = pb::ReturnState::try_from(request.state).map_err(|_| {
            Status::invalid_argument(format!("state: {} is unknown", request.state))
        })?;
        let wanted = states(state);
        let number = (!request.order_number.trim().is_empty()).then(|| request.order_number.trim());
        let limit = if request.limit == 0 {
            100
        } else {
            request.limit.min(1000)
        };
        let after = (!request.page_token.is_empty()).then_some(request.page_token.as_str());
        let records = self
            .flow
            .records()
            .list(&ReturnFilter {
                states: &wanted,
                order_number: number,
                since: None,
                after,
                limit,
            })
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        let next_page_token = if records.len() == limit as usize {
            records
                .last()
                .map(|r| r.return_id.clone())
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListReturnsResponse {
            returns: records.iter().map(summary).collect(),
            next_page_token,
        }))
    }

    async fn find_returns(
        &self,
        request: Request<pb::FindReturnsRequest>,
    ) -> Result<Response<pb::FindReturnsResponse>, Status> {
        let query = request.into_inner().query;
        let query = query.trim();
        if query.is_empty() {
            return Err(Status::invalid_argument("query: required"));
        }
        let internal = |e: platform_store::StoreError| Status::internal(e.to_string());
        let records = self
            .flow
            .records()
            .named(query, FOUND_MAX)
            .await
            .map_err(internal)?;
        let mut returns = Vec::with_capacity(records.len());
        for record in &records {
            let steps = journey::of(self.flow.records().store(), &record.return_id)
                .await
                .map_err(internal)?;
            returns.push(pb::FoundReturn {
                summary: Some(summary(record)),
                journey: steps
                    .into_iter()
                    .map(|step| pb::JourneyStep {
                        at: Some(timestamp(step.at)),
                        step: step.step,
                        detail: step.detail,
                        trace_id: step.trace_id.unwrap_or_default(),
                    })
                    .collect(),
            });
        }
        Ok(Response::new(pb::FindReturnsResponse { returns }))
    }

    async fn retry_return(
        &self,
        request: Request<pb::RetryReturnRequest>,
    ) -> Result<Response<pb::RetryReturnResponse>, Status> {
        let id = request.into_inner().return_id;
        if id.trim().is_empty() {
            return Err(Status::invalid_argument("return_id: required"));
        }
        let record = self.flow.retry(id.trim()).await.map_err(|e| status(&e))?;
        Ok(Response::new(pb::RetryReturnResponse {
            summary: Some(summary(&record)),
        }))
    }

    async fn discard_return(
        &self,
        request: Request<pb::DiscardReturnRequest>,
    ) -> Result<Response<pb::DiscardReturnResponse>, Status> {
        let request = request.into_inner();
        let id = request.return_id.trim();
        if id.is_empty() {
            return Err(Status::invalid_argument("return_id: required"));
        }
        let by = request.by.trim();
        if by.is_empty() {
            return Err(Status::invalid_argument(
                "by: required (who discards the return)",
            ));
        }
        let record = self
            .flow
            .discard(id, &request.reason, by)
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::DiscardReturnResponse {
            summary: Some(summary(&record)),
        }))
    }
}
