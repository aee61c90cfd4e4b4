//! Journeys in the browser walk's Find: the calls among a found shipment's steps
//! ([`shipment_calls`]), the WMS calls of a found article ([`article_calls`]), and a customer return of the shipment the walk completed
//! ([`find_return`]): the WMS simulator registers the return, returns-sync creates it in
//! Centra and reports it in the WMS, and Find by the WMS order number shows the return with
//! its state and its journey (received, created in Centra, reported) with the call to Centra
//! that created it and the WMS call that acknowledged its units, each with its HTTP status.

use thirtyfour::prelude::*;

use super::PageUnderTest;
use super::browser::{text, until};
use super::support::{get_json, post_json, rows};

/// The found shipment's journey holds the calls the gateways made for it with their HTTP
/// status: the completion at Centra's gateway; the order written and its picks reported back
/// at the WMS's.
pub(super) async fn shipment_calls(web: &WebDriver) -> WebDriverResult<()> {
    let mut calls = Vec::new();
    for row in web
        .find_all(By::Css("section.shipment table.journey tr.call"))
        .await?
    {
        calls.push(row.text().await?);
    }
    assert!(
        calls
            .iter()
            .any(|c| c.contains("centra: ") && c.contains(" → 200 (")),
        "a Centra call with its status in the journey: {calls:?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| !c.contains("centra: ") && c.contains("PUT /") && c.contains(" → 2")),
        "the WMS order written, with its status: {calls:?}"
    );
    assert!(
        calls.iter().any(|c| !c.contains("centra: ")
            && c.contains("PATCH /")
            && c.contains("/reportedNumberOfItems")
            && c.contains(" → 2")),
        "the picks reported back to the WMS, with its status: {calls:?}"
    );
    Ok(())
}

/// The found article lists the call that wrote it to the WMS, with its HTTP status.
pub(super) async fn article_calls(web: &WebDriver) -> WebDriverResult<()> {
    let calls = text(web, By::Css("section.article table.journey tbody")).await;
    assert!(
        calls.contains("PUT /") && calls.contains(" → 2"),
        "the article's write to the WMS, with its status: {calls}"
    );
    Ok(())
}

/// Registers a return of one unit of `article` on WMS order `number` and finds it.
pub(super) async fn find_return(
    web: &WebDriver,
    page: &PageUnderTest,
    number: &str,
    article: &str,
    shots: &std::path::Path,
) -> WebDriverResult<()> {
    let sandbox = &page.sandbox;
    post_json(
        &sandbox.wms,
        "/_sim/returns",
        &serde_json::json!({"orderNumber": number, "lines": [
            {"articleNumber": article, "returned": 1, "cause": {"code": "WS", "name": "Too small"}}
        ]}),
    );
    until("the return in Centra", || async {
        !rows(&get_json(&sandbox.centra, "/_sim/state"), "returns").is_empty()
    })
    .await;
    // Find by the WMS order number, again until returns-sync reported the return in the WMS.
    let url = page.url(&format!("/find?q={number}"));
    until("the return found, reported", || async {
        web.goto(url.as_str()).await.is_ok()
            && text(web, By::Css("section.return td.state")).await == "reported"
    })
    .await;
    let section = text(web, By::Css("section.return")).await;
    assert!(section.contains(number), "its WMS order number: {section}");
    let journey = text(web, By::Css("section.return table.journey tbody")).await;
    for step in [
        "received",
        "created in centra",
        "reported",
        "created -> reported",
    ] {
        assert!(
            journey.contains(step),
            "{step} in the return's journey: {journey}"
        );
    }
    let mut calls = Vec::new();
    for row in web
        .find_all(By::Css("section.return table.journey tr.call"))
        .await?
    {
        calls.push(row.text().await?);
    }
    assert!(
        calls
            .iter()
            .any(|c| c.contains("centra: POST ") && c.contains(" → 2")),
        "the call that created the Centra return, with its status: {calls:?}"
    );
    assert!(
        calls.iter().any(|c| !c.contains("centra: ")
            && c.contains("/reportedReturnedNumberOfItems")
            && c.contains(" → 2")),
        "the returned units acknowledged in the WMS, with its status: {calls:?}"
    );
    web.find(By::Css("section.return"))
        .await?
        .scroll_into_view()
        .await?;
    web.screenshot(&shots.join("find-return.png")).await?;
    Ok(())
}
