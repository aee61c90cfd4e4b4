//! `serve SERVICE`: one service as its own process (distributed shape).

use std::path::Path;

use anyhow::anyhow;
use platform_config::AppConfig;
use platform_runtime::ServeError;

use super::Failure;
use crate::services;

pub async fn serve(name: &str, config: Option<&Path>) -> Result<(), Failure> {
    let service = services::by_name(name).ok_or_else(|| {
        Failure::usage(anyhow!(
            "no service named {name:?}; choose one of: {}",
            services::names().join(", ")
        ))
    })?;
    let config = AppConfig::load(config).map_err(Failure::usage)?;
    platform_runtime::serve(service, config)
        .await
        .map_err(|error| match error {
            ServeError::Config(_) | ServeError::NotDistributed | ServeError::Missing { .. } => {
                Failure::usage(error)
            }
            other => Failure::runtime(other),
        })
}
