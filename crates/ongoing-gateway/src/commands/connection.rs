//! `TestConnection`: credentials, goods owner and reachability in one cheap read.

use proto::wms::v1::TestConnectionResponse;

use crate::client::OngoingClient;

pub async fn test(client: &OngoingClient) -> TestConnectionResponse {
    match client.probe().await {
        Ok(()) => TestConnectionResponse {
            ok: true,
            message: format!(
                "credentials accepted for goods owner {} at warehouse {}",
                client.goods_owner_id(),
                client.warehouse()
            ),
            goods_owner_id: client.goods_owner_id(),
        },
        Err(error) => TestConnectionResponse {
            ok: false,
            message: error.to_string(),
            goods_owner_id: client.goods_owner_id(),
        },
    }
}
