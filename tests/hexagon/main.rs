//! The hexagon's import picture, enforced: every sync crate of the workspace is checked
//! against the rules of `rules.rs` (no gateway, simulator or other sync crate as a dependency;
//! no wire type or I/O in `rules/`; no wire type in the port traits; no WMS named in code), and
//! the test prints each violation as `path:line: rule: what`. The checkers have unit tests on
//! synthetic violating input, so a passing run means "none found", never "nothing looked".
//!
//! ```text
//! main.rs    the workspace: cargo metadata, the sync crates' files, the report
//! rules.rs   the checks over one source file and over the metadata, with their tests
//! lexer.rs   code paths and string literals of a Rust file, comments dropped
//! ```

mod lexer;
mod rules;

use std::path::{Path, PathBuf};
use std::process::Command;

use rules::{Scope, Violation, check_dependencies, check_source, is_sync_crate};

/// The sync services the workspace has today: the check fails if it finds fewer (a renamed
/// or moved crate must not slip out of it).
const KNOWN_SYNC_CRATES: [&str; 4] = ["catalog-sync", "order-sync", "stock-sync", "returns-sync"];

/// The folders of a crate whose Rust files are checked, and its build script.
const SOURCES: [&str; 4] = ["src", "tests", "benches", "build.rs"];

fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata answers JSON")
}

/// Every `.rs` file under `path` (or `path` itself), sorted.
fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(path) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn no_sync_crate_breaks_the_import_picture() {
    let metadata = metadata();
    let root = PathBuf::from(metadata["workspace_root"].as_str().expect("workspace root"));
    let packages = metadata["packages"].as_array().expect("packages");
    let sync_crates: Vec<&serde_json::Value> =
        packages.iter().filter(|p| is_sync_crate(p)).collect();
    let names: Vec<&str> = sync_crates
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for known in KNOWN_SYNC_CRATES {
        assert!(
            names.contains(&known),
            "{known} is not in the workspace: {names:?}"
        );
    }

    let mut violations: Vec<Violation> = check_dependencies(
        &metadata,
        |manifest| std::fs::read_to_string(manifest).unwrap_or_default(),
        |path| relative(&root, Path::new(path)),
    );
    let mut files = 0;
    for package in &sync_crates {
        let manifest = PathBuf::from(package["manifest_path"].as_str().expect("manifest"));
        let crate_root = manifest.parent().expect("crate folder");
        for source in SOURCES {
            for file in rust_files(&crate_root.join(source)) {
                let text = std::fs::read_to_string(&file).expect("readable source");
                let scope = Scope::of(&relative(crate_root, &file));
                violations.extend(check_source(&relative(&root, &file), scope, &text));
                files += 1;
            }
        }
    }
    println!(
        "checked {} sync crates ({}), {files} files",
        sync_crates.len(),
        names.join(", ")
    );
    assert!(files > 50, "only {files} files found under {root:?}");
    for violation in &violations {
        println!("{violation}");
    }
    assert!(
        violations.is_empty(),
        "{} violations of the import picture (CONTRIBUTING.md):\n{}",
        violations.len(),
        violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}
