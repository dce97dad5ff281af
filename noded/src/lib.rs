//! fbatch's node daemon: runs MPI ranks as wasm instances (one thread and one
//! `Store` each) with MPI implemented as host functions.
//!
//! - [`daemon`]: registration, heartbeats, launch and cancel from schedd.
//! - [`job`]: a job's ranks on this node and their supervisor.
//! - [`rank`]: one rank's store, WASI context and run.
//! - [`mpi`]: the MPI runtime, by chapter of the standard.
//! - [`cache`]: compiled modules.

pub mod cache;
pub mod daemon;
pub mod job;
pub mod mpi;
pub mod output;
pub mod peer;
pub mod rank;
