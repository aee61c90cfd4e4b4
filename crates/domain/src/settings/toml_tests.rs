//! Settings read from TOML: defaults, every problem reported, keys named.

use super::*;

const MINIMAL: &str = r#"
centra_time_zone = "Europe/Stockholm"

[[endpoints]]
name = "shop1"
base_url = "https://shop1.centra.com/api/order-api"
secret = "shop1-secret"
"#;

fn read(text: &str) -> Result<Settings, Vec<SettingsError>> {
    let draft: SettingsDraft = toml::from_str(text).expect("a draft never fails on values");
    draft.into_settings()
}

fn problems(text: &str) -> Vec<String> {
    read(text)
        .expect_err("expected problems")
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn assert_has(problems: &[String], expected: &str) {
    assert!(
        problems.iter().any(|p| p == expected),
        "{expected:?} not in {problems:#?}"
    );
}

#[test]
fn minimal_settings_get_every_default() {
    let settings = read(MINIMAL).expect("valid");
    let mut expected = Settings::new(settings.endpoints.clone(), chrono_tz::Europe::Stockholm);
    expected.catalog_endpoint = Some(EndpointName::parse("shop1").expect("name"));
    assert_eq!(settings, expected);
}

#[test]
fn every_option_reads_from_snake_case() {
    let text = format!(
        "{MINIMAL}\n{}",
        r#"
[settings_rest]
"#
    );
    // The extra table is unknown and must be reported, not ignored.
    assert_has(&problems(&text), "settings.settings_rest: unknown key");

    let full = r#"
sync_interval = "5m"
catalog_endpoint = "retail"
import = "both"
capture = "on_import"
import_filter = "capture_on_import"
completion = "manual"
article_number = "ean"
article_number_max_length = 40
article_filter = "include_inactive"
stock_to_centra = true
purchase_orders = true
returns_to_centra = true
product_selection = "manual"
centra_time_zone = "America/New_York"
price = { pricelist = "Outlet", currency = "SEK" }
default_transporter = { transporter_code = "PN", transporter_service_code = "MYPACK" }

[wms_status]
order_picked = [400]
order_shipped = [450]
order_delivered = [500, 510]
order_cancelled = [1000]
purchase_order_received = [400, 500]
order_editable_below = 250

[[endpoints]]
name = "retail"
base_url = "https://r.centra.com/api/order-api"
secret = "a"
role = "retail"

[[endpoints]]
name = "wholesale"
base_url = "https://w.centra.com/api/order-api"
secret = "b"
role = "wholesale"
order_number_prefix = "WS"

[[shipping_methods]]
carrier = "DHL"
service = "Express"
transporter_code = "DHL"
transporter_service_code = "EXP"

[[shipping_methods]]
shipping_list = "pickup"
transporter_code = "PN"
"#;
    let s = read(full).expect("valid");
    assert_eq!(s.sync_interval, Duration::from_secs(300));
    assert_eq!(s.catalog().map(|e| e.name.as_str()), Some("retail"));
    assert_eq!(s.import, ImportMode::Both);
    assert_eq!(s.capture, CapturePolicy::OnImport);
    assert_eq!(s.import_filter, ImportFilter::CaptureOnImport);
    assert_eq!(s.completion, CompletionPolicy::Manual);
    assert_eq!(s.article_number, ArticleNumberRule::Ean);
    assert_eq!(s.article_number_max_length, 40);
    assert_eq!(s.article_filter, ArticleFilter::IncludeInactive);
    assert!(s.stock_to_centra && s.purchase_orders && s.returns_to_centra);
    assert_eq!(s.product_selection, ProductSelection::Manual);
    assert_eq!(s.centra_time_zone, chrono_tz::America::New_York);
    assert_eq!(s.price.pricelist.as_deref(), Some("Outlet"));
    assert_eq!(s.price.currency, "SEK");
    assert_eq!(s.shipping_methods.len(), 2);
    assert_eq!(
        s.default_transporter
            .as_ref()
            .map(|t| t.transporter_code.as_str()),
        Some("PN")
    );
    assert_eq!(s.wms_status.order_delivered, [500, 510]);
    assert_eq!(s.wms_status.order_editable_below, 250);
    assert_eq!(s.endpoints[1].order_number_prefix.as_deref(), Some("WS"));

    // And it survives a serialize / deserialize round trip, except the masked secrets.
    let text = toml::to_string(&s).expect("serialize");
    assert!(!text.contains("secret = \"a\""), "{text}");
    let back = read(&text.replace("\"***\"", "\"x\"")).expect("round trip");
    assert_eq!(back.import, s.import);
    assert_eq!(back.shipping_methods, s.shipping_methods);
    assert_eq!(back.wms_status, s.wms_status);
    assert_eq!(back.sync_interval, s.sync_interval);
}

#[test]
fn time_zone_is_required_and_checked() {
    let without = MINIMAL.replace("centra_time_zone = \"Europe/Stockholm\"", "");
    let p = problems(&without);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("settings.centra_time_zone: required"),
        "{p:?}"
    );

    let mars = MINIMAL.replace("Europe/Stockholm", "Mars/Base");
    assert_eq!(
        problems(&mars),
        ["settings.centra_time_zone: \"Mars/Base\" is not an IANA time zone"]
    );
    let lower = MINIMAL.replace("Europe/Stockholm", "europe/stockholm");
    assert_eq!(
        problems(&lower),
        [
            "settings.centra_time_zone: \"europe/stockholm\" is not an IANA time zone; did you mean \"Europe/Stockholm\"?"
        ]
    );
}

