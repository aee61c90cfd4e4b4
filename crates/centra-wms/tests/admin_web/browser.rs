//! The page in a real browser: Debian's `chromium`, headless, driven through `chromedriver`
//! (WebDriver) with thirtyfour. Screenshots of each page are written to
//! `target/admin-web-screenshots/` (under `CARGO_TARGET_DIR` when set).
//!
//! Without chromedriver the test fails when `CI` is set (`.ci/run` installs `chromium
//! chromium-driver`) and prints that it skipped otherwise.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use super::support::{free_port, get_json, post_json, rows};
use super::{PASSWORD, PageUnderTest, USER, trousers};

const DRIVER: &str = "chromedriver";

/// chromedriver on a free port, killed on drop.
pub(super) struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    /// `None` (after saying so) when chromedriver is not installed outside CI.
    pub(super) fn start() -> Option<Self> {
        let port = free_port();
        let spawned = Command::new(DRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(error) if std::env::var_os("CI").is_some() => {
                panic!(
                    "{DRIVER} cannot start under CI ({error}); .ci/run installs chromium chromium-driver"
                )
            }
            Err(error) => {
                println!(
                    "skipped: {DRIVER} cannot start ({error}); `apt-get install chromium \
                     chromium-driver` runs this test"
                );
                return None;
            }
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "{DRIVER} did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let dir = target.join("admin-web-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

pub(super) async fn browser(driver: &Driver) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1366,900",
    ] {
        caps.add_arg(arg).expect("chrome argument");
    }
    if std::path::Path::new("/usr/bin/chromium").exists() {
        caps.set_binary("/usr/bin/chromium").expect("chromium");
    }
    WebDriver::new(&driver.url, caps)
        .await
        .expect("chromium starts under chromedriver")
}

/// Waits until `check` holds on the current page.
pub(super) async fn until<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "{what} within 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub(super) async fn text(web: &WebDriver, by: By) -> String {
    match web.find(by).await {
        Ok(element) => element.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// A paid order of the shirt, whose size row Centra sends without a variant sku: order-sync
/// parks the shipment; the Parked page lists it, a person discards it with a reason, and Find shows it
/// discarded with the reason and who in its journey.
async fn discard_parked(
    web: &WebDriver,
    page: &PageUnderTest,
    shots: &std::path::Path,
) -> WebDriverResult<()> {
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
    let discard = format!("//button[@aria-label='Discard shipment {shipment}']");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        web.find(By::LinkText("Parked")).await?.click().await?;
        if web.find(By::XPath(discard.as_str())).await.is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "shipment {shipment} parked within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let parked = text(web, By::Css("main")).await;
    assert!(
        parked.contains("Discard sets a record aside for good with your reason"),
        "{parked}"
    );
    web.screenshot(&shots.join("parked.png")).await?;
    let reason = web
        .find(By::XPath(
            format!("{discard}/preceding-sibling::input[@name='reason']").as_str(),
        ))
        .await?;
    reason
        .send_keys("settled with the customer by phone")
        .await?;
    web.find(By::XPath(discard.as_str())).await?.click().await?;
    let done = format!(
        "Discarded: order-sync set shipment {shipment} aside (settled with the customer by phone); it is now discarded."
    );
    until("the discard notice", || async {
        text(web, By::Css("p.notice")).await == done
    })
    .await;
    assert!(
        web.find(By::XPath(discard.as_str())).await.is_err(),
        "no longer listed as parked"
    );
    let search = web.find(By::Id("nav-find")).await?;
    search.send_keys(shipment.as_str()).await?;
    search.send_keys(Key::Enter).await?;
    until("the shipment found, discarded", || async {
        text(web, By::Css("section.shipment td.state")).await == "discarded"
    })
    .await;
    let journey = text(web, By::Css("table.journey tbody")).await;
    assert!(
        journey.contains("state parked -> discarded")
            && journey.contains("discarded by admin: settled with the customer by phone (was: "),
        "{journey}"
    );
    web.screenshot(&shots.join("discarded.png")).await?;
    Ok(())
}

/// The trace UI the page under test links trace ids to.
const TRACE_URL: &str = "https://jaeger.example/trace/{trace_id}";

/// Sign in, the overview refreshing without reload, a product selected and created in the
/// WMS, a shipment of it walked to completed and found by its id with its journey, the
/// created size found by its article number, a dead letter's retry refused without the CSRF
/// token and then retried, a parked shipment discarded with a reason (its journey shows who
/// and why), the connection test run; a screenshot of every page.
#[tokio::test(flavor = "multi_thread")]
async fn a_person_signs_in_creates_a_product_retries_a_dead_letter_and_tests_the_connection() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let page = PageUnderTest::start_with(&[
        ("CENTRA_WMS__SETTINGS__PRODUCT_SELECTION", "manual"),
        ("CENTRA_WMS__ADMIN_WEB__TRACE_URL", TRACE_URL),
    ]);
    post_json(&page.sandbox.centra, "/_sim/products", &trousers());
    let shots = screenshot_dir();
    let web = browser(&driver).await;
    let result = walk(&web, &page, &shots).await;
    let _ = web.quit().await;
    result.expect("the walk through the page");
}

