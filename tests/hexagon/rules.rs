//! The import picture of a sync crate, as CONTRIBUTING.md states it, as checks over one source
//! file or the workspace's `cargo metadata`:
//!
//! - a sync crate depends (normal or build dependency) on no gateway (`*-gateway`), no
//!   simulator (`*-sim`) and no other sync crate: it meets them through the bus, the gRPC
//!   contracts in `proto/` and `domain`;
//! - `src/rules/` holds no wire type and no I/O: no `proto`, `tonic`, `async`/`.await`,
//!   `tokio`, `sqlx`, `reqwest`, platform store, bus or runtime, `std::fs`, `std::net`;
//! - `src/ports/mod.rs` speaks domain terms: no `proto`, no `tonic`;
//! - no sync crate source (`src/`, `tests/`, `benches/`, `build.rs`) names a WMS in code: no
//!   identifier or path containing `ongoing` or `ogoship` (any case: `ongoing_gateway::`,
//!   `OgoshipGateway`, `let ongoing`), no string literal naming a WMS's service or API
//!   (`"ongoing-gateway"`, `"ogoship"`); the sync side asks for
//!   `platform_runtime::WMS_GATEWAY` and never knows which warehouse it is. Comments may
//!   name a WMS where they explain (a doc gap, a behaviour of one warehouse).

use std::fmt;

use crate::lexer::lex;

/// One break of the picture, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// `path:line`, relative to the workspace root.
    pub place: String,
    pub rule: &'static str,
    pub found: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.place, self.rule, self.found)
    }
}

/// Which rules a file of a sync crate falls under, by its place in the crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A file under `src/rules/`.
    Rules,
    /// `src/ports/mod.rs`.
    PortTraits,
    /// Any other source of the crate.
    Other,
}

impl Scope {
    /// The scope of `path`, relative to the crate's root (`src/rules/mapping.rs`).
    pub fn of(path: &str) -> Self {
        let path = path.replace('\\', "/");
        if path.starts_with("src/rules/") {
            Self::Rules
        } else if path == "src/ports/mod.rs" {
            Self::PortTraits
        } else {
            Self::Other
        }
    }
}

const WMS_IN_CODE: &str = "a WMS named in code (the sync side knows only WMS_GATEWAY)";
const WIRE_IN_RULES: &str = "a wire type in rules/ (translate in ports/grpc.rs)";
const IO_IN_RULES: &str = "I/O or async in rules/ (rules are pure functions)";
const WIRE_IN_PORTS: &str = "a wire type in the port traits (domain types only)";
const DEPENDENCY: &str = "a sync crate depends on a gateway, a simulator or another sync crate";

/// The WMSs whose names a sync crate never uses in code.
const WMS_NAMES: [&str; 2] = ["ongoing", "ogoship"];

/// Crates a rule must not reach for (I/O, async, transport).
const IO_CRATES: [&str; 7] = [
    "tokio",
    "sqlx",
    "reqwest",
    "platform_store",
    "platform_bus",
    "platform_runtime",
    "async_trait",
];

fn names_a_wms(text: &str) -> bool {
    let lower = text.to_lowercase();
    WMS_NAMES.iter().any(|name| lower.contains(name))
}

/// The violations of one source file at `place` (its path from the workspace root) whose
/// path inside its crate puts it in `scope`.
pub fn check_source(place: &str, scope: Scope, source: &str) -> Vec<Violation> {
    let lexed = lex(source);
    let mut found = Vec::new();
    let mut report = |line: usize, rule: &'static str, what: String| {
        found.push(Violation {
            place: format!("{place}:{line}"),
            rule,
            found: what,
        });
    };
    for path in &lexed.paths {
        let joined = path.segments.join("::");
        if path.segments.iter().any(|s| names_a_wms(s)) {
            report(path.line, WMS_IN_CODE, joined.clone());
        }
        let first = path.segments[0].as_str();
        let wire = matches!(first, "proto" | "tonic" | "prost" | "prost_types");
        match scope {
            Scope::Rules if wire => report(path.line, WIRE_IN_RULES, joined),
            Scope::Rules
                if matches!(first, "async" | "await")
                    || IO_CRATES.contains(&first)
                    || (first == "std"
                        && path
                            .segments
                            .get(1)
                            .is_some_and(|s| matches!(s.as_str(), "fs" | "net" | "process"))) =>
            {
                report(path.line, IO_IN_RULES, joined);
            }
            Scope::PortTraits if wire => report(path.line, WIRE_IN_PORTS, joined),
            _ => {}
        }
    }
    for literal in &lexed.strings {
        if names_a_wms(&literal.text) {
            report(literal.line, WMS_IN_CODE, format!("{:?}", literal.text));
        }
    }
    found
}

/// Whether a sync crate may depend on the workspace crate `name`.
fn forbidden_dependency(name: &str) -> bool {
    name.ends_with("-gateway") || name.ends_with("-sim") || name.ends_with("-sync")
}

