//! One method per Ongoing endpoint the gateway uses.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::models::{
    ArticleDetailsModel, ArticleModel, OrderModel, PostArticle, PostOrder, PostPurchaseOrder,
    PurchaseOrderModel, StatusModel, TransporterContractModel,
};
use super::{IdCursor, Listing, OngoingClient, OngoingError, Pages};

/// The answer to an upsert: the WMS id and whether Ongoing answered 201 Created.
///
/// `created` is what the final attempt saw: after a lost answer and a retry the record exists
/// already and the retry reports an update. Only `PUT /orders` documents 201 at all, so the
/// commands decide "created" by reading before they write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub id: i64,
    pub created: bool,
}

fn written(
    operation: &str,
    status: StatusCode,
    answer: &Value,
    id_key: &str,
) -> Result<Written, OngoingError> {
    let id = answer
        .get(id_key)
        .and_then(Value::as_i64)
        .ok_or_else(|| OngoingError::Decode {
            operation: operation.to_owned(),
            reason: format!("the answer has no {id_key}: {answer}"),
        })?;
    Ok(Written {
        id,
        created: status == StatusCode::CREATED,
    })
}

/// A status table as answered: `{"orderStatuses": [...]}` (documented for orders AND purchase
/// orders), `{"purchaseOrderStatuses": [...]}` or a bare array, whichever the instance sends.
fn status_table(operation: &str, answer: Value) -> Result<Vec<StatusModel>, OngoingError> {
    let rows = match answer {
        Value::Array(rows) => Value::Array(rows),
        Value::Object(mut fields) => ["orderStatuses", "purchaseOrderStatuses"]
            .iter()
            .find_map(|key| fields.remove(*key))
            .unwrap_or(Value::Null),
        _ => Value::Null,
    };
    if !rows.is_array() {
        return Err(OngoingError::Decode {
            operation: operation.to_owned(),
            reason: "the answer has no list of statuses".to_owned(),
        });
    }
    serde_json::from_value(rows).map_err(|e| OngoingError::Decode {
        operation: operation.to_owned(),
        reason: e.to_string(),
    })
}

impl OngoingClient {
    fn owner(&self) -> (&'static str, String) {
        ("goodsOwnerId", self.goods_owner_id().to_string())
    }

    /// `PUT /articles`: upsert by article number.
    pub async fn upsert_article(&self, article: &PostArticle) -> Result<Written, OngoingError> {
        let (status, answer) = self
            .send_json::<_, Value>(Method::PUT, "articles", &[], article)
            .await?;
        written("PUT articles", status, &answer, "articleSystemId")
    }

    /// `PUT /orders`: upsert by order number, so a retry never makes a second order.
    pub async fn upsert_order(&self, order: &PostOrder) -> Result<Written, OngoingError> {
        let (status, answer) = self
            .send_json::<_, Value>(Method::PUT, "orders", &[], order)
            .await?;
        written("PUT orders", status, &answer, "orderId")
    }

    /// `PUT /purchaseOrders`: upsert by purchase order number.
    pub async fn upsert_purchase_order(
        &self,
        purchase_order: &PostPurchaseOrder,
    ) -> Result<Written, OngoingError> {
        let (status, answer) = self
            .send_json::<_, Value>(Method::PUT, "purchaseOrders", &[], purchase_order)
            .await?;
        written("PUT purchaseOrders", status, &answer, "purchaseOrderId")
    }

    /// The order with this number, if Ongoing has it.
    pub async fn find_order(&self, order_number: &str) -> Result<Option<OrderModel>, OngoingError> {
        let orders: Vec<OrderModel> = self
            .get_json(
                "orders",
                &[self.owner(), ("orderNumber", order_number.to_owned())],
            )
            .await?;
        Ok(orders
            .into_iter()
            .find(|o| o.order_info.order_number.as_deref() == Some(order_number)))
    }

    /// The purchase order with this number, if Ongoing has it.
    pub async fn find_purchase_order(
        &self,
        purchase_order_number: &str,
    ) -> Result<Option<PurchaseOrderModel>, OngoingError> {
        let found: Vec<PurchaseOrderModel> = self
            .get_json(
                "purchaseOrders",
                &[
                    self.owner(),
                    ("purchaseOrderNumber", purchase_order_number.to_owned()),
                ],
            )
            .await?;
        Ok(found.into_iter().find(|po| {
            po.purchase_order_info.purchase_order_number.as_deref() == Some(purchase_order_number)
        }))
    }

    /// `GET /orders/{orderId}`.
    pub async fn get_order(&self, order_id: i64) -> Result<OrderModel, OngoingError> {
        self.get_json(&format!("orders/{order_id}"), &[]).await
    }

    /// `DELETE /orders/{orderId}`: cancels an order the warehouse has not started.
    pub async fn cancel_order(&self, order_id: i64) -> Result<(), OngoingError> {
        self.call(Method::DELETE, &format!("orders/{order_id}"), &[], None)
            .await
            .map(drop)
    }

    /// `GET /purchaseOrders/{purchaseOrderId}`.
    pub async fn get_purchase_order(
        &self,
        purchase_order_id: i64,
    ) -> Result<PurchaseOrderModel, OngoingError> {
        self.get_json(&format!("purchaseOrders/{purchase_order_id}"), &[])
            .await
    }

