//! The newest warnings and errors the services logged in this test process, kept in memory
//! for a failure message: a run that fails in CI then says what went wrong before it, where
//! only the failure message is shown.
//!
//! [`install`] (called by `RunningApp::start`) sets the process's subscriber once: warnings
//! and errors into a ring of the last [`KEPT`] lines, and, when `E2E_LOG` holds a log filter
//! (e.g. `info,sqlx=warn`), every line that filter passes on stderr for a run looked at by
//! hand. A test that installed its own subscriber first keeps it (the ring then stays empty,
//! and says so).

use std::collections::VecDeque;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};

use tracing::level_filters::LevelFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

/// Lines kept.
const KEPT: usize = 200;

static LINES: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());
static INSTALL: Once = Once::new();
/// Whether the ring is this process's subscriber (another may have been installed first).
static RING: AtomicBool = AtomicBool::new(false);

/// One formatted event; kept when the formatter drops it.
struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let line = String::from_utf8_lossy(&self.0).trim_end().to_owned();
        if let Ok(mut lines) = LINES.lock() {
            if lines.len() == KEPT {
                lines.pop_front();
            }
            lines.push_back(line);
        }
    }
}

/// Installs the subscriber once per process (see the module docs).
pub fn install() {
    INSTALL.call_once(|| {
        let ring = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(|| Line(Vec::new()))
            .with_filter(LevelFilter::WARN);
        let filter = std::env::var("E2E_LOG").ok();
        let stderr = filter.filter(|f| !f.trim().is_empty()).map(|filter| {
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(EnvFilter::new(filter))
        });
        let installed = tracing_subscriber::registry()
            .with(ring)
            .with(stderr)
            .try_init();
        RING.store(installed.is_ok(), Ordering::SeqCst);
    });
}

/// The last `n` warnings and errors, oldest first, one per line.
pub fn recent(n: usize) -> String {
    if !RING.load(Ordering::SeqCst) {
        return "(no warnings kept: another log subscriber was installed first)".to_owned();
    }
    let lines = LINES.lock().map(|l| l.clone()).unwrap_or_default();
    if lines.is_empty() {
        return "(no warnings or errors logged)".to_owned();
    }
    let skip = lines.len().saturating_sub(n);
    lines.into_iter().skip(skip).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A warning logged after `install` is among the recent lines; an info line is not.
    #[test]
    fn recent_holds_the_newest_warnings() {
        install();
        tracing::info!("an info line the ring leaves out");
        tracing::warn!(record = "order 7", "a warning the ring keeps");
        let recent = recent(2);
        assert!(recent.contains("a warning the ring keeps"), "{recent}");
        assert!(recent.contains("order 7"), "{recent}");
        assert!(!recent.contains("an info line"), "{recent}");
    }
}
