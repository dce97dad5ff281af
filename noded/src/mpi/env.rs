//! Environment management (MPI-3.1 chapter 8): init, finalize, abort, clocks.

use super::abi;
use super::error::{MpiError, MpiResult};
use super::rank::{MpiRank, Phase};

/// The error for MPI calls made by a user-defined reduction function.
pub fn in_user_op() -> MpiError {
    MpiError::new(
        abi::MPI_ERR_OTHER,
        "called from inside a user-defined reduction function (MPI_Op_create), which must not call MPI",
    )
}

impl MpiRank {
    /// MPI_Init / MPI_Init_thread; returns the granted thread level. A wasm rank
    /// has exactly one thread, so every level is trivially honoured.
    pub fn init(&mut self, required: i32) -> MpiResult<i32> {
        match self.phase {
            Phase::Uninitialized => {
                self.phase = Phase::Initialized;
                self.thread_level =
                    required.clamp(abi::MPI_THREAD_SINGLE, abi::MPI_THREAD_MULTIPLE);
                Ok(self.thread_level)
            }
            Phase::Initialized => Err(MpiError::new(
                abi::MPI_ERR_OTHER,
                "MPI is already initialized",
            )),
            Phase::Finalized => Err(MpiError::new(
                abi::MPI_ERR_OTHER,
                "MPI cannot be initialized again after MPI_Finalize",
            )),
            Phase::InUserOp => Err(in_user_op()),
        }
    }

    /// MPI_Finalize: the end of MPI for this rank.
    ///
    /// Sends still pending from this rank's memory (MPI_Request_free of an active
    /// send is legal, MPI-3.1 example 8.7) must stay deliverable after it returns.
    /// On one node they do without any wait: a rank's linear memory stays mapped
    /// until every local rank of the job has ended, so a late receiver still copies
    /// from it. Across nodes a barrier over MPI_COMM_WORLD keeps the sending rank
    /// (and its node's part of the job) alive until every receiver got that far.
    pub fn finalize(&mut self) -> MpiResult<()> {
        self.check_initialized()?;
        if self.world.spans_nodes() {
            let world = self.comm(abi::MPI_COMM_WORLD)?;
            self.barrier(&world)?;
        }
        self.phase = Phase::Finalized;
        Ok(())
    }

    /// MPI_Wtime: seconds since the job started on this node.
    pub fn wtime(&self) -> f64 {
        self.world.epoch.elapsed().as_secs_f64()
    }
}
