//! `api = "graphql"` serves every flow: the config check (and so the start) accepts a GraphQL
//! end-point importing shipments or orders with the catalog, stock, returns and purchase
//! orders (with the admin user the Integration API accepts deliveries as), and the gateway
//! builds a GraphQL connection for it.

use centra_gateway::Gateway;
use centra_gateway::client::ClientOptions;
use centra_gateway::client_graphql::GraphqlOptions;
use platform_config::AppConfig;
use platform_store::{Store, StoreOptions};

use crate::server::FakeCentra;

const EXAMPLE: &str = include_str!("../../../../config/centra-wms.example.toml");
const BASE_URL: &str = "base_url = \"https://example.centra.com/api/order-api\"\n";
const SECRET: &str = "secret = \"change-me\"\n";

#[test]
fn config_check_accepts_api_graphql_for_every_flow() {
    assert!(
        EXAMPLE.contains(BASE_URL) && EXAMPLE.contains(SECRET),
        "the example's end-point"
    );
    AppConfig::from_toml_str(EXAMPLE).expect("the example is valid");
    let graphql = EXAMPLE
        .replacen(
            BASE_URL,
            "api = \"graphql\"\nbase_url = \"https://example.centra.com/graphql\"\n",
            1,
        )
        .replacen(SECRET, "token = \"change-me\"\n", 1);
    AppConfig::from_toml_str(&graphql).expect("the catalog end-point is served through GraphQL");
    let purchase_orders = "# purchase_orders = false\n";
    assert!(graphql.contains(purchase_orders), "the example's setting");
    let graphql = graphql.replacen(purchase_orders, "purchase_orders = true\n", 1);
    let text = AppConfig::from_toml_str(&graphql)
        .expect_err("purchase orders need the admin user")
        .to_string();
    assert!(
        text.contains("settings.endpoints[0].admin_user_id: required with api = \"graphql\" and purchase_orders = true"),
        "{text}"
    );
    assert!(!text.contains("change-me"), "the token never shows: {text}");
    // Read only with api = "graphql", so not in the example (as `token_expires_on`): set after
    // the token.
    let graphql = graphql.replacen(
        "token = \"change-me\"\n",
        "token = \"change-me\"\nadmin_user_id = 1\n",
        1,
    );
    AppConfig::from_toml_str(&graphql).expect("purchase orders are served through GraphQL");
    let import = "# import = \"shipments\"\n";
    assert!(graphql.contains(import), "the example's setting");
    for mode in ["orders", "both"] {
        let graphql = graphql.replacen(import, &format!("import = \"{mode}\"\n"), 1);
        AppConfig::from_toml_str(&graphql).expect("the order import is served through GraphQL");
    }
}

/// The order import through GraphQL: the gateway builds the GraphQL connection and sends
/// nothing before its polls start.
#[tokio::test]
async fn the_gateway_serves_the_order_import_through_graphql() {
    let centra = FakeCentra::start().await;
    let mut settings = domain::Settings::new(vec![centra.endpoint()], chrono_tz::UTC);
    settings.import = domain::settings::ImportMode::Orders;
    let store = store().await;
    let gateway = Gateway::new(
        &settings,
        store.0,
        &ClientOptions::default(),
        &GraphqlOptions::default(),
    )
    .expect("served");
    assert_eq!(
        gateway.commands().connection("shop1").expect("shop1").api(),
        domain::CentraApi::Graphql
    );
    assert!(
        centra.seen().is_empty(),
        "nothing was sent to the end-point"
    );
}

async fn store() -> (Store, tempfile::TempDir) {
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
    (store, dir)
}

/// The order flow importing shipments through GraphQL, the catalog on an Order API end-point:
/// the gateway builds a GraphQL connection for the first and serves its shipment commands.
#[tokio::test]
async fn the_gateway_serves_the_order_flow_through_graphql() {
    let centra = FakeCentra::start().await;
    let catalog = domain::CentraEndpoint {
        name: domain::EndpointName::parse("catalog").expect("name"),
        api: domain::CentraApi::OrderApi,
        base_url: "https://example.centra.com/api/order-api".to_owned(),
        secret: domain::Secret::new("s"),
        token: None,
        token_expires_on: None,
        admin_user_id: None,
        order_number_prefix: Some("C-".to_owned()),
        ..centra.endpoint()
    };
    let mut settings =
        domain::Settings::new(vec![centra.endpoint(), catalog.clone()], chrono_tz::UTC);
    settings.catalog_endpoint = Some(catalog.name.clone());
    let store = store().await;
    let gateway = Gateway::new(
        &settings,
        store.0,
        &ClientOptions::default(),
        &GraphqlOptions::default(),
    )
    .expect("served");
    let commands = gateway.commands();
    assert_eq!(
        commands.connection("shop1").expect("shop1").api(),
        domain::CentraApi::Graphql
    );
    assert_eq!(
        commands.connection("catalog").expect("catalog").api(),
        domain::CentraApi::OrderApi
    );
}
