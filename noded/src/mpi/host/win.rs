//! Adapters for one-sided communication (windows, RMA operations, epochs).

use super::env::guest_malloc;
use super::{call, conclude, guest};
use crate::mpi::abi::{self, GuestMem};
use crate::mpi::datatype::TypedBuf;
use crate::mpi::error::{MpiError, MpiResult};
use crate::mpi::rank::MpiRank;
use crate::mpi::win::{self, TargetSpec};
use crate::rank::RankCtx;
use wasmtime::{Caller, Linker};

const WIN_BASE: i32 = 10;
const WIN_SIZE: i32 = 11;
const WIN_DISP_UNIT: i32 = 12;
const WIN_CREATE_FLAVOR: i32 = 13;
const WIN_MODEL: i32 = 14;

/// Runs a call on window `win`: its error handler applies.
fn call_win(
    c: &mut Caller<'_, RankCtx>,
    name: &str,
    win: i32,
    f: impl FnOnce(&mut MpiRank, &GuestMem) -> MpiResult<()>,
) -> wasmtime::Result<i32> {
    let comm = c.data().mpi.win_errcomm(win);
    call(c, name, comm, f)
}

fn size_arg(size: i32) -> MpiResult<u32> {
    u32::try_from(size)
        .map_err(|_| MpiError::new(abi::MPI_ERR_SIZE, format!("invalid window size {size}")))
}

fn info_arg(r: &MpiRank, info: i32) -> MpiResult<()> {
    if info != abi::MPI_INFO_NULL {
        r.info(info)?;
    }
    Ok(())
}

/// Allocates `bytes` from the guest's malloc after `check` passes (MPI errors
/// go through the error handler of `comm`).
fn malloc_checked(
    c: &mut Caller<'_, RankCtx>,
    bytes: u32,
    check: impl FnOnce(&MpiRank) -> MpiResult<()>,
) -> wasmtime::Result<MpiResult<u32>> {
    let checked = {
        let r = &c.data().mpi;
        r.check_initialized().and_then(|_| check(r))
    };
    match checked {
        Ok(()) => guest_malloc(c, bytes.max(1)),
        Err(e) => Ok(Err(e)),
    }
}

fn guest_free(c: &mut Caller<'_, RankCtx>, addr: u32) -> wasmtime::Result<()> {
    if let Some(f) = c.get_export("free").and_then(|e| e.into_func()) {
        f.typed::<u32, ()>(&*c)?.call(&mut *c, addr)?;
    }
    Ok(())
}

fn typed(r: &MpiRank, m: &GuestMem, addr: u32, count: i32, dt: i32) -> MpiResult<TypedBuf> {
    r.buffer(m, addr, count, dt)
}

pub(super) fn add(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    creation(l)?;
    inquiry(l)?;
    operations(l)?;
    synchronisation(l)
}

