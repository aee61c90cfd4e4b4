//! Retrying centra-gateway's dead letters (records Centra sent that the gateway could not
//! read, shipments good to go again after a cancellation): the gateway keeps no copy to
//! replay, because the record belongs to Centra. A retry wakes the polls of the record's
//! end-point, so the record is read again from Centra as it is now: fixed, it flows; still
//! broken, it is kept again. (A product fixed in Centra is read again anyway, as its
//! `modified` moves.)

use async_trait::async_trait;
use domain::EndpointName;
use platform_runtime::DeadLetterRetry;
use platform_store::DeadLetter;

use crate::detect::Wakers;

/// Wakes the polls of each retried record's end-point (`record_key` = `<end-point>:<key>`).
#[derive(Debug, Clone)]
pub struct PollAgain {
    wakers: Wakers,
}

impl PollAgain {
    pub fn new(wakers: Wakers) -> Self {
        Self { wakers }
    }
}

#[async_trait]
impl DeadLetterRetry for PollAgain {
    async fn retry(&self, letters: Vec<DeadLetter>) {
        let mut woken: Vec<EndpointName> = Vec::new();
        for letter in letters {
            let endpoint = letter
                .record_key
                .split_once(':')
                .and_then(|(name, _)| EndpointName::parse(name).ok());
            match endpoint {
                Some(endpoint) if woken.contains(&endpoint) => {}
                Some(endpoint) if self.wakers.wake(&endpoint) => {
                    tracing::info!(endpoint = %endpoint, dead_letter_id = letter.id, "polls woken to read a retried record again");
                    woken.push(endpoint);
                }
                _ => {
                    tracing::warn!(dead_letter_id = letter.id, record_key = %letter.record_key, "retried record names no configured end-point");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use platform_store::DeadLetterStatus;

    use super::*;

    fn letter(record_key: &str) -> DeadLetter {
        DeadLetter {
            id: 1,
            service: "centra-gateway".into(),
            kind: "centra.product".into(),
            record_key: record_key.into(),
            reason: "weight: not a number".into(),
            payload: serde_json::Value::Null,
            attempts: 1,
            status: DeadLetterStatus::Retried,
            first_seen_at: 0,
            last_seen_at: 0,
            resolved_at: None,
        }
    }

    #[tokio::test]
    async fn a_retry_wakes_the_polls_of_the_records_end_point_only() {
        let shop1 = EndpointName::parse("shop1").expect("name");
        let shop2 = EndpointName::parse("shop2").expect("name");
        let wakers = Wakers::new([&shop1, &shop2]);
        let (one, two) = (wakers.signal(&shop1), wakers.signal(&shop2));
        PollAgain::new(wakers)
            .retry(vec![letter("shop1:4711"), letter("nowhere:1")])
            .await;
        tokio::time::timeout(Duration::from_secs(1), one.notified())
            .await
            .expect("shop1's polls woken");
        assert!(
            tokio::time::timeout(Duration::from_millis(100), two.notified())
                .await
                .is_err(),
            "shop2's polls left alone"
        );
    }
}
