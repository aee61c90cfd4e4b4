//! The whole application configuration and how it is loaded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use domain::settings::{FieldReport, Settings, SettingsDraft};
use serde::Serialize;

use crate::admin_web::{AdminWebConfig, AdminWebDraft};
use crate::error::ConfigError;
use crate::runtime::{RuntimeConfig, RuntimeDraft};
use crate::wms::{WmsConfig, WmsDraft};

/// Environment variables starting with this (then `__`) override file keys.
pub const ENV_PREFIX: &str = "CENTRA_WMS";
/// Separates the prefix and the key levels: `CENTRA_WMS__SETTINGS__CAPTURE=on_completion`.
pub const ENV_SEPARATOR: &str = "__";

/// Everything the application needs, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppConfig {
    /// Tenant settings (`[settings]`).
    pub settings: Settings,
    /// Process shape and addresses (`[runtime]`).
    pub runtime: RuntimeConfig,
    /// The WMS account (`[wms]`).
    pub wms: WmsConfig,
    /// The admin web page (`[admin_web]`).
    pub admin_web: AdminWebConfig,
}

domain::lenient_section! {
    /// The whole file as written.
    struct AppConfigDraft {
        settings: SettingsDraft,
        runtime: RuntimeDraft,
        wms: WmsDraft,
        admin_web: AdminWebDraft,
    }
}

impl AppConfig {
    /// Loads `path` (when given) plus `CENTRA_WMS__SECTION__KEY` environment overrides. Without
    /// a path, the environment alone must provide the required keys.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let mut loader = ConfigLoader::new();
        if let Some(path) = path {
            loader = loader.file(path);
        }
        loader.load()
    }

    /// Loads TOML text alone, ignoring the process environment (for tests and `config check`
    /// of a given text).
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        ConfigLoader::new()
            .toml(text)
            .env(std::iter::empty::<(String, String)>())
            .load()
    }

    /// The effective configuration as TOML, defaults filled in and every secret (and password
    /// inside a URL) shown as `***`: what `centra-wms config check` prints.
    pub fn effective_toml(&self) -> String {
        match toml::to_string(self) {
            Ok(text) => format!("# effective configuration (secrets masked)\n\n{text}"),
            Err(err) => format!("# effective configuration could not be rendered: {err}\n"),
        }
    }
}

/// Builds an [`AppConfig`] from a file or text plus environment overrides.
#[derive(Debug, Default)]
pub struct ConfigLoader {
    file: Option<PathBuf>,
    text: Option<String>,
    env: Option<HashMap<String, String>>,
}

impl ConfigLoader {
    /// No file, the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads this TOML file.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Uses this TOML text instead of a file.
    pub fn toml(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Uses these variables instead of the process environment (tests stay parallel-safe).
    /// Only names starting with `CENTRA_WMS__` are read.
    pub fn env<K, V>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.env = Some(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// Reads, merges and validates, reporting every problem.
    pub fn load(self) -> Result<AppConfig, ConfigError> {
        let (origin, text) = match (&self.file, self.text) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                (path.display().to_string(), text)
            }
            (None, Some(text)) => ("the given toml".to_owned(), text),
            (None, None) => ("no file".to_owned(), String::new()),
        };
        check_syntax(&origin, &text)?;

        let environment = Environment::with_prefix(ENV_PREFIX)
            .prefix_separator(ENV_SEPARATOR)
            .separator(ENV_SEPARATOR)
            .ignore_empty(true)
            .source(self.env.map(|vars| vars.into_iter().collect()));
        let merged = Config::builder()
            .add_source(File::from_str(&text, FileFormat::Toml))
            .add_source(environment)
            .build()
            .map_err(|err| ConfigError::Source(err.to_string()))?;
        let draft: AppConfigDraft = merged
            .try_deserialize()
            .map_err(|err| ConfigError::Source(err.to_string()))?;
        resolve(draft)
    }
}

/// Reports TOML syntax errors by position only: the `config` crate's message would quote the
/// offending line, which may hold a secret.
fn check_syntax(origin: &str, text: &str) -> Result<(), ConfigError> {
    match text.parse::<toml::Table>() {
        Ok(_) => Ok(()),
        Err(err) => {
            let offset = err.span().map_or(0, |span| span.start);
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(ConfigError::Syntax {
                origin: origin.to_owned(),
                line,
                column,
                message: err.message().trim_end().to_owned(),
            })
        }
    }
}

fn resolve(draft: AppConfigDraft) -> Result<AppConfig, ConfigError> {
    let mut top = FieldReport::new("");
    let settings_draft = top.or_default("settings", draft.settings);
    let runtime_draft = top.or_default("runtime", draft.runtime);
    let wms_draft = top.or_default("wms", draft.wms);
    let admin_web_draft = top.or_default("admin_web", draft.admin_web);
    top.unknown_keys(&draft.unknown);
    let mut problems = top.into_problems();

    let settings = match settings_draft.map(SettingsDraft::into_settings) {
        Some(Ok(settings)) => Some(settings),
        Some(Err(settings_problems)) => {
            problems.extend(settings_problems);
            None
        }
        None => None,
    };
    let mut runtime_report = FieldReport::new("runtime");
    let runtime = runtime_draft.map(|d| d.resolve(&mut runtime_report));
    problems.extend(runtime_report.into_problems());
    let mut wms_report = FieldReport::new("wms");
    let wms = wms_draft.and_then(|d| d.resolve(&mut wms_report));
    problems.extend(wms_report.into_problems());
    let mut admin_web_report = FieldReport::new("admin_web");
    let admin_web = admin_web_draft.map(|d| d.resolve(&mut admin_web_report));
    problems.extend(admin_web_report.into_problems());

    match (settings, runtime, wms) {
        (Some(settings), Some(runtime), Some(wms)) if problems.is_empty() => Ok(AppConfig {
            settings,
            runtime,
            wms,
            admin_web: admin_web.unwrap_or_default(),
        }),
        _ => Err(ConfigError::Invalid(problems)),
    }
}
