//! `StockAdmin`: what a person sees and does (the articles with their state and reason, a
//! reconcile of every article or of named ones).

use async_trait::async_trait;
use platform_runtime::timestamp;
use proto::admin::v1 as pb;
use proto::admin::v1::stock_admin_server::{StockAdmin, StockAdminServer};
use tonic::{Request, Response, Status};

use crate::articles::{ArticleFilter, StockArticle};
use crate::flow::{FlowError, StockFlow};
use crate::rules::StockState;

/// The admin service over the flow.
#[derive(Debug, Clone)]
pub struct Admin {
    flow: StockFlow,
}

impl Admin {
    pub fn new(flow: StockFlow) -> Self {
        Self { flow }
    }

    pub fn into_server(self) -> StockAdminServer<Self> {
        StockAdminServer::new(self)
    }
}

fn status(error: FlowError) -> Status {
    match error {
        FlowError::Invalid(e) => Status::invalid_argument(e.to_string()),
        FlowError::Unavailable(e) => Status::unavailable(e.to_string()),
        FlowError::Stopped => Status::unavailable(error.to_string()),
        FlowError::Refused(e) => Status::failed_precondition(e.to_string()),
        FlowError::Store(e) => Status::internal(e.to_string()),
        FlowError::Precondition(missing) => Status::failed_precondition(missing.to_string()),
    }
}

/// An article as the admin contract shows it.
pub fn summary(article: &StockArticle) -> pb::StockArticleState {
    pb::StockArticleState {
        article_number: article.article_number.clone(),
        state: article.state().as_str().to_owned(),
        reason: article.reason().unwrap_or_default().to_owned(),
        wms_physical: article.wms_physical.unwrap_or_default(),
        wms_sellable: article.wms_sellable.unwrap_or_default(),
        centra_physical: article.centra_physical.unwrap_or_default(),
        centra_allocated: article.centra_allocated.unwrap_or_default(),
        product_id: article.product_id.clone().unwrap_or_default(),
        checked_at: article.checked_at.map(timestamp),
    }
}

#[async_trait]
impl StockAdmin for Admin {
    /// Every article (or the named ones) checked now by the same rule as the events; safe twice.
    async fn reconcile(
        &self,
        request: Request<pb::ReconcileStockRequest>,
    ) -> Result<Response<pb::ReconcileStockResponse>, Status> {
        let request = request.into_inner();
        if !self.flow.settings().stock_to_centra {
            return Err(Status::failed_precondition(
                "stock to Centra is off: set settings.stock_to_centra = true",
            ));
        }
        if !request.warehouse.is_empty() && request.warehouse != self.flow.warehouse() {
            return Err(Status::invalid_argument(format!(
                "warehouse: {:?} is not this service's warehouse {:?}",
                request.warehouse,
                self.flow.warehouse()
            )));
        }
        let mut named = Vec::with_capacity(request.article_numbers.len());
        for (i, number) in request.article_numbers.iter().enumerate() {
            if number.trim().is_empty() {
                return Err(Status::invalid_argument(format!(
                    "article_numbers[{i}]: is empty"
                )));
            }
            named.push(number.trim().to_owned());
        }
        let report = self
            .flow
            .reconcile(&named, request.dry_run)
            .await
            .map_err(status)?;
        Ok(Response::new(pb::ReconcileStockResponse {
            articles_checked: report.checked,
            updates_sent: report.written,
            unchanged: report.unchanged,
            failed: report.failed,
        }))
    }

    async fn list_articles(
        &self,
        request: Request<pb::ListStockArticlesRequest>,
    ) -> Result<Response<pb::ListStockArticlesResponse>, Status> {
        let request = request.into_inner();
        let state = if request.state.is_empty() {
            None
        } else {
            Some(StockState::parse(&request.state).ok_or_else(|| {
                let known: Vec<&str> = StockState::ALL.iter().map(|s| s.as_str()).collect();
                Status::invalid_argument(format!(
                    "state: {:?} is not one of {}",
                    request.state,
                    known.join(", ")
                ))
            })?)
        };
        let number =
            (!request.article_number.trim().is_empty()).then(|| request.article_number.trim());
        let after = (!request.after.is_empty()).then_some(request.after.as_str());
        let articles = self
            .flow
            .articles()
            .list(&ArticleFilter {
                state,
                article_number: number,
                after,
                limit: request.limit.min(1000),
            })
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        Ok(Response::new(pb::ListStockArticlesResponse {
            articles: articles.iter().map(summary).collect(),
        }))
    }
}
