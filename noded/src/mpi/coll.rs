//! Collective operations (MPI-3.1 chapter 5), built on point-to-point messages in
//! each communicator's collective context, so they never match user traffic.
//! Reductions combine in rank order, so non-commutative operations are correct.

use super::abi;
use super::datatype::{Prim, TypedBuf};
use super::error::{MpiError, MpiResult};
use super::op::{self, Op};
use super::rank::{Comm, MpiRank};
use super::transport::{Data, Envelope, Posted, ReqState, Target};

const TAG_BARRIER: i32 = 1;
const TAG_BCAST: i32 = 2;
const TAG_REDUCE: i32 = 3;

/// A reduction: what to combine and how.
#[derive(Debug, Clone, Copy)]
pub struct Reduction {
    /// The operation.
    pub op: Op,
    /// The primitive elements are made of.
    pub prim: Prim,
}

impl Reduction {
    /// `inout = input op inout`.
    pub fn apply(&self, inout: &mut [u8], input: &[u8]) -> MpiResult<()> {
        op::apply(self.op, self.prim, inout, input)
    }
}

impl MpiRank {
    /// Sends host bytes to comm rank `dest` in the collective context.
    fn coll_send(&self, comm: &Comm, dest: u32, tag: i32, data: Vec<u8>) -> MpiResult<()> {
        let to = self.world.mailbox(comm.group[dest as usize])?;
        to.deliver(
            Envelope {
                ctx: comm.coll_ctx(),
                src: comm.rank as i32,
                tag,
                data: Data::Bytes(data),
                sync: None,
            },
            true,
        );
        Ok(())
    }

    /// Receives host bytes from comm rank `src` in the collective context.
    fn coll_recv(&self, comm: &Comm, src: u32, tag: i32) -> MpiResult<Vec<u8>> {
        let req = ReqState::new();
        self.world.mailbox(self.me)?.post(Posted {
            ctx: comm.coll_ctx(),
            src: src as i32,
            tag,
            target: Target::Host,
            req: req.clone(),
        });
        self.block_on(&req)?;
        Ok(req.take_data())
    }

    /// MPI_Barrier: dissemination, ceil(log2 p) rounds.
    pub fn barrier(&self, comm: &Comm) -> MpiResult<()> {
        let p = comm.size();
        let mut k = 1;
        while k < p {
            self.coll_send(comm, (comm.rank + k) % p, TAG_BARRIER, Vec::new())?;
            self.coll_recv(comm, (comm.rank + p - k) % p, TAG_BARRIER)?;
            k <<= 1;
        }
        Ok(())
    }

    fn check_root(comm: &Comm, root: i32) -> MpiResult<u32> {
        u32::try_from(root)
            .ok()
            .filter(|r| *r < comm.size())
            .ok_or_else(|| {
                MpiError::new(
                    abi::MPI_ERR_ROOT,
                    format!("invalid root {root} (communicator of size {})", comm.size()),
                )
            })
    }

    /// Broadcasts packed bytes from `root` along a binomial tree; returns them on every rank.
    fn bcast_bytes(&self, comm: &Comm, root: u32, data: Option<Vec<u8>>) -> MpiResult<Vec<u8>> {
        let p = comm.size();
        let vr = (comm.rank + p - root) % p;
        let mut data = data.unwrap_or_default();
        let mut mask = 1;
        while mask < p {
            if vr & mask != 0 {
                data = self.coll_recv(comm, (vr - mask + root) % p, TAG_BCAST)?;
                break;
            }
            mask <<= 1;
        }
        mask >>= 1;
        while mask > 0 {
            if vr + mask < p {
                self.coll_send(comm, (vr + mask + root) % p, TAG_BCAST, data.clone())?;
            }
            mask >>= 1;
        }
        Ok(data)
    }

