//! The Order API client against the simulator: envelope, lenient types, pagination, time zones,
//! auth and secrets.

use centra_gateway::client::{CentraClient, CentraErrorKind, ProductQuery, ShipmentStatusFilter};
use chrono::{Duration as ChronoDuration, Utc};
use serde_json::Value;

use crate::harness::{ENDPOINT, SECRET, endpoint, fast_options, spawn_app, spawn_app_with};

fn ok_rows<T: Clone>(rows: &[Result<T, Box<centra_gateway::client::record::BadRecord>>]) -> Vec<T> {
    rows.iter()
        .map(|r| r.as_ref().map_err(|e| e.error.to_string()).cloned())
        .collect::<Result<Vec<_>, _>>()
        .expect("every row readable")
}

#[tokio::test]
async fn reads_good_to_go_shipments_with_lines_and_flags() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (order_id, shipment_id) = app.place_order(false, true, true).await;
    let _in_progress = app.place_order(true, false, false).await;

    let rows = app
        .client
        .shipments(ShipmentStatusFilter::GoodToGo, None)
        .await
        .expect("listed");
    let shipments = ok_rows(&rows);
    assert_eq!(shipments.len(), 1, "only the good-to-go shipment");
    let shipment = &shipments[0];
    assert_eq!(shipment.id.to_string(), shipment_id);
    assert_eq!(shipment.order_id, order_id);
    assert!(!shipment.paid);
    assert!(shipment.should_capture);
    assert_eq!(shipment.delivery.city, "Stockholm");
    assert_eq!(shipment.delivery.country_code, "SE");
    assert_eq!(shipment.shipping.shipping_list, "postnord-parcel");
    assert_eq!(shipment.lines.len(), 2);
    assert_eq!(shipment.lines[0].sku, "HJ100");
    assert_eq!(shipment.lines[0].quantity, 2);
    assert!(!shipment.lines[0].line_id.is_empty());
}

