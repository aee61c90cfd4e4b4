//! The ports over the gateways' generated gRPC clients: domain commands become the gateway
//! contracts here and nowhere else, and every failure becomes a `domain::PortError` through
//! `platform_runtime::port_error` (the kind made from the status code and its typed reasons).

use async_trait::async_trait;
use domain::{Address, ArticleLine, CentraProductKey, EndpointName, PortError, ShipmentId};
use platform_runtime::{GrpcChannel, port_error};
use proto::centra::v1 as centra;
use proto::centra::v1::centra_gateway_client::CentraGatewayClient;
use proto::wms::v1 as wms;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;

use super::{
    CentraShipment, CentraShipments, Completion, DeliveryAcceptance, PickedReported,
    QuantityUpdate, WmsCancellation, WmsOrder, WmsOrders, WmsPurchaseOrder,
};
use crate::convert;

const CENTRA: &str = "centra-gateway";
const WMS: &str = "wms-gateway";

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

fn completion_request(completion: &Completion) -> centra::CompleteShipmentRequest {
    centra::CompleteShipmentRequest {
        idempotency_key: completion.idempotency_key.clone(),
        endpoint: completion.endpoint.to_string(),
        order_id: completion.order_id.clone(),
        shipment_id: completion.shipment_id.to_string(),
        // Always sent: left out, Centra would capture by its own default.
        capture: Some(completion.capture),
        carrier: completion.carrier.clone(),
        service: completion.service.clone(),
        tracking_numbers: completion.tracking_numbers.clone(),
        packages: completion.packages,
        internal_comment: completion.internal_comment.clone(),
        ..centra::CompleteShipmentRequest::default()
    }
}

#[async_trait]
impl CentraShipments for GrpcCentra {
    async fn capture(
        &self,
        idempotency_key: &str,
        endpoint: &EndpointName,
        shipment_id: &ShipmentId,
    ) -> Result<(), PortError> {
        let request = centra::CaptureShipmentRequest {
            idempotency_key: idempotency_key.to_owned(),
            endpoint: endpoint.to_string(),
            shipment_id: shipment_id.to_string(),
        };
        let mut client = self.client.clone();
        client
            .capture_shipment(request)
            .await
            .map(|_| ())
            .map_err(|s| port_error(CENTRA, s))
    }

    async fn shipment(
        &self,
        endpoint: &EndpointName,
        shipment_id: &ShipmentId,
    ) -> Result<CentraShipment, PortError> {
        let mut client = self.client.clone();
        let request = centra::GetShipmentRequest {
            endpoint: endpoint.to_string(),
            shipment_id: shipment_id.to_string(),
        };
        let answer = client
            .get_shipment(request)
            .await
            .map_err(|s| port_error(CENTRA, s))?;
        let shipment = answer.into_inner().shipment.ok_or_else(|| {
            PortError::refused(
                CENTRA,
                format!("centra has no shipment {shipment_id} on {endpoint}"),
            )
        })?;
        let completed = shipment.status == centra::ShipmentStatus::Completed as i32;
        let shipment = convert::shipment_from_centra(endpoint.as_str(), &shipment)
            .map_err(|e| PortError::broken_answer(CENTRA, e.to_string()).with_source(e))?;
        Ok(CentraShipment {
            shipment,
            completed,
        })
    }

    async fn update_quantities(&self, update: &QuantityUpdate) -> Result<(), PortError> {
        let request = centra::UpdateShipmentQuantitiesRequest {
            idempotency_key: update.idempotency_key.clone(),
            endpoint: update.endpoint.to_string(),
            shipment_id: update.shipment_id.to_string(),
            lines: update
                .lines
                .iter()
                .map(|(line, quantity)| centra::LineQuantity {
                    line_id: line.as_str().to_owned(),
                    quantity: i64::from(*quantity),
                })
                .collect(),
        };
        let mut client = self.client.clone();
        client
            .update_shipment_quantities(request)
            .await
            .map(|_| ())
            .map_err(|s| port_error(CENTRA, s))
    }

    async fn complete(&self, completion: &Completion) -> Result<bool, PortError> {
        let request = completion_request(completion);
        let mut client = self.client.clone();
        client
            .complete_shipment(request)
            .await
            .map(|r| r.into_inner().already_done)
            .map_err(|s| port_error(CENTRA, s))
    }

