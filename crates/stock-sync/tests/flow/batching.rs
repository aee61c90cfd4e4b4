//! The batching window (`stock_batch_window`): stock changes close together go to Centra in one
//! stock write, each article's value still decided on numbers read when the batch is checked.

use std::time::{Duration, Instant};

use platform_runtime::CancellationToken;
use stock_sync::rules::StockState;

use crate::harness::{TestFlow, settings, spawn_flow_with};

/// The test settings with a batching window of `window`.
async fn windowed(window: Duration) -> TestFlow {
    let mut settings = settings();
    settings.stock_batch_window = window;
    spawn_flow_with(settings).await
}

/// The service's writer loop over `t.flow`, until the token is cancelled.
fn writer(t: &TestFlow) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let stop = CancellationToken::new();
    let flow = t.flow.clone();
    let running = tokio::spawn({
        let stop = stop.clone();
        async move { flow.write_due(stop).await }
    });
    (stop, running)
}

/// Waits until `done` holds, looking every 10 ms; fails after 20 s.
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{what} within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

const BURST: usize = 60;

fn key(i: usize) -> String {
    format!("K{i:02}")
}

/// The WMS stock after the burst: physical 4..=12, of which 0..=2 booked (so a decrease for
/// most articles, and sellable below physical for two in three).
fn after_burst(i: usize) -> (i64, i64) {
    let physical = 4 + (i % 9) as i64;
    (physical, physical - (i % 3) as i64)
}

/// Whether every article of the burst is in sync.
async fn all_in_sync(t: &TestFlow) -> bool {
    for i in 0..BURST {
        if t.state(&key(i)).await.state() != StockState::InSync {
            return false;
        }
    }
    true
}

/// A WMS poll finds 60 changed articles of 6 products and ongoing-gateway publishes them one
/// after another; the consumer marks each as it arrives. With the window the writer checks them
/// together: a few Centra writes instead of one per change (before the window: one check, read
/// and write per mark, about 60 writes), and every article ends at the rule's value, Centra
/// selling no more than the WMS's sellable stock. A redelivered burst costs no call; a burst
/// with nothing changed costs reads, never a write.
#[tokio::test]
async fn a_burst_of_stock_changes_goes_to_centra_in_a_few_writes_with_every_value_right() {
    let t = windowed(Duration::from_millis(400)).await;
    for i in 0..BURST {
        // In sync before the burst: WMS 10 sellable, Centra 10 physical, nothing allocated.
        t.article(&key(i), &(i / 10).to_string(), (10, 10), (10, 0));
    }
    let (stop, running) = writer(&t);
    for i in 0..BURST {
        t.synced(&format!("synced-{i}"), &key(i), &(i / 10).to_string())
            .await;
    }
    until("every article checked once", async || all_in_sync(&t).await).await;
    let (writes, reads) = t.centra.with(|c| (c.writes.len(), c.reads));
    assert_eq!(writes, 0, "Centra had every value already");

    t.wms.with(|w| {
        for i in 0..BURST {
            let level = w.levels.get_mut(&key(i)).expect("level");
            (level.physical, level.sellable) = after_burst(i);
        }
    });
    for i in 0..BURST {
        t.changed(&format!("burst-{i}"), &key(i)).await;
        // The pace of a consumer taking one event after another.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    until("Centra at every new value", async || {
        let right = (0..BURST).all(|i| t.centra_physical(&key(i)) == after_burst(i).1);
        right && all_in_sync(&t).await
    })
    .await;
    let (burst_writes, burst_reads, written) = t.centra.with(|c| {
        (
            c.writes.len() - writes,
            c.reads - reads,
            c.written_products(),
        )
    });
    assert!(
        (1..=4).contains(&burst_writes),
        "{BURST} changes went to Centra in {burst_writes} writes"
    );
    assert!(
        burst_reads <= 4,
        "{BURST} changes read in {burst_reads} reads"
    );
    let changed = (0..BURST).filter(|&i| after_burst(i).1 != 10).count();
    assert_eq!(written, changed, "each changed article written once");
    for i in 0..BURST {
        let (_, sellable) = after_burst(i);
        assert_eq!(t.centra_physical(&key(i)), sellable, "{}", key(i));
        assert_eq!(
            t.centra_sells(&key(i)),
            sellable,
            "never oversold: {}",
            key(i)
        );
    }

    // The same messages again (a redelivery): the inbox knows them, nothing is marked.
    for i in 0..BURST {
        t.changed(&format!("burst-{i}"), &key(i)).await;
    }
    // New messages with nothing changed: read once more, nothing written.
    for i in 0..BURST {
        t.changed(&format!("again-{i}"), &key(i)).await;
    }
    until("the second burst checked", async || {
        let reads_now = t.centra.with(|c| c.reads);
        reads_now > reads + burst_reads
            && t.flow.articles().next_due().await.expect("due").is_none()
    })
    .await;
    t.centra.with(|c| {
        assert_eq!(
            c.writes.len(),
            writes + burst_writes,
            "no write for unchanged stock"
        );
        assert!(
            c.reads - reads - burst_reads <= 4,
            "one burst of reads, not one per message: {}",
            c.reads - reads - burst_reads
        );
    });
    stop.cancel();
    running.await.expect("writer");
}

/// The window is honoured: a marked article is not checked before its window ends, and the
/// check then takes the articles marked within one window after it, in one Centra write.
#[tokio::test]
async fn a_mark_waits_for_its_window_and_takes_the_marks_within_it() {
    let window = Duration::from_millis(400);
    let t = windowed(window).await;
    t.article("A", "1", (5, 5), (0, 0));
    t.article("B", "2", (7, 6), (0, 0));
    t.article("LATE", "3", (2, 2), (0, 0));
    let marked = Instant::now();
    t.synced("a", "A", "1").await;
    assert_eq!(
        t.flow.check_due().await.expect("check").checked,
        0,
        "held back for the window"
    );
    tokio::time::sleep(window / 2).await;
    t.synced("b", "B", "2").await;
    let wait = (window + Duration::from_millis(20)).saturating_sub(marked.elapsed());
    tokio::time::sleep(wait).await;
    t.synced("late", "LATE", "3").await;
    // The window after A's due time reaches LATE too (marked just now, due one window later).
    let report = t.flow.check_due().await.expect("check");
    assert_eq!((report.checked, report.written), (3, 3));
    t.centra.with(|c| {
        assert_eq!(c.writes.len(), 1, "one write for the three");
        assert_eq!(c.written_products(), 3);
    });
    assert_eq!(t.centra_physical("B"), 6, "the sellable units, never more");
    assert_eq!(t.flow.articles().next_due().await.expect("due"), None);
}

/// With `0s` nothing is gathered: an article is due the moment it is marked.
#[tokio::test]
async fn a_zero_window_checks_a_mark_at_once() {
    let t = windowed(Duration::ZERO).await;
    t.article("Z", "1", (3, 3), (0, 0));
    t.synced("z", "Z", "1").await;
    let report = t.flow.check_due().await.expect("check");
    assert_eq!((report.checked, report.written), (1, 1));
    assert_eq!(t.centra_physical("Z"), 3);
}
