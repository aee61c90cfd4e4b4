//! JSON helpers shared by the request models.
//!
//! - [`flex_number`]: Ongoing (ASP.NET / Json.NET) accepts numbers sent as strings; the official
//!   "article with many fields" example sends `"weight": "1.5"`, so the models must too.
//! - [`parse_body`]: reads a request body into a model and turns serde's complaint into a 400
//!   that names the field, instead of axum's plain-text rejection.
//! - [`merge_present`]: PUT upserts change the fields that were sent and keep the others.

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ApiError;

/// `Option<f64>` from a JSON number, a numeric string or null.
pub(crate) mod flex_number {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<f64>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(f64),
            Text(String),
        }
        match Option::<Raw>::deserialize(de)? {
            None => Ok(None),
            Some(Raw::Number(number)) => Ok(Some(number)),
            Some(Raw::Text(text)) if text.trim().is_empty() => Ok(None),
            Some(Raw::Text(text)) => text
                .trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| de::Error::custom(format!("'{text}' is not a number"))),
        }
    }
}

/// `Option<i64>` from a JSON integer, an integral numeric string or null.
pub(crate) mod flex_int {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<i64>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Text(String),
        }
        match Option::<Raw>::deserialize(de)? {
            None => Ok(None),
            Some(Raw::Number(number)) => Ok(Some(number)),
            Some(Raw::Text(text)) if text.trim().is_empty() => Ok(None),
            Some(Raw::Text(text)) => text
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| de::Error::custom(format!("'{text}' is not an integer"))),
        }
    }
}

/// `Option<String>` from a JSON string, a number (Json.NET turns `1` into `"1"`) or null.
pub(crate) mod flex_string {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        de: D,
    ) -> Result<Option<String>, D::Error> {
        match Option::<Value>::deserialize(de)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(Value::Number(number)) => Ok(Some(number.to_string())),
            Some(other) => Err(de::Error::custom(format!(
                "expected a string, found {other}"
            ))),
        }
    }
}

/// Reads `bytes` as JSON into `T`; a 400 naming what is wrong otherwise.
pub(crate) fn parse_body<T: DeserializeOwned>(bytes: &[u8], model: &str) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(format!(
            "the request body is empty; a {model} is required"
        )));
    }
    serde_json::from_slice(bytes).map_err(|err| {
        ApiError::bad_request(format!("the {model} in the request body is invalid: {err}"))
    })
}

/// Copies every non-null member of `newer` into `older`, recursing into objects; arrays and
/// scalars are replaced. Doubt: whether a PUT that leaves a field out clears it is not
/// documented; keeping the stored value is the safer reading for an upsert.
pub(crate) fn merge_present(older: &mut Value, newer: &Value) {
    match (older, newer) {
        (Value::Object(old), Value::Object(new)) => {
            for (key, value) in new {
                if value.is_null() {
                    continue;
                }
                match old.get_mut(key) {
                    Some(slot) if slot.is_object() && value.is_object() => {
                        merge_present(slot, value)
                    }
                    _ => {
                        old.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (slot, value) if !value.is_null() => *slot = value.clone(),
        _ => {}
    }
}

/// Merges the members sent in `newer` into a stored model.
pub(crate) fn merge_model<T: Serialize + DeserializeOwned>(
    stored: &T,
    newer: &Value,
    model: &str,
) -> Result<T, ApiError> {
    let mut value = serde_json::to_value(stored).map_err(|_| ApiError::internal())?;
    merge_present(&mut value, newer);
    serde_json::from_value(value).map_err(|err| {
        ApiError::bad_request(format!("the {model} in the request body is invalid: {err}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Weighed {
        #[serde(default, with = "flex_number")]
        weight: Option<f64>,
        #[serde(default, with = "flex_int")]
        count: Option<i64>,
    }

    #[test]
    fn numbers_may_come_as_strings() {
        let parsed: Weighed =
            serde_json::from_value(json!({"weight": "1.5", "count": "10"})).unwrap();
        assert_eq!(parsed.weight, Some(1.5));
        assert_eq!(parsed.count, Some(10));
        let parsed: Weighed = serde_json::from_value(json!({"weight": 2, "count": null})).unwrap();
        assert_eq!(parsed.weight, Some(2.0));
        assert_eq!(parsed.count, None);
        assert!(serde_json::from_value::<Weighed>(json!({"weight": "heavy"})).is_err());
    }

    #[test]
    fn merge_keeps_what_was_not_sent() {
        let mut stored = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        merge_present(
            &mut stored,
            &json!({"a": null, "b": {"c": 5}, "e": [2, 3], "f": "new"}),
        );
        assert_eq!(
            stored,
            json!({"a": 1, "b": {"c": 5, "d": 3}, "e": [2, 3], "f": "new"})
        );
    }
}
