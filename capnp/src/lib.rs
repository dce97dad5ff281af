//! fbatch's Cap'n Proto schemas (compiled by capnpc in build.rs) and the RPC plumbing
//! every daemon and client shares: one way to open and to serve a connection, each
//! authenticated with the cluster key.

/// Scheduler API: clients and nodes calling schedd (`schema/sched.capnp`).
#[allow(clippy::all)]
pub mod sched_capnp {
    include!(concat!(env!("OUT_DIR"), "/sched_capnp.rs"));
}

/// Node API: schedd and noded after registration (`schema/node.capnp`).
#[allow(clippy::all)]
pub mod node_capnp {
    include!(concat!(env!("OUT_DIR"), "/node_capnp.rs"));
}

pub mod handshake;
pub mod key;
pub mod rpc;
