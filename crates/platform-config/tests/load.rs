//! Loading: defaults, environment overrides, every validation problem, no leaked secrets.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use domain::settings::CapturePolicy;
use platform_config::{AppConfig, ConfigError, ConfigLoader, RuntimeMode};

const MINIMAL: &str = r#"
[settings]
centra_time_zone = "Europe/Stockholm"

[[settings.endpoints]]
name = "shop1"
base_url = "https://shop1.centra.com/api/order-api"
secret = "centra-secret-value"

[wms]
base_url = "https://api.ongoingsystems.se"
warehouse = "sandbox"
user = "api-user"
password = "wms-password-value"
goods_owner_id = 1
"#;

fn with_env(text: &str, env: &[(&str, &str)]) -> Result<AppConfig, ConfigError> {
    ConfigLoader::new()
        .toml(text)
        .env(env.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .load()
}

fn ongoing(config: &AppConfig) -> &platform_config::OngoingAccount {
    config.wms.ongoing().expect("an ongoing account")
}

fn problems(text: &str) -> Vec<String> {
    problems_with_env(text, &[])
}

fn problems_with_env(text: &str, env: &[(&str, &str)]) -> Vec<String> {
    match with_env(text, env) {
        Ok(_) => panic!("expected problems"),
        Err(err @ ConfigError::Invalid(_)) => {
            let list: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
            assert!(!list.is_empty());
            list
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

fn assert_has(problems: &[String], expected: &str) {
    assert!(
        problems.iter().any(|p| p == expected),
        "{expected:?} not in {problems:#?}"
    );
}

fn assert_starts(problems: &[String], expected: &str) {
    assert!(
        problems.iter().any(|p| p.starts_with(expected)),
        "nothing starting with {expected:?} in {problems:#?}"
    );
}

#[test]
fn minimal_config_gets_runtime_defaults() {
    let config = AppConfig::from_toml_str(MINIMAL).unwrap_or_else(|e| panic!("{e}"));
    let runtime = &config.runtime;
    assert_eq!(runtime.mode, RuntimeMode::Embedded);
    assert_eq!(runtime.data_dir, PathBuf::from("./data"));
    assert_eq!(runtime.database_url, None);
    assert_eq!(runtime.nats_url, None);
    assert_eq!(runtime.stream_prefix, "centra-wms");
    assert_eq!(
        runtime.centra_webhook_listen,
        "127.0.0.1:8081".parse::<SocketAddr>().expect("addr")
    );
    assert_eq!(
        runtime.ongoing_webhook_listen,
        "127.0.0.1:8082".parse::<SocketAddr>().expect("addr")
    );
    assert_eq!(runtime.otlp_endpoint, None);
    assert_eq!(runtime.log_filter, "info");
    let ports: Vec<u16> = runtime
        .grpc
        .all()
        .iter()
        .map(|(_, a)| a.listen.port())
        .collect();
    assert_eq!(ports, [50051, 50052, 50053, 50054, 50055, 50056, 50057]);
    assert_eq!(runtime.grpc.order_sync.connect, "http://127.0.0.1:50054");
    assert_eq!(config.settings.sync_interval, Duration::from_secs(900));
    assert_eq!(ongoing(&config).goods_owner_id, 1);
    assert_eq!(ongoing(&config).webhook_token, None);
    assert_eq!(
        config.wms.api_root().expect("ongoing"),
        "https://api.ongoingsystems.se/sandbox/api/v1/"
    );
}

#[test]
fn environment_overrides_file_values() {
    let env = [
        ("CENTRA_WMS__SETTINGS__CAPTURE", "on_completion"),
        ("CENTRA_WMS__SETTINGS__STOCK_TO_CENTRA", "true"),
        ("CENTRA_WMS__SETTINGS__SYNC_INTERVAL", "1h"),
        ("CENTRA_WMS__SETTINGS__WMS_STATUS__ORDER_SHIPPED", "450,451"),
        (
            "CENTRA_WMS__SETTINGS__ENDPOINTS[0]__SECRET",
            "secret-from-env",
        ),
        ("CENTRA_WMS__RUNTIME__MODE", "distributed"),
        (
            "CENTRA_WMS__RUNTIME__DATABASE_URL",
            "postgres://app:pw@db:5432/centra",
        ),
        ("CENTRA_WMS__RUNTIME__NATS_URL", "nats://nats:4222"),
        (
            "CENTRA_WMS__RUNTIME__GRPC__ORDER_SYNC__LISTEN",
            "0.0.0.0:6000",
        ),
        ("CENTRA_WMS__WMS__PASSWORD", "007"),
        ("CENTRA_WMS__WMS__GOODS_OWNER_ID", "42"),
        ("CENTRA_WMS__WMS__WAREHOUSE", "0123"),
        ("CENTRA_WMS_CONFIG", "not an override: single underscore"),
        ("PATH", "/usr/bin"),
    ];
    let config = with_env(MINIMAL, &env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.settings.capture, CapturePolicy::OnCompletion);
    assert!(config.settings.stock_to_centra);
    assert_eq!(config.settings.sync_interval, Duration::from_secs(3600));
    assert_eq!(config.settings.wms_status.order_shipped, [450, 451]);
    assert_eq!(config.settings.endpoints.len(), 1);
    assert_eq!(
        config.settings.endpoints[0].secret.expose(),
        "secret-from-env"
    );
    assert_eq!(
        config.settings.endpoints[0].name.as_str(),
        "shop1",
        "rest of the item kept"
    );
    assert_eq!(config.runtime.mode, RuntimeMode::Distributed);
    assert_eq!(
        config.runtime.database_url.as_ref().map(|u| u.expose()),
        Some("postgres://app:pw@db:5432/centra")
    );
    assert_eq!(config.runtime.grpc.order_sync.listen.port(), 6000);
    assert_eq!(
        config.runtime.grpc.order_sync.connect,
        "http://127.0.0.1:6000"
    );
    assert_eq!(
        ongoing(&config).password.expose(),
        "007",
        "text stays text, leading zero kept"
    );
    assert_eq!(config.wms.warehouse, "0123");
    assert_eq!(ongoing(&config).goods_owner_id, 42);
}

#[test]
fn environment_alone_can_configure_everything() {
    let env = [
        ("CENTRA_WMS__SETTINGS__CENTRA_TIME_ZONE", "UTC"),
        ("CENTRA_WMS__SETTINGS__ENDPOINTS[0]__NAME", "shop1"),
        (
            "CENTRA_WMS__SETTINGS__ENDPOINTS[0]__BASE_URL",
            "http://127.0.0.1:9000/api/order-api",
        ),
        ("CENTRA_WMS__SETTINGS__ENDPOINTS[0]__SECRET", "s"),
        ("CENTRA_WMS__WMS__BASE_URL", "http://127.0.0.1:9001"),
        ("CENTRA_WMS__WMS__WAREHOUSE", "sandbox"),
        ("CENTRA_WMS__WMS__USER", "sandbox"),
        ("CENTRA_WMS__WMS__PASSWORD", "sandbox"),
        ("CENTRA_WMS__WMS__GOODS_OWNER_ID", "1"),
    ];
    let config = with_env("", &env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.settings.catalog().map(|e| e.name.as_str()),
        Some("shop1")
    );
    assert_eq!(
        config.wms.api_root().expect("ongoing"),
        "http://127.0.0.1:9001/sandbox/api/v1/"
    );
}

#[test]
fn an_unknown_environment_key_is_reported() {
    let p = problems_with_env(MINIMAL, &[("CENTRA_WMS__SETTINGS__CAPTUR", "never")]);
    assert_eq!(p, ["settings.captur: unknown key"]);
}

#[test]
fn an_empty_file_lists_every_required_key() {
    let p = problems("");
    assert_starts(&p, "settings.centra_time_zone: required");
    assert_starts(&p, "settings.endpoints: at least one end-point is required");
    for key in [
        "base_url",
        "warehouse",
        "user",
        "password",
        "goods_owner_id",
    ] {
        assert_starts(&p, &format!("wms.{key}: required"));
    }
    assert_eq!(p.len(), 7, "{p:#?}");
}

#[test]
fn problems_from_every_section_are_reported_together() {
    let text = MINIMAL
        .replace("Europe/Stockholm", "Mars/Base")
        .replace("goods_owner_id = 1", "goods_owner_id = 0")
        + "\n[runtime]\nmode = \"distributed\"\n\n[typo]\nx = 1\n";
    let p = problems(&text);
    assert_has(
        &p,
        "settings.centra_time_zone: \"Mars/Base\" is not an IANA time zone",
    );
    assert_has(
        &p,
        "runtime.database_url: required in distributed mode (postgres://user:password@host:5432/database)",
    );
    assert_has(
        &p,
        "runtime.nats_url: required in distributed mode (nats://host:4222)",
    );
    assert_has(&p, "wms.goods_owner_id: must be a positive number");
    assert_has(&p, "typo: unknown key");
    assert_eq!(p.len(), 5, "{p:#?}");
}

#[test]
fn every_runtime_problem() {
    let text = format!(
        "{MINIMAL}\n{}",
        r#"
[runtime]
mode = "clustered"
database_url = "mysql://app:hunter2@db/x"
nats_url = "http://nats:4222"
stream_prefix = "centra.wms"
centra_webhook_listen = "localhost"
otlp_endpoint = "collector:4317"
log_filter = " "
data_dir = ""
colour = true

[runtime.grpc.order_sync]
listen = "nope"

[runtime.grpc.stock_sync]
connect = "grpc://x"

[runtime.grpc.other]
listen = "127.0.0.1:1"
"#
    );
    let p = problems(&text);
    assert_has(
        &p,
        "runtime.mode: \"clustered\" is not one of \"embedded\", \"distributed\"",
    );
    assert_has(
        &p,
        "runtime.database_url: \"mysql://app:***@db/x\" has scheme \"mysql\"; expected postgres, postgresql, sqlite",
    );
    assert_has(
        &p,
        "runtime.nats_url: \"http://nats:4222\" has scheme \"http\"; expected nats, tls, ws, wss",
    );
    assert_has(
        &p,
        "runtime.stream_prefix: stream prefix \"centra.wms\" contains '.'; use only letters, digits, '-' and '_'",
    );
    assert_starts(&p, "runtime.centra_webhook_listen: ");
    assert_starts(
        &p,
        "runtime.otlp_endpoint: \"collector:4317\" has scheme \"collector\"",
    );
    assert_has(&p, "runtime.log_filter: is empty (e.g. \"info\")");
    assert_has(&p, "runtime.data_dir: is empty");
    assert_has(&p, "runtime.colour: unknown key");
    assert_starts(&p, "runtime.grpc.order_sync: ");
    assert_has(
        &p,
        "runtime.grpc.stock_sync.connect: \"grpc://x\" has scheme \"grpc\"; expected http, https",
    );
    assert_has(&p, "runtime.grpc.other: unknown key");
    assert!(
        !p.iter().any(|p| p.contains("hunter2")),
        "password leaked: {p:#?}"
    );
}

#[test]
fn distributed_mode_needs_postgres_not_sqlite() {
    let text = format!(
        "{MINIMAL}\n[runtime]\nmode = \"distributed\"\ndatabase_url = \"sqlite:data/x.db\"\nnats_url = \"nats://127.0.0.1:4223\"\n"
    );
    assert_eq!(
        problems(&text),
        [
            "runtime.database_url: \"sqlite:data/x.db\" has scheme \"sqlite\"; expected postgres, postgresql"
        ]
    );
    let embedded = format!("{MINIMAL}\n[runtime]\ndatabase_url = \"sqlite:data/x.db\"\n");
    assert!(AppConfig::from_toml_str(&embedded).is_ok());
}

#[test]
fn every_wms_problem() {
    let text = MINIMAL
        .replace("https://api.ongoingsystems.se", "api.ongoingsystems.se")
        .replace("warehouse = \"sandbox\"", "warehouse = \"my warehouse\"")
        .replace("user = \"api-user\"", "user = \"\"")
        .replace("password = \"wms-password-value\"", "password = \"  \"")
        .replace(
            "goods_owner_id = 1",
            "goods_owner_id = \"one\"\nwebhook_token = \"\"\nurl = \"x\"",
        );
    let p = problems(&text);
    assert_starts(&p, "wms.base_url: \"api.ongoingsystems.se\" is not a url");
    assert_has(
        &p,
        "wms.warehouse: warehouse \"my warehouse\" contains ' '; use only letters, digits, '-' and '_'",
    );
    assert_has(&p, "wms.user: is empty");
    assert_has(&p, "wms.password: is empty");
    assert_starts(&p, "wms.goods_owner_id: ");
    assert_has(&p, "wms.webhook_token: is empty; leave it out instead");
    assert_has(&p, "wms.url: unknown key");
}

#[test]
fn a_section_that_is_not_a_table_is_reported() {
    let p = problems(&format!("runtime = 5\n{MINIMAL}"));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_starts(&p, "runtime: ");
}

#[test]
fn syntax_errors_give_a_position_but_never_the_line() {
    let text = MINIMAL.replace(
        "password = \"wms-password-value\"",
        "password = \"wms-password-value",
    );
    let err = AppConfig::from_toml_str(&text).expect_err("broken toml");
    let shown = err.to_string();
    assert!(
        matches!(err, ConfigError::Syntax { line: 14, .. }),
        "{shown}"
    );
    assert!(
        shown.starts_with("the given toml is not valid toml: "),
        "{shown}"
    );
    assert!(!shown.contains("wms-password-value"), "{shown}");
}

#[test]
fn files_are_read_and_a_missing_file_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("centra-wms.toml");
    std::fs::write(&path, MINIMAL).expect("write");
    let config = ConfigLoader::new()
        .file(&path)
        .env(std::iter::empty::<(String, String)>())
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ongoing(&config).user, "api-user");

    let missing = dir.path().join("missing.toml");
    let err = AppConfig::load(Some(&missing)).expect_err("missing");
    assert!(matches!(err, ConfigError::Read { .. }));
    assert!(err.to_string().contains("missing.toml"), "{err}");
}

#[test]
fn secrets_are_never_printed() {
    let text = format!(
        "{MINIMAL}\nwebhook_token = \"wms-webhook-token-value\"\n[runtime]\ndatabase_url = \"postgres://app:db-password-value@db/centra\"\nnats_url = \"nats://user:nats-password-value@nats:4222\"\n"
    );
    let config = AppConfig::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let effective = config.effective_toml();
    let debug = format!("{config:?}");
    for secret in [
        "centra-secret-value",
        "wms-password-value",
        "wms-webhook-token-value",
        "db-password-value",
        "nats-password-value",
    ] {
        assert!(
            !effective.contains(secret),
            "{secret} in effective config:\n{effective}"
        );
        assert!(!debug.contains(secret), "{secret} in debug output");
    }
    assert!(
        effective.contains("postgres://app:***@db/centra"),
        "{effective}"
    );
    assert!(effective.contains("secret = \"***\""), "{effective}");
    assert!(effective.contains("password = \"***\""), "{effective}");
    assert_eq!(
        ongoing(&config).webhook_token.as_ref().map(|t| t.expose()),
        Some("wms-webhook-token-value")
    );
}

#[test]
fn effective_toml_shows_defaults_and_reads_back() {
    let config = AppConfig::from_toml_str(MINIMAL).unwrap_or_else(|e| panic!("{e}"));
    let effective = config.effective_toml();
    for line in [
        "sync_interval = \"15m\"",
        "capture = \"never\"",
        "mode = \"embedded\"",
        "order_shipped = [425, 450, 451]",
    ] {
        assert!(effective.contains(line), "{line} missing from\n{effective}");
    }
    // With the masked secrets filled in again, the effective config is a valid config.
    let back = AppConfig::from_toml_str(&effective.replace("\"***\"", "\"x\""))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.settings.wms_status, config.settings.wms_status);
    assert_eq!(back.runtime, config.runtime);
}

#[test]
fn the_wms_kind_defaults_to_ongoing_and_names_its_gateway() {
    let config = with_env(MINIMAL, &[]).expect("valid");
    assert_eq!(config.wms.kind(), platform_config::WmsKind::Ongoing);
    assert_eq!(config.wms.kind().gateway(), "ongoing-gateway");
    assert!(config.wms.ogoship().is_none());
}

#[test]
fn an_unknown_wms_kind_and_keys_of_another_kind_are_refused_by_name() {
    let unknown = MINIMAL.replace("[wms]\n", "[wms]\nkind = \"sap\"\n");
    assert_starts(&problems(&unknown), "wms.kind: \"sap\" is not a WMS");
    let mixed = MINIMAL.replace("[wms]\n", "[wms]\nmerchant_id = \"m1\"\n");
    assert_starts(
        &problems(&mixed),
        "wms.merchant_id: belongs to another kind of WMS",
    );
}

/// `kind = "ogoship"` takes the OGOship keys and names its gateway; secrets never print.
#[test]
fn the_ogoship_kind_takes_its_own_keys() {
    let ogoship = r#"
[settings]
centra_time_zone = "Europe/Stockholm"

[[settings.endpoints]]
name = "shop1"
base_url = "https://shop1.centra.com/api/order-api"
secret = "centra-secret-value"

[wms]
kind = "ogoship"
warehouse = "main"
api_url = "https://api.ogoship.com"
token_url = "https://my.ogoship.com/OAuth/Token"
client_id = "123456"
client_secret = "abcdef"
merchant_id = "m1"
merchant_secret = "merchant-secret-value"
"#;
    let config = with_env(ogoship, &[]).expect("valid");
    assert_eq!(config.wms.kind(), platform_config::WmsKind::Ogoship);
    assert_eq!(config.wms.kind().gateway(), "ogoship-gateway");
    let account = config.wms.ogoship().expect("ogoship account");
    assert_eq!(account.merchant_id, "m1");
    assert!(config.wms.ongoing().is_none() && config.wms.api_root().is_none());
    let shown = format!("{config:?}");
    assert!(!shown.contains("merchant-secret-value"), "{shown}");
    let missing = ogoship.replace("merchant_secret = \"merchant-secret-value\"\n", "");
    assert_starts(&problems(&missing), "wms.merchant_secret");
    assert!(account.shipping_codes.is_empty() && account.webhook_url.is_none());

    let with_hooks = format!(
        "{ogoship}webhook_key = \"k\"\nwebhook_url = \"https://hooks.example.com/webhooks/ogoship\"\n\
         shipping_codes = [\"POSTNORD\", \"DHL_EXPRESS\"]\n"
    );
    let config = with_env(&with_hooks, &[]).expect("valid");
    let account = config.wms.ogoship().expect("ogoship account");
    assert_eq!(account.shipping_codes, ["POSTNORD", "DHL_EXPRESS"]);
    assert_eq!(
        account.webhook_url.as_deref(),
        Some("https://hooks.example.com/webhooks/ogoship")
    );
}

/// A webhook address without a key cannot be registered (OGOship signs every callback with
/// the key); a blank shipping code is named by its position.
#[test]
fn ogoship_webhooks_need_a_key_and_shipping_codes_a_name() {
    let base = r#"
[settings]
centra_time_zone = "Europe/Stockholm"

[[settings.endpoints]]
name = "shop1"
base_url = "https://shop1.centra.com/api/order-api"
secret = "s"

[wms]
kind = "ogoship"
warehouse = "main"
api_url = "https://api.ogoship.com"
token_url = "https://my.ogoship.com/OAuth/Token"
client_id = "123456"
client_secret = "abcdef"
merchant_id = "m1"
merchant_secret = "m"
"#;
    let keyless = format!("{base}webhook_url = \"https://hooks.example.com/webhooks/ogoship\"\n");
    assert_starts(&problems(&keyless), "wms.webhook_url: needs webhook_key");
    let bad_url = format!("{base}webhook_key = \"k\"\nwebhook_url = \"hooks\"\n");
    assert_starts(&problems(&bad_url), "wms.webhook_url");
    let blank = format!("{base}shipping_codes = [\"POSTNORD\", \" \"]\n");
    assert_starts(&problems(&blank), "wms.shipping_codes[1]: is empty");
    let ongoing = MINIMAL.replace("[wms]\n", "[wms]\nshipping_codes = [\"X\"]\n");
    assert_starts(
        &problems(&ongoing),
        "wms.shipping_codes: belongs to another kind of WMS",
    );
}

#[test]
fn redelivery_has_defaults_and_takes_its_keys() {
    let config = AppConfig::from_toml_str(MINIMAL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.runtime.redelivery,
        platform_config::Redelivery::default()
    );
    assert_eq!(config.runtime.redelivery.max_deliveries, 60);

    let text = format!(
        "{MINIMAL}\n[runtime.redelivery]\nmax_deliveries = 5\nfirst_delay = \"500ms\"\nmax_delay = \"10s\"\n"
    );
    let config = AppConfig::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.runtime.redelivery,
        platform_config::Redelivery {
            max_deliveries: 5,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
        }
    );
    let overridden = with_env(
        MINIMAL,
        &[("CENTRA_WMS__RUNTIME__REDELIVERY__MAX_DELIVERIES", "7")],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(overridden.runtime.redelivery.max_deliveries, 7);
}

#[test]
fn every_redelivery_problem() {
    let text = format!(
        "{MINIMAL}\n[runtime.redelivery]\nmax_deliveries = 0\nfirst_delay = \"1ms\"\nmax_delay = \"2days\"\nbackoff = 2\n"
    );
    let p = problems(&text);
    assert_has(
        &p,
        "runtime.redelivery.max_deliveries: is 0: every message needs at least one delivery",
    );
    assert_has(
        &p,
        "runtime.redelivery.first_delay: is below 10ms (e.g. \"1s\")",
    );
    assert_has(
        &p,
        "runtime.redelivery.max_delay: is over a day (e.g. \"1m\")",
    );
    assert_has(&p, "runtime.redelivery.backoff: unknown key");

    let text = format!(
        "{MINIMAL}\n[runtime.redelivery]\nfirst_delay = \"1m\"\nmax_delay = \"1s\"\nmax_deliveries = \"many\"\n"
    );
    let p = problems(&text);
    assert_has(
        &p,
        "runtime.redelivery.max_delay: is shorter than first_delay (60s)",
    );
    assert_starts(&p, "runtime.redelivery.max_deliveries: ");
}

#[test]
fn retention_has_defaults_and_takes_its_keys() {
    const DAY: u64 = 24 * 60 * 60;
    let config = AppConfig::from_toml_str(MINIMAL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.runtime.retention,
        platform_config::Retention {
            bus: Duration::from_secs(7 * DAY),
            inbox: Duration::from_secs(14 * DAY),
            published_outbox: Duration::from_secs(DAY),
            resolved_dead_letters: Duration::from_secs(30 * DAY),
            prune_every: Duration::from_secs(60 * 60),
        }
    );

    let text = format!(
        "{MINIMAL}\n[runtime.retention]\nbus = \"2days\"\ninbox = \"3days\"\npublished_outbox = \"6h\"\nresolved_dead_letters = \"90days\"\nprune_every = \"10m\"\n"
    );
    let config = AppConfig::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.runtime.retention,
        platform_config::Retention {
            bus: Duration::from_secs(2 * DAY),
            inbox: Duration::from_secs(3 * DAY),
            published_outbox: Duration::from_secs(6 * 60 * 60),
            resolved_dead_letters: Duration::from_secs(90 * DAY),
            prune_every: Duration::from_secs(10 * 60),
        }
    );
    let overridden = with_env(
        MINIMAL,
        &[("CENTRA_WMS__RUNTIME__RETENTION__PUBLISHED_OUTBOX", "2h")],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        overridden.runtime.retention.published_outbox,
        Duration::from_secs(2 * 60 * 60)
    );
}

