//! The `CatalogAdmin` gRPC service: what the CLI (and myOGO-style manual selection) needs.

use proto::admin::v1 as pb;
use proto::admin::v1::catalog_admin_server::{CatalogAdmin, CatalogAdminServer};
use tonic::{Request, Response, Status};

use crate::flow::{CatalogFlow, FlowError, ListQuery, ProductQuery, ProductSelection};
use crate::items::CatalogItem;
use crate::rules::{ItemState, ProductState};

/// Serves `CatalogAdmin` over one flow.
#[derive(Debug, Clone)]
pub struct CatalogAdminService {
    flow: CatalogFlow,
}

impl CatalogAdminService {
    /// The service over `flow`.
    pub fn new(flow: CatalogFlow) -> Self {
        Self { flow }
    }

    /// The tonic server, ready for `Routes`.
    pub fn into_server(self) -> CatalogAdminServer<Self> {
        CatalogAdminServer::new(self)
    }
}

fn status(error: &FlowError) -> Status {
    match error {
        FlowError::Port(e) => Status::unavailable(e.to_string()),
        FlowError::Store(e) => Status::internal(e.to_string()),
    }
}

fn state_from_proto(value: i32) -> Result<Option<ItemState>, Status> {
    let state = pb::CatalogItemState::try_from(value)
        .map_err(|_| Status::invalid_argument(format!("state {value} is unknown")))?;
    Ok(match state {
        pb::CatalogItemState::Unspecified => None,
        pb::CatalogItemState::NotSelected => Some(ItemState::NotSelected),
        pb::CatalogItemState::Selected => Some(ItemState::Pending),
        pb::CatalogItemState::Synced => Some(ItemState::Synced),
        pb::CatalogItemState::Outdated => Some(ItemState::Outdated),
        pb::CatalogItemState::FilteredOut => Some(ItemState::FilteredOut),
        pb::CatalogItemState::Failed => Some(ItemState::Rejected),
    })
}

fn product_state_from_proto(value: i32) -> Result<Option<ProductState>, Status> {
    let state = pb::CatalogProductState::try_from(value)
        .map_err(|_| Status::invalid_argument(format!("state {value} is unknown")))?;
    Ok(match state {
        pb::CatalogProductState::Unspecified => None,
        pb::CatalogProductState::NotInWms => Some(ProductState::NotInWms),
        pb::CatalogProductState::InWms => Some(ProductState::InWms),
        pb::CatalogProductState::Changed => Some(ProductState::ChangedSince),
        pb::CatalogProductState::Rejected => Some(ProductState::Rejected),
        pb::CatalogProductState::FilteredOut => Some(ProductState::FilteredOut),
    })
}

fn item_message(item: &CatalogItem, state: ItemState) -> pb::CatalogItem {
    pb::CatalogItem {
        article_number: item.article_number.clone().unwrap_or_default(),
        endpoint: item.endpoint.clone(),
        product_id: item.product_id.clone(),
        product_name: item.product_name.clone(),
        variant_name: item.variant_name.clone(),
        size_name: item.size_name.clone(),
        sku: item.sku.clone(),
        variant_sku: item.variant_sku.clone(),
        size_sku: item.size_sku.clone(),
        ean: item.ean.clone(),
        active: item.active,
        state: item_state(state) as i32,
        last_synced_at: item.last_synced_at.map(|ms| prost_types::Timestamp {
            seconds: ms.div_euclid(1000),
            nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
        }),
        last_error: item
            .problem
            .as_ref()
            .map(|p| p.reason.clone())
            .unwrap_or_default(),
        warning: item.warning.clone().unwrap_or_default(),
    }
}

