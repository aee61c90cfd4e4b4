//! `shipments list`, `shipments retry` and `shipments discard` against a running sandbox: a
//! shipment parked for a person is listed with its reason, a retry of it answers with its
//! state, a discard sets it aside with the reason and who (a retry takes it back), and the
//! failures (unknown shipment, unknown state, no reason) are one line with the right exit
//! code. Every service
//! that keeps records for a person answers `dead-letters`.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{Sandbox, fails_with, json, post_json, shirt, text};

/// A sandbox importing only paid shipments, with one unpaid shipment placed in Centra: the
/// shipment id, and the sandbox once the shipment is listed as parked; the listing's text.
fn parked_shipment() -> (Sandbox, String, String) {
    // Only paid shipments are imported: an unpaid one is parked for a person.
    let sandbox = Sandbox::start_with(
        &["--no-demo"],
        &[("CENTRA_WMS__SETTINGS__IMPORT_FILTER", "only_paid")],
    );
    post_json(&sandbox.centra, "/_sim/products", &shirt());
    let placed = post_json(
        &sandbox.centra,
        "/_sim/orders",
        &json!({"order": {"paid": false,
                          "delivery": {"name": "Ada", "address": "Storgatan 1", "zipcode": "11122",
                                       "city": "Stockholm", "country": "SE"},
                          "lines": [{"sku": "SHIRT", "variantSku": "RED", "sizeSku": "M",
                                     "ean": "7350000000016", "qty": 1, "price": "10.00"}]},
                "goodToGo": true}),
    );
    let shipment = placed["shipmentId"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| placed["shipmentId"].to_string());

    let deadline = Instant::now() + Duration::from_secs(60);
    let listed = loop {
        let out = sandbox.cli(&["shipments", "list", "--state", "parked"]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
        if stdout.contains(&shipment) {
            break stdout;
        }
        assert!(Instant::now() < deadline, "never parked: {stdout}");
        std::thread::sleep(Duration::from_millis(250));
    };
    (sandbox, shipment, listed)
}

#[test]
fn a_parked_shipment_is_listed_with_its_reason_and_retried() {
    let (sandbox, shipment, listed) = parked_shipment();
    let line = listed
        .lines()
        .find(|l| l.contains(&shipment))
        .expect("its line");
    assert!(line.contains("parked"), "{line}");
    assert!(line.contains("not paid"), "the reason: {line}");

    let rows = json(&sandbox.cli(&["shipments", "list", "--json"]));
    let row = rows
        .as_array()
        .and_then(|all| all.iter().find(|r| r["shipment_id"] == shipment.as_str()))
        .unwrap_or_else(|| panic!("{rows}"));
    assert_eq!(row["state"], "parked", "{row}");

    // Still unpaid: the retry runs the rules again and the shipment stays parked.
    let out = sandbox.cli(&["shipments", "retry", &shipment]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("retried shipment {shipment}")),
        "{stdout}"
    );
    assert!(stdout.contains("parked"), "{stdout}");
    let answer = json(&sandbox.cli(&["shipments", "retry", &shipment, "--json"]));
    assert_eq!(answer["state"], "parked", "{answer}");

    // Every service with kept records answers the dead-letter commands.
    for service in [
        "order-sync",
        "centra-gateway",
        "ongoing-gateway",
        "catalog-sync",
    ] {
        let out = sandbox.cli(&["dead-letters", "--service", service, "list"]);
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{service}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("no dead letters in {service}")),
            "{stdout}"
        );
    }
    let line = fails_with(
        &sandbox.cli(&["dead-letters", "--service", "order-sync", "show", "42"]),
        1,
    );
    assert!(line.contains("42"), "{line}");

    let line = fails_with(&sandbox.cli(&["shipments", "retry", "999999-1"]), 1);
    assert!(line.contains("999999-1"), "{line}");
    let out = sandbox.cli(&["shipments", "list", "--state", "lost"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("parked"), "lists the states");
}

#[test]
fn a_parked_shipment_is_discarded_with_a_reason_and_who_and_a_retry_takes_it_back() {
    let (sandbox, shipment, _) = parked_shipment();

    let out = sandbox.cli(&[
        "shipments",
        "discard",
        &shipment,
        "--reason",
        "paid by invoice",
        "--by",
        "ops",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("discarded shipment {shipment} on "))
            && stdout.contains("(paid by invoice): now discarded"),
        "{stdout}"
    );
    let rows = json(&sandbox.cli(&["shipments", "list", "--state", "discarded", "--json"]));
    let row = rows
        .as_array()
        .and_then(|all| all.iter().find(|r| r["shipment_id"] == shipment.as_str()))
        .unwrap_or_else(|| panic!("discarded: {rows}"));
    assert_eq!(row["state"], "discarded", "{row}");
    let reason = row["last_error"].as_str().unwrap_or_default();
    assert!(
        reason.contains("ops") && reason.contains("paid by invoice"),
        "who and why kept: {row}"
    );

    // A retry takes it back to its hold (still unpaid: parked).
    let answer = json(&sandbox.cli(&["shipments", "retry", &shipment, "--json"]));
    assert_eq!(answer["state"], "parked", "{answer}");
    let answer = json(&sandbox.cli(&[
        "shipments",
        "discard",
        &shipment,
        "--reason",
        "again",
        "--by",
        "ops",
        "--json",
    ]));
    assert_eq!(answer["shipment_id"], shipment.as_str(), "{answer}");
    assert_eq!(answer["state"], "discarded", "{answer}");

    let line = fails_with(
        &sandbox.cli(&[
            "shipments",
            "discard",
            "999999-1",
            "--reason",
            "gone",
            "--by",
            "ops",
        ]),
        1,
    );
    assert!(line.contains("999999-1"), "{line}");
    let line = fails_with(
        &sandbox.cli(&[
            "shipments",
            "discard",
            &shipment,
            "--reason",
            " ",
            "--by",
            "ops",
        ]),
        1,
    );
    assert!(line.contains("reason"), "{line}");
    let out = sandbox.cli(&["shipments", "discard", &shipment, "--by", "ops"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--reason"),
        "names the missing flag"
    );
}
