//! Seeding through the control API: size items, orders (with their first shipment) and supplier
//! deliveries. Seeding is strict: a line naming an unknown product is an error that names the
//! line and the field, so a test finds its own mistake instead of a silently invented product.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::state::catalog::ItemSnapshot;
use crate::state::catalog::{Price, SizeItem};
use crate::state::deliveries::{DeliveryLine, SupplierDelivery};
use crate::state::orders::{Address, BundleRole, Order, OrderLine};
use crate::state::shipments::{Shipment, ShipmentLine};
use crate::state::{Change, Ids, Store};

/// A seed the store cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SeedError(pub String);

/// A size item to insert or update. Ids left at 0 are matched or assigned.
#[derive(Debug, Clone)]
pub struct ItemDraft {
    pub item: SizeItem,
    /// Physical stock to set; `None` keeps the current value (0 for a new item).
    pub physical: Option<i64>,
}

/// How an order line names its product.
#[derive(Debug, Clone, Default)]
pub struct LineDraft {
    pub ean: String,
    pub sku: String,
    pub variant_sku: String,
    pub size_sku: String,
    pub qty: i64,
    pub price: f64,
    pub original_price: Option<f64>,
    pub tax_percent: Option<f64>,
    pub comment: String,
    /// The parts when this line is a bundle (each becomes a line of its own, REF/104).
    pub parts: Vec<LineDraft>,
    /// The bundle's name when it is not a catalogue item (see [`Store::place_order`]).
    pub name: String,
}

/// An order to place, with its first shipment.
#[derive(Debug, Clone, Default)]
pub struct OrderDraft {
    pub order_id: Option<u64>,
    pub created: Option<DateTime<Utc>>,
    pub customer_id: Option<u64>,
    pub currency: Option<String>,
    pub delivery: Address,
    pub billing: Option<Address>,
    pub billing_vat: String,
    pub shipping_list: String,
    pub carrier: String,
    pub service: String,
    pub shipping_value: f64,
    pub paid: bool,
    pub should_capture: bool,
    pub capture_fails: bool,
    pub payment_method: String,
    pub good_to_go: bool,
    pub lines: Vec<LineDraft>,
}

/// What placing an order created.
#[derive(Debug, Clone)]
pub struct PlacedOrder {
    pub order_id: u64,
    pub shipment_number: String,
    pub order_line_ids: Vec<u64>,
    pub shipment_line_ids: Vec<u64>,
}

/// An expected line of a supplier delivery.
#[derive(Debug, Clone, Default)]
pub struct DeliveryLineDraft {
    pub ean: String,
    pub sku: String,
    pub variant_sku: String,
    pub size_sku: String,
    pub quantity: i64,
    pub cost: f64,
    pub cost_currency: String,
}

/// A supplier delivery to announce.
#[derive(Debug, Clone, Default)]
pub struct DeliveryDraft {
    pub supplier_order_id: Option<u64>,
    pub supplier_name: String,
    pub supplier_country: String,
    pub message: String,
    pub created: Option<DateTime<Utc>>,
    pub etd: Option<DateTime<Utc>>,
    pub eta: Option<DateTime<Utc>>,
    pub lines: Vec<DeliveryLineDraft>,
}

