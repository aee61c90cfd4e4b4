//! Both gateways over both simulators (Ongoing as the WMS) in one embedded runtime, ready to
//! be called: what the ports contract suites start for their gRPC side.

use std::sync::Arc;
use std::time::Duration;

use centra_gateway::CentraGateway;
use ongoing_gateway::OngoingGateway;
use platform_runtime::GrpcChannel;
use proto::centra::v1 as centra;
use proto::centra::v1::centra_gateway_client::CentraGatewayClient;
use proto::wms::v1 as wms;
use proto::wms::v1::wms_gateway_client::WmsGatewayClient;

use crate::e2e::{Sims, wait_for};
use crate::runtime::{RunningApp, Shape};

/// The end-point the simulators' default settings name.
pub const ENDPOINT: &str = "shop1";
/// The warehouse of the simulators' default settings.
pub const WAREHOUSE: &str = "sandbox";

/// The simulators and the runtime with both gateways.
#[allow(missing_debug_implementations)] // the simulators' handles print nothing useful
pub struct Gateways {
    pub sims: Sims,
    pub app: RunningApp,
}

impl Gateways {
    /// Starts everything for `test` with `products` (size rows) in centra-sim and returns
    /// once both gateways answer `TestConnection`.
    pub async fn start(test: &str, products: Vec<serde_json::Value>) -> Self {
        let sims = Sims::start().await;
        if !products.is_empty() {
            sims.seed_products(products).await;
        }
        let config = sims.config("1s", "");
        let app = RunningApp::start(
            Shape::Embedded,
            config,
            vec![Arc::new(CentraGateway), Arc::new(OngoingGateway)],
            test,
        )
        .await
        .expect("embedded runtime");
        let gateways = Self { sims, app };
        let centra_client = CentraGatewayClient::new(gateways.centra());
        let wms_client = WmsGatewayClient::new(gateways.wms());
        wait_for("both gateways serving", Duration::from_secs(60), || {
            let (mut centra_client, mut wms_client) = (centra_client.clone(), wms_client.clone());
            gateways.app.assert_running();
            async move {
                let centra = centra_client
                    .test_connection(centra::TestConnectionRequest {
                        endpoint: ENDPOINT.to_owned(),
                        ..Default::default()
                    })
                    .await;
                let wms = wms_client
                    .test_connection(wms::TestConnectionRequest {
                        warehouse: WAREHOUSE.to_owned(),
                    })
                    .await;
                centra.is_ok() && wms.is_ok()
            }
        })
        .await;
        gateways
    }

    /// A channel to centra-gateway.
    pub fn centra(&self) -> GrpcChannel {
        self.app.channel("centra-gateway")
    }

    /// A channel to the WMS gateway.
    pub fn wms(&self) -> GrpcChannel {
        self.app.channel("ongoing-gateway")
    }
}
