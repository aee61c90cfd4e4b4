//! Outbound orders (ongoing-rest-api.md §4).
//!
//! Layout:
//! - `model.rs`: `PostOrderModel`, `GetOrderModel` and their parts (JSON only);
//! - this file: the [`Order`] record and its read model;
//! - `store.rs`: upsert by `orderNumber`, cancel, status changes, reported numbers;
//! - `picking.rs`: the warehouse side driven by `/_sim/orders/{n}/ship` (picks, parcels,
//!   tracking);
//! - `filters.rs`: the `GET /orders` query;
//! - `handlers.rs`: the HTTP handlers.

mod filters;
pub(crate) mod handlers;
mod model;
pub(crate) mod picking;
pub(crate) mod store;

use chrono::{DateTime, Utc};

use crate::config::status_of;
use crate::models::{ArticleRefModel, CodeNamePair};
use crate::state::{Sim, Store};
use crate::time::{OngoingDate, UtcTime};
use crate::transporters::describe;

pub(crate) use model::{
    GetOrderInfoModel, GetOrderLineModel, GetOrderModel, GetOrderParcelModel,
    GetOrderTrackingModel, GetOrderTransporterModel, ParcelTrackingModel, PickedArticleItemModel,
    PickedItemParcelModel, PostOrderLineModel, PostOrderModel, PostOrderTransporterModel,
    WarehouseModel,
};

/// One outbound order and everything the warehouse did with it.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub order_id: i64,
    pub order_number: String,
    /// The merged header of every PUT (`orderLines` taken out into `lines`).
    pub header: PostOrderModel,
    pub status: i32,
    pub created: DateTime<Utc>,
    /// Any change to the order (`orderUpdatedTimeFrom`).
    pub updated: DateTime<Utc>,
    pub status_changed: DateTime<Utc>,
    pub shipped: Option<DateTime<Utc>>,
    pub last_picked: Option<DateTime<Utc>>,
    pub last_returned: Option<DateTime<Utc>>,
    pub way_bill: Option<String>,
    pub return_way_bill: Option<String>,
    pub lines: Vec<OrderLine>,
    pub parcels: Vec<Parcel>,
    pub tracking: Vec<TrackingEntry>,
    /// Creations that really happened (1 for every stored order: a PUT of a known number updates).
    pub created_count: u32,
    pub update_count: u32,
}

/// One order line and its quantities.
#[derive(Debug, Clone)]
pub(crate) struct OrderLine {
    pub id: i64,
    pub row_number: String,
    pub article_system_id: i64,
    pub ordered: f64,
    pub allocated: f64,
    pub picked: f64,
    pub packed: f64,
    pub reported: Option<f64>,
    pub returned: f64,
    pub reported_returned: Option<f64>,
    /// The line as last sent (comment, serial, customs value, ...).
    pub post: PostOrderLineModel,
    pub items: Vec<PickedItem>,
}

impl OrderLine {
    /// Booked = ordered but not yet picked.
    pub(crate) fn open(&self) -> f64 {
        (self.ordered - self.picked).max(0.0)
    }

    pub(crate) fn should_be_picked(&self) -> bool {
        self.post.should_be_picked.unwrap_or(true)
    }
}

/// One picked stock item (`pickedArticleItems[]`).
#[derive(Debug, Clone)]
pub(crate) struct PickedItem {
    pub id: i64,
    pub number_of_items: f64,
    pub in_date: Option<DateTime<Utc>>,
    pub picked_time: DateTime<Utc>,
    pub packed_time: Option<DateTime<Utc>>,
    pub is_returned: bool,
    pub return_date: Option<DateTime<Utc>>,
    pub return_cause: Option<CodeNamePair>,
    pub parcel_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Parcel {
    pub id: i64,
    pub parcel_number: String,
    pub is_return: bool,
    pub tracking_url: Option<String>,
}

/// One shipment number written by the shipping platform (`tracking[]`).
#[derive(Debug, Clone)]
pub(crate) struct TrackingEntry {
    pub waybill: Option<String>,
    pub tracking_url: Option<String>,
    pub created: DateTime<Utc>,
    pub is_return: bool,
}

impl Order {
    pub(crate) fn picked_total(&self) -> f64 {
        self.lines.iter().map(|line| line.picked).sum()
    }

    pub(crate) fn line_mut(&mut self, line_id: i64) -> Option<&mut OrderLine> {
        self.lines.iter_mut().find(|line| line.id == line_id)
    }

    /// Lines with picked ≠ reported (reported null counts as 0).
    pub(crate) fn has_lines_to_report(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.picked != l.reported.unwrap_or(0.0))
    }

