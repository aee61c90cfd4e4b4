//! Centra end-points: one Order API plugin (host + secret) or one Integration API (GraphQL)
//! token per store or channel.
//!
//! A tenant can have several (retail, wholesale). Each has a short [`EndpointName`] that appears
//! in event ids, NATS subjects and log fields, so its alphabet is restricted.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::secret::Secret;

/// Longest end-point name.
pub const MAX_ENDPOINT_NAME_LEN: usize = 64;

/// The short name of an end-point, e.g. `shop1`: 1 to 64 of `A-Z a-z 0-9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointName(String);

/// Why a text is not an end-point name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EndpointNameError {
    /// Empty name.
    #[error("end-point name is empty")]
    Empty,
    /// Longer than [`MAX_ENDPOINT_NAME_LEN`].
    #[error("end-point name {0:?} is longer than 64 characters")]
    TooLong(String),
    /// A character outside the alphabet (names end up in NATS subjects and event ids).
    #[error("end-point name {name:?} contains {found:?}; use only letters, digits, '_' and '-'")]
    BadCharacter {
        /// The name.
        name: String,
        /// The first bad character.
        found: char,
    },
}

impl EndpointName {
    /// Parses a name.
    pub fn parse(text: &str) -> Result<Self, EndpointNameError> {
        if text.is_empty() {
            return Err(EndpointNameError::Empty);
        }
        if text.chars().count() > MAX_ENDPOINT_NAME_LEN {
            return Err(EndpointNameError::TooLong(text.to_owned()));
        }
        if let Some(found) = text
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            return Err(EndpointNameError::BadCharacter {
                name: text.to_owned(),
                found,
            });
        }
        Ok(Self(text.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EndpointName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for EndpointName {
    type Err = EndpointNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for EndpointName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EndpointName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// What an end-point sells through; informs defaults and reporting, never routing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum EndpointRole {
    /// Consumer webshop.
    #[default]
    Retail,
    /// Business-to-business.
    Wholesale,
    /// Anything else (marketplace, outlet, ...).
    Other,
}

crate::setting_enum!(EndpointRole { Retail = "retail", Wholesale = "wholesale", Other = "other" });

/// Which of Centra's APIs the gateway speaks to an end-point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CentraApi {
    /// The REST Order API plugin: `base_url` is the plugin's URL, `secret` its API key.
    #[default]
    OrderApi,
    /// The GraphQL Integration API: `base_url` is `https://<brand>.centra.com/graphql`, `token`
    /// an API token (`Authorization: Bearer`). Centra steers new integrations here.
    Graphql,
}

crate::setting_enum!(CentraApi { OrderApi = "order_api", Graphql = "graphql" });

/// How many days before [`CentraEndpoint::token_expires_on`] `test-connection` and the gateway
/// start to warn: a week leaves a merchant time to make a new token in AMS.
pub const TOKEN_EXPIRY_WARNING_DAYS: i64 = 7;

/// Where an Integration API token stands on `today` against the day it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenExpiry {
    /// No expiry day is set: the gateway cannot tell.
    Unknown,
    /// More than [`TOKEN_EXPIRY_WARNING_DAYS`] left.
    Valid { last_day: chrono::NaiveDate },
    /// Expires within [`TOKEN_EXPIRY_WARNING_DAYS`]; `days_left` is 0 on its last day.
    Soon {
        last_day: chrono::NaiveDate,
        days_left: i64,
    },
    /// The last day has passed: Centra refuses the token.
    Expired { last_day: chrono::NaiveDate },
}

impl TokenExpiry {
    /// Where a token whose last day is `last_day` stands on `today`.
    pub fn on(last_day: Option<chrono::NaiveDate>, today: chrono::NaiveDate) -> Self {
        let Some(last_day) = last_day else {
            return Self::Unknown;
        };
        let days_left = (last_day - today).num_days();
        if days_left < 0 {
            Self::Expired { last_day }
        } else if days_left < TOKEN_EXPIRY_WARNING_DAYS {
            Self::Soon {
                last_day,
                days_left,
            }
        } else {
            Self::Valid { last_day }
        }
    }
}

impl fmt::Display for TokenExpiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const RENEW: &str = "make a new Integration API token in AMS (System > API Tokens) and \
                             set this end-point's `token` and `token_expires_on`";
        match self {
            Self::Unknown => f.write_str(
                "the token's expiry is not known (set `token_expires_on` to be warned before it)",
            ),
            Self::Valid { last_day } => write!(f, "the token is valid until {last_day}"),
            Self::Soon {
                last_day,
                days_left,
            } => write!(
                f,
                "the token expires after {last_day} ({days_left} days left): {RENEW}"
            ),
            Self::Expired { last_day } => {
                write!(f, "the token expired after {last_day}: {RENEW}")
            }
        }
    }
}