#[tonic::async_trait]
impl CatalogAdmin for CatalogAdminService {
    async fn list_products(
        &self,
        request: Request<pb::ListCatalogProductsRequest>,
    ) -> Result<Response<pb::ListCatalogProductsResponse>, Status> {
        let request = request.into_inner();
        let query = ListQuery {
            state: state_from_proto(request.state)?,
            search: request.search,
            product_id: request.product_id.trim().to_owned(),
            page_size: request.page_size,
            page_token: request.page_token,
        };
        let page = self
            .flow
            .list(&query)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        Ok(Response::new(pb::ListCatalogProductsResponse {
            items: page
                .items
                .iter()
                .map(|(item, state)| item_message(item, *state))
                .collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn refresh(
        &self,
        request: Request<pb::RefreshCatalogRequest>,
    ) -> Result<Response<pb::RefreshCatalogResponse>, Status> {
        let endpoint = request.into_inner().endpoint;
        let catalog = &self.flow.config().endpoint;
        if !endpoint.is_empty() && endpoint != *catalog {
            return Err(Status::invalid_argument(format!(
                "articles come only from the catalog end-point {catalog}, not {endpoint}"
            )));
        }
        let report = self.flow.refresh().await.map_err(|e| status(&e))?;
        let summary = self
            .flow
            .summary()
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        let count = |state: ProductState| summary.products.get(state.name()).copied().unwrap_or(0);
        Ok(Response::new(pb::RefreshCatalogResponse {
            size_items_seen: report.seen,
            new_items: report.new_items,
            changed_items: report.changed_items,
            products: summary.product_count,
            products_not_in_wms: count(ProductState::NotInWms),
            products_in_wms: count(ProductState::InWms),
            products_changed: count(ProductState::ChangedSince),
            products_rejected: count(ProductState::Rejected),
            products_filtered_out: count(ProductState::FilteredOut),
            rejected_items: summary.rejected_items,
            warnings: summary.warnings,
        }))
    }

    async fn create_selected(
        &self,
        request: Request<pb::CreateSelectedRequest>,
    ) -> Result<Response<pb::CreateSelectedResponse>, Status> {
        let request = request.into_inner();
        let numbers: Vec<String> = request
            .article_numbers
            .into_iter()
            .filter(|n| !n.trim().is_empty())
            .collect();
        let products: Vec<String> = request
            .product_ids
            .into_iter()
            .filter(|n| !n.trim().is_empty())
            .collect();
        if numbers.is_empty() && products.is_empty() && !request.all_products {
            return Err(Status::invalid_argument(
                "article_numbers, product_ids and all_products are all empty: nothing selected",
            ));
        }
        let mut outcomes = Vec::new();
        if request.all_products {
            outcomes.extend(
                self.flow
                    .create_products(&ProductSelection::All)
                    .await
                    .map_err(|e| status(&e))?,
            );
        } else if !products.is_empty() {
            outcomes.extend(
                self.flow
                    .create_products(&ProductSelection::Products(products))
                    .await
                    .map_err(|e| status(&e))?,
            );
        }
        if !numbers.is_empty() {
            outcomes.extend(
                self.flow
                    .create_selected(&numbers)
                    .await
                    .map_err(|e| status(&e))?,
            );
        }
        Ok(Response::new(pb::CreateSelectedResponse {
            outcomes: outcomes
                .into_iter()
                .map(|o| pb::ArticleOutcome {
                    article_number: o.article_number,
                    state: o
                        .state
                        .map_or(pb::CatalogItemState::Unspecified, item_state)
                        as i32,
                    error: o.error,
                })
                .collect(),
        }))
    }

    async fn list_product_groups(
        &self,
        request: Request<pb::ListCatalogProductGroupsRequest>,
    ) -> Result<Response<pb::ListCatalogProductGroupsResponse>, Status> {
        let request = request.into_inner();
        let query = ProductQuery {
            state: product_state_from_proto(request.state)?,
            search: request.search,
            product_id: request.product_id.trim().to_owned(),
            page_size: request.page_size,
            page_token: request.page_token,
        };
        let page = self
            .flow
            .list_products(&query)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        Ok(Response::new(pb::ListCatalogProductGroupsResponse {
            products: page
                .products
                .iter()
                .map(|group| pb::CatalogProduct {
                    product_id: group.product_id.clone(),
                    product_name: group.product_name.clone(),
                    state: product_state(group.state) as i32,
                    sizes: group
                        .sizes
                        .iter()
                        .map(|(item, state)| item_message(item, *state))
                        .collect(),
                })
                .collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn find_articles(
        &self,
        request: Request<pb::FindArticlesRequest>,
    ) -> Result<Response<pb::FindArticlesResponse>, Status> {
        let query = request.into_inner().query.trim().to_owned();
        if query.is_empty() {
            return Err(Status::invalid_argument(
                "query: required (an article number or an EAN)",
            ));
        }
        let found = self
            .flow
            .find_articles(&query)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        if found.is_empty() {
            return Err(Status::not_found(format!(
                "no size item has article number or EAN {query}"
            )));
        }
        Ok(Response::new(pb::FindArticlesResponse {
            articles: found
                .iter()
                .map(|(item, state)| pb::FoundArticle {
                    item: Some(item_message(item, *state)),
                    stock_item_id: item.stock_item_id.clone(),
                    problem_kind: item
                        .problem
                        .as_ref()
                        .map(|p| p.kind.as_str().to_owned())
                        .unwrap_or_default(),
                    written_article_number: item.synced_number.clone().unwrap_or_default(),
                    wms_article_id: item.article_system_id.unwrap_or_default(),
                })
                .collect(),
        }))
    }

    async fn reconcile(
        &self,
        request: Request<pb::ReconcileCatalogRequest>,
    ) -> Result<Response<pb::ReconcileCatalogResponse>, Status> {
        let dry_run = request.into_inner().dry_run;
        let report = self.flow.resync(dry_run).await.map_err(|e| status(&e))?;
        Ok(Response::new(pb::ReconcileCatalogResponse {
            checked: report.seen,
            queued: report.queued,
            wms_articles: report.wms_articles,
            missing_in_wms: report.missing_in_wms,
            differing_in_wms: report.differing_in_wms,
        }))
    }
}

/// The contract's enum of a size item's state.
fn item_state(state: ItemState) -> pb::CatalogItemState {
    match state {
        ItemState::NotSelected => pb::CatalogItemState::NotSelected,
        ItemState::Pending => pb::CatalogItemState::Selected,
        ItemState::Synced => pb::CatalogItemState::Synced,
        ItemState::Outdated => pb::CatalogItemState::Outdated,
        ItemState::FilteredOut => pb::CatalogItemState::FilteredOut,
        ItemState::Rejected => pb::CatalogItemState::Failed,
    }
}

/// The contract's enum of a product's state.
fn product_state(state: ProductState) -> pb::CatalogProductState {
    match state {
        ProductState::NotInWms => pb::CatalogProductState::NotInWms,
        ProductState::InWms => pb::CatalogProductState::InWms,
        ProductState::ChangedSince => pb::CatalogProductState::Changed,
        ProductState::Rejected => pb::CatalogProductState::Rejected,
        ProductState::FilteredOut => pb::CatalogProductState::FilteredOut,
    }
}
