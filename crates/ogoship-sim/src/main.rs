//! `ogoship-sim`: the OGOship merchant API simulator as a process. Thin: flags in, library out.

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "ogoship-sim",
    about = "Simulates the OGOship (myOGO) merchant REST API v1"
)]
struct Cli {
    #[command(flatten)]
    sim: ogoship_sim::SimArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "ogoship_sim=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    ogoship_sim::run(Cli::parse().sim).await?;
    Ok(())
}
