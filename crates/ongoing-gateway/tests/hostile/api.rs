//! The REST API cases of `corpus.json`: each runs on its own simulator and store. A proxy in
//! front of ongoing-sim passes every call through, adds the case's hostile record to the
//! first page of the listing it targets (built from the real record the simulator lists,
//! which must still be published) and answers the report-back of the hostile order itself
//! (the simulator does not have it). A gateway pointed at the proxy then polls.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use ongoing_gateway::Gateway;
use ongoing_gateway::client::OngoingError;
use ongoing_gateway::detect::{DetectError, PollReport};
use proto::events::v1::{WmsOrderShipped, WmsStockChanged};
use proto::wms::v1::wms_gateway_server::WmsGateway as _;
use serde_json::{Value, json};
use tonic::Request;

use crate::common::{TestApp, order_request, spawn_app};
use crate::corpus;

const SHIPPED: &str = "wms.sandbox.order.shipped";
const STOCK: &str = "wms.sandbox.stock.changed";

/// A record kind of the REST API the corpus targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Order,
    Article,
}

impl Target {
    fn parse(text: &str) -> Self {
        match text {
            "ongoing.order" => Self::Order,
            "ongoing.article" => Self::Article,
            other => panic!("unknown target {other}"),
        }
    }

    fn listing(self) -> &'static str {
        match self {
            Self::Order => "/orders",
            Self::Article => "/articles",
        }
    }

    /// The good record's number and the hostile copy's.
    fn numbers(self) -> (&'static str, &'static str) {
        match self {
            Self::Order => ("GOOD-1", "HOSTILE-1"),
            Self::Article => ("A", "HOSTILE-A"),
        }
    }

    fn rename(self, record: &mut Value) {
        match self {
            Self::Order => {
                record["orderInfo"]["orderId"] = json!(9000);
                record["orderInfo"]["orderNumber"] = json!("HOSTILE-1");
            }
            Self::Article => {
                record["articleSystemId"] = json!(9000);
                record["articleNumber"] = json!("HOSTILE-A");
            }
        }
    }

    /// The numbers of the records published for this target.
    async fn published(self, app: &TestApp) -> Vec<String> {
        match self {
            Self::Order => app
                .events::<WmsOrderShipped>(SHIPPED)
                .await
                .into_iter()
                .map(|(_, e)| e.order_number)
                .collect(),
            Self::Article => app
                .events::<WmsStockChanged>(STOCK)
                .await
                .into_iter()
                .map(|(_, e)| e.article_number)
                .collect(),
        }
    }
}

#[derive(Clone)]
struct Proxy {
    sim_url: String,
    http: reqwest::Client,
    target: Target,
    case: Arc<Value>,
    active: Arc<Mutex<bool>>,
    added: Arc<Mutex<Option<Value>>>,
}

fn placeholder(i: usize) -> String {
    format!("\u{1}hostile-{i}\u{1}")
}

fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let at = haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("placeholder in the answer");
    let mut out = haystack[..at].to_vec();
    out.extend_from_slice(with);
    out.extend_from_slice(&haystack[at + needle.len()..]);
    out
}

impl Proxy {
    /// The answer with the hostile record added, when this call is the first page of the
    /// target's listing (the returns listing is left alone).
    fn inject(&self, path: &str, query: &str, answer: &[u8]) -> Option<Vec<u8>> {
        if !*self.active.lock().expect("flag")
            || !path.ends_with(self.target.listing())
            || query.contains("IdFrom=")
            || query.contains("ToReportReturned")
        {
            return None;
        }
        let mut page: Value = serde_json::from_slice(answer).ok()?;
        let mut record = page.as_array()?.first()?.clone();
        self.target.rename(&mut record);
        for pointer in self.case["remove"].as_array().into_iter().flatten() {
            let pointer = pointer.as_str().expect("pointer");
            let (parent, last) = pointer.rsplit_once('/').expect("pointer");
            record
                .pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .and_then(|o| o.remove(last))
                .unwrap_or_else(|| panic!("{pointer} in {record}"));
        }
        let mut generated = Vec::new();
        let set = self.case["set"].as_object().cloned().unwrap_or_default();
        let generate = self.case["generate"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (pointer, value) in set.into_iter().chain(generate.into_iter().map(|(p, kind)| {
            let i = generated.len();
            generated.push(corpus::generated(kind.as_str().expect("generator")));
            (p, json!(placeholder(i)))
        })) {
            if pointer.is_empty() {
                record = value;
                continue;
            }
            let (parent, last) = pointer.rsplit_once('/').expect("pointer");
            match record.pointer_mut(parent) {
                Some(Value::Object(object)) => {
                    object.insert(last.to_owned(), value);
                }
                Some(Value::Array(items)) => {
                    items[last.parse::<usize>().expect("index")] = value;
                }
                _ => panic!("{parent} in {record}"),
            }
        }
        *self.added.lock().expect("added") = Some(record.clone());
        page.as_array_mut().expect("page").push(record);
        let mut bytes = serde_json::to_vec(&page).expect("json");
        for (i, with) in generated.iter().enumerate() {
            let needle = serde_json::to_vec(&placeholder(i)).expect("json");
            bytes = replace_bytes(&bytes, &needle, with);
        }
        Some(bytes)
    }
}

async fn pass_through(
    State(proxy): State<Proxy>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // The report-back of the hostile order: the simulator does not have it.
    if method == Method::PATCH && uri.path().contains("/orders/9000/") {
        return (StatusCode::OK, axum::Json(json!({}))).into_response();
    }
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = proxy
        .http
        .request(method.clone(), format!("{}{path_and_query}", proxy.sim_url))
        .body(body.to_vec());
    for (name, value) in &headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            request = request.header(name, value);
        }
    }
    let answer = request.send().await.expect("simulator answered");
    let status = StatusCode::from_u16(answer.status().as_u16()).expect("status");
    let bytes = answer.bytes().await.expect("simulator body");
    let injected = (method == Method::GET)
        .then(|| proxy.inject(uri.path(), uri.query().unwrap_or_default(), &bytes))
        .flatten();
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        injected.unwrap_or_else(|| bytes.to_vec()),
    )
        .into_response()
}