    /// The orders matching `filters`, a page at a time (a backlog is never held whole).
    pub fn order_pages<'a>(&'a self, filters: &[(&'a str, String)]) -> Pages<'a, OrderModel> {
        Pages::new(self, "orders", IdCursor::ORDERS, filters)
    }

    /// The purchase orders matching `filters`, a page at a time.
    pub fn purchase_order_pages<'a>(
        &'a self,
        filters: &[(&'a str, String)],
    ) -> Pages<'a, PurchaseOrderModel> {
        Pages::new(self, "purchaseOrders", IdCursor::PURCHASE_ORDERS, filters)
    }

    /// The articles matching `filters`, a page at a time (a stock-take may change them all).
    pub fn article_pages<'a>(&'a self, filters: &[(&'a str, String)]) -> Pages<'a, ArticleModel> {
        Pages::new(self, "articles", IdCursor::ARTICLES, filters)
    }

    /// Every article matching `filters`, page by page.
    pub async fn list_articles(
        &self,
        filters: &[(&str, String)],
    ) -> Result<Listing<ArticleModel>, OngoingError> {
        self.get_all("articles", IdCursor::ARTICLES, filters).await
    }

    /// One page of the articles with their data, from `from` (see [`OngoingClient::get_page`]).
    pub async fn list_articles_page(
        &self,
        from: Option<i64>,
        max: u32,
    ) -> Result<(Listing<ArticleDetailsModel>, Option<i64>), OngoingError> {
        self.get_page("articles", IdCursor::ARTICLES, &[], from, max)
            .await
    }

    /// `PATCH /orders/{id}/lines/{lineId}/reportedNumberOfItems`.
    pub async fn report_order_line(
        &self,
        order_id: i64,
        line_id: i64,
        reported: i64,
    ) -> Result<(), OngoingError> {
        let path = format!("orders/{order_id}/lines/{line_id}/reportedNumberOfItems");
        self.send_json::<_, Value>(
            Method::PATCH,
            &path,
            &[],
            &json!({ "reportedNumberOfItems": reported }),
        )
        .await
        .map(drop)
    }

    /// `PATCH /orders/{id}/lines/{lineId}/reportedReturnedNumberOfItems`.
    pub async fn report_order_line_returned(
        &self,
        order_id: i64,
        line_id: i64,
        reported: i64,
    ) -> Result<(), OngoingError> {
        let path = format!("orders/{order_id}/lines/{line_id}/reportedReturnedNumberOfItems");
        self.send_json::<_, Value>(
            Method::PATCH,
            &path,
            &[],
            &json!({ "reportedReturnedNumberOfItems": reported }),
        )
        .await
        .map(drop)
    }

    /// `PATCH /purchaseOrders/{id}/lines/{lineId}/reportedNumberOfItems`.
    pub async fn report_purchase_order_line(
        &self,
        purchase_order_id: i64,
        line_id: i64,
        reported: i64,
    ) -> Result<(), OngoingError> {
        let path =
            format!("purchaseOrders/{purchase_order_id}/lines/{line_id}/reportedNumberOfItems");
        self.send_json::<_, Value>(
            Method::PATCH,
            &path,
            &[],
            &json!({ "reportedNumberOfItems": reported }),
        )
        .await
        .map(drop)
    }

    /// `GET /orders/statuses`: the status numbers this warehouse uses for orders.
    pub async fn order_statuses(&self) -> Result<Vec<StatusModel>, OngoingError> {
        let answer: Value = self.get_json("orders/statuses", &[]).await?;
        status_table("GET orders/statuses", answer)
    }

    /// `GET /purchaseOrders/statuses`: the status numbers this warehouse uses for purchase
    /// orders.
    pub async fn purchase_order_statuses(&self) -> Result<Vec<StatusModel>, OngoingError> {
        let answer: Value = self.get_json("purchaseOrders/statuses", &[]).await?;
        status_table("GET purchaseOrders/statuses", answer)
    }

    /// `GET /transporterContracts`.
    pub async fn transporter_contracts(
        &self,
    ) -> Result<Vec<TransporterContractModel>, OngoingError> {
        self.get_json("transporterContracts", &[self.owner()]).await
    }

    /// One cheap read that needs valid credentials and the right goods owner.
    pub async fn probe(&self) -> Result<(), OngoingError> {
        let _: Vec<Value> = self
            .get_json(
                "orders",
                &[self.owner(), ("maxOrdersToGet", "1".to_owned())],
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_tables_are_read_in_every_shape_instances_send() {
        let numbers = |answer: Value| -> Vec<Option<i64>> {
            status_table("GET orders/statuses", answer)
                .expect("table")
                .into_iter()
                .map(|s| s.number)
                .collect()
        };
        let rows = json!([{"number": 200, "text": "Open"}, {"number": 450}]);
        assert_eq!(
            numbers(json!({"orderStatuses": rows})),
            [Some(200), Some(450)]
        );
        assert_eq!(
            numbers(json!({"purchaseOrderStatuses": rows})),
            [Some(200), Some(450)]
        );
        assert_eq!(numbers(rows), [Some(200), Some(450)]);
        let err = status_table("GET orders/statuses", json!({"statuses": 1})).expect_err("bad");
        assert!(err.to_string().contains("no list of statuses"), "{err}");
    }
}