    async fn accept_delivery(&self, acceptance: &DeliveryAcceptance) -> Result<bool, PortError> {
        let request = centra::AcceptSupplierDeliveryRequest {
            idempotency_key: acceptance.idempotency_key.clone(),
            endpoint: acceptance.endpoint.clone(),
            delivery_id: acceptance.delivery_id.clone(),
            key_kind: match acceptance.key {
                CentraProductKey::Ean => centra::ProductKeyKind::Ean,
                CentraProductKey::JoinedSku => centra::ProductKeyKind::JoinedSku,
            } as i32,
            quantities: acceptance
                .quantities
                .iter()
                .map(|(product, quantity)| centra::AcceptedQuantity {
                    product: product.clone(),
                    quantity: i64::from(*quantity),
                })
                .collect(),
            insert_stock: acceptance.insert_stock,
        };
        let mut client = self.client.clone();
        client
            .accept_supplier_delivery(request)
            .await
            .map(|r| r.into_inner().already_done)
            .map_err(|s| port_error(CENTRA, s))
    }
}

/// [`WmsOrders`] through the WMS gateway.
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

/// The WMS consignee of a delivery address: the person's name first, the company as a third
/// address line (a company alone is the name).
fn consignee(a: &Address) -> wms::Consignee {
    wms::Consignee {
        name: if a.name.is_empty() {
            a.company.clone().unwrap_or_default()
        } else {
            a.name.clone()
        },
        address1: a.address1.clone(),
        address2: a.address2.clone().unwrap_or_default(),
        address3: if a.name.is_empty() {
            String::new()
        } else {
            a.company.clone().unwrap_or_default()
        },
        post_code: a.zip_code.clone(),
        city: a.city.clone(),
        country_code: a.country_code.clone(),
        country_state_code: a.state.clone().unwrap_or_default(),
        email: a.email.clone().unwrap_or_default(),
        mobile_phone: a.phone.clone().unwrap_or_default(),
        ..wms::Consignee::default()
    }
}

/// WMS order lines: one per shipment line, the Centra line id as external id.
fn order_lines(lines: &[ArticleLine]) -> Vec<wms::OrderLine> {
    lines
        .iter()
        .map(|l| wms::OrderLine {
            row_number: l.row_number.to_string(),
            article_number: l.article_number.as_str().to_owned(),
            number_of_items: i64::from(l.quantity),
            external_id: l.line_id.as_str().to_owned(),
            ..wms::OrderLine::default()
        })
        .collect()
}

fn order_request(order: &WmsOrder) -> wms::UpsertOrderRequest {
    wms::UpsertOrderRequest {
        idempotency_key: order.idempotency_key.clone(),
        warehouse: order.warehouse.clone(),
        order_number: order.order_number.clone(),
        delivery_date: order.delivery_date.format("%Y-%m-%d").to_string(),
        consignee: Some(consignee(&order.consignee)),
        transporter: order.transporter.as_ref().map(|t| wms::TransporterChoice {
            transporter_code: t.transporter_code.clone(),
            transporter_service_code: t.transporter_service_code.clone().unwrap_or_default(),
        }),
        lines: order_lines(&order.lines),
        reference_number: order.centra_order_id.clone(),
        goods_owner_order_id: order.shop_order_id.clone(),
        ..wms::UpsertOrderRequest::default()
    }
}

fn purchase_order_request(order: &WmsPurchaseOrder) -> wms::UpsertPurchaseOrderRequest {
    wms::UpsertPurchaseOrderRequest {
        idempotency_key: order.idempotency_key.clone(),
        warehouse: order.warehouse.clone(),
        purchase_order_number: order.purchase_order_number.clone(),
        supplier_order_number: order.supplier_order_number.clone(),
        supplier_name: order.supplier_name.clone(),
        in_date: order.in_date.map(|t| prost_types::Timestamp {
            seconds: t.timestamp(),
            nanos: 0,
        }),
        remark: order.remark.clone(),
        reference_number: order.reference.clone(),
        lines: order
            .lines
            .iter()
            .map(|l| wms::PurchaseOrderLine {
                row_number: l.row_number.to_string(),
                article_number: l.article_number.as_str().to_owned(),
                number_of_items: i64::from(l.quantity),
                ..wms::PurchaseOrderLine::default()
            })
            .collect(),
    }
}

#[async_trait]
impl WmsOrders for GrpcWms {
    async fn upsert_order(&self, order: &WmsOrder) -> Result<i64, PortError> {
        let mut client = self.client.clone();
        client
            .upsert_order(order_request(order))
            .await
            .map(|r| r.into_inner().order_id)
            .map_err(|s| port_error(WMS, s))
    }

