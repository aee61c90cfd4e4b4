//! Events survive a prost encode/decode unchanged, and the descriptor set lists every contract.

use prost::Message;
use proto::centra::v1::CompleteShipmentRequest;
use proto::events::v1::{
    Address, EventMeta, ProductLine, ShipmentGoodToGo, ShippingMethod, WmsStockChanged,
};

fn shipment_good_to_go() -> ShipmentGoodToGo {
    ShipmentGoodToGo {
        meta: Some(EventMeta {
            event_id: "centra:shop1:shipment:83651-1:gtg".to_owned(),
            occurred_at: Some(prost_types::Timestamp {
                seconds: 1_328_368_573,
                nanos: 0,
            }),
            source: "shop1".to_owned(),
        }),
        endpoint: "shop1".to_owned(),
        shipment_id: "83651-1".to_owned(),
        order_id: "83651".to_owned(),
        paid: true,
        should_capture: false,
        delivery_address: Some(Address {
            name: "Someones Name".to_owned(),
            email: "someone@example.com".to_owned(),
            mobile_phone: "+4912345678".to_owned(),
            address_line1: "Examplestreet 1".to_owned(),
            zip_code: "12345".to_owned(),
            city: "Somecity".to_owned(),
            country_code: "DE".to_owned(),
            ..Address::default()
        }),
        shipping_method: Some(ShippingMethod {
            carrier: "Delivery Carrier".to_owned(),
            service: "Delivery Service".to_owned(),
            shipping_list: "standard".to_owned(),
        }),
        lines: vec![
            ProductLine {
                line_id: "43243".to_owned(),
                sku: "S123K456U1".to_owned(),
                ean: "1234567890123".to_owned(),
                quantity: 1,
                unit_price: "450.50".to_owned(),
                ..ProductLine::default()
            },
            ProductLine {
                line_id: "43244".to_owned(),
                sku: "S123K456U2".to_owned(),
                variant_sku: "740".to_owned(),
                size_sku: "01".to_owned(),
                ean: "1234567890124".to_owned(),
                quantity: 2,
                is_bundle: true,
                ..ProductLine::default()
            },
        ],
        currency: "EUR".to_owned(),
        order_date: None,
        on_hold: false,
        suspect: false,
    }
}

#[test]
fn shipment_good_to_go_round_trips_through_prost() {
    let event = shipment_good_to_go();
    let bytes = event.encode_to_vec();
    let decoded = ShipmentGoodToGo::decode(bytes.as_slice()).expect("decodes");
    assert_eq!(decoded, event);
    assert_eq!(decoded.lines[1].quantity, 2);
}

#[test]
fn negative_sellable_stock_survives_the_wire() {
    let event = WmsStockChanged {
        article_number: "S123K45674001".to_owned(),
        number_of_items: 3,
        sellable_number_of_items: -2,
        booked_number_of_items: 5,
        ..WmsStockChanged::default()
    };
    let decoded = WmsStockChanged::decode(event.encode_to_vec().as_slice()).expect("decodes");
    assert_eq!(decoded.sellable_number_of_items, -2);
    assert_eq!(decoded, event);
}

/// `capture` must never silently default: an unset value is distinguishable from `false`.
#[test]
fn complete_shipment_capture_keeps_presence() {
    let unset = CompleteShipmentRequest::default();
    let decoded =
        CompleteShipmentRequest::decode(unset.encode_to_vec().as_slice()).expect("decodes");
    assert_eq!(decoded.capture, None);

    let explicit_false = CompleteShipmentRequest {
        capture: Some(false),
        ..CompleteShipmentRequest::default()
    };
    let decoded = CompleteShipmentRequest::decode(explicit_false.encode_to_vec().as_slice())
        .expect("decodes");
    assert_eq!(decoded.capture, Some(false));
}

#[test]
fn descriptor_set_lists_every_package_and_service() {
    let set = prost_types::FileDescriptorSet::decode(proto::FILE_DESCRIPTOR_SET)
        .expect("descriptor set decodes");
    let services: Vec<String> = set
        .file
        .iter()
        .flat_map(|file| {
            file.service
                .iter()
                .map(move |s| format!("{}.{}", file.package(), s.name()))
        })
        .collect();
    for expected in [
        "centrawms.centra.v1.CentraGateway",
        "centrawms.wms.v1.WmsGateway",
        "centrawms.admin.v1.DeadLetters",
        "centrawms.admin.v1.FlowStatus",
        "centrawms.admin.v1.CatalogAdmin",
        "centrawms.admin.v1.OrderAdmin",
        "centrawms.admin.v1.StockAdmin",
        "centrawms.admin.v1.ReturnsAdmin",
        "centrawms.admin.v1.Diagnostics",
    ] {
        assert!(
            services.iter().any(|s| s == expected),
            "{expected} missing from {services:?}"
        );
    }
    let events_file_messages: usize = set
        .file
        .iter()
        .filter(|file| file.package() == "centrawms.events.v1")
        .map(|file| file.message_type.len())
        .sum();
    assert!(events_file_messages >= 11, "got {events_file_messages}");
}
