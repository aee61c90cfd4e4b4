//! The Order API envelope: `{"status":"ok", …}` or `{"status":"no","msg":"…", …ids}`, both with
//! HTTP 200 (REF/*: "check `status`, not the HTTP code").

use axum::Json;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// `{"status":"ok"}` plus the fields of `body` (an object).
pub fn ok(body: Value) -> Response {
    with_status("ok", None, body)
}

/// `{"status":"no","msg":msg}` plus the fields of `extra` (an object or null).
pub fn no(msg: impl Into<String>, extra: Value) -> Response {
    with_status("no", Some(msg.into()), extra)
}

fn with_status(status: &str, msg: Option<String>, body: Value) -> Response {
    let mut map = Map::new();
    map.insert("status".into(), Value::String(status.into()));
    if let Some(msg) = msg {
        map.insert("msg".into(), Value::String(msg));
    }
    if let Value::Object(fields) = body {
        map.extend(fields);
    }
    Json(Value::Object(map)).into_response()
}

/// A business refusal about the request itself (bad parameter or body): `{"status":"no"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct No(pub String);

impl IntoResponse for No {
    fn into_response(self) -> Response {
        no(self.0, Value::Null)
    }
}

/// Reads a JSON request body; an empty body reads as `{}`. A body that does not fit is a
/// business error naming the problem ([I] the real wording is not documented).
pub fn parse_body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, No> {
    let text = if bytes.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        &bytes[..]
    };
    serde_json::from_slice(text).map_err(|err| No(format!("invalid request body: {err}")))
}