#[test]
fn every_retention_problem() {
    let text = format!(
        "{MINIMAL}\n[runtime.retention]\nbus = \"0s\"\ninbox = \"-1d\"\npublished_outbox = \"0s\"\nresolved_dead_letters = \"0s\"\nprune_every = \"0s\"\nkeep = 1\n"
    );
    let p = problems(&text);
    for key in [
        "bus",
        "published_outbox",
        "resolved_dead_letters",
        "prune_every",
    ] {
        assert_has(
            &p,
            &format!("runtime.retention.{key}: is 0: give an age such as \"7days\""),
        );
    }
    assert_starts(&p, "runtime.retention.inbox: ");
    assert_has(&p, "runtime.retention.keep: unknown key");

    // The inbox must outlive the bus and the redelivery window (about 55 minutes by default).
    let text = format!("{MINIMAL}\n[runtime.retention]\nbus = \"7days\"\ninbox = \"7days\"\n");
    assert_has(
        &problems(&text),
        "runtime.retention.inbox: is 7days, not longer than the bus retention (7days) plus the \
         longest redelivery window (54m 3s): a redelivered or replayed message whose inbox entry \
         was pruned would be handled twice (e.g. \"9days\")",
    );
    // A longer redelivery alone makes the default inbox too short.
    let text =
        format!("{MINIMAL}\n[runtime.redelivery]\nmax_deliveries = 10000\nmax_delay = \"1h\"\n");
    assert_starts(
        &problems(&text),
        "runtime.retention.inbox: is 14days, not longer than the bus retention (7days) plus the \
         longest redelivery window",
    );
    // The bus must keep a message until redelivery gives it up, and its duplicate window.
    let text = format!("{MINIMAL}\n[runtime.retention]\nbus = \"30m\"\n");
    assert_has(
        &problems(&text),
        "runtime.retention.bus: is 30m, not longer than the redelivery window of 54m 3s \
         ([runtime.redelivery]): a message that keeps failing would leave the bus before it is \
         kept as a dead letter",
    );
    let text = format!("{MINIMAL}\n[runtime.retention]\nbus = \"5m\"\n");
    assert_has(
        &problems(&text),
        "runtime.retention.bus: is 5m, shorter than the bus's duplicate window of 10m",
    );
    let text = format!("{MINIMAL}\n[runtime.retention]\nprune_every = \"2days\"\n");
    assert_has(
        &problems(&text),
        "runtime.retention.prune_every: is over a day (e.g. \"1h\")",
    );
}
