//! Adapters for environment calls and communicator queries.

use super::{call, call_any};
use crate::mpi::abi;
use crate::mpi::error::{MpiError, MpiResult, RankExit};
use crate::mpi::rank::Phase;
use crate::rank::RankCtx;
use wasmtime::{Caller, Linker};

/// Calls the guest's exported `malloc` (fmpicc always exports it).
pub(super) fn guest_malloc(
    c: &mut Caller<'_, RankCtx>,
    size: u32,
) -> wasmtime::Result<MpiResult<u32>> {
    let Some(f) = c.get_export("malloc").and_then(|e| e.into_func()) else {
        return Ok(Err(MpiError::new(
            abi::MPI_ERR_NO_MEM,
            "the module exports no malloc (build it with fmpicc)",
        )));
    };
    let p = f.typed::<u32, u32>(&*c)?.call(&mut *c, size)?;
    Ok(if p == 0 {
        Err(MpiError::new(
            abi::MPI_ERR_NO_MEM,
            format!("cannot allocate {size} bytes"),
        ))
    } else {
        Ok(p)
    })
}

/// Where this rank's predefined attribute values live in guest memory (allocated
/// once with the guest's malloc): one int per key.
fn attribute_area(c: &mut Caller<'_, RankCtx>) -> wasmtime::Result<MpiResult<u32>> {
    if let Some(a) = c.data().attr_area {
        return Ok(Ok(a));
    }
    let area = match guest_malloc(c, 4 * ATTR_SLOTS)? {
        Ok(a) => a,
        Err(e) => return Ok(Err(e)),
    };
    c.data_mut().attr_area = Some(area);
    Ok(Ok(area))
}

/// Predefined attribute keys 1..=7 (MPI_TAG_UB .. MPI_APPNUM).
const ATTR_SLOTS: u32 = 8;

/// The value of a predefined communicator attribute, if it has one.
fn attribute_value(r: &crate::mpi::rank::MpiRank, key: i32) -> Option<i32> {
    match key {
        1 => Some(i32::MAX),              // MPI_TAG_UB
        2 => Some(abi::MPI_PROC_NULL),    // MPI_HOST: no host rank
        3 => Some(abi::MPI_ANY_SOURCE),   // MPI_IO: every rank can do I/O
        4 => Some(0),                     // MPI_WTIME_IS_GLOBAL: clocks are per node
        5 => Some(r.world.size as i32),   // MPI_UNIVERSE_SIZE
        6 => Some(abi::MPI_ERR_LASTCODE), // MPI_LASTUSEDCODE
        7 => Some(0),                     // MPI_APPNUM
        _ => None,
    }
}

pub(super) fn add(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    l.func_wrap(
        "mpi",
        "MPI_Alloc_mem",
        |mut c: Caller<'_, RankCtx>, size: i32, info: i32, baseptr: u32| -> wasmtime::Result<i32> {
            let checked = {
                let r = &c.data().mpi;
                r.check_initialized()
                    .and_then(|_| {
                        if info == abi::MPI_INFO_NULL {
                            Ok(())
                        } else {
                            r.info(info).map(|_| ())
                        }
                    })
                    .and_then(|_| {
                        u32::try_from(size).map_err(|_| {
                            MpiError::new(abi::MPI_ERR_ARG, format!("negative size {size}"))
                        })
                    })
            };
            let r = match checked {
                Ok(n) => guest_malloc(&mut c, n.max(1))?,
                Err(e) => Err(e),
            };
            let r = r.and_then(|p| super::guest(&mut c).write_i32(baseptr, p as i32));
            super::conclude(&mut c, "MPI_Alloc_mem", abi::MPI_COMM_WORLD, r)
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Free_mem",
        |mut c: Caller<'_, RankCtx>, base: u32| -> wasmtime::Result<i32> {
            let r = c.data().mpi.check_initialized();
            if r.is_ok() {
                if let Some(f) = c.get_export("free").and_then(|e| e.into_func()) {
                    f.typed::<u32, ()>(&c)?.call(&mut c, base)?;
                }
            }
            super::conclude(&mut c, "MPI_Free_mem", abi::MPI_COMM_WORLD, r)
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Comm_get_attr",
        |mut c: Caller<'_, RankCtx>,
         comm: i32,
         key: i32,
         val: u32,
         flag: u32|
         -> wasmtime::Result<i32> {
            let value = {
                let r = &c.data().mpi;
                r.check_initialized()
                    .and_then(|_| r.comm(comm))
                    .map(|_| attribute_value(r, key))
            };
            let r = match value {
                Ok(Some(v)) => match attribute_area(&mut c)? {
                    Ok(area) => {
                        let slot = area + 4 * key as u32;
                        let m = super::guest(&mut c);
                        m.write_i32(slot, v)
                            .and_then(|_| m.write_i32(val, slot as i32))
                            .and_then(|_| m.write_i32(flag, 1))
                    }
                    Err(e) => Err(e),
                },
                Ok(None) => super::guest(&mut c).write_i32(flag, 0),
                Err(e) => Err(e),
            };
            super::conclude(&mut c, "MPI_Comm_get_attr", comm, r)
        },
    )?;
    mpi_fn!(l, "MPI_Init", (_argc: u32, _argv: u32), call_any(), |r, _| {
        r.init(abi::MPI_THREAD_SINGLE).map(|_| ())
    });
    mpi_fn!(
        l,
        "MPI_Init_thread",
        (_argc: u32, _argv: u32, required: i32, provided: u32),
        call_any(),
        |r, m| {
            let level = r.init(required)?;
            m.write_i32(provided, level)
        }
    );
    mpi_fn!(l, "MPI_Initialized", (flag: u32), call_any(), |r, m| {
        m.write_i32(flag, (r.phase != Phase::Uninitialized) as i32)
    });
    mpi_fn!(l, "MPI_Finalized", (flag: u32), call_any(), |r, m| {
        m.write_i32(flag, (r.phase == Phase::Finalized) as i32)
    });
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
                .unwrap_or_else(|| format!("{comm:#x}").into());
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
    mpi_fn!(l, "MPI_Comm_rank", (comm: i32, out: u32), call(comm), |r, m| {
        let rank = r.comm(comm)?.rank;
        m.write_i32(out, rank as i32)
    });
    mpi_fn!(l, "MPI_Comm_size", (comm: i32, out: u32), call(comm), |r, m| {
        let size = r.comm(comm)?.size();
        m.write_i32(out, size as i32)
    });
    mpi_fn!(l, "MPI_Comm_set_errhandler", (comm: i32, eh: i32), call_any(), |r, _| {
        r.set_errhandler(comm, eh)
    });
    mpi_fn!(l, "MPI_Comm_get_errhandler", (comm: i32, out: u32), call_any(), |r, m| {
        let eh = r.comm(comm)?.errhandler;
        m.write_i32(out, eh)
    });
    l.func_wrap(
        "mpi",
        "MPI_Errhandler_free",
        |mut c: Caller<'_, RankCtx>, ptr: u32| {
            call_any(&mut c, "MPI_Errhandler_free", |_, m| {
                // Only the predefined handlers exist; freeing one releases the handle.
                match m.read_i32(ptr)? {
                    abi::MPI_ERRORS_ARE_FATAL | abi::MPI_ERRORS_RETURN => {
                        m.write_i32(ptr, abi::MPI_ERRHANDLER_NULL)
                    }
                    h => Err(MpiError::new(
                        abi::MPI_ERR_ARG,
                        format!("invalid error handler {h:#x}"),
                    )),
                }
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
