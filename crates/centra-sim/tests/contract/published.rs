//! Reading Centra's published examples and comparing shapes: a lenient loader for the
//! examples that are not valid JSON as published, and a shape model where arrays merge their
//! elements (a key is required when every published element has it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

/// Parses a published example that is not valid JSON as published (see SOURCE.md: trailing
/// commas, one missing comma, `# <-` annotations). Named as a lenient loader, so nobody mistakes
/// it for the published text: it removes annotations and trailing commas and adds a comma
/// between a value that ends a line and a key that starts the next.
pub fn lenient_published_example(text: &str) -> Value {
    let lines: Vec<String> = text.lines().map(strip_annotation).collect();
    let mut joined = String::new();
    for (i, line) in lines.iter().enumerate() {
        joined.push_str(line);
        let trimmed = line.trim_end();
        let next = lines[i + 1..]
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty());
        let ends_value = trimmed.ends_with(['"', '}', ']'])
            || trimmed.ends_with(|c: char| c.is_ascii_digit())
            || trimmed.ends_with("true")
            || trimmed.ends_with("false")
            || trimmed.ends_with("null");
        if ends_value
            && !trimmed.trim_start().is_empty()
            && next.is_some_and(|n| n.starts_with('"'))
        {
            joined.push(',');
        }
        joined.push('\n');
    }
    let json = drop_trailing_commas(&joined);
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("lenient parse failed: {e}\n{json}"))
}

fn strip_annotation(line: &str) -> String {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return line[..i].trim_end().to_owned(),
            _ => {}
        }
    }
    line.to_owned()
}

fn drop_trailing_commas(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            out.push(c);
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        if c == ',' {
            let next = chars[i + 1..].iter().find(|n| !n.is_whitespace());
            if matches!(next, Some('}' | ']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

pub fn load(dir: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    if name.ends_with(".json") {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    } else {
        lenient_published_example(&text)
    }
}

/// The shape of a published value; arrays merge their elements (a key is required when every
/// element has it).
#[derive(Debug, Clone, Default)]
pub struct Shape {
    kinds: BTreeSet<&'static str>,
    nullable: bool,
    fields: BTreeMap<String, (Shape, bool)>,
    items: Option<Box<Shape>>,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Shape {
    pub fn of(v: &Value) -> Self {
        let mut shape = Shape::default();
        match v {
            Value::Null => shape.nullable = true,
            Value::Object(map) => {
                shape.kinds.insert("object");
                for (k, v) in map {
                    shape.fields.insert(k.clone(), (Shape::of(v), true));
                }
            }
            Value::Array(items) => {
                shape.kinds.insert("array");
                shape.items = items
                    .iter()
                    .map(Shape::of)
                    .reduce(Shape::merge)
                    .map(Box::new);
            }
            other => {
                shape.kinds.insert(kind(other));
            }
        }
        shape
    }

    fn merge(self, other: Shape) -> Shape {
        let mut fields = BTreeMap::new();
        let keys: BTreeSet<String> = self
            .fields
            .keys()
            .chain(other.fields.keys())
            .cloned()
            .collect();
        for key in keys {
            let merged = match (self.fields.get(&key), other.fields.get(&key)) {
                (Some((a, ra)), Some((b, rb))) => (a.clone().merge(b.clone()), *ra && *rb),
                (Some((a, _)), None) | (None, Some((a, _))) => (a.clone(), false),
                (None, None) => continue,
            };
            fields.insert(key, merged);
        }
        Shape {
            kinds: self.kinds.union(&other.kinds).copied().collect(),
            nullable: self.nullable || other.nullable,
            fields,
            items: match (self.items, other.items) {
                (Some(a), Some(b)) => Some(Box::new(a.merge(*b))),
                (a, b) => a.or(b),
            },
        }
    }

    /// Every key at any depth (to allow a documented superset).
    pub fn all_keys(&self, into: &mut BTreeSet<String>) {
        for (k, (s, _)) in &self.fields {
            into.insert(k.clone());
            s.all_keys(into);
        }
        if let Some(items) = &self.items {
            items.all_keys(into);
        }
    }

    pub fn check(
        &self,
        ours: &Value,
        path: &str,
        extra: &BTreeSet<String>,
        errors: &mut Vec<String>,
    ) {
        let k = kind(ours);
        if self.kinds.is_empty() || (k == "null" && self.nullable) {
            return;
        }
        if !self.kinds.contains(k) {
            errors.push(format!("{path}: ours is {k}, published {:?}", self.kinds));
            return;
        }
        match ours {
            Value::Object(map) => {
                for (key, (shape, required)) in &self.fields {
                    match map.get(key) {
                        Some(v) => shape.check(v, &format!("{path}.{key}"), extra, errors),
                        None if *required => errors.push(format!("{path}.{key}: missing")),
                        None => {}
                    }
                }
                for key in map.keys() {
                    if !self.fields.contains_key(key) && !extra.contains(key) {
                        errors.push(format!("{path}.{key}: not in the published example"));
                    }
                }
            }
            Value::Array(items) => {
                if let Some(shape) = &self.items {
                    for (i, item) in items.iter().enumerate() {
                        shape.check(item, &format!("{path}[{i}]"), extra, errors);
                    }
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_lenient_loader_fixes_only_what_source_md_lists() {
    let fixed = lenient_published_example(
        "{\n  \"a\": 1  # <- note\n  \"b\": [1, 2,],\n  \"c\": \"x # not a comment\",\n}\n",
    );
    assert_eq!(
        fixed,
        json!({"a": 1, "b": [1, 2], "c": "x # not a comment"})
    );
}

#[test]
fn the_shape_check_reports_kinds_missing_and_extra_keys() {
    let published = Shape::of(&json!({"items": [
        {"id": "1", "qty": 1, "bundle": []},
        {"id": "2", "qty": 2, "note": null}
    ]}));
    let mut errors = Vec::new();
    let ours = json!({"items": [{"id": 1, "bundle": [], "extra": true}, {"id": "3", "qty": 1, "note": "x"}]});
    published.check(&ours, "$", &BTreeSet::new(), &mut errors);
    assert_eq!(
        errors,
        [
            "$.items[0].id: ours is number, published {\"string\"}",
            "$.items[0].qty: missing",
            "$.items[0].extra: not in the published example",
        ]
    );
    let mut none = Vec::new();
    published.check(
        &json!({"items": [{"id": "9", "qty": 3}]}),
        "$",
        &BTreeSet::new(),
        &mut none,
    );
    assert!(none.is_empty(), "{none:?}");
}
