//! The order flow's commands in the contract suite: GetShipment, UpdateShipmentQuantities,
//! CompleteShipment with capture on and TestConnection, the same cases through both adapters (see the parent
//! module). Everything a case checks is the simulator's state or the gRPC contract's message,
//! never the adapter's own answer alone.

use proto::centra::v1::{
    EndpointGroup as ProtoGroup, GetShipmentRequest, LineQuantity, Shipment, ShipmentStatus,
    TestConnectionRequest, UpdateShipmentQuantitiesRequest,
};
use serde_json::json;

use centra_gateway::client::ClientOptions;
use centra_gateway::client_graphql::GraphqlOptions;
use centra_gateway::commands::Commands;
use centra_gateway::connection::CentraConnection;
use domain::CentraEndpoint;

use super::{CentraApi, CommandError, ENDPOINT, Harness, completion, harness};

async fn read(h: &Harness, shipment_id: &str) -> Result<Shipment, CommandError> {
    h.commands
        .get_shipment(GetShipmentRequest {
            endpoint: ENDPOINT.to_owned(),
            shipment_id: shipment_id.to_owned(),
        })
        .await
        .map(|answer| answer.shipment.expect("a shipment in the answer"))
}

/// A shipment this gateway completed (the memory its CompleteShipment keeps) is read with one
/// call: the Order API's read has no state and tries the state filters in turn, so it asks for
/// completed first (returns read such shipments); GraphQL reads the state in one call anyway.
pub(super) async fn a_completed_shipment_is_read_with_one_call(api: CentraApi) {
    let h = harness(api).await;
    let (shipment_id, _) = h.completed_shipment().await;
    let before = h.calls().await.len();
    let shipment = read(&h, &shipment_id).await.expect("read");
    assert_eq!(shipment.status, ShipmentStatus::Completed as i32);
    let reads: Vec<String> = h
        .calls()
        .await
        .into_iter()
        .skip(before)
        .filter(|c| !c.ends_with(" RateLimits"))
        .collect();
    assert_eq!(reads.len(), 1, "{reads:?}");
}

/// A shipment reads the same through both APIs: its order, status, payment, the delivery
/// address, the carrier and each line's product (sku, variant sku, size sku, EAN, quantity,
/// names). One Centra does not know is `NOT_FOUND`.
pub(super) async fn a_shipment_is_read(api: CentraApi) {
    let h = harness(api).await;
    let shipment_id = h.open_shipment().await;
    let shipment = read(&h, &shipment_id).await.expect("read");
    assert_eq!(shipment.shipment_id, shipment_id);
    assert_eq!(
        shipment.order_id,
        shipment_id.split('-').next().expect("order part")
    );
    assert_eq!(shipment.status, ShipmentStatus::GoodToGo as i32);
    assert!(shipment.paid);
    let address = shipment.delivery_address.expect("address");
    assert_eq!(
        (
            address.name.as_str(),
            address.address_line1.as_str(),
            address.zip_code.as_str(),
            address.city.as_str(),
            address.country_code.as_str(),
            address.email.as_str(),
            address.mobile_phone.as_str(),
        ),
        (
            "Astrid Lind",
            "Hamngatan 4",
            "11147",
            "Stockholm",
            "SE",
            "astrid@example.invalid",
            "+46700000000"
        )
    );
    let shipping = shipment.shipping_method.expect("shipping method");
    assert_eq!(
        (
            shipping.carrier.as_str(),
            shipping.service.as_str(),
            shipping.shipping_list.as_str()
        ),
        ("PostNord", "MyPack", "postnord-parcel")
    );
    let mut lines: Vec<(String, String, String, String, i64)> = shipment
        .lines
        .iter()
        .map(|l| {
            (
                l.sku.clone(),
                l.variant_sku.clone(),
                l.size_sku.clone(),
                l.ean.clone(),
                l.quantity,
            )
        })
        .collect();
    lines.sort();
    let line = |size: &str, ean: &str, quantity| {
        (
            "HJ100".to_owned(),
            "NVY".to_owned(),
            size.to_owned(),
            ean.to_owned(),
            quantity,
        )
    };
    assert_eq!(
        lines,
        [line("M", "7350000000028", 1), line("S", "7350000000011", 2)]
    );
    assert!(
        shipment.lines.iter().all(|l| !l.line_id.is_empty()),
        "every line has an id: {:?}",
        shipment.lines
    );
    let unknown = read(&h, "99999-1").await.expect_err("unknown");
    assert!(matches!(unknown, CommandError::NotFound(_)), "{unknown}");
}

