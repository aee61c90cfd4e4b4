//! One contract suite for the commands' port to Centra (`connection::CentraConnection`): the same
//! cases through the gateway's commands, once over the Order API client against the Centra
//! simulator's REST surface and once over the GraphQL client against its `/graphql`, on the
//! same simulator state. Each case sets Centra up through the simulator's control API (and, for
//! what only the Order API adapter serves yet, through an Order API client), acts through the
//! adapter under test and checks the simulator's state through its control API.
//!
//! What goes through the port so far: SetStock, ReadStock of named products, CreateReturn,
//! GetShipment, UpdateShipmentQuantities, CompleteShipment (with capture on through GraphQL:
//! capture, then complete), CaptureShipment, TestConnection, ListProducts, AcceptSupplierDelivery,
//! the shipments poll with its cancellations, the orders poll, the products poll and the
//! deliveries poll. Layout: this file (harness, stock, returns, completion, capture),
//! `contract/catalog.rs` (the products poll, ListProducts), `contract/deliveries.rs` (the
//! deliveries poll, accepting),
//! `contract/orders.rs` (read a shipment, quantities, completion with capture, test
//! connection) and `contract/detect.rs` (the good-to-go poll, the orders poll). Where the two APIs genuinely
//! differ, [`Differences`] says so, once, with the doc reference.

#[path = "contract/catalog.rs"]
mod catalog;
#[path = "contract/deliveries.rs"]
mod deliveries;
#[path = "contract/detect.rs"]
mod detect;
#[path = "contract/orders.rs"]
mod orders;

use std::time::Duration;

use centra_gateway::client::{CentraClient, ClientOptions, RetryPolicy};
use centra_gateway::client_graphql::GraphqlOptions;
use centra_gateway::commands::{CommandError, Commands};
use centra_gateway::connection::CentraConnection;
use centra_sim::{CentraSim, RunningSim};
use domain::{CentraApi, CentraEndpoint, EndpointName, EndpointRole, Secret};
use platform_store::{Store, StoreOptions};
use proto::centra::v1::{
    CaptureShipmentRequest, CompleteShipmentRequest, CreateReturnRequest, GetShipmentRequest,
    ReadStockRequest, ReturnLine, SetStockRequest, StockLevel,
};
use serde_json::{Value, json};
use tempfile::TempDir;

const SECRET: &str = "contract-secret";
const ENDPOINT: &str = "shop1";

/// Where the Order API and the Integration API genuinely differ, per adapter (one place).
///
/// Not a flag because no case here shows it: `POST /stock` answers `productsAreBundles`
/// (REF/303); `setStock` has no such answer (docs section 10 names only `setStock` physical),
/// so the GraphQL adapter does not tell a bundle apart.
#[derive(Debug, Clone, Copy)]
struct Differences {
    /// `POST /return` takes no `returnStock` and uses the store's default; `createReturn` takes
    /// exactly one `returnStockActionPolicy` (docs section 10, ERP GQL guide "Returns"), so the
    /// GraphQL adapter refuses a return without `return_stock`.
    return_stock_has_default: bool,
    /// `captureShipment` of a provider that captures by request (Adyen, Klarna) answers
    /// `PENDING` and settles later (docs section 10); `PUT /capture` answers at once.
    capture_can_be_pending: bool,
    /// `GET /orders` names the order's carrier (`defaultCarrier`, REF/104); an Integration API
    /// order shows none (the DTC examples read carriers on shipments), so the GraphQL adapter's
    /// orders carry an empty carrier.
    order_carrier_is_read: bool,
    /// `POST /supplier-deliveries/{id}` takes the received quantities and turns a shortfall into
    /// a follow-up delivery (REF/506); `acceptPurchaseOrderDelivery` takes none and accepts the
    /// delivery as it stands (centra.dev/graphql/purchaseorderdeliveryacceptinput.html), so the
    /// GraphQL adapter refuses a receipt that differs from the delivery.
    delivery_accept_takes_quantities: bool,
}

fn differences(api: CentraApi) -> Differences {
    match api {
        CentraApi::OrderApi => Differences {
            return_stock_has_default: true,
            capture_can_be_pending: false,
            order_carrier_is_read: true,
            delivery_accept_takes_quantities: true,
        },
        CentraApi::Graphql => Differences {
            return_stock_has_default: false,
            capture_can_be_pending: true,
            order_carrier_is_read: false,
            delivery_accept_takes_quantities: false,
        },
    }
}