    /// MPI_Bcast.
    pub fn bcast(&self, comm: &Comm, buf: &TypedBuf, root: i32) -> MpiResult<()> {
        let root = Self::check_root(comm, root)?;
        if comm.rank == root {
            self.bcast_bytes(comm, root, Some(buf.pack()))?;
        } else {
            let data = self.bcast_bytes(comm, root, None)?;
            buf.unpack(&data);
        }
        Ok(())
    }

    /// Reduces packed contributions to rank 0 of `comm` along a binomial tree,
    /// combining in rank order; returns the result on rank 0.
    fn reduce_to_zero(
        &self,
        comm: &Comm,
        mut acc: Vec<u8>,
        red: Reduction,
    ) -> MpiResult<Option<Vec<u8>>> {
        let p = comm.size();
        let r = comm.rank;
        let mut mask = 1;
        while mask < p {
            if r & mask == 0 {
                let src = r | mask;
                if src < p {
                    // acc covers ranks [r, r+mask), the message [r+mask, ...):
                    // result = acc op msg, i.e. apply with inout = msg, in = acc.
                    let mut msg = self.coll_recv(comm, src, TAG_REDUCE)?;
                    red.apply(&mut msg, &acc)?;
                    acc = msg;
                }
            } else {
                self.coll_send(comm, r & !mask, TAG_REDUCE, acc)?;
                return Ok(None);
            }
            mask <<= 1;
        }
        Ok(Some(acc))
    }

    /// MPI_Reduce. `send` is None for MPI_IN_PLACE at the root.
    pub fn reduce(
        &self,
        comm: &Comm,
        send: Option<&TypedBuf>,
        recv: Option<&TypedBuf>,
        red: Reduction,
        root: i32,
    ) -> MpiResult<()> {
        let root = Self::check_root(comm, root)?;
        let input = match (send, recv) {
            (Some(s), _) => s.pack(),
            (None, Some(r)) if comm.rank == root => r.pack(),
            _ => {
                return Err(MpiError::new(
                    abi::MPI_ERR_BUFFER,
                    "MPI_IN_PLACE is only valid at the root",
                ))
            }
        };
        let result = self.reduce_to_zero(comm, input, red)?;
        if root == 0 {
            if let (Some(res), Some(r)) = (result, recv.filter(|_| comm.rank == 0)) {
                r.unpack(&res);
            }
            return Ok(());
        }
        if let Some(res) = result {
            self.coll_send(comm, root, TAG_REDUCE, res)?;
        }
        if comm.rank == root {
            let res = self.coll_recv(comm, 0, TAG_REDUCE)?;
            if let Some(r) = recv {
                r.unpack(&res);
            }
        }
        Ok(())
    }

    /// MPI_Allreduce. `send` is None for MPI_IN_PLACE.
    pub fn allreduce(
        &self,
        comm: &Comm,
        send: Option<&TypedBuf>,
        recv: &TypedBuf,
        red: Reduction,
    ) -> MpiResult<()> {
        let input = match send {
            Some(s) => s.pack(),
            None => recv.pack(),
        };
        let result = self.reduce_to_zero(comm, input, red)?;
        let data = self.bcast_bytes(comm, 0, result)?;
        recv.unpack(&data);
        Ok(())
    }

    /// Resolves an op handle and datatype into a reduction, checking they fit.
    pub fn reduction(&self, op: i32, dt: i32) -> MpiResult<Reduction> {
        let op = Op::from_handle(op).ok_or_else(|| {
            MpiError::new(abi::MPI_ERR_OP, format!("invalid operation handle {op:#x}"))
        })?;
        let dt = self.datatype(dt)?;
        let (prim, _) = dt.prim.ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_OP,
                format!("{} needs a datatype made of one predefined type", op.name()),
            )
        })?;
        // Reject undefined combinations up front, on every rank alike.
        let probe = vec![0u8; prim.size()];
        op::apply(op, prim, &mut probe.clone(), &probe)?;
        Ok(Reduction { op, prim })
    }
}
