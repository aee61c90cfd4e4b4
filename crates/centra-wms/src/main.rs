//! `centra-wms`: the embedded runtime and the operator's command line.
//!
//! Layout:
//! - `arenas`: glibc's malloc arenas limited for the whole process (why, in the file).
//! - `cli`: the command line (clap).
//! - `commands/`: one file per command; `commands/remote` is how operator commands reach a
//!   running process over gRPC.
//! - `services`: the six services, by name.
//! - `demo/`: the sandbox's demo store, its activity and live status view.
//!
//! Feature `simulators` (default; `make run` and the tests use it): the `sandbox` and `sim`
//! commands with the bundled simulators and the demo. The release image is built without it
//! (`--no-default-features`), so production binaries carry no simulator.
//!
//! Errors end here: one line naming the cause (no backtrace) and an exit code scripts can use
//! (1 failure, 2 bad usage or config).

mod arenas;
mod cli;
mod commands;
#[cfg(feature = "simulators")]
mod demo;
mod services;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    arenas::limit();
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}
