//! `status` and `resync` against a running sandbox (a child `centra-wms sandbox --no-demo` on
//! free ports) and against nothing at all: output, `--json`, and exit codes (0 ok,
//! 1 failure, 2 bad usage).

mod support;

use support::{Sandbox, cli_with, fails_with, free_port, grpc_ports, json, text};

#[test]
fn status_and_resync_have_help() {
    for args in [vec!["status", "--help"], vec!["resync", "--help"]] {
        let out = cli_with(&[], &args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let help = text(&out.stdout);
        assert!(help.contains("--config"), "{help}");
        assert!(help.contains("--json"), "{help}");
    }
    let help = text(&cli_with(&[], &["resync", "--help"]).stdout);
    assert!(help.contains("safe to run twice"), "{help}");
    assert!(help.contains("--since"), "{help}");
}

#[test]
fn resync_refuses_options_its_flow_does_not_take() {
    let line = fails_with(&cli_with(&[], &["resync", "shipments"]), 2);
    assert!(line.contains("--id"), "{line}");
    let line = fails_with(
        &cli_with(
            &[],
            &["resync", "articles", "--since", "2026-11-24T08:00:00Z"],
        ),
        2,
    );
    assert!(line.contains("--since applies to returns"), "{line}");
    let line = fails_with(&cli_with(&[], &["resync", "articles", "--id", "A1"]), 2);
    assert!(line.contains("takes no --id"), "{line}");

    let out = cli_with(&[], &["resync", "returns", "--since", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("RFC 3339"),
        "{}",
        text(&out.stderr)
    );
    let out = cli_with(&[], &["resync", "billing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("articles"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn status_and_resync_name_the_cause_and_the_fix_when_nothing_runs() {
    let env = grpc_ports();
    let line = fails_with(&cli_with(&env, &["status"]), 1);
    assert!(line.contains("no service answers"), "{line}");
    assert!(line.contains("centra-wms run"), "{line}");

    let out = cli_with(&env, &["status", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let answer = json(&out);
    assert_eq!(answer["flows"], serde_json::json!([]));
    let silent = answer["unavailable"].as_array().expect("an array");
    assert_eq!(silent.len(), 6, "{answer}");
    assert!(
        silent.iter().any(|s| s["service"] == "order-sync"),
        "{answer}"
    );

    let catalog = env
        .iter()
        .find(|(k, _)| k.contains("CATALOG_SYNC"))
        .map(|(_, v)| v.clone())
        .expect("catalog port");
    let line = fails_with(&cli_with(&env, &["resync", "articles"]), 1);
    assert!(line.contains(&catalog), "{line}");
    assert!(line.contains("centra-wms run"), "{line}");
}

#[test]
fn status_and_resync_on_a_running_sandbox() {
    let sandbox = Sandbox::start(&["--no-demo"]);
    let out = sandbox.cli(&["status"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let header = stdout.lines().next().expect("a header");
    for column in [
        "SERVICE",
        "FLOW",
        "LAST RUN",
        "CURSOR",
        "BACKLOG",
        "PARKED",
        "LAST ERROR",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("catalog-sync") && l.contains("articles")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("order-sync") && l.contains("shipments")),
        "{stdout}"
    );

    let answer = json(&sandbox.cli(&["status", "--json"]));
    assert_eq!(answer["unavailable"], serde_json::json!([]));
    let flows = answer["flows"].as_array().expect("an array");
    let services: std::collections::BTreeSet<&str> =
        flows.iter().filter_map(|f| f["service"].as_str()).collect();
    assert_eq!(
        services.into_iter().collect::<Vec<_>>(),
        [
            "catalog-sync",
            "centra-gateway",
            "ongoing-gateway",
            "order-sync",
            "returns-sync",
            "stock-sync"
        ],
        "{answer}"
    );
    let completion = flows
        .iter()
        .find(|f| f["flow"] == "completion")
        .expect("completion flow");
    assert_eq!(completion["enabled"], true, "{completion}");

    // Safe to run twice: the same answer, no failure.
    for _ in 0..2 {
        let out = sandbox.cli(&["resync", "articles"]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
        assert!(stdout.starts_with("articles resynced:"), "{stdout}");
    }
    let answer = json(&sandbox.cli(&["resync", "catalog", "--json"]));
    assert_eq!(answer["flow"], "articles", "{answer}");
    assert_eq!(answer["service"], "catalog-sync", "{answer}");

    let line = fails_with(&sandbox.cli(&["resync", "shipments", "--id", "999999"]), 1);
    assert!(line.contains("order-sync: not found"), "{line}");
    assert!(line.contains("999999"), "{line}");
    // Stock and returns are on in the sandbox; both resyncs are safe twice.
    for _ in 0..2 {
        let out = sandbox.cli(&["resync", "stock"]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
        assert!(stdout.starts_with("stock resynced:"), "{stdout}");
        let out = sandbox.cli(&["resync", "returns"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let stock = json(&sandbox.cli(&["stock", "list", "--json"]));
    assert!(stock.as_array().is_some(), "{stock}");
}

#[test]
fn status_lists_the_answering_services_and_names_the_silent_one() {
    let sandbox = Sandbox::start(&["--no-demo"]);
    // The CLI looks for order-sync where nothing listens; the rest answer.
    let mut env = sandbox.env.clone();
    let silent = format!("127.0.0.1:{}", free_port());
    for (key, addr) in &mut env {
        if key.contains("ORDER_SYNC") {
            addr.clone_from(&silent);
        }
    }
    let out = cli_with(&env, &["status"]);
    let line = fails_with(&out, 1);
    assert!(line.contains("order-sync"), "{line}");
    assert!(line.contains(&silent), "{line}");
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("catalog-sync") && l.contains("articles")),
        "{stdout}"
    );
    assert!(!stdout.contains("order-sync"), "{stdout}");

    let out = cli_with(&env, &["status", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let answer = json(&out);
    let unavailable = answer["unavailable"].as_array().expect("an array");
    assert_eq!(unavailable.len(), 1, "{answer}");
    assert_eq!(unavailable[0]["service"], "order-sync");
    assert!(!answer["flows"].as_array().expect("flows").is_empty());
}
