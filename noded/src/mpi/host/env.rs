//! Adapters for environment calls and communicator queries.

use super::{call, call_any};
use crate::mpi::abi;
use crate::mpi::error::RankExit;
use crate::mpi::rank::Phase;
use crate::rank::RankCtx;
use wasmtime::{Caller, Linker};

pub(super) fn add(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    l.func_wrap(
        "mpi",
        "MPI_Init",
        |mut c: Caller<'_, RankCtx>, _argc: u32, _argv: u32| {
            call_any(&mut c, "MPI_Init", |r, _| {
                r.init(abi::MPI_THREAD_SINGLE).map(|_| ())
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Init_thread",
        |mut c: Caller<'_, RankCtx>, _argc: u32, _argv: u32, required: i32, provided: u32| {
            call_any(&mut c, "MPI_Init_thread", |r, m| {
                let level = r.init(required)?;
                m.write_i32(provided, level)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Initialized",
        |mut c: Caller<'_, RankCtx>, flag: u32| {
            call_any(&mut c, "MPI_Initialized", |r, m| {
                m.write_i32(flag, (r.phase != Phase::Uninitialized) as i32)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Finalized",
        |mut c: Caller<'_, RankCtx>, flag: u32| {
            call_any(&mut c, "MPI_Finalized", |r, m| {
                m.write_i32(flag, (r.phase == Phase::Finalized) as i32)
            })
        },
    )?;
    l.func_wrap("mpi", "MPI_Finalize", |mut c: Caller<'_, RankCtx>| {
        call(&mut c, "MPI_Finalize", abi::MPI_COMM_WORLD, |r, _| {
            r.finalize()
        })
    })?;
    l.func_wrap(
        "mpi",
        "MPI_Abort",
        |c: Caller<'_, RankCtx>, comm: i32, code: i32| -> wasmtime::Result<i32> {
            let r = &c.data().mpi;
            let name = r
                .comms
                .get(comm)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| format!("{comm:#x}"));
            Err(wasmtime::Error::new(RankExit::Abort {
                code,
                msg: format!("MPI_Abort({name}, {code}) called by rank {}", r.me),
            }))
        },
    )?;
    l.func_wrap("mpi", "MPI_Wtime", |c: Caller<'_, RankCtx>| {
        c.data().mpi.wtime()
    })?;
    l.func_wrap("mpi", "MPI_Wtick", |_: Caller<'_, RankCtx>| 1e-9f64)?;
    l.func_wrap(
        "mpi",
        "MPI_Get_processor_name",
        |mut c: Caller<'_, RankCtx>, name: u32, len: u32| {
            call(
                &mut c,
                "MPI_Get_processor_name",
                abi::MPI_COMM_WORLD,
                |r, m| {
                    let node = r.world.node.clone();
                    m.write_cstr(name, abi::MPI_MAX_PROCESSOR_NAME as usize, &node, len)
                },
            )
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Comm_rank",
        |mut c: Caller<'_, RankCtx>, comm: i32, out: u32| {
            call(&mut c, "MPI_Comm_rank", comm, |r, m| {
                let rank = r.comm(comm)?.rank;
                m.write_i32(out, rank as i32)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Comm_size",
        |mut c: Caller<'_, RankCtx>, comm: i32, out: u32| {
            call(&mut c, "MPI_Comm_size", comm, |r, m| {
                let size = r.comm(comm)?.size();
                m.write_i32(out, size as i32)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Comm_set_errhandler",
        |mut c: Caller<'_, RankCtx>, comm: i32, eh: i32| {
            call_any(&mut c, "MPI_Comm_set_errhandler", |r, _| {
                r.set_errhandler(comm, eh)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Comm_get_errhandler",
        |mut c: Caller<'_, RankCtx>, comm: i32, out: u32| {
            call_any(&mut c, "MPI_Comm_get_errhandler", |r, m| {
                let eh = r.comm(comm)?.errhandler;
                m.write_i32(out, eh)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Error_class",
        |mut c: Caller<'_, RankCtx>, code: i32, out: u32| {
            call_any(&mut c, "MPI_Error_class", |_, m| {
                m.write_i32(out, crate::mpi::error::error_class(code)?)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Error_string",
        |mut c: Caller<'_, RankCtx>, code: i32, out: u32, len: u32| {
            call_any(&mut c, "MPI_Error_string", |_, m| {
                let text = crate::mpi::error::error_string(code)?;
                m.write_cstr(out, abi::MPI_MAX_ERROR_STRING as usize, &text, len)
            })
        },
    )?;
    Ok(())
}