struct Harness {
    sim: RunningSim,
    http: reqwest::Client,
    /// The connection under test (what the polls read through) and the gateway's store.
    connection: CentraConnection,
    store: Store,
    /// The commands over the adapter under test.
    commands: Commands,
    /// Commands over an Order API client: the setup of what only that adapter serves yet.
    setup: Commands,
    _dir: TempDir,
}

fn retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
    }
}

fn endpoint(api: CentraApi, sim: &RunningSim) -> CentraEndpoint {
    let (base_url, secret, token) = match api {
        CentraApi::OrderApi => (sim.base_url(), Secret::new(SECRET), None),
        CentraApi::Graphql => (
            format!("{}/graphql", sim.url()),
            Secret::new(""),
            Some(Secret::new(centra_sim::graphql::DEFAULT_TOKEN)),
        ),
    };
    CentraEndpoint {
        name: EndpointName::parse(ENDPOINT).expect("name"),
        api,
        base_url,
        secret,
        token,
        token_expires_on: None,
        // The simulator takes any admin user id above 0 (it keeps no users).
        admin_user_id: (api == CentraApi::Graphql).then_some(1),
        webhook_secret: None,
        role: EndpointRole::Retail,
        order_number_prefix: None,
        requests_per_second: None,
    }
}

async fn harness(api: CentraApi) -> Harness {
    let zone = chrono_tz::Europe::Stockholm;
    let sim = CentraSim::builder()
        .secret(SECRET)
        .time_zone(zone)
        .spawn("127.0.0.1:0".parse().expect("loopback"))
        .await
        .expect("simulator starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}/centra-gateway.db?mode=rwc",
        dir.path().display()
    );
    let store = Store::open(
        StoreOptions::new(centra_gateway::NAME, url),
        &centra_gateway::MIGRATIONS,
    )
    .await
    .expect("store opens");
    let order_api = ClientOptions {
        request_timeout: Duration::from_secs(5),
        retry: retry(),
        ..ClientOptions::default()
    };
    let graphql = GraphqlOptions {
        request_timeout: Duration::from_secs(5),
        retry: retry(),
        // Small, so that the feed's cases read a queue of several batches.
        events_batch: 2,
        ..GraphqlOptions::default()
    };
    let connection =
        CentraConnection::for_endpoint(&endpoint(api, &sim), zone, order_api.clone(), graphql)
            .expect("client");
    assert_eq!(connection.api(), api);
    let setup_client = CentraClient::new(&endpoint(CentraApi::OrderApi, &sim), zone, order_api)
        .expect("order api client");
    Harness {
        commands: Commands::new([connection.clone()], store.clone()),
        connection,
        store: store.clone(),
        setup: Commands::new([setup_client], store),
        sim,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

impl Harness {
    async fn control(&self, path: &str, body: &Value) -> Value {
        let response = self
            .http
            .post(format!("{}/_sim{path}", self.sim.url()))
            .json(body)
            .send()
            .await
            .expect("control answered");
        assert!(
            response.status().is_success(),
            "POST /_sim{path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    async fn control_get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}/_sim{path}", self.sim.url()))
            .send()
            .await
            .expect("control answered")
            .json()
            .await
            .expect("control json")
    }

    async fn state(&self) -> Value {
        self.http
            .get(format!("{}/_sim/state", self.sim.url()))
            .send()
            .await
            .expect("state answered")
            .json()
            .await
            .expect("state json")
    }

    /// The calls the simulator logged, each as `POST /graphql SetStock` or `POST <path>`.
    async fn calls(&self) -> Vec<String> {
        let log: Value = self
            .http
            .get(format!("{}/_sim/requests?since=0", self.sim.url()))
            .send()
            .await
            .expect("request log answered")
            .json()
            .await
            .expect("request log json");
        log.as_array()
            .or_else(|| log["requests"].as_array())
            .expect("request log")
            .iter()
            .map(|entry| {
                let call = format!(
                    "{} {}",
                    entry["method"].as_str().unwrap_or_default(),
                    entry["path"].as_str().unwrap_or_default()
                );
                match entry["graphql"]["operationName"].as_str() {
                    Some(operation) => format!("{call} {operation}"),
                    None => call,
                }
            })
            .collect()
    }

    /// The simulator's shipment `number` (`<order>-<n>`).
    async fn shipment(&self, number: &str) -> Value {
        let state = self.state().await;
        state["shipments"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["shipmentId"] == number))
            .cloned()
            .unwrap_or_else(|| panic!("shipment {number} in state: {state}"))
    }

    /// A paid, good-to-go shipment not shipped yet, made through the control API: its id.
    async fn open_shipment(&self) -> String {
        self.control("/products", &products()).await;
        let answer = self.control("/orders", &order()).await;
        answer["shipmentId"]
            .as_str()
            .map_or_else(|| answer["shipmentId"].to_string(), str::to_owned)
    }

    /// An unpaid shipment to capture (`shouldCapture`), paid with `payment_method`: its id.
    async fn unpaid_shipment(&self, payment_method: &str) -> String {
        self.control("/products", &products()).await;
        let mut body = order();
        body["order"]["paid"] = json!(false);
        body["order"]["shouldCapture"] = json!(true);
        body["order"]["paymentMethod"] = json!(payment_method);
        let answer = self.control("/orders", &body).await;
        answer["shipmentId"]
            .as_str()
            .map_or_else(|| answer["shipmentId"].to_string(), str::to_owned)
    }

    /// The simulator's stock row of a size (joined SKU).
    async fn stock(&self, key: &str) -> Value {
        let state = self.state().await;
        state["stock"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["key"] == key))
            .cloned()
            .unwrap_or_else(|| panic!("stock {key} in state: {state}"))
    }

    /// A paid, good-to-go shipment completed through the Order API: `(shipment id, line ids)`.
    async fn completed_shipment(&self) -> (String, Vec<String>) {
        self.control("/products", &products()).await;
        let answer = self.control("/orders", &order()).await;
        let shipment_id = answer["shipmentId"]
            .as_str()
            .map_or_else(|| answer["shipmentId"].to_string(), str::to_owned);
        self.setup
            .complete_shipment(CompleteShipmentRequest {
                idempotency_key: format!("complete:{shipment_id}"),
                endpoint: ENDPOINT.to_owned(),
                shipment_id: shipment_id.clone(),
                capture: Some(false),
                carrier: "PostNord".to_owned(),
                tracking_numbers: vec!["TRACK1".to_owned()],
                packages: 1,
                send_email: Some(false),
                ..CompleteShipmentRequest::default()
            })
            .await
            .expect("completed");
        let shipment = self
            .setup
            .get_shipment(GetShipmentRequest {
                endpoint: ENDPOINT.to_owned(),
                shipment_id: shipment_id.clone(),
            })
            .await
            .expect("read")
            .shipment
            .expect("shipment");
        let lines = shipment.lines.iter().map(|l| l.line_id.clone()).collect();
        (shipment_id, lines)
    }
}

