//! The proxy between the simulators' webhooks and the gateways' receivers: it answers every
//! webhook 200 at once (so the simulator never retries it) and then, by seed, drops it,
//! forwards it twice, holds it back a while (so later ones overtake it) or forwards it as is.
//! The product must still see every change: webhooks are hints, the polls catch up.
//!
//! Layout: [`Proxies`] one proxy per simulator and what they did; `receive` reads one HTTP/1.1
//! request off a connection (the simulators send a `Content-Length` body); `forward` sends it
//! on to the first receiver that answers (two replicas of a gateway have one each).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::Sims;
use crate::table::Tally;
use crate::workload::Rng;

/// What the proxies did with the webhooks, by what.
#[derive(Debug, Default)]
struct Fates(BTreeMap<String, u64>);

/// Where one proxy forwards to, and its dice.
struct Route {
    /// The gateway's receivers (`host:port`), tried in turn from a rotating start.
    targets: Mutex<Vec<String>>,
    rng: Mutex<Rng>,
    fates: Arc<Mutex<Fates>>,
    system: &'static str,
    http: reqwest::Client,
}

/// One proxy per simulator: Centra's webhooks and Ongoing's.
pub struct Proxies {
    centra_route: Arc<Route>,
    ongoing_route: Arc<Route>,
    fates: Arc<Mutex<Fates>>,
}

impl Proxies {
    /// Both proxies on free ports, and both simulators sending to them. The receivers are
    /// set with [`Proxies::forward_to`] once the product has its ports.
    pub async fn start(sims: &Sims) -> Self {
        let seed = crate::env_number("FAULT_TEST_SEED", crate::DEFAULT_SEED);
        let fates = Arc::new(Mutex::new(Fates::default()));
        let route = |system, salt| {
            Arc::new(Route {
                targets: Mutex::new(Vec::new()),
                rng: Mutex::new(Rng::new(seed ^ salt)),
                fates: Arc::clone(&fates),
                system,
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .expect("http client"),
            })
        };
        let centra_route = route("centra", 0xC0FFEE);
        let ongoing_route = route("ongoing", 0xBEEF);
        let centra = listen(Arc::clone(&centra_route)).await;
        let ongoing = listen(Arc::clone(&ongoing_route)).await;
        sims.send_webhooks_to(&centra, &ongoing).await;
        Self {
            centra_route,
            ongoing_route,
            fates,
        }
    }

    /// The receivers of the Centra gateway and of the Ongoing gateway's replicas.
    pub fn forward_to(&self, centra: &[String], ongoing: &[String]) {
        *self.centra_route.targets.lock().expect("targets") = centra.to_vec();
        *self.ongoing_route.targets.lock().expect("targets") = ongoing.to_vec();
    }

    /// Adds what the proxies did to the table.
    pub fn count(&self, tally: &mut Tally) {
        for (fate, count) in &self.fates.lock().expect("fates").0 {
            tally.webhooks.insert(fate.clone(), *count);
        }
    }
}

/// Accepts webhooks on a free port for `route`; answers its `host:port`.
async fn listen(route: Arc<Route>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy binds");
    let addr = listener.local_addr().expect("proxy address").to_string();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let route = Arc::clone(&route);
            tokio::spawn(async move {
                if let Some(request) = receive(stream).await {
                    route.dispatch(request).await;
                }
            });
        }
    });
    addr
}

/// One webhook as received: path, headers to pass on, body.
struct Webhook {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Reads one request and answers it 200 (`Connection: close`); `None` when it is not HTTP.
async fn receive(mut stream: TcpStream) -> Option<Webhook> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let _ = stream
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .await;
    let _ = stream.shutdown().await;
    let passed_on = |name: &str| {
        !["host", "content-length", "connection", "transfer-encoding"]
            .iter()
            .any(|skip| name.eq_ignore_ascii_case(skip))
    };
    Some(Webhook {
        path,
        headers: headers.into_iter().filter(|(n, _)| passed_on(n)).collect(),
        body: buffer[head_end..head_end + length].to_vec(),
    })
}

impl Route {
    fn note(&self, fate: &str) {
        let mut fates = self.fates.lock().expect("fates");
        *fates
            .0
            .entry(format!("{} {fate}", self.system))
            .or_default() += 1;
    }

    /// Drops 15%, duplicates 15% (the copy 0.2-2 s later), holds back 20% for 0.3-3 s (later
    /// ones overtake it), forwards the rest at once.
    async fn dispatch(self: Arc<Self>, webhook: Webhook) {
        self.note("received");
        let (roll, delay) = {
            let mut rng = self.rng.lock().expect("rng");
            (rng.below(100), rng.range(200, 3000))
        };
        let delay = Duration::from_millis(u64::try_from(delay).unwrap_or(500));
        match roll {
            0..=14 => self.note("dropped"),
            15..=29 => {
                self.note("duplicated");
                self.forward(&webhook).await;
                tokio::time::sleep(delay).await;
                self.forward(&webhook).await;
            }
            30..=49 => {
                self.note("held back (reordered)");
                tokio::time::sleep(delay).await;
                self.forward(&webhook).await;
            }
            _ => self.forward(&webhook).await,
        }
    }

    /// Sends `webhook` to the first receiver that takes it; none (the process is down):
    /// counted as lost, which is what a real webhook to a dead pod is.
    async fn forward(&self, webhook: &Webhook) {
        let targets = {
            let mut targets = self.targets.lock().expect("targets");
            let step = usize::from(targets.len() > 1);
            targets.rotate_left(step);
            targets.clone()
        };
        for target in &targets {
            let mut request = self
                .http
                .post(format!("http://{target}{}", webhook.path))
                .body(webhook.body.clone());
            for (name, value) in &webhook.headers {
                request = request.header(name, value);
            }
            match request.send().await {
                Ok(answer) if answer.status().is_success() => {
                    self.note("forwarded");
                    return;
                }
                Ok(answer) => {
                    self.note(&format!(
                        "refused by the gateway ({})",
                        answer.status().as_u16()
                    ));
                    return;
                }
                Err(_) => continue,
            }
        }
        self.note("lost (no receiver up)");
    }
}