    pub(crate) fn has_returned_lines_to_report(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.returned != l.reported_returned.unwrap_or(0.0))
    }

    pub(crate) fn to_model(&self, sim: &Sim, store: &Store) -> GetOrderModel {
        let h = &self.header;
        let transporter = |t: &Option<PostOrderTransporterModel>| {
            t.as_ref().map(|t| {
                let (transporter_name, name) = t
                    .transporter_code
                    .as_deref()
                    .map(|code| {
                        describe(
                            &sim.config.transporter_contracts,
                            code,
                            t.transporter_service_code.as_deref(),
                        )
                    })
                    .unwrap_or((None, None));
                GetOrderTransporterModel {
                    transporter_name,
                    name,
                    code: t.transporter_code.clone(),
                    service_code: t.transporter_service_code.clone(),
                }
            })
        };
        let tracking = |is_return: bool| {
            self.tracking
                .iter()
                .filter(|t| t.is_return == is_return)
                .map(|t| GetOrderTrackingModel {
                    tracking_url: t.tracking_url.clone(),
                    waybill: t.waybill.clone(),
                    created: UtcTime(t.created),
                    freight_price: None,
                })
                .collect()
        };
        GetOrderModel {
            goods_owner: sim.goods_owner(),
            order_info: GetOrderInfoModel {
                order_id: self.order_id,
                order_number: self.order_number.clone(),
                goods_owner_order_id: h.goods_owner_order_id.clone(),
                reference_number: h.reference_number.clone(),
                sales_code: h.sales_code.clone(),
                order_remark: h.order_remark.clone(),
                delivery_instruction: h.delivery_instruction.clone(),
                service_point_code: h.service_point_code.clone(),
                free_text1: h.free_text1.clone(),
                free_text2: h.free_text2.clone(),
                free_text3: h.free_text3.clone(),
                order_type: h.order_type.clone(),
                way_of_delivery: h.way_of_delivery.clone(),
                delivery_date: h.delivery_date.as_deref().and_then(OngoingDate::parse),
                created_date: UtcTime(self.created),
                shipped_time: self.shipped.map(UtcTime),
                way_bill: self.way_bill.clone(),
                return_way_bill: self.return_way_bill.clone(),
                order_status: status_of(&sim.config.order_statuses, self.status),
                email_notification: h.email_notification.clone(),
                sms_notification: h.sms_notification.clone(),
                telephone_notification: h.telephone_notification.clone(),
                ordered_number_of_items: self.lines.iter().map(|l| l.ordered).sum(),
                allocated_number_of_items: self.lines.iter().map(|l| l.allocated).sum(),
                picked_number_of_items: self.picked_total(),
                customs_info: h.customs_info.clone(),
                consignee_order_number: h.consignee_order_number.clone(),
                picking_priority: h.picking_priority,
                customer_price: h.customer_price,
                warehouse: WarehouseModel {
                    id: h.warehouse_id.unwrap_or(1),
                    code: sim.config.warehouse.clone(),
                    name: sim.config.warehouse.clone(),
                },
            },
            consignee: h.consignee.clone().unwrap_or_default(),
            parcels: self
                .parcels
                .iter()
                .map(|p| GetOrderParcelModel {
                    id: p.id,
                    parcel_number: p.parcel_number.clone(),
                    is_return_parcel: p.is_return,
                    tracking: Some(ParcelTrackingModel {
                        tracking_url: p.tracking_url.clone(),
                    }),
                })
                .collect(),
            order_lines: self
                .lines
                .iter()
                .map(|line| self.line_model(line, store))
                .collect(),
            transporter: transporter(&h.transporter),
            return_transporter: transporter(&h.return_transporter),
            tracking: tracking(false),
            return_tracking: tracking(true),
            classes: Vec::new(),
            shipment_info: None,
        }
    }

    fn line_model(&self, line: &OrderLine, store: &Store) -> GetOrderLineModel {
        let article = store
            .articles
            .get(&line.article_system_id)
            .map(crate::articles::Article::reference)
            .unwrap_or_else(|| ArticleRefModel {
                article_system_id: line.article_system_id,
                article_number: line.post.article_number.clone().unwrap_or_default(),
                article_name: String::new(),
                product_code: String::new(),
            });
        GetOrderLineModel {
            id: line.id,
            row_number: line.row_number.clone(),
            article,
            comment: line.post.comment.clone(),
            ordered_number_of_items: line.ordered,
            allocated_number_of_items: line.allocated,
            picked_number_of_items: line.picked,
            packed_number_of_items: line.packed,
            reported_number_of_items: line.reported,
            returned_number_of_items: line.returned,
            reported_returned_number_of_items: line.reported_returned,
            should_be_picked: line.should_be_picked(),
            picked_article_items: line
                .items
                .iter()
                .map(|item| self.item_model(item, line))
                .collect(),
            sub_order_lines: None,
            serial_number: line.post.serial_number.clone(),
            line_total_customs_value: line.post.line_total_customs_value,
            batch_number: line.post.batch_number.clone(),
            customer_article_number: line.post.customer_article_number.clone(),
            external_id: line.post.external_id.clone(),
            prices: line.post.prices.clone(),
        }
    }

    fn item_model(&self, item: &PickedItem, line: &OrderLine) -> PickedArticleItemModel {
        PickedArticleItemModel {
            article_item_id: item.id,
            number_of_items: item.number_of_items,
            in_date: item.in_date.map(UtcTime),
            serial: line.post.serial_number.clone().unwrap_or_default(),
            case_number: String::new(),
            batch_number: line.post.batch_number.clone().unwrap_or_default(),
            container: String::new(),
            comment: String::new(),
            weight: None,
            volume: None,
            is_picked: true,
            is_returned: item.is_returned,
            expiry_date: None,
            return_date: item.return_date.map(UtcTime),
            picked_time: Some(UtcTime(item.picked_time)),
            packed_time: item.packed_time.map(UtcTime),
            return_cause: item.return_cause.clone(),
            location: "A1".to_owned(),
            location_type_code: String::new(),
            article_item_status: None,
            free_text1: String::new(),
            parcel: item.parcel_id.and_then(|id| {
                self.parcels
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| PickedItemParcelModel {
                        id: p.id,
                        parcel_number: p.parcel_number.clone(),
                    })
            }),
        }
    }
}
