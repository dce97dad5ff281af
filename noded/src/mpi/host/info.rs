//! Adapters for MPI_Info calls and environment inquiries.

use super::{call, call_any};
use crate::mpi::abi;
use crate::mpi::abi::GuestMem;
use crate::mpi::error::{MpiError, MpiResult};
use crate::mpi::info::{Info, MAX_INFO_KEY};
use crate::rank::RankCtx;
use wasmtime::{Caller, Linker};

/// The library version string (MPI_Get_library_version).
pub const LIBRARY_VERSION: &str = concat!(
    "fbatch MPI ",
    env!("CARGO_PKG_VERSION"),
    " (wasm32, MPI 3.1)"
);

pub(super) fn add(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    mpi_fn!(l, "MPI_Info_create", (out: u32), call_any(), |r, m| {
        m.slice(out, 4)?;
        let h = r.infos.insert(Info::default());
        m.write_i32(out, h)
    });
    mpi_fn!(l, "MPI_Info_set", (info: i32, key: u32, value: u32), call_any(), |r, m| {
        let k = read_key(m, key)?;
        let v = m.read_cstr(value, LONGEST_STRING)?;
        r.info_mut(info)?.set(&k, &v)
    });
    mpi_fn!(
        l,
        "MPI_Info_get",
        (info: i32, key: u32, valuelen: i32, value: u32, flag: u32),
        call_any(),
        |r, m| {
            let k = read_key(m, key)?;
            match r.info(info)?.get(&k) {
                Some(v) => {
                    m.write_cstr(value, valuelen.max(0) as usize + 1, v, 0)?;
                    m.write_i32(flag, 1)
                }
                None => m.write_i32(flag, 0),
            }
        }
    );
    mpi_fn!(
        l,
        "MPI_Info_get_valuelen",
        (info: i32, key: u32, len: u32, flag: u32),
        call_any(),
        |r, m| {
            let k = read_key(m, key)?;
            match r.info(info)?.get(&k) {
                Some(v) => {
                    m.write_i32(len, v.len() as i32)?;
                    m.write_i32(flag, 1)
                }
                None => m.write_i32(flag, 0),
            }
        }
    );
    mpi_fn!(l, "MPI_Info_get_nkeys", (info: i32, out: u32), call_any(), |r, m| {
        let n = r.info(info)?.len();
        m.write_i32(out, n as i32)
    });
    mpi_fn!(l, "MPI_Info_get_nthkey", (info: i32, n: i32, key: u32), call_any(), |r, m| {
        let k = usize::try_from(n)
            .ok()
            .and_then(|n| r.info(info).ok()?.nth_key(n).map(str::to_string))
            .ok_or_else(|| {
                crate::mpi::error::err_arg(format!("info has no key number {n}"))
            })?;
        m.write_cstr(key, MAX_INFO_KEY + 1, &k, 0)
    });
    mpi_fn!(l, "MPI_Info_delete", (info: i32, key: u32), call_any(), |r, m| {
        let k = read_key(m, key)?;
        r.info_mut(info)?.delete(&k)
    });
    mpi_fn!(l, "MPI_Info_dup", (info: i32, out: u32), call_any(), |r, m| {
        m.slice(out, 4)?;
        let copy = r.info(info)?.clone();
        let h = r.infos.insert(copy);
        m.write_i32(out, h)
    });
    mpi_fn!(l, "MPI_Info_free", (ptr: u32), call_any(), |r, m| {
        let h = m.read_i32(ptr)?;
        r.info_mut(h)?;
        r.infos.remove(h);
        m.write_i32(ptr, abi::MPI_INFO_NULL)
    });
    mpi_fn!(l, "MPI_Query_thread", (out: u32), call(abi::MPI_COMM_WORLD), |r, m| {
        m.write_i32(out, r.thread_level)
    });
    l.func_wrap(
        "mpi",
        "MPI_Is_thread_main",
        |mut c: Caller<'_, RankCtx>, out: u32| {
            // A wasm rank has one thread: the one that called MPI_Init.
            call(&mut c, "MPI_Is_thread_main", abi::MPI_COMM_WORLD, |_, m| {
                m.write_i32(out, 1)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Get_version",
        |mut c: Caller<'_, RankCtx>, v: u32, sv: u32| {
            call_any(&mut c, "MPI_Get_version", |_, m| {
                m.write_i32(v, 3)?;
                m.write_i32(sv, 1)
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Get_library_version",
        |mut c: Caller<'_, RankCtx>, out: u32, len: u32| {
            call_any(&mut c, "MPI_Get_library_version", |_, m| {
                m.write_cstr(
                    out,
                    abi::MPI_MAX_LIBRARY_VERSION_STRING as usize,
                    LIBRARY_VERSION,
                    len,
                )
            })
        },
    )?;
    l.func_wrap(
        "mpi",
        "MPI_Pcontrol",
        |_: Caller<'_, RankCtx>, _level: i32, _varargs: u32| {
            // Profiling control: fbatch has no profiling levels, and MPI_Pcontrol is
            // defined to have no effect then.
            abi::MPI_SUCCESS
        },
    )?;
    Ok(())
}

/// How far to look for a string's NUL, so that a too-long key or value is
/// reported with its own error class rather than as an unterminated string.
const LONGEST_STRING: usize = 1 << 20;

/// An info key argument: at most MPI_MAX_INFO_KEY characters (MPI_ERR_INFO_KEY).
fn read_key(m: &GuestMem, key: u32) -> MpiResult<String> {
    let k = m.read_cstr(key, LONGEST_STRING)?;
    if k.is_empty() || k.len() > MAX_INFO_KEY {
        return Err(MpiError::new(
            abi::MPI_ERR_INFO_KEY,
            format!("invalid info key of {} characters", k.len()),
        ));
    }
    Ok(k)
}
