//! The page with the keyboard only: Tab moves through every control of a page, each showing a
//! visible focus outline (the style sheet's `:focus-visible` rule), and Enter signs in,
//! searches and submits an action. No click anywhere.

use std::collections::BTreeSet;

use thirtyfour::prelude::*;

use super::browser::{Driver, browser, screenshot_dir, text, until};
use super::{PASSWORD, PageUnderTest, USER};

/// Marks every control a person can reach (links, buttons, visible fields) with its index
/// and answers how many there are.
const MARK: &str = "const c = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')].filter(e => !e.disabled); c.forEach((e, i) => { e.dataset.kb = String(i); }); return c.length;";

/// The focused control: its mark, id, text, and its computed outline.
const ACTIVE: &str = "const e = document.activeElement; if (!e || e.dataset.kb === undefined) { return null; } const s = getComputedStyle(e); return { kb: Number(e.dataset.kb), id: e.id, text: (e.innerText || e.value || '').trim(), outline: s.outlineStyle, width: parseFloat(s.outlineWidth), visible: e.matches(':focus-visible') };";

/// Whether a loaded style sheet has a `:focus-visible` rule.
const FOCUS_RULE: &str = "return [...document.styleSheets].flatMap(s => [...s.cssRules]).some(r => (r.selectorText || '').includes(':focus-visible'));";

async fn press(web: &WebDriver, key: Key) -> WebDriverResult<()> {
    web.action_chain().send_keys(key).perform().await
}

async fn type_text(web: &WebDriver, text: &str) -> WebDriverResult<()> {
    web.action_chain().send_keys(text).perform().await
}

async fn active(web: &WebDriver) -> WebDriverResult<serde_json::Value> {
    Ok(web.execute(ACTIVE, Vec::new()).await?.json().clone())
}

/// Focus back to the top of the page, as after loading it.
async fn from_top(web: &WebDriver) -> WebDriverResult<()> {
    web.execute(
        "if (document.activeElement) { document.activeElement.blur(); } window.getSelection().removeAllRanges();",
        Vec::new(),
    )
    .await?;
    Ok(())
}

/// Tabs through the whole page from the top: every control is reached, each with a visible
/// focus outline.
async fn every_control_reached(web: &WebDriver, page: &str) -> WebDriverResult<()> {
    let has_rule = web.execute(FOCUS_RULE, Vec::new()).await?;
    assert_eq!(
        has_rule.json(),
        &serde_json::Value::Bool(true),
        "{page}: a :focus-visible rule"
    );
    let count = web
        .execute(MARK, Vec::new())
        .await?
        .json()
        .as_u64()
        .unwrap_or(0);
    assert!(count > 0, "{page}: controls");
    from_top(web).await?;
    let mut reached = BTreeSet::new();
    for _ in 0..count + 2 {
        press(web, Key::Tab).await?;
        let now = active(web).await?;
        if let Some(kb) = now["kb"].as_u64() {
            assert_eq!(now["visible"], true, "{page}: focus-visible on {now}");
            assert!(
                now["outline"] != "none" && now["width"].as_f64().unwrap_or(0.0) >= 2.0,
                "{page}: a visible outline on {now}"
            );
            reached.insert(kb);
        }
    }
    let all: BTreeSet<u64> = (0..count).collect();
    assert_eq!(reached, all, "{page}: every control reached by Tab");
    Ok(())
}

/// Tabs from the top until the focused control has this id or text; at most 60 steps.
async fn tab_to(web: &WebDriver, id_or_text: &str) -> WebDriverResult<()> {
    web.execute(MARK, Vec::new()).await?;
    from_top(web).await?;
    for _ in 0..60 {
        press(web, Key::Tab).await?;
        let now = active(web).await?;
        if now["id"] == id_or_text || now["text"] == id_or_text {
            return Ok(());
        }
    }
    panic!("{id_or_text} not reached by Tab");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_signs_in_finds_a_record_and_runs_an_action_with_the_keyboard_only() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let page = PageUnderTest::start();
    let web = browser(&driver).await;
    let result = walk(&web, &page).await;
    let _ = web.quit().await;
    result.expect("the keyboard walk");
}

async fn walk(web: &WebDriver, page: &PageUnderTest) -> WebDriverResult<()> {
    let shots = screenshot_dir();
    web.goto(page.url("/sign-in")).await?;
    every_control_reached(web, "/sign-in").await?;
    tab_to(web, "user").await?;
    type_text(web, USER).await?;
    press(web, Key::Tab).await?;
    assert_eq!(
        active(web).await?["id"],
        "password",
        "Tab goes to the password"
    );
    type_text(web, PASSWORD).await?;
    press(web, Key::Enter).await?;
    until("signed in with Enter", || async {
        text(web, By::Css("header .who"))
            .await
            .contains("Signed in as admin")
    })
    .await;

    // Search from the navigation's box: the rejected size by its EAN.
    tab_to(web, "nav-find").await?;
    type_text(web, "7350000000016").await?;
    press(web, Key::Enter).await?;
    until("the article found with Enter", || async {
        text(web, By::Css("section.article"))
            .await
            .contains("missing variant sku")
    })
    .await;
    every_control_reached(web, "/find").await?;
    web.screenshot(&shots.join("keyboard-find.png")).await?;

    // An action: the connection test, reached and submitted with Tab and Enter.
    tab_to(web, "Connection").await?;
    press(web, Key::Enter).await?;
    until("the connection page", || async {
        text(web, By::Css("main h1")).await == "Connection"
    })
    .await;
    every_control_reached(web, "/connection").await?;
    tab_to(web, "Test").await?;
    press(web, Key::Enter).await?;
    until("the connection checks run with Enter", || async {
        text(web, By::Css("#checks h2"))
            .await
            .contains("checks passed")
    })
    .await;
    web.screenshot(&shots.join("keyboard-connection.png"))
        .await?;
    Ok(())
}
