//! User-defined reduction operations: MPI_Op_create/free/commutative, and the
//! combine step that calls the guest's function back through its table.
//!
//! A reduction runs inside one host call, which holds the rank's `MpiRank`
//! borrowed from the store, while calling into the guest needs the whole store.
//! So for a user op the `MpiRank` is lent out of the store for the duration of
//! the call (a stand-in that refuses every MPI call takes its place) and the
//! combine step holds the `Caller`. Data reaches the guest function in the
//! datatype's own layout, in scratch memory from the guest's malloc.

use super::{call, conclude, guest};
use crate::mpi::abi::{self, GuestMem};
use crate::mpi::coll::Combine;
use crate::mpi::datatype::{Datatype, TypedBuf};
use crate::mpi::error::{MpiError, MpiResult};
use crate::mpi::op::{Op, UserOp};
use crate::mpi::rank::MpiRank;
use crate::rank::RankCtx;
use std::sync::Arc;
use wasmtime::{Caller, Linker, TypedFunc};

pub(super) fn add(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    l.func_wrap(
        "mpi",
        "MPI_Op_create",
        |mut c: Caller<'_, RankCtx>, func: u32, commute: i32, op: u32| {
            let valid = user_function(&mut c, func).map(|_| ());
            call(&mut c, "MPI_Op_create", abi::MPI_COMM_WORLD, |r, m| {
                valid?;
                m.slice(op, 4)?;
                let h = r.ops.insert(UserOp {
                    func,
                    commute: commute != 0,
                });
                m.write_i32(op, h)
            })
        },
    )?;
    mpi_fn!(l, "MPI_Op_free", (op: u32), call(abi::MPI_COMM_WORLD), |r, m| {
        let h = m.read_i32(op)?;
        r.ops.remove(h).ok_or_else(|| {
            let what = if Op::from_handle(h).is_some() {
                "a predefined operation cannot be freed"
            } else {
                "invalid operation handle"
            };
            MpiError::new(abi::MPI_ERR_OP, format!("{what} ({h:#x})"))
        })?;
        m.write_i32(op, abi::MPI_OP_NULL)
    });
    mpi_fn!(l, "MPI_Op_commutative", (op: i32, commute: u32), call(abi::MPI_COMM_WORLD), |r, m| {
        let yes = match (r.user_op(op), Op::from_handle(op)) {
            (Some(u), _) => u.commute,
            (None, Some(_)) => true,
            (None, None) => {
                return Err(MpiError::new(
                    abi::MPI_ERR_OP,
                    format!("invalid operation handle {op:#x}"),
                ))
            }
        };
        m.write_i32(commute, yes as i32)
    });
    Ok(())
}

type UserFn = TypedFunc<(u32, u32, u32, u32), ()>;

/// The guest function at table index `func`, checked to have the
/// MPI_User_function signature.
fn user_function(c: &mut Caller<'_, RankCtx>, func: u32) -> MpiResult<UserFn> {
    let bad = |why: &str| {
        MpiError::new(
            abi::MPI_ERR_OP,
            format!("the reduction function (table index {func}) {why}"),
        )
    };
    let table = c
        .get_export("__indirect_function_table")
        .and_then(|e| e.into_table())
        .ok_or_else(|| {
            bad("cannot be called: the module exports no function table (build it with fmpicc)")
        })?;
    let f = table
        .get(&mut *c, u64::from(func))
        .and_then(|r| r.as_func().flatten().cloned())
        .ok_or_else(|| bad("is not a function"))?;
    f.typed::<(u32, u32, u32, u32), ()>(&*c)
        .map_err(|_| bad("does not have the type void (void *, void *, int *, MPI_Datatype *)"))
}

/// The combine step of a user op: unpack both operands into guest scratch in
/// the datatype's layout, call the function, pack the result.
struct UserCombine<'a, 'c> {
    caller: &'a mut Caller<'c, RankCtx>,
    func: UserFn,
    commute: bool,
    dt: i32,
    dtype: Arc<Datatype>,
    /// Guest scratch: (address, bytes).
    scratch: Option<(u32, u32)>,
    /// A trap (or stop) raised by the guest function; it ends the rank.
    trap: Option<wasmtime::Error>,
}

impl UserCombine<'_, '_> {
    /// Bytes one operand of `n` elements spans, and where its buffer starts
    /// relative to the first byte touched.
    fn layout(&self, n: usize) -> (u32, i64) {
        let d = &self.dtype;
        let last = (n as i64 - 1) * d.extent;
        let lo = d.true_lb + last.min(0);
        let hi = d.true_lb + d.true_extent + last.max(0);
        ((hi - lo).max(0) as u32, -lo)
    }

