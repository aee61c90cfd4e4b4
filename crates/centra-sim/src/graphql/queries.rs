//! The read side: lists with `where`, `limit` (1-200, default 20) and 1-based `page`; one object
//! by id; Relay connections (`orderConnection`, `shipmentConnection`) with `first/after` and
//! `last/before`; and `rateLimits`, which needs no permission.
//!
//! Complexity: every field counts 1 plus its children; a list counts its `limit` times its
//! children, so asking for more rows costs more of the `QUERY_COMPLEXITY` bucket. Doc gap:
//! Centra does not publish its formula (the examples show 10 for `rateLimits` and 112-229 for
//! mutations and order reads); only the proportions matter to a client.
//!
//! Doc gap: connection cursors are opaque strings; the simulator's are row offsets.
//!
//! Filters take lists of ids and numbers (`where: {id: [1, 2]}`): Centra's filter fields are
//! lists where the guides show one (`paymentHistory(where: {entryType: [CAPTURE,
//! CAPTURE_REQUEST]})`, ERP GQL guide). Doc gap: the id and number fields' types are not shown;
//! they follow that list form. GraphQL's input coercion still takes a single value as a list of
//! one (`where: {number: 8002}`).

use async_graphql::connection::{Connection, Edge, query};
use async_graphql::{Context, InputObject, Object, OutputType, SimpleObject};
use chrono::{DateTime, Utc};

use super::auth::require;
use super::catalog::{ProductNode, ProductSizeNode, WAREHOUSE_ID, Warehouse, products, warehouse};
use super::limits::RateLimit;
use super::purchasing::{
    DeliveryNode, PurchaseOrderDeliveryStatus, PurchaseOrderNode, delivery_status,
};
use super::schema::{DEFAULT_LIMIT, sim, store_id};
use super::types::{OrderNode, ReturnNode, ShipmentNode, order_hash};
use crate::state::Store;
use crate::state::shipments::Shipment;

/// `where` of `orders` / `orderConnection`.
#[derive(InputObject, Clone, Debug, Default)]
pub struct OrderFilter {
    pub id: Option<Vec<String>>,
    pub number: Option<Vec<i32>>,
    /// Orders created in a window: the DTC examples' "One other way to fetch orders",
    /// `orders(where: {createdAt: {from: "2021-10-23 00:00:00", to: "2021-10-23 23:59:59"}})`
    /// (centra.dev/docs/integration-api/example-queries-dtc; `api-documentation`
    /// `pages/05.api-references/05.graphql-integration-api/05.examples/01.dtc/docs.md`). Added
    /// because the simulator lacked this documented filter.
    pub created_at: Option<DateTimeRange>,
}

/// `createdAt: {from, to}` of [`OrderFilter`], both ends included, either left out.
///
/// Doc gap: the input type's name and whether `from`/`to` take an offset. The example writes
/// `Y-m-d H:i:s` (read in the store's zone, as `createShipment`'s `createdAt` is answered back
/// with the zone's offset); an ISO-8601 time with its offset (the `DateTimeTz` shape) is read
/// as written.
#[derive(InputObject, Clone, Debug, Default)]
#[graphql(name = "DateTimeRangeFilter")]
pub struct DateTimeRange {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A `createdAt` window in UTC: from, to (either open).
type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The window of `range` in UTC, or an error naming the end that is not a date.
fn window(sim: &crate::app::Sim, range: Option<&DateTimeRange>) -> async_graphql::Result<Window> {
    let Some(range) = range else {
        return Ok((None, None));
    };
    let read = |name: &str, raw: Option<&String>| -> async_graphql::Result<Option<DateTime<Utc>>> {
        raw.map(|raw| {
            DateTime::parse_from_rfc3339(raw.trim())
                .map(|t| t.with_timezone(&Utc))
                .or_else(|_| sim.clock.parse(raw))
                .map_err(|_| {
                    async_graphql::Error::new(format!(
                        "where.createdAt.{name}: {raw:?} is not a date (ISO-8601 or Y-m-d H:i:s)"
                    ))
                })
        })
        .transpose()
    };
    Ok((
        read("from", range.from.as_ref())?,
        read("to", range.to.as_ref())?,
    ))
}

/// `where` of `shipments` / `shipmentConnection`.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ShipmentFilter {
    pub id: Option<Vec<i32>>,
    pub number: Option<Vec<String>>,
    pub order_number: Option<Vec<i32>>,
    pub is_good_to_go: Option<bool>,
    pub is_shipped: Option<bool>,
    pub is_paid: Option<bool>,
}

