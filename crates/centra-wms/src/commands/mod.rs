//! One file per command; each returns a [`Failure`] carrying its exit code.

mod admin_web;
mod config_check;
mod dead_letters;
mod embedded;
mod products;
mod remote;
mod resync;
mod returns;
#[cfg(feature = "simulators")]
mod sandbox;
mod serve;
mod shipments;
mod status;
mod stock;
mod test_connection;

pub use remote::RemoteArgs;
pub use resync::{ResyncFlow, parse_since};

#[cfg(feature = "simulators")]
use crate::cli::SimCommand;
use crate::cli::{AdminWebCommand, Cli, Command, ConfigCommand};

/// The sandbox's settings: the bundled simulators' addresses and credentials (see
/// ../shared/docs/simulators.md), used by `sandbox` unless `--config` names a file, and by the
/// operator commands to find a running sandbox.
pub const SANDBOX_CONFIG: &str = include_str!("../../sandbox.toml");
/// [`SANDBOX_CONFIG`] with OGOship as the WMS (`--wms ogoship`).
pub const SANDBOX_OGOSHIP_CONFIG: &str = include_str!("../../sandbox-ogoship.toml");

/// Which built-in sandbox settings: the WMS its simulator plays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SandboxWms {
    #[default]
    Ongoing,
    Ogoship,
}

impl SandboxWms {
    /// The built-in settings of this sandbox.
    pub fn settings(self) -> &'static str {
        match self {
            Self::Ongoing => SANDBOX_CONFIG,
            Self::Ogoship => SANDBOX_OGOSHIP_CONFIG,
        }
    }
}

/// What a person does to a parked record from the CLI (`shipments retry|discard`, `returns
/// retry|discard`): each record kind takes both through one function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OperatorAction {
    /// Run the record's next step again.
    Retry,
    /// Set it aside for good: why, and who.
    Discard { reason: String, by: String },
}

impl OperatorAction {
    /// The past tense printed: `retried`, `discarded`.
    pub(crate) fn done(&self) -> &'static str {
        match self {
            Self::Retry => "retried",
            Self::Discard { .. } => "discarded",
        }
    }
}

/// Exit code for a failure at run time (unreachable server, service crash).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for bad usage or an invalid config: fix the input, retrying will not help.
pub const EXIT_USAGE: u8 = 2;

/// Why a command failed and the exit code that tells a script.
#[derive(Debug)]
pub struct Failure {
    pub error: anyhow::Error,
    pub code: u8,
}

impl Failure {
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self {
            error: error.into(),
            code: EXIT_USAGE,
        }
    }

    pub fn runtime(error: impl Into<anyhow::Error>) -> Self {
        Self {
            error: error.into(),
            code: EXIT_FAILURE,
        }
    }
}

pub async fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        #[cfg(feature = "simulators")]
        Command::Sandbox {
            config,
            wms,
            data_dir,
            centra_addr,
            wms_addr,
            no_demo,
        } => {
            let sims = sandbox::SimAddresses {
                centra: centra_addr,
                wms: wms_addr,
            };
            let settings = match &config {
                Some(path) => sandbox::Settings::File(path),
                None => sandbox::Settings::BuiltIn(wms.unwrap_or_default()),
            };
            sandbox::sandbox(settings, data_dir.as_deref(), sims, !no_demo).await
        }
        Command::Run { config } => embedded::run(&config).await,
        Command::Serve { service, config } => serve::serve(&service, config.as_deref()).await,
        #[cfg(feature = "simulators")]
        Command::Sim {
            simulator: SimCommand::Centra(args),
        } => centra_sim::cli::run(args).await.map_err(Failure::runtime),
        #[cfg(feature = "simulators")]
        Command::Sim {
            simulator: SimCommand::Ongoing(args),
        } => ongoing_sim::run(args).await.map_err(Failure::runtime),
        #[cfg(feature = "simulators")]
        Command::Sim {
            simulator: SimCommand::Ogoship(args),
        } => ogoship_sim::run(args).await.map_err(Failure::runtime),
        Command::Config {
            command: ConfigCommand::Check { file },
        } => config_check::check(&file),
        Command::AdminWeb {
            command: AdminWebCommand::HashPassword,
        } => admin_web::hash_password(),
        Command::DeadLetters {
            service,
            remote,
            command,
        } => dead_letters::run(&service, &remote, command).await,
        Command::Products { remote, command } => products::run(&remote, command).await,
        Command::Shipments { remote, command } => shipments::run(&remote, command).await,
        Command::Returns { remote, command } => returns::run(&remote, command).await,
        Command::Stock { remote, command } => stock::run(&remote, command).await,
        Command::TestConnection { remote } => test_connection::run(&remote).await,
        Command::Status { remote } => status::run(&remote).await,
        Command::Resync {
            flow,
            since,
            id,
            endpoint,
            remote,
        } => {
            let request = resync::ResyncRequest {
                flow,
                since,
                id,
                endpoint,
            };
            resync::run(&remote, request).await
        }
    }
}
