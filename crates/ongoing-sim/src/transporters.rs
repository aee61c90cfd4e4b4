//! `GET /transporterContracts`: the transporters and services the goods owner may use.
//! Defaults follow the official example response (DB Schenker and PostNord).

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use serde::Serialize;

use crate::error::ApiError;
use crate::query::QueryParams;
use crate::state::Sim;

/// One transporter contract as `GET /transporterContracts` lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransporterContractModel {
    pub edi_code: String,
    pub transporter_name: String,
    pub transporter_code: String,
    pub transporter_service_code: String,
    pub transporter_services: Vec<TransporterServiceModel>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransporterServiceModel {
    pub transporter_service_name: String,
    pub transporter_service_code: String,
}

pub(crate) fn default_contracts() -> Vec<TransporterContractModel> {
    let contract = |name: &str, code: &str, services: &[(&str, &str)]| TransporterContractModel {
        edi_code: String::new(),
        transporter_name: name.to_owned(),
        transporter_code: code.to_owned(),
        transporter_service_code: String::new(),
        transporter_services: services
            .iter()
            .map(|(service_name, service_code)| TransporterServiceModel {
                transporter_service_name: (*service_name).to_owned(),
                transporter_service_code: (*service_code).to_owned(),
            })
            .collect(),
    };
    vec![
        contract(
            "DB Schenker",
            "SBTL",
            &[
                ("DB SCHENKERdirect", "BDI"),
                ("DB SCHENKERparcel", "BPA"),
                ("DB SCHENKERsystem", "BCF"),
            ],
        ),
        contract(
            "PostNord Sweden AB",
            "PLAB",
            &[
                ("PostNord Groupage", "P83"),
                ("PostNord MyPack Collect", "P19"),
                ("PostNord Pallet", "P52"),
                ("PostNord Parcel (Nordic)", "P18"),
                ("PostNord Return Drop Off (within Sweden)", "P24"),
            ],
        ),
    ]
}

/// `(transporterName, serviceName)` for a code pair, as the order read model shows them.
pub(crate) fn describe(
    contracts: &[TransporterContractModel],
    code: &str,
    service_code: Option<&str>,
) -> (Option<String>, Option<String>) {
    let Some(contract) = contracts.iter().find(|c| c.transporter_code == code) else {
        return (None, None);
    };
    let service = service_code.and_then(|wanted| {
        contract
            .transporter_services
            .iter()
            .find(|s| s.transporter_service_code == wanted)
            .map(|s| s.transporter_service_name.clone())
    });
    (Some(contract.transporter_name.clone()), service)
}

pub(crate) async fn list(
    State(sim): State<Arc<Sim>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<TransporterContractModel>>, ApiError> {
    let query = QueryParams::parse(raw.as_deref());
    sim.check_goods_owner(query.goods_owner_id()?)?;
    Ok(Json(sim.config.transporter_contracts.clone()))
}