#[tokio::test]
async fn pages_through_shipments_with_limit_and_offset() {
    let mut options = fast_options();
    options.page_size = 2;
    let app = spawn_app_with(chrono_tz::Europe::Stockholm, options).await;
    app.seed_products().await;
    let mut placed = Vec::new();
    for _ in 0..5 {
        placed.push(app.place_order(true, false, true).await.1);
    }
    let rows = app
        .client
        .shipments(ShipmentStatusFilter::GoodToGo, None)
        .await
        .expect("listed");
    let ids: Vec<String> = ok_rows(&rows).iter().map(|s| s.id.to_string()).collect();
    assert_eq!(ids, placed, "all five, oldest first, none twice");
    let offsets: Vec<String> = app
        .requests()
        .await
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/shipments"))
        })
        .map(|r| r["query"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(offsets.len(), 3, "pages of 2, 2 and 1: {offsets:?}");
    assert!(offsets[2].contains("offset=4"), "{offsets:?}");
}

#[tokio::test]
async fn pages_through_products_following_next() {
    let mut options = fast_options();
    options.page_size = 1;
    let app = spawn_app_with(chrono_tz::Europe::Stockholm, options).await;
    app.seed_products().await;
    let rows = app
        .client
        .products(&ProductQuery::default())
        .await
        .expect("listed");
    let rows = ok_rows(&rows);
    assert_eq!(rows.len(), 3);
    let products = centra_gateway::client::group_products(rows);
    assert_eq!(products.len(), 2);
    assert_eq!(products[0].sizes.len(), 2, "both sizes of the jacket");
    assert_eq!(products[0].sizes[0].prices[0].amount, "149.00");
    assert!(products[0].sizes[1].active, "active sent as 1");
    let calls = app
        .requests()
        .await
        .iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/products")))
        .count();
    assert_eq!(calls, 3, "one call per page");
}

/// A timestamp filter is sent in Centra's zone: `newer_than` just after the order excludes it,
/// just before includes it. With a wrong zone one of the two would flip.
async fn time_filters_follow_the_zone(zone: chrono_tz::Tz) {
    let app = spawn_app_with(zone, fast_options()).await;
    app.seed_products().await;
    app.place_order(true, false, true).await;
    let now = Utc::now();
    let later = app
        .client
        .shipments(
            ShipmentStatusFilter::GoodToGo,
            Some(now + ChronoDuration::minutes(30)),
        )
        .await
        .expect("listed");
    assert!(
        later.is_empty(),
        "nothing newer than in 30 minutes ({zone})"
    );
    let earlier = app
        .client
        .shipments(
            ShipmentStatusFilter::GoodToGo,
            Some(now - ChronoDuration::minutes(30)),
        )
        .await
        .expect("listed");
    let shipments = ok_rows(&earlier);
    assert_eq!(shipments.len(), 1, "the order of a moment ago ({zone})");
    let order_date = shipments[0].order_date.expect("order date");
    assert!(
        (order_date - now).num_seconds().abs() < 120,
        "order date {order_date} read in {zone} is now ({now})"
    );
}

#[tokio::test]
async fn reads_and_filters_times_in_new_york() {
    time_filters_follow_the_zone(chrono_tz::America::New_York).await;
}

#[tokio::test]
async fn reads_and_filters_times_in_stockholm() {
    time_filters_follow_the_zone(chrono_tz::Europe::Stockholm).await;
}

#[tokio::test]
async fn a_wrong_zone_shifts_times_by_the_offset() {
    let app = spawn_app_with(chrono_tz::America::New_York, fast_options()).await;
    app.seed_products().await;
    app.place_order(true, false, true).await;
    // A client that believes the shop runs on UTC reads New York wall time as UTC.
    let utc_client = CentraClient::new(
        &endpoint(&app.sim.base_url(), SECRET),
        chrono_tz::UTC,
        fast_options(),
    )
    .expect("client");
    let rows = utc_client
        .shipments(ShipmentStatusFilter::GoodToGo, None)
        .await
        .expect("listed");
    let order_date = ok_rows(&rows)[0].order_date.expect("date");
    let skew = (Utc::now() - order_date).num_hours();
    assert!(
        (4..=5).contains(&skew),
        "off by the New York offset, got {skew} h"
    );
}

#[tokio::test]
async fn a_wrong_secret_is_a_terminal_error_that_never_shows_the_secret() {
    let app = spawn_app().await;
    let wrong = "wrong-secret-value-123";
    let client = CentraClient::new(
        &endpoint(&app.sim.base_url(), wrong),
        chrono_tz::Europe::Stockholm,
        fast_options(),
    )
    .expect("client");
    let error = client.test_connection().await.expect_err("refused");
    assert!(!error.is_retryable());
    assert!(
        matches!(error.kind, CentraErrorKind::Rejected { status: 401, .. }),
        "{error:?}"
    );
    for rendered in [
        error.to_string(),
        format!("{error:?}"),
        format!("{client:?}"),
    ] {
        assert!(!rendered.contains(wrong), "secret leaked: {rendered}");
        assert!(!rendered.contains(SECRET), "secret leaked: {rendered}");
    }
    assert!(error.to_string().contains(ENDPOINT));
    let calls = app.requests().await;
    assert_eq!(calls.len(), 1, "a terminal error is not retried");
}

#[tokio::test]
async fn reads_one_shipment_in_any_state_and_none_for_an_unknown_one() {
    let app = spawn_app().await;
    app.seed_products().await;
    let (_, shipment_id) = app.place_order(true, false, false).await;
    let id = domain::ShipmentId::parse(&shipment_id).expect("id");
    let state = app
        .client
        .shipment_state(&id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(state.status, ShipmentStatusFilter::InProgress);

    // A good-to-go shipment (what completion, capture and changes meet) takes one read.
    let (_, ready_id) = app.place_order(true, false, true).await;
    let ready = domain::ShipmentId::parse(&ready_id).expect("id");
    let before = app.requests().await.len();
    let state = app
        .client
        .shipment_state(&ready)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(state.status, ShipmentStatusFilter::GoodToGo);
    assert!(state.shipment.paid);
    assert_eq!(app.requests().await.len() - before, 1, "one GET");

    let unknown = domain::ShipmentId::parse("999999-1").expect("id");
    assert!(
        app.client
            .shipment_state(&unknown)
            .await
            .expect("read")
            .is_none()
    );
    let _: Value = app.state().await;
}

#[tokio::test]
async fn each_endpoint_has_its_own_host_and_secret() {
    let retail = spawn_app().await;
    let wholesale_sim = centra_sim::CentraSim::builder()
        .secret("wholesale-secret")
        .spawn("127.0.0.1:0".parse().expect("loopback"))
        .await
        .expect("second simulator");
    let mut wholesale_endpoint = endpoint(&wholesale_sim.base_url(), "wholesale-secret");
    wholesale_endpoint.name = domain::EndpointName::parse("wholesale").expect("name");
    wholesale_endpoint.role = domain::EndpointRole::Wholesale;
    let wholesale = CentraClient::new(
        &wholesale_endpoint,
        chrono_tz::Europe::Stockholm,
        fast_options(),
    )
    .expect("client");
    let commands = centra_gateway::commands::Commands::new(
        [retail.client.clone(), wholesale],
        retail.store.clone(),
    );
    for name in [ENDPOINT, "wholesale"] {
        let answer = commands
            .test_connection(proto::centra::v1::TestConnectionRequest {
                endpoint: name.to_owned(),
                ..Default::default()
            })
            .await
            .expect("answered");
        assert!(answer.ok, "{name}: {}", answer.message);
    }
    assert_eq!(
        retail.requests().await.len(),
        1,
        "one call reached the retail host"
    );
    let wholesale_calls: Value = retail
        .http
        .get(format!("{}/_sim/requests?since=0", wholesale_sim.url()))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    assert_eq!(wholesale_calls.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_rate_limiter_spaces_calls_to_one_endpoint() {
    let mut options = fast_options();
    options.requests_per_second = 5;
    options.burst = 1;
    let app = spawn_app_with(chrono_tz::Europe::Stockholm, options).await;
    let started = std::time::Instant::now();
    for _ in 0..6 {
        app.client.test_connection().await.expect("answered");
    }
    // Six calls at five per second with no burst need at least five gaps of 200 ms.
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(950),
        "took {:?}",
        started.elapsed()
    );
}

/// A base URL that answers with a redirect to another host: the client does not follow it,
/// so the secret in `API-Authorization` never reaches that host.
#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_with_the_secret() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let seen = Arc::new(AtomicUsize::new(0));
    let other = {
        let seen = seen.clone();
        axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
            let seen = seen.clone();
            async move {
                if headers.contains_key("api-authorization") {
                    seen.fetch_add(1, Ordering::SeqCst);
                }
                "{}"
            }
        })
    };
    let other_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let other_addr = other_listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(other_listener, other).await });
    let redirecting = axum::Router::new().fallback(move || async move {
        (
            axum::http::StatusCode::FOUND,
            [(
                axum::http::header::LOCATION,
                format!("http://localhost:{}/steal", other_addr.port()),
            )],
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, redirecting).await });

    let client = CentraClient::new(
        &endpoint(&format!("http://{addr}/api/order-api"), SECRET),
        chrono_tz::Europe::Stockholm,
        fast_options(),
    )
    .expect("client");
    let answer = client.shipments(ShipmentStatusFilter::GoodToGo, None).await;
    assert!(answer.is_err(), "a redirect is no answer: {answer:?}");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "the secret went to another host"
    );
}
