//! From the contracts (`proto`) into the domain: bus events, and Centra's shipment as the gateway
//! answers it (read by the gRPC adapter). Bad input gets an error naming the record and the
//! field. The way out (domain commands to gateway requests) is in `ports/grpc.rs`.

use domain::{
    Address, CentraOrderId, EndpointName, LineId, Parcel, Shipment, ShipmentId, ShipmentLine,
    ShippingMethod, Tracking,
};
use proto::centra::v1 as centra;
use proto::events::v1 as events;

use crate::rules::{PickedLine, ReadyOrder, ShippedReport};

/// An event or answer that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{record}: {field}: {problem}")]
pub struct ConvertError {
    pub record: String,
    pub field: &'static str,
    pub problem: String,
}

fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A line's units, bounded ([`domain::line_quantity`]); the error names the record, the field
/// and the line.
pub(crate) fn count(
    record: &str,
    field: &'static str,
    line: &str,
    value: i64,
) -> Result<u32, ConvertError> {
    domain::line_quantity(value).map_err(|e| ConvertError {
        record: record.to_owned(),
        field,
        problem: format!("line {line}: {e}"),
    })
}

fn address(a: Option<&events::Address>) -> Address {
    let Some(a) = a else {
        return Address::default();
    };
    Address {
        name: a.name.trim().to_owned(),
        company: text(&a.company),
        address1: a.address_line1.trim().to_owned(),
        address2: text(&a.address_line2),
        zip_code: a.zip_code.trim().to_owned(),
        city: a.city.trim().to_owned(),
        state: text(&a.state),
        country_code: a.country_code.trim().to_owned(),
        email: text(&a.email),
        phone: text(&a.mobile_phone).or_else(|| text(&a.phone)),
    }
}

fn shipping_method(m: Option<&events::ShippingMethod>) -> ShippingMethod {
    m.map(|m| ShippingMethod {
        carrier: text(&m.carrier),
        service: text(&m.service),
        shipping_list: text(&m.shipping_list),
    })
    .unwrap_or_default()
}

/// Shelf lines only. Centra's published `GET /orders` and `GET /shipments` examples (REF/104,
/// REF/107) show a bundle as one line with `isBundle: true`, its parts repeated under
/// `bundle[]`, and each part again as a line of its own with `isPartOfBundle` naming the
/// bundle. The bundle is the product sold, not a thing on a shelf (`POST /stock` refuses it:
/// `productsAreBundles`, REF/303), so the warehouse gets the part lines and never the bundle;
/// the gateway reads top-level lines only, so parts are not counted twice.
fn lines(record: &str, lines: &[events::ProductLine]) -> Result<Vec<ShipmentLine>, ConvertError> {
    lines
        .iter()
        .filter(|l| !l.is_bundle)
        .map(|l| {
            Ok(ShipmentLine {
                line_id: LineId::new(l.line_id.trim()),
                sku: l.sku.clone(),
                variant_sku: l.variant_sku.clone(),
                size_sku: l.size_sku.clone(),
                ean: text(&l.ean),
                quantity: count(record, "quantity", l.line_id.trim(), l.quantity)?,
            })
        })
        .collect()
}

fn ids(endpoint: &str, shipment_id: &str) -> Result<(EndpointName, ShipmentId), ConvertError> {
    let record = format!("shipment {shipment_id:?}");
    let endpoint = EndpointName::parse(endpoint).map_err(|e| ConvertError {
        record: record.clone(),
        field: "endpoint",
        problem: e.to_string(),
    })?;
    let id = ShipmentId::parse(shipment_id).map_err(|e| ConvertError {
        record,
        field: "shipment_id",
        problem: e.to_string(),
    })?;
    Ok((endpoint, id))
}