    fn scratch(&mut self, bytes: u32) -> MpiResult<u32> {
        if let Some((addr, size)) = self.scratch {
            if size >= bytes {
                return Ok(addr);
            }
            self.free_scratch();
        }
        match super::env::guest_malloc(self.caller, bytes) {
            Ok(Ok(addr)) => {
                self.scratch = Some((addr, bytes));
                Ok(addr)
            }
            Ok(Err(e)) => Err(e),
            Err(trap) => Err(self.trapped(trap)),
        }
    }

    fn free_scratch(&mut self) {
        if let Some((addr, _)) = self.scratch.take() {
            if let Some(f) = self.caller.get_export("free").and_then(|e| e.into_func()) {
                if let Err(trap) = f
                    .typed::<u32, ()>(&*self.caller)
                    .and_then(|f| f.call(&mut *self.caller, addr))
                {
                    self.trap.get_or_insert(trap);
                }
            }
        }
    }

    fn trapped(&mut self, trap: wasmtime::Error) -> MpiError {
        self.trap = Some(trap);
        MpiError::new(abi::MPI_ERR_OTHER, "the reduction function trapped")
    }
}

impl Combine for UserCombine<'_, '_> {
    fn commutative(&self) -> bool {
        self.commute
    }

    fn combine(&mut self, inout: &mut [u8], input: &[u8]) -> MpiResult<()> {
        let size = self.dtype.size;
        if size == 0 || inout.is_empty() {
            return Ok(());
        }
        let n = inout.len().min(input.len()) / size;
        let (span, origin) = self.layout(n);
        let span8 = span.next_multiple_of(8);
        let base = self.scratch(2 * span8 + 8)?;
        let (a, b, args) = (base, base + span8, base + 2 * span8);
        let mem = guest(self.caller);
        let at = |addr: u32| (addr as i64 + origin) as u32;
        TypedBuf::new(&mem, at(a), n as i32, self.dtype.clone())?.unpack(input);
        TypedBuf::new(&mem, at(b), n as i32, self.dtype.clone())?.unpack(inout);
        mem.write_i32(args, n as i32)?;
        mem.write_i32(args + 4, self.dt)?;
        if let Err(trap) = self
            .func
            .call(&mut *self.caller, (at(a), at(b), args, args + 4))
        {
            return Err(self.trapped(trap));
        }
        let mem = guest(self.caller);
        let result = TypedBuf::new(&mem, at(b), n as i32, self.dtype.clone())?.pack();
        inout[..result.len()].copy_from_slice(&result);
        Ok(())
    }
}

/// Runs a reducing MPI call: `f` gets the rank, its memory and the combine step
/// for `op` on `dt`: a predefined op applied by the host, or a user op whose
/// function the guest runs.
pub(super) fn call_reducing(
    caller: &mut Caller<'_, RankCtx>,
    name: &str,
    comm: i32,
    op: i32,
    dt: i32,
    f: impl FnOnce(&mut MpiRank, &GuestMem, &mut dyn Combine) -> MpiResult<()>,
) -> wasmtime::Result<i32> {
    let Some(user) = caller.data().mpi.user_op(op) else {
        return call(caller, name, comm, |r, m| {
            let mut red = r.reduction(op, dt)?;
            f(r, m, &mut red)
        });
    };
    let checked = {
        let r = &caller.data().mpi;
        r.check_initialized().and_then(|_| r.datatype(dt))
    };
    let dtype = match checked.and_then(|d| Ok((d, user_function(caller, user.func)?))) {
        Ok(v) => v,
        Err(e) => return conclude(caller, name, comm, Err(e)),
    };
    let stand_in = caller.data().mpi.in_user_op();
    let mut rank = std::mem::replace(&mut caller.data_mut().mpi, stand_in);
    let mem = guest(caller);
    let mut combine = UserCombine {
        caller: &mut *caller,
        func: dtype.1,
        commute: user.commute,
        dt,
        dtype: dtype.0,
        scratch: None,
        trap: None,
    };
    let r = f(&mut rank, &mem, &mut combine);
    combine.free_scratch();
    let trap = combine.trap.take();
    caller.data_mut().mpi = rank;
    match trap {
        Some(t) => Err(t),
        None => conclude(caller, name, comm, r),
    }
}
