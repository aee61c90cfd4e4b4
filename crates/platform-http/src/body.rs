//! Reading an answer's body with a size bound: an upstream (or something pretending to be one)
//! that answers with gigabytes must cost one refused call, not the process's memory.
//!
//! Every gateway reads answers through [`read_limited`]; what "too large" means for a record
//! (a terminal bad payload) each gateway says in its own error type.

/// The bound the gateways use unless their settings say otherwise: far above any page the
/// APIs document (Centra's largest pages and Ongoing's inventory list stay in single MiBs).
pub const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The answer went past the bound; what was read is dropped. Terminal for this answer:
    /// asking again gets the same body.
    #[error("answer larger than {max} bytes")]
    TooLarge { max: usize },
    /// The connection failed while the body was read. Retryable.
    #[error("reading the answer: {0}")]
    Transport(#[source] reqwest::Error),
}

/// The whole body of `response`, refused as soon as it passes `max` bytes (a `Content-Length`
/// above it is refused before anything is read).
///
/// # Errors
/// [`BodyError::TooLarge`] past `max`; [`BodyError::Transport`] when the connection fails.
pub async fn read_limited(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > max as u64)
    {
        return Err(BodyError::TooLarge { max });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > max {
            return Err(BodyError::TooLarge { max });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-shot HTTP server answering `body`, chunked (no length) or with its length.
    async fn serve(body: Vec<u8>, chunked: bool) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("accept");
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await;
            let head = if chunked {
                "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_owned()
            } else {
                format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len())
            };
            let _ = socket.write_all(head.as_bytes()).await;
            if chunked {
                for part in body.chunks(1000) {
                    let _ = socket
                        .write_all(format!("{:x}\r\n", part.len()).as_bytes())
                        .await;
                    let _ = socket.write_all(part).await;
                    let _ = socket.write_all(b"\r\n").await;
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            } else {
                let _ = socket.write_all(&body).await;
            }
        });
        format!("http://{address}/")
    }

    async fn read(body: Vec<u8>, chunked: bool, max: usize) -> Result<Vec<u8>, BodyError> {
        let url = serve(body, chunked).await;
        let response = reqwest::get(url).await.expect("answer");
        read_limited(response, max).await
    }

    #[tokio::test]
    async fn a_body_within_the_bound_is_read_whole() {
        for chunked in [false, true] {
            let body = vec![b'x'; 5000];
            assert_eq!(read(body.clone(), chunked, 5000).await.expect("read"), body);
        }
    }

    #[tokio::test]
    async fn a_body_past_the_bound_is_refused_with_or_without_a_length() {
        for chunked in [false, true] {
            let error = read(vec![b'x'; 5001], chunked, 5000)
                .await
                .expect_err("too large");
            assert!(
                matches!(error, BodyError::TooLarge { max: 5000 }),
                "{chunked}: {error}"
            );
        }
    }
}
