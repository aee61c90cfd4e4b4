//! The returns flow survives being killed between its two steps: `centra-wms run` with
//! `returns_to_centra = true` against both simulators (started alone with `centra-wms sim`).
//! The WMS acknowledgement fails (only that PATCH, through ongoing-sim's `path_contains`
//! fault), so the process sits with the return already in Centra; it is killed with SIGKILL,
//! the fault cleared, the process restarted: Centra has exactly one return and the WMS shows
//! the units reported.

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{
    free_port, get_json, grpc_ports, ongoing_wms_table, post_json, rows, shirt, start_simulator,
    wait_for_row, wait_until,
};

/// A child process killed (SIGKILL) on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn settings(dir: &Path, centra: &str, ongoing: &str) -> String {
    let file = dir.join("returns.toml");
    let wms = ongoing_wms_table(ongoing);
    std::fs::write(
        &file,
        format!(
            r#"
[settings]
centra_time_zone = "Europe/Stockholm"
sync_interval = "1s"
returns_to_centra = true

[[settings.endpoints]]
name = "shop"
base_url = "http://{centra}/api/order-api"
secret = "sandbox-secret"

{wms}
[runtime]
data_dir = "{data}"
log_filter = "warn"
centra_webhook_listen = "127.0.0.1:{centra_hook}"
ongoing_webhook_listen = "127.0.0.1:{ongoing_hook}"
"#,
            data = dir.join("data").display(),
            centra_hook = free_port(),
            ongoing_hook = free_port(),
        ),
    )
    .expect("settings written");
    file.display().to_string()
}

/// `centra-wms run --config FILE` on fresh gRPC ports, once its command services answer.
fn run(config: &str) -> Running {
    let env = grpc_ports();
    let mut child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
        .args(["run", "--config", config])
        .env_remove("RUST_LOG")
        .envs(env.iter().cloned())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    // stock-sync serves nothing yet; returns-sync serves its admin services.
    while !env
        .iter()
        .filter(|(key, _)| !key.contains("STOCK_SYNC"))
        // The WMS here is Ongoing: ogoship-gateway does not run.
        .filter(|(key, _)| !key.contains("OGOSHIP_GATEWAY"))
        .all(|(_, addr)| std::net::TcpStream::connect(addr).is_ok())
    {
        if let Ok(Some(exit)) = child.try_wait() {
            panic!("run stopped: {exit:?}");
        }
        assert!(Instant::now() < deadline, "run did not answer");
        std::thread::sleep(Duration::from_millis(100));
    }
    Running(child)
}

fn centra_returns(centra: &str) -> Vec<Value> {
    rows(&get_json(centra, "/_sim/state"), "returns").to_vec()
}

/// `reportedReturned` of the WMS order's first line.
fn reported_returned(ongoing: &str, number: &str) -> f64 {
    let state = get_json(ongoing, "/_sim/state");
    rows(&state, "orders")
        .iter()
        .find(|o| o["orderNumber"] == number)
        .and_then(|o| o["lines"][0]["reportedReturned"].as_f64())
        .unwrap_or(0.0)
}

/// A shipped, completed shipment with one shirt; its WMS order number.
fn shipped_shirt(centra: &str, ongoing: &str) -> String {
    post_json(centra, "/_sim/products", &shirt());
    wait_for_row("the article reached the wms", ongoing, "articles", |_| true);
    post_json(
        ongoing,
        "/_sim/stock",
        &json!({"articleNumber": "SHIRTREDM", "physical": 10}),
    );
    let placed = post_json(
        centra,
        "/_sim/orders",
        &json!({"order": {"paid": true,
                          "delivery": {"name": "Ada", "address": "Storgatan 1", "zipcode": "11122",
                                       "city": "Stockholm", "country": "SE"},
                          "lines": [{"sku": "SHIRT", "variantSku": "RED", "sizeSku": "M",
                                     "ean": "7350000000016", "qty": 2, "price": "10.00"}]},
                "goodToGo": true}),
    );
    let number = placed["shipmentId"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| placed["shipmentId"].to_string());
    wait_for_row("the order reached the wms", ongoing, "orders", |o| {
        o["orderNumber"] == number.as_str()
    });
    post_json(
        ongoing,
        &format!("/_sim/orders/{number}/ship"),
        &json!({"waybill": "WB-1"}),
    );
    wait_for_row("the shipment completed", centra, "shipments", |s| {
        s["completed"] == true
    });
    number
}

