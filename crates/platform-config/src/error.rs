//! Why configuration could not be loaded.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

/// One problem: the key path and what is wrong (`runtime.database_url: required in distributed
/// mode ...`). The same type the domain settings use.
pub type ConfigProblem = domain::settings::SettingsError;

/// Loading failed. `Invalid` lists *every* problem found, not just the first.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not TOML. Only the position and parser message are shown, never the line
    /// itself, as it might hold a secret.
    #[error("{origin} is not valid toml: {message} at line {line}, column {column}")]
    Syntax {
        /// The file path or `the given toml`.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Parser message.
        message: String,
    },
    /// The sources could not be merged (e.g. a non-Unicode environment variable).
    #[error("cannot assemble configuration: {0}")]
    Source(String),
    /// Values are missing or wrong.
    #[error("{}", Problems(.0))]
    Invalid(Vec<ConfigProblem>),
}

impl ConfigError {
    /// The problems of an `Invalid` error (empty for the other kinds).
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            Self::Invalid(problems) => problems,
            _ => &[],
        }
    }
}

struct Problems<'a>(&'a [ConfigProblem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        write!(
            f,
            "invalid configuration ({count} problem{}):",
            if count == 1 { "" } else { "s" }
        )?;
        for problem in self.0 {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}
