//! The example config documents every key, with the real defaults, and nothing else.

use std::collections::BTreeSet;
use std::path::PathBuf;

use platform_config::{AppConfig, ConfigLoader};
use toml::{Table, Value};

fn example_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config/centra-wms.example.toml")
}

fn example_text() -> String {
    std::fs::read_to_string(example_path()).expect("example config exists")
}

/// `Some(rest)` for a commented-out key or table header (`# key = value`, `# [table]`), `None`
/// for prose and everything else.
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

/// The example with every documented key uncommented.
fn fully_uncommented(text: &str) -> String {
    text.lines()
        .map(|line| commented_toml(line).unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

fn load(text: &str) -> AppConfig {
    ConfigLoader::new()
        .toml(text)
        .env(std::iter::empty::<(String, String)>())
        .load()
        .unwrap_or_else(|err| panic!("{err}"))
}

/// Dotted paths of every leaf, arrays of tables flattened (`settings.endpoints.name`).
fn leaf_paths(prefix: &str, table: &Table, out: &mut BTreeSet<String>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Table(inner) => leaf_paths(&path, inner, out),
            Value::Array(items) if items.iter().all(Value::is_table) && !items.is_empty() => {
                for item in items {
                    if let Value::Table(inner) = item {
                        leaf_paths(&path, inner, out);
                    }
                }
            }
            _ => {
                out.insert(path);
            }
        }
    }
}

fn effective_table(config: &AppConfig) -> Table {
    match Value::try_from(config).expect("serializable") {
        Value::Table(table) => table,
        other => panic!("not a table: {other:?}"),
    }
}

#[test]
fn the_example_as_shipped_is_valid_and_all_defaults() {
    let config = AppConfig::load(Some(&example_path()));
    // `load` also reads the process environment; CENTRA_WMS__ variables are not set in tests.
    let config = config.unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(config.settings.endpoints.len(), 1);
    assert_eq!(
        config.settings.centra_time_zone,
        chrono_tz_name("Europe/Stockholm")
    );
    assert_eq!(config.runtime, platform_config::RuntimeConfig::default());
    assert_eq!(
        config.wms.api_root().expect("ongoing"),
        "https://api.ongoingsystems.se/sandbox/api/v1/"
    );
}

fn chrono_tz_name(name: &str) -> chrono_tz::Tz {
    name.parse().expect("zone")
}

#[test]
fn every_documented_key_exists_and_every_key_is_documented() {
    let text = fully_uncommented(&example_text());
    // Unknown keys are errors, so loading proves every documented key exists.
    let config = load(&text);

    let documented: Table = text.parse().expect("uncommented example is toml");
    let mut documented_paths = BTreeSet::new();
    leaf_paths("", &documented, &mut documented_paths);
    let mut effective_paths = BTreeSet::new();
    leaf_paths("", &effective_table(&config), &mut effective_paths);

    let undocumented: Vec<_> = effective_paths.difference(&documented_paths).collect();
    assert!(
        undocumented.is_empty(),
        "keys missing from the example: {undocumented:?}"
    );
    let unknown: Vec<_> = documented_paths.difference(&effective_paths).collect();
    assert!(
        unknown.is_empty(),
        "documented keys that do not exist: {unknown:?}"
    );
}

#[test]
fn documented_defaults_are_the_real_defaults() {
    let text = example_text();
    let effective = effective_table(&load(&text));

    let mut header: Vec<String> = Vec::new();
    let mut header_is_example = false;
    let mut checked = 0;
    for line in text.lines() {
        let (content, commented) = match commented_toml(line) {
            Some(rest) => (rest, true),
            None if line.starts_with('#') || line.trim().is_empty() => continue,
            None => (line, false),
        };
        if let Some(name) = content
            .strip_prefix("[[")
            .and_then(|r| r.strip_suffix("]]"))
        {
            header = name.split('.').map(str::to_owned).collect();
            // A commented array-of-tables block is an extra example item, not a default.
            header_is_example = commented;
            continue;
        }
        if let Some(name) = content.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            header = name.split('.').map(str::to_owned).collect();
            header_is_example = false;
            continue;
        }
        if !commented || header_is_example {
            continue;
        }
        let (key, _) = content.split_once(" = ").expect("key line");
        let documented: Table = content.parse().expect("a documented value is toml");
        let documented = &documented[key];
        let mut path = header.clone();
        path.push(key.to_owned());
        if let Some(actual) = lookup(&effective, &path) {
            assert_eq!(documented, actual, "default of {} differs", path.join("."));
            checked += 1;
        }
        // Keys absent from the effective config have no default; the value is an example.
    }
    assert!(checked >= 30, "only {checked} defaults compared");
}

/// Follows `path` through tables, taking the first item of arrays of tables.
fn lookup<'a>(table: &'a Table, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let value = table.get(first)?;
    let value = match value {
        Value::Array(items) if !rest.is_empty() => items.first()?,
        other => other,
    };
    if rest.is_empty() {
        return Some(value);
    }
    match value {
        Value::Table(inner) => lookup(inner, rest),
        _ => None,
    }
}

/// The OGOship example loads as written and with every documented key switched on.
#[test]
fn the_ogoship_example_loads_with_its_kind() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../config/centra-wms.ogoship.example.toml");
    let text = std::fs::read_to_string(path).expect("ogoship example exists");
    for text in [text.clone(), fully_uncommented(&text)] {
        let config = load(&text);
        assert_eq!(config.wms.kind(), platform_config::WmsKind::Ogoship);
        let account = config.wms.ogoship().expect("account");
        assert_eq!(account.token_url, "https://my.ogoship.com/OAuth/Token");
    }
    let config = load(&fully_uncommented(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../config/centra-wms.ogoship.example.toml"),
        )
        .expect("read"),
    ));
    assert!(config.wms.ogoship().expect("account").webhook_key.is_some());
}
