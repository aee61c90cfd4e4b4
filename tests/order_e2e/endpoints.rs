//! Several Centra end-points (a retail and a wholesale store): shipments from each are imported
//! under their end-point's order number prefix and completed and captured on their own
//! end-point; articles (and stock) come only from the catalog end-point, which `role`
//! chooses when `catalog_endpoint` is not set (the only wholesale end-point). Both end-points
//! speak the Centra API under test.

use std::time::Duration;

use centra_wms_tests::e2e::{CentraAdapter, article_number, wait_for};
use serde_json::{Value, json};

use centra_wms_tests::wms::{Shipping, WmsOrder};

use crate::harness::{OrderSims, Setup, row, spawn_app_tuned, telemetry};

/// What the scenario asks of a store's request log, in either API's terms.
#[derive(Debug, Clone, Copy)]
enum Asked {
    /// Its products read (`GET /products`, or the `products` query).
    Products,
    /// Its stock read or written (`/stock`, or `setStock`; through GraphQL stock is read from
    /// `products`).
    Stock,
    /// Its stock written (`POST /stock`, or `setStock`).
    StockWritten,
}

/// Requests the Centra simulator at `centra` (control url) answered that are `what`, through
/// `api`.
async fn requests_to(
    sims: &OrderSims,
    centra: &str,
    api: CentraAdapter,
    what: Asked,
) -> Vec<Value> {
    let log = sims.get(format!("{centra}/_sim/requests?since=0")).await;
    let is = |r: &Value| match api {
        CentraAdapter::OrderApi => {
            let path = r["path"].as_str().unwrap_or_default();
            match what {
                Asked::Products => path.contains("/products"),
                Asked::Stock => path.contains("/stock"),
                Asked::StockWritten => path.contains("/stock") && r["method"] == "POST",
            }
        }
        CentraAdapter::Graphql => {
            let fields = r["graphql"]["fields"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let has = |field: &str| fields.iter().any(|f| f == field);
            match what {
                Asked::Products => has("products"),
                Asked::Stock | Asked::StockWritten => has("setStock"),
            }
        }
    };
    log.as_array()
        .map(|all| all.iter().filter(|r| is(r)).cloned().collect())
        .unwrap_or_default()
}

async fn wms_article_numbers(sims: &OrderSims) -> Vec<String> {
    sims.wms_article_numbers().await
}

/// Retail `shop1` (prefix `R`) and wholesale `shop2` (prefix `W`, `role = "wholesale"`, no
/// `catalog_endpoint` set), `capture = "on_completion"`. Both stores number their first order
/// 1001, so both have a shipment `1001-1`: the WMS gets `R1001-1` and `W1001-1`, and each
/// completion and capture goes to the store the shipment came from.
pub async fn retail_and_wholesale_endpoints_each_complete_their_own_shipments(setup: Setup) {
    let _telemetry = telemetry();
    let wholesale = centra_sim::CentraSim::builder()
        .build()
        .expect("wholesale centra sim")
        .spawn("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("wholesale centra sim starts");
    let wholesale_url = wholesale.url();
    // The wholesale catalogue: the shared sizes plus P2-BL-0, which only it sells.
    let mut rows: Vec<Value> = (0..4).map(|s| row(0, s, true)).collect();
    rows.push(row(2, 0, true));
    let http = reqwest::Client::new();
    let seeded = http
        .post(format!("{wholesale_url}/_sim/products"))
        .json(&json!({ "products": rows }))
        .send()
        .await
        .expect("wholesale products seeded");
    assert!(seeded.status().is_success(), "{seeded:?}");

    // The wholesale end-point is read from the settings text like a merchant's file, without
    // `catalog_endpoint`, so the configuration's own defaults pick the catalog end-point. It
    // speaks the API under test, as `shop1` does.
    let api = setup.centra;
    let connection = match api {
        CentraAdapter::OrderApi => format!(
            r#"base_url = "{}"
secret = "sandbox-secret""#,
            wholesale.base_url()
        ),
        CentraAdapter::Graphql => format!(
            r#"api = "graphql"
base_url = "{wholesale_url}/graphql"
token = "{}""#,
            centra_sim::graphql::DEFAULT_TOKEN
        ),
    };
    let settings = format!(
        r#"capture = "on_completion"
stock_to_centra = true

[[settings.endpoints]]
name = "shop2"
{connection}
role = "wholesale"
order_number_prefix = "W""#
    );
    let app = spawn_app_tuned(&settings, setup, |config| {
        assert_eq!(
            config
                .settings
                .catalog_endpoint
                .as_ref()
                .map(|n| n.as_str()),
            Some("shop2"),
            "the only wholesale end-point is the default catalog end-point"
        );
        let retail = config
            .settings
            .endpoints
            .iter_mut()
            .find(|e| e.name.as_str() == "shop1")
            .expect("shop1");
        retail.order_number_prefix = Some("R".into());
    })
    .await;
    let sims = &app.sims;
    let retail_url = sims.centra.url();
    // A product only the retail store sells: never an article, retail is not the catalog.
    sims.seed_products(vec![row(3, 0, true)]).await;

    let retail = sims
        .seed_order_on(&retail_url, false, false, "DHL", &[(0, 0, 1)])
        .await;
    let wholesale_shipment = sims
        .seed_order_on(&wholesale_url, false, false, "DHL", &[(0, 1, 2)])
        .await;
    assert_eq!(retail, wholesale_shipment, "both stores number alike");
    let (r_number, w_number) = (format!("R{retail}"), format!("W{wholesale_shipment}"));
    for number in [&r_number, &w_number] {
        wait_for(
            &format!("wms order {number}"),
            Duration::from_secs(120),
            || async { sims.wms_order(number).await.is_some() },
        )
        .await;
    }
    let article_of = |order: WmsOrder| order.lines.first().map(|(article, _)| article.clone());
    assert_eq!(
        article_of(sims.wms_order(&r_number).await.expect("retail order")),
        Some(article_number(0, 0))
    );
    assert_eq!(
        article_of(sims.wms_order(&w_number).await.expect("wholesale order")),
        Some(article_number(0, 1))
    );

    sims.ship(&r_number, Shipping::all("WB-RETAIL")).await;
    sims.ship(&w_number, Shipping::all("WB-WHOLESALE")).await;
    for (centra, waybill) in [(&retail_url, "WB-RETAIL"), (&wholesale_url, "WB-WHOLESALE")] {
        wait_for(
            &format!("{retail} completed on {centra}"),
            Duration::from_secs(120),
            || async { sims.centra_shipment_on(centra, &retail).await["completeCount"] == 1 },
        )
        .await;
        let done = sims.centra_shipment_on(centra, &retail).await;
        assert_eq!(done["tracking"], waybill, "its own waybill: {done}");
        assert_eq!(
            done["captureCount"], 1,
            "captured once on its own store: {done}"
        );
    }

    // Articles from the catalog end-point only.
    wait_for(
        "the wholesale-only size became an article",
        Duration::from_secs(120),
        || async {
            wms_article_numbers(sims)
                .await
                .contains(&article_number(2, 0))
        },
    )
    .await;
    let numbers = wms_article_numbers(sims).await;
    assert!(
        !numbers.contains(&article_number(3, 0)),
        "a retail-only size became an article: {numbers:?}"
    );
    // Stock goes to the catalog end-point: stock-sync writes the WMS's (empty) shelves there.
    wait_for(
        "a stock write to the wholesale store",
        Duration::from_secs(120),
        || async {
            !requests_to(sims, &wholesale_url, api, Asked::StockWritten)
                .await
                .is_empty()
        },
    )
    .await;
    // The retail store is asked for shipments, never for products or stock.
    for what in [Asked::Products, Asked::Stock] {
        let asked = requests_to(sims, &retail_url, api, what).await;
        assert!(asked.is_empty(), "retail asked for {what:?}: {asked:?}");
    }
    assert!(
        !requests_to(sims, &wholesale_url, api, Asked::Products)
            .await
            .is_empty()
    );

    app.stop().await;
    let _ = wholesale.shutdown().await;
}
