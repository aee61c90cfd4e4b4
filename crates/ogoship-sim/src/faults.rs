//! Fault injection (`POST /_sim/faults`): errors, throttling, latency and lost responses, drawn
//! from a seedable random source so a test can make them reproducible.
//!
//! Fields as in simulators.md; they hit every API call including `POST /OAuth/Token`, never
//! the control API:
//!
//! - `error_rate`: `500` `ApiError`, the request is not applied;
//! - `throttle_rate`: `429` `ApiError` with `Retry-After: retry_after_s`, not applied.
//!   Doc gap: OGOship documents no rate limits (ogoship-api.md §1, §12 q7); 429 with
//!   `Retry-After` is the conventional answer a client must back off on;
//! - `latency_ms`: added to every API call;
//! - `lost_response_rate`: the request IS applied, then the connection is dropped unanswered;
//! - `path_contains` (addition, as in ongoing-sim): the faults hit only API calls whose path
//!   contains this text (case-insensitive), so a test can fail one step of a client.

use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::error::ControlError;

/// The fault settings as posted to and read from `/_sim/faults`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    pub error_rate: f64,
    pub throttle_rate: f64,
    pub retry_after_s: u64,
    pub latency_ms: u64,
    pub lost_response_rate: f64,
    pub seed: Option<u64>,
    pub path_contains: Option<String>,
}

impl FaultConfig {
    fn validate(&self) -> Result<(), ControlError> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("throttle_rate", self.throttle_rate),
            ("lost_response_rate", self.lost_response_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(ControlError::bad_request(format!(
                    "{name} must be between 0.0 and 1.0, got {rate}"
                )));
            }
        }
        Ok(())
    }
}

/// What happens to one API call.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FaultDraw {
    pub throttle: bool,
    pub error: bool,
    pub lost: bool,
    pub latency: Duration,
    pub retry_after_s: u64,
}

#[derive(Debug)]
struct Inner {
    config: FaultConfig,
    rng: StdRng,
}

#[derive(Debug)]
pub(crate) struct Faults {
    inner: Mutex<Inner>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                config: FaultConfig::default(),
                rng: StdRng::from_os_rng(),
            }),
        }
    }
}

impl Faults {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        f(&mut self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    pub(crate) fn set(&self, config: FaultConfig) -> Result<FaultConfig, ControlError> {
        config.validate()?;
        self.with(|inner| {
            if let Some(seed) = config.seed {
                inner.rng = StdRng::seed_from_u64(seed);
            }
            inner.config = config.clone();
        });
        Ok(config)
    }

    pub(crate) fn get(&self) -> FaultConfig {
        self.with(|inner| inner.config.clone())
    }

    pub(crate) fn clear(&self) {
        self.with(|inner| inner.config = FaultConfig::default());
    }

    /// Draws the fate of one call to `path`; always three draws so a seed gives the same
    /// sequence whatever the rates. A call `path_contains` leaves out draws, but gets no fault.
    pub(crate) fn draw(&self, path: &str) -> FaultDraw {
        self.with(|inner| {
            let throttle = inner.rng.random::<f64>();
            let error = inner.rng.random::<f64>();
            let lost = inner.rng.random::<f64>();
            let config = &inner.config;
            if config.path_contains.as_deref().is_some_and(|part| {
                !path
                    .to_ascii_lowercase()
                    .contains(&part.to_ascii_lowercase())
            }) {
                return FaultDraw {
                    retry_after_s: 1,
                    ..FaultDraw::default()
                };
            }
            FaultDraw {
                throttle: throttle < config.throttle_rate,
                error: error < config.error_rate,
                lost: lost < config.lost_response_rate,
                latency: Duration::from_millis(config.latency_ms),
                retry_after_s: if config.retry_after_s == 0 {
                    1
                } else {
                    config.retry_after_s
                },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_repeats_the_same_faults() {
        let config = FaultConfig {
            error_rate: 0.5,
            seed: Some(7),
            ..FaultConfig::default()
        };
        let first = Faults::default();
        first.set(config.clone()).unwrap();
        let second = Faults::default();
        second.set(config).unwrap();
        let a: Vec<bool> = (0..50).map(|_| first.draw("/x").error).collect();
        let b: Vec<bool> = (0..50).map(|_| second.draw("/x").error).collect();
        assert_eq!(a, b);
        assert!(a.iter().any(|e| *e) && a.iter().any(|e| !*e));
    }

    #[test]
    fn rates_outside_zero_one_are_refused() {
        let faults = Faults::default();
        let bad = FaultConfig {
            throttle_rate: 1.5,
            ..FaultConfig::default()
        };
        assert!(faults.set(bad).is_err());
    }
}
