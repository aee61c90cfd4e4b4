//! AcceptSupplierDelivery: one-shot accept of received quantities, through either API.
//!
//! The Order API takes the received quantities (keyed by EAN or joined SKU) and turns units not
//! received into a follow-up delivery. The Integration API's `acceptPurchaseOrderDelivery` takes
//! none (centra.dev/graphql/purchaseorderdeliveryacceptinput.html): it accepts a delivery as it
//! stands. So through GraphQL the command reads the delivery first and accepts it only when the
//! received quantities equal its lines; when they differ it accepts nothing and guesses nothing:
//! it refuses ([`CommandError::ReceiptDiffers`], `FAILED_PRECONDITION`) naming the delivery and,
//! per product, what was expected and what was received, so a person corrects the delivery in
//! AMS (or moves the end-point to the Order API) and the receipt is sent again.

use std::collections::BTreeMap;
use std::fmt;

use proto::centra::v1::{
    AcceptSupplierDeliveryRequest, AcceptSupplierDeliveryResponse, AdditionalDelivery,
    ProductKeyKind,
};

use super::{CommandError, Commands};
use crate::client::{CentraDelivery, DeliveryKey};
use crate::connection::{CentraConnection, ConnectionError};

/// One product whose received quantity is not the delivery's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityDifference {
    /// The product by the request's key (EAN or joined SKU).
    pub product: String,
    pub expected: i64,
    pub received: i64,
}

/// A receipt the Integration API cannot accept: the delivery and each differing product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDifference {
    pub delivery_id: String,
    pub delivery_number: String,
    pub differences: Vec<QuantityDifference>,
}

impl fmt::Display for ReceiptDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "supplier delivery {} ({}): the received quantities differ from the delivery's (",
            self.delivery_id, self.delivery_number
        )?;
        for (i, d) in self.differences.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(
                f,
                "{}: expected {}, received {}",
                d.product, d.expected, d.received
            )?;
        }
        f.write_str(
            "); not accepted: the Integration API accepts a delivery as it stands: correct the \
             delivery's quantities in AMS and retry, or set api = \"order_api\" for this \
             end-point",
        )
    }
}

/// The line's product by `key`: its EAN, or `sku + variantSku + sizeSku`.
fn product_key(line: &crate::client::CentraDeliveryLine, key: DeliveryKey) -> String {
    match key {
        DeliveryKey::Ean => line.ean.trim().to_owned(),
        DeliveryKey::JoinedSku => [&line.sku, &line.variant_sku, &line.size_sku]
            .iter()
            .map(|part| part.trim())
            .collect(),
    }
}

/// Each product whose `received` quantity (summed; absent is 0) is not the delivery's own
/// (summed over its lines by `key`), in product order; empty when the receipt is the delivery.
pub fn receipt_differences(
    delivery: &CentraDelivery,
    key: DeliveryKey,
    received: &[(String, i64)],
) -> Vec<QuantityDifference> {
    let mut by_product: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for line in &delivery.lines {
        by_product.entry(product_key(line, key)).or_default().0 += line.quantity;
    }
    for (product, quantity) in received {
        by_product.entry(product.clone()).or_default().1 += quantity;
    }
    by_product
        .into_iter()
        .filter(|(_, (expected, received))| expected != received)
        .map(|(product, (expected, received))| QuantityDifference {
            product,
            expected,
            received,
        })
        .collect()
}

