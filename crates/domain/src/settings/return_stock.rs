//! `settings.return_stock`: whether units of a WMS return go back to stock in Centra.
//!
//! Centra's `POST /return` takes `returnStock`; left out, the store's own default applies. When
//! centra-wms also pushes WMS stock (`stock_to_centra = true`) the WMS is the stock master: the
//! returned units reach Centra through the next stock write, so Centra adding them as well would
//! count them twice (oversell until that write). Then `returnStock = false` is always sent and an
//! explicit `"yes"` is refused at config check (see `validate.rs`).

/// `settings.return_stock`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ReturnStock {
    /// Leave `returnStock` out: Centra's store default decides.
    #[default]
    StoreDefault,
    /// `returnStock = true`.
    Yes,
    /// `returnStock = false`.
    No,
}

crate::setting_enum!(ReturnStock {
    StoreDefault = "store_default",
    Yes = "yes",
    No = "no"
});

impl ReturnStock {
    /// The `returnStock` flag to send; `None` leaves it to the store default. With
    /// `stock_to_centra` the WMS owns stock, so Centra must never add returned units itself.
    pub fn centra_flag(self, stock_to_centra: bool) -> Option<bool> {
        if stock_to_centra {
            return Some(false);
        }
        match self {
            Self::StoreDefault => None,
            Self::Yes => Some(true),
            Self::No => Some(false),
        }
    }
}

/// Why `return_stock = "yes"` cannot go with `stock_to_centra = true`.
pub(crate) const RETURN_STOCK_WITH_STOCK_PUSH: &str = "\"yes\" cannot be combined with \
    stock_to_centra = true: the WMS is then the stock master and its next stock write already \
    counts the returned units, so Centra adding them too would count them twice (oversell). \
    Use \"store_default\" or \"no\" (centra-wms then sends returnStock=false)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_per_setting_and_stock_master() {
        let table = [
            (ReturnStock::StoreDefault, false, None),
            (ReturnStock::Yes, false, Some(true)),
            (ReturnStock::No, false, Some(false)),
            (ReturnStock::StoreDefault, true, Some(false)),
            (ReturnStock::Yes, true, Some(false)),
            (ReturnStock::No, true, Some(false)),
        ];
        for (setting, stock_to_centra, flag) in table {
            assert_eq!(
                setting.centra_flag(stock_to_centra),
                flag,
                "{setting} with stock_to_centra={stock_to_centra}"
            );
        }
    }

    #[test]
    fn words() {
        assert_eq!("store_default".parse(), Ok(ReturnStock::StoreDefault));
        assert_eq!(ReturnStock::default(), ReturnStock::StoreDefault);
        assert!("maybe".parse::<ReturnStock>().is_err());
    }
}
