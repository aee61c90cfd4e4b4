//! `test-connection`: asks centra-gateway to check every configured Centra end-point and
//! ongoing-gateway to check the WMS, one line per check; any failure exits 1.

use anyhow::anyhow;
use proto::centra::v1::TestConnectionRequest as CentraCheck;
use proto::centra::v1::centra_gateway_client::CentraGatewayClient;
use proto::ongoing::v1::TestConnectionRequest as WmsCheck;
use proto::ongoing::v1::ongoing_gateway_client::OngoingGatewayClient;
use serde_json::json;

use super::Failure;
use super::remote::{Remote, RemoteArgs, print_json};

/// The outcome of one check.
#[derive(Debug)]
struct Check {
    system: &'static str,
    name: String,
    ok: bool,
    message: String,
}

pub async fn run(remote: &RemoteArgs) -> Result<(), Failure> {
    let target = Remote::connect(remote.config.as_deref())?;
    let mut checks = Vec::new();

    let mut centra = CentraGatewayClient::new(target.channel("centra-gateway")?);
    for endpoint in &target.config.settings.endpoints {
        let name = endpoint.name.to_string();
        let answer = centra
            .test_connection(CentraCheck {
                endpoint: name.clone(),
            })
            .await;
        checks.push(match answer {
            Ok(answer) => {
                let answer = answer.into_inner();
                check("centra", name, answer.ok, answer.message)
            }
            Err(status) => {
                let line = target
                    .explain("centra-gateway", "CentraGateway", &status)
                    .await;
                check("centra", name, false, line)
            }
        });
    }

    let mut wms = OngoingGatewayClient::new(target.channel("ongoing-gateway")?);
    let warehouse = target.config.wms.warehouse.clone();
    let answer = wms
        .test_connection(WmsCheck {
            warehouse: warehouse.clone(),
        })
        .await;
    checks.push(match answer {
        Ok(answer) => {
            let answer = answer.into_inner();
            check("wms", warehouse, answer.ok, answer.message)
        }
        Err(status) => {
            let line = target
                .explain("ongoing-gateway", "OngoingGateway", &status)
                .await;
            check("wms", warehouse, false, line)
        }
    });

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

fn check(system: &'static str, name: String, ok: bool, message: String) -> Check {
    Check {
        system,
        name,
        ok,
        message,
    }
}