impl Commands {
    /// Accepts a delivery; an already accepted one is success (`already_done`).
    ///
    /// # Errors
    /// [`CommandError::InvalidArgument`] for a bad request; [`CommandError::NotFound`] for an
    /// unknown end-point or delivery; [`CommandError::ReceiptDiffers`] through GraphQL when the
    /// quantities are not the delivery's; Centra's failures by their kind.
    pub async fn accept_supplier_delivery(
        &self,
        request: AcceptSupplierDeliveryRequest,
    ) -> Result<AcceptSupplierDeliveryResponse, CommandError> {
        let connection = self.connection(&request.endpoint)?;
        let id = request.delivery_id.trim().to_owned();
        if id.is_empty() {
            return Err(CommandError::invalid("delivery_id", "is empty"));
        }
        let key = match ProductKeyKind::try_from(request.key_kind) {
            Ok(ProductKeyKind::Ean) => DeliveryKey::Ean,
            Ok(ProductKeyKind::JoinedSku) => DeliveryKey::JoinedSku,
            _ => {
                return Err(CommandError::invalid(
                    "key_kind",
                    "must be EAN or JOINED_SKU",
                ));
            }
        };
        let mut quantities = Vec::with_capacity(request.quantities.len());
        for (i, q) in request.quantities.iter().enumerate() {
            if q.product.trim().is_empty() {
                return Err(CommandError::invalid(
                    format!("quantities[{i}].product"),
                    "is empty",
                ));
            }
            if q.quantity < 0 {
                return Err(CommandError::invalid(
                    format!("quantities[{i}].quantity"),
                    format!("is negative ({})", q.quantity),
                ));
            }
            quantities.push((q.product.trim().to_owned(), q.quantity));
        }
        let outcome = match connection {
            CentraConnection::Graphql(_) => {
                match as_it_stands(connection, &id, key, &quantities).await? {
                    Some(done) => done,
                    None => accept(connection, &id, key, &quantities, request.insert_stock).await?,
                }
            }
            CentraConnection::OrderApi(_) => {
                accept(connection, &id, key, &quantities, request.insert_stock).await?
            }
        };
        let response = match outcome {
            Accepted::Now(additional) => AcceptSupplierDeliveryResponse {
                already_done: false,
                additional_delivery: additional.map(|(delivery_id, delivery_number)| {
                    AdditionalDelivery {
                        delivery_id,
                        delivery_number,
                    }
                }),
            },
            Accepted::Before => AcceptSupplierDeliveryResponse {
                already_done: true,
                additional_delivery: None,
            },
            Accepted::Unknown => {
                return Err(CommandError::NotFound(format!("supplier delivery {id}")));
            }
        };
        tracing::info!(endpoint = %connection.endpoint(), delivery_id = %id, already_done = response.already_done, "supplier delivery accepted");
        Ok(response)
    }
}

/// Through GraphQL, before accepting: `Some` when there is nothing to accept (an accepted or
/// unknown delivery), `None` when the pending delivery is what was received.
///
/// # Errors
/// [`CommandError::ReceiptDiffers`] when the quantities differ; the read's failure by its kind.
async fn as_it_stands(
    connection: &CentraConnection,
    id: &str,
    key: DeliveryKey,
    quantities: &[(String, i64)],
) -> Result<Option<Accepted>, CommandError> {
    let Some(standing) = connection.delivery_standing(id).await? else {
        return Ok(Some(Accepted::Unknown));
    };
    if !standing.pending {
        return Ok(Some(Accepted::Before));
    }
    let differences = receipt_differences(&standing.delivery, key, quantities);
    if differences.is_empty() {
        Ok(None)
    } else {
        Err(CommandError::ReceiptDiffers(Box::new(ReceiptDifference {
            delivery_id: standing.delivery.id,
            delivery_number: standing.delivery.delivery_number,
            differences,
        })))
    }
}

/// Sends the accept, reading the delivery when in doubt (a retry after a lost answer, or a
/// refusal): no longer pending means accepted before.
async fn accept(
    connection: &CentraConnection,
    id: &str,
    key: DeliveryKey,
    quantities: &[(String, i64)],
    insert_stock: Option<bool>,
) -> Result<Accepted, ConnectionError> {
    let mut first = true;
    connection
        .with_retry(|| {
            let in_doubt = !std::mem::replace(&mut first, false);
            async move {
                if in_doubt && let Some(done) = accepted(connection, id).await? {
                    return Ok(done);
                }
                match connection
                    .accept_delivery_once(id, key, quantities, insert_stock)
                    .await
                {
                    Ok(acceptance) => Ok(Accepted::Now(acceptance.additional)),
                    Err(error) if error.is_record_refusal() => {
                        match accepted(connection, id).await? {
                            Some(done) => Ok(done),
                            None => Err(error),
                        }
                    }
                    Err(error) => Err(error),
                }
            }
        })
        .await
}