fn products() -> Value {
    json!({"products": [
        {"productId": 7001, "product": "Harbour jacket", "name": "Harbour Jacket", "variantId": 7101,
         "variant": "Navy", "variantSku": "NVY", "sku": "HJ100", "stockItemId": 9001, "size": "S",
         "sizeSku": "S", "ean": "7350000000011", "active": true, "weight": 0.85, "weightUnit": "kg",
         "countryOfOrigin": "PT", "harmCode": "6201300000",
         "prices": [{"pricelist": "EUR Europe", "currency": "EUR", "price": 149.0}], "physicalStock": 10},
        {"productId": 7001, "product": "Harbour jacket", "name": "Harbour Jacket", "variantId": 7101,
         "variant": "Navy", "variantSku": "NVY", "sku": "HJ100", "stockItemId": 9002, "size": "M",
         "sizeSku": "M", "ean": "7350000000028", "active": true, "weight": 0.9, "weightUnit": "kg",
         "countryOfOrigin": "PT", "harmCode": "6201300000",
         "prices": [{"pricelist": "EUR Europe", "currency": "EUR", "price": 149.0}], "physicalStock": 5},
        {"productId": 7002, "product": "Wool cap", "name": "Wool Cap", "variantId": 7201, "variant": "Grey",
         "variantSku": "GRY", "sku": "WC200", "stockItemId": 9003, "size": "One size", "sizeSku": "OS",
         "ean": "7350000000035", "active": true, "weight": 0.1, "weightUnit": "kg",
         "countryOfOrigin": "SE", "harmCode": "6505003000",
         "prices": [{"pricelist": "EUR Europe", "currency": "EUR", "price": 29.0}], "physicalStock": 3}
    ]})
}

fn order() -> Value {
    json!({
        "order": {
            "paid": true, "shouldCapture": false, "captureFails": false,
            "delivery": {"name": "Astrid Lind", "company": "", "address": "Hamngatan 4", "coaddress": "",
                          "zipcode": "11147", "city": "Stockholm", "state": "", "country": "SE",
                          "email": "astrid@example.invalid", "cell": "+46700000000", "tele": ""},
            "shippingList": "postnord-parcel", "carrier": "PostNord", "service": "MyPack",
            "lines": [
                {"ean": "7350000000011", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "S", "qty": 2, "price": 149.0},
                {"ean": "7350000000028", "sku": "HJ100", "variantSku": "NVY", "sizeSku": "M", "qty": 1, "price": 149.0}
            ]
        },
        "goodToGo": true
    })
}