/// Starts the proxy for `case` in front of `app`'s simulator and a gateway polling through it.
async fn spawn_proxy(app: &TestApp, target: Target, case: &Value) -> (Proxy, Gateway) {
    let proxy = Proxy {
        sim_url: app.sim.base_url(),
        http: reqwest::Client::new(),
        target,
        case: Arc::new(case.clone()),
        active: Arc::new(Mutex::new(true)),
        added: Arc::default(),
    };
    let router = axum::Router::new()
        .fallback(pass_through)
        .with_state(proxy.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    let mut settings = app.settings.clone();
    settings.client.base_url = format!("http://{addr}");
    let gateway = Gateway::new(settings, app.store.clone()).expect("gateway");
    (proxy, gateway)
}

/// The good records: article A in stock, order GOOD-1 shipped.
async fn good_records(app: &TestApp) {
    app.seed_articles(&["A"]).await;
    app.set_stock("A", 10).await;
    app.gateway
        .commands()
        .upsert_order(Request::new(order_request("GOOD-1", &[("A", 1)])))
        .await
        .expect("order created");
    app.control("orders/GOOD-1/ship", json!({"waybill": "WB-GOOD"}))
        .await;
}

async fn run(case: &Value) -> Result<(), String> {
    let target = Target::parse(case["target"].as_str().expect("target"));
    let (good, hostile) = target.numbers();
    let app = spawn_app().await;
    good_records(&app).await;
    let (proxy, gateway) = spawn_proxy(&app, target, case).await;
    let detector = gateway.detector();
    let expect = &case["expect"];
    let outcome: Result<PollReport, DetectError> = detector.poll_once().await;
    let added = proxy.added.lock().expect("added").clone();
    if added.is_none() {
        return Err("the proxy found no record to copy".into());
    }
    if expect.get("listing_refused").is_some() {
        match outcome {
            Err(DetectError::Ongoing(error @ OngoingError::Decode { .. }))
                if !error.is_retryable() => {}
            other => return Err(format!("expected a terminal decode error, got {other:?}")),
        }
        if target.published(&app).await.iter().any(|n| n == good) {
            return Err("published from an unreadable answer".into());
        }
        *proxy.active.lock().expect("flag") = false;
        detector
            .poll_once()
            .await
            .map_err(|e| format!("poll after the answer was fixed: {e}"))?;
    } else {
        outcome.map_err(|e| format!("the poll failed: {e}"))?;
        let numbers = target.published(&app).await;
        if let Some(letter) = expect.get("dead_letter") {
            let record = letter["record"].as_str().expect("record");
            let field = letter["field"].as_str().expect("field");
            let head = format!("{record}: field {field}: ");
            let letters = app.dead_letters().await;
            let found: Vec<_> = letters
                .iter()
                .filter(|l| l.reason.starts_with(&head))
                .collect();
            if found.len() != 1 {
                return Err(format!("expected one dead letter {head}...: {letters:?}"));
            }
            if numbers.iter().any(|n| n != good) {
                return Err(format!("the hostile record was published: {numbers:?}"));
            }
        }
        if expect.get("flows").is_some() && !numbers.iter().any(|n| n == hostile) {
            return Err(format!("the hostile record did not flow: {numbers:?}"));
        }
    }
    let numbers = target.published(&app).await;
    if numbers.iter().filter(|n| *n == good).count() != 1 {
        return Err(format!(
            "the good record {good} was not published once: {numbers:?}"
        ));
    }
    if target == Target::Order && app.sim_order(good).await["lines"][0]["reported"] != 1.0 {
        return Err("the good order was not reported back".into());
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(app.store.pool())
        .await
        .map_err(|e| format!("outbox after the case: {e}"))?;
    if rows < 1 {
        return Err("outbox empty".into());
    }
    Ok(())
}

#[tokio::test]
async fn every_rest_api_case_of_the_corpus_is_refused_by_name_and_the_good_record_flows() {
    let cases = corpus::cases("api");
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = run(case).await {
            failures.push(format!("{}: {why}", corpus::name(case)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
