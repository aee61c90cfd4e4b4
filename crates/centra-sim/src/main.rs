//! `centra-sim`: the Centra Order API simulator as a stand-alone process.
//! Logs go to stderr; stdout carries only the `listening on http://ADDR` line.

use clap::Parser;

/// A stateful simulator of the Centra Order API and webhooks.
#[derive(Debug, Parser)]
#[command(name = "centra-sim", version)]
struct Cli {
    #[command(flatten)]
    sim: centra_sim::cli::SimArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    centra_sim::cli::run(Cli::parse().sim).await?;
    Ok(())
}
