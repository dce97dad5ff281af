//! Adapters for collective calls.

use super::call;
use crate::mpi::abi;
use crate::rank::RankCtx;
use wasmtime::{Caller, Linker};

pub(super) fn add(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    l.func_wrap(
        "mpi",
        "MPI_Barrier",
        |mut c: Caller<'_, RankCtx>, comm: i32| {
            call(&mut c, "MPI_Barrier", comm, |r, _| {
                r.barrier(&r.comm(comm)?)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Bcast",
        |mut c: Caller<'_, RankCtx>, buf: u32, count: i32, dt: i32, root: i32, comm: i32| {
            call(&mut c, "MPI_Bcast", comm, |r, m| {
                let cm = r.comm(comm)?;
                let b = r.buffer(m, buf, count, dt)?;
                r.bcast(&cm, &b, root)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Reduce",
        |mut c: Caller<'_, RankCtx>,
         sbuf: u32,
         rbuf: u32,
         count: i32,
         dt: i32,
         op: i32,
         root: i32,
         comm: i32| {
            call(&mut c, "MPI_Reduce", comm, |r, m| {
                let cm = r.comm(comm)?;
                let red = r.reduction(op, dt)?;
                let is_root = root >= 0 && cm.rank == root as u32;
                let send = if sbuf == abi::IN_PLACE && is_root {
                    None
                } else {
                    Some(r.buffer(m, sbuf, count, dt)?)
                };
                let recv = if is_root {
                    Some(r.buffer(m, rbuf, count, dt)?)
                } else {
                    None
                };
                r.reduce(&cm, send.as_ref(), recv.as_ref(), red, root)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Allreduce",
        |mut c: Caller<'_, RankCtx>,
         sbuf: u32,
         rbuf: u32,
         count: i32,
         dt: i32,
         op: i32,
         comm: i32| {
            call(&mut c, "MPI_Allreduce", comm, |r, m| {
                let cm = r.comm(comm)?;
                let red = r.reduction(op, dt)?;
                let send = if sbuf == abi::IN_PLACE {
                    None
                } else {
                    Some(r.buffer(m, sbuf, count, dt)?)
                };
                let recv = r.buffer(m, rbuf, count, dt)?;
                r.allreduce(&cm, send.as_ref(), &recv, red)
            })
        },
    )?;
    Ok(())
}
