//! The files the page loads, compiled into the binary: htmx 2.0.11 (from the `htmx.org` npm
//! package, Zero-Clause BSD, its license served beside it), the style sheet and the Products
//! page's select-all script. Nothing is fetched from elsewhere at run time.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The htmx version served, for the footer.
pub const HTMX_VERSION: &str = "2.0.11";

const FILES: [(&str, &str, &str); 4] = [
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/htmx.min.js"),
    ),
    (
        "htmx-LICENSE.txt",
        "text/plain; charset=utf-8",
        include_str!("../assets/htmx-LICENSE.txt"),
    ),
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../assets/style.css"),
    ),
    (
        "products.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/products.js"),
    ),
];

/// `GET /assets/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => {
            ([(header::CONTENT_TYPE, *content_type)], *body).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
