//! Lenient reading of Centra JSON objects.
//!
//! Centra sends ids and quantities as strings *or* numbers, even within one payload, and flags
//! as `0/1` (sometimes `"0"`, sometimes `true`). Serde derives would either reject those or
//! produce errors that do not say which record was bad, so records are read field by field here
//! and every error names the object and the field.

use serde_json::{Map, Value};

use super::error::PayloadError;

/// One JSON object being read, with the name used in errors (`shipment 83651-1`).
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    object: &'a str,
    map: &'a Map<String, Value>,
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Record<'a> {
    /// Reads `value` as an object called `object`.
    pub fn new(object: &'a str, value: &'a Value) -> Result<Self, PayloadError> {
        match value {
            Value::Object(map) => Ok(Self { object, map }),
            other => Err(PayloadError::new(
                object,
                "",
                format!("expected an object, found {}", kind_of(other)),
            )),
        }
    }

    /// The name used in errors.
    pub fn object(&self) -> &'a str {
        self.object
    }

    fn error(&self, field: &str, reason: impl Into<String>) -> PayloadError {
        PayloadError::new(self.object, field, reason)
    }

    fn present(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    /// A text field that may come as a string or a number; missing and null are `None`.
    pub fn opt_text(&self, field: &str) -> Result<Option<String>, PayloadError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(self.error(
                field,
                format!("expected a string or a number, found {}", kind_of(other)),
            )),
        }
    }

    /// Like [`Self::opt_text`], empty when missing.
    pub fn text_or_empty(&self, field: &str) -> Result<String, PayloadError> {
        Ok(self.opt_text(field)?.unwrap_or_default())
    }

    /// A required, non-empty text field (ids).
    pub fn text(&self, field: &str) -> Result<String, PayloadError> {
        match self.opt_text(field)? {
            Some(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
            Some(_) => Err(self.error(field, "is empty")),
            None => Err(self.error(field, "is missing")),
        }
    }

    /// An integer sent as a number (`1`, `1.0`) or a numeric string (`"1"`).
    pub fn opt_int(&self, field: &str) -> Result<Option<i64>, PayloadError> {
        let Some(value) = self.present(field) else {
            return Ok(None);
        };
        let parsed = match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }),
            Value::String(s) if s.trim().is_empty() => return Ok(None),
            Value::String(s) => s.trim().parse::<i64>().ok().or_else(|| {
                s.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }),
            _ => None,
        };
        parsed
            .map(Some)
            .ok_or_else(|| self.error(field, format!("expected a whole number, found {value}")))
    }

    /// A required integer.
    pub fn int(&self, field: &str) -> Result<i64, PayloadError> {
        self.opt_int(field)?
            .ok_or_else(|| self.error(field, "is missing"))
    }

    /// A decimal kept as text (`"450.50"`, `450.5`); empty when missing.
    pub fn decimal_text(&self, field: &str) -> Result<String, PayloadError> {
        match self.present(field) {
            None => Ok(String::new()),
            Some(Value::String(s)) => {
                let trimmed = s.trim();
                if trimmed.is_empty() || trimmed.parse::<f64>().is_ok() {
                    Ok(trimmed.to_owned())
                } else {
                    Err(self.error(field, format!("expected a decimal, found {s:?}")))
                }
            }
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(other) => Err(self.error(
                field,
                format!("expected a decimal, found {}", kind_of(other)),
            )),
        }
    }

    /// A flag sent as `0/1`, `"0"/"1"`, `true/false`; missing or null is `None`.
    pub fn opt_flag(&self, field: &str) -> Result<Option<bool>, PayloadError> {
        let Some(value) = self.present(field) else {
            return Ok(None);
        };
        let flag = match value {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_f64() {
                Some(0.0) => Some(false),
                Some(1.0) => Some(true),
                _ => None,
            },
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "0" | "false" | "" => Some(false),
                "1" | "true" => Some(true),
                _ => None,
            },
            _ => None,
        };
        flag.map(Some)
            .ok_or_else(|| self.error(field, format!("expected a 0/1 flag, found {value}")))
    }

    /// A flag that is false when missing.
    pub fn flag(&self, field: &str) -> Result<bool, PayloadError> {
        Ok(self.opt_flag(field)?.unwrap_or(false))
    }

    /// An array field; missing or null is empty.
    pub fn array(&self, field: &str) -> Result<&'a [Value], PayloadError> {
        match self.present(field) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            // An empty object where PHP meant an empty list.
            Some(Value::Object(map)) if map.is_empty() => Ok(&[]),
            Some(other) => Err(self.error(
                field,
                format!("expected an array, found {}", kind_of(other)),
            )),
        }
    }

    /// A nested object; missing or null is `None`.
    pub fn opt_object(&self, field: &str) -> Result<Option<&'a Map<String, Value>>, PayloadError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(Value::Array(items)) if items.is_empty() => Ok(None),
            Some(other) => Err(self.error(
                field,
                format!("expected an object, found {}", kind_of(other)),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_ids_and_quantities_as_strings_or_numbers() {
        let value =
            json!({"orderId": "83651", "order": 83651, "qty": "2", "n": 3.0, "f": "1", "g": 0});
        let record = Record::new("shipment 83651-1", &value).expect("object");
        assert_eq!(record.text("orderId").expect("text"), "83651");
        assert_eq!(record.text("order").expect("text"), "83651");
        assert_eq!(record.int("qty").expect("int"), 2);
        assert_eq!(record.int("n").expect("int"), 3);
        assert!(record.flag("f").expect("flag"));
        assert!(!record.flag("g").expect("flag"));
        assert!(!record.flag("missing").expect("flag"));
    }

    #[test]
    fn reads_times_with_and_without_seconds_in_the_zone() {
        let value = json!({"a": "2019-01-28 01:15", "b": "2019-01-28 01:15:30", "c": "0000-00-00 00:00:00", "d": "soon"});
        let record = Record::new("supplier delivery 364", &value).expect("object");
        let zone = chrono_tz::Europe::Stockholm;
        let a = opt_time(&record, "a", zone).expect("minutes").expect("set");
        assert_eq!(a.to_rfc3339(), "2019-01-28T00:15:00+00:00");
        let b = opt_time(&record, "b", zone).expect("seconds").expect("set");
        assert_eq!(b.to_rfc3339(), "2019-01-28T00:15:30+00:00");
        assert_eq!(opt_time(&record, "c", zone).expect("zero date"), None);
        assert_eq!(opt_time(&record, "d", zone).expect_err("bad").field, "d");
    }

    #[test]
    fn errors_name_the_object_and_the_field() {
        let value = json!({"qty": "two", "paid": 7, "products": "x"});
        let record = Record::new("shipment 1-1", &value).expect("object");
        let err = record.int("qty").expect_err("bad");
        assert_eq!(
            err.to_string(),
            "shipment 1-1: field \"qty\": expected a whole number, found \"two\""
        );
        assert_eq!(err.object, "shipment 1-1");
        assert_eq!(err.field, "qty");
        assert_eq!(record.opt_flag("paid").expect_err("bad").field, "paid");
        assert_eq!(record.array("products").expect_err("bad").field, "products");
        assert_eq!(
            record.text("shipmentId").expect_err("missing").reason,
            "is missing"
        );
    }
}

/// A record of a listing that could not be read: its key (as far as known), the error and the
/// raw JSON, kept for the dead-letter list while the other records go on.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRecord {
    /// The record's id when it could be read, else its position (`shipments[3]`).
    pub key: String,
    /// What is wrong.
    pub error: PayloadError,
    /// The record as Centra sent it.
    pub raw: Value,
}

/// One record of a listing: read, or kept aside with its error.
pub type Parsed<T> = Result<T, Box<BadRecord>>;

/// Reads a timestamp field in Centra's zone; missing, empty and `0000-00-00...` are `None`.
pub fn opt_time(
    record: &Record<'_>,
    field: &str,
    zone: chrono_tz::Tz,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, PayloadError> {
    let Some(text) = record.opt_text(field)? else {
        return Ok(None);
    };
    let text = text.trim();
    if text.is_empty() || text.starts_with("0000-00-00") {
        return Ok(None);
    }
    if let Ok(at) = domain::centra_time::parse_centra_time(text, zone) {
        return Ok(Some(at));
    }
    // Supplier orders and deliveries write minutes only (`"created": "2019-01-28 01:15"`).
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .map(|local| Some(domain::centra_time::centra_local_to_utc(local, zone)))
        .map_err(|_| {
            PayloadError::new(
                record.object(),
                field,
                format!("{text:?} is not a centra time (YYYY-mm-dd HH:MM[:SS] or YYYY-mm-dd)"),
            )
        })
}
