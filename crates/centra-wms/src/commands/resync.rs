//! `resync FLOW [--since TIME] [--id ID]`: runs one flow again from the source of truth, over
//! the admin service of the service that owns it. Each rpc bypasses stale mappings and is
//! idempotent, so running the command twice is safe.
//!
//! ```text
//! articles (catalog)  catalog-sync  CatalogAdmin.Reconcile   every article; no --id, --since
//! shipments           order-sync    OrderAdmin.Resync        --id SHIPMENT_ID (required)
//! stock               stock-sync    StockAdmin.Reconcile     --id ARTICLE_NUMBER (optional)
//! returns             returns-sync  ReturnsAdmin.Resync      --since TIME, --id ORDER_NUMBER
//! ```
//!
//! A flow whose service serves no admin rpc in this build is reported as not available
//! (exit 1); an option the flow does not take is bad usage (exit 2).

use anyhow::anyhow;
use proto::admin::v1 as pb;
use proto::admin::v1::catalog_admin_client::CatalogAdminClient;
use proto::admin::v1::order_admin_client::OrderAdminClient;
use proto::admin::v1::returns_admin_client::ReturnsAdminClient;
use proto::admin::v1::stock_admin_client::StockAdminClient;
use serde_json::json;
use tonic::{Code, Status};

use super::Failure;
use super::remote::{Remote, RemoteArgs, not_running, print_json};

/// The flows `resync` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResyncFlow {
    /// Every WMS article compared with Centra, the differences written (catalog-sync).
    #[value(alias = "catalog")]
    Articles,
    /// One shipment re-read from Centra and written to the WMS again (order-sync; --id).
    Shipments,
    /// WMS stock reconciled to Centra (stock-sync; --id limits it to one article).
    Stock,
    /// Returns re-read from the WMS and sent to Centra (returns-sync; --since, --id order).
    Returns,
}

impl ResyncFlow {
    fn name(self) -> &'static str {
        match self {
            Self::Articles => "articles",
            Self::Shipments => "shipments",
            Self::Stock => "stock",
            Self::Returns => "returns",
        }
    }

    /// The service that owns the flow and its admin rpc.
    fn owner(self) -> (&'static str, &'static str) {
        match self {
            Self::Articles => ("catalog-sync", "CatalogAdmin"),
            Self::Shipments => ("order-sync", "OrderAdmin"),
            Self::Stock => ("stock-sync", "StockAdmin"),
            Self::Returns => ("returns-sync", "ReturnsAdmin"),
        }
    }
}

/// What `resync` was asked.
#[derive(Debug, Clone)]
pub struct ResyncRequest {
    pub flow: ResyncFlow,
    pub since: Option<prost_types::Timestamp>,
    pub id: Option<String>,
    pub endpoint: Option<String>,
}

/// `--since` as RFC 3339 (e.g. `2026-11-24T08:00:00Z`).
pub fn parse_since(text: &str) -> Result<prost_types::Timestamp, String> {
    text.parse::<prost_types::Timestamp>()
        .map_err(|_| format!("{text:?} is not an RFC 3339 time, e.g. 2026-11-24T08:00:00Z"))
}

/// Bad usage when the flow does not take an option that was given (or needs one missing).
pub fn check_options(request: &ResyncRequest) -> Result<(), Failure> {
    let flow = request.flow.name();
    let refuse = |option: &str| {
        Failure::usage(anyhow!(
            "resync {flow} takes no {option}: --since applies to returns; --id to shipments \
             (shipment id, required), stock (article number) and returns (order number); \
             --endpoint to shipments; articles takes none"
        ))
    };
    match request.flow {
        ResyncFlow::Articles if request.id.is_some() => Err(refuse("--id")),
        ResyncFlow::Articles | ResyncFlow::Shipments | ResyncFlow::Stock
            if request.since.is_some() =>
        {
            Err(refuse("--since"))
        }
        ResyncFlow::Shipments if request.id.is_none() => Err(Failure::usage(anyhow!(
            "resync shipments needs --id SHIPMENT_ID (the centra shipment to write again)"
        ))),
        ResyncFlow::Articles | ResyncFlow::Stock | ResyncFlow::Returns
            if request.endpoint.is_some() =>
        {
            Err(refuse("--endpoint"))
        }
        _ => Ok(()),
    }
}

