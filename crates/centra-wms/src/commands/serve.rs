//! `serve SERVICE`: one service as its own process (distributed shape); `admin-web` is the
//! admin web page.

use std::path::Path;
use std::sync::Arc;

use anyhow::anyhow;
use platform_config::AppConfig;
use platform_runtime::{ServeError, Service};

use super::Failure;
use crate::services;

pub async fn serve(name: &str, config: Option<&Path>) -> Result<(), Failure> {
    let service = if name == admin_web::NAME {
        Some(Arc::new(super::admin_web::service()) as Arc<dyn Service>)
    } else {
        services::by_name(name)
    };
    let service = service.ok_or_else(|| {
        Failure::usage(anyhow!(
            "no service named {name:?}; choose one of: {}, {}",
            services::names().join(", "),
            admin_web::NAME
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
