//! Native JSON: the inventory as it is, in a versioned envelope.
//!
//! `{"schema": "qm-inventory/1", "tool": {"name", "version"}, "created", …inventory fields}`.
//! Keys come out in declaration order (the envelope's, then `qm_model::Inventory`'s), so the
//! output is stable; absent optional fields and empty lists are left out. Every field is
//! documented in `docs/inventory-json.md` at the repository root, and a test fails when a key
//! appears that the document does not name.
//!
//! The schema string changes only for a change that breaks readers (a field removed, renamed or
//! given a new meaning); added fields keep `qm-inventory/1`.

use qm_model::Inventory;
use serde::Serialize;

use crate::{RenderContext, TOOL_NAME};

/// The `schema` value of native inventory documents this crate writes.
pub const NATIVE_SCHEMA: &str = "qm-inventory/1";

#[derive(Serialize)]
pub(crate) struct Document<'a> {
    schema: &'static str,
    tool: Tool<'a>,
    created: String,
    #[serde(flatten)]
    inventory: &'a Inventory,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

/// Wraps `inventory` in the envelope.
pub(crate) fn document<'a>(inventory: &'a Inventory, context: &'a RenderContext) -> Document<'a> {
    Document {
        schema: NATIVE_SCHEMA,
        tool: Tool {
            name: TOOL_NAME,
            version: &context.tool_version,
        },
        created: context.timestamp.to_string(),
        inventory,
    }
}
