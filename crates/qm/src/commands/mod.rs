//! One module per subcommand.

pub(crate) mod db;
pub(crate) mod fleet;
pub(crate) mod fleet_rematch;
pub(crate) mod fleet_report;
pub(crate) mod inventory;
pub(crate) mod output;
pub(crate) mod sbom;
pub(crate) mod scan;
pub(crate) mod version;