fn set_stock(levels: &[(&str, i64)]) -> SetStockRequest {
    SetStockRequest {
        endpoint: ENDPOINT.to_owned(),
        levels: levels
            .iter()
            .map(|(product, quantity)| StockLevel {
                product: (*product).to_owned(),
                quantity: *quantity,
            })
            .collect(),
        ..SetStockRequest::default()
    }
}

fn return_request(
    shipment_id: &str,
    line_id: &str,
    return_stock: Option<bool>,
) -> CreateReturnRequest {
    CreateReturnRequest {
        idempotency_key: format!("wms-return-{shipment_id}"),
        endpoint: ENDPOINT.to_owned(),
        shipment_id: shipment_id.to_owned(),
        lines: vec![ReturnLine {
            shipment_line_id: line_id.to_owned(),
            quantity: 1,
        }],
        comment: "too small".to_owned(),
        return_stock,
    }
}

/// Physical stock set by EAN and by joined SKU is what the simulator holds; an unknown product
/// is reported, not set; the same levels again change nothing.
async fn stock_is_set_and_read_back(api: CentraApi) {
    let h = harness(api).await;
    h.control("/products", &products()).await;
    let request = set_stock(&[("7350000000011", 7), ("HJ100NVYM", 0), ("NO-SUCH-SKU", 4)]);
    let answer = h.commands.set_stock(request.clone()).await.expect("set");
    assert_eq!(answer.products_not_found, vec!["NO-SUCH-SKU".to_owned()]);
    assert!(answer.products_are_bundles.is_empty());
    assert_eq!(h.stock("HJ100NVYS").await["physical"], json!(7));
    assert_eq!(h.stock("HJ100NVYM").await["physical"], json!(0));
    let writes: Vec<String> = h
        .calls()
        .await
        .into_iter()
        .filter(|c| c.ends_with("/stock") || c.ends_with("SetStock"))
        .collect();
    let through_the_adapters_api = match api {
        CentraApi::OrderApi => {
            writes.len() == 1 && writes[0].starts_with("POST /") && writes[0].ends_with("/stock")
        }
        CentraApi::Graphql => writes == ["POST /graphql SetStock"],
    };
    assert!(
        through_the_adapters_api,
        "one write, through the adapter's API: {writes:?}"
    );
    assert_eq!(
        h.stock("WC200GRYOS").await["physical"],
        json!(3),
        "untouched"
    );
    let read = h
        .commands
        .read_stock(ReadStockRequest {
            endpoint: ENDPOINT.to_owned(),
            product_ids: vec!["7001".to_owned()],
            ..ReadStockRequest::default()
        })
        .await
        .expect("read back");
    let mut rows: Vec<(String, String, String, String, String, i64, i64)> = read
        .rows
        .into_iter()
        .map(|r| {
            (
                r.product_id,
                r.sku,
                r.variant_sku,
                r.size_sku,
                r.ean,
                r.physical,
                r.allocated,
            )
        })
        .collect();
    rows.sort();
    let row = |size: &str, ean: &str, physical: i64| {
        (
            "7001".to_owned(),
            "HJ100".to_owned(),
            "NVY".to_owned(),
            size.to_owned(),
            ean.to_owned(),
            physical,
            0,
        )
    };
    assert_eq!(
        rows,
        vec![row("M", "7350000000028", 0), row("S", "7350000000011", 7)],
        "read back through the adapter"
    );
    let again = h.commands.set_stock(request).await.expect("set again");
    assert_eq!(again.products_not_found, vec!["NO-SUCH-SKU".to_owned()]);
    assert_eq!(h.stock("HJ100NVYS").await["physical"], json!(7));
}

/// ReadStock without product ids reads every size item page by page (the stock flow's full
/// resync), following the token it is given to the end; each size comes once with its stock.
async fn every_size_is_read_page_by_page(api: CentraApi) {
    let h = harness(api).await;
    h.control("/products", &products()).await;
    h.commands
        .set_stock(set_stock(&[("HJ100NVYS", 4)]))
        .await
        .expect("set");
    let mut rows = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = h
            .commands
            .read_stock(ReadStockRequest {
                endpoint: ENDPOINT.to_owned(),
                page_size: 1,
                page_token: token.clone(),
                ..ReadStockRequest::default()
            })
            .await
            .expect("page");
        pages += 1;
        assert!(pages <= 4, "the pages end (page size 1, 3 size items)");
        rows.extend(page.rows.into_iter().map(|r| {
            (
                format!("{}{}{}", r.sku, r.variant_sku, r.size_sku),
                r.ean,
                r.physical,
            )
        }));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert!(pages >= 2, "page size 1 gives more than one page");
    rows.sort();
    assert_eq!(
        rows,
        vec![
            ("HJ100NVYM".to_owned(), "7350000000028".to_owned(), 5),
            ("HJ100NVYS".to_owned(), "7350000000011".to_owned(), 4),
            ("WC200GRYOS".to_owned(), "7350000000035".to_owned(), 3),
        ]
    );
}