#[test]
fn all_type_problems_are_reported_together() {
    let text = format!(
        "{}\n{}",
        r#"
sync_interval = "soon"
capture = "on_compltion"
stock_to_centra = "yes please"
article_number_max_length = -1
typo_key = 1
"#,
        MINIMAL.replace("Europe/Stockholm", "Mars/Base")
    );
    let p = problems(&text);
    let keys: Vec<&str> = p
        .iter()
        .map(|p| p.split(':').next().unwrap_or_default())
        .collect();
    for key in [
        "settings.sync_interval",
        "settings.capture",
        "settings.stock_to_centra",
        "settings.article_number_max_length",
        "settings.typo_key",
        "settings.centra_time_zone",
    ] {
        assert!(keys.contains(&key), "{key} missing from {p:#?}");
    }
    assert!(
        p.iter()
            .any(|p| p.contains("on_compltion") && p.contains("on_completion")),
        "{p:#?}"
    );
}

#[test]
fn endpoints_are_required_and_named_uniquely() {
    assert_has(
        &problems("centra_time_zone = \"UTC\""),
        "settings.endpoints: at least one end-point is required ([[settings.endpoints]] with name, base_url and secret)",
    );
    let dup = format!(
        "{MINIMAL}\n{}",
        r#"
[[endpoints]]
name = "shop1"
base_url = "ftp://x"
secret = " "
order_number_prefix = "W1"
"#
    );
    let p = problems(&dup);
    assert_has(
        &p,
        "settings.endpoints[1].name: end-point name \"shop1\" is already used by endpoints[0]",
    );
    assert_has(
        &p,
        "settings.endpoints[1].base_url: \"ftp://x\" is not an http(s) url",
    );
    assert_has(
        &p,
        "settings.endpoints[1].secret: required with api = \"order_api\" (the plugin's secret API key)",
    );
    assert_has(
        &p,
        "settings.endpoints[1].order_number_prefix: prefix \"W1\" ends with a digit, which makes order numbers ambiguous",
    );
    assert!(
        p.iter().any(|p| p
            .starts_with("settings.catalog_endpoint: required when there are several end-points")),
        "{p:#?}"
    );
}

#[test]
fn several_endpoints_need_prefixes_and_a_catalog_endpoint() {
    let text = format!(
        "{MINIMAL}\ncatalog_endpoint = \"shop3\"\n{}",
        r#"
[[endpoints]]
name = "shop2"
base_url = "https://shop2.centra.com/api/order-api"
secret = "b"
"#
    );
    // `catalog_endpoint` after the array of tables belongs to the endpoint in TOML; put it first.
    let text = text.replace("\ncatalog_endpoint = \"shop3\"\n", "\n");
    let text = format!("catalog_endpoint = \"shop3\"\n{text}");
    let p = problems(&text);
    assert_has(
        &p,
        "settings.catalog_endpoint: \"shop3\" is not a configured end-point (one of shop1, shop2)",
    );
    assert!(
        p.iter().any(|p| p.starts_with("settings.endpoints[1].order_number_prefix: required: endpoints[0] already has no prefix")),
        "{p:#?}"
    );
}

