//! Which database a URL names. Almost all SQL is shared; the few statements that differ
//! (schema set-up, connection pragmas, the database clock) branch on [`Backend`].

use crate::StoreError;

/// The database behind a [`Store`](crate::Store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// PostgreSQL: production; one schema per service in a shared database.
    Postgres,
    /// SQLite: embedded; one file per service.
    Sqlite,
}

impl Backend {
    /// Reads the scheme of a database URL.
    pub fn from_url(service: &str, url: &str) -> Result<Self, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            "sqlite" => Ok(Backend::Sqlite),
            other => Err(StoreError::UnsupportedUrl {
                service: service.to_owned(),
                scheme: other.to_owned(),
            }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// True for SQLite URLs whose database lives in memory (gone with its last connection).
pub(crate) fn is_sqlite_memory(url: &str) -> bool {
    url.starts_with("sqlite::memory:") || url.contains("mode=memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_scheme() {
        assert_eq!(
            Backend::from_url("s", "postgres://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("s", "postgresql://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("s", "sqlite:///tmp/x.db?mode=rwc").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("s", "sqlite::memory:").ok(),
            Some(Backend::Sqlite)
        );
        let err = Backend::from_url("order-sync", "mysql://h/db").unwrap_err();
        assert_eq!(
            err.to_string(),
            "service order-sync: unsupported database url scheme \"mysql\" (expected postgres:// or sqlite:)"
        );
    }

    #[test]
    fn knows_in_memory_sqlite() {
        assert!(is_sqlite_memory("sqlite::memory:"));
        assert!(is_sqlite_memory("sqlite:file:x?mode=memory"));
        assert!(!is_sqlite_memory("sqlite:///tmp/x.db?mode=rwc"));
    }
}
