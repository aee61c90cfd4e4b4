//! The WMS article number, derived from a Centra size item by one rule per tenant.
//!
//! Parse, don't validate: an [`ArticleNumber`] exists only if [`ArticleNumberRule`] could derive
//! it (or it was read back from the WMS, [`ArticleNumber::from_wms`]). Every flow (articles,
//! orders, stock, receiving) uses the same rule, so one item has one number everywhere.
//!
//! The derived number doubles as Centra's product key for `POST /stock` and supplier-delivery
//! acceptance: Centra accepts either the EAN or the joined `sku + variantSku + sizeSku`, which is
//! exactly what the two rules produce.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::gtin::{Gtin, GtinError};

/// Longest article number sent to the WMS unless configured otherwise.
///
/// Ongoing does not document a limit for `articleNumber`; 50 is a conservative guess that fits
/// every real Centra SKU seen so far. It is a parameter (`settings.article_number_max_length`) so
/// a tenant can raise it once their WMS confirms a larger limit.
pub const DEFAULT_MAX_ARTICLE_NUMBER_LEN: usize = 50;

/// Anything that carries Centra's article identity fields: a size row, a shipment or order line,
/// a supplier-delivery line. Empty text means "missing".
pub trait IdentifiesArticle {
    /// Product-level SKU.
    fn sku(&self) -> &str;
    /// Variant SKU.
    fn variant_sku(&self) -> &str;
    /// Size SKU.
    fn size_sku(&self) -> &str;
    /// EAN as given (unchecked).
    fn ean(&self) -> Option<&str>;
}

/// The bare identity fields, for callers that have nothing richer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleIdentity {
    /// Product-level SKU.
    pub sku: String,
    /// Variant SKU.
    pub variant_sku: String,
    /// Size SKU.
    pub size_sku: String,
    /// EAN as given.
    pub ean: Option<String>,
}

impl IdentifiesArticle for ArticleIdentity {
    fn sku(&self) -> &str {
        &self.sku
    }
    fn variant_sku(&self) -> &str {
        &self.variant_sku
    }
    fn size_sku(&self) -> &str {
        &self.size_sku
    }
    fn ean(&self) -> Option<&str> {
        self.ean.as_deref()
    }
}

/// One of the three Centra SKU parts, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkuPart {
    /// `sku`.
    Sku,
    /// `variantSku`.
    VariantSku,
    /// `sizeSku`.
    SizeSku,
}

impl fmt::Display for SkuPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sku => "sku",
            Self::VariantSku => "variant sku",
            Self::SizeSku => "size sku",
        })
    }
}

/// Why no article number could be derived.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArticleNumberError {
    /// One or more SKU parts are empty (`missing variant sku`, `missing sku, size sku`).
    #[error("missing {}", join_parts(.0))]
    MissingSku(Vec<SkuPart>),
    /// The EAN rule is configured and the item has no EAN.
    #[error("missing ean")]
    MissingEan,
    /// The EAN is not a valid GTIN (`ean 123 is not a valid gtin: ...`).
    #[error(transparent)]
    InvalidEan(#[from] GtinError),
    /// The result is longer than the WMS accepts.
    #[error(
        "article number {article_number} is {length} characters, the wms accepts at most {max}"
    )]
    TooLong {
        /// The number that would have been sent.
        article_number: String,
        /// Its length in characters.
        length: usize,
        /// The configured maximum.
        max: usize,
    },
    /// A part contains a control character (tab, newline, ...), which no WMS screen can show.
    #[error("{0} contains a control character")]
    ControlCharacter(SkuPart),
    /// A number read back from the WMS is empty.
    #[error("article number is empty")]
    Empty,
    /// A number read back from the WMS contains a control character.
    #[error("article number {0:?} contains a control character")]
    ControlCharacterInNumber(String),
}