#[test]
fn the_only_wholesale_endpoint_is_the_default_catalog_endpoint() {
    let endpoint = |name: &str, role: Option<&str>| {
        let role = role
            .map(|r| format!("role = \"{r}\"\n"))
            .unwrap_or_default();
        format!(
            "\n[[endpoints]]\nname = \"{name}\"\nbase_url = \"https://{name}.centra.com/api/order-api\"\nsecret = \"s\"\norder_number_prefix = \"{}\"\n{role}",
            name.to_uppercase()
        )
    };
    let zone = "centra_time_zone = \"UTC\"\n";
    type Case<'a> = (&'a [(&'a str, Option<&'a str>)], Option<&'a str>);
    let cases: [Case; 5] = [
        (
            &[("retail", None), ("wholesale", Some("wholesale"))],
            Some("wholesale"),
        ),
        (
            &[
                ("b2b", Some("wholesale")),
                ("shop", Some("retail")),
                ("outlet", Some("other")),
            ],
            Some("b2b"),
        ),
        (&[("a", Some("retail")), ("b", Some("other"))], None),
        (&[("a", Some("wholesale")), ("b", Some("wholesale"))], None),
        (&[("only", Some("retail"))], Some("only")),
    ];
    for (endpoints, expected) in cases {
        let text: String = std::iter::once(zone.to_owned())
            .chain(endpoints.iter().map(|(n, r)| endpoint(n, *r)))
            .collect();
        match expected {
            Some(name) => {
                let settings = read(&text).unwrap_or_else(|p| panic!("{text}: {p:?}"));
                assert_eq!(
                    settings.catalog_endpoint.as_ref().map(EndpointName::as_str),
                    Some(name),
                    "{text}"
                );
            }
            None => assert!(
                problems(&text).iter().any(|p| p.starts_with(
                    "settings.catalog_endpoint: required when there are several end-points and not exactly one has role = \"wholesale\""
                )),
                "{text}"
            ),
        }
    }
    // Set explicitly, it wins over the role.
    let text = format!(
        "catalog_endpoint = \"retail\"\n{zone}{}{}",
        endpoint("retail", None),
        endpoint("wholesale", Some("wholesale"))
    );
    let settings = read(&text).expect("valid");
    assert_eq!(settings.catalog().map(|e| e.name.as_str()), Some("retail"));
}

#[test]
fn an_unreadable_endpoint_is_reported_without_follow_up_noise() {
    let text = r#"
centra_time_zone = "UTC"
catalog_endpoint = "shop1"
[[endpoints]]
name = "shop1"
secret = "s"
"#;
    let p = problems(text);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(
        p[0].starts_with("settings.endpoints[0]: missing field `base_url`"),
        "{p:#?}"
    );
}

#[test]
fn policy_combinations_are_checked() {
    let p = problems(&format!("import_filter = \"capture_on_import\"\n{MINIMAL}"));
    assert_eq!(
        p,
        ["settings.import_filter: capture_on_import needs capture = \"on_import\""]
    );
    let p = problems(&format!(
        "import = \"orders\"\ncapture = \"on_import\"\n{MINIMAL}"
    ));
    assert_eq!(p.len(), 1);
    assert!(
        p[0].starts_with("settings.capture: on_import captures shipments"),
        "{p:?}"
    );
    let p = problems(&format!(
        "sync_interval = \"0s\"\narticle_number_max_length = 0\n{MINIMAL}"
    ));
    assert_eq!(
        p,
        [
            "settings.sync_interval: must be at least 1s",
            "settings.article_number_max_length: must be at least 1"
        ]
    );
}

#[test]
fn price_problems() {
    let p = problems(&format!(
        "price = {{ currency = \"eur\", pricelist = \" \" }}\n{MINIMAL}"
    ));
    assert_eq!(
        p,
        [
            "settings.price.currency: \"eur\" is not an ISO 4217 currency code (three capital letters, e.g. \"EUR\")",
            "settings.price.pricelist: is empty; leave it out to use the first pricelist in the currency"
        ]
    );
    let p = problems(&format!(
        "price = {{ currency = \"EUR\", list = \"x\" }}\n{MINIMAL}"
    ));
    assert!(
        p[0].starts_with("settings.price: unknown field `list`"),
        "{p:?}"
    );
}