pub async fn run(remote: &RemoteArgs, request: ResyncRequest) -> Result<(), Failure> {
    check_options(&request)?;
    let target = Remote::connect(remote)?;
    let (service, _) = request.flow.owner();
    let channel = target.channel(service)?;
    let id = request.id.clone().unwrap_or_default();
    let call = match request.flow {
        ResyncFlow::Articles => CatalogAdminClient::new(channel)
            .reconcile(pb::ReconcileCatalogRequest { dry_run: false })
            .await
            .map(|r| {
                let r = r.into_inner();
                let text = format!(
                    "articles resynced: {} checked against {} articles in the wms ({} missing \
                     there, {} different), {} written to the wms",
                    r.checked, r.wms_articles, r.missing_in_wms, r.differing_in_wms, r.queued
                );
                (
                    json!({"checked": r.checked, "written": r.queued,
                           "wms_articles": r.wms_articles, "missing_in_wms": r.missing_in_wms,
                           "differing_in_wms": r.differing_in_wms}),
                    text,
                )
            }),
        ResyncFlow::Shipments => {
            let endpoint = target.endpoint_or_only(request.endpoint.clone())?;
            OrderAdminClient::new(channel)
                .resync(pb::ResyncOrderRequest {
                    key: super::shipments::shipment_key(&endpoint, &id),
                })
                .await
                .map(|r| {
                    let state = super::shipments::state_name(r.into_inner().state);
                    let text = format!(
                        "shipment {id} on {endpoint} written to the wms again (state {state})"
                    );
                    (
                        json!({"endpoint": endpoint, "shipment_id": id, "state": state}),
                        text,
                    )
                })
        }
        ResyncFlow::Stock => StockAdminClient::new(channel)
            .reconcile(pb::ReconcileStockRequest {
                article_numbers: request.id.clone().into_iter().collect(),
                ..Default::default()
            })
            .await
            .map(|r| {
                let r = r.into_inner();
                let text = format!(
                    "stock resynced: {} articles checked, {} updates sent, {} unchanged, {} failed",
                    r.articles_checked, r.updates_sent, r.unchanged, r.failed
                );
                (
                    json!({"articles_checked": r.articles_checked, "updates_sent": r.updates_sent,
                           "unchanged": r.unchanged, "failed": r.failed}),
                    text,
                )
            }),
        ResyncFlow::Returns => ReturnsAdminClient::new(channel)
            .resync(pb::ResyncReturnsRequest {
                since: request.since,
                order_number: id.clone(),
                ..Default::default()
            })
            .await
            .map(|r| {
                let r = r.into_inner();
                let text = format!(
                    "returns resynced: {} found, {} queued for centra",
                    r.returns_found, r.queued
                );
                (
                    json!({"returns_found": r.returns_found, "queued": r.queued}),
                    text,
                )
            }),
    };
    let (mut answer, text) = match call {
        Ok(done) => done,
        Err(status) => return Err(failure(&target, request.flow, &status).await),
    };
    if remote.json {
        if let Some(fields) = answer.as_object_mut() {
            fields.insert("flow".to_owned(), json!(request.flow.name()));
            fields.insert("service".to_owned(), json!(service));
        }
        print_json(&answer);
    } else {
        println!("{text}");
    }
    Ok(())
}

/// A failed call as one line; a service that serves no admin rpc in this build says so.
async fn failure(target: &Remote, flow: ResyncFlow, status: &Status) -> Failure {
    let (service, rpc) = flow.owner();
    let unserved = status.code() == Code::Unimplemented
        || (not_running(status) && target.another_answers(service).await);
    if unserved {
        return Failure::runtime(anyhow!(
            "flow {} is not available in this build: {service} serves no {rpc} (the other \
             services answer); see `centra-wms resync --help` for the flows that are",
            flow.name()
        ));
    }
    target.failure(service, rpc, status.clone()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(flow: ResyncFlow, since: bool, id: bool) -> ResyncRequest {
        ResyncRequest {
            flow,
            since: since.then(|| parse_since("2026-11-24T08:00:00Z").expect("a time")),
            id: id.then(|| "42".to_owned()),
            endpoint: None,
        }
    }

    #[test]
    fn each_flow_takes_only_its_options() {
        use ResyncFlow::*;
        assert!(check_options(&request(Articles, false, false)).is_ok());
        assert!(check_options(&request(Shipments, false, true)).is_ok());
        assert!(check_options(&request(Stock, false, true)).is_ok());
        assert!(check_options(&request(Returns, true, true)).is_ok());
        for (flow, since, id) in [
            (Articles, false, true),
            (Articles, true, false),
            (Shipments, true, true),
            (Shipments, false, false),
            (Stock, true, false),
        ] {
            let failure = check_options(&request(flow, since, id)).expect_err("bad usage");
            assert_eq!(failure.code, super::super::EXIT_USAGE, "{flow:?}");
        }
        let with_endpoint = ResyncRequest {
            endpoint: Some("shop1".to_owned()),
            ..request(Stock, false, false)
        };
        let failure = check_options(&with_endpoint).expect_err("bad usage");
        assert!(
            failure
                .error
                .to_string()
                .contains("--endpoint to shipments")
        );
        let failure = check_options(&request(Articles, true, false)).expect_err("bad usage");
        assert!(
            failure
                .error
                .to_string()
                .contains("--since applies to returns")
        );
    }

    #[test]
    fn since_is_rfc_3339() {
        assert_eq!(
            parse_since("2026-11-24T08:00:00Z").map(|t| t.seconds),
            Ok(1_795_507_200)
        );
        let error = parse_since("yesterday").expect_err("not a time");
        assert!(error.contains("RFC 3339"), "{error}");
    }
}
