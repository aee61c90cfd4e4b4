//! Stock mutations (ERP GQL guide, "Warehouses and inventory"): `setStock` (absolute, per
//! variant and size, `stockQuantityType: PHYSICAL` or `AVAILABLE`), `changeStock` (units into or
//! out of a warehouse) and `acceptPurchaseOrderDelivery` (inbound goods). They run the Order
//! API's rules: physical stock below the allocated units is raised to them (REF/303), here with
//! a `userWarning` saying so.
//!
//! Sizes are named as the guide names them: `productVariant: {id}` plus `size: {name}` or
//! `size: {id}` (the simulator's size id is the size item's id, `ProductSize.id`).

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};

use super::auth::require;
use super::catalog::WAREHOUSE_ID;
use super::purchasing::DeliveryNode;
use super::schema::{
    IdInput, MonetaryValueInput, UserError, UserWarning, at, sim, store_id, user_error,
    user_warning,
};
use crate::state::Store;
use crate::state::rules::receiving::{DeliveryKey, StockUpdate};

/// `size: { id }` or `size: { name }`.
#[derive(InputObject, Clone, Debug)]
pub struct SizeInput {
    pub id: Option<i32>,
    pub name: Option<String>,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockQuantityType {
    /// Units on the shelf, allocated ones included.
    Physical,
    /// Units free to sell: physical is this plus the allocated units.
    Available,
}

#[derive(InputObject, Clone, Debug)]
pub struct ProductSizeStockSetInput {
    pub size: SizeInput,
    pub quantity: i32,
}

#[derive(InputObject, Clone, Debug)]
pub struct ProductVariantStockSetInput {
    pub product_variant: IdInput,
    pub size_stock_levels: Vec<ProductSizeStockSetInput>,
}

#[derive(InputObject, Clone, Debug)]
pub struct StockSetInput {
    pub warehouse: IdInput,
    pub description: Option<String>,
    pub stock_quantity_type: StockQuantityType,
    pub product_variants: Vec<ProductVariantStockSetInput>,
}

#[derive(InputObject, Clone, Debug)]
pub struct SizeChangeInput {
    pub size: SizeInput,
    pub delivered_quantity: i32,
}

#[derive(InputObject, Clone, Debug)]
pub struct ProductVariantStockChangeInput {
    pub product_variant: IdInput,
    /// Kept by Centra for stock value; the simulator keeps no cost.
    pub unit_cost: Option<MonetaryValueInput>,
    pub size_changes: Vec<SizeChangeInput>,
}

#[derive(InputObject, Clone, Debug)]
pub struct StockChangeInput {
    pub into_warehouse: Option<IdInput>,
    pub out_from_warehouse: Option<IdInput>,
    pub description: Option<String>,
    pub product_variants: Vec<ProductVariantStockChangeInput>,
}

/// A stock change Centra recorded (`stockChange { id }`).
#[derive(SimpleObject, Clone, Debug)]
pub struct StockChange {
    pub id: i32,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct StockSetPayload {
    pub stock_changes: Vec<StockChange>,
    pub user_errors: Vec<UserError>,
    pub user_warnings: Vec<UserWarning>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct StockChangePayload {
    pub stock_change: Option<StockChange>,
    pub user_errors: Vec<UserError>,
    pub user_warnings: Vec<UserWarning>,
}

/// Doc gap: `WarehouseStockInsertType`'s values are not on the reference pages searched
/// (centra.dev/graphql/purchaseorderdeliveryacceptinput.html names only the type); the
/// simulator takes `INSERT` (add the received units to stock, the Order API's
/// `insertStock: true`) and `DO_NOT_INSERT`. The gateway's schema uses the same two names, also
/// marked as a doc gap.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarehouseStockInsertType {
    Insert,
    DoNotInsert,
}

/// `AdminUserInput`: the Centra user accepting ("Centra user with Supplier Module access
/// rights"). Doc gap: only `id` is modelled. The simulator keeps no admin users: any id above 0
/// stands for one, 0 or below is an unknown user (a `userError`).
#[derive(InputObject, Clone, Copy, Debug)]
pub struct AdminUserInput {
    pub id: i32,
}

/// As centra.dev/graphql/purchaseorderdeliveryacceptinput.html lists it: `adminUser:
/// AdminUserInput!`, `warehouse: WarehouseInput` ("exactly one input field"),
/// `stockInsertType: WarehouseStockInsertType!`, and no quantities: Centra accepts a delivery
/// as it stands, with its own lines' quantities. (The simulator once took invented received
/// `lines` here; they are gone, the reference has none.)
#[derive(InputObject, Clone, Debug)]
pub struct PurchaseOrderDeliveryAcceptInput {
    pub admin_user: AdminUserInput,
    pub warehouse: Option<IdInput>,
    pub stock_insert_type: WarehouseStockInsertType,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct PurchaseOrderDeliveryAcceptPayload {
    pub purchase_order_delivery: Option<DeliveryNode>,
    pub user_errors: Vec<UserError>,
    pub user_warnings: Vec<UserWarning>,
}

/// The size item of a variant's size, or why not.
fn size_item(store: &Store, variant: i32, size: &SizeInput) -> Result<u64, String> {
    let variant_id =
        store_id(variant).ok_or_else(|| format!("variant {variant} does not exist"))?;
    let mut sizes = store
        .items
        .values()
        .filter(|i| i.variant_id == variant_id)
        .peekable();
    if sizes.peek().is_none() {
        return Err(format!("variant {variant} does not exist"));
    }
    let found = sizes.find(|i| {
        size.id
            .is_some_and(|id| store_id(id) == Some(i.stock_item_id))
            || size.name.as_deref().is_some_and(|n| i.size == n)
    });
    found
        .map(|i| i.stock_item_id)
        .ok_or_else(|| format!("variant {variant} has no such size"))
}

fn stock_change_id(store: &mut Store) -> i32 {
    // Stock changes share the line counter: ids never repeat.
    let id = crate::state::Ids::take(&mut store.ids.line);
    i32::try_from(id).unwrap_or(i32::MAX)
}

/// The stock, delivery and return mutations.
#[derive(Default)]
pub struct StockMutations;

#[Object]
impl StockMutations {
    #[graphql(complexity = "100 + child_complexity")]
    async fn set_stock(
        &self,
        ctx: &Context<'_>,
        input: StockSetInput,
    ) -> async_graphql::Result<StockSetPayload> {
        require(ctx, "StockChange:write", "setStock")?;
        let sim = sim(ctx);
        let refuse = |e: UserError| StockSetPayload {
            stock_changes: Vec::new(),
            user_errors: vec![e],
            user_warnings: Vec::new(),
        };
        if store_id(input.warehouse.id) != Some(WAREHOUSE_ID) {
            return Ok(refuse(user_error(
                format!(
                    "warehouse {} is not the plugin's warehouse",
                    input.warehouse.id
                ),
                at!["input", "warehouse"],
            )));
        }
        // Every size is checked before any stock moves: one bad row refuses the whole call.
        let mut targets = Vec::new();
        let resolved = sim.read(|store| {
            for (v, variant) in input.product_variants.iter().enumerate() {
                for (s, level) in variant.size_stock_levels.iter().enumerate() {
                    let at = at!["input", "productVariants", v, "sizeStockLevels", s];
                    if level.quantity < 0 {
                        return Err(user_error("quantity must be 0 or more", at));
                    }
                    let item = size_item(store, variant.product_variant.id, &level.size)
                        .map_err(|m| user_error(m, at.clone()))?;
                    let allocated = store.allocations().get(&item).copied().unwrap_or(0);
                    let physical = match input.stock_quantity_type {
                        StockQuantityType::Physical => i64::from(level.quantity),
                        StockQuantityType::Available => i64::from(level.quantity) + allocated,
                    };
                    targets.push((item, physical, at));
                }
            }
            Ok(())
        });
        if let Err(e) = resolved {
            return Ok(refuse(e));
        }
        let (changes, warnings) = sim.mutate(|store, now| {
            let mut changes = Vec::new();
            let mut warnings = Vec::new();
            for (item, physical, at) in targets {
                if let StockUpdate::Set {
                    physical: set,
                    clamped: true,
                } = store.set_physical_stock_of(item, physical, None, now)
                {
                    warnings.push(user_warning(
                        format!("quantity {physical} is below the allocated units; set to {set}"),
                        at,
                    ));
                }
                changes.push(StockChange {
                    id: stock_change_id(store),
                });
            }
            (changes, warnings)
        });
        Ok(StockSetPayload {
            stock_changes: changes,
            user_errors: Vec::new(),
            user_warnings: warnings,
        })
    }

