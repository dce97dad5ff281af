//! Adapters for point-to-point calls.

use super::call;
use crate::mpi::abi::{self, GuestMem, Status, STATUS_IGNORE, STATUS_SIZE};
use crate::mpi::error::{MpiError, MpiResult};
use crate::mpi::p2p::{get_count, inactive_status, Mode, RecvArgs, SendArgs, WaitFor};
use crate::mpi::rank::{MpiRank, PersistentOp, Request};
use crate::rank::RankCtx;
use wasmtime::{Caller, Linker};

/// The status of a wait on MPI_REQUEST_NULL or an inactive persistent request.
fn empty_status() -> Status {
    inactive_status()
}

fn write_status_at(m: &GuestMem, base: u32, i: usize, st: &Status) -> MpiResult<()> {
    if base == STATUS_IGNORE {
        return Ok(());
    }
    m.write_status(base + (i as u32) * STATUS_SIZE, st)
}

fn send_mode(r: &mut MpiRank, m: &GuestMem, a: SendArgs) -> MpiResult<()> {
    let state = a.start(r, m)?;
    r.block_on(&state)
}

fn isend_mode(r: &mut MpiRank, m: &GuestMem, a: SendArgs, req: u32) -> MpiResult<()> {
    m.slice(req, 4)?;
    let state = a.start(r, m)?;
    let h = r.add_request(Request::new(state, None, false));
    m.write_i32(req, h)
}

/// How completion calls report a failed request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Report {
    /// Wait, Test, Waitany, Testany: the call returns the request's error.
    Single,
    /// Waitall, Testall, Waitsome, Testsome: MPI_ERR_IN_STATUS, with every
    /// completed request's MPI_ERROR field set (MPI-3.1 3.7.5).
    InStatus,
}

/// Completes the requests at `idx` of the guest array `reqs`, writing statuses.
#[allow(clippy::too_many_arguments)]
fn complete_some(
    r: &mut MpiRank,
    m: &GuestMem,
    reqs: u32,
    handles: &[i32],
    idx: &[usize],
    statuses: u32,
    dense: bool,
    report: Report,
) -> MpiResult<()> {
    let mut first_error = None;
    for (k, &i) in idx.iter().enumerate() {
        let (mut st, freed, result) = r.complete_request_status(handles[i])?;
        if freed {
            m.write_i32(reqs + 4 * i as u32, abi::MPI_REQUEST_NULL)?;
        }
        if report == Report::InStatus {
            st.error = result.as_ref().err().map_or(abi::MPI_SUCCESS, |e| e.class);
        }
        write_status_at(m, statuses, if dense { k } else { i }, &st)?;
        if let Err(e) = result {
            if report == Report::Single {
                return Err(e);
            }
            first_error.get_or_insert(e);
        }
    }
    match first_error {
        Some(e) => Err(MpiError::new(
            abi::MPI_ERR_IN_STATUS,
            format!("a request failed ({}): see its status", e.msg),
        )),
        None => Ok(()),
    }
}

/// MPI_Get_elements(_x): how many basic elements of `dt` the received bytes in
/// `status` hold, or MPI_UNDEFINED when they are not a whole number of them.
fn status_elements(r: &MpiRank, m: &GuestMem, status: u32, dt: i32) -> MpiResult<i64> {
    let st = m.read_status(status)?;
    Ok(r.datatype(dt)?
        .elements_in(st.count)
        .and_then(|n| i64::try_from(n).ok())
        .unwrap_or(abi::MPI_UNDEFINED as i64))
}

