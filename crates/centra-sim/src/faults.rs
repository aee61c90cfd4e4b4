//! Injected faults (`POST /_sim/faults`): latency, HTTP 500, HTTP 429 with `Retry-After`, and
//! lost responses (the request is applied, then the connection is dropped unanswered).
//!
//! Every API call draws exactly one number from a seeded generator and the rates partition
//! [0, 1): `[0, error)` → 500, `[error, error+throttle)` → 429,
//! `[…, …+lost_response)` → lost. The same seed and the same sequence of calls therefore give
//! the same faults, and each rate is the probability of its fault (while they sum to ≤ 1).
//!
//! Addition: `method` and `path_contains` narrow the faults to the API calls that match both
//! (e.g. `POST` and `/return`), so a test can lose one step of a client and let the others
//! through. Calls that do not match still draw their number, but get no fault.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// The fault settings, exactly the fields of `POST /_sim/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    pub error_rate: f64,
    pub throttle_rate: f64,
    pub retry_after_s: u64,
    pub latency_ms: u64,
    pub lost_response_rate: f64,
    pub seed: u64,
    /// Only calls with this HTTP method (any when unset).
    pub method: Option<String>,
    /// Only calls whose path contains this text (any when unset).
    pub path_contains: Option<String>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            error_rate: 0.0,
            throttle_rate: 0.0,
            retry_after_s: 1,
            latency_ms: 0,
            lost_response_rate: 0.0,
            seed: 0,
            method: None,
            path_contains: None,
        }
    }
}

impl FaultConfig {
    /// Refuses rates outside 0..=1, naming the field.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("throttle_rate", self.throttle_rate),
            ("lost_response_rate", self.lost_response_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name}: must be between 0.0 and 1.0, got {rate}"));
            }
        }
        Ok(())
    }
}

/// What to do to one API call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Answer HTTP 500 without applying the request.
    Error,
    /// Answer HTTP 429 with `Retry-After: <seconds>` without applying the request.
    Throttle {
        retry_after_s: u64,
    },
    /// Apply the request, then drop the connection without answering.
    LostResponse,
}

impl Fault {
    pub fn label(self) -> Option<&'static str> {
        match self {
            Fault::None => None,
            Fault::Error => Some("error"),
            Fault::Throttle { .. } => Some("throttle"),
            Fault::LostResponse => Some("lost_response"),
        }
    }
}

#[derive(Debug)]
struct Dice {
    config: FaultConfig,
    rng: StdRng,
}

/// The current fault settings and their seeded generator.
#[derive(Debug)]
pub struct Faults {
    dice: Mutex<Dice>,
}

impl Default for Faults {
    fn default() -> Self {
        Self::new(FaultConfig::default())
    }
}

impl Faults {
    fn new(config: FaultConfig) -> Self {
        Self {
            dice: Mutex::new(Dice {
                rng: StdRng::seed_from_u64(config.seed),
                config,
            }),
        }
    }

    /// Replaces the settings and reseeds the generator.
    pub fn set(&self, config: FaultConfig) -> Result<(), String> {
        config.validate()?;
        let mut dice = self.dice.lock().unwrap_or_else(PoisonError::into_inner);
        dice.rng = StdRng::seed_from_u64(config.seed);
        dice.config = config;
        Ok(())
    }

    pub fn get(&self) -> FaultConfig {
        self.dice
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .config
            .clone()
    }

    pub fn reset(&self) {
        let _ = self.set(FaultConfig::default());
    }

    /// The latency to add and the fault for the next API call (`method` on `path`).
    pub fn roll(&self, method: &str, path: &str) -> (Duration, Fault) {
        let mut dice = self.dice.lock().unwrap_or_else(PoisonError::into_inner);
        let draw: f64 = dice.rng.random();
        let c = &dice.config;
        let latency = Duration::from_millis(c.latency_ms);
        let matches = c
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && c.path_contains.as_deref().is_none_or(|p| path.contains(p));
        let fault = if !matches {
            Fault::None
        } else if draw < c.error_rate {
            Fault::Error
        } else if draw < c.error_rate + c.throttle_rate {
            Fault::Throttle {
                retry_after_s: c.retry_after_s,
            }
        } else if draw < c.error_rate + c.throttle_rate + c.lost_response_rate {
            Fault::LostResponse
        } else {
            Fault::None
        };
        (latency, fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(config: FaultConfig) -> Faults {
        let f = Faults::default();
        f.set(config).unwrap();
        f
    }

    #[test]
    fn no_faults_by_default() {
        let f = Faults::default();
        assert!((0..1000).all(|_| f.roll("GET", "/x").1 == Fault::None));
    }

    #[test]
    fn certain_rates_always_fault() {
        let f = faults(FaultConfig {
            throttle_rate: 1.0,
            retry_after_s: 7,
            ..FaultConfig::default()
        });
        assert!((0..100).all(|_| f.roll("GET", "/x").1 == Fault::Throttle { retry_after_s: 7 }));
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let config = FaultConfig {
            error_rate: 0.3,
            lost_response_rate: 0.3,
            seed: 42,
            ..FaultConfig::default()
        };
        let a: Vec<Fault> = {
            let f = faults(config.clone());
            (0..200).map(|_| f.roll("GET", "/x").1).collect()
        };
        let b: Vec<Fault> = {
            let f = faults(config);
            (0..200).map(|_| f.roll("GET", "/x").1).collect()
        };
        assert_eq!(a, b);
        let errors = a.iter().filter(|f| **f == Fault::Error).count();
        assert!(
            (30..=90).contains(&errors),
            "about 30% errors, got {errors}"
        );
    }

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        let err = Faults::default()
            .set(FaultConfig {
                error_rate: 1.5,
                ..FaultConfig::default()
            })
            .unwrap_err();
        assert!(err.contains("error_rate"));
    }
}
