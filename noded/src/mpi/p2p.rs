//! Point-to-point communication (MPI-3.1 chapter 3): blocking and nonblocking
//! sends and receives, completion, probing.

use super::abi::{self, Status};
use super::datatype::TypedBuf;
use super::error::{MpiError, MpiResult};
use super::rank::{Comm, MpiRank, Request};
use super::transport::{self, Data, Envelope, Posted, ReqState, Target, EAGER_LIMIT};
use std::sync::Arc;

/// Send modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// MPI_Send / MPI_Rsend: buffered if small, else completes when received.
    Standard,
    /// MPI_Ssend: completes when matched by a receive.
    Synchronous,
    /// MPI_Bsend: always copied out, completes at once.
    Buffered,
}

impl MpiRank {
    /// Starts a send of `buf` to comm rank `dest`; the returned state completes
    /// when the send buffer may be reused.
    pub fn start_send(
        &self,
        comm: &Comm,
        buf: &TypedBuf,
        dest: i32,
        tag: i32,
        mode: Mode,
    ) -> MpiResult<Arc<ReqState>> {
        MpiRank::check_send_tag(tag)?;
        if dest == abi::MPI_PROC_NULL {
            return Ok(ReqState::completed(Status::proc_null()));
        }
        let to = self.world.mailbox(comm.world_rank(dest)?)?;
        let req = ReqState::new();
        let (data, sync, eager) = match (buf.contiguous(), mode) {
            (Some(slice), Mode::Synchronous) => (
                Data::Guest {
                    slice,
                    done: req.clone(),
                },
                None,
                false,
            ),
            (Some(slice), Mode::Standard) => (
                Data::Guest {
                    slice,
                    done: req.clone(),
                },
                None,
                slice.len() <= EAGER_LIMIT,
            ),
            (Some(slice), Mode::Buffered) => (
                Data::Guest {
                    slice,
                    done: req.clone(),
                },
                None,
                true,
            ),
            (None, Mode::Synchronous) => (Data::Bytes(buf.pack()), Some(req.clone()), false),
            (None, _) => {
                let env = Envelope {
                    ctx: comm.ctx,
                    src: comm.rank as i32,
                    tag,
                    data: Data::Bytes(buf.pack()),
                    sync: None,
                };
                to.deliver(env, true);
                return Ok(ReqState::completed(Status::default()));
            }
        };
        to.deliver(
            Envelope {
                ctx: comm.ctx,
                src: comm.rank as i32,
                tag,
                data,
                sync,
            },
            eager,
        );
        Ok(req)
    }

    /// Posts a receive into `buf` from comm rank `src` (or ANY_SOURCE).
    pub fn start_recv(&self, comm: &Comm, buf: TypedBuf, src: i32, tag: i32) -> MpiResult<Request> {
        MpiRank::check_recv_tag(tag)?;
        if src == abi::MPI_PROC_NULL {
            return Ok(Request {
                state: ReqState::completed(Status::proc_null()),
                unpack: None,
                is_recv: true,
            });
        }
        if src != abi::MPI_ANY_SOURCE {
            comm.world_rank(src)?;
        }
        let state = ReqState::new();
        let (target, unpack) = match buf.contiguous() {
            Some(slice) => (Target::Guest(slice), None),
            None => (Target::Host, Some(buf)),
        };
        self.world.mailbox(self.me)?.post(Posted {
            ctx: comm.ctx,
            src,
            tag,
            target,
            req: state.clone(),
        });
        Ok(Request {
            state,
            unpack,
            is_recv: true,
        })
    }

    /// Blocks until `state` completes (or the job is stopped).
    pub fn block_on(&self, state: &ReqState) -> MpiResult<()> {
        let world = &self.world;
        transport::block_until(|| state.is_done(), || world.is_stopped())
    }

    /// Finishes a completed request: unpacks non-contiguous receives and returns
    /// the status (with MPI_ERR_TRUNCATE if the message did not fit).
    pub fn finish(&self, req: Request) -> MpiResult<Status> {
        let mut status = req.state.status();
        if let Some(buf) = req.unpack {
            let data = req.state.take_data();
            let cap = buf.packed_len();
            buf.unpack(&data);
            status.count = data.len().min(cap) as u64;
            if data.len() > cap {
                status.error = abi::MPI_ERR_TRUNCATE;
            }
        }
        if status.error == abi::MPI_ERR_TRUNCATE {
            return Err(MpiError::new(
                abi::MPI_ERR_TRUNCATE,
                format!(
                    "message truncated: the receive buffer holds {} bytes, the message from rank {} (tag {}) was larger",
                    status.count, status.source, status.tag
                ),
            ));
        }
        Ok(status)
    }

    /// MPI_Send, MPI_Ssend, MPI_Bsend, MPI_Rsend.
    pub fn send(
        &self,
        comm: &Comm,
        buf: &TypedBuf,
        dest: i32,
        tag: i32,
        mode: Mode,
    ) -> MpiResult<()> {
        let req = self.start_send(comm, buf, dest, tag, mode)?;
        self.block_on(&req)
    }

    /// MPI_Recv.
    pub fn recv(&self, comm: &Comm, buf: TypedBuf, src: i32, tag: i32) -> MpiResult<Status> {
        let req = self.start_recv(comm, buf, src, tag)?;
        self.block_on(&req.state)?;
        self.finish(req)
    }
}
