//! Re-embeds the migrations when a file under `migrations/` changes, and re-checks the GraphQL
//! operations when the schema or an operation under `graphql/` changes.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=graphql");
}