fn no_secret() -> Secret {
    Secret::new("")
}

/// One Centra end-point: an Order API plugin or an Integration API (GraphQL) token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentraEndpoint {
    /// Short name (`shop1`).
    pub name: EndpointName,
    /// `order_api` (default) or `graphql`: which API `base_url` and the credential are for.
    #[serde(default)]
    pub api: CentraApi,
    /// Plugin base URL, e.g. `https://shop.centra.com/api/order-api`, or with `api = "graphql"`
    /// the Integration API URL, e.g. `https://shop.centra.com/graphql`.
    pub base_url: String,
    /// The plugin's API secret (`API-Authorization` header); required with `api = "order_api"`.
    #[serde(default = "no_secret", skip_serializing_if = "Secret::is_blank")]
    pub secret: Secret,
    /// The Integration API token (`Authorization: Bearer`); required with `api = "graphql"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// The last day the token authorizes requests, as AMS showed it when the token was made
    /// (`2027-01-31`; Centra's tokens expire, 30 days by default, and the API has no query that
    /// tells). Read only with `api = "graphql"`: `test-connection` fails once it has passed and
    /// warns within [`TOKEN_EXPIRY_WARNING_DAYS`] of it, and the gateway logs the same at start,
    /// so a token is renewed before the flows stop on Centra's authorization errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires_on: Option<chrono::NaiveDate>,
    /// The Centra admin user the Integration API accepts purchase order deliveries as: its id in
    /// AMS. `acceptPurchaseOrderDelivery` requires `adminUser: AdminUserInput!`, "Centra user
    /// with Supplier Module access rights" (centra.dev/graphql/purchaseorderdeliveryacceptinput
    /// .html), and Centra has no default. Required with `api = "graphql"` when
    /// `purchase_orders = true`; refused with `api = "order_api"`, whose accept takes none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_user_id: Option<i64>,
    /// The Centra Webhook plugin's "Endpoint secret" that signs webhooks
    /// (`X-Centra-Signature`). Without it, webhooks from this end-point are refused and the
    /// reconciliation poll alone finds changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<Secret>,
    /// Retail, wholesale or other.
    #[serde(default)]
    pub role: EndpointRole,
    /// Put before WMS order numbers from this end-point, so two stores whose order ids overlap
    /// never share a WMS order, and a WMS order number tells which end-point to report to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number_prefix: Option<String>,
    /// Requests per second the gateway sends to this end-point (10 when unset). Centra
    /// documents no limit for the Order API; the throttle keeps a backlog from flooding a shop
    /// that shares its servers with the storefront.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<std::num::NonZeroU32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accept_the_subject_safe_alphabet() {
        assert_eq!(
            EndpointName::parse("shop_1-EU").expect("ok").as_str(),
            "shop_1-EU"
        );
        assert_eq!(EndpointName::parse(""), Err(EndpointNameError::Empty));
        assert_eq!(
            EndpointName::parse("shop.1").expect_err("dot").to_string(),
            "end-point name \"shop.1\" contains '.'; use only letters, digits, '_' and '-'"
        );
        assert!(matches!(
            EndpointName::parse(&"a".repeat(65)),
            Err(EndpointNameError::TooLong(_))
        ));
    }

    #[test]
    fn endpoint_deserializes_with_defaults_and_never_serializes_the_secret() {
        let endpoint: CentraEndpoint = toml::from_str(
            r#"
            name = "shop1"
            base_url = "https://x.centra.com/api/order-api"
            secret = "s3cr3t"
            "#,
        )
        .expect("toml");
        assert_eq!(endpoint.role, EndpointRole::Retail);
        assert_eq!(endpoint.api, CentraApi::OrderApi);
        assert_eq!(endpoint.secret.expose(), "s3cr3t");
        let text = toml::to_string(&endpoint).expect("toml");
        assert!(!text.contains("s3cr3t"));
        assert!(!format!("{endpoint:?}").contains("s3cr3t"));
    }

    #[test]
    fn a_graphql_token_is_read_and_never_printed() {
        let endpoint: CentraEndpoint = toml::from_str(
            r#"
            name = "shop1"
            api = "graphql"
            base_url = "https://x.centra.com/graphql"
            token = "t0k3n"
            "#,
        )
        .expect("toml");
        assert_eq!(endpoint.api, CentraApi::Graphql);
        assert_eq!(endpoint.token.as_ref().map(Secret::expose), Some("t0k3n"));
        assert!(endpoint.secret.is_blank(), "no Order API secret");
        let text = toml::to_string(&endpoint).expect("toml");
        assert!(!text.contains("t0k3n"), "{text}");
        assert!(text.contains("token = \"***\""), "{text}");
        assert!(!format!("{endpoint:?}").contains("t0k3n"));
        let err = toml::from_str::<CentraEndpoint>(
            "name = \"a\"\napi = \"grapql\"\nbase_url = \"https://x\"\n",
        )
        .expect_err("misspelt api");
        assert!(
            err.to_string()
                .contains("\"grapql\" is not one of \"order_api\", \"graphql\""),
            "{err}"
        );
    }

    #[test]
    fn unknown_endpoint_keys_are_rejected() {
        let err = toml::from_str::<CentraEndpoint>(
            "name = \"a\"\nbase_url = \"https://x\"\nsecret = \"s\"\nsecert = \"t\"\n",
        )
        .expect_err("unknown");
        assert!(err.to_string().contains("secert"), "{err}");
    }

    #[test]
    fn a_tokens_expiry_is_told_from_its_last_day() {
        let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
        let today = day("2026-12-05");
        let on = |last: &str| TokenExpiry::on(Some(day(last)), today);
        assert_eq!(TokenExpiry::on(None, today), TokenExpiry::Unknown);
        assert_eq!(
            on("2026-12-04"),
            TokenExpiry::Expired {
                last_day: day("2026-12-04")
            }
        );
        assert_eq!(
            on("2026-12-05"),
            TokenExpiry::Soon {
                last_day: day("2026-12-05"),
                days_left: 0
            }
        );
        assert_eq!(
            on("2026-12-11"),
            TokenExpiry::Soon {
                last_day: day("2026-12-11"),
                days_left: 6
            }
        );
        assert_eq!(
            on("2026-12-12"),
            TokenExpiry::Valid {
                last_day: day("2026-12-12")
            }
        );
        assert_eq!(
            on("2026-12-04").to_string(),
            "the token expired after 2026-12-04: make a new Integration API token in AMS \
             (System > API Tokens) and set this end-point's `token` and `token_expires_on`"
        );
    }

    #[test]
    fn a_tokens_last_day_is_read_as_a_date() {
        let endpoint: CentraEndpoint = toml::from_str(
            r#"
            name = "shop1"
            api = "graphql"
            base_url = "https://x.centra.com/graphql"
            token = "t"
            token_expires_on = "2027-01-31"
            "#,
        )
        .expect("toml");
        assert_eq!(
            endpoint.token_expires_on,
            chrono::NaiveDate::from_ymd_opt(2027, 1, 31)
        );
        let bad = toml::from_str::<CentraEndpoint>(
            "name = \"shop1\"\nbase_url = \"u\"\ntoken_expires_on = \"31.1.2027\"\n",
        )
        .expect_err("not a date");
        assert!(bad.to_string().contains("token_expires_on"), "{bad}");
    }
}