    async fn cancel_order(&self, cancellation: &WmsCancellation) -> Result<bool, PortError> {
        let request = wms::CancelOrderRequest {
            idempotency_key: cancellation.idempotency_key.clone(),
            warehouse: cancellation.warehouse.clone(),
            order_number: cancellation.order_number.clone(),
        };
        let mut client = self.client.clone();
        client
            .cancel_order(request)
            .await
            .map(|r| r.into_inner().already_done)
            .map_err(|s| port_error(WMS, s))
    }

    async fn upsert_purchase_order(&self, order: &WmsPurchaseOrder) -> Result<i64, PortError> {
        let mut client = self.client.clone();
        client
            .upsert_purchase_order(purchase_order_request(order))
            .await
            .map(|r| r.into_inner().purchase_order_id)
            .map_err(|s| port_error(WMS, s))
    }

    async fn acknowledge_picked(&self, report: &PickedReported) -> Result<(), PortError> {
        let request = wms::AcknowledgeReportedRequest {
            idempotency_key: report.idempotency_key.clone(),
            warehouse: report.warehouse.clone(),
            report: Some(wms::acknowledge_reported_request::Report::OrderLines(
                wms::OrderLinesReported {
                    order_id: report.wms_order_id,
                    order_number: report.wms_order_number.clone(),
                    lines: report
                        .lines
                        .iter()
                        .map(|(line_id, reported)| wms::ReportedLine {
                            line_id: *line_id,
                            reported_number_of_items: i64::from(*reported),
                        })
                        .collect(),
                },
            )),
        };
        let mut client = self.client.clone();
        client
            .acknowledge_reported(request)
            .await
            .map(|_| ())
            .map_err(|s| port_error(WMS, s))
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use domain::{LineId, PortErrorKind};

    use super::*;

    #[test]
    fn a_company_without_a_person_is_the_consignee_name() {
        let company_only = Address {
            company: Some("Acme AB".into()),
            ..Address::default()
        };
        let c = consignee(&company_only);
        assert_eq!((c.name.as_str(), c.address3.as_str()), ("Acme AB", ""));
        let both = Address {
            name: "Ann".into(),
            company: Some("Acme AB".into()),
            ..Address::default()
        };
        let c = consignee(&both);
        assert_eq!((c.name.as_str(), c.address3.as_str()), ("Ann", "Acme AB"));
    }

    #[test]
    fn order_lines_keep_the_centra_line_as_external_id() {
        let order = WmsOrder {
            idempotency_key: "k".into(),
            warehouse: "main".into(),
            order_number: "shop1-1-1".into(),
            delivery_date: NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
            consignee: Address::default(),
            transporter: None,
            lines: vec![ArticleLine {
                row_number: 1,
                line_id: LineId::new("77"),
                article_number: domain::ArticleNumber::from_wms("SHIRTREDM").expect("number"),
                quantity: 2,
            }],
            centra_order_id: "1".into(),
            shop_order_id: "1-1".into(),
        };
        let request = order_request(&order);
        assert_eq!(request.delivery_date, "2026-12-04");
        assert_eq!(request.lines[0].external_id, "77");
        assert_eq!(request.lines[0].row_number, "1");
        assert_eq!(request.lines[0].number_of_items, 2);
    }

    #[test]
    fn capture_false_is_sent_explicitly() {
        let completion = Completion {
            idempotency_key: "k".into(),
            endpoint: EndpointName::parse("shop1").expect("endpoint"),
            order_id: "1".into(),
            shipment_id: ShipmentId::parse("1-1").expect("id"),
            capture: false,
            carrier: String::new(),
            service: String::new(),
            tracking_numbers: vec!["WB1".into()],
            packages: 1,
            internal_comment: String::new(),
        };
        assert_eq!(completion_request(&completion).capture, Some(false));
    }

    #[test]
    fn a_gateway_refusal_with_the_typed_reason_names_the_missing_articles() {
        let status =
            proto::reasons::articles_missing("Artikel existiert nicht", &["SHIRTREDM".to_owned()]);
        let error = port_error(WMS, status);
        assert_eq!(error.kind(), PortErrorKind::ArticlesMissing);
        assert_eq!(error.missing_articles(), ["SHIRTREDM".to_owned()]);
    }
}
