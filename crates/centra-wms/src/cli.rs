//! The command line.

#[cfg(feature = "simulators")]
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand};

use crate::commands::RemoteArgs;
#[cfg(feature = "simulators")]
use crate::commands::SandboxWms;

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
    #[cfg(feature = "simulators")]
    /// Run every service in this process against the bundled Centra simulator and a WMS
    /// simulator (Ongoing, or OGOship with --wms ogoship; embedded bus, SQLite) with a living
    /// demo store: a seeded catalogue, orders every few seconds, a warehouse that ships,
    /// receives and takes returns, and a live status view. Prints the simulators' URLs.
    Sandbox {
        /// Settings to use instead of the built-in sandbox settings; every Centra end-point and
        /// the WMS (of the file's `[wms] kind`) are pointed at simulators started here.
        #[arg(long, conflicts_with = "wms")]
        config: Option<PathBuf>,
        /// Which WMS the built-in sandbox settings run: `ongoing` (sandbox.toml) or `ogoship`
        /// (sandbox-ogoship.toml). The operator commands take the same `--wms` to reach it.
        #[arg(long, value_enum)]
        wms: Option<SandboxWms>,
        /// Where the SQLite files go (overrides runtime.data_dir).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Address of the Centra simulator (the first end-point's; others get free ports).
        #[arg(long, default_value = "127.0.0.1:18081")]
        centra_addr: SocketAddr,
        /// Address of the WMS simulator (Ongoing or OGOship).
        #[arg(
            long,
            visible_alias = "ongoing-addr",
            default_value = "127.0.0.1:18082"
        )]
        wms_addr: SocketAddr,
        /// Start with empty simulators and no demo activity (seed them yourself through the
        /// control API); the status view still runs.
        #[arg(long)]
        no_demo: bool,
    },
    /// Run every service in this process against the configured end-points (embedded shape).
    Run {
        #[arg(long)]
        config: PathBuf,
    },
    /// Run one service as its own process (distributed shape: NATS JetStream + PostgreSQL).
    Serve {
        /// One of: centra-gateway, ongoing-gateway, ogoship-gateway, catalog-sync, order-sync,
        /// stock-sync, returns-sync, admin-web.
        service: String,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    #[cfg(feature = "simulators")]
    /// Run a simulator alone: the Centra Order API, the Ongoing WMS REST API or the OGOship
    /// API, with the control API under /_sim/ (see the simulators' contract in the docs).
    Sim {
        #[command(subcommand)]
        simulator: SimCommand,
    },
    /// The admin web page's tools.
    AdminWeb {
        #[command(subcommand)]
        command: AdminWebCommand,
    },
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Records a service parked for a person (terminal errors, retries used up): list, show,
    /// retry or discard them. Needs the process running (`centra-wms run` or the service).
    DeadLetters {
        /// The service whose dead letters to manage: catalog-sync (rejected size rows),
        /// order-sync, stock-sync or returns-sync (messages they could not handle; a retry
        /// replays them), centra-gateway, ongoing-gateway or ogoship-gateway (records they
        /// could not read, and orders OGOship holds as invalid; a retry reads them again).
        #[arg(long, global = true, default_value = "catalog-sync")]
        service: String,
        #[command(flatten)]
        remote: RemoteArgs,
        #[command(subcommand)]
        command: DeadLetterCommand,
    },
    /// The Centra products catalog-sync knows, and the manual selection of which become WMS
    /// articles. Needs catalog-sync running.
    Products {
        #[command(flatten)]
        remote: RemoteArgs,
        #[command(subcommand)]
        command: ProductsCommand,
    },
    /// Customer returns in returns-sync: list them by state (the parked ones with their
    /// reason), retry a parked one. Needs returns-sync running.
    Returns {
        #[command(flatten)]
        remote: RemoteArgs,
        #[command(subcommand)]
        command: ReturnsCommand,
    },
    /// Stock in stock-sync: the articles it follows, with what each side held at the last check
    /// and why an article is not in sync. Needs stock-sync running.
    Stock {
        #[command(flatten)]
        remote: RemoteArgs,
        #[command(subcommand)]
        command: StockCommand,
    },
    /// Shipments in order-sync: list them by state, retry a parked one, complete one by hand.
    /// Needs order-sync running.
    Shipments {
        #[command(flatten)]
        remote: RemoteArgs,
        #[command(subcommand)]
        command: ShipmentsCommand,
    },
    /// Checks, through the running gateways, each Order API group every Centra end-point's
    /// flows need, the WMS credentials and goods owner, and the transporters the shipping
    /// methods map to; one line per check, exit 1 if any fails.
    TestConnection {
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// How every flow is doing: per service and flow the last run, cursor, backlog, parked and
    /// failed counts and the last error. Exit 1 if a service does not answer (the others are
    /// still listed).
    Status {
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Runs one flow again from the source of truth, bypassing stale mappings; safe to run
    /// twice. articles (alias catalog): every article compared with Centra, the differences
    /// written; shipments --id SHIPMENT_ID: the shipment re-read from Centra and written to
    /// the WMS again; stock [--id ARTICLE]; returns [--since TIME] [--id ORDER_NUMBER]. A flow
    /// not served in this build exits 1.
    Resync {
        /// The flow to run again.
        #[arg(value_enum)]
        flow: crate::commands::ResyncFlow,
        /// Only records changed after this RFC 3339 time (e.g. 2026-11-24T08:00:00Z); returns
        /// only.
        #[arg(long, value_parser = crate::commands::parse_since)]
        since: Option<prost_types::Timestamp>,
        /// One record: a shipment id (shipments), article number (stock) or WMS order number
        /// (returns).
        #[arg(long)]
        id: Option<String>,
        /// The Centra end-point of the shipment; needed only when several are configured.
        #[arg(long)]
        endpoint: Option<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeadLetterCommand {
    /// Lists the parked records (id, state, flow, record, attempts, reason).
    List {
        /// Only this flow (e.g. `articles`).
        #[arg(long)]
        flow: Option<String>,
        /// Also list records given up with `discard`.
        #[arg(long)]
        include_discarded: bool,
    },
    /// Shows one record: every field, the parked payload and the error history.
    Show { id: String },
    /// Puts parked records back to work (bypassing stale bindings and cursors).
    Retry {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Gives records up for good; they stay listed with --include-discarded.
    Discard {
        #[arg(required = true)]
        ids: Vec<String>,
        /// Why, kept with the record.
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProductsCommand {
    /// Lists the known Centra products, each with its state (not-in-wms, in-wms,
    /// changed-since, rejected, filtered-out) and its sizes with article number, state, and the
    /// reason or warning a person should see.
    List {
        /// Only products with a size whose article number, sku, EAN or product name match.
        #[arg(long)]
        search: Option<String>,
        /// Only this Centra product id.
        #[arg(long, value_name = "PRODUCT_ID")]
        product_id: Option<String>,
    },
    /// Re-reads the product list from Centra now and reports what it found.
    Refresh,
    /// Creates (or updates) articles in the WMS (manual selection mode): every admitted size of
    /// the products given by --product-id (or of all with --all), and these article numbers.
    #[command(group(clap::ArgGroup::new("selection").required(true).multiple(true)
        .args(["article_numbers", "product_ids", "all"])))]
    Create {
        #[arg(value_name = "ARTICLE_NUMBER")]
        article_numbers: Vec<String>,
        /// Every admitted size of this Centra product (repeatable).
        #[arg(long = "product-id", value_name = "PRODUCT_ID")]
        product_ids: Vec<String>,
        /// Every admitted size of every known product.
        #[arg(long, conflicts_with = "product_ids")]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ShipmentsCommand {
    /// Lists the shipments (and orders) order-sync knows, newest first, with their state and
    /// the reason a person is needed.
    List {
        /// Only this state.
        #[arg(long, value_enum)]
        state: Option<ShipmentStateArg>,
        /// Only this Centra end-point.
        #[arg(long)]
        endpoint: Option<String>,
    },
    /// Runs the next step of a parked or failed shipment again (after the cause is fixed).
    Retry {
        /// The Centra shipment id.
        shipment_id: String,
        /// The Centra end-point of the shipment; needed only when several are configured.
        #[arg(long)]
        endpoint: Option<String>,
    },
    /// Sets a parked or failed shipment aside for good with a reason (settled by hand): never
    /// imported, completed or retried by order-sync again; `retry` takes it back.
    Discard {
        /// The Centra shipment id.
        shipment_id: String,
        /// Why, kept with the shipment and shown in its journey.
        #[arg(long, required = true)]
        reason: String,
        /// Who discards it; the `USER` environment variable when not given.
        #[arg(long, env = "USER")]
        by: String,
        /// The Centra end-point of the shipment; needed only when several are configured.
        #[arg(long)]
        endpoint: Option<String>,
    },
    /// Completes a Centra shipment by hand (manual completion mode, or tracking never came).
    Complete {
        /// The Centra shipment id.
        shipment_id: String,
        /// Whether Centra captures the payment on completion; required, never defaulted.
        #[arg(long, required = true, action = ArgAction::Set, value_parser = clap::value_parser!(bool))]
        capture: bool,
        /// The Centra end-point of the shipment; needed only when several are configured.
        #[arg(long)]
        endpoint: Option<String>,
        /// Kept with the order and appended to Centra's internal comment.
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReturnsCommand {
    /// Lists the WMS returns returns-sync knows, with their state, the Centra return and the
    /// reason a person is needed.
    List {
        /// Only this state.
        #[arg(long, value_enum)]
        state: Option<ReturnStateArg>,
        /// Only returns of this WMS order number.
        #[arg(long)]
        order: Option<String>,
    },
    /// Runs a parked or discarded return again (after the cause is fixed); never creates it
    /// twice.
    Retry {
        /// The return id `returns list` shows.
        return_id: String,
    },
    /// Sets a parked return aside for good with a reason (settled by hand): never picked up by
    /// returns-sync again; `retry` takes it back.
    Discard {
        /// The return id `returns list` shows.
        return_id: String,
        /// Why, kept with the return.
        #[arg(long, required = true)]
        reason: String,
        /// Who discards it; the `USER` environment variable when not given.
        #[arg(long, env = "USER")]
        by: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StockCommand {
    /// Lists the articles stock-sync follows: state, WMS physical/sellable and Centra
    /// physical/allocated at the last check, and the reason when Centra or the WMS does not take
    /// the article (`not_found`, `bundle`, `not_in_wms`, `unmapped`, `refused`).
    List {
        /// Only this state.
        #[arg(long, value_enum)]
        state: Option<StockStateArg>,
        /// Only this article number.
        #[arg(long)]
        id: Option<String>,
    },
}

/// An article's state in stock-sync, as `stock list --state` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StockStateArg {
    Pending,
    InSync,
    Settling,
    NotFound,
    Bundle,
    NotInWms,
    Unmapped,
    Refused,
}

impl StockStateArg {
    /// The name stock-sync uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InSync => "in_sync",
            Self::Settling => "settling",
            Self::NotFound => "not_found",
            Self::Bundle => "bundle",
            Self::NotInWms => "not_in_wms",
            Self::Unmapped => "unmapped",
            Self::Refused => "refused",
        }
    }
}

/// A return's state in returns-sync, as `returns list --state` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReturnStateArg {
    Received,
    Created,
    Reported,
    Parked,
    Discarded,
}

/// A shipment's state in order-sync, as `shipments list --state` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShipmentStateArg {
    AwaitingCapture,
    SentToWarehouse,
    Shipped,
    Completed,
    Cancelled,
    Parked,
    Discarded,
}

#[derive(Debug, Subcommand)]
pub enum AdminWebCommand {
    /// Reads a password (one line) from standard input and prints its argon2id hash, the value
    /// of `[admin_web] password_hash`.
    HashPassword,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a config file and print the effective settings (defaults filled in, secrets
    /// masked).
    Check { file: PathBuf },
}

#[cfg(feature = "simulators")]
#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// The Centra Order API simulator (API-Authorization secret `sandbox-secret` by default).
    Centra(centra_sim::cli::SimArgs),
    /// The Ongoing WMS REST API simulator (Basic auth `sandbox`/`sandbox`, goods owner 1 by
    /// default).
    Ongoing(ongoing_sim::SimArgs),
    /// The OGOship (myOGO) API v1 simulator (OAuth client `123456`/`abcdef`, merchant
    /// `sandbox-merchant`/`sandbox-secret` by default).
    Ogoship(ogoship_sim::SimArgs),
}
