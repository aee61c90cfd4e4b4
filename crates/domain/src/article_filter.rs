//! Which Centra size rows become WMS articles (`settings.article_filter`).
//!
//! The seed behaviour is "active and all three SKUs present". "All three SKUs present" is what the
//! default article-number rule needs; the decision therefore asks the configured
//! [`ArticleNumberRule`] for the number, so under the EAN rule the requirement becomes "a valid
//! EAN" instead (Centra's advice for catalogues with incomplete SKUs).

use thiserror::Error;

use crate::article_number::{ArticleNumber, ArticleNumberError, ArticleNumberRule};
use crate::product::SizeRow;

/// The article filter setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ArticleFilter {
    /// Only active rows with a derivable article number.
    #[default]
    ActiveWithAllSkus,
    /// Inactive rows too; they are created as inactive articles so the WMS can still receive
    /// returns and deliveries for them.
    IncludeInactive,
}

crate::setting_enum!(ArticleFilter { ActiveWithAllSkus = "active_with_all_skus", IncludeInactive = "include_inactive" });

/// What the filter decided for one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArticleDecision {
    /// Sync the row as this article.
    Admitted {
        /// The derived article number.
        article_number: ArticleNumber,
        /// Whether the WMS article is active.
        active: bool,
    },
    /// Leave the row out, for this reason (logged and shown; never an error that stops a run).
    Skipped(SkipReason),
}

/// Why a row was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SkipReason {
    /// The row is inactive and inactive rows are not included.
    #[error("product is inactive")]
    Inactive,
    /// No article number could be derived.
    #[error("{0}")]
    NoArticleNumber(#[from] ArticleNumberError),
}

impl ArticleFilter {
    /// Decides for one row. Pure: the same row and settings always give the same answer.
    pub fn decide(
        &self,
        row: &SizeRow,
        rule: ArticleNumberRule,
        max_len: usize,
    ) -> ArticleDecision {
        if !row.active && *self == Self::ActiveWithAllSkus {
            return ArticleDecision::Skipped(SkipReason::Inactive);
        }
        match rule.article_number_within(row, max_len) {
            Ok(article_number) => ArticleDecision::Admitted {
                article_number,
                active: row.active,
            },
            Err(err) => ArticleDecision::Skipped(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article_number::DEFAULT_MAX_ARTICLE_NUMBER_LEN as MAX;
    use crate::product::tests::row;

    #[test]
    fn default_admits_active_rows_with_all_skus() {
        let decision =
            ArticleFilter::default().decide(&row("1", "2", "M"), ArticleNumberRule::default(), MAX);
        assert_eq!(
            decision,
            ArticleDecision::Admitted {
                article_number: ArticleNumberRule::default()
                    .article_number(&row("1", "2", "M"))
                    .expect("ok"),
                active: true
            }
        );
    }

    #[test]
    fn default_skips_inactive_rows() {
        let mut r = row("1", "2", "M");
        r.active = false;
        assert_eq!(
            ArticleFilter::ActiveWithAllSkus.decide(&r, ArticleNumberRule::default(), MAX),
            ArticleDecision::Skipped(SkipReason::Inactive)
        );
    }

    #[test]
    fn include_inactive_admits_them_as_inactive() {
        let mut r = row("1", "2", "M");
        r.active = false;
        assert!(matches!(
            ArticleFilter::IncludeInactive.decide(&r, ArticleNumberRule::default(), MAX),
            ArticleDecision::Admitted { active: false, .. }
        ));
    }

    #[test]
    fn missing_sku_is_skipped_with_the_part_named() {
        let mut r = row("1", "2", "M");
        r.size_sku = String::new();
        for filter in [
            ArticleFilter::ActiveWithAllSkus,
            ArticleFilter::IncludeInactive,
        ] {
            match filter.decide(&r, ArticleNumberRule::default(), MAX) {
                ArticleDecision::Skipped(reason) => {
                    assert_eq!(reason.to_string(), "missing size sku")
                }
                other => panic!("admitted {other:?}"),
            }
        }
    }

    #[test]
    fn ean_rule_admits_rows_with_incomplete_skus_but_a_valid_ean() {
        let mut r = row("1", "2", "M");
        r.variant_sku = String::new();
        assert!(matches!(
            ArticleFilter::default().decide(&r, ArticleNumberRule::Ean, MAX),
            ArticleDecision::Admitted { .. }
        ));
        r.ean = Some("123".into());
        assert!(matches!(
            ArticleFilter::default().decide(&r, ArticleNumberRule::Ean, MAX),
            ArticleDecision::Skipped(SkipReason::NoArticleNumber(ArticleNumberError::InvalidEan(
                _
            )))
        ));
    }
}
