//! Every bus adapter, opened fresh for one test.

use std::sync::Arc;

use platform_bus::{Bus, EmbeddedBus, EmbeddedBusConfig, NatsBus, NatsBusConfig};

/// A bus under test and what keeps it alive (a temp folder or a stream to delete).
#[derive(Debug)]
pub struct TestBus {
    pub name: &'static str,
    pub bus: Arc<dyn Bus>,
    nats: Option<NatsBus>,
    _dir: Option<tempfile::TempDir>,
}

impl TestBus {
    pub async fn embedded() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bus.db");
        let bus = EmbeddedBus::open(&path.display().to_string(), EmbeddedBusConfig::default())
            .await
            .expect("embedded bus opens");
        Self {
            name: "embedded",
            bus: Arc::new(bus),
            nats: None,
            _dir: Some(dir),
        }
    }

    /// `None` only outside CI when `NATS_URL` is unset (test_support says so).
    pub async fn nats(test: &str) -> Option<Self> {
        let url = test_support::nats_url(test).await?;
        let prefix = test_support::unique("trace");
        let config = NatsBusConfig::new(url, prefix.to_uppercase(), prefix);
        let bus = NatsBus::connect(config).await.expect("nats bus connects");
        Some(Self {
            name: "nats",
            bus: Arc::new(bus.clone()),
            nats: Some(bus),
            _dir: None,
        })
    }

    /// Deletes the test's stream (NATS keeps streams between runs).
    pub async fn finish(self) {
        if let Some(nats) = self.nats {
            nats.delete_stream().await.expect("test stream deleted");
        }
    }
}
