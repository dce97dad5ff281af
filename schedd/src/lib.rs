//! fbatch's scheduler daemon (schedd) and the client commands that talk to it.
//!
//! - [`core`]: the pure scheduler (queue, placement, node liveness), no I/O.
//! - [`store`]: persistence in sled.
//! - [`server`]: the daemon, serving the Cap'n Proto API.
//! - [`client`]: what `fsub`, `fqueue`, `fcancel`, `finfo`, `facct`, `fupload` share.

pub mod client;
pub mod convert;
pub mod core;
pub mod server;
pub mod store;
