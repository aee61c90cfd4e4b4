//! Products: myOGO's product page over catalog-sync's `CatalogAdmin` service, as `centra-wms
//! products list|refresh|create` reach it. The webshop's products as catalog-sync last read
//! them, one row per product with the state of each size (created in the WMS, waiting, rejected
//! with its reason); **Refresh** reads the list from Centra again; under manual selection
//! (`[settings] product_selection = "manual"`) a signed-in person ticks some products, or
//! "Select all", and **Create** writes their sizes to the WMS. Under automatic selection every
//! admitted product becomes an article by itself: the page says so and Create is refused.
//!
//! The page lists [`PAGE_SIZE`] products at a time (search and next page as links); "Select
//! all" means every product, on every page. Its ticking of the boxes is `/assets/products.js`;
//! without it the box still means every product.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use domain::settings::ProductSelection;
use maud::{Markup, html};
use proto::admin::v1 as pb;
use proto::admin::v1::catalog_admin_client::CatalogAdminClient;
use serde::Deserialize;

use super::{Nav, csrf_field, grpc_failure, layout, sign_in_to};
use crate::Page;
use crate::security::{allow, from_htmx};
use crate::session::Session;

/// Products per page.
const PAGE_SIZE: u32 = 100;
/// The service the page asks.
const SERVICE: &str = "catalog-sync";
/// How many product ids an audit line names before it counts the rest.
const AUDIT_IDS: usize = 10;

/// `GET /products?search=..&page=..`.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    search: Option<String>,
    page: Option<String>,
}

/// The Refresh form.
#[derive(Debug, Deserialize)]
pub struct RefreshForm {
    csrf: Option<String>,
}

/// What a Create form asks for: repeated `product` fields, or `all`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Selection {
    csrf: Option<String>,
    product_ids: Vec<String>,
    all: bool,
}

impl Selection {
    /// From the form's fields as sent (a field may repeat, so no struct deserializes them).
    fn from_fields(fields: Vec<(String, String)>) -> Self {
        let mut selection = Self::default();
        for (name, value) in fields {
            match name.as_str() {
                "csrf" => selection.csrf = Some(value),
                "product" if !value.trim().is_empty() => {
                    selection.product_ids.push(value.trim().to_owned());
                }
                "all" => selection.all = true,
                _ => {}
            }
        }
        selection
    }

    /// The audit log's target: `every product` or the ids (the first [`AUDIT_IDS`]).
    fn target(&self) -> String {
        if self.all {
            return "every product".to_owned();
        }
        let shown: Vec<&str> = self
            .product_ids
            .iter()
            .take(AUDIT_IDS)
            .map(String::as_str)
            .collect();
        let more = self.product_ids.len().saturating_sub(AUDIT_IDS);
        match (shown.is_empty(), more) {
            (true, _) => "no product".to_owned(),
            (false, 0) => format!("product {}", shown.join(", ")),
            (false, more) => format!("product {} and {more} more", shown.join(", ")),
        }
    }
}

/// What an action did, shown above the list.
#[derive(Debug)]
struct Notice {
    ok: bool,
    lines: Vec<String>,
}

impl Notice {
    fn done(line: String) -> Self {
        Self {
            ok: true,
            lines: vec![line],
        }
    }

    fn failed(line: String) -> Self {
        Self {
            ok: false,
            lines: vec![line],
        }
    }
}

fn client(page: &Page) -> Result<CatalogAdminClient<platform_runtime::GrpcChannel>, String> {
    page.directory
        .channel(SERVICE)
        .map(CatalogAdminClient::new)
        .map_err(|error| format!("{SERVICE}: {error}"))
}

fn manual(page: &Page) -> bool {
    page.config.settings.product_selection == ProductSelection::Manual
}

/// `GET /products`.
pub async fn list(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    Query(query): Query<ListQuery>,
) -> Markup {
    whole(&page, &session, &query, None).await
}

