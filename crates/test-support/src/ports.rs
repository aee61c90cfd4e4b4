//! Ports for test servers, handed out so that test processes running side by side never get
//! the same one (binding port 0 and releasing it does not: another process, or an outgoing
//! connection, can take the port before the server binds it).

use std::net::SocketAddr;

/// The ports handed out: below Linux's ephemeral range (32768+), from which an outgoing
/// connection can take a port between our check and the service's bind (seen in CI as "grpc
/// server failed: transport error"), and below the range `centra-wms`'s own test harness uses
/// (10000-31999), so the two never hand out the same port.
const PORTS: std::ops::Range<u16> = 2_000..10_000;

/// A port that is free now, from [`PORTS`]. One counter in a locked file under the temporary
/// directory is shared by every test process, so two processes running side by side are never
/// handed the same port before either binds it; a port found taken (a local server) is skipped.
pub fn free_port() -> SocketAddr {
    use std::io::{Read, Seek, Write};
    let path = std::env::temp_dir().join("centra-wms-tests-e2e-ports");
    let mut counter = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .expect("the port counter file");
    counter.lock().expect("lock the port counter");
    let mut text = String::new();
    counter
        .read_to_string(&mut text)
        .expect("read the port counter");
    let span = u32::from(PORTS.end - PORTS.start);
    let mut next: u32 = text.trim().parse().unwrap_or(0);
    for _ in 0..span {
        let port = PORTS.start + u16::try_from(next % span).expect("in range");
        next = next.wrapping_add(1);
        if let Ok(listener) = std::net::TcpListener::bind(("127.0.0.1", port)) {
            counter.set_len(0).expect("reset the port counter");
            counter.rewind().expect("rewind the port counter");
            write!(counter, "{next}").expect("write the port counter");
            return listener.local_addr().expect("addr");
        }
    }
    panic!("no free port in {PORTS:?}");
}
