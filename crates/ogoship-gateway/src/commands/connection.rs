//! `TestConnection`: a token grant (or the cached token) and `GET /products?limit=1`.
//! OGOship has no goods owner id: `goods_owner_id` is 0.

use proto::wms::v1::TestConnectionResponse;

use crate::client::OgoshipClient;

pub async fn test(client: &OgoshipClient) -> TestConnectionResponse {
    match client.probe().await {
        Ok(()) => TestConnectionResponse {
            ok: true,
            message: format!(
                "credentials accepted by OGOship for warehouse {}",
                client.warehouse()
            ),
            goods_owner_id: 0,
        },
        Err(error) => TestConnectionResponse {
            ok: false,
            message: error.to_string(),
            goods_owner_id: 0,
        },
    }
}
