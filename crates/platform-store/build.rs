//! Rebuild when a migration file is added or changed: `sqlx::migrate!` embeds the folders at
//! compile time, and cargo does not see new files in them on its own.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=tests/migrations");
}