/// A return is created once per idempotency key: the second call finds it (`already_done`,
/// the same id) and the simulator holds one return, back in stock.
async fn a_return_is_created_once_per_key(api: CentraApi) {
    let h = harness(api).await;
    let (shipment_id, lines) = h.completed_shipment().await;
    let before = h.stock("HJ100NVYS").await["physical"].clone();
    let first = h
        .commands
        .create_return(return_request(&shipment_id, &lines[0], Some(true)))
        .await
        .expect("created");
    assert!(!first.already_done);
    assert_eq!(first.returned_line_ids, vec![lines[0].clone()]);
    let second = h
        .commands
        .create_return(return_request(&shipment_id, &lines[0], Some(true)))
        .await
        .expect("again");
    assert!(second.already_done);
    assert_eq!(second.return_id, first.return_id);
    assert_eq!(second.returned_line_ids, first.returned_line_ids);
    let state = h.state().await;
    let returns = state["returns"].as_array().expect("returns");
    assert_eq!(returns.len(), 1, "{returns:?}");
    assert_eq!(
        returns[0]["returnId"].to_string().trim_matches('"'),
        first.return_id
    );
    assert_eq!(returns[0]["shipmentId"], json!(shipment_id));
    assert_eq!(returns[0]["returnToStock"], json!(true));
    let creates: Vec<String> = h
        .calls()
        .await
        .into_iter()
        .filter(|c| c.ends_with("/return") || c.ends_with("CreateReturn"))
        .collect();
    let through_the_adapters_api = match api {
        CentraApi::OrderApi => creates.len() == 1 && creates[0].starts_with("POST /"),
        CentraApi::Graphql => creates == ["POST /graphql CreateReturn"],
    };
    assert!(
        through_the_adapters_api,
        "one create, through the adapter's API: {creates:?}"
    );
    assert_eq!(
        h.stock("HJ100NVYS").await["physical"],
        json!(before.as_i64().expect("number") + 1),
        "the returned unit is back in stock"
    );
}

/// Without `return_stock` the Order API uses the store's default; the GraphQL adapter refuses
/// before sending (see [`Differences::return_stock_has_default`]).
async fn a_return_without_a_stock_choice(api: CentraApi) {
    let h = harness(api).await;
    let (shipment_id, lines) = h.completed_shipment().await;
    let outcome = h
        .commands
        .create_return(return_request(&shipment_id, &lines[0], None))
        .await;
    let returns = h.state().await["returns"].as_array().map(Vec::len);
    if differences(api).return_stock_has_default {
        assert!(!outcome.expect("created").already_done);
        assert_eq!(returns, Some(1));
    } else {
        let error = outcome.expect_err("refused");
        assert!(
            matches!(&error, CommandError::InvalidArgument { reason, .. } if reason.contains("return_stock")),
            "{error}"
        );
        assert_eq!(returns, Some(0), "nothing sent");
    }
}

/// A return of a shipment Centra does not know is Centra's refusal, the same kind through both.
async fn a_return_of_an_unknown_shipment_is_refused(api: CentraApi) {
    let h = harness(api).await;
    h.control("/products", &products()).await;
    let error = h
        .commands
        .create_return(return_request("99999-1", "1", Some(true)))
        .await
        .expect_err("refused");
    assert!(matches!(error, CommandError::Refused(_)), "{error}");
    assert_record_refused(api, &tonic::Status::from(error));
}

/// A refusal of the record travels as `FAILED_PRECONDITION` with the typed `RECORD_REFUSED`
/// reason (never to be told from the text); through GraphQL it also names the record and the
/// input fields of Centra's `userErrors`, which the Order API's refusal answer does not give.
fn assert_record_refused(api: CentraApi, status: &tonic::Status) {
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);
    assert_eq!(
        proto::reasons::reason(status).as_deref(),
        Some(proto::reasons::RECORD_REFUSED),
        "{status:?}"
    );
    let (record, fields) = proto::reasons::refused_record(status).expect("the refused record");
    match api {
        CentraApi::OrderApi => assert_eq!((record, fields), (None, Vec::new())),
        CentraApi::Graphql => {
            assert!(record.is_some_and(|r| r.contains("99999")), "{status:?}");
            assert!(!fields.is_empty(), "the fields Centra named: {status:?}");
        }
    }
}