fn partial_pick(shipment_id: &str, before: &Shipment) -> UpdateShipmentQuantitiesRequest {
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
        endpoint: ENDPOINT.to_owned(),
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

/// A partly picked shipment (not paid yet: Centra refuses to change a paid one): S from 2 to
/// 1, M to 0. The simulator holds one line of 1 (a line
/// at 0 leaves the shipment); the same update again is done and sends nothing; a line that is
/// not the shipment's is refused naming the field, nothing changed.
pub(super) async fn quantities_are_set_once(api: CentraApi) {
    let h = harness(api).await;
    let shipment_id = h.unpaid_shipment("card").await;
    let before = read(&h, &shipment_id).await.expect("read");
    let request = partial_pick(&shipment_id, &before);
    let first = h
        .commands
        .update_shipment_quantities(request.clone())
        .await
        .expect("updated");
    assert!(!first.already_done);
    let answered: Vec<i64> = first
        .shipment
        .expect("shipment")
        .lines
        .iter()
        .map(|l| l.quantity)
        .collect();
    assert_eq!(answered, [1]);
    let quantities = |shipment: serde_json::Value| -> Vec<(String, i64)> {
        shipment["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| {
                (
                    l["sku"].as_str().unwrap_or_default().to_owned(),
                    l["qty"].as_i64().unwrap_or(-1),
                )
            })
            .collect()
    };
    let expected = vec![("HJ100NVYS".to_owned(), 1)];
    assert_eq!(quantities(h.shipment(&shipment_id).await), expected);
    let updates = |calls: Vec<String>| {
        calls
            .into_iter()
            .filter(|c| {
                c.ends_with("UpdateShipment")
                    || (c.starts_with("PUT ") && c.contains("/shipments/"))
            })
            .count()
    };
    assert_eq!(updates(h.calls().await), 1);
    let again = h
        .commands
        .update_shipment_quantities(request)
        .await
        .expect("again");
    assert!(again.already_done);
    assert_eq!(updates(h.calls().await), 1, "nothing sent again");
    let mut stranger = partial_pick(&shipment_id, &before);
    stranger.lines.truncate(1);
    stranger.lines[0].line_id = "424242".to_owned();
    let error = h
        .commands
        .update_shipment_quantities(stranger)
        .await
        .expect_err("not a line of the shipment");
    assert!(
        matches!(&error, CommandError::InvalidArgument { field, .. } if field == "lines[0].line_id"),
        "{error}"
    );
    assert_eq!(quantities(h.shipment(&shipment_id).await), expected);
}

/// Completing with capture on an unpaid shipment takes the money once and ships it, through
/// both APIs (GraphQL: `captureShipment`, then `completeShipment`); again is done, nothing
/// charged or completed twice.
pub(super) async fn a_completion_with_capture(api: CentraApi) {
    let h = harness(api).await;
    let shipment_id = h.unpaid_shipment("card").await;
    let first = h
        .commands
        .complete_shipment(completion(&shipment_id, true))
        .await
        .expect("completed");
    assert!(!first.already_done);
    let state = |s: serde_json::Value| {
        (
            s["shipped"].clone(),
            s["paid"].clone(),
            s["captureCount"].clone(),
            s["completeCount"].clone(),
        )
    };
    let done = (json!(true), json!(true), json!(1), json!(1));
    assert_eq!(state(h.shipment(&shipment_id).await), done);
    let second = h
        .commands
        .complete_shipment(completion(&shipment_id, true))
        .await
        .expect("again");
    assert!(second.already_done);
    assert_eq!(state(h.shipment(&shipment_id).await), done);
}

