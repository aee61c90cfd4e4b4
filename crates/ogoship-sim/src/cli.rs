//! Command-line flags, shared by this crate's binary and any command that embeds the simulator
//! (it can `#[command(flatten)]` [`SimArgs`] and call [`run`]).

use tokio::net::TcpListener;

use crate::error::SimError;
use crate::server::{OgoshipSim, shutdown_signal};

/// `--addr --client-id --client-secret --merchant-id --merchant-secret --shipping-codes`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "OGOSHIP_SIM_ADDR", default_value = "127.0.0.1:8083")]
    pub addr: String,
    /// OAuth client_id.
    #[arg(long, default_value = "123456")]
    pub client_id: String,
    /// OAuth client_secret.
    #[arg(long, default_value = "abcdef")]
    pub client_secret: String,
    /// Merchant ID (the password grant's `username`).
    #[arg(long, default_value = "sandbox-merchant")]
    pub merchant_id: String,
    /// Merchant secret token (the password grant's `password`).
    #[arg(long, default_value = "sandbox-secret")]
    pub merchant_secret: String,
    /// Shipping methods the merchant has enabled, comma-separated (empty: accept any).
    #[arg(long, value_delimiter = ',', default_values_t = crate::config::default_shipping_codes())]
    pub shipping_codes: Vec<String>,
}

impl SimArgs {
    pub fn simulator(&self) -> OgoshipSim {
        OgoshipSim::builder()
            .client(self.client_id.clone(), self.client_secret.clone())
            .merchant(self.merchant_id.clone(), self.merchant_secret.clone())
            .shipping_codes(
                self.shipping_codes
                    .iter()
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect(),
            )
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
    tracing::info!(%addr, merchant_id = %args.merchant_id, "ogoship simulator ready");
    args.simulator().serve(listener, shutdown).await
}
