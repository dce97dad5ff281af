//! Adapters for point-to-point calls.

use super::call;
use crate::mpi::p2p::Mode;
use crate::rank::RankCtx;
use wasmtime::{Caller, Linker};

pub(super) fn add(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    l.func_wrap(
        "mpi",
        "MPI_Send",
        |mut c: Caller<'_, RankCtx>,
         buf: u32,
         count: i32,
         dt: i32,
         dest: i32,
         tag: i32,
         comm: i32| {
            call(&mut c, "MPI_Send", comm, |r, m| {
                let cm = r.comm(comm)?;
                let b = r.buffer(m, buf, count, dt)?;
                r.send(&cm, &b, dest, tag, Mode::Standard)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Recv",
        |mut c: Caller<'_, RankCtx>,
         buf: u32,
         count: i32,
         dt: i32,
         src: i32,
         tag: i32,
         comm: i32,
         status: u32| {
            call(&mut c, "MPI_Recv", comm, |r, m| {
                let cm = r.comm(comm)?;
                let b = r.buffer(m, buf, count, dt)?;
                let st = r.recv(&cm, b, src, tag)?;
                m.write_status(status, &st)
            })
        },
    )?;
    Ok(())
}
