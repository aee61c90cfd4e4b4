//! The two shapes a bench measures the same thing in, behind one start and one stop: the
//! embedded runtime in the bench process ([`App`], SQLite bus and stores in a temporary
//! folder) or the distributed shape's six processes over NATS and PostgreSQL ([`Deployment`]).
//!
//! A bench that takes `--shapes embedded,distributed` runs each of its runs once per shape
//! against fresh simulators, so both shapes' rows come from the same code.

use centra_wms_tests::e2e::Sims;
use platform_config::AppConfig;

use super::deployment::Deployment;
use super::process::{Settings, binary};
use super::{App, arg, config, with_rate};

/// Where the services run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One runtime in the bench process (`Adapters::embedded`).
    Embedded,
    /// Six `centra-wms serve` processes over NATS JetStream and PostgreSQL.
    Distributed,
}

impl Shape {
    /// What the tables call it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Embedded => "embedded",
            Self::Distributed => "distributed",
        }
    }

    /// `--shapes embedded,distributed` (the default: both, embedded first).
    ///
    /// # Panics
    /// On a name that is neither: a typo must not quietly measure one shape only.
    pub fn from_args() -> Vec<Self> {
        let given: String = arg("shapes", "embedded,distributed".to_owned());
        given
            .split(',')
            .map(|name| match name.trim() {
                "embedded" => Self::Embedded,
                "distributed" => Self::Distributed,
                other => panic!("--shapes: {other:?} is neither embedded nor distributed"),
            })
            .collect()
    }
}

/// The services running in one shape.
pub enum Running {
    Embedded {
        app: App,
        config: AppConfig,
        /// The SQLite files; removed when the run ends.
        _dir: tempfile::TempDir,
    },
    Distributed(Deployment),
}

impl Running {
    /// Starts every service in `shape` with `settings` and waits until each one serves (the
    /// distributed shape: every process answers `/readyz`). `test` names the distributed
    /// shape's database and stream prefix.
    ///
    /// # Panics
    /// When a service does not start, or the distributed shape lacks `NATS_URL` or
    /// `DATABASE_URL` (see [`Deployment::start`]).
    pub async fn start(shape: Shape, sims: &Sims, settings: &Settings<'_>, test: &str) -> Self {
        match shape {
            Shape::Embedded => {
                let mut config = config(sims, settings.sync_interval, settings.extra);
                if let Some(rps) = settings.requests_per_second {
                    config = with_rate(config, rps);
                }
                let dir = tempfile::tempdir().expect("tempdir");
                let app = App::start(&config, dir.path()).await;
                Self::Embedded {
                    app,
                    config,
                    _dir: dir,
                }
            }
            Shape::Distributed => {
                let mut deployment = Deployment::start(&binary(), sims, settings, test).await;
                deployment.ready().await;
                Self::Distributed(deployment)
            }
        }
    }

    /// What the services read (the webhook receivers' addresses, for the simulators).
    pub fn config(&self) -> &AppConfig {
        match self {
            Self::Embedded { config, .. } => config,
            Self::Distributed(deployment) => &deployment.config,
        }
    }

    /// Fails the bench when a process of the distributed shape stopped (the embedded runtime
    /// fails its own task instead).
    pub fn assert_running(&mut self) {
        if let Self::Distributed(deployment) = self {
            deployment.assert_running();
        }
    }

    /// Stops every service; the distributed shape's stream and database are removed.
    pub async fn stop(self) {
        match self {
            Self::Embedded { app, .. } => app.stop().await,
            Self::Distributed(deployment) => deployment.remove().await,
        }
    }
}
