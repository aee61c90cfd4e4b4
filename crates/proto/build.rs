//! Compiles every `.proto` under the workspace `proto/` folder with protox (pure Rust, no system
//! `protoc`), then generates prost messages and tonic clients/servers from the descriptor set.
//! The encoded descriptor set is written next to the code for `FILE_DESCRIPTOR_SET`.

use std::path::{Path, PathBuf};
use std::{env, fs, io};

use protox::prost::Message as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let proto_root = manifest_dir.join("../../proto").canonicalize()?;
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);

    let mut files = Vec::new();
    collect_protos(&proto_root, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(format!("no .proto files under {}", proto_root.display()).into());
    }

    // Cargo re-runs the script when anything under the folder changes.
    println!("cargo:rerun-if-changed={}", proto_root.display());
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }

    let fds = protox::compile(&files, [&proto_root])?;
    fs::write(
        out_dir.join("centrawms_descriptor.bin"),
        fds.encode_to_vec(),
    )?;

    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}

fn collect_protos(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "proto") {
            files.push(path);
        }
    }
    Ok(())
}
