//! The admin web page's wiring: the service with the connection test it runs (the one
//! `test-connection` runs), bound early in the embedded shape so the address is printed; and
//! `admin-web hash-password`, which makes `[admin_web] password_hash`.

use std::io::BufRead as _;
use std::sync::Arc;

use admin_web::{AdminWeb, CheckLine, ConnectionTest};
use anyhow::anyhow;
use async_trait::async_trait;
use platform_config::AppConfig;
use platform_runtime::ServiceDirectory;

use super::Failure;
use super::remote::Remote;
use super::test_connection;

/// `test-connection`'s checks, over the running process's directory.
#[derive(Debug)]
struct TestConnection;

#[async_trait]
impl ConnectionTest for TestConnection {
    async fn run(&self, config: &AppConfig, directory: &ServiceDirectory) -> Vec<CheckLine> {
        let target = Remote::over(config.clone(), directory.clone());
        match test_connection::checks(&target).await {
            Ok(checks) => checks
                .into_iter()
                .map(|c| CheckLine {
                    ok: c.ok,
                    system: c.system.to_owned(),
                    name: c.name,
                    message: c.message,
                })
                .collect(),
            Err(failure) => vec![CheckLine {
                ok: false,
                system: "centra-wms".to_owned(),
                name: "settings".to_owned(),
                message: format!("{:#}", failure.error),
            }],
        }
    }
}

/// The page as a service (distributed: `serve admin-web` binds `[admin_web] listen`).
pub fn service() -> AdminWeb {
    AdminWeb::new(Arc::new(TestConnection))
}

/// The page for the embedded runtime when `[admin_web] enabled`: bound now, so the address is
/// printed with the banner. A taken address (another `run` or `sandbox` on this machine) is
/// said on stderr and the rest runs without the page.
pub fn embedded(config: &AppConfig) -> Option<AdminWeb> {
    let settings = &config.admin_web;
    if !settings.enabled {
        return None;
    }
    match std::net::TcpListener::bind(settings.listen) {
        Ok(listener) => {
            let address = listener.local_addr().unwrap_or(settings.listen);
            let sign_in = if settings.password_hash.is_some() {
                format!("sign in as {}", settings.user)
            } else {
                "read-only: no admin_web.password_hash".to_owned()
            };
            println!("admin web page: http://{address}/ ({sign_in})");
            Some(service().on(listener))
        }
        Err(error) => {
            eprintln!(
                "warning: admin web page not started: cannot listen on {} ({error}); set \
                 admin_web.listen to a free address",
                settings.listen
            );
            None
        }
    }
}

/// `admin-web hash-password`: reads one line (the password) from standard input and prints
/// its argon2id hash for `[admin_web] password_hash`.
pub fn hash_password() -> Result<(), Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::runtime(anyhow!("cannot read the password from stdin: {e}")))?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        return Err(Failure::usage(anyhow!(
            "no password on standard input; e.g. `read -rs pw; printf '%s\\n' \"$pw\" | \
             centra-wms admin-web hash-password`"
        )));
    }
    let hash = admin_web::password::hash(password).map_err(Failure::runtime)?;
    println!("{hash}");
    Ok(())
}
