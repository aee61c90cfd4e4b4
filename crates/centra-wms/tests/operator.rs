//! The operator commands against a running sandbox (a child `centra-wms sandbox` on free
//! ports) and against nothing at all: output, `--json`, and exit codes (0 ok, 1 failure,
//! 2 bad usage).

mod support;

use std::time::{Duration, Instant};

use support::{Sandbox, cli_with, fails_with, get_json, grpc_ports, json, post_json, shirt, text};

/// One active size row (article `SHIRTREDM` by the default rule) in the Centra simulator.
fn seed_shirt(sandbox: &Sandbox) {
    post_json(&sandbox.centra, "/_sim/products", &shirt());
}

#[test]
fn every_operator_command_has_help() {
    for args in [
        vec!["dead-letters", "--help"],
        vec!["dead-letters", "retry", "--help"],
        vec!["products", "--help"],
        vec!["products", "create", "--help"],
        vec!["shipments", "complete", "--help"],
        vec!["shipments", "list", "--help"],
        vec!["shipments", "retry", "--help"],
        vec!["shipments", "discard", "--help"],
        vec!["returns", "retry", "--help"],
        vec!["returns", "discard", "--help"],
        vec!["test-connection", "--help"],
    ] {
        let out = cli_with(&[], &args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("--config"), "{args:?}");
    }
}

