//! `test-connection`: checks what the settings will ask of each system, one line per check;
//! any failure exits 1.
//!
//! - Centra, per end-point: one line per Order API end-point group the enabled flows need
//!   ([`domain::groups_needed`]), each checked by centra-gateway with a harmless read; a refused
//!   group names the plugin setting to change. Through the GraphQL Integration API the line
//!   also checks the write permissions those flows need and the token's expiry
//!   (`token_expires_on`). The end-point's role, and whether it is the catalog end-point, are
//!   part of its name.
//! - The WMS: credentials and goods owner (ongoing-gateway `TestConnection`), then the
//!   transporter contracts the shipping-method mapping names: a mapping to a transporter the
//!   WMS does not have fails here, not at the first shipment.

use anyhow::anyhow;
use domain::{CentraEndpoint, EndpointGroup, GroupNeed, Settings, TransporterContract};
use proto::centra::v1::EndpointGroup as ProtoGroup;
use proto::centra::v1::TestConnectionRequest as CentraCheck;
use proto::centra::v1::centra_gateway_client::CentraGatewayClient;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;
use proto::wms::v1::{ListTransporterContractsRequest, TestConnectionRequest as WmsCheck};
use serde_json::json;

use super::Failure;
use super::remote::{Remote, RemoteArgs, print_json};

/// The outcome of one check.
#[derive(Debug)]
pub(crate) struct Check {
    pub system: &'static str,
    pub name: String,
    pub ok: bool,
    pub message: String,
}