fn creation(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    mpi_fn!(
        l,
        "MPI_Win_create",
        (base: u32, size: i32, disp_unit: i32, info: i32, comm: i32, win: u32),
        call(comm),
        |r, m| {
            info_arg(r, info)?;
            m.slice(win, 4)?;
            let h = r.win_create(
                comm,
                base,
                size_arg(size)?,
                disp_unit,
                win::FLAVOR_CREATE,
                m,
            )?;
            m.write_i32(win, h)
        }
    );
    mpi_fn!(l, "MPI_Win_create_dynamic", (info: i32, comm: i32, win: u32), call(comm), |r, m| {
        info_arg(r, info)?;
        m.slice(win, 4)?;
        let h = r.win_create(comm, 0, 0, 1, win::FLAVOR_DYNAMIC, m)?;
        m.write_i32(win, h)
    });
    l.func_wrap(
        "mpi",
        "MPI_Win_allocate",
        |mut c: Caller<'_, RankCtx>,
         size: i32,
         disp_unit: i32,
         info: i32,
         comm: i32,
         baseptr: u32,
         win: u32|
         -> wasmtime::Result<i32> {
            let block = malloc_checked(&mut c, size.max(0) as u32, |r| {
                info_arg(r, info)?;
                r.comm(comm)?;
                size_arg(size).map(|_| ())
            })?;
            let block = match block {
                Ok(b) => b,
                Err(e) => return conclude(&mut c, "MPI_Win_allocate", comm, Err(e)),
            };
            call(&mut c, "MPI_Win_allocate", comm, |r, m| {
                m.slice(win, 4)?;
                m.slice(baseptr, 4)?;
                let h =
                    r.win_create(comm, block, size as u32, disp_unit, win::FLAVOR_ALLOCATE, m)?;
                r.set_win_block(h, block);
                m.write_i32(baseptr, block as i32)?;
                m.write_i32(win, h)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Win_allocate_shared",
        |mut c: Caller<'_, RankCtx>,
         size: i32,
         disp_unit: i32,
         info: i32,
         comm: i32,
         baseptr: u32,
         win: u32|
         -> wasmtime::Result<i32> {
            const NAME: &str = "MPI_Win_allocate_shared";
            let mut layout = None;
            let r = call(&mut c, NAME, comm, |r, m| {
                info_arg(r, info)?;
                m.slice(win, 4)?;
                m.slice(baseptr, 4)?;
                layout = Some(r.win_shared_layout(comm, size_arg(size)?, disp_unit)?);
                Ok(())
            })?;
            let Some((internal, total, offsets)) = layout else {
                return Ok(r);
            };
            let block = match guest_malloc(&mut c, total + 4096)? {
                Ok(b) => b,
                Err(e) => return conclude(&mut c, NAME, comm, Err(e)),
            };
            call(&mut c, NAME, comm, |r, m| {
                let h =
                    r.win_shared_map(internal, size as u32, disp_unit, total, offsets, block, m)?;
                let (_, _, base) = r.win_shared_query(h, r.win(h)?.rank as i32)?;
                m.write_i32(baseptr, base as i32)?;
                m.write_i32(win, h)
            })
        },
    )?;
    mpi_fn!(
        l,
        "MPI_Win_shared_query",
        (win: i32, rank: i32, size: u32, disp_unit: u32, baseptr: u32),
        call_win(win),
        |r, m| {
            let (s, d, b) = r.win_shared_query(win, rank)?;
            m.write_i32(size, s as i32)?;
            m.write_i32(disp_unit, d as i32)?;
            m.write_i32(baseptr, b as i32)
        }
    );
    mpi_fn!(l, "MPI_Win_attach", (win: i32, base: u32, size: i32), call_win(win), |r, m| {
        r.win_attach(win, base, size_arg(size)?, m)
    });
    mpi_fn!(l, "MPI_Win_detach", (win: i32, base: u32), call_win(win), |r, _| {
        r.win_detach(win, base)
    });
    l.func_wrap(
        "mpi",
        "MPI_Win_free",
        |mut c: Caller<'_, RankCtx>, win: u32| -> wasmtime::Result<i32> {
            let h = guest(&mut c).read_i32(win).unwrap_or(abi::MPI_WIN_NULL);
            let comm = c.data().mpi.win_errcomm(h);
            let mut blocks = Vec::new();
            let r = call(&mut c, "MPI_Win_free", comm, |r, m| {
                m.slice(win, 4)?;
                blocks = r.win_free(h)?;
                m.write_i32(win, abi::MPI_WIN_NULL)
            })?;
            for b in blocks {
                guest_free(&mut c, b)?;
            }
            Ok(r)
        },
    )?;
    Ok(())
}

fn inquiry(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    l.func_wrap(
        "mpi",
        "MPI_Win_get_attr",
        |mut c: Caller<'_, RankCtx>,
         win: i32,
         key: i32,
         val: u32,
         flag: u32|
         -> wasmtime::Result<i32> {
            // The attribute values live in a small guest area per window.
            let need_area = c
                .data()
                .mpi
                .win(win)
                .map(|w| w.attr_area == 0)
                .unwrap_or(false);
            if need_area {
                match guest_malloc(&mut c, 16)? {
                    Ok(a) => c.data_mut().mpi.set_win_attr_area(win, a),
                    Err(e) => {
                        let comm = c.data().mpi.win_errcomm(win);
                        return conclude(&mut c, "MPI_Win_get_attr", comm, Err(e));
                    }
                }
            }
            call_win(&mut c, "MPI_Win_get_attr", win, |r, m| {
                let (flavor, area, base, size, unit) = r.win_self(win)?;
                m.write_i32(area, size as i32)?;
                m.write_i32(area + 4, unit as i32)?;
                m.write_i32(area + 8, flavor)?;
                m.write_i32(area + 12, win::MODEL_UNIFIED)?;
                let v = match key {
                    WIN_BASE => base as i32,
                    WIN_SIZE => area as i32,
                    WIN_DISP_UNIT => (area + 4) as i32,
                    WIN_CREATE_FLAVOR => (area + 8) as i32,
                    WIN_MODEL => (area + 12) as i32,
                    _ => return m.write_i32(flag, 0),
                };
                m.write_i32(val, v)?;
                m.write_i32(flag, 1)
            })
        },
    )?;
    mpi_fn!(l, "MPI_Win_get_group", (win: i32, out: u32), call_win(win), |r, m| {
        let cm = r.comm(r.win(win)?.comm)?;
        m.slice(out, 4)?;
        let h = r.groups.insert(cm.group.clone());
        m.write_i32(out, h)
    });
    mpi_fn!(l, "MPI_Win_set_name", (win: i32, name: u32), call_win(win), |r, m| {
        let s = m.read_cstr(name, abi::MPI_MAX_OBJECT_NAME as usize - 1)?;
        r.set_win_name(win, s)
    });
    mpi_fn!(l, "MPI_Win_get_name", (win: i32, name: u32, len: u32), call_win(win), |r, m| {
        let s = r.win(win)?.name.clone();
        m.write_cstr(name, abi::MPI_MAX_OBJECT_NAME as usize, &s, len)
    });
    mpi_fn!(l, "MPI_Win_set_errhandler", (win: i32, eh: i32), call_win(win), |r, _| {
        let comm = r.win(win)?.comm;
        r.set_errhandler(comm, eh)
    });
    mpi_fn!(l, "MPI_Win_get_errhandler", (win: i32, out: u32), call_win(win), |r, m| {
        let eh = r.comm(r.win(win)?.comm)?.errhandler;
        m.write_i32(out, eh)
    });
    Ok(())
}

fn spec(rank: i32, disp: i32, count: i32, dt: i32) -> TargetSpec {
    TargetSpec {
        rank,
        disp: i64::from(disp),
        count,
        dt,
    }
}

/// Stores a completed request handle for an R* operation.
fn request_out(r: &mut MpiRank, m: &GuestMem, req: u32) -> MpiResult<()> {
    let h = r.add_request(win::completed_request());
    m.write_i32(req, h)
}

fn operations(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    macro_rules! put_get {
        ($name:literal, $method:ident, $request:expr) => {
            l.func_wrap(
                "mpi",
                $name,
                |mut c: Caller<'_, RankCtx>,
                 o: u32,
                 oc: i32,
                 odt: i32,
                 trank: i32,
                 tdisp: i32,
                 tc: i32,
                 tdt: i32,
                 win: i32| {
                    call_win(&mut c, $name, win, |r, m| {
                        let origin = typed(r, m, o, oc, odt)?;
                        r.$method(win, &origin, spec(trank, tdisp, tc, tdt), $name)
                    })
                },
            )?;
        };
    }
    put_get!("MPI_Put", rma_put, false);
    put_get!("MPI_Get", rma_get, false);
    macro_rules! rput_rget {
        ($name:literal, $method:ident) => {
            l.func_wrap(
                "mpi",
                $name,
                |mut c: Caller<'_, RankCtx>,
                 o: u32,
                 oc: i32,
                 odt: i32,
                 trank: i32,
                 tdisp: i32,
                 tc: i32,
                 tdt: i32,
                 win: i32,
                 req: u32| {
                    call_win(&mut c, $name, win, |r, m| {
                        m.slice(req, 4)?;
                        r.rma_check_passive(win, trank, $name)?;
                        let origin = typed(r, m, o, oc, odt)?;
                        r.$method(win, &origin, spec(trank, tdisp, tc, tdt), $name)?;
                        request_out(r, m, req)
                    })
                },
            )?;
        };
    }
    rput_rget!("MPI_Rput", rma_put);
    rput_rget!("MPI_Rget", rma_get);
    mpi_fn!(
        l,
        "MPI_Accumulate",
        (o: u32, oc: i32, odt: i32, trank: i32, tdisp: i32, tc: i32, tdt: i32, op: i32, win: i32),
        call_win(win),
        |r, m| {
            let origin = typed(r, m, o, oc, odt)?;
            let s = spec(trank, tdisp, tc, tdt);
            r.rma_accumulate(win, Some(&origin), None, s, op, "MPI_Accumulate")
        }
    );
    mpi_fn!(
        l,
        "MPI_Raccumulate",
        (
            o: u32, oc: i32, odt: i32, trank: i32, tdisp: i32, tc: i32, tdt: i32, op: i32,
            win: i32, req: u32,
        ),
        call_win(win),
        |r, m| {
            m.slice(req, 4)?;
            r.rma_check_passive(win, trank, "MPI_Raccumulate")?;
            let origin = typed(r, m, o, oc, odt)?;
            let s = spec(trank, tdisp, tc, tdt);
            r.rma_accumulate(win, Some(&origin), None, s, op, "MPI_Raccumulate")?;
            request_out(r, m, req)
        }
    );
    #[allow(clippy::too_many_arguments)]
    fn get_accumulate(
        r: &mut MpiRank,
        m: &GuestMem,
        (o, oc, odt): (u32, i32, i32),
        (res, rc, rdt): (u32, i32, i32),
        s: TargetSpec,
        op: i32,
        win: i32,
        name: &str,
    ) -> MpiResult<()> {
        let no_op = op == abi::MPI_NO_OP;
        let origin = if no_op {
            None
        } else {
            Some(typed(r, m, o, oc, odt)?)
        };
        let result = typed(r, m, res, rc, rdt)?;
        r.rma_accumulate(win, origin.as_ref(), Some(&result), s, op, name)
    }
    mpi_fn!(
        l,
        "MPI_Get_accumulate",
        (
            o: u32, oc: i32, odt: i32, res: u32, rc: i32, rdt: i32, trank: i32, tdisp: i32,
            tc: i32, tdt: i32, op: i32, win: i32,
        ),
        call_win(win),
        |r, m| {
            let s = spec(trank, tdisp, tc, tdt);
            get_accumulate(
                r,
                m,
                (o, oc, odt),
                (res, rc, rdt),
                s,
                op,
                win,
                "MPI_Get_accumulate",
            )
        }
    );
    mpi_fn!(
        l,
        "MPI_Rget_accumulate",
        (
            o: u32, oc: i32, odt: i32, res: u32, rc: i32, rdt: i32, trank: i32, tdisp: i32,
            tc: i32, tdt: i32, op: i32, win: i32, req: u32,
        ),
        call_win(win),
        |r, m| {
            m.slice(req, 4)?;
            r.rma_check_passive(win, trank, "MPI_Rget_accumulate")?;
            let s = spec(trank, tdisp, tc, tdt);
            get_accumulate(
                r,
                m,
                (o, oc, odt),
                (res, rc, rdt),
                s,
                op,
                win,
                "MPI_Rget_accumulate",
            )?;
            request_out(r, m, req)
        }
    );
    mpi_fn!(
        l,
        "MPI_Fetch_and_op",
        (o: u32, res: u32, dt: i32, trank: i32, tdisp: i32, op: i32, win: i32),
        call_win(win),
        |r, m| {
            let s = spec(trank, tdisp, 1, dt);
            get_accumulate(
                r,
                m,
                (o, 1, dt),
                (res, 1, dt),
                s,
                op,
                win,
                "MPI_Fetch_and_op",
            )
        }
    );
    mpi_fn!(
        l,
        "MPI_Compare_and_swap",
        (o: u32, cmp: u32, res: u32, dt: i32, trank: i32, tdisp: i32, win: i32),
        call_win(win),
        |r, m| {
            let origin = typed(r, m, o, 1, dt)?;
            let compare = typed(r, m, cmp, 1, dt)?;
            let result = typed(r, m, res, 1, dt)?;
            r.rma_compare_and_swap(win, &origin, &compare, &result, spec(trank, tdisp, 1, dt))
        }
    );
    Ok(())
}

fn synchronisation(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    mpi_fn!(l, "MPI_Win_fence", (assert: i32, win: i32), call_win(win), |r, _| {
        r.win_fence(win, assert)
    });
    mpi_fn!(l, "MPI_Win_post", (group: i32, assert: i32, win: i32), call_win(win), |r, _| {
        r.win_post(win, group, assert)
    });
    mpi_fn!(l, "MPI_Win_start", (group: i32, assert: i32, win: i32), call_win(win), |r, _| {
        r.win_start(win, group, assert)
    });
    l.func_wrap(
        "mpi",
        "MPI_Win_complete",
        |mut c: Caller<'_, RankCtx>, win: i32| {
            call_win(&mut c, "MPI_Win_complete", win, |r, _| r.win_complete(win))
        },
    )?;
    mpi_fn!(l, "MPI_Win_wait", (win: i32), call_win(win), |r, _| {
        r.win_wait(win, true).map(|_| ())
    });
    mpi_fn!(l, "MPI_Win_test", (win: i32, flag: u32), call_win(win), |r, m| {
        m.slice(flag, 4)?;
        let done = r.win_wait(win, false)?;
        m.write_i32(flag, done as i32)
    });
    mpi_fn!(l, "MPI_Win_lock", (ty: i32, rank: i32, assert: i32, win: i32), call_win(win), |r, _| {
        r.win_lock(win, ty, rank, assert)
    });
    mpi_fn!(l, "MPI_Win_unlock", (rank: i32, win: i32), call_win(win), |r, _| {
        r.win_unlock(win, rank)
    });
    mpi_fn!(l, "MPI_Win_lock_all", (assert: i32, win: i32), call_win(win), |r, _| {
        r.win_lock_all(win, assert)
    });
    mpi_fn!(l, "MPI_Win_unlock_all", (win: i32), call_win(win), |r, _| {
        r.win_unlock_all(win)
    });
    macro_rules! flush_one {
        ($name:literal) => {
            l.func_wrap(
                "mpi",
                $name,
                |mut c: Caller<'_, RankCtx>, rank: i32, win: i32| {
                    call_win(&mut c, $name, win, |r, _| {
                        r.win_flush(win, Some(rank), $name)
                    })
                },
            )?;
        };
    }
    flush_one!("MPI_Win_flush");
    flush_one!("MPI_Win_flush_local");
    macro_rules! flush_all {
        ($name:literal) => {
            l.func_wrap("mpi", $name, |mut c: Caller<'_, RankCtx>, win: i32| {
                call_win(&mut c, $name, win, |r, _| r.win_flush(win, None, $name))
            })?;
        };
    }
    flush_all!("MPI_Win_flush_all");
    flush_all!("MPI_Win_flush_local_all");
    l.func_wrap(
        "mpi",
        "MPI_Win_sync",
        |mut c: Caller<'_, RankCtx>, win: i32| {
            call_win(&mut c, "MPI_Win_sync", win, |r, _| r.win_sync(win))
        },
    )?;
    Ok(())
}
