//! `[admin_web]`: the admin web page a merchant's operations person opens (crate `admin-web`):
//! where it listens, whether it runs, and who may sign in.
//!
//! The page is read-only until someone signs in with `user` and the password whose argon2 hash
//! is `password_hash` (`centra-wms admin-web hash-password` makes one); without a hash nobody
//! can sign in and every action is refused. `session_key` signs and encrypts the session cookie;
//! unset, the process draws a random key at start (sessions end with the process, and replicas
//! do not share them). `behind_tls` marks the cookie `Secure`, for a page served through HTTPS.
//! `trace_url` is where the Find page links a shipment's trace id (a trace UI such as Jaeger).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use domain::secret::Secret;
use domain::settings::FieldReport;
use serde::Serialize;

/// Where the page listens unless `[admin_web] listen` says otherwise: loopback only.
pub const DEFAULT_ADMIN_WEB_LISTEN: SocketAddr =
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8088);
/// The sign-in name unless `[admin_web] user` says otherwise.
pub const DEFAULT_ADMIN_WEB_USER: &str = "admin";
/// The shortest session key taken: the cookie keys are derived from it (HKDF), and a short one
/// could be guessed.
pub const MIN_SESSION_KEY_LENGTH: usize = 32;

/// The `[admin_web]` section, defaults applied and validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminWebConfig {
    /// Whether the embedded runtime (`run`, `sandbox`) serves the page. Default `true`.
    pub enabled: bool,
    /// Where the page listens. Default `127.0.0.1:8088`.
    pub listen: SocketAddr,
    /// The name to sign in with. Default `admin`.
    pub user: String,
    /// The argon2 hash (PHC string, `$argon2id$...`) of the sign-in password. Unset: nobody
    /// can sign in, the page stays read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<Secret>,
    /// Signs and encrypts the session cookie (at least 32 characters). Unset: a random key per
    /// process start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_key: Option<Secret>,
    /// The page is reached through HTTPS (a TLS-terminating proxy): the session cookie is
    /// marked `Secure`. Default `false`.
    pub behind_tls: bool,
    /// The trace UI's address of one trace, with `{trace_id}` where the id goes
    /// (`https://jaeger.example/trace/{trace_id}`): the Find page links trace ids there.
    /// Unset: trace ids are shown without a link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_url: Option<String>,
}

/// What `[admin_web] trace_url` replaces with a trace id.
pub const TRACE_ID_PLACEHOLDER: &str = "{trace_id}";

impl AdminWebConfig {
    /// The trace UI's page of `trace_id`, when `trace_url` is set.
    pub fn trace_link(&self, trace_id: &str) -> Option<String> {
        self.trace_url
            .as_deref()
            .map(|template| template.replace(TRACE_ID_PLACEHOLDER, trace_id))
    }
}

impl Default for AdminWebConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: DEFAULT_ADMIN_WEB_LISTEN,
            user: DEFAULT_ADMIN_WEB_USER.to_owned(),
            password_hash: None,
            session_key: None,
            behind_tls: false,
            trace_url: None,
        }
    }
}

domain::lenient_section! {
    /// `[admin_web]` as written.
    pub struct AdminWebDraft {
        enabled: bool,
        listen: SocketAddr,
        user: String,
        password_hash: Secret,
        session_key: Secret,
        behind_tls: bool,
        trace_url: String,
    }
}

