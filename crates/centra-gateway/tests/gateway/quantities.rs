//! UpdateShipmentQuantities re-sent after it reached Centra (a kill before the caller recorded
//! it, or Centra's answer lost): the simulator drops a line set to 0 from the shipment, so the
//! re-sent update names a line Centra no longer lists. It is done, and the shipment completes;
//! a line that was never part of the shipment is still refused, naming the field.

use centra_gateway::commands::CommandError;
use proto::centra::v1::{
    GetShipmentRequest, LineQuantity, Shipment, UpdateShipmentQuantitiesRequest,
};
use serde_json::{Value, json};

use crate::commands::complete_request;
use crate::harness::{ENDPOINT, TestApp, spawn_app};

async fn shipment(app: &TestApp, shipment_id: &str) -> Shipment {
    app.commands
        .get_shipment(GetShipmentRequest {
            endpoint: ENDPOINT.into(),
            shipment_id: shipment_id.to_owned(),
        })
        .await
        .expect("read")
        .shipment
        .expect("shipment")
}

/// The warehouse picked one of the two S and none of the M (`harness::order`): S to 1, M to 0.
async fn partial_pick(app: &TestApp, shipment_id: &str) -> UpdateShipmentQuantitiesRequest {
    let before = shipment(app, shipment_id).await;
    let line = |size: &str| {
        before
            .lines
            .iter()
            .find(|l| l.size_sku == size)
            .unwrap_or_else(|| panic!("a line of size {size}: {before:?}"))
            .line_id
            .clone()
    };
    UpdateShipmentQuantitiesRequest {
        idempotency_key: format!("quantities:{shipment_id}"),
        endpoint: ENDPOINT.into(),
        shipment_id: shipment_id.to_owned(),
        lines: vec![
            LineQuantity {
                line_id: line("S"),
                quantity: 1,
            },
            LineQuantity {
                line_id: line("M"),
                quantity: 0,
            },
        ],
    }
}

/// The simulator's line quantities of the shipment.
async fn sim_quantities(app: &TestApp, shipment_id: &str) -> Vec<i64> {
    app.sim_shipment(shipment_id).await["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["qty"].as_i64())
        .collect()
}

async fn quantity_puts(app: &TestApp, shipment_id: &str) -> usize {
    let path = format!("/shipments/{shipment_id}");
    app.requests()
        .await
        .iter()
        .filter(|r| r["method"] == json!("PUT"))
        .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with(&path)))
        .count()
}

#[tokio::test]
async fn a_resent_update_that_zeroed_a_line_is_already_done() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(false, true, true).await;
    let request = partial_pick(&app, &shipment_id).await;

    let first = app
        .commands
        .update_shipment_quantities(request.clone())
        .await
        .expect("updated");
    assert!(!first.already_done);
    // Centra keeps no line at 0: the M line is gone.
    assert_eq!(sim_quantities(&app, &shipment_id).await, vec![1]);

    let again = app
        .commands
        .update_shipment_quantities(request)
        .await
        .expect("the re-sent update is done, not refused");
    assert!(again.already_done);
    assert_eq!(sim_quantities(&app, &shipment_id).await, vec![1]);
    assert_eq!(quantity_puts(&app, &shipment_id).await, 1, "sent once");

    app.commands
        .complete_shipment(complete_request(&shipment_id, Some(true)))
        .await
        .expect("completed");
    let sim = app.sim_shipment(&shipment_id).await;
    assert_eq!(sim["completeCount"], json!(1));
    assert_eq!(sim["captureCount"], json!(1));
}

#[tokio::test]
async fn an_update_whose_answer_was_lost_is_settled_by_sending_it_again() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(false, true, true).await;
    let request = partial_pick(&app, &shipment_id).await;

    app.faults(json!({"lost_response_rate": 1.0, "method": "PUT"}))
        .await;
    let error = app
        .commands
        .update_shipment_quantities(request.clone())
        .await
        .expect_err("every answer lost");
    assert!(matches!(error, CommandError::Unavailable(_)), "{error}");
    assert_eq!(tonic::Status::from(error).code(), tonic::Code::Unavailable);
    // The update itself reached Centra.
    assert_eq!(sim_quantities(&app, &shipment_id).await, vec![1]);

    app.clear_faults().await;
    let settled = app
        .commands
        .update_shipment_quantities(request)
        .await
        .expect("settled");
    assert!(settled.already_done);
    let lines: Vec<(String, i64)> = settled
        .shipment
        .expect("shipment")
        .lines
        .into_iter()
        .map(|l| (l.size_sku, l.quantity))
        .collect();
    assert_eq!(lines, vec![("S".to_owned(), 1)]);

    app.commands
        .complete_shipment(complete_request(&shipment_id, Some(true)))
        .await
        .expect("completed");
    let sim = app.sim_shipment(&shipment_id).await;
    assert_eq!(sim["completeCount"], json!(1));
    assert_eq!(sim["captureCount"], json!(1));
    assert_eq!(sim_quantities(&app, &shipment_id).await, vec![1]);
}

fn refused_line(error: &CommandError, index: usize) -> bool {
    let field_named = format!("lines[{index}].line_id");
    matches!(error, CommandError::InvalidArgument { field, reason }
        if *field == field_named && reason.contains("a line of shipment"))
}

#[tokio::test]
async fn a_line_that_never_was_part_of_the_shipment_is_refused() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(false, true, true).await;
    let (_, other_id) = app.place_order(false, true, true).await;
    // A line of another shipment, even one the gateway zeroed there itself.
    let other = partial_pick(&app, &other_id).await;
    app.commands
        .update_shipment_quantities(other.clone())
        .await
        .expect("the other shipment updated");
    let request = partial_pick(&app, &shipment_id).await;
    let before = app.sim_shipment(&shipment_id).await;

    for stranger in [other.lines[1].line_id.clone(), "70999".to_owned()] {
        let mut lines = request.lines.clone();
        lines.push(LineQuantity {
            line_id: stranger.clone(),
            quantity: 0,
        });
        let error = app
            .commands
            .update_shipment_quantities(UpdateShipmentQuantitiesRequest {
                lines,
                ..request.clone()
            })
            .await
            .expect_err("a line of no part of this shipment");
        assert!(refused_line(&error, 2), "{stranger}: {error}");
        assert_eq!(
            tonic::Status::from(error).code(),
            tonic::Code::InvalidArgument
        );
    }
    assert_eq!(quantity_puts(&app, &shipment_id).await, 0, "nothing sent");
    assert_eq!(app.sim_shipment(&shipment_id).await, before);
}

#[tokio::test]
async fn a_zeroed_line_cannot_be_given_units_again() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(false, true, true).await;
    let request = partial_pick(&app, &shipment_id).await;
    app.commands
        .update_shipment_quantities(request.clone())
        .await
        .expect("updated");

    let mut more = request.clone();
    more.lines[1].quantity = 1;
    let error = app
        .commands
        .update_shipment_quantities(more)
        .await
        .expect_err("the M line is gone");
    assert!(refused_line(&error, 1), "{error}");
    assert_eq!(sim_quantities(&app, &shipment_id).await, vec![1]);
    let state: Value = app.sim_shipment(&shipment_id).await;
    assert_eq!(state["completeCount"], json!(0));
}
