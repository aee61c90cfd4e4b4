//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "centra-wms",
    version,
    about = "Keeps a Centra webshop and an Ongoing WMS in sync",
    long_about = "Keeps a Centra webshop and an Ongoing WMS in sync.\n\nEvery command reads one TOML \
                  file (--config) with CENTRA_WMS__SECTION__KEY environment overrides; see \
                  config/centra-wms.example.toml."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every service in this process against the bundled Centra and Ongoing simulators
    /// (embedded bus, SQLite); prints the simulators' URLs.
    Sandbox {
        /// Settings to use instead of the built-in sandbox settings; every Centra end-point and
        /// the WMS are pointed at simulators started here.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Where the SQLite files go (overrides runtime.data_dir).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Address of the Centra simulator (the first end-point's; others get free ports).
        #[arg(long, default_value = "127.0.0.1:18081")]
        centra_addr: SocketAddr,
        /// Address of the Ongoing WMS simulator.
        #[arg(long, default_value = "127.0.0.1:18082")]
        ongoing_addr: SocketAddr,
    },
    /// Run every service in this process against the configured end-points (embedded shape).
    Run {
        #[arg(long)]
        config: PathBuf,
    },
    /// Run one service as its own process (distributed shape: NATS JetStream + PostgreSQL).
    Serve {
        /// One of: centra-gateway, ongoing-gateway, catalog-sync, order-sync, stock-sync,
        /// returns-sync.
        service: String,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run a simulator alone: the Centra Order API or the Ongoing WMS REST API, with the
    /// control API under /_sim/ (see the simulators' contract in the docs).
    Sim {
        #[command(subcommand)]
        simulator: SimCommand,
    },
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a config file and print the effective settings (defaults filled in, secrets
    /// masked).
    Check { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// The Centra Order API simulator (API-Authorization secret `sandbox-secret` by default).
    Centra(centra_sim::cli::SimArgs),
    /// The Ongoing WMS REST API simulator (Basic auth `sandbox`/`sandbox`, goods owner 1 by
    /// default).
    Ongoing(ongoing_sim::SimArgs),
}