fn completion(shipment_id: &str, capture: bool) -> CompleteShipmentRequest {
    CompleteShipmentRequest {
        idempotency_key: format!("complete:{shipment_id}"),
        endpoint: ENDPOINT.to_owned(),
        shipment_id: shipment_id.to_owned(),
        capture: Some(capture),
        carrier: "PostNord".to_owned(),
        service: "MyPack".to_owned(),
        tracking_numbers: vec!["TRACK1".to_owned()],
        packages: 2,
        return_slip_tracking: "RET1".to_owned(),
        send_email: Some(false),
        ..CompleteShipmentRequest::default()
    }
}

/// A shipment is completed once with its tracking, capture off: the simulator holds it shipped
/// with the carrier, tracking and packages, not captured; a second completion is done
/// (`already_done`), not an error, and sends no second completion.
async fn a_shipment_is_completed_once_with_tracking(api: CentraApi) {
    let h = harness(api).await;
    let shipment_id = h.open_shipment().await;
    let first = h
        .commands
        .complete_shipment(completion(&shipment_id, false))
        .await
        .expect("completed");
    assert!(!first.already_done);
    let shipment = h.shipment(&shipment_id).await;
    assert_eq!(shipment["shipped"], json!(true), "{shipment}");
    assert_eq!(shipment["completeCount"], json!(1));
    assert_eq!(shipment["carrier"], json!("PostNord"));
    assert_eq!(shipment["service"], json!("MyPack"));
    assert_eq!(shipment["tracking"], json!("TRACK1"));
    assert_eq!(shipment["returnSlipTracking"], json!("RET1"));
    assert_eq!(shipment["packages"], json!(2));
    assert_eq!(shipment["captured"], json!(false), "capture off");
    assert_eq!(shipment["captureCount"], json!(0));
    let second = h
        .commands
        .complete_shipment(completion(&shipment_id, false))
        .await
        .expect("again");
    assert!(second.already_done);
    assert_eq!(h.shipment(&shipment_id).await["completeCount"], json!(1));
    let completions: Vec<String> = h
        .calls()
        .await
        .into_iter()
        .filter(|c| {
            (c.starts_with("PUT ") && c.ends_with("/shipment")) || c.ends_with("CompleteShipment")
        })
        .collect();
    // The second completion is sent, refused by Centra, and read back as done.
    let through_the_adapters_api = completions.len() == 2
        && completions.iter().all(|c| match api {
            CentraApi::OrderApi => c.starts_with("PUT /"),
            CentraApi::Graphql => c == "POST /graphql CompleteShipment",
        });
    assert!(
        through_the_adapters_api,
        "two completions through the adapter's API, one done: {completions:?}"
    );
}

/// Completing a shipment Centra does not know is Centra's refusal, the same kind through both.
async fn completing_an_unknown_shipment_is_refused(api: CentraApi) {
    let h = harness(api).await;
    h.control("/products", &products()).await;
    let error = h
        .commands
        .complete_shipment(completion("99999-1", false))
        .await
        .expect_err("refused");
    assert!(matches!(error, CommandError::Refused(_)), "{error}");
    assert_record_refused(api, &tonic::Status::from(error));
}

fn capture(shipment_id: &str) -> CaptureShipmentRequest {
    CaptureShipmentRequest {
        idempotency_key: format!("capture:{shipment_id}"),
        endpoint: ENDPOINT.to_owned(),
        shipment_id: shipment_id.to_owned(),
    }
}

/// A capture takes the money once: the second call finds the shipment paid (`already_done`)
/// and sends no capture; the simulator counts one capture.
async fn a_shipment_is_captured_once(api: CentraApi) {
    let h = harness(api).await;
    let shipment_id = h.unpaid_shipment("card").await;
    let first = h
        .commands
        .capture_shipment(capture(&shipment_id))
        .await
        .expect("captured");
    assert!(!first.already_done);
    let shipment = h.shipment(&shipment_id).await;
    assert_eq!(
        (shipment["paid"].clone(), shipment["captureCount"].clone()),
        (json!(true), json!(1)),
        "{shipment}"
    );
    let second = h
        .commands
        .capture_shipment(capture(&shipment_id))
        .await
        .expect("again");
    assert!(second.already_done);
    assert_eq!(h.shipment(&shipment_id).await["captureCount"], json!(1));
    let captures: Vec<String> = h
        .calls()
        .await
        .into_iter()
        .filter(|c| c.ends_with("/capture") || c.ends_with("CaptureShipment"))
        .collect();
    let through_the_adapters_api = match api {
        CentraApi::OrderApi => captures.len() == 1 && captures[0].starts_with("PUT /"),
        CentraApi::Graphql => captures == ["POST /graphql CaptureShipment"],
    };
    assert!(
        through_the_adapters_api,
        "one capture, through the adapter's API: {captures:?}"
    );
}