impl AdminWebDraft {
    /// Applies defaults and checks every key; problems go to `report` (prefix `admin_web`).
    pub fn resolve(self, report: &mut FieldReport) -> AdminWebConfig {
        let defaults = AdminWebConfig::default();
        report.unknown_keys(&self.unknown);
        let config = AdminWebConfig {
            enabled: report
                .optional("enabled", self.enabled)
                .unwrap_or(defaults.enabled),
            listen: report
                .optional("listen", self.listen)
                .unwrap_or(defaults.listen),
            user: report.optional("user", self.user).unwrap_or(defaults.user),
            password_hash: report.optional("password_hash", self.password_hash),
            session_key: report.optional("session_key", self.session_key),
            behind_tls: report
                .optional("behind_tls", self.behind_tls)
                .unwrap_or(defaults.behind_tls),
            trace_url: report.optional("trace_url", self.trace_url),
        };
        if config.user.trim().is_empty() {
            report.problem(
                "user",
                "is empty; name the person who signs in (e.g. \"admin\")",
            );
        }
        if let Some(hash) = &config.password_hash
            && let Some(problem) = password_hash_problem(hash.expose())
        {
            report.problem("password_hash", problem);
        }
        if config
            .session_key
            .as_ref()
            .is_some_and(|k| k.expose().trim().len() < MIN_SESSION_KEY_LENGTH)
        {
            report.problem(
                "session_key",
                format!(
                    "is shorter than {MIN_SESSION_KEY_LENGTH} characters (use e.g. `openssl \
                     rand -hex 32`)"
                ),
            );
        }
        if let Some(problem) = config.trace_url.as_deref().and_then(trace_url_problem) {
            report.problem("trace_url", problem);
        }
        config
    }
}

/// Why `template` cannot make a trace UI link, or `None`.
fn trace_url_problem(template: &str) -> Option<String> {
    let example = "e.g. \"https://jaeger.example/trace/{trace_id}\"";
    if !(template.starts_with("https://") || template.starts_with("http://")) {
        Some(format!("is not an http(s) address; {example}"))
    } else if template.matches(TRACE_ID_PLACEHOLDER).count() != 1 {
        Some(format!(
            "needs {TRACE_ID_PLACEHOLDER} exactly once, where the trace id goes; {example}"
        ))
    } else if template
        .chars()
        .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
    {
        Some(format!(
            "contains a space, quote or angle bracket; {example}"
        ))
    } else {
        None
    }
}

/// Why `hash` is not an argon2 password hash in PHC form (never quoting it), or `None`.
fn password_hash_problem(hash: &str) -> Option<String> {
    let make_one = "make one with `centra-wms admin-web hash-password`";
    match password_hash::PasswordHash::new(hash.trim()) {
        Err(error) => Some(format!(
            "is not a password hash in PHC form ({error}); {make_one}"
        )),
        Ok(parsed) if !parsed.algorithm.as_str().starts_with("argon2") => Some(format!(
            "is a {} hash; only argon2 hashes are taken; {make_one}",
            parsed.algorithm
        )),
        Ok(parsed) if parsed.hash.is_none() || parsed.salt.is_none() => {
            Some(format!("has no salt or no hash part; {make_one}"))
        }
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The argon2id hash of `sandbox` (what the sandbox settings use).
    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$ekmYg3ZWia73KshR1iFWjg$XHUF5SXNCy/4UJ/ETeMizqiRlshNn0BQ1keScIfaWdQ";

    #[test]
    fn a_trace_url_needs_http_and_the_placeholder_once() {
        assert_eq!(
            trace_url_problem("https://jaeger.example/trace/{trace_id}"),
            None
        );
        let no_id = trace_url_problem("https://jaeger.example/trace/").expect("refused");
        assert!(no_id.contains("{trace_id} exactly once"), "{no_id}");
        let scheme = trace_url_problem("jaeger/{trace_id}").expect("refused");
        assert!(scheme.contains("http(s)"), "{scheme}");
        let config = AdminWebConfig {
            trace_url: Some("https://t.example/trace/{trace_id}?x=1".into()),
            ..AdminWebConfig::default()
        };
        assert_eq!(
            config.trace_link("abc").as_deref(),
            Some("https://t.example/trace/abc?x=1")
        );
        assert_eq!(AdminWebConfig::default().trace_link("abc"), None);
    }

    #[test]
    fn an_argon2_phc_string_is_taken() {
        assert_eq!(password_hash_problem(HASH), None);
    }

    #[test]
    fn other_hashes_and_plain_passwords_are_named_without_quoting_them() {
        let plain = password_hash_problem("hunter2").expect("a plain password is refused");
        assert!(plain.contains("not a password hash"), "{plain}");
        assert!(!plain.contains("hunter2"), "{plain}");
        let scrypt = password_hash_problem("$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo")
            .expect("scrypt is refused");
        assert!(scrypt.contains("only argon2"), "{scrypt}");
    }
}