/// `where` of `products`.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ProductFilter {
    pub id: Option<Vec<i32>>,
    pub product_number: Option<String>,
}

/// `where` of `productSizes`.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ProductSizeFilter {
    pub id: Option<i32>,
    #[graphql(name = "GTIN")]
    pub gtin: Option<String>,
    #[graphql(name = "SKU")]
    pub sku: Option<String>,
}

/// `where` of `returns`.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ReturnFilter {
    pub id: Option<Vec<i32>>,
    pub shipment_id: Option<Vec<i32>>,
}

/// `where` of `purchaseOrderDeliveries`: the fields of centra.dev/graphql/
/// purchaseorderdeliveryfilter.html the simulator filters on (`id: [Int!]`, `number: [String!]`,
/// `status: PurchaseOrderDeliveryStatus`, `warehouseId: [Int!]`); the simulator's earlier
/// invented `isAccepted` is gone.
#[derive(InputObject, Clone, Debug, Default)]
pub struct PurchaseOrderDeliveryFilter {
    pub id: Option<Vec<i32>>,
    pub number: Option<Vec<String>>,
    pub status: Option<PurchaseOrderDeliveryStatus>,
    /// Every delivery goes into the plugin's warehouse (the Order API's "Supplier Delivery
    /// Warehouse", REF/503), so another id lists none.
    pub warehouse_id: Option<Vec<i32>>,
}

/// `totalCount` of a connection.
#[derive(SimpleObject, Clone, Debug)]
pub struct ConnectionTotal {
    pub total_count: i32,
}

type Listing<T> = Connection<usize, T, ConnectionTotal>;

/// True when `filter` is not set or lists a value `matches` takes.
fn listed<T>(filter: Option<&Vec<T>>, matches: impl Fn(&T) -> bool) -> bool {
    filter.is_none_or(|values| values.iter().any(matches))
}

/// True when `filter` is not set or lists the API id of the store id `id`.
fn listed_id(filter: Option<&Vec<i32>>, id: u64) -> bool {
    listed(filter, |listed| store_id(*listed) == Some(id))
}

