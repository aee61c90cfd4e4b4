//! Settings: the effective settings (what `centra-wms config check` prints: defaults filled
//! in, every secret `***`), one row per key with the default and meaning the example config
//! documents ([`crate::settings_doc`]).

use axum::Extension;
use axum::extract::State;
use maud::{Markup, html};
use toml::Value;

use super::{Nav, layout};
use crate::Page;
use crate::session::Session;
use crate::settings_doc::{documented, documented_path};

/// `GET /settings`.
pub async fn page(State(page): State<Page>, Extension(session): Extension<Session>) -> Markup {
    let mut rows = Vec::new();
    if let Ok(table @ Value::Table(_)) = Value::try_from(&*page.config) {
        flatten("", &table, &mut rows);
    }
    let docs = documented();
    let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (path, value) in rows {
        let section = path.split('.').next().unwrap_or_default().to_owned();
        match sections.last_mut() {
            Some((name, rows)) if *name == section => rows.push((path, value)),
            _ => sections.push((section, vec![(path, value)])),
        }
    }
    layout(
        "Settings",
        Nav::Settings,
        &session,
        html! {
            h1 { "Settings" }
            p {
                "The effective settings of this process: the file and the "
                code { "CENTRA_WMS__…" } " environment overrides, defaults filled in, secrets shown as "
                code { "***" } ". The default and meaning come from "
                code { "config/centra-wms.example.toml" } "; where a key has no default, the value shown there is an example."
            }
            @for (section, rows) in &sections {
                h2 { "[" (section) "]" }
                table {
                    thead { tr {
                        th scope="col" { "Key" } th scope="col" { "Effective value" }
                        th scope="col" { "Default or example" } th scope="col" { "Meaning" }
                    } }
                    tbody {
                        @for (path, value) in rows {
                            @let doc = docs.get(&documented_path(path)).cloned().unwrap_or_default();
                            tr {
                                td.mono { (path) }
                                td.mono { (value) }
                                td.mono { (doc.shown.as_deref().unwrap_or("required")) }
                                td { (doc.meaning) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// Every leaf of `value` as `(dotted path, TOML text)`; lists of tables by index
/// (`settings.endpoints[0].name`).
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Table(table) => {
            for (key, inner) in table {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, inner, out);
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_table) => {
            for (n, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{n}]"), item, out);
            }
        }
        leaf => out.push((prefix.to_owned(), leaf.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_are_flattened_with_list_indices() {
        let value: Value = toml::from_str(
            "[settings]\nsync_interval = \"2s\"\n[[settings.endpoints]]\nname = \"a\"\n\
             [settings.wms_status]\norder_shipped = [450]\n",
        )
        .expect("toml");
        let mut rows = Vec::new();
        flatten("", &value, &mut rows);
        assert_eq!(
            rows,
            [
                ("settings.endpoints[0].name".to_owned(), "\"a\"".to_owned()),
                ("settings.sync_interval".to_owned(), "\"2s\"".to_owned()),
                (
                    "settings.wms_status.order_shipped".to_owned(),
                    "[450]".to_owned()
                ),
            ]
        );
    }
}
