//! How work under way when shutdown begins ends: it gets a bounded time more
//! ([`IN_FLIGHT_DRAIN`] in a service), then it is dropped.
//!
//! Why: a bus handler or a command may be waiting out a gateway's retries (a call that failed
//! four times in a row backs off for seconds) or a rate limit (a GraphQL mutation paced over
//! the hour), and the runtime aborts every service still running once its grace period has
//! passed, reporting the shutdown as failed. A service that drops its own late work first
//! stops cleanly within the grace. Dropping is what a crash does, which every handler already
//! survives: a delivery neither acked nor nakked comes again once its lease ends and the inbox
//! turns a repeat into a no-op; a command's caller sees the call fail, retryable, and tries
//! again.

use std::future::Future;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;
use tonic::body::Body;

/// How long work under way at shutdown may go on before it is dropped: two thirds of the
/// runtime's grace period ([`crate::Runtime`], 15 s), so the service stops within it.
pub const IN_FLIGHT_DRAIN: Duration = Duration::from_secs(10);

/// Runs `work` to its end, or, once `shutdown` is cancelled, for at most `drain` more: `None`
/// when it was dropped then.
pub async fn within_drain<F: Future>(
    work: F,
    shutdown: &CancellationToken,
    drain: Duration,
) -> Option<F::Output> {
    tokio::pin!(work);
    tokio::select! {
        biased;
        output = &mut work => return Some(output),
        () = shutdown.cancelled() => {}
    }
    tokio::time::timeout(drain, work).await.ok()
}

/// A layer for a gRPC server: each call still under way `drain` after `shutdown` is dropped
/// ([`within_drain`]) and answered UNAVAILABLE, so the server's graceful shutdown, which waits
/// for every call, ends; the caller calls again. A server's own task cannot do it by dropping
/// its serve future: every connection runs in a task of its own.
pub(crate) fn cut_after<Call, E>(
    shutdown: CancellationToken,
    drain: Duration,
) -> tower::util::MapFutureLayer<
    impl Fn(Call) -> BoxFuture<'static, Result<http::Response<Body>, E>> + Clone,
>
where
    Call: Future<Output = Result<http::Response<Body>, E>> + Send + 'static,
{
    tower::util::MapFutureLayer::new(move |call: Call| {
        let shutdown = shutdown.clone();
        Box::pin(async move {
            within_drain(call, &shutdown, drain)
                .await
                .unwrap_or_else(|| {
                    tracing::warn!("grpc call still under way after the shutdown's drain; dropped");
                    Ok(
                        tonic::Status::unavailable("the service is stopping; call again")
                            .into_http(),
                    )
                })
        }) as BoxFuture<'static, _>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn work_ends_or_is_dropped_a_drain_after_shutdown() {
        let shutdown = CancellationToken::new();
        let drain = Duration::from_secs(10);
        let quick = within_drain(async { 7 }, &shutdown, drain).await;
        assert_eq!(quick, Some(7), "work that ends is never cut");

        // Work longer than the drain, started before shutdown: it runs on while nothing stops,
        // and is dropped a drain after the shutdown, not a drain after its start.
        let started = tokio::time::Instant::now();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            stop.cancel();
        });
        let long = within_drain(
            tokio::time::sleep(Duration::from_secs(3600)),
            &shutdown,
            drain,
        )
        .await;
        assert_eq!(long, None);
        assert_eq!(started.elapsed(), Duration::from_secs(40));

        // Work that ends within the drain after shutdown keeps its output.
        let late = within_drain(
            async {
                tokio::time::sleep(Duration::from_secs(4)).await;
                "done"
            },
            &shutdown,
            drain,
        )
        .await;
        assert_eq!(late, Some("done"));
    }
}
