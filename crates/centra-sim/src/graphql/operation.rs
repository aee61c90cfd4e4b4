//! What one `/graphql` call was and what it cost: an async-graphql extension reads the parsed
//! operation (query or mutation, its top-level fields) and, once validation has computed the
//! query's complexity, charges the rate-limit buckets before anything executes. The
//! [`CallRecord`] it fills feeds `extensions{complexity, permissionsUsed}`, the 429 answer and the
//! request log (`graphql` of `GET /_sim/requests`), so a benchmark can count mutations.

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection,
};
use async_graphql::{ServerError, ServerResult, ValidationResult, Variables};
use serde::Serialize;

use super::limits::{Cost, Refused};
use crate::app::Sim;

/// The operation of a call, as the request log shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationSummary {
    /// `query` or `mutation`.
    pub operation_type: String,
    pub operation_name: Option<String>,
    /// The top-level fields (aliases resolved to field names), e.g. `["completeShipment"]`.
    pub fields: Vec<String>,
    pub complexity: u64,
    /// Refused by the rate limiter (HTTP 429).
    pub rate_limited: bool,
}

#[derive(Debug, Default)]
struct Inner {
    summary: OperationSummary,
    mutations: u64,
    charged: bool,
    refused: Option<Refused>,
    permissions_used: Vec<String>,
}

/// Everything noted about one call while it runs.
#[derive(Debug, Default)]
pub struct CallRecord {
    inner: Mutex<Inner>,
}

impl CallRecord {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes a permission the call needed (each once, in the order first needed).
    pub fn used_permission(&self, permission: &str) {
        let mut inner = self.lock();
        if !inner.permissions_used.iter().any(|p| p == permission) {
            inner.permissions_used.push(permission.to_owned());
        }
    }

    pub fn permissions_used(&self) -> Vec<String> {
        self.lock().permissions_used.clone()
    }

    pub fn summary(&self) -> OperationSummary {
        self.lock().summary.clone()
    }

    pub fn complexity(&self) -> u64 {
        self.lock().summary.complexity
    }

    /// Whether the buckets were charged (a call that failed parsing or validation was not).
    pub fn charged(&self) -> bool {
        self.lock().charged
    }

    pub fn refused(&self) -> Option<Refused> {
        self.lock().refused.clone()
    }

    /// Charges the buckets for this call (once) and remembers a refusal.
    pub fn charge(&self, sim: &Sim, complexity: u64) -> Result<(), Refused> {
        let mut inner = self.lock();
        inner.charged = true;
        inner.summary.complexity = complexity;
        let cost = Cost {
            requests: 1,
            complexity,
            mutations: inner.mutations,
        };
        let outcome = sim.graphql.limits.take(cost, sim.now());
        if let Err(refused) = &outcome {
            inner.summary.rate_limited = matches!(refused, Refused::Later { .. });
            inner.refused = Some(refused.clone());
        }
        outcome
    }

    /// Charges one request and nothing else (a call that failed parsing or validation).
    pub fn charge_request_only(&self, sim: &Sim) -> Result<(), Refused> {
        let mut inner = self.lock();
        inner.charged = true;
        let cost = Cost {
            requests: 1,
            complexity: 0,
            mutations: 0,
        };
        let outcome = sim.graphql.limits.take(cost, sim.now());
        if let Err(refused) = &outcome {
            inner.summary.rate_limited = matches!(refused, Refused::Later { .. });
            inner.refused = Some(refused.clone());
        }
        outcome
    }

    fn note_operation(&self, document: &ExecutableDocument, operation_name: Option<&str>) {
        let operation = match &document.operations {
            DocumentOperations::Single(op) => Some((None, &op.node)),
            DocumentOperations::Multiple(ops) => match operation_name {
                Some(name) => ops
                    .iter()
                    .find(|(n, _)| n.as_str() == name)
                    .map(|(n, op)| (Some(n.to_string()), &op.node)),
                None if ops.len() == 1 => ops
                    .iter()
                    .next()
                    .map(|(n, op)| (Some(n.to_string()), &op.node)),
                None => None,
            },
        };
        let Some((name, operation)) = operation else {
            return;
        };
        let fields: Vec<String> = operation
            .selection_set
            .node
            .items
            .iter()
            .filter_map(|item| match &item.node {
                Selection::Field(field) => Some(field.node.name.node.to_string()),
                Selection::FragmentSpread(_) | Selection::InlineFragment(_) => None,
            })
            .collect();
        let mut inner = self.lock();
        inner.summary.operation_type = match operation.ty {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        }
        .to_owned();
        inner.summary.operation_name = name.or_else(|| operation_name.map(str::to_owned));
        if operation.ty == OperationType::Mutation {
            inner.mutations = u64::try_from(fields.len()).unwrap_or(u64::MAX);
        }
        inner.summary.fields = fields;
    }
}

/// Installs [`Metering`] on the schema.
#[derive(Debug, Default)]
pub struct MeteringFactory;

impl ExtensionFactory for MeteringFactory {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Metering)
    }
}

/// The extension: notes the operation, charges the buckets after validation.
#[derive(Debug)]
struct Metering;

#[async_graphql::async_trait::async_trait]
impl Extension for Metering {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if let Some(call) = ctx.data_opt::<Arc<CallRecord>>() {
            let name = ctx.data_opt::<OperationName>().and_then(|n| n.0.as_deref());
            call.note_operation(&document, name);
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let (Some(call), Some(sim)) = (
            ctx.data_opt::<Arc<CallRecord>>(),
            ctx.data_opt::<Arc<Sim>>(),
        ) else {
            return Ok(result);
        };
        let complexity = u64::try_from(result.complexity).unwrap_or(u64::MAX);
        match call.charge(sim, complexity) {
            Ok(()) => Ok(result),
            Err(Refused::Later { bucket, .. }) => Err(vec![ServerError::new(
                format!("rate limit exceeded ({bucket})"),
                None,
            )]),
            Err(Refused::TooLarge {
                cost,
                bucket,
                quota,
            }) => Err(vec![ServerError::new(
                format!("the request costs {cost} of {bucket}, more than its whole quota {quota}"),
                None,
            )]),
        }
    }
}

/// The `operationName` of the request, for documents with several operations.
#[derive(Debug, Clone)]
pub struct OperationName(pub Option<String>);
