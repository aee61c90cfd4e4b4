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

#[cfg(test)]
mod tests {
    //! The style sheet's colours against WCAG 2.1's contrast minimums: 4.5:1 for text (1.4.3)
    //! and 3:1 for the focus outline and the input borders (1.4.11).

    use std::collections::HashMap;

    const STYLE: &str = include_str!("../assets/style.css");

    /// Every pair the style sheet puts together: foreground, background, the least ratio.
    const PAIRS: [(&str, &str, f64); 17] = [
        ("--ink", "--bg", 4.5),
        ("--ink", "--band", 4.5),
        ("--muted", "--bg", 4.5),
        ("--muted", "--band", 4.5),
        ("--ok", "--bg", 4.5),
        ("--ok", "--band", 4.5),
        ("--bad", "--bg", 4.5),
        ("--bad", "--band", 4.5),
        ("--accent", "--bg", 4.5),
        ("--accent", "--band", 4.5),
        // A button's label on its fill, and a secondary button's.
        ("--bg", "--accent", 4.5),
        ("--accent", "--bg", 4.5),
        // The focus outline around links, buttons and fields (beside the page or the header).
        ("--focus", "--bg", 3.0),
        ("--focus", "--band", 3.0),
        // Input borders, and the notice's bar.
        ("--muted", "--bg", 3.0),
        ("--accent", "--band", 3.0),
        ("--bad", "--band", 3.0),
    ];

    /// The `:root` custom properties: name to `#rrggbb`.
    fn colours() -> HashMap<String, String> {
        let root = STYLE
            .split(":root {")
            .nth(1)
            .and_then(|rest| rest.split('}').next())
            .expect("a :root block");
        root.split(';')
            .filter_map(|declaration| declaration.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect()
    }

    /// WCAG's relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let hex = hex.strip_prefix('#').expect("#rrggbb");
        assert_eq!(hex.len(), 6, "#{hex}: six digits");
        let channel = |at: usize| {
            let value = f64::from(u8::from_str_radix(&hex[at..at + 2], 16).expect("hex")) / 255.0;
            if value <= 0.039_28 {
                value / 12.92
            } else {
                ((value + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn the_formula_gives_wcags_known_ratios() {
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 0.01);
        assert!((contrast("#777777", "#ffffff") - 4.48).abs() < 0.01);
        assert!((contrast("#ffffff", "#ffffff") - 1.0).abs() < 0.01);
    }

    #[test]
    fn every_colour_pair_of_the_style_sheet_has_enough_contrast() {
        let colours = colours();
        for (fg, bg, least) in PAIRS {
            let (a, b) = (&colours[fg], &colours[bg]);
            let ratio = contrast(a, b);
            assert!(
                ratio >= least,
                "{fg} {a} on {bg} {b}: {ratio:.2}:1, needs {least}:1"
            );
        }
    }

    #[test]
    fn colours_come_only_from_the_checked_custom_properties() {
        let colours = colours();
        let after_root = STYLE
            .split_once(":root {")
            .and_then(|(_, rest)| rest.split_once('}'))
            .map(|(_, rest)| rest)
            .expect("a :root block");
        assert!(
            !after_root.contains('#') && !after_root.contains("rgb"),
            "a colour outside :root escapes the contrast check"
        );
        for used in after_root.split("var(").skip(1) {
            let name = used.split(')').next().unwrap_or_default();
            assert!(colours.contains_key(name), "{name} is not a :root colour");
            let checked = PAIRS.iter().any(|(fg, bg, _)| *fg == name || *bg == name);
            assert!(
                checked || name == "--line",
                "{name} is used but in no checked pair"
            );
        }
    }
}
