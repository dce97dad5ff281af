//! The MPI runtime, laid out like the MPI standard: environment (`env`),
//! point-to-point (`p2p`), collectives (`coll`), datatypes (`datatype`),
//! reduction operations (`op`), and the shared machinery: the ABI and guest
//! memory access (`abi`), handle tables (`rank`), message matching
//! (`transport`) and the job-wide state (`world`). `host` holds the adapters
//! that expose it all to wasm.

pub mod abi;
pub mod coll;
pub mod comm;
pub mod datatype;
pub mod env;
pub mod error;
pub mod host;
pub mod info;
pub mod op;
pub mod p2p;
pub mod rank;
pub mod rma_remote;
pub mod transport;
pub mod win;
pub mod world;