/// Completing with capture on while the provider still holds the capture request (GraphQL
/// `PENDING`) completes nothing: not yet (`UNAVAILABLE`), the shipment unshipped and unpaid.
/// The Order API captures at once and ships.
pub(super) async fn a_completion_with_a_pending_capture(api: CentraApi) {
    let h = harness(api).await;
    h.control(
        "/graphql/payments",
        &json!({"captureRequestMethods": ["adyen-drop-in"]}),
    )
    .await;
    let shipment_id = h.unpaid_shipment("adyen-drop-in").await;
    let outcome = h
        .commands
        .complete_shipment(completion(&shipment_id, true))
        .await;
    let shipment = h.shipment(&shipment_id).await;
    if !super::differences(api).capture_can_be_pending {
        assert!(!outcome.expect("completed").already_done);
        assert_eq!(shipment["shipped"], json!(true), "{shipment}");
        return;
    }
    let error = outcome.expect_err("pending");
    assert!(matches!(error, CommandError::NotYet(_)), "{error}");
    assert_eq!(
        (shipment["shipped"].clone(), shipment["paid"].clone()),
        (json!(false), json!(false)),
        "{shipment}"
    );
}

fn test_connection(groups: &[ProtoGroup], flows: &[&str]) -> TestConnectionRequest {
    TestConnectionRequest {
        endpoint: ENDPOINT.to_owned(),
        groups: groups.iter().map(|g| *g as i32).collect(),
        flows: flows.iter().map(|f| (*f).to_owned()).collect(),
    }
}

/// The flows of a merchant who imports shipments, keeps the catalog, pushes stock and reports
/// returns: every write the GraphQL probes check.
const EVERY_WRITE: &[&str] = &[
    "shipments",
    "articles",
    "stock_to_centra",
    "returns_to_centra",
    "purchase_orders",
];

/// TestConnection reads one row per group through the adapter's API: every group a flow of the
/// order, catalog, returns and purchase-order paths needs answers ok, each through that API's
/// own calls.
pub(super) async fn the_connection_is_tested(api: CentraApi) {
    let h = harness(api).await;
    h.open_shipment().await;
    let before = h.state().await;
    let answer = h
        .commands
        .test_connection(test_connection(
            &[
                ProtoGroup::OrderAndShipment,
                ProtoGroup::ProductAndStock,
                ProtoGroup::Returns,
                ProtoGroup::SupplierDeliveries,
            ],
            EVERY_WRITE,
        ))
        .await
        .expect("answered");
    assert!(answer.ok, "{answer:?}");
    assert_eq!(answer.groups.len(), 4);
    let calls = h.calls().await;
    let through_the_adapters_api = !calls.is_empty()
        && calls.iter().all(|c| match api {
            CentraApi::OrderApi => c.starts_with("GET /"),
            CentraApi::Graphql => c.starts_with("POST /graphql "),
        });
    assert!(through_the_adapters_api, "{calls:?}");
    if api == CentraApi::Graphql {
        // Each write the flows need, probed once; the probes changed nothing.
        for (group, probe, permission) in [
            (0, "POST /graphql CompleteShipment", "Shipment:write"),
            (1, "POST /graphql SetStock", "StockChange:write"),
            (2, "POST /graphql CreateReturn", "Return:write"),
            (
                3,
                "POST /graphql AcceptPurchaseOrderDelivery",
                "PurchaseOrderDelivery:write",
            ),
        ] {
            assert_eq!(calls.iter().filter(|c| *c == probe).count(), 1, "{calls:?}");
            let message = &answer.groups[group].message;
            assert!(
                message.contains(&format!("the token holds {permission}")),
                "{message}"
            );
        }
        assert_eq!(h.state().await, before, "the probes changed nothing");
    }
}

/// Through GraphQL, a token that reads but lacks a write an enabled flow needs fails that
/// group, naming the permission and where to add it; a flow that is not enabled is not probed,
/// so the same token passes when stock is not pushed to Centra.
pub(super) async fn a_graphql_token_without_a_write_permission_fails_its_group() {
    let h = harness(CentraApi::Graphql).await;
    without_permissions(&h, &["StockChange:write"]).await;
    let groups = [ProtoGroup::OrderAndShipment, ProtoGroup::ProductAndStock];
    let answer = h
        .commands
        .test_connection(test_connection(&groups, EVERY_WRITE))
        .await
        .expect("answered");
    assert!(!answer.ok);
    let oks: Vec<bool> = answer.groups.iter().map(|g| g.ok).collect();
    assert_eq!(oks, [true, false], "{answer:?}");
    let refused = &answer.groups[1].message;
    assert!(
        refused.contains("the token lacks StockChange:write")
            && refused.contains("AMS (System > API Tokens)"),
        "{refused}"
    );
    assert_eq!(answer.message, *refused);

    let without_stock = h
        .commands
        .test_connection(test_connection(&groups, &["shipments", "articles"]))
        .await
        .expect("answered");
    assert!(without_stock.ok, "{without_stock:?}");
}