/// `POST /products/refresh`: reads the product list from Centra again.
pub async fn refresh(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(form): Form<RefreshForm>,
) -> Response {
    const ACTION: &str = "refresh products";
    const TARGET: &str = "the catalog end-point";
    let user = match allow(
        &session,
        form.csrf.as_deref(),
        from_htmx(&headers),
        &page.audit,
        ACTION,
        TARGET,
    ) {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    let outcome = match client(&page) {
        Err(line) => Err(line),
        Ok(mut client) => client
            .refresh(pb::RefreshCatalogRequest::default())
            .await
            .map(|a| a.into_inner())
            .map_err(|status| grpc_failure(SERVICE, "product refresh", &status)),
    };
    let notice = match outcome {
        Ok(report) => Notice::done(refreshed(&report)),
        Err(line) => Notice::failed(format!("Not refreshed: {line}")),
    };
    page.audit.record(user, ACTION, TARGET, &notice.lines[0]);
    whole(&page, &session, &ListQuery::default(), Some(notice))
        .await
        .into_response()
}

/// `POST /products/create`: writes the selected products' sizes to the WMS (manual selection
/// only).
pub async fn create(
    State(page): State<Page>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    const ACTION: &str = "create products";
    let selection = Selection::from_fields(fields);
    let target = selection.target();
    let user = match allow(
        &session,
        selection.csrf.as_deref(),
        from_htmx(&headers),
        &page.audit,
        ACTION,
        &target,
    ) {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    let refused = if !manual(&page) {
        Some((
            StatusCode::CONFLICT,
            "Not created: product selection is automatic ([settings] product_selection), so \
             every admitted product becomes a WMS article by itself; set product_selection = \
             \"manual\" to choose products here.",
        ))
    } else if selection.product_ids.is_empty() && !selection.all {
        Some((
            StatusCode::BAD_REQUEST,
            "Not created: no product selected; tick one or more products, or Select all.",
        ))
    } else {
        None
    };
    if let Some((status, line)) = refused {
        page.audit
            .record(user, ACTION, &target, &format!("refused: {line}"));
        let notice = Notice::failed(line.to_owned());
        let mut answer = whole(&page, &session, &ListQuery::default(), Some(notice))
            .await
            .into_response();
        *answer.status_mut() = status;
        return answer;
    }
    let outcome = match client(&page) {
        Err(line) => Err(line),
        Ok(mut client) => client
            .create_selected(pb::CreateSelectedRequest {
                article_numbers: Vec::new(),
                product_ids: selection.product_ids.clone(),
                all_products: selection.all,
            })
            .await
            .map(|a| a.into_inner().outcomes)
            .map_err(|status| grpc_failure(SERVICE, "product creation", &status)),
    };
    let notice = match outcome {
        Ok(outcomes) => created(&outcomes),
        Err(line) => Notice::failed(format!("Not created: {line}")),
    };
    page.audit.record(user, ACTION, &target, &notice.lines[0]);
    whole(&page, &session, &ListQuery::default(), Some(notice))
        .await
        .into_response()
}

/// The refresh report as `products refresh` prints it.
fn refreshed(report: &pb::RefreshCatalogResponse) -> String {
    format!(
        "Refreshed: {} size items seen, {} new, {} changed; {} products: {} not in the WMS, {} \
         in the WMS, {} changed since, {} rejected, {} filtered out.",
        report.size_items_seen,
        report.new_items,
        report.changed_items,
        report.products,
        report.products_not_in_wms,
        report.products_in_wms,
        report.products_changed,
        report.products_rejected,
        report.products_filtered_out
    )
}

/// What Create did: a first line counting, then one line per failed size.
fn created(outcomes: &[pb::ArticleOutcome]) -> Notice {
    let failed: Vec<&pb::ArticleOutcome> =
        outcomes.iter().filter(|o| !o.error.is_empty()).collect();
    let written = outcomes.len() - failed.len();
    let mut lines = vec![match (written, failed.len()) {
        (0, 0) => "Nothing to create: the selected products have no size to write.".to_owned(),
        (written, 0) => format!("Created in the WMS: {}.", sizes(written)),
        (written, failed) => {
            format!("Created in the WMS: {}; {failed} failed.", sizes(written))
        }
    }];
    lines.extend(failed.iter().map(|o| {
        if o.article_number.is_empty() {
            o.error.clone()
        } else {
            format!("{}: {}", o.article_number, o.error)
        }
    }));
    Notice {
        ok: failed.is_empty(),
        lines,
    }
}

fn sizes(count: usize) -> String {
    if count == 1 {
        "1 size".to_owned()
    } else {
        format!("{count} sizes")
    }
}

async fn whole(
    page: &Page,
    session: &Session,
    query: &ListQuery,
    notice: Option<Notice>,
) -> Markup {
    let search = query.search.clone().unwrap_or_default();
    let listed = match client(page) {
        Err(line) => Err(line),
        Ok(mut client) => client
            .list_product_groups(pb::ListCatalogProductGroupsRequest {
                state: pb::CatalogProductState::Unspecified.into(),
                search: search.trim().to_owned(),
                page_size: PAGE_SIZE,
                page_token: query.page.clone().unwrap_or_default(),
                product_id: String::new(),
            })
            .await
            .map(|a| a.into_inner())
            .map_err(|status| grpc_failure(SERVICE, "product list", &status)),
    };
    let manual = manual(page);
    let selectable = manual && session.user.is_some();
    layout(
        "Products",
        Nav::Products,
        session,
        html! {
            h1 { "Products" }
            p {
                "The webshop's products as catalog-sync last read them from Centra, one row per "
                "product with the state of each size: what " code { "centra-wms products list" } " prints."
            }
            @if manual {
                p.notice {
                    "Manual selection (" code { "product_selection = \"manual\"" } "): a product "
                    "becomes a WMS article only when someone selects it here or with "
                    code { "centra-wms products create" } "."
                }
            } @else {
                p.notice {
                    "Selection is automatic (" code { "product_selection = \"automatic\"" } "): every "
                    "product the article filter admits becomes a WMS article by itself, so there is "
                    "nothing to select here. Set " code { "product_selection = \"manual\"" }
                    " to choose products on this page."
                }
            }
            @if let Some(notice) = &notice {
                div class=(if notice.ok { "notice" } else { "notice bad" }) role="status" {
                    p { (notice.lines[0]) }
                    @if notice.lines.len() > 1 {
                        ul { @for line in &notice.lines[1..] { li { (line) } } }
                    }
                }
            }
            div.actions {
                @if session.user.is_some() {
                    form.inline method="post" action="/products/refresh" {
                        (csrf_field(session))
                        button type="submit" { "Refresh" }
                    }
                } @else {
                    (sign_in_to("refresh the list or create products"))
                }
                form.inline role="search" method="get" action="/products" {
                    label for="search" { "Search" }
                    " "
                    input id="search" type="search" name="search" value=(search) placeholder="article number, sku, EAN or name";
                    " "
                    button.secondary type="submit" { "Search" }
                }
            }
            @match &listed {
                Err(line) => p.notice.bad { (line) },
                Ok(listed) if listed.products.is_empty() && search.trim().is_empty() => {
                    p.muted { "No products known yet: Refresh reads them from Centra." }
                }
                Ok(listed) if listed.products.is_empty() => {
                    p.muted { "No product matches " code { (search) } "." }
                }
                Ok(listed) => {
                    @let more_pages = !listed.next_page_token.is_empty() || query.page.is_some();
                    form id="selection" method="post" action="/products/create" {
                        (csrf_field(session))
                        table {
                            caption.muted { (listed.products.len()) " products" @if more_pages { " on this page" } }
                            thead { tr {
                                @if selectable {
                                    th scope="col" {
                                        input id="select-all" type="checkbox" name="all" value="on";
                                        " "
                                        label for="select-all" {
                                            "Select all"
                                            @if more_pages { " (every page)" }
                                        }
                                    }
                                }
                                th scope="col" { "Product" }
                                th scope="col" { "State" }
                                th scope="col" { "Sizes" }
                            } }
                            tbody {
                                @for product in &listed.products {
                                    (product_row(product, selectable))
                                }
                            }
                        }
                        @if selectable {
                            button type="submit" { "Create selected in the WMS" }
                        }
                    }
                    @if !listed.next_page_token.is_empty() {
                        p { a href=(page_link(&search, &listed.next_page_token)) { "Next page" } }
                    }
                    @if query.page.is_some() {
                        p { a href=(page_link(&search, "")) { "First page" } }
                    }
                }
            }
            script src="/assets/products.js" defer {}
        },
    )
}

fn product_row(product: &pb::CatalogProduct, selectable: bool) -> Markup {
    let id = format!("product-{}", product.product_id);
    html! {
        tr {
            @if selectable {
                td {
                    input id=(id) type="checkbox" name="product" value=(product.product_id);
                }
            }
            td {
                @if selectable {
                    label for=(id) { (product.product_name) }
                } @else {
                    strong { (product.product_name) }
                }
                br;
                span.muted.mono { "product " (product.product_id) }
            }
            td { (product_state(product.state)) }
            td {
                ul.sizes {
                    @for size in &product.sizes {
                        li {
                            span.mono { (dash(&size.article_number)) }
                            " · " (size.variant_name) " / " (size.size_name)
                            " · EAN " span.mono { (dash(&size.ean)) }
                            " · " (size_state(size))
                            @if !size.warning.is_empty() {
                                br; span.muted { "warning: " (size.warning) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One size's state as a person reads it.
pub(super) fn size_state(size: &pb::CatalogItem) -> Markup {
    match pb::CatalogItemState::try_from(size.state) {
        Ok(pb::CatalogItemState::Synced) => html! { span.ok { "created in the WMS" } },
        Ok(pb::CatalogItemState::Outdated) => {
            html! { span { "in the WMS, changed in Centra since: waiting to be written" } }
        }
        Ok(pb::CatalogItemState::Selected) => html! { span { "waiting to be written" } },
        Ok(pb::CatalogItemState::NotSelected) => html! { span.muted { "not selected" } },
        Ok(pb::CatalogItemState::FilteredOut) => {
            html! { span.muted { "left out by the article filter" } }
        }
        Ok(pb::CatalogItemState::Failed) => html! {
            span.bad { "rejected" } ": " (if size.last_error.is_empty() { "no reason kept" } else { &size.last_error })
        },
        _ => html! { span { "unknown" } },
    }
}

fn product_state(value: i32) -> &'static str {
    match pb::CatalogProductState::try_from(value) {
        Ok(pb::CatalogProductState::NotInWms) => "not in the WMS",
        Ok(pb::CatalogProductState::InWms) => "in the WMS",
        Ok(pb::CatalogProductState::Changed) => "changed since",
        Ok(pb::CatalogProductState::Rejected) => "rejected",
        Ok(pb::CatalogProductState::FilteredOut) => "filtered out",
        _ => "unknown",
    }
}

fn dash(text: &str) -> &str {
    if text.is_empty() { "-" } else { text }
}

/// `/products?search=..&page=..`, percent-encoded.
fn page_link(search: &str, token: &str) -> String {
    let mut link = "/products".to_owned();
    let mut separator = '?';
    for (name, value) in [("search", search.trim()), ("page", token)] {
        if !value.is_empty() {
            link.push(separator);
            link.push_str(name);
            link.push('=');
            link.push_str(&encode(value));
            separator = '&';
        }
    }
    link
}

fn encode(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_create_form_reads_repeated_products_and_select_all() {
        let some = Selection::from_fields(fields(&[
            ("csrf", "t"),
            ("product", "1"),
            ("product", " 2 "),
            ("product", ""),
        ]));
        assert_eq!(
            some,
            Selection {
                csrf: Some("t".into()),
                product_ids: vec!["1".into(), "2".into()],
                all: false,
            }
        );
        assert_eq!(some.target(), "product 1, 2");
        let all = Selection::from_fields(fields(&[("all", "on"), ("product", "1")]));
        assert!(all.all);
        assert_eq!(all.target(), "every product");
        assert_eq!(Selection::default().target(), "no product");
        let many = Selection::from_fields(
            (1..=12)
                .map(|n| ("product".to_owned(), n.to_string()))
                .collect(),
        );
        assert_eq!(
            many.target(),
            "product 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more"
        );
    }

    #[test]
    fn outcomes_count_written_sizes_and_name_each_failure() {
        let ok = |n: &str| pb::ArticleOutcome {
            article_number: n.into(),
            state: pb::CatalogItemState::Synced.into(),
            error: String::new(),
        };
        let notice = created(&[ok("A"), ok("B")]);
        assert!(notice.ok);
        assert_eq!(notice.lines, ["Created in the WMS: 2 sizes."]);
        let notice = created(&[
            ok("A"),
            pb::ArticleOutcome {
                article_number: "B".into(),
                state: pb::CatalogItemState::Failed.into(),
                error: "refused by the WMS".into(),
            },
            pb::ArticleOutcome {
                article_number: String::new(),
                state: 0,
                error: "product 9 is not in the product list; refresh it".into(),
            },
        ]);
        assert!(!notice.ok);
        assert_eq!(
            notice.lines,
            [
                "Created in the WMS: 1 size; 2 failed.",
                "B: refused by the WMS",
                "product 9 is not in the product list; refresh it",
            ]
        );
        assert!(created(&[]).lines[0].starts_with("Nothing to create"));
    }

    #[test]
    fn page_links_carry_the_search_and_token_encoded() {
        assert_eq!(page_link("", ""), "/products");
        assert_eq!(
            page_link(" red shirt ", "100"),
            "/products?search=red%20shirt&page=100"
        );
        assert_eq!(page_link("", "100"), "/products?page=100");
    }

    #[test]
    fn a_rejected_size_shows_its_reason() {
        let size = pb::CatalogItem {
            state: pb::CatalogItemState::Failed.into(),
            last_error: "variant sku is empty".into(),
            ..pb::CatalogItem::default()
        };
        let shown = size_state(&size).into_string();
        assert!(
            shown.contains("rejected") && shown.contains("variant sku is empty"),
            "{shown}"
        );
        let synced = pb::CatalogItem {
            state: pb::CatalogItemState::Synced.into(),
            ..pb::CatalogItem::default()
        };
        assert!(
            size_state(&synced)
                .into_string()
                .contains("created in the WMS")
        );
    }
}
