//! Command-line flags, shared by this crate's binary and `centra-wms sim ongoing` (which can
//! `#[command(flatten)]` [`SimArgs`] and call [`run`]).

use tokio::net::TcpListener;

use crate::error::SimError;
use crate::server::{OngoingSim, shutdown_signal};

/// `--addr --warehouse --user --password --goods-owner-id`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "ONGOING_SIM_ADDR", default_value = "127.0.0.1:8082")]
    pub addr: String,
    /// `{warehouse}` in `/{warehouse}/api/v1`.
    #[arg(long, default_value = "sandbox")]
    pub warehouse: String,
    /// API user (HTTP Basic).
    #[arg(long, default_value = "sandbox")]
    pub user: String,
    /// API password (HTTP Basic).
    #[arg(long, default_value = "sandbox")]
    pub password: String,
    /// The API user's goods owner.
    #[arg(long, default_value_t = 1)]
    pub goods_owner_id: i64,
}

impl SimArgs {
    pub fn simulator(&self) -> OngoingSim {
        OngoingSim::builder()
            .warehouse(self.warehouse.clone())
            .credentials(self.user.clone(), self.password.clone())
            .goods_owner_id(self.goods_owner_id)
            .build()
    }
}

/// Binds, prints exactly `listening on http://ADDR` once ready, serves until SIGTERM/Ctrl-C.
pub async fn run(args: SimArgs) -> Result<(), SimError> {
    let listener = TcpListener::bind(&args.addr)
        .await
        .map_err(|source| SimError::Bind {
            addr: args.addr.clone(),
            source,
        })?;
    let addr = listener.local_addr().map_err(SimError::LocalAddr)?;
    let shutdown = shutdown_signal();
    println!("listening on http://{addr}");
    tracing::info!(%addr, warehouse = %args.warehouse, goods_owner_id = args.goods_owner_id, "ongoing simulator ready");
    args.simulator().serve(listener, shutdown).await
}
