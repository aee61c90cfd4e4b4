//! glibc's malloc arenas, limited to [`ARENA_MAX`] for the whole process.
//!
//! Why: glibc gives each thread that allocates while another holds an arena an arena of its
//! own, up to eight per core, and an arena keeps the memory freed in it for that arena's
//! threads. This process runs a thread per open SQLite connection (sqlx; the embedded
//! shape's pools allow some forty in all), beside tokio's workers: at 30,000 catalogue sizes
//! it had 37 to 39 threads, and `smaps` showed 54 MiB of anonymous memory for a heap whose
//! peak heaptrack put at 32 MiB, in about a dozen regions at 64 MiB-aligned addresses (glibc's
//! arenas are so aligned), two of about 11 MiB and the rest of about 3 MiB. That the SQLite
//! threads' page caches filled those arenas is our reading, not something observed thread by
//! thread. Two arenas took the embedded peak at 30,000 sizes from 96.6 to 84.6 MiB
//! (`catalog_footprint`, one run each, the same machine and load). jemalloc was no lower:
//! 90.7 MiB with its defaults, 98.8 with two arenas together with `background_thread` and
//! shorter decay times (one run each); mimalloc was higher (README).
//!
//! How: the limit is read from the environment (`MALLOC_ARENA_MAX`) when glibc's allocator
//! starts, before `main`, and setting it from inside (`mallopt`) needs `unsafe`, which this
//! workspace forbids. So a process started without it runs itself again at once with it set
//! (`exec`: the same process id, arguments and environment otherwise), before any thread or
//! allocation of ours. An operator's own `MALLOC_ARENA_MAX` or `GLIBC_TUNABLES` is kept as it
//! is, and when the new image cannot be run (the binary was replaced or removed on disk) the
//! process goes on as it started.

/// Arenas for the whole process: two, so the tokio workers and the SQLite threads share
/// them.
pub const ARENA_MAX: &str = "2";

/// Runs this binary again with `MALLOC_ARENA_MAX` set, unless it is set already (or glibc's
/// tunables are); returns only when it was set or the new image could not be run.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn limit() {
    use std::os::unix::process::CommandExt;

    if std::env::var_os("MALLOC_ARENA_MAX").is_some()
        || std::env::var_os("GLIBC_TUNABLES").is_some()
    {
        return;
    }
    let Ok(binary) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let mut again = std::process::Command::new(&binary);
    if let Some(name) = args.next() {
        again.arg0(name);
    }
    // `exec` returns only when it failed; the process then goes on as it is.
    let failed = again.args(args).env("MALLOC_ARENA_MAX", ARENA_MAX).exec();
    eprintln!(
        "warning: could not start {} again with MALLOC_ARENA_MAX={ARENA_MAX} ({failed}); going on with glibc's default arenas",
        binary.display()
    );
}

/// Other allocators keep no per-thread arenas the way glibc does: nothing to limit.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn limit() {}
