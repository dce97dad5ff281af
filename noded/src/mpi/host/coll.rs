//! Adapters for collective calls.

use super::call;
use super::op::call_reducing;
use crate::mpi::abi;
use crate::mpi::coll::Combine;
use crate::rank::RankCtx;
use wasmtime::{Caller, Linker};

pub(super) fn add(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    mpi_fn!(l, "MPI_Barrier", (comm: i32), call(comm), |r, _| {
        r.barrier(&r.comm(comm)?)
    });
    mpi_fn!(
        l,
        "MPI_Bcast",
        (buf: u32, count: i32, dt: i32, root: i32, comm: i32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let b = r.buffer(m, buf, count, dt)?;
            r.bcast(&cm, &b, root)
        }
    );
    mpi_fn!(
        l,
        "MPI_Reduce",
        (sbuf: u32, rbuf: u32, count: i32, dt: i32, op: i32, root: i32, comm: i32),
        call_reducing(comm, op, dt),
        |r, m, red| {
            let cm = r.comm(comm)?;
            let root_here = is_root(&cm, root);
            let send = at_root_or_in_place(r, m, root_here, sbuf, count, dt)?;
            let recv = root_here
                .then(|| r.buffer(m, rbuf, count, dt))
                .transpose()?;
            r.reduce(&cm, send.as_ref(), recv.as_ref(), red, root)
        }
    );
    mpi_fn!(
        l,
        "MPI_Allreduce",
        (sbuf: u32, rbuf: u32, count: i32, dt: i32, op: i32, comm: i32),
        call_reducing(comm, op, dt),
        |r, m, red| {
            let cm = r.comm(comm)?;
            let send = send_or_in_place(r, m, sbuf, count, dt)?;
            let recv = r.buffer(m, rbuf, count, dt)?;
            r.allreduce(&cm, send.as_ref(), &recv, red)
        }
    );
    add_more(l)
}

use crate::mpi::abi::GuestMem;
use crate::mpi::datatype::TypedBuf;
use crate::mpi::error::{MpiError, MpiResult};
use crate::mpi::rank::{Comm, MpiRank};

/// Receive or send slots for a v-collective: rank i's `counts[i]` elements of
/// `dt` at `base + displs[i] * extent` (in bytes when `byte_displs`).
fn slots(
    r: &MpiRank,
    m: &GuestMem,
    base: u32,
    counts: &[i32],
    displs: &[i32],
    dts: &[i32],
    byte_displs: bool,
) -> MpiResult<Vec<TypedBuf>> {
    counts
        .iter()
        .zip(displs)
        .zip(dts)
        .map(|((&n, &d), &dt)| {
            let t = r.datatype(dt)?;
            let off = if byte_displs {
                d as i64
            } else {
                d as i64 * t.extent
            };
            let addr = base as i64 + off;
            let addr = u32::try_from(addr).map_err(|_| {
                MpiError::new(
                    abi::MPI_ERR_BUFFER,
                    format!("displacement {d} moves the buffer outside memory"),
                )
            })?;
            TypedBuf::new(m, addr, n, t)
        })
        .collect()
}

/// Slots of `count` elements each, laid out back to back (the non-v collectives).
fn even_slots(
    r: &MpiRank,
    m: &GuestMem,
    base: u32,
    count: i32,
    dt: i32,
    n: u32,
) -> MpiResult<Vec<TypedBuf>> {
    let counts = vec![count; n as usize];
    let displs: Vec<i32> = (0..n as i32).map(|i| i.saturating_mul(count)).collect();
    slots(r, m, base, &counts, &displs, &vec![dt; n as usize], false)
}

fn arrays(m: &GuestMem, cm: &Comm, ptrs: &[u32]) -> MpiResult<Vec<Vec<i32>>> {
    ptrs.iter()
        .map(|p| m.read_i32s(*p, cm.size() as usize))
        .collect()
}

fn is_root(cm: &Comm, root: i32) -> bool {
    root >= 0 && cm.rank == root as u32
}

/// A root-side buffer that may be MPI_IN_PLACE (only at the root): None then.
fn at_root_or_in_place(
    r: &MpiRank,
    m: &GuestMem,
    root_here: bool,
    buf: u32,
    count: i32,
    dt: i32,
) -> MpiResult<Option<TypedBuf>> {
    if root_here && buf == abi::IN_PLACE {
        Ok(None)
    } else {
        r.buffer(m, buf, count, dt).map(Some)
    }
}

