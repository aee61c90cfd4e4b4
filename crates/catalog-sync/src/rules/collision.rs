//! Two Centra size items that map to the same article number: a collision.
//!
//! The WMS keys articles by number, so writing both would let one overwrite the other. Rule: a
//! size item that already holds the number in the WMS keeps it and every other claimer is
//! rejected; when nobody holds it yet, every claimer is rejected (there is no way to tell which
//! is right). Once the data is fixed, the next run finds one claimer and writes it.

use std::collections::{BTreeMap, BTreeSet};

use super::problem::{Problem, ProblemKind};

/// One size item's claim on an article number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Centra stock item id (unique per end-point).
    pub stock_item_id: String,
    /// Centra product id, to name the item in the reason.
    pub product_id: String,
    /// The derived article number.
    pub article_number: String,
    /// True when this item is the one already written to the WMS under this number.
    pub holds: bool,
}

/// The rejected claims, by stock item id, with the reason for each.
pub fn find_collisions(claims: &[Claim]) -> BTreeMap<String, Problem> {
    let mut by_number: BTreeMap<&str, Vec<&Claim>> = BTreeMap::new();
    for claim in claims {
        by_number
            .entry(claim.article_number.as_str())
            .or_default()
            .push(claim);
    }
    let mut rejected = BTreeMap::new();
    for (number, group) in by_number {
        let distinct: BTreeSet<&str> = group.iter().map(|c| c.stock_item_id.as_str()).collect();
        if distinct.len() < 2 {
            continue;
        }
        let holders: Vec<&&Claim> = group.iter().filter(|c| c.holds).collect();
        match holders.as_slice() {
            [holder] => {
                for claim in group
                    .iter()
                    .filter(|c| c.stock_item_id != holder.stock_item_id)
                {
                    rejected.insert(
                        claim.stock_item_id.clone(),
                        Problem::new(
                            ProblemKind::Collision,
                            format!(
                                "article number {number} is already used by {}",
                                label(holder)
                            ),
                        ),
                    );
                }
            }
            _ => {
                let names: Vec<String> = group.iter().map(|c| label(c)).collect();
                for claim in &group {
                    rejected.insert(
                        claim.stock_item_id.clone(),
                        Problem::new(
                            ProblemKind::Collision,
                            format!(
                                "collision: {} all map to article number {number}",
                                names.join(", ")
                            ),
                        ),
                    );
                }
            }
        }
    }
    rejected
}

fn label(claim: &Claim) -> String {
    format!(
        "size item {} (product {})",
        claim.stock_item_id, claim.product_id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(item: &str, number: &str, holds: bool) -> Claim {
        Claim {
            stock_item_id: item.into(),
            product_id: "1".into(),
            article_number: number.into(),
            holds,
        }
    }

    #[test]
    fn distinct_numbers_do_not_collide() {
        assert!(find_collisions(&[claim("1", "A", false), claim("2", "B", false)]).is_empty());
    }

    #[test]
    fn new_claimers_of_one_number_are_all_rejected_naming_each_other() {
        let found = find_collisions(&[claim("1", "A", false), claim("2", "A", false)]);
        assert_eq!(found.len(), 2);
        let reason = &found["1"].reason;
        assert_eq!(
            reason,
            "collision: size item 1 (product 1), size item 2 (product 1) all map to article number A"
        );
        assert_eq!(found["1"].kind, ProblemKind::Collision);
    }

    #[test]
    fn the_holder_keeps_its_number() {
        let found = find_collisions(&[claim("1", "A", true), claim("2", "A", false)]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found["2"].reason,
            "article number A is already used by size item 1 (product 1)"
        );
    }

    #[test]
    fn the_same_item_twice_is_no_collision() {
        assert!(find_collisions(&[claim("1", "A", true), claim("1", "A", false)]).is_empty());
    }
}