/// A good-to-go event as a domain shipment.
pub fn shipment_from_event(event: &events::ShipmentGoodToGo) -> Result<Shipment, ConvertError> {
    let (endpoint, id) = ids(&event.endpoint, &event.shipment_id)?;
    Ok(Shipment {
        id,
        endpoint,
        paid: event.paid,
        should_capture: event.should_capture,
        good_to_go: true,
        delivery: address(event.delivery_address.as_ref()),
        shipping_method: shipping_method(event.shipping_method.as_ref()),
        lines: lines(&format!("shipment {id}"), &event.lines)?,
    })
}

/// What a cancellation tells of a shipment never seen good to go: who it is, nothing to ship.
/// Kept so a later good-to-go redelivery finds it cancelled and does not import it.
pub fn shipment_from_cancellation(
    event: &events::ShipmentCancelled,
) -> Result<Shipment, ConvertError> {
    let (endpoint, id) = ids(&event.endpoint, &event.shipment_id)?;
    Ok(Shipment {
        id,
        endpoint,
        paid: false,
        should_capture: false,
        good_to_go: false,
        delivery: Address::default(),
        shipping_method: ShippingMethod::default(),
        lines: Vec::new(),
    })
}

/// A ready order (order import) as the import rules need it.
pub fn order_from_event(event: &events::OrderReady) -> Result<ReadyOrder, ConvertError> {
    let record = format!("order {:?}", event.order_id);
    let endpoint = EndpointName::parse(&event.endpoint).map_err(|e| ConvertError {
        record: record.clone(),
        field: "endpoint",
        problem: e.to_string(),
    })?;
    let id = CentraOrderId::parse(event.order_id.trim()).map_err(|e| ConvertError {
        record: record.clone(),
        field: "order_id",
        problem: e.to_string(),
    })?;
    let lines = lines(&record, &event.lines)?;
    Ok(ReadyOrder {
        endpoint,
        id,
        on_hold: event.on_hold,
        waiting_for_payment: event.waiting_for_payment,
        delivery: address(event.delivery_address.as_ref()),
        shipping_method: shipping_method(event.shipping_method.as_ref()),
        lines,
    })
}

/// A shipment re-read from Centra (resync) as a domain shipment.
pub fn shipment_from_centra(
    endpoint: &str,
    shipment: &centra::Shipment,
) -> Result<Shipment, ConvertError> {
    let (endpoint, id) = ids(endpoint, &shipment.shipment_id)?;
    Ok(Shipment {
        id,
        endpoint,
        paid: shipment.paid,
        should_capture: shipment.should_capture,
        good_to_go: shipment.status == centra::ShipmentStatus::GoodToGo as i32,
        delivery: address(shipment.delivery_address.as_ref()),
        shipping_method: shipping_method(shipment.shipping_method.as_ref()),
        lines: lines(&format!("shipment {id}"), &shipment.lines)?,
    })
}

