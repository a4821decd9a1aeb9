//! One module per subcommand.

pub(crate) mod db;
pub(crate) mod version;
