//! Host functions: the `"mpi"` imports of a guest, as thin adapters. Each decodes
//! its arguments through [`GuestMem`], calls a typed method of [`MpiRank`], and
//! encodes the result code. An MPI error returns its class under
//! MPI_ERRORS_RETURN; under MPI_ERRORS_ARE_FATAL it ends the rank with a message
//! naming the call, which fails the job.

/// Defines host function `mpi.NAME` for the common shape of an adapter: the wasm
/// arguments as named and typed, then `body` run by one of the call wrappers
/// below (`call(comm)`, `call_any()`, `call_win(win)`, `call_reducing(comm, op,
/// dt)` with a third closure argument), which settle errors
/// against the right handler and name the call in fatal ones:
///
/// ```ignore
/// mpi_fn!(l, "MPI_Comm_rank", (comm: i32, out: u32), call(comm), |r, m| {
///     m.write_i32(out, r.comm(comm)?.rank as i32)
/// });
/// ```
macro_rules! mpi_fn {
    ($l:expr, $name:literal, ($($arg:ident: $ty:ty),* $(,)?), $call:ident($($sel:expr),*),
     |$($p:tt),+| $body:block) => {
        $l.func_wrap("mpi", $name, |mut c: Caller<'_, RankCtx>, $($arg: $ty),*| {
            $call(&mut c, $name, $($sel,)* |$($p),+| $body)
        })?
    };
}

mod coll;
mod comm;
mod datatype;
mod env;
mod info;
mod op;
mod p2p;
mod win;

use super::abi::{self, GuestMem};
use super::error::{class_name, MpiResult, RankExit};
use super::rank::MpiRank;
use crate::rank::RankCtx;
use wasmtime::{Caller, Linker};

/// Defines every implemented MPI function in `linker`.
pub fn add_to_linker(linker: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    env::add(linker)?;
    info::add(linker)?;
    p2p::add(linker)?;
    comm::add(linker)?;
    datatype::add(linker)?;
    coll::add(linker)?;
    op::add(linker)?;
    win::add(linker)?;
    Ok(())
}

/// The calling rank's linear memory.
fn guest(caller: &mut Caller<'_, RankCtx>) -> GuestMem {
    let (base, len) = match caller.data().limiter.view {
        Some(view) => view,
        None => {
            let memory = caller
                .data()
                .memory
                .expect("the instance's memory is recorded before _start runs");
            let view = (
                memory.data_ptr(&*caller) as usize,
                memory.data_size(&*caller),
            );
            caller.data_mut().limiter.view = Some(view);
            view
        }
    };
    // SAFETY: this is the store's own linear memory (MemLimiter::view); it
    // never moves or shrinks, `len` is at most its size, and the store outlives
    // every use of slices derived from it (see GuestMem).
    unsafe { GuestMem::new(base as *mut u8, len) }
}

/// Turns an MPI result into the call's return value or the rank's exit.
fn conclude(
    caller: &mut Caller<'_, RankCtx>,
    name: &str,
    comm: i32,
    r: MpiResult<()>,
) -> wasmtime::Result<i32> {
    match r {
        Ok(()) => Ok(abi::MPI_SUCCESS),
        Err(e) if e.is_stopped() => Err(wasmtime::Error::new(RankExit::Stopped)),
        Err(e) => {
            let rank = &caller.data().mpi;
            let msg = format!("{name}: {}: {}", class_name(e.class), e.msg);
            if rank.errhandler(comm) == abi::MPI_ERRORS_RETURN {
                log::debug!(
                    "job {} rank {}: {msg} (returned)",
                    rank.world.job_id,
                    rank.me
                );
                Ok(e.class)
            } else {
                Err(wasmtime::Error::new(RankExit::Fatal {
                    class: e.class,
                    msg,
                }))
            }
        }
    }
}

/// Runs an MPI call that requires MPI to be initialized. `comm` picks the error
/// handler (MPI_COMM_WORLD's for calls without a communicator).
fn call(
    caller: &mut Caller<'_, RankCtx>,
    name: &str,
    comm: i32,
    f: impl FnOnce(&mut MpiRank, &GuestMem) -> MpiResult<()>,
) -> wasmtime::Result<i32> {
    let mem = guest(caller);
    let rank = &mut caller.data_mut().mpi;
    let r = rank.check_initialized().and_then(|_| f(rank, &mem));
    conclude(caller, name, comm, r)
}

/// Runs an MPI call that is valid at any time (MPI_Initialized, ...).
fn call_any(
    caller: &mut Caller<'_, RankCtx>,
    name: &str,
    f: impl FnOnce(&mut MpiRank, &GuestMem) -> MpiResult<()>,
) -> wasmtime::Result<i32> {
    let mem = guest(caller);
    let r = f(&mut caller.data_mut().mpi, &mem);
    conclude(caller, name, abi::MPI_COMM_WORLD, r)
}

#[cfg(test)]
mod tests {
    /// The linker defines exactly aotc's ABI table, with the same signatures.
    #[test]
    fn linker_matches_the_abi_table() {
        let engine = aotc::new_engine().unwrap();
        let linker = crate::rank::linker(&engine).unwrap();
        let mut store = crate::rank::test_store(&engine);
        let mut defined = std::collections::BTreeMap::new();
        let defs: Vec<_> = linker
            .iter(&mut store)
            .filter(|(m, _, _)| *m == aotc::abi::MPI_MODULE)
            .map(|(_, n, e)| (n.to_string(), e))
            .collect();
        for (name, ext) in defs {
            let wasmtime::ExternType::Func(ft) = ext.ty(&store) else {
                panic!("{name} is not a function")
            };
            defined.insert(name, aotc::func_type_signature(&ft));
        }
        let table: std::collections::BTreeMap<String, String> = aotc::abi::MPI_FUNCTIONS
            .iter()
            .map(|f| (f.name.to_string(), f.sig.to_string()))
            .collect();
        assert_eq!(defined, table);
    }
}