/// A Relay connection over `items` (offsets as cursors).
async fn connect<T: OutputType + Clone + Send + Sync>(
    items: Vec<T>,
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> async_graphql::Result<Listing<T>> {
    query(
        after,
        before,
        first,
        last,
        |after, before, first, last| async move {
            let total = items.len();
            let mut start = after.map_or(0, |a: usize| a + 1).min(total);
            let mut end = before.unwrap_or(total).clamp(start, total);
            if let Some(first) = first {
                end = (start + first).min(end);
            }
            if let Some(last) = last {
                start = end.saturating_sub(last).max(start);
            }
            let mut connection = Connection::with_additional_fields(
                start > 0,
                end < total,
                ConnectionTotal {
                    total_count: i32::try_from(total).unwrap_or(i32::MAX),
                },
            );
            connection.edges.extend(
                items[start..end]
                    .iter()
                    .enumerate()
                    .map(|(i, node)| Edge::new(start + i, node.clone())),
            );
            Ok::<_, async_graphql::Error>(connection)
        },
    )
    .await
}

fn matching_orders(store: &Store, filter: &OrderFilter, (from, to): Window) -> Vec<OrderNode> {
    store
        .orders
        .values()
        .filter(|o| listed_id(filter.number.as_ref(), o.order_id))
        .filter(|o| listed(filter.id.as_ref(), |id| order_hash(o.order_id) == *id))
        .filter(|o| from.is_none_or(|from| o.created >= from))
        .filter(|o| to.is_none_or(|to| o.created <= to))
        .cloned()
        .map(OrderNode::new)
        .collect()
}

fn shipment_matches(filter: &ShipmentFilter, shipment: &Shipment) -> bool {
    listed_id(filter.id.as_ref(), shipment.id)
        && listed(filter.number.as_ref(), |n| *n == shipment.number)
        && listed_id(filter.order_number.as_ref(), shipment.order_id)
        && filter
            .is_good_to_go
            .is_none_or(|f| f == shipment.good_to_go)
        && filter
            .is_shipped
            .is_none_or(|f| f == shipment.is_completed())
        && filter.is_paid.is_none_or(|f| f == shipment.paid)
}

fn matching_shipments(store: &Store, filter: &ShipmentFilter) -> Vec<ShipmentNode> {
    store
        .shipments
        .values()
        .filter(|s| shipment_matches(filter, s))
        .cloned()
        .map(ShipmentNode)
        .collect()
}

/// The queries over the store.
#[derive(Default)]
pub struct DocumentQueries;

#[Object]
impl DocumentQueries {
    /// Orders, oldest first.
    #[graphql(complexity = "limit.max(1) as usize * child_complexity")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<OrderFilter>,
        #[graphql(default = 20)] limit: i32,
        #[graphql(default = 1)] page: i32,
    ) -> async_graphql::Result<Option<Vec<OrderNode>>> {
        require(ctx, "Order:read", "orders")?;
        let filter = filter.unwrap_or_default();
        let window = window(sim(ctx), filter.created_at.as_ref())?;
        let orders = sim(ctx).read(|store| matching_orders(store, &filter, window));
        Ok(Some(super::schema::page(orders, limit, page)?))
    }

    #[graphql(
        complexity = "first.or(last).unwrap_or(DEFAULT_LIMIT).max(1) as usize * child_complexity"
    )]
    async fn order_connection(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<OrderFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<Option<Listing<OrderNode>>> {
        require(ctx, "Order:read", "orderConnection")?;
        let filter = filter.unwrap_or_default();
        let window = window(sim(ctx), filter.created_at.as_ref())?;
        let orders = sim(ctx).read(|store| matching_orders(store, &filter, window));
        Ok(Some(connect(orders, after, before, first, last).await?))
    }

    /// Shipments, oldest first.
    #[graphql(complexity = "limit.max(1) as usize * child_complexity")]
    async fn shipments(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<ShipmentFilter>,
        #[graphql(default = 20)] limit: i32,
        #[graphql(default = 1)] page: i32,
    ) -> async_graphql::Result<Option<Vec<ShipmentNode>>> {
        require(ctx, "Shipment:read", "shipments")?;
        let filter = filter.unwrap_or_default();
        let shipments = sim(ctx).read(|store| matching_shipments(store, &filter));
        Ok(Some(super::schema::page(shipments, limit, page)?))
    }

    async fn shipment(
        &self,
        ctx: &Context<'_>,
        id: i32,
    ) -> async_graphql::Result<Option<ShipmentNode>> {
        require(ctx, "Shipment:read", "shipment")?;
        Ok(store_id(id).and_then(|id| {
            sim(ctx).read(|store| store.shipments.get(&id).cloned().map(ShipmentNode))
        }))
    }

    #[graphql(
        complexity = "first.or(last).unwrap_or(DEFAULT_LIMIT).max(1) as usize * child_complexity"
    )]
    async fn shipment_connection(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<ShipmentFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<Option<Listing<ShipmentNode>>> {
        require(ctx, "Shipment:read", "shipmentConnection")?;
        let filter = filter.unwrap_or_default();
        let shipments = sim(ctx).read(|store| matching_shipments(store, &filter));
        Ok(Some(connect(shipments, after, before, first, last).await?))
    }

    /// Products with their variants and sizes, in product id order.
    #[graphql(complexity = "limit.max(1) as usize * child_complexity")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<ProductFilter>,
        #[graphql(default = 20)] limit: i32,
        #[graphql(default = 1)] page: i32,
    ) -> async_graphql::Result<Option<Vec<ProductNode>>> {
        require(ctx, "Product:read", "products")?;
        let filter = filter.unwrap_or_default();
        let all = sim(ctx).read(products);
        let matching = all
            .into_iter()
            .filter(|p| listed_id(filter.id.as_ref(), p.product_id))
            .filter(|p| {
                filter
                    .product_number
                    .as_deref()
                    .is_none_or(|n| p.items.first().is_some_and(|i| i.sku == n))
            })
            .collect();
        Ok(Some(super::schema::page(matching, limit, page)?))
    }

    /// Sizes (size items) in id order.
    #[graphql(complexity = "limit.max(1) as usize * child_complexity")]
    async fn product_sizes(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<ProductSizeFilter>,
        #[graphql(default = 20)] limit: i32,
        #[graphql(default = 1)] page: i32,
    ) -> async_graphql::Result<Option<Vec<ProductSizeNode>>> {
        require(ctx, "ProductSize:read", "productSizes")?;
        let filter = filter.unwrap_or_default();
        let sizes = sim(ctx).read(|store| {
            store
                .items
                .values()
                .filter(|i| {
                    filter
                        .id
                        .is_none_or(|id| store_id(id) == Some(i.stock_item_id))
                })
                .filter(|i| filter.gtin.as_deref().is_none_or(|g| i.ean == g))
                .filter(|i| filter.sku.as_deref().is_none_or(|s| i.joined_sku() == s))
                .cloned()
                .map(ProductSizeNode)
                .collect()
        });
        Ok(Some(super::schema::page(sizes, limit, page)?))
    }

    /// The plugin's warehouse (the simulator has one).
    async fn warehouses(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<Warehouse>>> {
        require(ctx, "Warehouse:read", "warehouses")?;
        Ok(Some(vec![warehouse()]))
    }

    /// Returns, newest first (as the Order API lists them).
    #[graphql(complexity = "limit.max(1) as usize * child_complexity")]
    async fn returns(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<ReturnFilter>,
        #[graphql(default = 20)] limit: i32,
        #[graphql(default = 1)] page: i32,
    ) -> async_graphql::Result<Option<Vec<ReturnNode>>> {
        require(ctx, "Return:read", "returns")?;
        let filter = filter.unwrap_or_default();
        let returns = sim(ctx).read(|store| {
            store
                .returns
                .values()
                .rev()
                .filter(|r| listed_id(filter.id.as_ref(), r.return_id))
                .filter(|r| listed_id(filter.shipment_id.as_ref(), r.shipment_id))
                .cloned()
                .map(ReturnNode)
                .collect()
        });
        Ok(Some(super::schema::page(returns, limit, page)?))
    }

    /// Purchase orders that have deliveries, in id order.
    #[graphql(complexity = "limit.max(1) as usize * child_complexity")]
    async fn purchase_orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] limit: i32,
        #[graphql(default = 1)] page: i32,
    ) -> async_graphql::Result<Option<Vec<PurchaseOrderNode>>> {
        require(ctx, "PurchaseOrder:read", "purchaseOrders")?;
        let mut ids: Vec<u64> = sim(ctx).read(|store| {
            store
                .deliveries
                .values()
                .map(|d| d.supplier_order_id)
                .collect()
        });
        ids.sort_unstable();
        ids.dedup();
        let orders = ids.into_iter().map(PurchaseOrderNode).collect();
        Ok(Some(super::schema::page(orders, limit, page)?))
    }

    /// Deliveries of purchase orders, in id order.
    #[graphql(complexity = "limit.max(1) as usize * child_complexity")]
    async fn purchase_order_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<PurchaseOrderDeliveryFilter>,
        #[graphql(default = 20)] limit: i32,
        #[graphql(default = 1)] page: i32,
    ) -> async_graphql::Result<Option<Vec<DeliveryNode>>> {
        require(ctx, "PurchaseOrderDelivery:read", "purchaseOrderDeliveries")?;
        let filter = filter.unwrap_or_default();
        let deliveries = sim(ctx).read(|store| {
            store
                .deliveries
                .values()
                .filter(|d| listed_id(filter.id.as_ref(), d.id))
                .filter(|d| listed(filter.number.as_ref(), |n| d.number == *n))
                .filter(|d| filter.status.is_none_or(|s| s == delivery_status(d)))
                .filter(|_| listed_id(filter.warehouse_id.as_ref(), WAREHOUSE_ID))
                .cloned()
                .map(DeliveryNode)
                .collect()
        });
        Ok(Some(super::schema::page(deliveries, limit, page)?))
    }

    /// The six rate-limit buckets after this request was charged. Needs no permission.
    async fn rate_limits(&self, ctx: &Context<'_>) -> Vec<RateLimit> {
        let sim = sim(ctx);
        sim.graphql.limits.snapshot(sim.now())
    }
}
