use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

fn item(quantity: i64, code: &str, name: &str) -> CauseItem {
    CauseItem {
        quantity,
        cause_code: code.into(),
        cause_name: name.into(),
    }
}

fn incoming(returned: i64, reported: i64, items: Vec<CauseItem>) -> IncomingLine {
    IncomingLine {
        wms_line_id: 7,
        external_id: "L1".into(),
        article_number: "A".into(),
        returned,
        reported,
        items,
    }
}

#[test]
fn plan_takes_only_units_no_earlier_return_covers() {
    let items = vec![item(2, "WS", "Wrong size"), item(1, "DMG", "Damaged")];
    // (returned, reported, covered) -> (quantity, causes)
    type Planned<'a> = Option<(i64, Vec<(&'a str, i64)>)>;
    let table: [(i64, i64, Option<i64>, Planned); 5] = [
        (3, 0, None, Some((3, vec![("WS", 2), ("DMG", 1)]))),
        (3, 0, Some(2), Some((1, vec![("DMG", 1)]))),
        (3, 0, Some(3), None),
        (3, 2, Some(1), Some((1, vec![("WS", 1)]))),
        (
            4,
            0,
            Some(0),
            Some((4, vec![("WS", 2), ("DMG", 1), ("", 1)])),
        ),
    ];
    for (returned, reported, covered, expected) in table {
        let covered: BTreeMap<i64, i64> = covered.into_iter().map(|c| (7, c)).collect();
        let planned = plan(&[incoming(returned, reported, items.clone())], &covered);
        let got = planned.first().map(|l| {
            (
                l.quantity,
                l.items
                    .iter()
                    .map(|i| (i.cause_code.as_str(), i.quantity))
                    .collect::<Vec<_>>(),
            )
        });
        assert_eq!(got, expected, "returned {returned} reported {reported}");
        if let Some(line) = planned.first() {
            assert_eq!(line.returned_through, returned);
        }
    }
}

fn line(external_id: &str, quantity: i64) -> ReturnLine {
    ReturnLine {
        wms_line_id: 1,
        external_id: external_id.into(),
        article_number: "A".into(),
        quantity,
        returned_through: quantity,
        items: vec![],
    }
}

#[test]
fn the_shipment_must_have_the_lines_and_the_units() {
    let shipped = BTreeMap::from([("L1".to_owned(), 2), ("L2".to_owned(), 1)]);
    let earlier = BTreeMap::from([("L1".to_owned(), 1)]);
    let kind = |lines: &[ReturnLine]| {
        check_against_shipment("1-1", lines, &shipped, &earlier)
            .err()
            .map(|r| r.kind())
    };
    assert_eq!(kind(&[line("L1", 1), line("L2", 1)]), None);
    assert_eq!(kind(&[line("L1", 2)]), Some("too_many"));
    assert_eq!(kind(&[line("L2", 1), line("L2", 1)]), Some("too_many"));
    assert_eq!(kind(&[line("L9", 1)]), Some("line_not_on_shipment"));
    assert_eq!(kind(&[line("", 1)]), Some("no_shipment_line"));
    let reason =
        check_against_shipment("1-1", &[line("L1", 2)], &shipped, &earlier).expect_err("too many");
    assert_eq!(
        reason.to_string(),
        "shipment 1-1: line L1 (A): returning 2 but 2 shipped and 1 returned before"
    );
}

#[test]
fn the_comment_combines_the_causes_and_names_the_wms_record() {
    let mut l = line("L1", 3);
    l.items = vec![item(1, "DMG", "Damaged"), item(2, "WS", "Wrong size")];
    assert_eq!(
        comment(&[l.clone()], "S1-1", 0),
        "2 x Wrong size (WS); 1 x Damaged (DMG) (WMS return of order S1-1)"
    );
    assert_eq!(
        comment(&[l], "S1-1", 12),
        "2 x Wrong size (WS); 1 x Damaged (DMG) (WMS return of order S1-1, return order 12)"
    );
}

#[test]
fn states_round_trip() {
    for state in ReturnState::ALL {
        assert_eq!(ReturnState::parse(state.as_str()), Some(state));
    }
    assert_eq!(ReturnState::parse("lost"), None);
}

proptest! {
    /// However the returns of a line arrive (events built at any time, the WMS acknowledging
    /// late), the units sent to Centra add up to the units returned: none twice, none lost.
    #[test]
    fn every_unit_reaches_centra_once(
        steps in proptest::collection::vec((1i64..4, any::<bool>(), any::<bool>()), 1..12)
    ) {
        let mut returned = 0;
        let mut reported = 0; // what the WMS shows as reported
        let mut covered: BTreeMap<i64, i64> = BTreeMap::new();
        let mut sent = 0;
        let mut stale: Vec<(i64, i64)> = Vec::new();
        for (units, handle_stale, acknowledge) in steps {
            returned += units;
            stale.push((returned, reported));
            let events: Vec<(i64, i64)> = if handle_stale {
                std::mem::take(&mut stale)
            } else {
                stale.pop().into_iter().collect()
            };
            for (r, rep) in events {
                for l in plan(&[incoming(r, rep, vec![])], &covered) {
                    sent += l.quantity;
                    covered.insert(l.wms_line_id, l.returned_through);
                }
            }
            if acknowledge {
                reported = reported.max(covered.get(&7).copied().unwrap_or(0));
            }
        }
        // The detector re-reads the line until everything is reported.
        for l in plan(&[incoming(returned, reported, vec![])], &covered) {
            sent += l.quantity;
        }
        prop_assert_eq!(sent, returned);
    }
}
