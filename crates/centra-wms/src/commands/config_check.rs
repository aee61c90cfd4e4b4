//! `config check FILE`: validate and print the effective settings, secrets masked.

use std::path::Path;

use platform_config::AppConfig;

use super::Failure;

pub fn check(file: &Path) -> Result<(), Failure> {
    let config = AppConfig::load(Some(file)).map_err(Failure::usage)?;
    println!(
        "# {} is valid; effective settings (defaults filled in, secrets masked):",
        file.display()
    );
    print!("{}", config.effective_toml());
    Ok(())
}