impl Store {
    /// Inserts or updates one size item and bumps its `modified`. Returns its stock item id.
    ///
    /// Matching: `stockItemId` when given, else the EAN, else the joined SKU with the same size
    /// name (rows like `M411-740` have neither EAN nor variant/size SKU, REF/301).
    pub fn upsert_item(&mut self, draft: ItemDraft, now: DateTime<Utc>) -> u64 {
        let ItemDraft { mut item, physical } = draft;
        let existing = if item.stock_item_id != 0 {
            self.items.get(&item.stock_item_id).cloned()
        } else {
            self.item_by_ean(&item.ean)
                .or_else(|| {
                    let joined = item.joined_sku();
                    self.items.values().find(|i| {
                        !joined.is_empty() && i.joined_sku() == joined && i.size == item.size
                    })
                })
                .cloned()
        };
        match &existing {
            Some(old) => {
                item.stock_item_id = old.stock_item_id;
                if item.product_id == 0 {
                    item.product_id = old.product_id;
                }
                if item.variant_id == 0 {
                    item.variant_id = old.variant_id;
                }
                item.created = old.created;
                item.stock_modified = old.stock_modified;
                item.physical = old.physical;
                if item.cost_price.is_none() {
                    item.cost_price.clone_from(&old.cost_price);
                }
            }
            None => {
                if item.stock_item_id == 0 {
                    item.stock_item_id = Ids::take(&mut self.ids.stock_item);
                } else {
                    self.ids.stock_item = self.ids.stock_item.max(item.stock_item_id + 1);
                }
                item.created = now;
                item.stock_modified = now;
                item.physical = 0;
            }
        }
        if item.product_id == 0 {
            item.product_id = self
                .items
                .values()
                .find(|i| !item.sku.is_empty() && i.sku == item.sku)
                .map(|i| i.product_id)
                .unwrap_or_else(|| Ids::take(&mut self.ids.product));
        }
        if item.variant_id == 0 {
            item.variant_id = self
                .items
                .values()
                .find(|i| {
                    i.product_id == item.product_id
                        && i.variant_sku == item.variant_sku
                        && i.variant == item.variant
                })
                .map(|i| i.variant_id)
                .unwrap_or_else(|| Ids::take(&mut self.ids.variant));
        }
        self.ids.product = self.ids.product.max(item.product_id + 1);
        self.ids.variant = self.ids.variant.max(item.variant_id + 1);
        let prices = std::mem::take(&mut item.prices);
        item.prices = prices
            .into_iter()
            .map(|p| Price {
                id: self.pricelist_id(&p.pricelist),
                ..p
            })
            .collect();
        if let Some(physical) = physical
            && physical != item.physical
        {
            item.physical = physical;
            item.stock_modified = now;
        }
        item.modified = now;
        let (id, product_id) = (item.stock_item_id, item.product_id);
        self.items.insert(id, item);
        self.record(Change::ProductChanged { product_id });
        id
    }

    /// Pricelists are store-wide: the same name always has the same id.
    fn pricelist_id(&mut self, pricelist: &str) -> u64 {
        self.items
            .values()
            .flat_map(|i| &i.prices)
            .find(|p| p.pricelist == pricelist)
            .map(|p| p.id)
            .unwrap_or_else(|| Ids::take(&mut self.ids.price))
    }

    fn resolve_item(
        &self,
        what: &str,
        ean: &str,
        sku: &str,
        variant_sku: &str,
        size_sku: &str,
    ) -> Result<&SizeItem, SeedError> {
        let joined = format!("{sku}{variant_sku}{size_sku}");
        self.item_by_ean(ean)
            .or_else(|| self.item_by_joined_sku(&joined))
            .ok_or_else(|| {
                SeedError(format!(
                    "{what}: no product with ean {ean:?} or sku+variantSku+sizeSku {joined:?}; \
                     seed it first with POST /_sim/products"
                ))
            })
    }

