//! CreateReturn: `POST /return` or `createReturn`, made idempotent with a tag in the comment.

use proto::centra::v1::{CreateReturnRequest, CreateReturnResponse};

use super::{CommandError, Commands, RETURN_TAG, shipment_id};
use crate::connection::NewReturn;

impl Commands {
    /// Creates a return, or answers the one an earlier attempt with the same idempotency key
    /// created (`already_done`).
    pub async fn create_return(
        &self,
        request: CreateReturnRequest,
    ) -> Result<CreateReturnResponse, CommandError> {
        let connection = self.connection(&request.endpoint)?;
        let shipment = shipment_id("shipment_id", &request.shipment_id)?;
        let key = request.idempotency_key.trim();
        if key.is_empty() {
            return Err(CommandError::invalid(
                "idempotency_key",
                "is required: centra has no upsert for returns",
            ));
        }
        if request.lines.is_empty() {
            return Err(CommandError::invalid("lines", "is empty"));
        }
        let mut lines = Vec::with_capacity(request.lines.len());
        for (i, line) in request.lines.iter().enumerate() {
            if line.shipment_line_id.trim().is_empty() {
                return Err(CommandError::invalid(
                    format!("lines[{i}].shipment_line_id"),
                    "is empty",
                ));
            }
            if line.quantity <= 0 {
                return Err(CommandError::invalid(
                    format!("lines[{i}].quantity"),
                    format!("must be positive, is {}", line.quantity),
                ));
            }
            lines.push((line.shipment_line_id.trim().to_owned(), line.quantity));
        }
        let tag = format!("[{RETURN_TAG}{key}]");
        let comment = if request.comment.trim().is_empty() {
            tag.clone()
        } else {
            format!("{} {tag}", request.comment.trim())
        };
        let new = NewReturn {
            shipment_id: shipment,
            lines,
            comment,
            return_stock: request.return_stock,
        };
        let response = connection
            .with_retry(|| async {
                let existing = connection.returns_of(&shipment).await?;
                if let Some(found) = existing.into_iter().find(|r| r.comment.contains(&tag)) {
                    return Ok(CreateReturnResponse {
                        already_done: true,
                        return_id: found.return_id,
                        returned_line_ids: found.shipment_line_ids,
                    });
                }
                let created = connection.create_return_once(&new).await?;
                Ok(CreateReturnResponse {
                    already_done: false,
                    return_id: created.return_id,
                    returned_line_ids: created.shipment_line_ids,
                })
            })
            .await?;
        tracing::info!(endpoint = %connection.endpoint(), shipment_id = %shipment, return_id = %response.return_id, already_done = response.already_done, "return created");
        Ok(response)
    }
}
