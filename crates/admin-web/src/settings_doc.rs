//! Each setting's documented default and meaning, read from `config/centra-wms.example.toml`
//! (compiled in): the one place every key is documented, checked against the real defaults by
//! platform-config's `example_file` test. The Settings page puts them beside the effective
//! values.
//!
//! The example's conventions: prose comments before a key (or a table header) say what it
//! means; `# key = value` shows the default, or an example where the key has none; an
//! uncommented key is required and its value an example.

use std::collections::HashMap;

const EXAMPLE: &str = include_str!("../../../config/centra-wms.example.toml");

/// What the example says of one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyDoc {
    /// The prose before the key, or before its table when it has none of its own.
    pub meaning: String,
    /// The value shown for it (`# key = value`): the default, or an example when the key
    /// has no default; `None` for a required key.
    pub shown: Option<String>,
}

/// Every documented key by dotted path without list indices (`settings.endpoints.name`).
pub fn documented() -> HashMap<String, KeyDoc> {
    parse(EXAMPLE)
}

/// `Some(rest)` for a commented-out key or table header, as platform-config's test reads it.
fn commented_toml(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("# ")?;
    if rest.starts_with('[') {
        return Some(rest);
    }
    let (key, _) = rest.split_once(" = ")?;
    key.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        .then_some(rest)
}

fn parse(text: &str) -> HashMap<String, KeyDoc> {
    let mut docs = HashMap::new();
    let mut table = String::new();
    let mut table_meaning = String::new();
    let mut prose: Vec<&str> = Vec::new();
    for line in text.lines() {
        let (content, commented) = match commented_toml(line) {
            Some(rest) => (rest, true),
            None if line.starts_with('#') => {
                prose.push(line.trim_start_matches('#').trim());
                continue;
            }
            None if line.trim().is_empty() => {
                continue;
            }
            None => (line, false),
        };
        let header = content
            .strip_prefix("[[")
            .and_then(|r| r.strip_suffix("]]"))
            .or_else(|| content.strip_prefix('[').and_then(|r| r.strip_suffix(']')));
        if let Some(name) = header {
            if name != table {
                // Sibling tables after the first (`runtime.grpc.*`) share its prose.
                let siblings = parent(name) == parent(&table) && name.contains('.');
                if !(prose.is_empty() && siblings) {
                    table_meaning = prose.join(" ");
                }
                table = name.to_owned();
            }
            prose.clear();
            continue;
        }
        let Some((key, value)) = content.split_once(" = ") else {
            prose.clear();
            continue;
        };
        let path = if table.is_empty() {
            key.to_owned()
        } else {
            format!("{table}.{key}")
        };
        let meaning = if prose.is_empty() {
            table_meaning.clone()
        } else {
            prose.join(" ")
        };
        prose.clear();
        // An example item of a list (a second end-point) documents nothing new.
        docs.entry(path).or_insert(KeyDoc {
            meaning,
            shown: commented.then(|| value.trim().to_owned()),
        });
    }
    docs
}

fn parent(table: &str) -> &str {
    table.rsplit_once('.').map_or("", |(parent, _)| parent)
}

/// `settings.endpoints[0].name` as documented: `settings.endpoints.name`.
pub fn documented_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => in_index = true,
            ']' => in_index = false,
            c if !in_index => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_gives_meaning_and_default() {
        let docs = documented();
        let interval = &docs["settings.sync_interval"];
        assert_eq!(interval.shown.as_deref(), Some("\"15m\""));
        assert!(
            interval.meaning.contains("Reconciliation poll"),
            "{interval:?}"
        );
        let zone = &docs["settings.centra_time_zone"];
        assert_eq!(zone.shown, None, "required");
        let listen = &docs["runtime.grpc.order_sync.listen"];
        assert!(listen.meaning.contains("gRPC per service"), "{listen:?}");
        assert!(
            docs["settings.endpoints.secret"]
                .meaning
                .contains("API secret")
        );
        assert_eq!(
            docs["admin_web.listen"].shown.as_deref(),
            Some("\"127.0.0.1:8088\"")
        );
    }

    #[test]
    fn list_indices_are_dropped() {
        assert_eq!(
            documented_path("settings.endpoints[0].name"),
            "settings.endpoints.name"
        );
        assert_eq!(
            documented_path("settings.wms_status.order_shipped"),
            "settings.wms_status.order_shipped"
        );
    }
}