#[test]
fn completing_a_shipment_without_an_explicit_capture_is_bad_usage() {
    let out = cli_with(&[], &["shipments", "complete", "1234"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--capture"),
        "{}",
        text(&out.stderr)
    );
    let out = cli_with(
        &[],
        &["shipments", "complete", "1234", "--capture", "maybe"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_config_file_is_bad_usage() {
    let out = cli_with(
        &[],
        &["products", "list", "--config", "/nonexistent/c.toml"],
    );
    let line = fails_with(&out, 2);
    assert!(line.contains("/nonexistent/c.toml"), "{line}");
}

#[test]
fn commands_name_the_address_and_the_fix_when_nothing_runs() {
    let env = grpc_ports();
    let catalog = env
        .iter()
        .find(|(k, _)| k.contains("CATALOG_SYNC"))
        .map(|(_, v)| v.clone())
        .expect("catalog port");
    let line = fails_with(&cli_with(&env, &["dead-letters", "list"]), 1);
    assert!(line.contains(&catalog), "{line}");
    assert!(line.contains("centra-wms run"), "{line}");

    let line = fails_with(&cli_with(&env, &["products", "refresh"]), 1);
    assert!(line.contains(&catalog), "{line}");

    let out = cli_with(&env, &["test-connection"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("FAIL centra sandbox (retail, catalog) ORDER & SHIPMENT:"),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL wms sandbox:"), "{stdout}");
    assert!(stdout.contains("centra-wms run"), "{stdout}");
}

#[test]
fn test_connection_checks_centra_and_the_wms_of_a_running_sandbox() {
    let sandbox = Sandbox::start(&["--no-demo"]);
    let out = sandbox.cli(&["test-connection"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    // The sandbox's flows: shipments, articles and stock (its only end-point is the catalog
    // one), supplier deliveries (`purchase_orders`) and returns; its mapped transporters are
    // WMS contracts.
    for group in [
        "ORDER & SHIPMENT",
        "PRODUCT & STOCK",
        "SUPPLIER DELIVERIES",
        "RETURNS",
    ] {
        assert!(
            stdout.contains(&format!("ok   centra sandbox (retail, catalog) {group}:")),
            "{group}: {stdout}"
        );
    }
    assert!(stdout.contains("needed by returns_to_centra"), "{stdout}");
    assert!(stdout.contains("stock_to_centra"), "{stdout}");
    assert!(stdout.contains("ok   wms sandbox:"), "{stdout}");
    assert!(
        stdout.contains("ok   wms sandbox transporters:") && stdout.contains("PLAB/P18"),
        "{stdout}"
    );

    // The same through a settings file naming the ports, with no environment overrides.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("centra-wms.toml");
    let mut settings =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/sandbox.toml"))
            .expect("sandbox settings");
    for (key, addr) in &sandbox.env {
        let service = key
            .trim_start_matches("CENTRA_WMS__RUNTIME__GRPC__")
            .trim_end_matches("__LISTEN")
            .to_lowercase();
        settings.push_str(&format!(
            "\n[runtime.grpc.{service}]\nlisten = \"{addr}\"\n"
        ));
    }
    std::fs::write(&file, settings).expect("write settings");
    let path = file.to_str().expect("utf-8 path");
    let checks = json(&cli_with(
        &[],
        &["test-connection", "--json", "--config", path],
    ));
    let checks = checks.as_array().expect("an array");
    assert_eq!(
        checks.len(),
        6,
        "four groups, the wms, its transporters: {checks:?}"
    );
    assert!(checks.iter().all(|c| c["ok"] == true), "{checks:?}");
}

#[test]
fn dead_letters_of_a_running_sandbox() {
    let sandbox = Sandbox::start(&["--no-demo"]);
    let listed = json(&sandbox.cli(&["dead-letters", "list", "--json"]));
    assert_eq!(listed, serde_json::json!([]));
    let out = sandbox.cli(&["dead-letters", "list"]);
    assert!(text(&out.stdout).contains("no dead letters"));

    let line = fails_with(&sandbox.cli(&["dead-letters", "show", "no-such-id"]), 1);
    assert!(line.contains("no-such-id"), "{line}");
    let line = fails_with(&sandbox.cli(&["dead-letters", "retry", "no-such-id"]), 1);
    assert!(line.contains("no-such-id"), "{line}");
    let line = fails_with(&sandbox.cli(&["dead-letters", "discard", "gone-id"]), 1);
    assert!(line.contains("gone-id"), "{line}");

    let out = sandbox.cli(&["dead-letters", "list", "--service", "order-sync"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("no dead letters in order-sync"));
    // Every service keeps its dead letters, stock-sync and returns-sync included.
    for service in ["stock-sync", "returns-sync"] {
        let out = sandbox.cli(&["dead-letters", "list", "--service", service]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains(&format!("no dead letters in {service}")),
            "{}",
            text(&out.stdout)
        );
    }
    let out = sandbox.cli(&["dead-letters", "list", "--service", "billing-sync"]);
    fails_with(&out, 2);
}

#[test]
fn products_of_a_running_sandbox() {
    let sandbox = Sandbox::start(&["--no-demo"]);
    let out = sandbox.cli(&["products", "list"]);
    assert!(text(&out.stdout).contains("no products known yet"));
    seed_shirt(&sandbox);
    let out = sandbox.cli(&["products", "refresh"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("refreshed: 1 size items seen"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n1 products: "),
        "refresh reports what it found: {stdout}"
    );
    let refreshed = json(&sandbox.cli(&["products", "refresh", "--json"]));
    assert_eq!(refreshed["size_items_seen"], 1, "{refreshed}");
    assert_eq!(refreshed["products"], 1, "{refreshed}");

    // Issue #11 point 2: sizes grouped under their product, with a state per product.
    let products = json(&sandbox.cli(&["products", "list", "--json"]));
    let products = products.as_array().expect("an array");
    assert_eq!(products.len(), 1, "{products:?}");
    assert_eq!(products[0]["product_id"], "1", "{products:?}");
    // Automatic selection in this sandbox: the size may be written by its event already.
    assert!(
        ["not-in-wms", "in-wms"].contains(&products[0]["state"].as_str().unwrap_or_default()),
        "{products:?}"
    );
    let sizes = products[0]["sizes"].as_array().expect("sizes");
    assert_eq!(sizes.len(), 1, "{sizes:?}");
    assert_eq!(sizes[0]["ean"], "7350000000016", "{sizes:?}");
    let article = sizes[0]["article_number"]
        .as_str()
        .expect("an article number")
        .to_owned();
    let listed = text(&sandbox.cli(&["products", "list"]).stdout);
    assert!(
        listed.starts_with("product 1  ") && listed.contains("  Shirt  (1 sizes)\n"),
        "{listed}"
    );
    assert!(listed.contains(&format!("\n    {article}  ")), "{listed}");

    let out = sandbox.cli(&["products", "create", "--product-id", "1"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with(&format!("ok   {article}")), "{stdout}");
    let listed = text(
        &sandbox
            .cli(&["products", "list", "--product-id", "1"])
            .stdout,
    );
    assert!(listed.starts_with("product 1  in-wms  Shirt"), "{listed}");

    let out = sandbox.cli(&["products", "create", &article]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with(&format!("ok   {article}")), "{stdout}");

    let out = sandbox.cli(&["products", "create", "--product-id", "99"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("product 99"),
        "{}",
        text(&out.stderr)
    );
    let out = sandbox.cli(&["products", "create"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "nothing selected is a usage error"
    );

    let out = sandbox.cli(&["products", "create", "NO-SUCH-ARTICLE"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("NO-SUCH-ARTICLE"));
}

#[test]
fn completing_a_shipment_by_hand_on_a_running_sandbox() {
    // A short poll interval, so order-sync imports the shipment within the test.
    let sandbox = Sandbox::start_with(
        &["--no-demo"],
        &[("CENTRA_WMS__SETTINGS__SYNC_INTERVAL", "1s")],
    );
    let out = sandbox.cli(&["shipments", "complete", "999999", "--capture", "false"]);
    let line = fails_with(&out, 1);
    assert!(line.contains("order-sync: not found"), "{line}");
    assert!(line.contains("999999"), "{line}");

    seed_shirt(&sandbox);
    let out = sandbox.cli(&["products", "refresh"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = sandbox.cli(&["products", "create", "SHIRTREDM"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    post_json(
        &sandbox.centra,
        "/_sim/orders",
        &serde_json::json!({"order": {
            "orderId": "1001", "paid": true, "shouldCapture": true,
            "delivery": {"name": "A Person", "address": "Street 1", "zipcode": "11122",
                         "city": "Stockholm", "country": "SE", "email": "a@example.com"},
            "lines": [{"sku": "SHIRT", "variantSku": "RED", "sizeSku": "M", "qty": 1,
                       "price": 100}]
        }, "goodToGo": true}),
    );
    let args = [
        "shipments",
        "complete",
        "1001-1",
        "--capture",
        "false",
        "--json",
    ];
    let deadline = Instant::now() + Duration::from_secs(15);
    let done = loop {
        let out = sandbox.cli(&args);
        if out.status.success() {
            break json(&out);
        }
        assert!(
            Instant::now() < deadline,
            "never completed: {}",
            text(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(done["already_done"], false, "{done}");
    assert_eq!(done["capture"], false, "{done}");
    assert_eq!(done["state"], "completed", "{done}");
    let state = get_json(&sandbox.centra, "/_sim/state");
    let shipment = &state["shipments"][0];
    assert_eq!(shipment["shipmentId"], "1001-1", "{state}");
    assert_eq!(shipment["completed"], true, "{state}");
    assert_eq!(shipment["captured"], false, "no capture asked: {state}");
    let again = json(&sandbox.cli(&args));
    assert_eq!(again["already_done"], true, "{again}");
    let out = sandbox.cli(&["shipments", "complete", "1001-1", "--capture", "true"]);
    assert!(
        text(&out.stdout).contains("already completed"),
        "{}",
        text(&out.stdout)
    );
}

/// `returns discard` reaches returns-sync and reports its refusals as one line: an unknown
/// return (exit 1, naming it), a blank reason (exit 1, naming the field), no `--reason` at
/// all (bad usage, exit 2); nothing is discarded.
#[test]
fn returns_discard_refusals_of_a_running_sandbox() {
    let sandbox = Sandbox::start(&["--no-demo"]);
    let line = fails_with(
        &sandbox.cli(&[
            "returns",
            "discard",
            "no-such-return",
            "--reason",
            "credited",
            "--by",
            "ops",
        ]),
        1,
    );
    assert!(line.contains("no-such-return"), "{line}");
    let line = fails_with(
        &sandbox.cli(&[
            "returns",
            "discard",
            "no-such-return",
            "--reason",
            " ",
            "--by",
            "ops",
        ]),
        1,
    );
    assert!(line.contains("reason"), "{line}");
    let out = sandbox.cli(&["returns", "discard", "no-such-return", "--by", "ops"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--reason"),
        "names the missing flag"
    );
    let listed = json(&sandbox.cli(&["returns", "list", "--state", "discarded", "--json"]));
    assert_eq!(listed, serde_json::json!([]));
}