async fn walk(
    web: &WebDriver,
    page: &PageUnderTest,
    shots: &std::path::Path,
) -> WebDriverResult<()> {
    web.goto(page.url("/sign-in")).await?;
    web.screenshot(&shots.join("sign-in.png")).await?;
    web.find(By::Id("user")).await?.send_keys(USER).await?;
    web.find(By::Id("password"))
        .await?
        .send_keys(PASSWORD)
        .await?;
    web.find(By::Css("main button[type=submit]"))
        .await?
        .click()
        .await?;
    until("the overview after sign-in", || async {
        text(web, By::Css("header .who"))
            .await
            .contains("Signed in as admin")
    })
    .await;

    // The flow table refreshes itself (htmx polling): its time moves on, the page stays.
    let caption = text(web, By::Css("#flows caption")).await;
    assert!(caption.starts_with("Flows (as of"), "{caption}");
    web.execute("window.notReloaded = true;", Vec::new())
        .await?;
    until("the flow table refreshed", || async {
        let now = text(web, By::Css("#flows caption")).await;
        !now.is_empty() && now != caption
    })
    .await;
    let kept = web
        .execute("return window.notReloaded === true;", Vec::new())
        .await?;
    assert_eq!(
        kept.json(),
        &serde_json::Value::Bool(true),
        "refreshed without reload"
    );
    let flows = text(web, By::Id("flows")).await;
    assert!(
        flows.contains("catalog-sync") && flows.contains("articles"),
        "{flows}"
    );
    web.screenshot(&shots.join("overview.png")).await?;

    products(web, page, shots).await?;
    find(web, page, shots).await?;

    web.find(By::LinkText("Dead letters"))
        .await?
        .click()
        .await?;
    let link = format!("a[href$='{}']", page.letter);
    web.find(By::Css(link.as_str())).await?.click().await?;
    web.find(By::Css("main h1")).await?;
    let before = page.letter_state();
    // The form without its CSRF token (removed in the page): the page refuses the retry and
    // the record is untouched.
    let detail = web.current_url().await?;
    web.execute(
        "document.querySelectorAll('main input[name=csrf]').forEach(f => f.remove());",
        Vec::new(),
    )
    .await?;
    web.find(By::XPath("//button[text()='Retry']"))
        .await?
        .click()
        .await?;
    until("the refusal without token", || async {
        text(web, By::Css("body"))
            .await
            .contains("security token is missing or wrong")
    })
    .await;
    web.screenshot(&shots.join("refused-without-token.png"))
        .await?;
    let untouched = page.letter_state();
    assert_eq!(
        (&untouched["state"], &untouched["attempts"]),
        (&before["state"], &before["attempts"]),
        "refused, nothing retried"
    );
    web.goto(detail.as_str()).await?;
    web.find(By::XPath("//button[text()='Retry']"))
        .await?
        .click()
        .await?;
    until("the retry notice", || async {
        text(web, By::Css("p.notice"))
            .await
            .contains("Retried: catalog-sync")
    })
    .await;
    web.screenshot(&shots.join("dead-letter.png")).await?;
    let after = page.letter_state();
    assert!(
        after["state"] != "parked"
            || after["attempts"].as_u64() > before["attempts"].as_u64()
            || after["last_failed_at"] != before["last_failed_at"],
        "the retry reached catalog-sync: {before} -> {after}"
    );
    web.goto(page.url("/dead-letters")).await?;
    web.screenshot(&shots.join("dead-letters.png")).await?;

    discard_parked(web, page, shots).await?;

    web.find(By::LinkText("Connection")).await?.click().await?;
    web.find(By::XPath("//button[text()='Test']"))
        .await?
        .click()
        .await?;
    until("the connection checks", || async {
        text(web, By::Css("#checks h2"))
            .await
            .contains("checks passed")
    })
    .await;
    let checks = text(web, By::Id("checks")).await;
    assert!(checks.contains("sandbox transporters"), "{checks}");
    web.screenshot(&shots.join("connection.png")).await?;

    web.find(By::LinkText("Settings")).await?.click().await?;
    let settings = text(web, By::Css("main")).await;
    assert!(settings.contains("settings.sync_interval"), "{settings}");
    web.screenshot(&shots.join("settings.png")).await?;

    web.goto(page.url("/")).await?;
    let overview = text(web, By::Css("main")).await;
    assert!(overview.contains("retry dead letter"), "{overview}");
    assert!(overview.contains("create products"), "{overview}");
    assert!(overview.contains("test connection"), "{overview}");
    Ok(())
}

