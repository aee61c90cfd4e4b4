//! Does the WMS hold an article as catalog-sync would write it? Compares what the WMS returns
//! with the mapped article field by field, in the WMS's own precision: numbers as numbers
//! (`0.30` and `0.3` are one weight), blank and missing as the same, and only the fields
//! catalog-sync writes (the currency is not kept by the WMS).

use std::str::FromStr;

use rust_decimal::Decimal;

use super::article::WmsArticle;

fn text(value: Option<&str>) -> &str {
    value.map_or("", str::trim)
}

fn same_number(a: Option<&str>, b: Option<&str>) -> bool {
    let (a, b) = (text(a), text(b));
    match (Decimal::from_str(a), Decimal::from_str(b)) {
        (Ok(a), Ok(b)) => a.normalize() == b.normalize(),
        _ => a == b,
    }
}

/// The fields in which `held` (as the WMS returns it) differs from `expected` (as catalog-sync
/// maps it now); empty when the WMS holds it as it should.
pub fn held_differences(expected: &WmsArticle, held: &WmsArticle) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut check = |field: &'static str, same: bool| {
        if !same {
            fields.push(field);
        }
    };
    check(
        "article_number",
        expected.article_number.trim() == held.article_number.trim(),
    );
    check("name", expected.name.trim() == held.name.trim());
    check(
        "product_code",
        expected.product_code.trim() == held.product_code.trim(),
    );
    check(
        "bar_code",
        text(expected.bar_code.as_deref()) == text(held.bar_code.as_deref()),
    );
    check("active", expected.active == held.active);
    check("color", expected.color.trim() == held.color.trim());
    check("size", expected.size.trim() == held.size.trim());
    check(
        "weight_kg",
        same_number(expected.weight_kg.as_deref(), held.weight_kg.as_deref()),
    );
    check(
        "country_of_origin",
        text(expected.country_of_origin.as_deref())
            .eq_ignore_ascii_case(text(held.country_of_origin.as_deref())),
    );
    check(
        "customs_number",
        text(expected.customs_number.as_deref()) == text(held.customs_number.as_deref()),
    );
    check(
        "price",
        same_number(expected.price.as_deref(), held.price.as_deref()),
    );
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article() -> WmsArticle {
        WmsArticle {
            article_number: "M411-740XL".into(),
            name: "Shirt Blue XL".into(),
            product_code: "M411".into(),
            bar_code: Some("4006381333931".into()),
            active: true,
            color: "Blue".into(),
            size: "XL".into(),
            weight_kg: Some("0.250".into()),
            country_of_origin: Some("SE".into()),
            customs_number: Some("61091000".into()),
            price: Some("45.50".into()),
            currency: Some("EUR".into()),
        }
    }

    #[test]
    fn the_wms_precision_and_blank_fields_are_no_difference() {
        let mut held = article();
        held.weight_kg = Some("0.25".into());
        held.price = Some("45.5".into());
        held.currency = None;
        assert!(held_differences(&article(), &held).is_empty());
        let mut none = article();
        none.bar_code = None;
        let mut blank = none.clone();
        blank.bar_code = Some(" ".into());
        assert!(held_differences(&none, &blank).is_empty());
    }

    #[test]
    fn each_written_field_that_differs_is_named() {
        type Edit = fn(&mut WmsArticle);
        let cases: [(Edit, &str); 8] = [
            (|a| a.name = "Shirt edited by hand".into(), "name"),
            (|a| a.bar_code = None, "bar_code"),
            (|a| a.active = false, "active"),
            (|a| a.color = "Red".into(), "color"),
            (|a| a.weight_kg = Some("0.3".into()), "weight_kg"),
            (|a| a.country_of_origin = None, "country_of_origin"),
            (|a| a.customs_number = Some("1".into()), "customs_number"),
            (|a| a.price = Some("40".into()), "price"),
        ];
        for (edit, field) in cases {
            let mut held = article();
            edit(&mut held);
            assert_eq!(held_differences(&article(), &held), [field]);
        }
    }
}