#[test]
fn shipping_method_problems() {
    let text = format!(
        "{MINIMAL}\n{}",
        r#"
[[shipping_methods]]
transporter_code = "X"

[[shipping_methods]]
carrier = "DHL"
service = ""
transporter_code = " "

[[shipping_methods]]
carrier = "dhl "
service = ""
transporter_code = "Y"

[[shipping_methods]]
carier = "DHL"
transporter_code = "Y"

[default_transporter]
transporter_code = ""
"#
    );
    let p = problems(&text);
    assert_has(
        &p,
        "settings.shipping_methods[0]: needs at least one of carrier, service, shipping_list (use default_transporter for a catch-all)",
    );
    assert_has(
        &p,
        "settings.shipping_methods[1].service: is empty; leave it out instead",
    );
    assert_has(
        &p,
        "settings.shipping_methods[1].transporter_code: is empty",
    );
    assert_has(
        &p,
        "settings.shipping_methods[2]: matches the same carrier, service and shipping list as shipping_methods[1], so it would never be used",
    );
    assert!(
        p.iter()
            .any(|p| p.starts_with("settings.shipping_methods[3]: unknown field `carier`")),
        "{p:#?}"
    );
    assert_has(
        &p,
        "settings.default_transporter.transporter_code: is empty",
    );
}

#[test]
fn wms_status_problems() {
    let text = format!(
        "{MINIMAL}\n{}",
        r#"
[wms_status]
order_picked = [400, 450]
order_shipped = []
purchase_order_received = []
order_editable_below = 420
"#
    );
    let p = problems(&text);
    assert_has(
        &p,
        "settings.wms_status.order_shipped: must list at least one status, or no order would ever count as shipped",
    );
    assert_has(
        &p,
        "settings.wms_status.purchase_order_received: must list at least one status, or no purchase order would ever count as received",
    );
    assert_has(
        &p,
        "settings.wms_status.order_editable_below: 420 is above status 400 in order_picked; an order the warehouse worked on would count as editable",
    );

    let overlap = format!("{MINIMAL}\n[wms_status]\norder_delivered = [450]\n");
    assert_eq!(
        problems(&overlap),
        ["settings.wms_status.order_delivered: status 450 is also in order_shipped"]
    );
}

#[test]
fn deserialize_reports_all_problems_in_one_error() {
    let err = toml::from_str::<Settings>("capture = 1\nimport = \"x\"\n").expect_err("invalid");
    let text = err.to_string();
    for key in [
        "settings.capture",
        "settings.import",
        "settings.centra_time_zone",
        "settings.endpoints",
    ] {
        assert!(text.contains(key), "{key} not in {text}");
    }
}

#[test]
fn serialized_settings_never_contain_secrets() {
    let settings = read(MINIMAL).expect("valid");
    let text = toml::to_string(&settings).expect("toml");
    assert!(!text.contains("shop1-secret"), "{text}");
    assert!(!format!("{settings:?}").contains("shop1-secret"));
    assert!(text.contains("sync_interval = \"15m\""), "{text}");
    assert!(
        text.contains("centra_time_zone = \"Europe/Stockholm\""),
        "{text}"
    );
}

#[test]
fn problems_after_an_unreadable_list_item_keep_the_input_positions() {
    let text = r#"
centra_time_zone = "UTC"
catalog_endpoint = "a"

[[endpoints]]
name = "a"
secret = "w"

[[endpoints]]
name = "a"
base_url = "https://b"
secret = "x"

[[endpoints]]
name = "a"
base_url = "nope"
secret = "y"
order_number_prefix = "B"
"#;
    let p = problems(text);
    assert_has(&p, "settings.endpoints[0]: missing field `base_url`");
    assert_has(
        &p,
        "settings.endpoints[2].name: end-point name \"a\" is already used by endpoints[1]",
    );
    assert_has(
        &p,
        "settings.endpoints[2].base_url: \"nope\" is not an http(s) url",
    );
    assert!(
        !p.iter().any(|p| p.starts_with("settings.catalog_endpoint")),
        "{p:#?}"
    );
}

