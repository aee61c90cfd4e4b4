//! `centra-sim`: the Centra Order API and Integration API simulator as a stand-alone process.
//! Logs go to stderr; stdout carries only the `listening on http://ADDR` line.
//! `centra-sim graphql-schema` prints the Integration API's schema as SDL and exits.

use clap::Parser;

/// A stateful simulator of the Centra Order API, Integration API and webhooks.
#[derive(Debug, Parser)]
#[command(name = "centra-sim", version)]
struct Cli {
    #[command(flatten)]
    sim: centra_sim::cli::SimArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Print the Integration API (GraphQL) schema as SDL and exit.
    GraphqlSchema,
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
    let cli = Cli::parse();
    if let Some(Command::GraphqlSchema) = cli.command {
        print!("{}", centra_sim::graphql::sdl());
        return Ok(());
    }
    centra_sim::cli::run(cli.sim).await?;
    Ok(())
}