/// Through GraphQL, the token's last day from the settings (`token_expires_on`): once passed,
/// every group fails saying so, though Centra still answered; within the warning days the
/// groups pass with the warning; unset, the answer says the expiry is not known.
pub(super) async fn a_graphql_tokens_expiry_is_checked() {
    let h = harness(CentraApi::Graphql).await;
    let today = chrono::Utc::now().date_naive();
    let check = |last_day: Option<chrono::NaiveDate>| {
        let endpoint = CentraEndpoint {
            token_expires_on: last_day,
            ..super::endpoint(CentraApi::Graphql, &h.sim)
        };
        let connection = CentraConnection::for_endpoint(
            &endpoint,
            chrono_tz::Europe::Stockholm,
            ClientOptions::default(),
            GraphqlOptions::default(),
        )
        .expect("client");
        let commands = Commands::new([connection], h.store.clone());
        async move {
            commands
                .test_connection(test_connection(
                    &[ProtoGroup::OrderAndShipment, ProtoGroup::Returns],
                    &[],
                ))
                .await
                .expect("answered")
        }
    };
    let expired = check(Some(today - chrono::Days::new(1))).await;
    assert!(!expired.ok, "{expired:?}");
    assert!(
        expired
            .groups
            .iter()
            .all(|g| !g.ok && g.message.contains("the token expired after")),
        "{expired:?}"
    );
    let soon = check(Some(today + chrono::Days::new(3))).await;
    assert!(soon.ok, "{soon:?}");
    assert!(
        soon.groups
            .iter()
            .all(|g| g.message.contains("(3 days left)") && g.message.contains("token_expires_on")),
        "{soon:?}"
    );
    let later = check(Some(today + chrono::Days::new(30))).await;
    assert!(
        later.ok && later.message.contains("the token is valid until"),
        "{later:?}"
    );
    let unknown = check(None).await;
    assert!(
        unknown.ok && unknown.message.contains("expiry is not known"),
        "{unknown:?}"
    );
}

/// Takes `permissions` from the simulator's default GraphQL token, keeping the others.
async fn without_permissions(h: &Harness, permissions: &[&str]) {
    let kept: Vec<String> = h.control_get("/graphql/tokens").await[0]["permissions"]
        .as_array()
        .expect("the default token's permissions")
        .iter()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .filter(|p| !permissions.contains(&p.as_str()))
        .collect();
    h.control(
        "/graphql/tokens",
        &json!({"token": centra_sim::graphql::DEFAULT_TOKEN, "permissions": kept}),
    )
    .await;
}

/// Through GraphQL, a token without `Shipment:read` fails the ORDER & SHIPMENT check naming
/// the token, and one without `PurchaseOrderDelivery:read` fails SUPPLIER DELIVERIES naming the
/// permission; the group with its permissions passes; neither failure is an error of the
/// command.
pub(super) async fn a_graphql_token_without_a_permission_fails_its_group() {
    let h = harness(CentraApi::Graphql).await;
    without_permissions(&h, &["Shipment:read", "PurchaseOrderDelivery:read"]).await;
    let answer = h
        .commands
        .test_connection(test_connection(
            &[
                ProtoGroup::OrderAndShipment,
                ProtoGroup::SupplierDeliveries,
                ProtoGroup::ProductAndStock,
            ],
            &[],
        ))
        .await
        .expect("answered");
    assert!(!answer.ok);
    let oks: Vec<bool> = answer.groups.iter().map(|g| g.ok).collect();
    assert_eq!(oks, [false, false, true], "{answer:?}");
    assert!(answer.groups[0].message.contains("token"), "{answer:?}");
    assert!(
        answer.groups[1]
            .message
            .contains("PurchaseOrderDelivery:read"),
        "{answer:?}"
    );
}
