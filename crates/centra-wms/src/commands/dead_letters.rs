//! `dead-letters list|show|retry|discard`: the records a service parked for a person, over its
//! `DeadLetters` gRPC service.

use anyhow::anyhow;
use proto::admin::v1 as pb;
use proto::admin::v1::dead_letters_client::DeadLettersClient;
use serde_json::json;

use super::Failure;
use super::remote::{Remote, RemoteArgs, print_json, time};
use crate::cli::DeadLetterCommand;

const RPC: &str = "DeadLetters";

pub async fn run(
    service: &str,
    remote: &RemoteArgs,
    command: DeadLetterCommand,
) -> Result<(), Failure> {
    let target = Remote::connect(remote)?;
    let mut client = DeadLettersClient::new(target.channel(service)?);
    match command {
        DeadLetterCommand::List {
            flow,
            include_discarded,
        } => {
            let mut letters = Vec::new();
            let mut page_token = String::new();
            loop {
                let page = target
                    .answer(
                        service,
                        RPC,
                        client.list(pb::ListDeadLettersRequest {
                            flow: flow.clone().unwrap_or_default(),
                            include_discarded,
                            page_size: 500,
                            page_token,
                        }),
                    )
                    .await?;
                letters.extend(page.dead_letters);
                if page.next_page_token.is_empty() {
                    break;
                }
                page_token = page.next_page_token;
            }
            if remote.json {
                print_json(&json!(letters.iter().map(letter_json).collect::<Vec<_>>()));
            } else if letters.is_empty() {
                println!("no dead letters in {service}");
            } else {
                for letter in &letters {
                    println!(
                        "{}  {}  {}  {}  {} attempts  {}",
                        letter.id,
                        state(letter.state),
                        letter.flow,
                        letter.record_key,
                        letter.attempts,
                        letter.reason
                    );
                }
            }
            Ok(())
        }
        DeadLetterCommand::Show { id } => {
            let shown = target
                .answer(service, RPC, client.show(pb::ShowDeadLetterRequest { id }))
                .await?;
            let letter = shown.dead_letter.unwrap_or_default();
            if remote.json {
                let mut value = letter_json(&letter);
                value["payload"] = serde_json::from_str(&shown.payload_json)
                    .unwrap_or(serde_json::Value::String(shown.payload_json.clone()));
                value["error_history"] = json!(shown.error_history);
                print_json(&value);
            } else {
                println!("id:          {}", letter.id);
                println!("state:       {}", state(letter.state));
                println!("flow:        {}", letter.flow);
                println!("record:      {}", letter.record_key);
                println!("reason:      {}", letter.reason);
                println!("last error:  {}", letter.last_error);
                println!("attempts:    {}", letter.attempts);
                println!("first fail:  {}", time(letter.first_failed_at.as_ref()));
                println!("last fail:   {}", time(letter.last_failed_at.as_ref()));
                println!("trace id:    {}", letter.trace_id);
                println!("payload:     {}", shown.payload_json);
                for (n, error) in shown.error_history.iter().enumerate() {
                    println!("error {}:     {error}", n + 1);
                }
            }
            Ok(())
        }
        DeadLetterCommand::Retry { ids } => {
            let answer = target
                .answer(
                    service,
                    RPC,
                    client.retry(pb::RetryDeadLettersRequest {
                        selection: Some(pb::retry_dead_letters_request::Selection::Ids(
                            pb::DeadLetterIds { ids },
                        )),
                    }),
                )
                .await?;
            report(
                "retried",
                &answer.retried_ids,
                &answer.not_found_ids,
                remote,
            )
        }
        DeadLetterCommand::Discard { ids, reason } => {
            let answer = target
                .answer(
                    service,
                    RPC,
                    client.discard(pb::DiscardDeadLettersRequest {
                        ids,
                        reason: reason.unwrap_or_default(),
                    }),
                )
                .await?;
            report(
                "discarded",
                &answer.discarded_ids,
                &answer.not_found_ids,
                remote,
            )
        }
    }
}

/// Prints what was done; ids that were not found (or not parked) make the command fail.
fn report(
    verb: &str,
    done: &[String],
    not_found: &[String],
    remote: &RemoteArgs,
) -> Result<(), Failure> {
    if remote.json {
        print_json(&json!({ verb: done, "not_found": not_found }));
    } else {
        for id in done {
            println!("{verb} {id}");
        }
    }
    if not_found.is_empty() {
        Ok(())
    } else {
        Err(Failure::runtime(anyhow!(
            "no parked dead letter with id {}; `centra-wms dead-letters list` shows the ids",
            not_found.join(", ")
        )))
    }
}

fn state(value: i32) -> &'static str {
    match pb::DeadLetterState::try_from(value) {
        Ok(pb::DeadLetterState::Parked) => "parked",
        Ok(pb::DeadLetterState::RetryRequested) => "retry-requested",
        Ok(pb::DeadLetterState::Discarded) => "discarded",
        _ => "unknown",
    }
}

fn letter_json(letter: &pb::DeadLetter) -> serde_json::Value {
    json!({
        "id": letter.id,
        "flow": letter.flow,
        "record_key": letter.record_key,
        "reason": letter.reason,
        "last_error": letter.last_error,
        "attempts": letter.attempts,
        "first_failed_at": time(letter.first_failed_at.as_ref()),
        "last_failed_at": time(letter.last_failed_at.as_ref()),
        "state": state(letter.state),
        "event_id": letter.event_id,
        "trace_id": letter.trace_id,
    })
}
