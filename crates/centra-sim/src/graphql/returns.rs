//! `createReturn` (ERP GQL guide, "Returns"): a return of shipped units, keyed by shipment line
//! ids, with a stock policy. Refunds are not in the Integration API ("Refunds are currently not
//! supported with the Integration API"): a client refunds through the Order API's
//! `PUT /returns/{id}`, which sees the same return.
//!
//! Unlike the Order API's `POST /return`, which skips lines it cannot return, each line is
//! checked first and a bad one is a `userError` naming it; nothing is created then.

use async_graphql::{Context, InputObject, Object, SimpleObject};

use super::auth::require;
use super::schema::{IdInput, UserError, UserWarning, at, sim, store_id, user_error};
use super::types::ReturnNode;
use crate::state::rules::returning::ReturnRequest;

#[derive(InputObject, Clone, Debug)]
pub struct ReturnLineCreateInput {
    pub shipment_line: IdInput,
    pub quantity: i32,
}

/// Exactly one of the three policies (DTC examples, "Creating a Return").
#[derive(InputObject, Clone, Debug, Default)]
pub struct ReturnStockActionPolicyInput {
    /// Back to the warehouse they came from: physical stock grows.
    pub release_items_back_to_warehouse: Option<bool>,
    /// Not back in stock.
    pub remove_items_from_stock: Option<bool>,
    /// Doc gap: the simulator has one warehouse, so another one is refused.
    pub send_items_to_different_warehouse: Option<IdInput>,
}

#[derive(InputObject, Clone, Debug)]
pub struct ReturnCreateInput {
    pub shipment: IdInput,
    pub lines: Vec<ReturnLineCreateInput>,
    pub return_stock_action_policy: ReturnStockActionPolicyInput,
    pub comment: Option<String>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct ReturnCreatePayload {
    #[graphql(name = "return")]
    pub created: Option<ReturnNode>,
    pub user_errors: Vec<UserError>,
    pub user_warnings: Vec<UserWarning>,
}

/// The return mutations.
#[derive(Default)]
pub struct ReturnMutations;

#[Object]
impl ReturnMutations {
    #[graphql(complexity = "100 + child_complexity")]
    async fn create_return(
        &self,
        ctx: &Context<'_>,
        input: ReturnCreateInput,
    ) -> async_graphql::Result<ReturnCreatePayload> {
        require(ctx, "Return:write", "createReturn")?;
        let sim = sim(ctx);
        let refuse = |e: UserError| ReturnCreatePayload {
            created: None,
            user_errors: vec![e],
            user_warnings: Vec::new(),
        };
        let policy = &input.return_stock_action_policy;
        let release = policy.release_items_back_to_warehouse.unwrap_or(false);
        let remove = policy.remove_items_from_stock.unwrap_or(false);
        if policy.send_items_to_different_warehouse.is_some() {
            return Ok(refuse(user_error(
                "the simulator has one warehouse: use releaseItemsBackToWarehouse",
                at![
                    "input",
                    "returnStockActionPolicy",
                    "sendItemsToDifferentWarehouse"
                ],
            )));
        }
        if release == remove {
            return Ok(refuse(user_error(
                "exactly one stock action policy is needed",
                at!["input", "returnStockActionPolicy"],
            )));
        }
        let checked = sim.read(|store| {
            let shipment = store_id(input.shipment.id)
                .and_then(|id| store.shipments.get(&id))
                .ok_or_else(|| user_error("shipment does not exist", at!["input", "shipment"]))?;
            if !shipment.is_completed() {
                return Err(user_error(
                    "shipment is not shipped",
                    at!["input", "shipment"],
                ));
            }
            if input.lines.is_empty() {
                return Err(user_error("lines are required", at!["input", "lines"]));
            }
            let mut products = Vec::new();
            for (i, l) in input.lines.iter().enumerate() {
                let line = store_id(l.shipment_line.id)
                    .and_then(|id| shipment.line(id))
                    .ok_or_else(|| {
                        user_error(
                            format!(
                                "shipment line {} is not on the shipment",
                                l.shipment_line.id
                            ),
                            at!["input", "lines", i, "shipmentLine"],
                        )
                    })?;
                let earlier: i64 = products
                    .iter()
                    .filter(|(id, _)| *id == line.line_id.to_string())
                    .map(|(_, q)| *q)
                    .sum();
                let returnable = line.qty - store.returned_qty(line.line_id) - earlier;
                if l.quantity <= 0 || i64::from(l.quantity) > returnable {
                    return Err(user_error(
                        format!("quantity must be between 1 and {returnable}"),
                        at!["input", "lines", i, "quantity"],
                    ));
                }
                products.push((line.line_id.to_string(), i64::from(l.quantity)));
            }
            Ok((shipment.number.clone(), products))
        });
        let (shipment, products) = match checked {
            Ok(c) => c,
            Err(e) => return Ok(refuse(e)),
        };
        let request = ReturnRequest {
            shipment,
            products: Some(products),
            return_stock: release,
            comment: input.comment,
            ..ReturnRequest::default()
        };
        match sim.mutate(|store, now| store.create_return(&request, now)) {
            Ok(created) => Ok(ReturnCreatePayload {
                created: sim.read(|store| {
                    store
                        .returns
                        .get(&created.return_id)
                        .cloned()
                        .map(ReturnNode)
                }),
                user_errors: Vec::new(),
                user_warnings: Vec::new(),
            }),
            Err(refusal) => Ok(refuse(user_error(refusal.msg, at!["input"]))),
        }
    }
}