/// A paid order of one pair of trousers placed in Centra, imported, shipped by the WMS
/// simulator and completed; then found from the navigation's search box by its shipment id,
/// with its journey from received to completed (the calls to Centra and the WMS among its
/// steps, with their HTTP status) and its trace id linked to the trace UI; then
/// the trousers' size S found by its article number, created in the WMS; then a return of
/// the trousers found with its journey (`journeys.rs`).
async fn find(
    web: &WebDriver,
    page: &PageUnderTest,
    shots: &std::path::Path,
) -> WebDriverResult<()> {
    let sandbox = &page.sandbox;
    post_json(
        &sandbox.wms,
        "/_sim/stock",
        &serde_json::json!({"articleNumber": "TROUSERSBLUES", "physical": 5}),
    );
    let placed = post_json(
        &sandbox.centra,
        "/_sim/orders",
        &serde_json::json!({"order": {"paid": true,
            "delivery": {"name": "Ada", "address": "Storgatan 1", "zipcode": "11122",
                         "city": "Stockholm", "country": "SE"},
            "lines": [{"sku": "TROUSERS", "variantSku": "BLUE", "sizeSku": "S",
                       "ean": "7350000000023", "qty": 1, "price": "400.00"}]},
            "goodToGo": true}),
    );
    let shipment = placed["shipmentId"]
        .as_str()
        .map_or_else(|| placed["shipmentId"].to_string(), str::to_owned);
    let number = wms_order_number(page, &shipment).await;
    post_json(
        &sandbox.wms,
        &format!("/_sim/orders/{number}/ship"),
        &serde_json::json!({"waybill": "WB-FIND-1"}),
    );
    until("the shipment completed in Centra", || async {
        rows(&get_json(&sandbox.centra, "/_sim/state"), "shipments")
            .iter()
            .any(|s| s["shipmentId"].as_str() == Some(shipment.as_str()) && s["completed"] == true)
    })
    .await;

    let search = web.find(By::Id("nav-find")).await?;
    search.send_keys(shipment.as_str()).await?;
    search.send_keys(Key::Enter).await?;
    until("the shipment found, completed", || async {
        text(web, By::Css("section.shipment td.state")).await == "completed"
    })
    .await;
    let found = text(web, By::Css("section.shipment")).await;
    assert!(found.contains(&number), "its WMS order number: {found}");
    let journey = text(web, By::Css("table.journey tbody")).await;
    for step in [
        "received",
        "wms order accepted",
        "shipped report",
        "- -> received",
        "shipped -> completed",
    ] {
        assert!(journey.contains(step), "{step} in the journey: {journey}");
    }
    super::journeys::shipment_calls(web).await?;
    let headers = text(web, By::Css("table.journey thead")).await;
    assert!(
        headers.contains("Time") && headers.contains("Detail"),
        "{headers}"
    );
    // The trace id is a link into the configured trace UI whenever the shipment has one.
    let trace = text(web, By::XPath("//th[text()='Trace']/following-sibling::td")).await;
    if trace != "none" {
        let href = web
            .find(By::XPath("//th[text()='Trace']/following-sibling::td/a"))
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();
        assert_eq!(href, TRACE_URL.replace("{trace_id}", &trace));
    }
    web.screenshot(&shots.join("find.png")).await?;

    // The created product's size by its article number, from the navigation's search box:
    // catalog-sync's record, in the WMS under the WMS's id.
    let search = web.find(By::Id("nav-find")).await?;
    search.send_keys("TROUSERSBLUES").await?;
    search.send_keys(Key::Enter).await?;
    until("the article found", || async {
        text(web, By::Css("section.article h2")).await == "Article TROUSERSBLUES"
    })
    .await;
    let article = text(web, By::Css("section.article")).await;
    for fact in [
        "Trousers (Centra product 2)",
        "Blue / S, stock item 211",
        "7350000000023",
        "created in the WMS",
    ] {
        assert!(article.contains(fact), "{fact} in {article}");
    }
    let written = text(
        web,
        By::XPath("//th[text()='Written to the WMS as']/following-sibling::td"),
    )
    .await;
    assert_eq!(written, "TROUSERSBLUES");
    let id = text(
        web,
        By::XPath("//th[text()='WMS article id']/following-sibling::td"),
    )
    .await;
    assert!(id.parse::<i64>().is_ok_and(|id| id > 0), "a WMS id: {id}");
    // The shipment walked above holds the article: listed under it, linked to its own Find.
    let holding = text(web, By::Css("section.article table.holding")).await;
    assert!(
        holding.contains(shipment.as_str()) && holding.contains("completed"),
        "the shipment holding the article: {holding}"
    );
    let link = format!("section.article table.holding a[href='/find?q={shipment}']");
    web.find(By::Css(link.as_str())).await?;
    super::journeys::article_calls(web).await?;
    web.screenshot(&shots.join("find-article.png")).await?;
    super::journeys::find_return(web, page, &number, "TROUSERSBLUES", shots).await
}