fn join_parts(parts: &[SkuPart]) -> String {
    parts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a Centra size item becomes a WMS article number (`settings.article_number`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ArticleNumberRule {
    /// `sku + variantSku + sizeSku`, each trimmed and required. Centra's and Ongoing's default.
    #[default]
    SkuVariantSize,
    /// The EAN, which must be a valid GTIN. For catalogues whose SKU parts are incomplete.
    Ean,
}

crate::setting_enum!(ArticleNumberRule { SkuVariantSize = "sku_variant_size", Ean = "ean" });

impl ArticleNumberRule {
    /// Derives the article number with the default maximum length.
    pub fn article_number(
        &self,
        item: &impl IdentifiesArticle,
    ) -> Result<ArticleNumber, ArticleNumberError> {
        self.article_number_within(item, DEFAULT_MAX_ARTICLE_NUMBER_LEN)
    }

    /// Derives the article number, refusing results longer than `max_len` characters.
    pub fn article_number_within(
        &self,
        item: &impl IdentifiesArticle,
        max_len: usize,
    ) -> Result<ArticleNumber, ArticleNumberError> {
        let number = match self {
            Self::SkuVariantSize => joined_sku(item)?,
            Self::Ean => {
                let ean = item
                    .ean()
                    .filter(|e| !e.trim().is_empty())
                    .ok_or(ArticleNumberError::MissingEan)?;
                Gtin::parse(ean)?.as_str().to_owned()
            }
        };
        let length = number.chars().count();
        if length > max_len {
            return Err(ArticleNumberError::TooLong {
                article_number: number,
                length,
                max: max_len,
            });
        }
        Ok(ArticleNumber(number))
    }

    /// Which Centra key the derived number is, for endpoints that take either (stock, receiving).
    pub fn centra_key(&self) -> CentraProductKey {
        match self {
            Self::SkuVariantSize => CentraProductKey::JoinedSku,
            Self::Ean => CentraProductKey::Ean,
        }
    }
}

/// Which identifier a Centra product key is: Centra endpoints such as
/// `POST /supplier-deliveries/{id}` (EAN) and `POST /supplier-deliveries/{id}/sku` differ by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CentraProductKey {
    /// The EAN.
    Ean,
    /// `sku + variantSku + sizeSku`.
    JoinedSku,
}

fn joined_sku(item: &impl IdentifiesArticle) -> Result<String, ArticleNumberError> {
    let parts = [
        (SkuPart::Sku, item.sku().trim()),
        (SkuPart::VariantSku, item.variant_sku().trim()),
        (SkuPart::SizeSku, item.size_sku().trim()),
    ];
    let missing: Vec<SkuPart> = parts
        .iter()
        .filter(|(_, text)| text.is_empty())
        .map(|(part, _)| *part)
        .collect();
    if !missing.is_empty() {
        return Err(ArticleNumberError::MissingSku(missing));
    }
    if let Some((part, _)) = parts.iter().find(|(_, t)| t.chars().any(char::is_control)) {
        return Err(ArticleNumberError::ControlCharacter(*part));
    }
    Ok(parts.iter().map(|(_, text)| *text).collect())
}

/// A WMS article number. Construct it with [`ArticleNumberRule::article_number`] or, for numbers
/// the WMS reports back, [`ArticleNumber::from_wms`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArticleNumber(String);

impl ArticleNumber {
    /// Accepts a number the WMS already holds (stock levels, receipts), checking only that it is
    /// non-empty and printable: it was derived by a rule when it was written, and the WMS is the
    /// authority on what it stores.
    pub fn from_wms(text: &str) -> Result<Self, ArticleNumberError> {
        if text.trim().is_empty() {
            return Err(ArticleNumberError::Empty);
        }
        if text.chars().any(char::is_control) {
            return Err(ArticleNumberError::ControlCharacterInNumber(
                text.to_owned(),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ArticleNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ArticleNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for ArticleNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Deserializes like [`ArticleNumber::from_wms`]: serialized numbers were valid when written.
impl<'de> Deserialize<'de> for ArticleNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_wms(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gtin::check_digit;
    use proptest::prelude::*;

    fn id(sku: &str, variant: &str, size: &str, ean: Option<&str>) -> ArticleIdentity {
        ArticleIdentity {
            sku: sku.into(),
            variant_sku: variant.into(),
            size_sku: size.into(),
            ean: ean.map(Into::into),
        }
    }

    #[test]
    fn default_rule_joins_trimmed_skus() {
        let number = ArticleNumberRule::default()
            .article_number(&id(" M411 ", "-740", "XL ", None))
            .expect("valid");
        assert_eq!(number.as_str(), "M411-740XL");
    }

    #[test]
    fn default_rule_names_every_missing_part() {
        let rule = ArticleNumberRule::SkuVariantSize;
        let err = rule
            .article_number(&id("M411", "", "XL", None))
            .expect_err("missing");
        assert_eq!(err.to_string(), "missing variant sku");
        let err = rule
            .article_number(&id(" ", "740", "", None))
            .expect_err("missing");
        assert_eq!(err.to_string(), "missing sku, size sku");
    }

    #[test]
    fn control_characters_are_refused() {
        let err = ArticleNumberRule::SkuVariantSize
            .article_number(&id("A", "B\tC", "D", None))
            .expect_err("tab");
        assert_eq!(err.to_string(), "variant sku contains a control character");
    }

    #[test]
    fn ean_rule_requires_a_valid_gtin() {
        let rule = ArticleNumberRule::Ean;
        assert_eq!(
            rule.article_number(&id("", "", "", Some(" 4006381333931")))
                .expect("valid")
                .as_str(),
            "4006381333931"
        );
        assert_eq!(
            rule.article_number(&id("A", "B", "C", None))
                .expect_err("none")
                .to_string(),
            "missing ean"
        );
        let err = rule
            .article_number(&id("", "", "", Some("123")))
            .expect_err("bad");
        assert!(
            err.to_string().starts_with("ean 123 is not a valid gtin"),
            "{err}"
        );
    }

    #[test]
    fn too_long_names_the_number_and_the_limit() {
        let long = "X".repeat(59);
        let err = ArticleNumberRule::SkuVariantSize
            .article_number(&id(&long, "V", "S", None))
            .expect_err("long");
        assert_eq!(
            err.to_string(),
            format!("article number {long}VS is 61 characters, the wms accepts at most 50")
        );
        assert!(
            ArticleNumberRule::SkuVariantSize
                .article_number_within(&id(&long, "V", "S", None), 61)
                .is_ok()
        );
    }

    #[test]
    fn from_wms_checks_shape_only() {
        assert_eq!(ArticleNumber::from_wms("A B").expect("ok").as_str(), "A B");
        assert_eq!(ArticleNumber::from_wms(" "), Err(ArticleNumberError::Empty));
        assert!(ArticleNumber::from_wms("a\nb").is_err());
        let back: ArticleNumber = serde_json::from_str("\"M411-740XL\"").expect("json");
        assert_eq!(
            serde_json::to_string(&back).expect("json"),
            "\"M411-740XL\""
        );
    }

    #[test]
    fn rule_tells_which_centra_key_it_is() {
        assert_eq!(
            ArticleNumberRule::SkuVariantSize.centra_key(),
            CentraProductKey::JoinedSku
        );
        assert_eq!(ArticleNumberRule::Ean.centra_key(), CentraProductKey::Ean);
    }

    fn part() -> impl Strategy<Value = String> {
        "[ ]{0,2}[A-Za-z0-9/_.-]{1,20}[ ]{0,2}"
    }

    proptest! {
        #[test]
        fn present_parts_within_the_limit_join_to_the_number(sku in part(), variant in part(), size in part()) {
            let expected = format!("{}{}{}", sku.trim(), variant.trim(), size.trim());
            let result = ArticleNumberRule::SkuVariantSize
                .article_number_within(&id(&sku, &variant, &size, None), 80);
            let number = result.expect("valid");
            prop_assert_eq!(number.as_str(), expected.as_str());
        }

        #[test]
        fn a_blank_part_is_always_named(sku in part(), variant in part(), blank in "[ ]{0,3}", which in 0usize..3) {
            let mut parts = [sku, variant.clone(), variant];
            parts[which] = blank;
            let err = ArticleNumberRule::SkuVariantSize
                .article_number(&id(&parts[0], &parts[1], &parts[2], None))
                .expect_err("missing");
            let named = [SkuPart::Sku, SkuPart::VariantSku, SkuPart::SizeSku][which];
            prop_assert!(matches!(err, ArticleNumberError::MissingSku(ref p) if p.contains(&named)));
        }

        #[test]
        fn never_longer_than_the_limit(sku in part(), variant in part(), size in part(), max in 1usize..70) {
            match ArticleNumberRule::SkuVariantSize.article_number_within(&id(&sku, &variant, &size, None), max) {
                Ok(number) => prop_assert!(number.as_str().chars().count() <= max),
                Err(ArticleNumberError::TooLong { length, max: limit, .. }) => {
                    prop_assert!(length > limit);
                }
                Err(other) => prop_assert!(false, "unexpected {}", other),
            }
        }

        #[test]
        fn ean_rule_agrees_with_gtin_parsing(text in "[0-9]{7,14}") {
            let by_rule = ArticleNumberRule::Ean.article_number(&id("", "", "", Some(&text)));
            prop_assert_eq!(by_rule.is_ok(), Gtin::parse(&text).is_ok());
        }

        #[test]
        fn ean_rule_accepts_every_valid_gtin13(body in "[0-9]{12}") {
            let code = format!("{body}{}", check_digit(&body));
            let number = ArticleNumberRule::Ean.article_number(&id("", "", "", Some(&code))).expect("valid");
            prop_assert_eq!(number.as_str(), code.as_str());
        }
    }
}