fn register_return(ongoing: &str, number: &str) {
    post_json(
        ongoing,
        "/_sim/returns",
        &json!({"orderNumber": number, "lines": [
            {"articleNumber": "SHIRTREDM", "returned": 1, "cause": {"code": "WS", "name": "Too small"}},
            {"articleNumber": "SHIRTREDM", "returned": 1, "cause": {"code": "DMG", "name": "Damaged"}}
        ]}),
    );
}

#[test]
fn a_kill_between_centra_and_the_wms_acknowledgement_loses_nothing_and_creates_nothing_twice() {
    let (centra_sim, centra) = start_simulator("centra");
    let _centra_sim = Running(centra_sim);
    let (ongoing_sim, ongoing) = start_simulator("ongoing");
    let _ongoing_sim = Running(ongoing_sim);
    let dir = tempfile::tempdir().expect("temp dir");
    let config = settings(dir.path(), &centra, &ongoing);

    let first = run(&config);
    let number = shipped_shirt(&centra, &ongoing);

    // Only the acknowledgement fails: the return reaches Centra, the WMS is never told.
    post_json(
        &ongoing,
        "/_sim/faults",
        &json!({"error_rate": 1.0, "path_contains": "reportedReturnedNumberOfItems"}),
    );
    register_return(&ongoing, &number);
    wait_until(
        "the return reached centra",
        Duration::from_secs(60),
        Duration::from_millis(250),
        || {
            let returns = centra_returns(&centra);
            returns.is_empty().then(|| format!("{returns:?}"))
        },
    );
    wait_until(
        "the acknowledgement failed at least once",
        Duration::from_secs(30),
        Duration::from_millis(250),
        || {
            let log = get_json(&ongoing, "/_sim/requests?since=0");
            let failed = log.as_array().is_some_and(|all| {
                all.iter().any(|r| {
                    r["method"] == "PATCH"
                        && r["path"]
                            .as_str()
                            .is_some_and(|p| p.contains("reportedReturnedNumberOfItems"))
                        && r["status"] == 500
                })
            });
            (!failed).then(|| "no failed PATCH yet".to_owned())
        },
    );
    assert_eq!(reported_returned(&ongoing, &number), 0.0);

    // SIGKILL: no shutdown code runs.
    drop(first);
    post_json(&ongoing, "/_sim/faults", &json!({}));
    let _second = run(&config);

    wait_until(
        "the wms shows the return reported",
        Duration::from_secs(60),
        Duration::from_millis(250),
        || {
            let reported = reported_returned(&ongoing, &number);
            (reported < 2.0).then(|| format!("reportedReturned {reported}"))
        },
    );
    // A few more polls: nothing is created twice.
    std::thread::sleep(Duration::from_secs(3));
    let returns = centra_returns(&centra);
    assert_eq!(returns.len(), 1, "{returns:?}");
    let comment = returns[0].to_string();
    assert!(
        comment.contains("Too small (WS)") && comment.contains("Damaged (DMG)"),
        "{comment}"
    );
    assert_eq!(reported_returned(&ongoing, &number), 2.0);
}

#[test]
fn a_lost_centra_answer_to_the_return_creates_no_second_return() {
    let (centra_sim, centra) = start_simulator("centra");
    let _centra_sim = Running(centra_sim);
    let (ongoing_sim, ongoing) = start_simulator("ongoing");
    let _ongoing_sim = Running(ongoing_sim);
    let dir = tempfile::tempdir().expect("temp dir");
    let config = settings(dir.path(), &centra, &ongoing);
    let _running = run(&config);
    let number = shipped_shirt(&centra, &ongoing);

    // Every `POST /return` is applied, then its answer is lost.
    post_json(
        &centra,
        "/_sim/faults",
        &json!({"lost_response_rate": 1.0, "method": "POST", "path_contains": "/return"}),
    );
    register_return(&ongoing, &number);
    wait_until(
        "the wms shows the return reported",
        Duration::from_secs(120),
        Duration::from_millis(250),
        || {
            let reported = reported_returned(&ongoing, &number);
            (reported < 2.0).then(|| format!("reportedReturned {reported}"))
        },
    );
    let log = get_json(&centra, "/_sim/requests");
    let lost_posts = log.as_array().map_or(0, |all| {
        all.iter()
            .filter(|r| {
                r["method"] == "POST"
                    && r["path"].as_str().is_some_and(|p| p.ends_with("/return"))
                    && !r["fault"].is_null()
            })
            .count()
    });
    assert!(lost_posts >= 1, "the answer was lost: {log}");
    std::thread::sleep(Duration::from_secs(3));
    let returns = centra_returns(&centra);
    assert_eq!(returns.len(), 1, "{returns:?}");
}
