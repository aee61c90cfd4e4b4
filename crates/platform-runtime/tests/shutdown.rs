//! Shutdown: services get the grace period, and the error of a shutdown that had to abort
//! names the services still running then, not every service (an on-call engineer looks at
//! those).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use platform_config::AppConfig;
use platform_runtime::{
    Adapters, CancellationToken, Runtime, RuntimeError, Service, ServiceContext, ServiceError,
};

const CONFIG: &str = r#"
[settings]
centra_time_zone = "Europe/Stockholm"
[[settings.endpoints]]
name = "shop1"
base_url = "http://127.0.0.1:1/api/order-api"
secret = "s"
[wms]
base_url = "http://127.0.0.1:1"
warehouse = "sandbox"
user = "u"
password = "p"
goods_owner_id = 1
"#;

/// Stops when told.
#[derive(Debug)]
struct Prompt;

#[async_trait]
impl Service for Prompt {
    fn name(&self) -> &'static str {
        "prompt"
    }

    async fn run(&self, ctx: ServiceContext) -> Result<(), ServiceError> {
        ctx.shutdown.cancelled().await;
        Ok(())
    }
}

/// Never stops on its own.
#[derive(Debug)]
struct Stubborn;

#[async_trait]
impl Service for Stubborn {
    fn name(&self) -> &'static str {
        "stubborn"
    }

    async fn run(&self, _ctx: ServiceContext) -> Result<(), ServiceError> {
        std::future::pending().await
    }
}

#[tokio::test]
async fn an_aborted_shutdown_names_the_services_still_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Arc::new(AppConfig::from_toml_str(CONFIG).expect("config"));
    let adapters = Adapters::embedded(dir.path()).await.expect("adapters");
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(
        Runtime::new(config, adapters)
            .with_service(Prompt)
            .with_service(Stubborn)
            .with_grace(Duration::from_millis(200))
            .run(shutdown.clone()),
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("the runtime ends after its grace")
        .expect("runtime task");
    match stopped {
        Err(RuntimeError::ShutdownTimedOut { services, .. }) => {
            assert_eq!(services, ["stubborn"]);
        }
        other => panic!("expected a timed-out shutdown, got {other:?}"),
    }
}
