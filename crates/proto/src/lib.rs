//! gRPC and event contracts of centra-wms, generated at build time from the workspace `proto/`
//! folder (see `proto/README.md` for the versioning rules).
//!
//! Layout:
//! - [`events::v1`]: one message per bus event, each starting with an `EventMeta`
//!   (`ShipmentGoodToGo`, `WmsOrderShipped`, `WmsStockChanged`, ...);
//! - [`centra::v1`]: the `CentraGateway` service (client and server);
//! - [`wms::v1`]: the `WmsGateway` service, served by the gateway of the merchant's warehouse
//!   (ongoing-gateway today);
//! - [`admin::v1`]: operator services every sync service may serve (`DeadLetters`, `FlowStatus`,
//!   `Diagnostics`), the one every gateway serves (`ExternalCalls`, the calls it made for a
//!   record) and the per-flow ones (`CatalogAdmin`, `OrderAdmin`, `StockAdmin`,
//!   `ReturnsAdmin`);
//! - [`reasons`]: refusal reasons typed in the status details (`ARTICLE_MISSING`), so callers
//!   match on a code, never on text;
//! - [`FILE_DESCRIPTOR_SET`]: every descriptor, for gRPC reflection or dynamic decoding.
//!
//! Nothing here is hand-written apart from this file and `reasons.rs`: change a contract in the
//! `.proto` file.
//! `build.rs` compiles them with protox, so no system `protoc` is needed.

pub mod reasons;

/// Generated code. Lints are relaxed here only: the code is not ours to style.
macro_rules! generated {
    ($(#[$meta:meta])* $name:ident, $package:literal) => {
        $(#[$meta])*
        #[allow(
            clippy::all,
            clippy::pedantic,
            missing_docs,
            missing_debug_implementations,
            unreachable_pub
        )]
        pub mod $name {
            tonic::include_proto!($package);
        }
    };
}

/// Events on the bus (`centrawms.events.v1`).
pub mod events {
    generated!(
        /// Version 1 of the bus events.
        v1,
        "centrawms.events.v1"
    );
}

/// Commands to Centra (`centrawms.centra.v1`).
pub mod centra {
    generated!(
        /// Version 1 of the Centra gateway service.
        v1,
        "centrawms.centra.v1"
    );
}

/// Commands to the warehouse (`centrawms.wms.v1`), whichever WMS serves them.
pub mod wms {
    generated!(
        /// Version 1 of the WMS gateway service.
        v1,
        "centrawms.wms.v1"
    );
}

/// Operator services (`centrawms.admin.v1`).
pub mod admin {
    generated!(
        /// Version 1 of the admin services.
        v1,
        "centrawms.admin.v1"
    );
}

/// The encoded `google.protobuf.FileDescriptorSet` of every contract (with imports), e.g. for
/// `tonic-reflection` or to decode an event whose type is only known at run time.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/centrawms_descriptor.bin"));