    /// Places an order and its first shipment `<order>-1` holding every line; the shipment's
    /// units become allocated.
    pub fn place_order(
        &mut self,
        draft: OrderDraft,
        now: DateTime<Utc>,
    ) -> Result<PlacedOrder, SeedError> {
        if draft.lines.is_empty() {
            return Err(SeedError(
                "order.lines: an order needs at least one line".into(),
            ));
        }
        if let Some(id) = draft.order_id
            && self.orders.contains_key(&id)
        {
            return Err(SeedError(format!(
                "order.orderId: order {id} already exists"
            )));
        }
        // Lines flattened: a bundle line, then its parts (each a line of its own, REF/104).
        let mut flat: Vec<(String, &LineDraft, Option<usize>)> = Vec::new();
        for (index, line) in draft.lines.iter().enumerate() {
            let at = flat.len();
            flat.push((format!("order.lines[{index}]"), line, None));
            for (part_index, part) in line.parts.iter().enumerate() {
                if !part.parts.is_empty() {
                    return Err(SeedError(format!(
                        "order.lines[{index}].bundle[{part_index}].bundle: a part cannot be a bundle"
                    )));
                }
                flat.push((
                    format!("order.lines[{index}].bundle[{part_index}]"),
                    part,
                    Some(at),
                ));
            }
        }
        let mut resolved = Vec::with_capacity(flat.len());
        for (what, line, _) in &flat {
            if line.qty <= 0 {
                return Err(SeedError(format!(
                    "{what}.qty: must be positive, got {}",
                    line.qty
                )));
            }
            let found = self.resolve_item(
                what,
                &line.ean,
                &line.sku,
                &line.variant_sku,
                &line.size_sku,
            );
            let item = match found {
                Ok(item) => item.snapshot(),
                // A bundle is a product in Centra (REF/303 refuses stock for it:
                // `productsAreBundles`), but the simulator's catalogue holds stocked size items
                // only, so a bundle not in it is described by its order line.
                Err(_) if !line.parts.is_empty() && !line.sku.is_empty() => virtual_bundle(line),
                Err(err) => return Err(err),
            };
            resolved.push(item);
        }
        let order_id = match draft.order_id {
            Some(id) => {
                self.ids.order = self.ids.order.max(id + 1);
                id
            }
            None => Ids::take(&mut self.ids.order),
        };
        let mut bundle_ids: Vec<Option<u64>> = vec![None; flat.len()];
        for (at, (_, line, _)) in flat.iter().enumerate() {
            if !line.parts.is_empty() {
                bundle_ids[at] = Some(Ids::take(&mut self.ids.bundle));
            }
        }
        let mut lines: Vec<OrderLine> = Vec::with_capacity(flat.len());
        for (at, ((_, line, bundle_at), item)) in flat.iter().zip(resolved).enumerate() {
            let bundle = match (bundle_ids[at], bundle_at.and_then(|b| bundle_ids[b])) {
                (Some(id), _) => BundleRole::Bundle(id),
                (None, Some(id)) => BundleRole::Part(id),
                (None, None) => BundleRole::None,
            };
            lines.push(OrderLine {
                line_id: Ids::take(&mut self.ids.line),
                item,
                qty: line.qty,
                price: line.price,
                original_price: line.original_price.unwrap_or(line.price),
                tax_percent: line.tax_percent.unwrap_or(25.0),
                comment: line.comment.clone(),
                bundle,
            });
        }
        let created = draft.created.unwrap_or(now);
        let order = Order {
            order_id,
            selection_id: selection_id(order_id),
            created,
            customer_id: draft.customer_id.unwrap_or(order_id + 10_000),
            currency: draft.currency.unwrap_or_else(|| "EUR".into()),
            billing: draft.billing.unwrap_or_else(|| draft.delivery.clone()),
            delivery: draft.delivery,
            billing_vat: draft.billing_vat,
            shipping_list: draft.shipping_list,
            carrier: draft.carrier,
            service: draft.service,
            shipping_value: draft.shipping_value,
            paid: draft.paid,
            should_capture: draft.should_capture && !draft.paid,
            capture_fails: draft.capture_fails,
            payment_method: draft.payment_method,
            internal_comment: String::new(),
            lines,
            shipments_made: 1,
        };
        let shipment_lines: Vec<ShipmentLine> = order
            .lines
            .iter()
            .map(|l| ShipmentLine {
                line_id: Ids::take(&mut self.ids.line),
                order_line_id: l.line_id,
                qty: l.qty,
                serial_number: None,
            })
            .collect();
        let shipment = Shipment {
            id: Ids::take(&mut self.ids.shipment),
            number: format!("{order_id}-1"),
            order_id,
            created,
            good_to_go: draft.good_to_go,
            paid: order.paid,
            should_capture: order.should_capture,
            captured: false,
            capture_count: 0,
            capture_pending: false,
            shipped_at: None,
            complete_count: 0,
            carrier: order.carrier.clone(),
            service: order.service.clone(),
            tracking: String::new(),
            return_slip_tracking: String::new(),
            packages: None,
            internal_comment: String::new(),
            lines: shipment_lines,
        };
        let placed = PlacedOrder {
            order_id,
            shipment_number: shipment.number.clone(),
            order_line_ids: order.lines.iter().map(|l| l.line_id).collect(),
            shipment_line_ids: shipment.lines.iter().map(|l| l.line_id).collect(),
        };
        self.record(Change::OrderCreated { order_id });
        self.record(Change::ShipmentCreated {
            shipment_id: shipment.id,
        });
        if shipment.good_to_go {
            self.record(Change::ShipmentGoodToGo {
                shipment_id: shipment.id,
            });
        }
        self.orders.insert(order_id, order);
        self.shipments.insert(shipment.id, shipment);
        Ok(placed)
    }