pub async fn run(remote: &RemoteArgs) -> Result<(), Failure> {
    let target = Remote::connect(remote)?;
    let checks = checks(&target).await?;
    if remote.json {
        print_json(&json!(
            checks
                .iter()
                .map(|c| json!({
                    "system": c.system,
                    "name": c.name,
                    "ok": c.ok,
                    "message": c.message,
                }))
                .collect::<Vec<_>>()
        ));
    } else {
        for c in &checks {
            let verdict = if c.ok { "ok  " } else { "FAIL" };
            println!("{verdict} {} {}: {}", c.system, c.name, c.message);
        }
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    if failed == 0 {
        Ok(())
    } else {
        Err(Failure::runtime(anyhow!(
            "{failed} of {} connection checks failed",
            checks.len()
        )))
    }
}

/// Every check, in the order printed (the admin web page's Test button runs the same).
///
/// # Errors
/// A [`Failure`] when a gateway has no address in the settings; a gateway that does not
/// answer is a failed check instead.
pub(crate) async fn checks(target: &Remote) -> Result<Vec<Check>, Failure> {
    let settings = &target.config.settings;
    let mut checks = Vec::new();

    let mut centra = CentraGatewayClient::new(target.channel("centra-gateway")?);
    for endpoint in &settings.endpoints {
        let needs = domain::groups_needed(settings, endpoint);
        let label = endpoint_label(settings, endpoint);
        let answer = centra
            .test_connection(CentraCheck {
                endpoint: endpoint.name.to_string(),
                groups: needs.iter().map(|n| proto_group(n.group) as i32).collect(),
                flows: needs
                    .iter()
                    .flat_map(|n| n.needed_by.iter().map(|flow| (*flow).to_owned()))
                    .collect(),
            })
            .await;
        match answer {
            Ok(answer) => {
                let answer = answer.into_inner();
                if answer.groups.len() == needs.len() {
                    for (need, group) in needs.iter().zip(answer.groups) {
                        checks.push(group_check(&label, need, group.ok, &group.message));
                    }
                } else {
                    // A gateway that predates group checks answers for the end-point only.
                    checks.push(check(
                        "centra",
                        label,
                        false,
                        format!(
                            "centra-gateway answered {} group checks for {} groups ({}); \
                             update centra-gateway",
                            answer.groups.len(),
                            needs.len(),
                            answer.message
                        ),
                    ));
                }
            }
            Err(status) => {
                let line = target
                    .explain("centra-gateway", "CentraGateway", &status)
                    .await;
                for need in &needs {
                    checks.push(group_check(&label, need, false, &line));
                }
            }
        }
    }

    let gateway = target.config.wms.kind().gateway();
    let mut wms = WmsGatewayClient::new(target.channel(platform_runtime::WMS_GATEWAY)?);
    let warehouse = target.config.wms.warehouse.clone();
    let answer = wms
        .test_connection(WmsCheck {
            warehouse: warehouse.clone(),
        })
        .await;
    let wms_answers = match answer {
        Ok(answer) => {
            let answer = answer.into_inner();
            let ok = answer.ok;
            checks.push(check("wms", warehouse.clone(), ok, answer.message));
            ok
        }
        Err(status) => {
            let line = target.explain(gateway, "WmsGateway", &status).await;
            checks.push(check("wms", warehouse.clone(), false, line));
            false
        }
    };
    let name = format!("{warehouse} transporters");
    let mapped = !settings.shipping_methods.is_empty() || settings.default_transporter.is_some();
    if !mapped {
        checks.push(check(
            "wms",
            name,
            true,
            "no shipping-method mapping names a transporter: the warehouse chooses".into(),
        ));
    } else if wms_answers {
        let answer = wms
            .list_transporter_contracts(ListTransporterContractsRequest {
                warehouse: warehouse.clone(),
            })
            .await;
        match answer {
            Ok(answer) => {
                let contracts: Vec<TransporterContract> = answer
                    .into_inner()
                    .contracts
                    .into_iter()
                    .map(|c| TransporterContract {
                        transporter_code: c.transporter_code,
                        service_codes: c.services.into_iter().map(|s| s.code).collect(),
                    })
                    .collect();
                checks.extend(transporter_checks(settings, &contracts, &name));
            }
            Err(status) => {
                let line = target.explain(gateway, "WmsGateway", &status).await;
                checks.push(check("wms", name, false, line));
            }
        }
    } else {
        checks.push(check(
            "wms",
            name,
            false,
            "not checked: the WMS connection failed".into(),
        ));
    }

    Ok(checks)
}

/// `shop2 (wholesale, catalog)`: the name, the role, and whether articles and stock sync here.
fn endpoint_label(settings: &Settings, endpoint: &CentraEndpoint) -> String {
    let catalog = settings.catalog_endpoint.as_ref() == Some(&endpoint.name);
    format!(
        "{} ({}{})",
        endpoint.name,
        endpoint.role.as_str(),
        if catalog { ", catalog" } else { "" }
    )
}

fn group_check(label: &str, need: &GroupNeed, ok: bool, message: &str) -> Check {
    check(
        "centra",
        format!("{label} {}", need.group),
        ok,
        format!("{message} (needed by {})", need.needed_by.join(", ")),
    )
}

/// One line when every mapped transporter is a WMS contract, else one line per mapping that
/// names one the WMS lacks.
fn transporter_checks(
    settings: &Settings,
    contracts: &[TransporterContract],
    name: &str,
) -> Vec<Check> {
    let unknown = domain::unknown_transporters(
        &settings.shipping_methods,
        settings.default_transporter.as_ref(),
        contracts,
    );
    if unknown.is_empty() {
        let mut named: Vec<String> = settings
            .shipping_methods
            .iter()
            .map(|m| m.transporter())
            .chain(settings.default_transporter.clone())
            .map(|t| match t.transporter_service_code {
                Some(service) => format!("{}/{service}", t.transporter_code),
                None => t.transporter_code,
            })
            .collect();
        named.sort();
        named.dedup();
        return vec![check(
            "wms",
            name.to_owned(),
            true,
            format!(
                "every transporter the shipping-method mapping names is a WMS contract: {}",
                named.join(", ")
            ),
        )];
    }
    unknown
        .into_iter()
        .map(|u| {
            check(
                "wms",
                name.to_owned(),
                false,
                format!(
                    "settings.{}: {}; add the contract in the WMS or change the mapping",
                    u.setting, u.problem
                ),
            )
        })
        .collect()
}

fn proto_group(group: EndpointGroup) -> ProtoGroup {
    match group {
        EndpointGroup::OrderAndShipment => ProtoGroup::OrderAndShipment,
        EndpointGroup::ProductAndStock => ProtoGroup::ProductAndStock,
        EndpointGroup::SupplierDeliveries => ProtoGroup::SupplierDeliveries,
        EndpointGroup::Returns => ProtoGroup::Returns,
    }
}

fn check(system: &'static str, name: String, ok: bool, message: String) -> Check {
    Check {
        system,
        name,
        ok,
        message,
    }
}