/// A provider that captures by request: through GraphQL the capture answers `PENDING`, which
/// is not captured (`UNAVAILABLE`, the shipment unpaid); asking again while the request is out
/// sends no second `captureShipment` (the payment history's `PENDING` entry says so); once the
/// provider settles, the next call finds it paid. The Order API captures at once
/// ([`Differences::capture_can_be_pending`]).
async fn a_pending_capture_is_not_captured(api: CentraApi) {
    let h = harness(api).await;
    h.control(
        "/graphql/payments",
        &json!({"captureRequestMethods": ["adyen-drop-in"]}),
    )
    .await;
    let shipment_id = h.unpaid_shipment("adyen-drop-in").await;
    let first = h.commands.capture_shipment(capture(&shipment_id)).await;
    if !differences(api).capture_can_be_pending {
        assert!(!first.expect("captured at once").already_done);
        assert_eq!(h.shipment(&shipment_id).await["paid"], json!(true));
        return;
    }
    for attempt in [
        first,
        h.commands.capture_shipment(capture(&shipment_id)).await,
    ] {
        let error = attempt.expect_err("pending is not captured");
        assert!(matches!(error, CommandError::NotYet(_)), "{error}");
        let status = tonic::Status::from(error);
        assert_eq!(status.code(), tonic::Code::Unavailable);
        assert_eq!(
            proto::reasons::reason(&status).as_deref(),
            Some(proto::reasons::NOT_YET)
        );
        let shipment = h.shipment(&shipment_id).await;
        assert_eq!(
            (
                shipment["paid"].clone(),
                shipment["capturePending"].clone(),
                shipment["captureCount"].clone()
            ),
            (json!(false), json!(true), json!(0)),
            "{shipment}"
        );
    }
    let captures = |calls: Vec<String>| {
        calls
            .into_iter()
            .filter(|c| c.ends_with("CaptureShipment"))
            .count()
    };
    assert_eq!(captures(h.calls().await), 1, "no second capture request");
    let settled = h
        .control(
            "/graphql/capture-requests/settle",
            &json!({"shipmentId": shipment_id}),
        )
        .await;
    assert_eq!(settled["settled"], json!(1));
    let after = h
        .commands
        .capture_shipment(capture(&shipment_id))
        .await
        .expect("settled");
    assert!(after.already_done, "paid by the settled request");
    assert_eq!(h.shipment(&shipment_id).await["captureCount"], json!(1));
    assert_eq!(captures(h.calls().await), 1);
}

/// Centra answering 5xx, or 429, until the retries run out is the retryable kind.
async fn centra_failing_is_the_retryable_kind(api: CentraApi) {
    let h = harness(api).await;
    h.control("/products", &products()).await;
    for faults in [
        json!({"error_rate": 1.0}),
        json!({"throttle_rate": 1.0, "retry_after_s": 1}),
    ] {
        h.control("/faults", &faults).await;
        let error = h
            .commands
            .set_stock(set_stock(&[("7350000000011", 7)]))
            .await
            .expect_err("centra fails");
        assert!(
            matches!(error, CommandError::Unavailable(_)),
            "{faults}: {error}"
        );
        assert_eq!(tonic::Status::from(error).code(), tonic::Code::Unavailable);
        h.control("/faults", &json!({})).await;
    }
    assert_eq!(
        h.stock("HJ100NVYS").await["physical"],
        json!(10),
        "nothing set"
    );
}

