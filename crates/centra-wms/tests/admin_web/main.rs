//! The admin web page of a running sandbox (`--no-demo`, one rejected size row kept as a
//! catalog-sync dead letter), over HTTP and in a real browser:
//!
//! - `http.rs`: reqwest against the page: every page renders with the security headers; an
//!   action without sign-in is sent to sign in; without or with a wrong CSRF token it is
//!   forbidden; Find of an unknown id is not found, of the rejected size's EAN shows its
//!   record; every field of every page has a label; a parked shipment is listed and retried
//!   through order-sync, its discard refused without the token or a reason; a retry of the real dead letter goes
//!   through catalog-sync; Create is refused
//!   under automatic product selection; sign-in attempts per address are limited.
//! - `browser.rs`: Debian's chromium, headless, through chromedriver (WebDriver, thirtyfour):
//!   sign in, the overview refreshing itself, a product selected and created in the WMS (manual
//!   selection), a shipment of it completed and found by its id with its journey (Find), the
//!   created size found by its article number, a dead letter's retry refused without the CSRF
//!   token and then retried, a parked shipment discarded with a reason and found discarded
//!   with the reason in its journey, the connection test; screenshots of each
//!   page under `target/admin-web-screenshots/`.
//! - `journeys.rs`: the calls with their HTTP status among the found shipment's steps, and a
//!   return of the walk's shipment registered in the WMS simulator, found by its WMS order
//!   number once reported, with its journey and the call to Centra that created it.
//! - `keyboard.rs`: the same browser with the keyboard only (Tab, Enter): sign in, find a
//!   record, run the connection test; every control of each page reached by Tab with a visible
//!   focus outline (the style sheet's `:focus-visible` rule).
//! - `serve.rs`: `centra-wms serve admin-web` alone in the distributed shape (as the Helm chart
//!   runs it) over the sandbox's services: ready on `/readyz`, showing their products.

#[path = "../support/mod.rs"]
mod support;

mod browser;
mod http;
mod journeys;
mod keyboard;
mod serve;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Sandbox, free_port, json, post_json, shirt};

/// The sandbox settings' sign-in (crates/centra-wms/sandbox.toml).
pub(crate) const USER: &str = "admin";
pub(crate) const PASSWORD: &str = "sandbox";

/// A sandbox without demo, its admin web page on a free port, and one catalog-sync dead
/// letter: a size row without variant sku (product 1, Shirt).
pub(crate) struct PageUnderTest {
    pub sandbox: Sandbox,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The dead letter's id.
    pub letter: String,
}

impl PageUnderTest {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// [`Self::start`] with more settings (`CENTRA_WMS__…` variables).
    pub fn start_with(settings: &[(&str, &str)]) -> Self {
        let listen = format!("127.0.0.1:{}", free_port());
        let mut env = vec![("CENTRA_WMS__ADMIN_WEB__LISTEN", listen.as_str())];
        env.extend_from_slice(settings);
        let sandbox = Sandbox::start_with(&["--no-demo"], &env);
        let mut product = shirt();
        product["products"][0]["variantSku"] = Value::String(String::new());
        post_json(&sandbox.centra, "/_sim/products", &product);
        let started = Instant::now();
        let letter = loop {
            let listed = json(&sandbox.cli(&["dead-letters", "list", "--json"]));
            if let Some(id) = listed
                .as_array()
                .and_then(|letters| letters.first())
                .and_then(|letter| letter["id"].as_str())
            {
                break id.to_owned();
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no dead letter for the size row without variant sku: {listed}"
            );
            std::thread::sleep(Duration::from_millis(300));
        };
        Self {
            sandbox,
            base: format!("http://{listen}"),
            letter,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The dead letter as `dead-letters show --json` prints it.
    pub fn letter_state(&self) -> Value {
        json(
            &self
                .sandbox
                .cli(&["dead-letters", "show", &self.letter, "--json"]),
        )
    }
}

/// Product 2, Trousers, in Centra: two good sizes, articles `TROUSERSBLUES` and
/// `TROUSERSBLUEM` by the default rule.
pub(crate) fn trousers() -> Value {
    let size = |size: &str, stock_item: u64, ean: &str| {
        serde_json::json!({
            "productId": 2, "product": "Trousers", "name": "Trousers", "variantId": 21,
            "variant": "Blue", "variantSku": "BLUE", "sku": "TROUSERS", "stockItemId": stock_item,
            "size": size, "sizeSku": size, "ean": ean, "active": true,
            "weight": 0.5, "weightUnit": "kg", "countryOfOrigin": "SE", "harmCode": "6203",
            "prices": [{"pricelist": "1", "currency": "SEK", "price": 400.0}],
            "physicalStock": 3
        })
    };
    serde_json::json!({"products": [
        size("S", 211, "7350000000023"),
        size("M", 212, "7350000000030"),
    ]})
}

/// `admin-web hash-password` reads the password from stdin and prints an argon2 hash that
/// takes it, which `config check` accepts and masks.
#[test]
fn hash_password_makes_the_hash_config_check_takes() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_centra-wms"))
        .args(["admin-web", "hash-password"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"correct horse\n")
        .expect("password written");
    let out = child.wait_with_output().expect("exits");
    assert!(out.status.success());
    let hash = support::text(&out.stdout).trim().to_owned();
    assert!(
        admin_web::password::verify("correct horse", &hash).expect("a phc string"),
        "{hash}"
    );
    assert!(!admin_web::password::verify("wrong horse", &hash).expect("a phc string"));

    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../config/centra-wms.example.toml"),
    )
    .expect("example config");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("centra-wms.toml");
    // The example ends in [admin_web].
    std::fs::write(&file, format!("{example}\npassword_hash = \"{hash}\"\n")).expect("written");
    let checked = support::cli_with(&[], &["config", "check", file.to_str().expect("utf-8")]);
    let printed = support::text(&checked.stdout);
    assert!(
        checked.status.success(),
        "{}",
        support::text(&checked.stderr)
    );
    assert!(printed.contains("password_hash = \"***\""), "{printed}");
    assert!(!printed.contains(&hash), "{printed}");
}
