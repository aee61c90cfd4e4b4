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