/// The suite, once per adapter.
macro_rules! contract {
    ($($adapter:ident => $api:expr),+ $(,)?) => {
        $(
            mod $adapter {
                use super::*;

                #[tokio::test]
                async fn stock_is_set_and_read_back() {
                    super::stock_is_set_and_read_back($api).await;
                }

                #[tokio::test]
                async fn every_size_is_read_page_by_page() {
                    super::every_size_is_read_page_by_page($api).await;
                }

                #[tokio::test]
                async fn a_return_is_created_once_per_key() {
                    super::a_return_is_created_once_per_key($api).await;
                }

                #[tokio::test]
                async fn a_return_without_a_stock_choice() {
                    super::a_return_without_a_stock_choice($api).await;
                }

                #[tokio::test]
                async fn a_return_of_an_unknown_shipment_is_refused() {
                    super::a_return_of_an_unknown_shipment_is_refused($api).await;
                }

                #[tokio::test]
                async fn a_shipment_is_completed_once_with_tracking() {
                    super::a_shipment_is_completed_once_with_tracking($api).await;
                }

                #[tokio::test]
                async fn a_completion_with_capture() {
                    super::orders::a_completion_with_capture($api).await;
                }

                #[tokio::test]
                async fn a_completion_with_a_pending_capture() {
                    super::orders::a_completion_with_a_pending_capture($api).await;
                }

                #[tokio::test]
                async fn a_shipment_is_read() {
                    super::orders::a_shipment_is_read($api).await;
                }

                #[tokio::test]
                async fn a_completed_shipment_is_read_with_one_call() {
                    super::orders::a_completed_shipment_is_read_with_one_call($api).await;
                }

                #[tokio::test]
                async fn good_to_go_shipments_are_published_once() {
                    super::detect::good_to_go_shipments_are_published_once($api).await;
                }

                #[tokio::test]
                async fn good_to_go_pages_are_published_as_they_come() {
                    super::detect::good_to_go_pages_are_published_as_they_come($api).await;
                }

                #[tokio::test]
                async fn orders_are_published_once() {
                    super::detect::orders_are_published_once($api).await;
                }

                #[tokio::test]
                async fn the_connection_is_tested() {
                    super::orders::the_connection_is_tested($api).await;
                }

                #[tokio::test]
                async fn quantities_are_set_once() {
                    super::orders::quantities_are_set_once($api).await;
                }

                #[tokio::test]
                async fn completing_an_unknown_shipment_is_refused() {
                    super::completing_an_unknown_shipment_is_refused($api).await;
                }

                #[tokio::test]
                async fn a_shipment_is_captured_once() {
                    super::a_shipment_is_captured_once($api).await;
                }

                #[tokio::test]
                async fn a_pending_capture_is_not_captured() {
                    super::a_pending_capture_is_not_captured($api).await;
                }

                #[tokio::test]
                async fn centra_failing_is_the_retryable_kind() {
                    super::centra_failing_is_the_retryable_kind($api).await;
                }

                #[tokio::test]
                async fn the_products_poll_publishes_each_product_version_once() {
                    super::catalog::the_products_poll_publishes_each_product_version_once($api)
                        .await;
                }

                #[tokio::test]
                async fn an_unreadable_product_is_dead_lettered_and_the_others_published() {
                    super::catalog::an_unreadable_product_is_dead_lettered_and_the_others_published(
                        $api,
                    )
                    .await;
                }

                #[tokio::test]
                async fn a_pending_delivery_is_published_and_accepted_once() {
                    super::deliveries::a_pending_delivery_is_published_and_accepted_once($api)
                        .await;
                }

                #[tokio::test]
                async fn a_short_receipt() {
                    super::deliveries::a_short_receipt($api).await;
                }

                #[tokio::test]
                async fn list_products_pages_through_the_catalogue() {
                    super::catalog::list_products_pages_through_the_catalogue($api).await;
                }
            }
        )+
    };
}

contract!(order_api => CentraApi::OrderApi, graphql => CentraApi::Graphql);

#[tokio::test]
async fn the_events_queue_wakes_the_polls() {
    detect::the_events_queue_wakes_the_polls().await;
}

#[tokio::test]
async fn a_graphql_token_without_a_permission_fails_its_group() {
    orders::a_graphql_token_without_a_permission_fails_its_group().await;
}

#[tokio::test]
async fn a_graphql_token_without_a_write_permission_fails_its_group() {
    orders::a_graphql_token_without_a_write_permission_fails_its_group().await;
}

#[tokio::test]
async fn a_graphql_tokens_expiry_is_checked() {
    orders::a_graphql_tokens_expiry_is_checked().await;
}

/// A GraphQL page token is the next page's number; anything else is refused naming the field,
/// before a call.
#[tokio::test]
async fn a_graphql_stock_page_token_that_is_not_a_page_is_invalid() {
    let h = harness(CentraApi::Graphql).await;
    let error = h
        .commands
        .read_stock(ReadStockRequest {
            endpoint: ENDPOINT.to_owned(),
            page_size: 1,
            page_token: "?limit=1&page=2".to_owned(),
            ..ReadStockRequest::default()
        })
        .await
        .expect_err("not a page number");
    assert_eq!(
        tonic::Status::from(error).code(),
        tonic::Code::InvalidArgument
    );
}