    #[graphql(complexity = "100 + child_complexity")]
    async fn change_stock(
        &self,
        ctx: &Context<'_>,
        input: StockChangeInput,
    ) -> async_graphql::Result<StockChangePayload> {
        require(ctx, "StockChange:write", "changeStock")?;
        let sim = sim(ctx);
        let refuse = |e: UserError| StockChangePayload {
            stock_change: None,
            user_errors: vec![e],
            user_warnings: Vec::new(),
        };
        let (sign, warehouse, field) = match (&input.into_warehouse, &input.out_from_warehouse) {
            (Some(w), None) => (1, w.id, "intoWarehouse"),
            (None, Some(w)) => (-1, w.id, "outFromWarehouse"),
            _ => {
                return Ok(refuse(user_error(
                    "exactly one of intoWarehouse and outFromWarehouse is needed",
                    at!["input"],
                )));
            }
        };
        if store_id(warehouse) != Some(WAREHOUSE_ID) {
            return Ok(refuse(user_error(
                format!("warehouse {warehouse} is not the plugin's warehouse"),
                at!["input", field],
            )));
        }
        let mut moves = Vec::new();
        let resolved = sim.read(|store| {
            for (v, variant) in input.product_variants.iter().enumerate() {
                for (s, change) in variant.size_changes.iter().enumerate() {
                    let at = at!["input", "productVariants", v, "sizeChanges", s];
                    if change.delivered_quantity <= 0 {
                        return Err(user_error("deliveredQuantity must be positive", at));
                    }
                    let item = size_item(store, variant.product_variant.id, &change.size)
                        .map_err(|m| user_error(m, at.clone()))?;
                    moves.push((item, sign * i64::from(change.delivered_quantity), at));
                }
            }
            Ok(())
        });
        if let Err(e) = resolved {
            return Ok(refuse(e));
        }
        // All moves or none: a refused move rolls back the ones before it.
        let outcome = sim.mutate(|store, now| {
            let mut done: Vec<(u64, i64)> = Vec::new();
            for (item, delta, at) in &moves {
                if let Err(refusal) = store.change_physical_stock(*item, *delta, now) {
                    for (undo_item, undo) in done.iter().rev() {
                        let _ = store.change_physical_stock(*undo_item, -undo, now);
                    }
                    return Err(user_error(refusal.msg, at.clone()));
                }
                done.push((*item, *delta));
            }
            Ok(StockChange {
                id: stock_change_id(store),
            })
        });
        match outcome {
            Ok(change) => Ok(StockChangePayload {
                stock_change: Some(change),
                user_errors: Vec::new(),
                user_warnings: Vec::new(),
            }),
            Err(e) => Ok(refuse(e)),
        }
    }