/// What the warehouse reported, with every tracking number and parcel kept (returns dropped).
///
/// # Errors
/// A line whose ordered or picked units are negative or beyond [`domain::MAX_LINE_QUANTITY`].
pub fn shipped_report(event: &events::WmsOrderShipped) -> Result<ShippedReport, ConvertError> {
    let record = format!("wms order {:?}", event.order_number);
    let mut numbers = event
        .tracking
        .iter()
        .filter(|t| !t.is_return)
        .filter(|t| !t.number.trim().is_empty());
    let first = numbers.next();
    let mut parcels: Vec<Parcel> = numbers
        .map(|t| Parcel {
            number: text(&t.number),
            tracking_url: text(&t.url),
        })
        .collect();
    parcels.extend(
        event
            .parcels
            .iter()
            .filter(|p| !p.is_return)
            .map(|p| Parcel {
                number: text(&p.parcel_number),
                tracking_url: text(&p.tracking_url),
            }),
    );
    let lines = event
        .lines
        .iter()
        .map(|l| {
            let line = l.external_id.trim();
            Ok(PickedLine {
                line_id: LineId::new(line),
                wms_line_id: l.line_id,
                ordered: count(
                    &record,
                    "ordered_number_of_items",
                    line,
                    l.ordered_number_of_items,
                )?,
                picked: count(
                    &record,
                    "picked_number_of_items",
                    line,
                    l.picked_number_of_items,
                )?,
            })
        })
        .collect::<Result<Vec<_>, ConvertError>>()?;
    Ok(ShippedReport {
        wms_order_id: event.order_id,
        tracking: Tracking {
            transporter_code: event
                .transporter
                .as_ref()
                .and_then(|t| text(&t.transporter_code)),
            transporter_service: event
                .transporter
                .as_ref()
                .and_then(|t| text(&t.service_code)),
            waybill: first.and_then(|t| text(&t.number)),
            tracking_url: first.and_then(|t| text(&t.url)),
            parcels,
        },
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_shipment_ids_name_the_field() {
        let event = events::ShipmentGoodToGo {
            endpoint: "shop1".into(),
            shipment_id: "83651".into(),
            ..Default::default()
        };
        let err = shipment_from_event(&event).expect_err("bad id");
        assert_eq!(err.field, "shipment_id");
        assert!(
            err.to_string()
                .starts_with("shipment \"83651\": shipment_id:")
        );
    }

    /// A negative or absurd quantity is refused naming the line, never clamped to 0 or to
    /// four billion.
    #[test]
    fn quantities_out_of_bounds_name_the_line() {
        let event = |quantity| events::ShipmentGoodToGo {
            endpoint: "shop1".into(),
            shipment_id: "1-1".into(),
            lines: vec![events::ProductLine {
                line_id: "7".into(),
                sku: "A".into(),
                quantity,
                ..Default::default()
            }],
            ..Default::default()
        };
        let err = shipment_from_event(&event(5_000_000_000)).expect_err("absurd");
        assert_eq!(
            err.to_string(),
            "shipment 1-1: quantity: line 7: 5000000000 is more than 1000000, the most one line \
             may carry"
        );
        let err = shipment_from_event(&event(-1)).expect_err("negative");
        assert_eq!(
            err.to_string(),
            "shipment 1-1: quantity: line 7: -1 is negative"
        );
        assert!(shipment_from_event(&event(1_000_000)).is_ok());

        let shipped = events::WmsOrderShipped {
            order_number: "1-1".into(),
            lines: vec![events::ShippedLine {
                external_id: "7".into(),
                ordered_number_of_items: 2,
                picked_number_of_items: -2,
                ..Default::default()
            }],
            ..Default::default()
        };
        let err = shipped_report(&shipped).expect_err("negative pick");
        assert_eq!(err.field, "picked_number_of_items");
    }

    #[test]
    fn bundle_headers_are_not_shelf_lines() {
        let event = events::ShipmentGoodToGo {
            endpoint: "shop1".into(),
            shipment_id: "1-1".into(),
            lines: vec![
                events::ProductLine {
                    line_id: "1".into(),
                    is_bundle: true,
                    quantity: 1,
                    ..Default::default()
                },
                events::ProductLine {
                    line_id: "2".into(),
                    sku: "A".into(),
                    quantity: 3,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let shipment = shipment_from_event(&event).expect("ok");
        assert_eq!(shipment.lines.len(), 1);
        assert_eq!(shipment.lines[0].quantity, 3);
    }

    #[test]
    fn every_tracking_number_and_parcel_is_kept() {
        let event = events::WmsOrderShipped {
            order_id: 9,
            tracking: vec![
                events::Tracking {
                    number: "WB".into(),
                    ..Default::default()
                },
                events::Tracking {
                    number: "T2".into(),
                    ..Default::default()
                },
                events::Tracking {
                    number: "RET".into(),
                    is_return: true,
                    ..Default::default()
                },
            ],
            parcels: vec![events::Parcel {
                parcel_number: "P1".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let report = shipped_report(&event).expect("readable");
        assert_eq!(report.tracking.tracking_numbers(), vec!["WB", "T2", "P1"]);
    }
}