pub(super) fn add(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    // Every send mode, blocking and nonblocking: the same arguments (plus the
    // request handle), one SendArgs.
    macro_rules! sends {
        ($($name:literal, $iname:literal, $mode:expr;)*) => {$(
            mpi_fn!(
                l,
                $name,
                (buf: u32, count: i32, dt: i32, dest: i32, tag: i32, comm: i32),
                call(comm),
                |r, m| {
                    let a = SendArgs { buf, count, dt, dest, tag, comm, mode: $mode };
                    send_mode(r, m, a)
                }
            );
            mpi_fn!(
                l,
                $iname,
                (buf: u32, count: i32, dt: i32, dest: i32, tag: i32, comm: i32, req: u32),
                call(comm),
                |r, m| {
                    let a = SendArgs { buf, count, dt, dest, tag, comm, mode: $mode };
                    isend_mode(r, m, a, req)
                }
            );
        )*};
    }
    sends! {
        "MPI_Send", "MPI_Isend", Mode::Standard;
        "MPI_Rsend", "MPI_Irsend", Mode::Standard;
        "MPI_Ssend", "MPI_Issend", Mode::Synchronous;
        "MPI_Bsend", "MPI_Ibsend", Mode::Buffered;
    }

    mpi_fn!(
        l,
        "MPI_Recv",
        (buf: u32, count: i32, dt: i32, src: i32, tag: i32, comm: i32, status: u32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let b = r.buffer(m, buf, count, dt)?;
            let (st, result) = r.recv_status(&cm, b, src, tag)?;
            m.write_status(status, &st)?;
            result
        }
    );
    mpi_fn!(
        l,
        "MPI_Irecv",
        (buf: u32, count: i32, dt: i32, src: i32, tag: i32, comm: i32, req: u32),
        call(comm),
        |r, m| {
            m.slice(req, 4)?;
            let rq = RecvArgs { buf, count, dt, src, tag, comm }.start(r, m)?;
            let h = r.add_request(rq);
            m.write_i32(req, h)
        }
    );
    macro_rules! send_init {
        ($($name:literal, $mode:expr;)*) => {$(
            mpi_fn!(
                l,
                $name,
                (buf: u32, count: i32, dt: i32, dest: i32, tag: i32, comm: i32, req: u32),
                call(comm),
                |r, m| {
                    m.slice(req, 4)?;
                    let a = SendArgs { buf, count, dt, dest, tag, comm, mode: $mode };
                    let h = r.persistent_request(m, PersistentOp::Send(a))?;
                    m.write_i32(req, h)
                }
            );
        )*};
    }
    send_init! {
        "MPI_Send_init", Mode::Standard;
        "MPI_Rsend_init", Mode::Standard;
        "MPI_Ssend_init", Mode::Synchronous;
        "MPI_Bsend_init", Mode::Buffered;
    }
    mpi_fn!(
        l,
        "MPI_Recv_init",
        (buf: u32, count: i32, dt: i32, src: i32, tag: i32, comm: i32, req: u32),
        call(comm),
        |r, m| {
            m.slice(req, 4)?;
            let a = RecvArgs { buf, count, dt, src, tag, comm };
            let h = r.persistent_request(m, PersistentOp::Recv(a))?;
            m.write_i32(req, h)
        }
    );
    mpi_fn!(l, "MPI_Start", (req: u32), call(abi::MPI_COMM_WORLD), |r, m| {
        let h = m.read_i32(req)?;
        r.start_persistent(m, h)
    });
    mpi_fn!(l, "MPI_Startall", (n: i32, reqs: u32), call(abi::MPI_COMM_WORLD), |r, m| {
        for h in m.read_i32s(reqs, count(n)?)? {
            r.start_persistent(m, h)?;
        }
        Ok(())
    });
    mpi_fn!(l, "MPI_Wait", (req: u32, status: u32), call(abi::MPI_COMM_WORLD), |r, m| {
        let h = m.read_i32(req)?;
        match r.wait_requests(&[h], WaitFor::All, true)? {
            None => m.write_status(status, &empty_status()),
            Some(_) => complete_some(r, m, req, &[h], &[0], status, false, Report::Single),
        }
    });
    mpi_fn!(l, "MPI_Test", (req: u32, flag: u32, status: u32), call(abi::MPI_COMM_WORLD), |r, m| {
        let h = m.read_i32(req)?;
        match r.wait_requests(&[h], WaitFor::All, false)? {
            None => {
                m.write_i32(flag, 1)?;
                m.write_status(status, &empty_status())
            }
            Some(done) if done.is_empty() => m.write_i32(flag, 0),
            Some(_) => {
                m.write_i32(flag, 1)?;
                complete_some(r, m, req, &[h], &[0], status, false, Report::Single)
            }
        }
    });
    fn waitall(
        r: &mut MpiRank,
        m: &GuestMem,
        n: i32,
        reqs: u32,
        statuses: u32,
        block: bool,
    ) -> MpiResult<bool> {
        let handles = m.read_i32s(reqs, count(n)?)?;
        match r.wait_requests(&handles, WaitFor::All, block)? {
            None => {
                for i in 0..handles.len() {
                    write_status_at(m, statuses, i, &empty_status())?;
                }
                Ok(true)
            }
            Some(done)
                if !block && done.len() < handles.iter().filter(|h| !r.is_inert(**h)).count() =>
            {
                Ok(false)
            }
            Some(done) => {
                for (i, h) in handles.iter().enumerate() {
                    if r.is_inert(*h) {
                        write_status_at(m, statuses, i, &empty_status())?;
                    }
                }
                complete_some(
                    r,
                    m,
                    reqs,
                    &handles,
                    &done,
                    statuses,
                    false,
                    Report::InStatus,
                )?;
                Ok(true)
            }
        }
    }
    mpi_fn!(
        l,
        "MPI_Waitall",
        (n: i32, reqs: u32, statuses: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            waitall(r, m, n, reqs, statuses, true).map(|_| ())
        }
    );
    mpi_fn!(
        l,
        "MPI_Testall",
        (n: i32, reqs: u32, flag: u32, statuses: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            let done = waitall(r, m, n, reqs, statuses, false)?;
            m.write_i32(flag, done as i32)
        }
    );
    fn waitany(
        r: &mut MpiRank,
        m: &GuestMem,
        n: i32,
        reqs: u32,
        index: u32,
        status: u32,
        block: bool,
    ) -> MpiResult<bool> {
        let handles = m.read_i32s(reqs, count(n)?)?;
        match r.wait_requests(&handles, WaitFor::Any, block)? {
            None => {
                m.write_i32(index, abi::MPI_UNDEFINED)?;
                m.write_status(status, &empty_status())?;
                Ok(true)
            }
            Some(done) if done.is_empty() => Ok(false),
            Some(done) => {
                m.write_i32(index, done[0] as i32)?;
                complete_some(
                    r,
                    m,
                    reqs,
                    &handles,
                    &done[..1],
                    status,
                    true,
                    Report::Single,
                )?;
                Ok(true)
            }
        }
    }
    mpi_fn!(
        l,
        "MPI_Waitany",
        (n: i32, reqs: u32, index: u32, status: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            waitany(r, m, n, reqs, index, status, true).map(|_| ())
        }
    );
    mpi_fn!(
        l,
        "MPI_Testany",
        (n: i32, reqs: u32, index: u32, flag: u32, status: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            let done = waitany(r, m, n, reqs, index, status, false)?;
            if !done {
                m.write_i32(index, abi::MPI_UNDEFINED)?;
            }
            m.write_i32(flag, done as i32)
        }
    );
    #[allow(clippy::too_many_arguments)]
    fn waitsome(
        r: &mut MpiRank,
        m: &GuestMem,
        n: i32,
        reqs: u32,
        outcount: u32,
        indices: u32,
        statuses: u32,
        block: bool,
    ) -> MpiResult<()> {
        let handles = m.read_i32s(reqs, count(n)?)?;
        match r.wait_requests(&handles, WaitFor::Any, block)? {
            None => m.write_i32(outcount, abi::MPI_UNDEFINED),
            Some(done) => {
                for (k, i) in done.iter().enumerate() {
                    m.write_i32(indices + 4 * k as u32, *i as i32)?;
                }
                complete_some(
                    r,
                    m,
                    reqs,
                    &handles,
                    &done,
                    statuses,
                    true,
                    Report::InStatus,
                )?;
                m.write_i32(outcount, done.len() as i32)
            }
        }
    }
    mpi_fn!(
        l,
        "MPI_Waitsome",
        (n: i32, reqs: u32, outcount: u32, indices: u32, statuses: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            waitsome(r, m, n, reqs, outcount, indices, statuses, true)
        }
    );
    mpi_fn!(
        l,
        "MPI_Testsome",
        (n: i32, reqs: u32, outcount: u32, indices: u32, statuses: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            waitsome(r, m, n, reqs, outcount, indices, statuses, false)
        }
    );
    mpi_fn!(l, "MPI_Request_free", (req: u32), call(abi::MPI_COMM_WORLD), |r, m| {
        let h = m.read_i32(req)?;
        // The operation still completes; only the handle goes away.
        r.requests.remove(h).ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_REQUEST,
                format!("invalid request handle {h:#x}"),
            )
        })?;
        m.write_i32(req, abi::MPI_REQUEST_NULL)
    });
    mpi_fn!(l, "MPI_Cancel", (req: u32), call(abi::MPI_COMM_WORLD), |r, m| {
        let h = m.read_i32(req)?;
        r.cancel_request(h)
    });
    l.func_wrap(
        "mpi",
        "MPI_Test_cancelled",
        |mut c: Caller<'_, RankCtx>, status: u32, flag: u32| {
            call(&mut c, "MPI_Test_cancelled", abi::MPI_COMM_WORLD, |_, m| {
                let st = m.read_status(status)?;
                m.write_i32(flag, st.cancelled as i32)
            })
        },
    )?;
    mpi_fn!(l, "MPI_Probe", (src: i32, tag: i32, comm: i32, status: u32), call(comm), |r, m| {
        let cm = r.comm(comm)?;
        let st = r
            .probe(&cm, src, tag, true)?
            .expect("blocking probe finds a message");
        m.write_status(status, &st)
    });
    mpi_fn!(
        l,
        "MPI_Iprobe",
        (src: i32, tag: i32, comm: i32, flag: u32, status: u32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            match r.probe(&cm, src, tag, false)? {
                Some(st) => {
                    m.write_i32(flag, 1)?;
                    m.write_status(status, &st)
                }
                None => m.write_i32(flag, 0),
            }
        }
    );
    mpi_fn!(
        l,
        "MPI_Sendrecv",
        (
            sbuf: u32, scount: i32, stype: i32, dest: i32, stag: i32, rbuf: u32, rcount: i32,
            rtype: i32, src: i32, rtag: i32, comm: i32, status: u32,
        ),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let sb = r.buffer(m, sbuf, scount, stype)?;
            let rb = r.buffer(m, rbuf, rcount, rtype)?;
            let st = r.sendrecv(&cm, &sb, dest, stag, rb, src, rtag)?;
            m.write_status(status, &st)
        }
    );
    mpi_fn!(
        l,
        "MPI_Sendrecv_replace",
        (
            buf: u32, count: i32, dt: i32, dest: i32, stag: i32, src: i32, rtag: i32, comm: i32,
            status: u32,
        ),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            let b = r.buffer(m, buf, count, dt)?;
            let st = r.sendrecv_replace(&cm, b, dest, stag, src, rtag)?;
            m.write_status(status, &st)
        }
    );
    mpi_fn!(
        l,
        "MPI_Get_count",
        (status: u32, dt: i32, out: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            let st = m.read_status(status)?;
            let size = r.datatype(dt)?.size;
            m.write_i32(out, get_count(st.count, size))
        }
    );
    mpi_fn!(
        l,
        "MPI_Get_elements",
        (status: u32, dt: i32, out: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            let n = status_elements(r, m, status, dt)?;
            m.write_i32(out, i32::try_from(n).unwrap_or(abi::MPI_UNDEFINED))
        }
    );
    mpi_fn!(l, "MPI_Buffer_attach", (buf: u32, size: i32), call(abi::MPI_COMM_WORLD), |r, m| {
        m.slice(buf, size.max(0) as usize)?;
        r.buffer_attach(buf, size)
    });
    mpi_fn!(
        l,
        "MPI_Buffer_detach",
        (addr_out: u32, size_out: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            let (addr, size) = r.buffer_detach()?;
            m.write_i32(addr_out, addr as i32)?;
            m.write_i32(size_out, size as i32)
        }
    );
    mpi_fn!(
        l,
        "MPI_Mprobe",
        (src: i32, tag: i32, comm: i32, msg: u32, status: u32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            m.slice(msg, 4)?;
            let (h, st) = r
                .mprobe(&cm, src, tag, true)?
                .expect("a blocking probe finds a message");
            m.write_i32(msg, h)?;
            m.write_status(status, &st)
        }
    );
    mpi_fn!(
        l,
        "MPI_Improbe",
        (src: i32, tag: i32, comm: i32, flag: u32, msg: u32, status: u32),
        call(comm),
        |r, m| {
            let cm = r.comm(comm)?;
            m.slice(msg, 4)?;
            match r.mprobe(&cm, src, tag, false)? {
                Some((h, st)) => {
                    m.write_i32(flag, 1)?;
                    m.write_i32(msg, h)?;
                    m.write_status(status, &st)
                }
                None => m.write_i32(flag, 0),
            }
        }
    );
    mpi_fn!(
        l,
        "MPI_Mrecv",
        (buf: u32, count: i32, dt: i32, msg: u32, status: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            let h = m.read_i32(msg)?;
            let b = r.buffer(m, buf, count, dt)?;
            let req = r.mrecv(h, b)?;
            m.write_i32(msg, abi::MPI_MESSAGE_NULL)?;
            r.block_on(&req.state)?;
            let st = r.finish(req)?;
            m.write_status(status, &st)
        }
    );
    mpi_fn!(
        l,
        "MPI_Imrecv",
        (buf: u32, count: i32, dt: i32, msg: u32, req: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            let h = m.read_i32(msg)?;
            let b = r.buffer(m, buf, count, dt)?;
            m.slice(req, 4)?;
            let rq = r.mrecv(h, b)?;
            m.write_i32(msg, abi::MPI_MESSAGE_NULL)?;
            let handle = r.add_request(rq);
            m.write_i32(req, handle)
        }
    );
    l.func_wrap(
        "mpi",
        "MPI_Request_get_status",
        |mut c: Caller<'_, RankCtx>, h: i32, flag: u32, status: u32| {
            call(
                &mut c,
                "MPI_Request_get_status",
                abi::MPI_COMM_WORLD,
                |r, m| {
                    // Like MPI_Test, but the request stays allocated.
                    if h == abi::MPI_REQUEST_NULL {
                        m.write_i32(flag, 1)?;
                        return m.write_status(status, &empty_status());
                    }
                    let req = r.requests.get(h).ok_or_else(|| {
                        MpiError::new(
                            abi::MPI_ERR_REQUEST,
                            format!("invalid request handle {h:#x}"),
                        )
                    })?;
                    // A polling call like MPI_Test: progress if not done yet.
                    if r.world
                        .find(false, || req.state.is_done().then_some(()))?
                        .is_some()
                    {
                        let st = req.state.status();
                        m.write_i32(flag, 1)?;
                        m.write_status(status, &st)
                    } else {
                        m.write_i32(flag, 0)
                    }
                },
            )
        },
    )?;
    mpi_fn!(
        l,
        "MPI_Get_elements_x",
        (status: u32, dt: i32, out: u32),
        call(abi::MPI_COMM_WORLD),
        |r, m| {
            let n = status_elements(r, m, status, dt)?;
            m.write_bytes(out, &n.to_le_bytes())
        }
    );
    Ok(())
}

fn count(n: i32) -> MpiResult<usize> {
    usize::try_from(n).map_err(|_| MpiError::new(abi::MPI_ERR_COUNT, format!("negative count {n}")))
}