    #[graphql(complexity = "100 + child_complexity")]
    async fn accept_purchase_order_delivery(
        &self,
        ctx: &Context<'_>,
        id: i32,
        input: PurchaseOrderDeliveryAcceptInput,
    ) -> async_graphql::Result<PurchaseOrderDeliveryAcceptPayload> {
        require(
            ctx,
            "PurchaseOrderDelivery:write",
            "acceptPurchaseOrderDelivery",
        )?;
        let sim = sim(ctx);
        let current = |delivery: u64| {
            sim.read(|store| store.deliveries.get(&delivery).cloned().map(DeliveryNode))
        };
        let refuse = |e: UserError, delivery: Option<u64>| PurchaseOrderDeliveryAcceptPayload {
            purchase_order_delivery: delivery.and_then(current),
            user_errors: vec![e],
            user_warnings: Vec::new(),
        };
        let Some(delivery_id) = store_id(id).filter(|d| sim.read(|s| s.deliveries.contains_key(d)))
        else {
            return Ok(refuse(
                user_error("purchase order delivery does not exist", at!["id"]),
                None,
            ));
        };
        if store_id(input.admin_user.id).is_none() {
            return Ok(refuse(
                user_error(
                    format!("admin user {} does not exist", input.admin_user.id),
                    at!["input", "adminUser"],
                ),
                Some(delivery_id),
            ));
        }
        if let Some(w) = input.warehouse
            && store_id(w.id) != Some(WAREHOUSE_ID)
        {
            return Ok(refuse(
                user_error(
                    format!("warehouse {} is not the plugin's warehouse", w.id),
                    at!["input", "warehouse"],
                ),
                Some(delivery_id),
            ));
        }
        // The delivery as it stands: every line's own quantity (no quantities in the input).
        let received: Vec<(String, i64)> = sim.read(|store| {
            store
                .deliveries
                .get(&delivery_id)
                .map(|d| {
                    d.lines
                        .iter()
                        .map(|l| (l.item.joined_sku(), l.quantity))
                        .collect()
                })
                .unwrap_or_default()
        });
        let insert = input.stock_insert_type == WarehouseStockInsertType::Insert;
        let outcome = sim.mutate(|store, now| {
            store.accept_delivery(
                &delivery_id.to_string(),
                DeliveryKey::JoinedSku,
                &received,
                insert,
                now,
            )
        });
        match outcome {
            Ok(_) => Ok(PurchaseOrderDeliveryAcceptPayload {
                purchase_order_delivery: current(delivery_id),
                user_errors: Vec::new(),
                user_warnings: Vec::new(),
            }),
            Err(refusal) => Ok(refuse(
                user_error(refusal.msg, at!["id"]),
                Some(delivery_id),
            )),
        }
    }
}
