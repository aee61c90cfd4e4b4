//! The hostile-input corpora of the gateways (`crates/<gateway>/tests/hostile/corpus.json`):
//! reading a corpus file, and the bytes a case generates in code (too big or not valid JSON
//! text, so they cannot sit in the file).

use std::path::Path;

use serde_json::Value;

/// The cases of one section (`api`, `webhook`) of the corpus file at `path`.
pub fn cases(path: &Path, section: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let corpus: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    corpus[section]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no section {section}", path.display()))
        .clone()
}

/// Nesting depth of `deep_nesting`: far past serde_json's limit of 128, and deep enough to
/// overflow the stack of a parser without one.
pub const DEEP: usize = 100_000;

/// The JSON text (or not-quite-JSON bytes) `kind` stands for.
pub fn generated(kind: &str) -> Vec<u8> {
    match kind {
        "deep_nesting" => {
            let mut bytes = vec![b'['; DEEP];
            bytes.extend(std::iter::repeat_n(b']', DEEP));
            bytes
        }
        // A JSON string of 2 MiB.
        "huge_string" => {
            let mut bytes = vec![b'"'];
            bytes.extend(std::iter::repeat_n(b'x', 2 * 1024 * 1024));
            bytes.push(b'"');
            bytes
        }
        // A JSON string holding bytes that are not UTF-8.
        "invalid_utf8" => b"\"Astrid \xff\xfe Lind\"".to_vec(),
        other => panic!("unknown generator {other}"),
    }
}

/// The case's name, for messages.
pub fn name(case: &Value) -> &str {
    case["name"].as_str().unwrap_or("(unnamed case)")
}