/// The dependency violations of the sync crates in `metadata` (`cargo metadata
/// --format-version 1 --no-deps`): normal and build dependencies on a gateway, a simulator or
/// another sync crate. Dev-dependencies are the tests' business. `manifest` reads a
/// manifest's text (to name the line), `relative` makes a path relative to the root.
pub fn check_dependencies(
    metadata: &serde_json::Value,
    manifest: impl Fn(&str) -> String,
    relative: impl Fn(&str) -> String,
) -> Vec<Violation> {
    let mut found = Vec::new();
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    for package in packages.iter().filter(|p| is_sync_crate(p)) {
        let name = package["name"].as_str().unwrap_or_default();
        let manifest_path = package["manifest_path"].as_str().unwrap_or_default();
        let text = manifest(manifest_path);
        for dependency in package["dependencies"].as_array().into_iter().flatten() {
            let dep = dependency["name"].as_str().unwrap_or_default();
            let kind = dependency["kind"].as_str();
            if kind == Some("dev") || dep == name || !forbidden_dependency(dep) {
                continue;
            }
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(dep))
                .map_or(0, |i| i + 1);
            found.push(Violation {
                place: format!("{}:{line}", relative(manifest_path)),
                rule: DEPENDENCY,
                found: format!("{name} -> {dep} ({})", kind.unwrap_or("normal")),
            });
        }
    }
    found
}

/// A sync service of the workspace (`catalog-sync`, `order-sync`, ...).
pub fn is_sync_crate(package: &serde_json::Value) -> bool {
    package["name"]
        .as_str()
        .is_some_and(|name| name.ends_with("-sync"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_of(place: &str, source: &str) -> Vec<(String, &'static str)> {
        check_source(place, Scope::of(place), source)
            .into_iter()
            .map(|v| (v.place, v.rule))
            .collect()
    }

    #[test]
    fn scopes_follow_the_layout() {
        assert_eq!(Scope::of("src/rules/mapping.rs"), Scope::Rules);
        assert_eq!(Scope::of("src/ports/mod.rs"), Scope::PortTraits);
        assert_eq!(Scope::of("src/ports/grpc.rs"), Scope::Other);
        assert_eq!(Scope::of("src/flow/mod.rs"), Scope::Other);
    }

    #[test]
    fn wire_types_and_io_in_rules_are_found_with_their_line() {
        let source = "//! Rules; no proto:: here.\nuse proto::wms::v1::Article;\n\
                      pub async fn f() { tokio::time::sleep(d).await; std::fs::read(p); }\n\
                      fn g(s: tonic::Status) {}\n";
        assert_eq!(
            rules_of("src/rules/article.rs", source),
            [
                ("src/rules/article.rs:2".to_owned(), WIRE_IN_RULES),
                ("src/rules/article.rs:3".to_owned(), IO_IN_RULES),
                ("src/rules/article.rs:3".to_owned(), IO_IN_RULES),
                ("src/rules/article.rs:3".to_owned(), IO_IN_RULES),
                ("src/rules/article.rs:3".to_owned(), IO_IN_RULES),
                ("src/rules/article.rs:4".to_owned(), WIRE_IN_RULES),
            ]
        );
        // The adapter edge may hold them.
        assert!(rules_of("src/ports/grpc.rs", source).is_empty());
    }

    #[test]
    fn the_port_traits_hold_no_wire_type() {
        let source = "/// Errors: a tonic::Status becomes a PortError.\n\
                      async fn read(&self) -> Result<proto::wms::v1::Stock, PortError>;\n";
        assert_eq!(
            rules_of("src/ports/mod.rs", source),
            [("src/ports/mod.rs:2".to_owned(), WIRE_IN_PORTS)]
        );
    }

    #[test]
    fn a_wms_named_in_code_is_found_and_one_named_in_a_comment_is_not() {
        let source = "// Ongoing answers 5xx here (a doc gap of its API).\n\
                      use ongoing_gateway::client;\n\
                      let wms = OgoshipGateway::new();\n\
                      let channel = directory.channel(\"ongoing-gateway\");\n\
                      let channel = directory.channel(platform_runtime::WMS_GATEWAY);\n";
        assert_eq!(
            rules_of("src/service.rs", source),
            [
                ("src/service.rs:2".to_owned(), WMS_IN_CODE),
                ("src/service.rs:3".to_owned(), WMS_IN_CODE),
                ("src/service.rs:4".to_owned(), WMS_IN_CODE),
            ]
        );
    }

    #[test]
    fn gateway_simulator_and_sync_dependencies_are_found_in_the_manifest() {
        let metadata = serde_json::json!({"packages": [
            {"name": "stock-sync", "manifest_path": "/w/crates/stock-sync/Cargo.toml",
             "dependencies": [
                {"name": "domain", "kind": null},
                {"name": "ogoship-gateway", "kind": null},
                {"name": "order-sync", "kind": null},
                {"name": "centra-sim", "kind": "build"},
                {"name": "ongoing-sim", "kind": "dev"},
                {"name": "stock-sync", "kind": "dev"}
             ]},
            {"name": "centra-wms-tests", "manifest_path": "/w/tests/Cargo.toml",
             "dependencies": [{"name": "ongoing-gateway", "kind": null}]}
        ]});
        let manifest = |_: &str| {
            "[dependencies]\ndomain.workspace = true\nogoship-gateway.workspace = true\n\
             order-sync.workspace = true\n[build-dependencies]\ncentra-sim.workspace = true\n"
                .to_owned()
        };
        let relative = |path: &str| path.trim_start_matches("/w/").to_owned();
        let found: Vec<String> = check_dependencies(&metadata, manifest, relative)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found,
            [
                format!(
                    "crates/stock-sync/Cargo.toml:3: {DEPENDENCY}: stock-sync -> ogoship-gateway (normal)"
                ),
                format!(
                    "crates/stock-sync/Cargo.toml:4: {DEPENDENCY}: stock-sync -> order-sync (normal)"
                ),
                format!(
                    "crates/stock-sync/Cargo.toml:6: {DEPENDENCY}: stock-sync -> centra-sim (build)"
                ),
            ]
        );
    }
}
