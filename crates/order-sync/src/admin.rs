//! `OrderAdmin`: what a person sees and does (list by state, find a shipment with its journey,
//! retry, discard with a reason, complete by hand, resync).

use async_trait::async_trait;
use proto::admin::v1 as pb;
use proto::admin::v1::order_admin_server::{OrderAdmin, OrderAdminServer};
use tonic::{Code, Request, Response, Status};

use crate::flow::{FlowError, ManualCompletion, OrderFlow};
use crate::journey;
use crate::records::ShipmentRecord;
use crate::rules::ShipmentState;

/// The admin service over the flow.
#[derive(Debug, Clone)]
pub struct Admin {
    flow: OrderFlow,
}

impl Admin {
    pub fn new(flow: OrderFlow) -> Self {
        Self { flow }
    }

    pub fn into_server(self) -> OrderAdminServer<Self> {
        OrderAdminServer::new(self)
    }

    /// The shipment a key names: by shipment id, or by WMS order number.
    async fn resolve(&self, key: Option<&pb::OrderKey>) -> Result<(String, String), Status> {
        let key = key.ok_or_else(|| Status::invalid_argument("key: required"))?;
        match &key.id {
            Some(pb::order_key::Id::ShipmentId(id)) => {
                if key.endpoint.is_empty() {
                    return Err(Status::invalid_argument(
                        "key.endpoint: required with a shipment id",
                    ));
                }
                Ok((key.endpoint.clone(), id.clone()))
            }
            Some(pb::order_key::Id::WmsOrderNumber(number)) => {
                let record = self
                    .flow
                    .records()
                    .find_by_wms_number(number)
                    .await
                    .map_err(|e| Status::internal(e.to_string()))?
                    .ok_or_else(|| {
                        Status::not_found(format!("no shipment became wms order {number}"))
                    })?;
                Ok((
                    record.shipment.endpoint.to_string(),
                    record.shipment.id.to_string(),
                ))
            }
            Some(pb::order_key::Id::OrderId(_)) => Err(Status::invalid_argument(
                "key.order_id: orders are not imported; name the shipment id or wms order number",
            )),
            None => Err(Status::invalid_argument("key.id: required")),
        }
    }
}

/// How a state shows in the admin contract.
pub fn order_state(state: ShipmentState) -> pb::OrderState {
    match state {
        ShipmentState::Received => pb::OrderState::AwaitingCapture,
        ShipmentState::Imported => pb::OrderState::SentToWarehouse,
        ShipmentState::Shipped => pb::OrderState::Shipped,
        ShipmentState::Completed => pb::OrderState::Completed,
        ShipmentState::Cancelled => pb::OrderState::Cancelled,
        ShipmentState::Parked | ShipmentState::Failed => pb::OrderState::Parked,
        ShipmentState::Discarded => pb::OrderState::Discarded,
    }
}

fn states(state: pb::OrderState) -> Option<Vec<ShipmentState>> {
    let wanted = match state {
        pb::OrderState::Unspecified => return None,
        pb::OrderState::AwaitingCapture => vec![ShipmentState::Received],
        pb::OrderState::SentToWarehouse => vec![ShipmentState::Imported],
        pb::OrderState::Shipped => vec![ShipmentState::Shipped],
        pb::OrderState::Completed => vec![ShipmentState::Completed],
        pb::OrderState::Cancelled => vec![ShipmentState::Cancelled],
        pb::OrderState::Parked => vec![ShipmentState::Parked, ShipmentState::Failed],
        pb::OrderState::Discarded => vec![ShipmentState::Discarded],
    };
    Some(wanted)
}

fn summary(record: &ShipmentRecord) -> pb::OrderSummary {
    pb::OrderSummary {
        endpoint: record.shipment.endpoint.to_string(),
        shipment_id: record.shipment.id.to_string(),
        order_id: record.order_id.clone(),
        wms_order_number: record.wms_order_number.clone(),
        state: order_state(record.state()) as i32,
        updated_at: Some(prost_types_timestamp(record.updated_at)),
        last_error: record
            .hold_reason()
            .map(ToString::to_string)
            .unwrap_or_default(),
    }
}

