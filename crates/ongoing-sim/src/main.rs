//! `ongoing-sim`: the Ongoing WMS REST API simulator as a process. Thin: flags in, library out.

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "ongoing-sim",
    about = "Simulates the Ongoing WMS goods-owner REST API v1"
)]
struct Cli {
    #[command(flatten)]
    sim: ongoing_sim::SimArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "ongoing_sim=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    ongoing_sim::run(Cli::parse().sim).await?;
    Ok(())
}