enum Accepted {
    Now(Option<(String, String)>),
    Before,
    Unknown,
}

/// `Some(Before)` when Centra knows the delivery but it is no longer pending,
/// `Some(Unknown)` when it does not know it, `None` while it is still pending.
async fn accepted(
    connection: &CentraConnection,
    id: &str,
) -> Result<Option<Accepted>, ConnectionError> {
    Ok(match connection.delivery_standing(id).await? {
        None => Some(Accepted::Unknown),
        Some(standing) if standing.pending => None,
        Some(_) => Some(Accepted::Before),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::CentraDeliveryLine;

    fn delivery() -> CentraDelivery {
        let line = |ean: &str, size: &str, quantity| CentraDeliveryLine {
            sku: "HJ100".into(),
            variant_sku: "NVY".into(),
            size_sku: size.into(),
            ean: ean.into(),
            quantity,
            product_name: String::new(),
            variant_name: String::new(),
            size_name: String::new(),
        };
        CentraDelivery {
            id: "12".into(),
            delivery_number: "957-1".into(),
            supplier_order_id: "957".into(),
            supplier_name: String::new(),
            created: None,
            eta: None,
            message: String::new(),
            lines: vec![line("111", "S", 4), line("222", "M", 2)],
        }
    }

    fn received(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
        pairs.iter().map(|(p, q)| ((*p).to_owned(), *q)).collect()
    }

    #[test]
    fn a_receipt_equal_to_the_delivery_differs_in_nothing() {
        let d = delivery();
        assert!(
            receipt_differences(&d, DeliveryKey::Ean, &received(&[("222", 2), ("111", 4)]))
                .is_empty()
        );
        assert!(
            receipt_differences(
                &d,
                DeliveryKey::JoinedSku,
                &received(&[("HJ100NVYS", 3), ("HJ100NVYS", 1), ("HJ100NVYM", 2)])
            )
            .is_empty(),
            "quantities of one product add up"
        );
    }

    #[test]
    fn short_over_missing_and_unexpected_products_are_named() {
        let d = delivery();
        assert_eq!(
            receipt_differences(&d, DeliveryKey::Ean, &received(&[("111", 3), ("333", 1)])),
            vec![
                QuantityDifference {
                    product: "111".into(),
                    expected: 4,
                    received: 3
                },
                QuantityDifference {
                    product: "222".into(),
                    expected: 2,
                    received: 0
                },
                QuantityDifference {
                    product: "333".into(),
                    expected: 0,
                    received: 1
                },
            ]
        );
        let over = receipt_differences(
            &d,
            DeliveryKey::JoinedSku,
            &received(&[("HJ100NVYS", 5), ("HJ100NVYM", 2)]),
        );
        assert_eq!(over.len(), 1);
        assert_eq!((over[0].expected, over[0].received), (4, 5));
    }

    #[test]
    fn the_refusal_names_the_delivery_each_product_and_what_to_do() {
        let text = ReceiptDifference {
            delivery_id: "12".into(),
            delivery_number: "957-1".into(),
            differences: receipt_differences(
                &delivery(),
                DeliveryKey::Ean,
                &received(&[("111", 3), ("222", 2)]),
            ),
        }
        .to_string();
        assert!(text.contains("supplier delivery 12 (957-1)"), "{text}");
        assert!(text.contains("111: expected 4, received 3"), "{text}");
        assert!(!text.contains("222"), "{text}");
        assert!(
            text.contains("correct the delivery's quantities in AMS"),
            "{text}"
        );
        assert!(text.contains("api = \"order_api\""), "{text}");
    }
}