/// The slots of a v-collective with one datatype: counts and displacements (in
/// elements) read from the guest arrays at `counts` and `displs`.
fn v_slots(
    r: &MpiRank,
    m: &GuestMem,
    cm: &Comm,
    base: u32,
    counts: u32,
    displs: u32,
    dt: i32,
) -> MpiResult<Vec<TypedBuf>> {
    let a = arrays(m, cm, &[counts, displs])?;
    slots(
        r,
        m,
        base,
        &a[0],
        &a[1],
        &vec![dt; cm.size() as usize],
        false,
    )
}

/// A send buffer that may be MPI_IN_PLACE: None then.
fn send_or_in_place(
    r: &MpiRank,
    m: &GuestMem,
    buf: u32,
    count: i32,
    dt: i32,
) -> MpiResult<Option<TypedBuf>> {
    at_root_or_in_place(r, m, true, buf, count, dt)
}

pub(super) fn add_more(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    mpi_fn!(
        l,
        "MPI_Gather",
        (sb: u32, sc: i32, st: i32, rb: u32, rc: i32, rt: i32, root: i32, comm: i32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let root_here = is_root(&cm, root);
            let send = at_root_or_in_place(r, m, root_here, sb, sc, st)?;
            let slots = root_here
                .then(|| even_slots(r, m, rb, rc, rt, cm.size()))
                .transpose()?;
            r.gatherv(&cm, send.as_ref(), slots.as_deref(), root)
        }
    );
    mpi_fn!(
        l,
        "MPI_Gatherv",
        (sb: u32, sc: i32, st: i32, rb: u32, rcs: u32, ds: u32, rt: i32, root: i32, comm: i32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let root_here = is_root(&cm, root);
            let send = at_root_or_in_place(r, m, root_here, sb, sc, st)?;
            let slots = root_here
                .then(|| v_slots(r, m, &cm, rb, rcs, ds, rt))
                .transpose()?;
            r.gatherv(&cm, send.as_ref(), slots.as_deref(), root)
        }
    );
    mpi_fn!(
        l,
        "MPI_Scatter",
        (sb: u32, sc: i32, st: i32, rb: u32, rc: i32, rt: i32, root: i32, comm: i32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let root_here = is_root(&cm, root);
            let slots = root_here
                .then(|| even_slots(r, m, sb, sc, st, cm.size()))
                .transpose()?;
            let recv = at_root_or_in_place(r, m, root_here, rb, rc, rt)?;
            r.scatterv(&cm, slots.as_deref(), recv.as_ref(), root)
        }
    );
    mpi_fn!(
        l,
        "MPI_Scatterv",
        (sb: u32, scs: u32, ds: u32, st: i32, rb: u32, rc: i32, rt: i32, root: i32, comm: i32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let root_here = is_root(&cm, root);
            let slots = root_here
                .then(|| v_slots(r, m, &cm, sb, scs, ds, st))
                .transpose()?;
            let recv = at_root_or_in_place(r, m, root_here, rb, rc, rt)?;
            r.scatterv(&cm, slots.as_deref(), recv.as_ref(), root)
        }
    );
    mpi_fn!(
        l,
        "MPI_Allgather",
        (sb: u32, sc: i32, st: i32, rb: u32, rc: i32, rt: i32, comm: i32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let send = send_or_in_place(r, m, sb, sc, st)?;
            let slots = even_slots(r, m, rb, rc, rt, cm.size())?;
            r.allgatherv(&cm, send.as_ref(), &slots)
        }
    );
    mpi_fn!(
        l,
        "MPI_Allgatherv",
        (sb: u32, sc: i32, st: i32, rb: u32, rcs: u32, ds: u32, rt: i32, comm: i32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let send = send_or_in_place(r, m, sb, sc, st)?;
            let slots = v_slots(r, m, &cm, rb, rcs, ds, rt)?;
            r.allgatherv(&cm, send.as_ref(), &slots)
        }
    );
    mpi_fn!(
        l,
        "MPI_Alltoall",
        (sb: u32, sc: i32, st: i32, rb: u32, rc: i32, rt: i32, comm: i32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let recv = even_slots(r, m, rb, rc, rt, cm.size())?;
            let send = (sb != abi::IN_PLACE)
                .then(|| even_slots(r, m, sb, sc, st, cm.size()))
                .transpose()?;
            r.alltoallv(&cm, send.as_deref(), &recv)
        }
    );
    mpi_fn!(
        l,
        "MPI_Alltoallv",
        (sb: u32, scs: u32, sds: u32, st: i32, rb: u32, rcs: u32, rds: u32, rt: i32, comm: i32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let recv = v_slots(r, m, &cm, rb, rcs, rds, rt)?;
            let send = (sb != abi::IN_PLACE)
                .then(|| v_slots(r, m, &cm, sb, scs, sds, st))
                .transpose()?;
            r.alltoallv(&cm, send.as_deref(), &recv)
        }
    );
    mpi_fn!(
        l,
        "MPI_Alltoallw",
        (sb: u32, scs: u32, sds: u32, sts: u32, rb: u32, rcs: u32, rds: u32, rts: u32, comm: i32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let a = arrays(m, &cm, &[rcs, rds, rts])?;
            let recv = slots(r, m, rb, &a[0], &a[1], &a[2], true)?;
            let send = if sb == abi::IN_PLACE {
                None
            } else {
                let s = arrays(m, &cm, &[scs, sds, sts])?;
                Some(slots(r, m, sb, &s[0], &s[1], &s[2], true)?)
            };
            r.alltoallv(&cm, send.as_deref(), &recv)
        }
    );
    #[allow(clippy::too_many_arguments)]
    fn reduce_scatter(
        r: &mut MpiRank,
        m: &GuestMem,
        sb: u32,
        rb: u32,
        counts: Vec<i32>,
        dt: i32,
        red: &mut dyn Combine,
        comm: i32,
    ) -> MpiResult<()> {
        let cm = r.comm(comm)?;
        let counts: Vec<usize> = counts
            .iter()
            .map(|c| {
                usize::try_from(*c)
                    .map_err(|_| MpiError::new(abi::MPI_ERR_COUNT, format!("negative count {c}")))
            })
            .collect::<MpiResult<_>>()?;
        let total: usize = counts.iter().sum();
        let elem = r.datatype(dt)?.size;
        let mine = counts[cm.rank as usize] as i32;
        let input = if sb == abi::IN_PLACE {
            r.buffer(m, rb, total as i32, dt)?.pack()
        } else {
            r.buffer(m, sb, total as i32, dt)?.pack()
        };
        let recv = r.buffer(m, rb, mine, dt)?;
        r.reduce_scatter(&cm, input, &counts, elem, &recv, red)
    }
    mpi_fn!(
        l,
        "MPI_Reduce_scatter",
        (sb: u32, rb: u32, rcs: u32, dt: i32, op: i32, comm: i32),
        call_reducing(comm, op, dt),
        |r, m, red| {
            let cm = r.comm(comm)?;
            let counts = m.read_i32s(rcs, cm.size() as usize)?;
            reduce_scatter(r, m, sb, rb, counts, dt, red, comm)
        }
    );
    l.func_wrap(
        "mpi",
        "MPI_Reduce_scatter_block",
        |mut c: Caller<'_, RankCtx>, sb: u32, rb: u32, rc: i32, dt: i32, op: i32, comm: i32| {
            call_reducing(
                &mut c,
                "MPI_Reduce_scatter_block",
                comm,
                op,
                dt,
                |r, m, red| {
                    let cm = r.comm(comm)?;
                    reduce_scatter(r, m, sb, rb, vec![rc; cm.size() as usize], dt, red, comm)
                },
            )
        },
    )?;
    macro_rules! scan {
        ($name:literal, $exclusive:expr) => {
            l.func_wrap(
                "mpi",
                $name,
                |mut c: Caller<'_, RankCtx>,
                 sb: u32,
                 rb: u32,
                 count: i32,
                 dt: i32,
                 op: i32,
                 comm: i32| {
                    call_reducing(&mut c, $name, comm, op, dt, |r, m, red| {
                        let cm = r.comm(comm)?;
                        let recv = r.buffer(m, rb, count, dt)?;
                        let input = match send_or_in_place(r, m, sb, count, dt)? {
                            Some(s) => s.pack(),
                            None => recv.pack(),
                        };
                        r.scan(&cm, input, &recv, red, $exclusive)
                    })
                },
            )?;
        };
    }
    l.func_wrap(
        "mpi",
        "MPI_Reduce_local",
        |mut c: Caller<'_, RankCtx>, inbuf: u32, inout: u32, count: i32, dt: i32, op: i32| {
            call_reducing(
                &mut c,
                "MPI_Reduce_local",
                abi::MPI_COMM_WORLD,
                op,
                dt,
                |r, m, red| {
                    let input = r.buffer(m, inbuf, count, dt)?.pack();
                    let target = r.buffer(m, inout, count, dt)?;
                    let mut acc = target.pack();
                    red.combine(&mut acc, &input)?;
                    target.unpack(&acc);
                    Ok(())
                },
            )
        },
    )?;
    scan!("MPI_Scan", false);
    scan!("MPI_Exscan", true);
    Ok(())
}
