//! The page over plain HTTP (reqwest, redirects not followed, the cookie carried by hand).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};

use super::support::post_json;
use super::{PASSWORD, PageUnderTest, USER};

/// A visitor: one cookie jar of one cookie.
pub(crate) struct Visitor {
    client: reqwest::Client,
    cookie: Option<String>,
}

impl Visitor {
    pub(crate) fn new() -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookie: None,
        }
    }

    fn keep_cookie(&mut self, headers: &HeaderMap) {
        if let Some(set) = headers.get(SET_COOKIE).and_then(|v| v.to_str().ok()) {
            self.cookie = set.split(';').next().map(str::to_owned);
        }
    }

    pub(crate) async fn get(&mut self, url: &str) -> (StatusCode, HeaderMap, String) {
        let mut request = self.client.get(url);
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        let answer = request.send().await.expect("page answers");
        let (status, headers) = (answer.status(), answer.headers().clone());
        self.keep_cookie(&headers);
        (status, headers, answer.text().await.expect("body"))
    }

    async fn post(
        &mut self,
        url: &str,
        form: &[(&str, &str)],
        htmx: bool,
    ) -> (StatusCode, HeaderMap, String) {
        let mut request = self.client.post(url).form(form);
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        if htmx {
            request = request.header("HX-Request", "true");
        }
        let answer = request.send().await.expect("page answers");
        let (status, headers) = (answer.status(), answer.headers().clone());
        self.keep_cookie(&headers);
        (status, headers, answer.text().await.expect("body"))
    }

    /// Signs in through the form (its token first) and returns the new session's token.
    pub(crate) async fn sign_in(
        &mut self,
        page: &PageUnderTest,
        password: &str,
    ) -> (StatusCode, String) {
        let (_, _, form) = self.get(&page.url("/sign-in")).await;
        let token = csrf(&form);
        let (status, headers, _) = self
            .post(
                &page.url("/sign-in"),
                &[("csrf", &token), ("user", USER), ("password", password)],
                false,
            )
            .await;
        if status != StatusCode::SEE_OTHER {
            return (status, String::new());
        }
        assert_eq!(location(&headers), "/");
        let (_, _, overview) = self.get(&page.url("/")).await;
        (status, csrf(&overview))
    }
}

/// The value of the first `csrf` field of a page.
fn csrf(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf field in {html}"))
        + marker.len();
    html[start..].split('"').next().expect("a value").to_owned()
}

