//! The contract: what `CentraReturns` and `WmsReturns` promise (see `returns_sync::ports`), one
//! plain async fn per case, run by `main.rs` against every implementation.

use std::collections::BTreeMap;

use domain::{PortError, PortErrorKind};
use returns_sync::ports::{NewCentraReturn, ReturnedReported};

use crate::world::{CentraWorld, ENDPOINT, WAREHOUSE, WmsWorld};

/// A shipment id of the right form that no world has.
const UNKNOWN_SHIPMENT: &str = "987654-1";

/// The error of `result`, failing the case on success.
fn failure<T: std::fmt::Debug>(what: &str, result: Result<T, PortError>) -> PortError {
    match result {
        Ok(answer) => panic!("{what}: expected a failure, got Ok({answer:?})"),
        Err(error) => error,
    }
}

fn new_return(key: &str, shipment_id: &str, lines: BTreeMap<String, i64>) -> NewCentraReturn {
    NewCentraReturn {
        idempotency_key: key.to_owned(),
        endpoint: ENDPOINT.to_owned(),
        shipment_id: shipment_id.to_owned(),
        lines,
        comment: "Too small".to_owned(),
        return_stock: Some(false),
    }
}

/// The one line of the shipment, as the port reads it.
async fn only_line(world: &impl CentraWorld, shipment_id: &str) -> (String, i64) {
    let lines = world
        .port()
        .shipment_lines(ENDPOINT, shipment_id)
        .await
        .expect("shipment lines");
    assert_eq!(lines.len(), 1, "one line: {lines:?}");
    lines.into_iter().next().expect("one line")
}

/// The lines of a shipment are Centra's: each line id with its units.
pub async fn shipment_lines_are_centras(world: &impl CentraWorld) {
    let id = world.shipment(3).await;
    let (line, units) = only_line(world, &id).await;
    assert!(!line.is_empty(), "a line id");
    assert_eq!(units, 3);
}

/// A shipment Centra does not know is `Refused`, to read and to return.
pub async fn an_unknown_shipment_is_refused(world: &impl CentraWorld) {
    let error = failure(
        "lines of an unknown shipment",
        world
            .port()
            .shipment_lines(ENDPOINT, UNKNOWN_SHIPMENT)
            .await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert!(!error.is_retryable(), "{error}");
    let new = new_return(
        "wms-return-unknown",
        UNKNOWN_SHIPMENT,
        BTreeMap::from([("1".to_owned(), 1)]),
    );
    let error = failure(
        "return of an unknown shipment",
        world.port().create_return(&new).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
}

/// The same return twice with the same key is one return: the same id, `already_done` the
/// second time.
pub async fn the_same_return_twice_is_one_return(world: &impl CentraWorld) {
    let id = world.shipment(2).await;
    let (line, _) = only_line(world, &id).await;
    let new = new_return("wms-return-1", &id, BTreeMap::from([(line, 1)]));
    let port = world.port();
    let first = port.create_return(&new).await.expect("first create");
    assert!(!first.already_done, "{first:?}");
    let second = port.create_return(&new).await.expect("second create");
    assert_eq!(second.return_id, first.return_id, "the same return");
    assert!(second.already_done, "{second:?}");
    assert_eq!(world.returns(&id).await, 1, "one return in Centra");
}

/// Another key is another return.
pub async fn another_key_is_another_return(world: &impl CentraWorld) {
    let id = world.shipment(2).await;
    let (line, _) = only_line(world, &id).await;
    let port = world.port();
    let lines = BTreeMap::from([(line, 1)]);
    let first = port
        .create_return(&new_return("wms-return-1", &id, lines.clone()))
        .await
        .expect("first return");
    let second = port
        .create_return(&new_return("wms-return-2", &id, lines))
        .await
        .expect("second return");
    assert_ne!(first.return_id, second.return_id);
    assert!(!second.already_done, "{second:?}");
    assert_eq!(world.returns(&id).await, 2, "two returns in Centra");
}

/// A line of no units is a return to change: `Refused`, and no return is made.
pub async fn a_return_of_no_units_is_refused(world: &impl CentraWorld) {
    let id = world.shipment(2).await;
    let (line, _) = only_line(world, &id).await;
    let new = new_return("wms-return-0", &id, BTreeMap::from([(line, 0)]));
    let error = failure("return of no units", world.port().create_return(&new).await);
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert_eq!(world.returns(&id).await, 0, "no return in Centra");
}

/// A call while Centra is down fails `Unavailable`, retryable.
pub async fn centra_down_is_unavailable(world: &impl CentraWorld) {
    let id = world.shipment(1).await;
    let (line, _) = only_line(world, &id).await;
    world.go_down().await;
    let new = new_return("wms-return-down", &id, BTreeMap::from([(line, 1)]));
    let error = failure(
        "return while Centra is down",
        world.port().create_return(&new).await,
    );
    assert_eq!(error.kind(), PortErrorKind::Unavailable, "{error}");
    assert!(error.is_retryable());
}

/// The acknowledgement of `lines` of `order` under `key`, for the return `key` names.
fn reported(key: &str, order: i64, lines: BTreeMap<i64, i64>) -> ReturnedReported {
    ReturnedReported {
        idempotency_key: key.to_owned(),
        warehouse: WAREHOUSE.to_owned(),
        wms_order_id: order,
        return_id: key.to_owned(),
        lines,
    }
}

/// An order id no WMS world has.
const UNKNOWN_ORDER: i64 = 987_654;

/// Reported returned units are set, the same call again changes nothing, and a lower total
/// never takes units back.
pub async fn wms_reported_returned_never_lowers(world: &impl WmsWorld) {
    let (order, line) = world.order().await;
    let port = world.port();
    for (key, units) in [("ack-1", 2), ("ack-1", 2), ("ack-0", 1)] {
        let lines = BTreeMap::from([(line, units)]);
        let answer = port
            .acknowledge_returned(&reported(key, order, lines))
            .await;
        assert_eq!(answer, Ok(()), "{key}: {units}");
        assert_eq!(
            world.reported_returned(order, line).await,
            2,
            "after {units}"
        );
    }
}

/// An order or a line the WMS does not hold is `Refused`.
pub async fn wms_unknown_order_or_line_is_refused(world: &impl WmsWorld) {
    let (order, line) = world.order().await;
    let port = world.port();
    let error = failure(
        "acknowledging an unknown order",
        port.acknowledge_returned(&reported(
            "ack-1",
            UNKNOWN_ORDER,
            BTreeMap::from([(line, 1)]),
        ))
        .await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert!(!error.is_retryable(), "{error}");
    let error = failure(
        "acknowledging an unknown line",
        port.acknowledge_returned(&reported("ack-2", order, BTreeMap::from([(line + 7, 1)])))
            .await,
    );
    assert_eq!(error.kind(), PortErrorKind::Refused, "{error}");
    assert_eq!(
        world.reported_returned(order, line).await,
        0,
        "nothing reported"
    );
}

/// A call while the WMS is down fails `Unavailable`, retryable.
pub async fn wms_down_is_unavailable(world: &impl WmsWorld) {
    let (order, line) = world.order().await;
    world.go_down().await;
    let error = failure(
        "acknowledging while the WMS is down",
        world
            .port()
            .acknowledge_returned(&reported("ack-1", order, BTreeMap::from([(line, 1)])))
            .await,
    );
    assert_eq!(error.kind(), PortErrorKind::Unavailable, "{error}");
    assert!(error.is_retryable());
}