#[test]
fn the_webhook_secret_is_optional_masked_and_never_blank() {
    let settings = read(MINIMAL).expect("valid");
    assert_eq!(settings.endpoints[0].webhook_secret, None);

    let with = MINIMAL.replace(
        "secret = \"shop1-secret\"",
        "secret = \"shop1-secret\"\nwebhook_secret = \"hook-secret-value\"",
    );
    let settings = read(&with).expect("valid");
    let secret = settings.endpoints[0].webhook_secret.as_ref().expect("set");
    assert_eq!(secret.expose(), "hook-secret-value");
    assert!(!format!("{settings:?}").contains("hook-secret-value"));

    let blank = MINIMAL.replace(
        "secret = \"shop1-secret\"",
        "secret = \"shop1-secret\"\nwebhook_secret = \" \"",
    );
    assert_has(
        &problems(&blank),
        "settings.endpoints[0].webhook_secret: is empty; leave it out instead",
    );
}

#[test]
fn return_stock_defaults_to_the_store_and_yes_is_refused_when_the_wms_owns_stock() {
    assert_eq!(
        read(MINIMAL).expect("valid").return_stock,
        ReturnStock::StoreDefault
    );
    for word in ["yes", "no", "store_default"] {
        let text = format!("return_stock = \"{word}\"\n{MINIMAL}");
        assert_eq!(
            read(&text).expect("valid").return_stock.as_str(),
            word,
            "{word}"
        );
    }
    for word in ["no", "store_default"] {
        let text = format!("stock_to_centra = true\nreturn_stock = \"{word}\"\n{MINIMAL}");
        let settings = read(&text).expect("valid");
        assert_eq!(settings.return_stock.centra_flag(true), Some(false));
    }
    let p = problems(&format!(
        "stock_to_centra = true\nreturn_stock = \"yes\"\n{MINIMAL}"
    ));
    assert!(
        p.iter()
            .any(|p| p.starts_with("settings.return_stock: ") && p.contains("count them twice")),
        "{p:#?}"
    );
    let p = problems(&format!("return_stock = \"sometimes\"\n{MINIMAL}"));
    assert!(
        p.iter()
            .any(|p| p.starts_with("settings.return_stock") && p.contains("store_default")),
        "{p:#?}"
    );
}

#[test]
fn the_stock_batch_window_defaults_to_half_a_second_and_is_bounded() {
    let settings = read(MINIMAL).expect("valid");
    assert_eq!(settings.stock_batch_window, Duration::from_millis(500));
    let settings = read(&format!("stock_batch_window = \"2s\"\n{MINIMAL}")).expect("valid");
    assert_eq!(settings.stock_batch_window, Duration::from_secs(2));
    // 0s: no gathering, each change is checked as soon as it is marked.
    let settings = read(&format!("stock_batch_window = \"0s\"\n{MINIMAL}")).expect("valid");
    assert_eq!(settings.stock_batch_window, Duration::ZERO);
    let p = problems(&format!("stock_batch_window = \"2m\"\n{MINIMAL}"));
    assert_has(
        &p,
        "settings.stock_batch_window: must be at most 60s (every stock change waits this long before it goes to Centra)",
    );
    let p = problems(&format!("stock_batch_window = \"later\"\n{MINIMAL}"));
    assert!(
        p.iter()
            .any(|p| p.starts_with("settings.stock_batch_window")),
        "{p:#?}"
    );
}

#[test]
fn stock_intervals_default_to_a_minute_and_a_day_and_are_checked() {
    let settings = read(MINIMAL).expect("valid");
    assert_eq!(settings.stock_recheck_interval, Duration::from_secs(60));
    assert_eq!(
        settings.stock_reconcile_interval,
        Duration::from_secs(24 * 60 * 60)
    );
    let text =
        format!("stock_recheck_interval = \"30s\"\nstock_reconcile_interval = \"6h\"\n{MINIMAL}");
    let settings = read(&text).expect("valid");
    assert_eq!(settings.stock_recheck_interval, Duration::from_secs(30));
    assert_eq!(
        settings.stock_reconcile_interval,
        Duration::from_secs(6 * 60 * 60)
    );
    let p = problems(&format!(
        "stock_recheck_interval = \"10ms\"\nstock_reconcile_interval = \"soon\"\n{MINIMAL}"
    ));
    assert!(
        p.iter()
            .any(|p| p.starts_with("settings.stock_recheck_interval: ")),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|p| p.starts_with("settings.stock_reconcile_interval")),
        "{p:#?}"
    );
}