fn location(headers: &HeaderMap) -> &str {
    headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Every field of a page a person fills in or ticks (input, textarea, select; hidden fields
/// aside) has a label: a `<label for>` naming its id, or an `aria-label`.
pub(crate) fn assert_labelled(path: &str, html: &str) {
    for tag in ["<input", "<textarea", "<select"] {
        for field in html.split(tag).skip(1) {
            let field = field.split('>').next().unwrap_or_default();
            if field.contains(r#"type="hidden""#) || field.contains("aria-label=\"") {
                continue;
            }
            let id = field
                .split(r#" id=""#)
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("{path}: {tag}{field}> has neither id nor aria-label"));
            assert!(
                html.contains(&format!(r#"for="{id}""#)),
                "{path}: {tag}{field}> has no label"
            );
        }
    }
}

fn assert_security_headers(path: &str, headers: &HeaderMap) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{path}: no {name} header in {headers:?}"))
            .to_owned()
    };
    let csp = header("content-security-policy");
    assert!(csp.starts_with("default-src 'self'"), "{path}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
}

/// A visitor who has not signed in reads every page (each with the security headers and a
/// session cookie that is HttpOnly and SameSite=Strict) and is refused every action; an
/// address that tried to sign in 5 times is refused the sixth, the right password too.
#[tokio::test(flavor = "multi_thread")]
async fn pages_render_read_only_actions_need_sign_in_and_sign_ins_are_limited() {
    let page = PageUnderTest::start();
    let mut visitor = Visitor::new();
    let detail = format!("/dead-letters/catalog-sync/{}", page.letter);
    let pages: [(&str, &str); 12] = [
        ("/", "sandbox/shipments"),
        ("/parked", "Shipments (order-sync)"),
        ("/find", "<label for=\"find-q\">"),
        ("/flows", "catalog-sync"),
        ("/products", "Selection is automatic"),
        ("/assets/products.js", "select-all"),
        ("/dead-letters", page.letter.as_str()),
        (&detail, "Payload"),
        ("/connection", "Sign in</a> to run the test"),
        ("/settings", "admin_web.listen"),
        ("/sign-in", "autocomplete=\"current-password\""),
        ("/assets/htmx.min.js", "htmx"),
    ];
    for (path, shows) in pages {
        let (status, headers, body) = visitor.get(&page.url(path)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_security_headers(path, &headers);
        assert!(body.contains(shows), "{path} shows {shows:?}: {body}");
        assert!(!body.contains("<script>"), "{path}: no inline script");
        assert_labelled(path, &body);
    }
    let (_, headers, _) = Visitor::new().get(&page.url("/")).await;
    let set = headers
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    // An id nothing has: order-sync answers not found, and the page says so.
    let (status, headers, missing) = visitor.get(&page.url("/find?q=999999-1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    assert_security_headers("/find?q=999999-1", &headers);
    assert!(
        missing.contains("No shipment has order id, shipment id or WMS order number 999999-1"),
        "{missing}"
    );
    assert!(
        missing.contains("No article has article number or EAN 999999-1"),
        "{missing}"
    );
    // The shirt's size (no variant sku, so no article number) by its EAN: catalog-sync's
    // record with the Centra size and the rejected reason; no shipment has that id.
    let (status, _, article) = visitor.get(&page.url("/find?q=7350000000016")).await;
    assert_eq!(status, StatusCode::OK, "{article}");
    for shows in [
        "Article none",
        "stock item <span class=\"mono\">111</span>",
        "<span class=\"bad\">rejected</span>",
        "missing variant sku",
        "never written",
        "No shipment has order id, shipment id or WMS order number 7350000000016",
    ] {
        assert!(article.contains(shows), "{shows:?}: {article}");
    }
    // Secrets stay masked on the settings page.
    let (_, _, settings) = visitor.get(&page.url("/settings")).await;
    assert!(!settings.contains("sandbox-secret"), "masked");
    // The sandbox's password hash (its salt), not the example's shown as an example.
    assert!(
        !settings.contains("ekmYg3ZWia73KshR1iFWjg"),
        "the hash is masked too"
    );
    assert!(settings.contains("admin_web.password_hash"), "{settings}");
    // A read-only visitor sees no action button.
    let (_, _, shown) = visitor.get(&page.url(&detail)).await;
    assert!(!shown.contains(">Retry<"), "{shown}");
    let (_, _, products) = visitor.get(&page.url("/products")).await;
    assert!(!products.contains(">Refresh<"), "{products}");
    assert!(
        products.contains("Sign in</a> to refresh the list or create products"),
        "{products}"
    );

    // Actions without sign-in, even with the visitor's own token: to the sign-in form.
    let (_, _, form) = visitor.get(&page.url("/sign-in")).await;
    let token = csrf(&form);
    for action in [
        format!("{detail}/retry"),
        format!("{detail}/discard"),
        "/connection/test".to_owned(),
        "/products/refresh".to_owned(),
        "/products/create".to_owned(),
        "/parked/shipments/sandbox/1-1/retry".to_owned(),
        "/parked/returns/1/retry".to_owned(),
        "/parked/shipments/sandbox/1-1/discard".to_owned(),
        "/parked/returns/1/discard".to_owned(),
        "/sign-out".to_owned(),
    ] {
        let form = [("csrf", token.as_str()), ("reason", "test")];
        let (status, headers, _) = visitor.post(&page.url(&action), &form, false).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{action}");
        assert_eq!(location(&headers), "/sign-in", "{action}");
        assert_security_headers(&action, &headers);
        let (status, headers, _) = visitor.post(&page.url(&action), &form, true).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{action} from htmx");
        assert_eq!(
            headers.get("hx-redirect").and_then(|v| v.to_str().ok()),
            Some("/sign-in")
        );
    }
    let state = page.letter_state();
    assert_eq!(state["state"], "parked", "nothing happened: {state}");

    // Five sign-ins from this address, then it waits: the sixth is refused before its
    // password is looked at, and says how long to wait.
    for attempt in 1..=5 {
        let (status, _) = Visitor::new().sign_in(&page, "not-the-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let mut late = Visitor::new();
    let (_, _, form) = late.get(&page.url("/sign-in")).await;
    let token = csrf(&form);
    let (status, headers, body) = late
        .post(
            &page.url("/sign-in"),
            &[("csrf", &token), ("user", USER), ("password", PASSWORD)],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let wait: u64 = headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(
        body.contains("Too many sign-in attempts from your address (5 in a row). Wait"),
        "{body}"
    );
    assert_security_headers("/sign-in", &headers);
    let (_, _, overview) = visitor.get(&page.url("/")).await;
    assert!(
        overview.contains("refused: too many sign-in attempts from 127.0.0.1"),
        "{overview}"
    );
}

/// Signed in: a wrong password is refused; an action without or with a wrong token is
/// forbidden; with the token, Retry puts the real dead letter back to work in catalog-sync
/// and Discard needs a reason; Refresh reads the products, and Create is refused because this
/// sandbox selects products automatically; a parked shipment is listed with its reason and
/// retried through order-sync; the overview lists the actions.
#[tokio::test(flavor = "multi_thread")]
async fn a_signed_in_person_retries_a_dead_letter_with_the_token_only() {
    let page = PageUnderTest::start();
    let (status, _) = Visitor::new().sign_in(&page, "not-the-password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let mut person = Visitor::new();
    let (status, token) = person.sign_in(&page, PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, overview) = person.get(&page.url("/")).await;
    assert!(
        overview.contains("Signed in as <strong>admin</strong>"),
        "{overview}"
    );

    let detail = format!("/dead-letters/catalog-sync/{}", page.letter);
    let retry = page.url(&format!("{detail}/retry"));
    for form in [vec![], vec![("csrf", "forged-token")]] {
        let (status, headers, _) = person.post(&retry, &form, false).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{form:?}");
        assert_security_headers("retry", &headers);
    }
    for action in ["/products/refresh", "/products/create"] {
        for form in [
            vec![("product", "1")],
            vec![("csrf", "forged-token"), ("product", "1")],
        ] {
            let (status, _, _) = person.post(&page.url(action), &form, false).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{action} {form:?}");
        }
    }
    let before = page.letter_state();
    assert_eq!(before["state"], "parked", "{before}");

    let (status, _, answer) = person.post(&retry, &[("csrf", &token)], false).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        answer.contains("Retried: catalog-sync put the record back to work."),
        "{answer}"
    );
    // catalog-sync took it: the record ran again (still without variant sku, so it is kept
    // again with one more attempt) or it left the parked state.
    let started = Instant::now();
    loop {
        let now = page.letter_state();
        if now["state"] != "parked" || now["attempts"].as_u64() > before["attempts"].as_u64() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the retry changed nothing: {before} -> {now}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    let discard = page.url(&format!("{detail}/discard"));
    let (status, _, answer) = person
        .post(&discard, &[("csrf", &token), ("reason", "  ")], false)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer.contains("give a reason"), "{answer}");

    let (status, _, answer) = person
        .post(&page.url("/products/refresh"), &[("csrf", &token)], false)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer.contains("Refreshed: 1 size items seen"), "{answer}");
    assert!(answer.contains("rejected"), "the shirt's size: {answer}");
    // Automatic selection: no box to tick, and Create is refused saying why.
    assert!(!answer.contains(r#"name="product""#), "{answer}");
    let (status, _, answer) = person
        .post(
            &page.url("/products/create"),
            &[("csrf", &token), ("product", "1")],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer.contains("Not created: product selection is automatic"),
        "{answer}"
    );

    // A paid order of the shirt, whose size never became an article: order-sync parks the
    // shipment with the reason; the Parked page lists it, and Retry (with the token only) runs
    // it again through order-sync, which parks it again while the article is missing.
    let placed = post_json(
        &page.sandbox.centra,
        "/_sim/orders",
        &serde_json::json!({"order": {"paid": true,
            "delivery": {"name": "Ada", "address": "Storgatan 1", "zipcode": "11122",
                         "city": "Stockholm", "country": "SE"},
            "lines": [{"sku": "SHIRT", "variantSku": "RED", "sizeSku": "M",
                       "ean": "7350000000016", "qty": 1, "price": "100.00"}]},
            "goodToGo": true}),
    );
    let shipment = placed["shipmentId"]
        .as_str()
        .map_or_else(|| placed["shipmentId"].to_string(), str::to_owned);
    let row = format!(r#"<a href="/find?q={shipment}">{shipment}</a>"#);
    let started = Instant::now();
    let parked = loop {
        let (status, _, parked) = person.get(&page.url("/parked")).await;
        assert_eq!(status, StatusCode::OK, "{parked}");
        if parked.contains(&row) {
            break parked;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "shipment {shipment} never parked: {parked}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_labelled("/parked", &parked);
    assert!(
        parked.contains(&format!("/parked/shipments/sandbox/{shipment}/discard")),
        "a discard form: {parked}"
    );
    let retry_shipment = page.url(&format!("/parked/shipments/sandbox/{shipment}/retry"));
    let (status, _, _) = person
        .post(&retry_shipment, &[("csrf", "forged-token")], false)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, answer) = person
        .post(&retry_shipment, &[("csrf", &token)], false)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let ran = format!("Retried: order-sync ran shipment {shipment} again; it is now parked.");
    assert!(answer.contains(&ran), "{answer}");
    // A discard without the token, or without a reason, changes nothing.
    let discard_shipment = page.url(&format!("/parked/shipments/sandbox/{shipment}/discard"));
    let (status, _, _) = person
        .post(
            &discard_shipment,
            &[("csrf", "forged-token"), ("reason", "settled")],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, answer) = person
        .post(
            &discard_shipment,
            &[("csrf", &token), ("reason", " ")],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer.contains("Not discarded: give a reason."), "{answer}");
    assert!(answer.contains(&row), "still parked: {answer}");

    let (_, _, overview) = person.get(&page.url("/")).await;
    for line in [
        ran.as_str(),
        "refused: missing or wrong csrf token",
        "Refreshed: 1 size items seen",
        "refused: Not created: product selection is automatic",
        "Retried: catalog-sync put the record back to work.",
        "refused: no reason given",
        "signed in",
    ] {
        assert!(
            overview.contains(line),
            "recent actions show {line:?}: {overview}"
        );
    }

    // Signing out ends the session: the old token no longer acts.
    let (status, _, _) = person
        .post(&page.url("/sign-out"), &[("csrf", &token)], false)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, headers, _) = person.post(&retry, &[("csrf", &token)], false).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), "/sign-in");
}