    /// Announces a supplier delivery `<supplier order>-<n>`.
    pub fn add_delivery(
        &mut self,
        draft: DeliveryDraft,
        now: DateTime<Utc>,
    ) -> Result<(u64, String), SeedError> {
        if draft.lines.is_empty() {
            return Err(SeedError(
                "lines: a delivery needs at least one line".into(),
            ));
        }
        let mut lines = Vec::with_capacity(draft.lines.len());
        for (index, line) in draft.lines.iter().enumerate() {
            if line.quantity <= 0 {
                return Err(SeedError(format!(
                    "lines[{index}].quantity: must be positive, got {}",
                    line.quantity
                )));
            }
            let item = self.resolve_item(
                &format!("lines[{index}]"),
                &line.ean,
                &line.sku,
                &line.variant_sku,
                &line.size_sku,
            )?;
            lines.push(DeliveryLine {
                item: item.snapshot(),
                quantity: line.quantity,
                cost: line.cost,
                cost_currency: line.cost_currency.clone(),
            });
        }
        let supplier_order_id = match draft.supplier_order_id {
            Some(id) => {
                self.ids.supplier_order = self.ids.supplier_order.max(id + 1);
                id
            }
            None => Ids::take(&mut self.ids.supplier_order),
        };
        let created = draft.created.unwrap_or(now);
        let delivery = SupplierDelivery {
            id: Ids::take(&mut self.ids.delivery),
            number: self.next_delivery_number(supplier_order_id),
            supplier_order_id,
            supplier_name: draft.supplier_name,
            supplier_country: draft.supplier_country,
            message: draft.message,
            created,
            etd: draft.etd.unwrap_or(created + Duration::days(7)),
            eta: draft.eta.unwrap_or(created + Duration::days(14)),
            lines,
            acceptance: None,
            accept_count: 0,
        };
        let answer = (delivery.id, delivery.number.clone());
        self.deliveries.insert(delivery.id, delivery);
        self.record(Change::DeliveryCreated {
            delivery_id: answer.0,
        });
        Ok(answer)
    }

    pub(crate) fn next_delivery_number(&self, supplier_order_id: u64) -> String {
        let n = self
            .deliveries
            .values()
            .filter(|d| d.supplier_order_id == supplier_order_id)
            .count()
            + 1;
        format!("{supplier_order_id}-{n}")
    }
}

/// A bundle that is not a catalogue item: what its order line says of it.
fn virtual_bundle(line: &LineDraft) -> ItemSnapshot {
    let name = if line.name.is_empty() {
        line.sku.clone()
    } else {
        line.name.clone()
    };
    ItemSnapshot {
        stock_item_id: 0,
        product_id: 0,
        variant_id: 0,
        sku: line.sku.clone(),
        variant_sku: line.variant_sku.clone(),
        size_sku: line.size_sku.clone(),
        product: name.clone(),
        name,
        variant: String::new(),
        size: String::new(),
        ean: line.ean.clone(),
        upc: String::new(),
        brand: String::new(),
        collection: String::new(),
        weight: 0.0,
        weight_unit: "kg".into(),
        country_of_origin: String::new(),
        harm_code: String::new(),
    }
}

/// A stable 32-hex selection id, like Centra's (`"ff805e6dc70f905553e2225c6977a27a"`).
fn selection_id(order_id: u64) -> String {
    let digest = Sha256::digest(format!("selection-{order_id}").as_bytes());
    hex::encode(&digest[..16])
}