/// The most shipments one search answers with.
const FOUND_AT_MOST: u32 = 20;
/// The most shipments listed as holding one article.
const HOLDING_AT_MOST: u32 = 50;

fn found(record: &ShipmentRecord, steps: Vec<journey::JourneyStep>) -> pb::FoundShipment {
    pb::FoundShipment {
        summary: Some(summary(record)),
        state_name: record.state().as_str().to_owned(),
        trace_id: record
            .trace_parent
            .as_deref()
            .and_then(journey::trace_id)
            .unwrap_or_default()
            .to_owned(),
        journey: steps
            .into_iter()
            .map(|step| pb::JourneyStep {
                at: Some(prost_types_timestamp(step.at)),
                step: step.step,
                detail: step.detail,
                trace_id: step.trace_id.unwrap_or_default(),
            })
            .collect(),
    }
}

fn prost_types_timestamp(millis: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: millis.div_euclid(1000),
        nanos: i32::try_from(millis.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

/// The answer to a person: the code from the variant, the message from the error's text.
fn status(error: &FlowError) -> Status {
    let code = match error {
        FlowError::Invalid(_) => Code::InvalidArgument,
        FlowError::Unavailable(_) => Code::Unavailable,
        FlowError::Store(_) | FlowError::Illegal(_) => Code::Internal,
        FlowError::Precondition { .. } => Code::FailedPrecondition,
        FlowError::NotFound { .. } => Code::NotFound,
        FlowError::OrderKept { .. } => Code::FailedPrecondition,
    };
    Status::new(code, error.to_string())
}

#[async_trait]
impl OrderAdmin for Admin {
    async fn list_by_state(
        &self,
        request: Request<pb::ListOrdersByStateRequest>,
    ) -> Result<Response<pb::ListOrdersByStateResponse>, Status> {
        let request = request.into_inner();
        let state = pb::OrderState::try_from(request.state).map_err(|_| {
            Status::invalid_argument(format!("state: unknown value {}", request.state))
        })?;
        let wanted = states(state);
        let page_size = match request.page_size {
            0 => 100,
            n => n.min(1000),
        };
        let after = request.page_token.split_once('/');
        if !request.page_token.is_empty() && after.is_none() {
            return Err(Status::invalid_argument(
                "page_token: not a token this service gave out",
            ));
        }
        let endpoint = (!request.endpoint.is_empty()).then_some(request.endpoint.as_str());
        let records = self
            .flow
            .records()
            .list(wanted.as_deref(), endpoint, after, page_size)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        let next_page_token = if records.len() == page_size as usize {
            records
                .last()
                .map(|r| format!("{}/{}", r.shipment.endpoint, r.shipment.id))
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListOrdersByStateResponse {
            orders: records.iter().map(summary).collect(),
            next_page_token,
        }))
    }

    async fn find_shipments(
        &self,
        request: Request<pb::FindShipmentsRequest>,
    ) -> Result<Response<pb::FindShipmentsResponse>, Status> {
        let query = request.into_inner().query.trim().to_owned();
        if query.is_empty() {
            return Err(Status::invalid_argument(
                "query: required (a Centra order id, shipment id or WMS order number)",
            ));
        }
        let records = self.flow.records();
        let matches = records
            .matching(&query, FOUND_AT_MOST)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        let orders = self
            .flow
            .orders()
            .matching(&query, FOUND_AT_MOST)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        if matches.is_empty() && orders.is_empty() {
            return Err(Status::not_found(format!(
                "no shipment has order id, shipment id or wms order number {query}, \
                 and no imported order has order id or wms order number {query}"
            )));
        }
        let mut shipments = Vec::with_capacity(matches.len());
        for record in &matches {
            let steps = journey::of(
                records.store(),
                record.shipment.endpoint.as_str(),
                &record.shipment.id.to_string(),
            )
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
            shipments.push(found(record, steps));
        }
        let orders = orders
            .iter()
            .map(|order| pb::FoundOrder {
                endpoint: order.endpoint.clone(),
                order_id: order.order_id.clone(),
                wms_order_number: order.wms_order_number.clone(),
                state_name: order.state().as_str().to_owned(),
                reason: order.reason().unwrap_or_default().to_owned(),
                wms_order_id: order.wms_order_id.unwrap_or_default(),
            })
            .collect();
        Ok(Response::new(pb::FindShipmentsResponse {
            shipments,
            orders,
        }))
    }

    async fn retry(
        &self,
        request: Request<pb::RetryOrderRequest>,
    ) -> Result<Response<pb::RetryOrderResponse>, Status> {
        let (endpoint, shipment_id) = self.resolve(request.get_ref().key.as_ref()).await?;
        let state = self
            .flow
            .retry(&endpoint, &shipment_id)
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::RetryOrderResponse {
            state: order_state(state) as i32,
        }))
    }

    async fn shipments_holding_article(
        &self,
        request: Request<pb::ShipmentsHoldingArticleRequest>,
    ) -> Result<Response<pb::ShipmentsHoldingArticleResponse>, Status> {
        let article = request.into_inner().article.trim().to_owned();
        if article.is_empty() {
            return Err(Status::invalid_argument(
                "article: required (a WMS article number or an EAN)",
            ));
        }
        let mut records = self
            .flow
            .records()
            .holding(&article, HOLDING_AT_MOST + 1)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        let more = records.len() > HOLDING_AT_MOST as usize;
        records.truncate(HOLDING_AT_MOST as usize);
        Ok(Response::new(pb::ShipmentsHoldingArticleResponse {
            shipments: records.iter().map(summary).collect(),
            more,
        }))
    }

    async fn discard(
        &self,
        request: Request<pb::DiscardOrderRequest>,
    ) -> Result<Response<pb::DiscardOrderResponse>, Status> {
        let request = request.into_inner();
        let by = request.by.trim();
        if by.is_empty() {
            return Err(Status::invalid_argument(
                "by: required (who discards the shipment)",
            ));
        }
        let (endpoint, shipment_id) = self.resolve(request.key.as_ref()).await?;
        let state = self
            .flow
            .discard(&endpoint, &shipment_id, &request.reason, by)
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::DiscardOrderResponse {
            state: order_state(state) as i32,
        }))
    }

    async fn complete_manually(
        &self,
        request: Request<pb::CompleteManuallyRequest>,
    ) -> Result<Response<pb::CompleteManuallyResponse>, Status> {
        let request = request.into_inner();
        let capture = request.capture.ok_or_else(|| {
            Status::invalid_argument("capture: required (true or false), never defaulted")
        })?;
        let (endpoint, shipment_id) = self.resolve(request.key.as_ref()).await?;
        let (already_done, state) = self
            .flow
            .complete_manually(
                &endpoint,
                &shipment_id,
                ManualCompletion {
                    capture,
                    carrier: request.carrier,
                    service: request.service,
                    tracking_numbers: request.tracking_numbers,
                    packages: request.packages,
                    note: request.note,
                },
            )
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::CompleteManuallyResponse {
            already_done,
            state: order_state(state) as i32,
        }))
    }

    async fn resync(
        &self,
        request: Request<pb::ResyncOrderRequest>,
    ) -> Result<Response<pb::ResyncOrderResponse>, Status> {
        let (endpoint, shipment_id) = self.resolve(request.get_ref().key.as_ref()).await?;
        let state = self
            .flow
            .resync(&endpoint, &shipment_id)
            .await
            .map_err(|e| status(&e))?;
        Ok(Response::new(pb::ResyncOrderResponse {
            state: order_state(state) as i32,
        }))
    }
}
