//! The admin web page of a running sandbox (`--no-demo`, one rejected size row kept as a
//! catalog-sync dead letter), over HTTP and in a real browser:
//!
//! - `http.rs`: reqwest against the page: every page renders with the security headers; an
//!   action without sign-in is sent to sign in; without or with a wrong CSRF token it is
//!   forbidden; a retry of the real dead letter goes through catalog-sync.
//! - `browser.rs`: Debian's chromium, headless, through chromedriver (WebDriver, thirtyfour):
//!   sign in, the overview refreshing itself, a dead letter retried, the connection test;
//!   screenshots of each page under `target/admin-web-screenshots/`.

#[path = "../support/mod.rs"]
mod support;

mod browser;
mod http;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Sandbox, free_port, json, post_json, shirt};

/// The sandbox settings' sign-in (crates/centra-wms/sandbox.toml).
pub(crate) const USER: &str = "admin";
pub(crate) const PASSWORD: &str = "sandbox";

/// A sandbox without demo, its admin web page on a free port, and one catalog-sync dead
/// letter: a size row without variant sku.
pub(crate) struct PageUnderTest {
    pub sandbox: Sandbox,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The dead letter's id.
    pub letter: String,
}

impl PageUnderTest {
    pub fn start() -> Self {
        let listen = format!("127.0.0.1:{}", free_port());
        let sandbox = Sandbox::start_with(
            &["--no-demo"],
            &[("CENTRA_WMS__ADMIN_WEB__LISTEN", listen.as_str())],
        );
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
