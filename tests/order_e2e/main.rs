//! The money flow end to end: centra-sim and a WMS simulator (ongoing-sim or ogoship-sim), with
//! CentraGateway, that WMS's gateway (ongoing-gateway or ogoship-gateway), CatalogSync and
//! OrderSync in one runtime, against both WMS and in both shapes: embedded (SQLite, embedded bus,
//! gRPC in process) and distributed (NATS JetStream, PostgreSQL, gRPC over TCP), and through
//! both Centra adapters (the Order API, and the GraphQL Integration API for what it serves). Effects are
//! checked through the simulators' control API (`/_sim/state`) and order-sync's admin
//! service, never through the services' own tables.
//!
//! ```text
//! harness.rs       simulators, runtime of either shape, waits
//! completion.rs    capture policies, completion modes, partial picks, parcels, missing article
//! bundles.rs       a bundle's parts are picked, the bundle is never a WMS line
//! endpoints.rs     a retail and a wholesale end-point, each completing its own shipments
//! import.rs        import shipments / orders / both, only_paid, shipping-method map, held orders
//! cancellation.rs  taken back before and after the warehouse started
//! inbound.rs       supplier deliveries to purchase orders and back
//! faults.rs        1,000 shipments through 10% errors and 5% lost answers, exactly once
//! ```

mod bundles;
mod cancellation;
mod completion;
mod endpoints;
mod faults;
mod harness;
mod import;
mod inbound;

// One test per shape and WMS for each scenario (`centra_wms_tests::suite`), and again per shape
// and WMS with `shop1` on the GraphQL Integration API (`::graphql::`; the catalog read from
// it too, see `centra_wms_tests::e2e::CentraAdapter`); the
// distributed ones need NATS and PostgreSQL, and under CI their absence fails.
centra_wms_tests::in_every_setup!(
    setup = crate::harness::setup;
    // OGOship API v1 reports no picked quantity per line (a shipped order counts as picked in
    // full), so the partial pick this scenario parks cannot be told to the gateway.
    completion::default_settings_import_once_complete_once_and_park_what_centra_refuses [only ongoing],
    // OGOship API v1 reports no picked quantity per line: no partial quantities to update.
    completion::capture_on_completion_updates_partial_quantities_then_captures_once [only ongoing],
    // Docs section 10 shows no "should capture" (authorised, capturable) on a GraphQL shipment,
    // so settings refuse capturing at import on a GraphQL end-point (domain settings test
    // api_graphql_refuses_capturing_at_import) rather than park every unpaid shipment there.
    completion::capture_on_import_ships_only_what_was_captured order_api_only,
    completion::manual_completion_waits_for_a_person,
    // OGOship API v1 has one tracking number per order: no parcels. GraphQL `completeShipment`
    // takes one `shipmentInfo.trackingNumber` (docs section 10), so the GraphQL adapter refuses
    // a completion with several.
    completion::multi_parcel_tracking_is_kept [only ongoing] order_api_only,
    import::orders_are_imported_as_themselves,
    import::both_never_imports_an_order_twice,
    import::only_paid_shipments_are_imported,
    import::unmapped_shipping_methods_are_parked,
    // Ongoing takes an order without a phone number; only OGOship holds orders as invalid
    // (`reserved`, P6), so only there is one kept for a person.
    import::an_order_the_warehouse_holds_as_invalid_is_kept_for_a_person [only ogoship],
    cancellation::cancelled_shipments_cancel_the_wms_order_or_wait_for_a_person,
    // This scenario under- and over-delivers: the Integration API's accept takes no quantities
    // (centra.dev/graphql/purchaseorderdeliveryacceptinput.html: a delivery is accepted as it
    // stands), so through GraphQL the gateway refuses such a receipt for a person to correct
    // the delivery in AMS, and Centra makes no follow-up delivery for the units not received.
    inbound::supplier_deliveries_are_received_and_accepted_exactly_once order_api_only,
    inbound::deliveries_before_during_and_after_the_catalog_import_all_arrive,
    inbound::a_delivery_received_as_announced_is_accepted_once,
    // Docs section 10 does not show bundles on a GraphQL shipment line (centra-sim's Integration
    // API answers a bundle line as a plain line without a productSize), so the bundle cannot be
    // told from its parts there.
    bundles::bundle_parts_are_picked_and_the_bundle_is_not order_api_only,
    endpoints::retail_and_wholesale_endpoints_each_complete_their_own_shipments,
);