/// The WMS order number the shipment became, once the WMS simulator holds it.
async fn wms_order_number(page: &PageUnderTest, shipment: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let state = page.sandbox.wms_state();
        let number = rows(&state, "orders").iter().find_map(|o| {
            let number = o["orderNumber"].as_str()?;
            number.ends_with(shipment).then(|| number.to_owned())
        });
        if let Some(number) = number {
            return number;
        }
        assert!(
            Instant::now() < deadline,
            "shipment {shipment} never reached the WMS: {state}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The WMS simulator's article numbers.
fn wms_articles(page: &PageUnderTest) -> Vec<String> {
    rows(&page.sandbox.wms_state(), "articles")
        .iter()
        .filter_map(|a| a["articleNumber"].as_str().map(str::to_owned))
        .collect()
}

/// Products under manual selection: Refresh, "Select all" ticking every box and clearing
/// them, Trousers ticked from the keyboard, Create; its two sizes become WMS articles and the
/// page shows them created, the Shirt's size rejected with its reason.
async fn products(
    web: &WebDriver,
    page: &PageUnderTest,
    shots: &std::path::Path,
) -> WebDriverResult<()> {
    web.find(By::LinkText("Products")).await?.click().await?;
    let intro = text(web, By::Css("main")).await;
    assert!(intro.contains("Manual selection"), "{intro}");
    web.find(By::XPath("//button[text()='Refresh']"))
        .await?
        .click()
        .await?;
    until("the refresh notice", || async {
        text(web, By::Css("[role=status]"))
            .await
            .contains("Refreshed: ")
    })
    .await;
    let listed = text(web, By::Id("selection")).await;
    assert!(
        listed.contains("Trousers") && listed.contains("not selected"),
        "{listed}"
    );
    assert!(
        listed.contains("Shirt") && listed.contains("rejected: "),
        "the shirt's size without variant sku is rejected with its reason: {listed}"
    );
    assert!(
        !wms_articles(page).iter().any(|a| a.starts_with("TROUSERS")),
        "nothing is created before Create"
    );

    // "Select all" (by its label) ticks every product's box and clears them again.
    let all = web.find(By::Css("label[for='select-all']")).await?;
    all.click().await?;
    for id in ["product-1", "product-2"] {
        assert!(
            web.find(By::Id(id)).await?.is_selected().await?,
            "{id} ticked"
        );
    }
    all.click().await?;
    for id in ["product-1", "product-2"] {
        assert!(
            !web.find(By::Id(id)).await?.is_selected().await?,
            "{id} cleared"
        );
    }
    // Trousers ticked from the keyboard: its box takes the focus and Space ticks it.
    let trousers = web.find(By::Id("product-2")).await?;
    trousers.focus().await?;
    trousers.send_keys(" ").await?;
    assert!(trousers.is_selected().await?, "Space ticks the focused box");
    let label = text(web, By::Css("label[for='product-2']")).await;
    assert_eq!(
        label, "Trousers",
        "the box is labelled by the product's name"
    );
    web.screenshot(&shots.join("products-selected.png")).await?;

    web.find(By::XPath("//button[text()='Create selected in the WMS']"))
        .await?
        .click()
        .await?;
    until("the create notice", || async {
        text(web, By::Css("[role=status]"))
            .await
            .contains("Created in the WMS: 2 sizes.")
    })
    .await;
    let listed = text(web, By::Id("selection")).await;
    assert_eq!(
        listed.matches("created in the WMS").count(),
        2,
        "the trousers' sizes: {listed}"
    );
    let mut created = wms_articles(page);
    created.sort();
    assert_eq!(
        created
            .iter()
            .filter(|a| a.starts_with("TROUSERS"))
            .collect::<Vec<_>>(),
        ["TROUSERSBLUEM", "TROUSERSBLUES"],
        "the WMS simulator holds both sizes: {created:?}"
    );
    web.screenshot(&shots.join("products.png")).await?;
    Ok(())
}
