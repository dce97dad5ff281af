//! Adapters for groups, communicators and Cartesian topologies.

use super::{call, call_any};
use crate::mpi::abi::{self, GuestMem};
use crate::mpi::comm::{compare_groups, dims_create, Group};
use crate::mpi::error::{err_arg, MpiError, MpiResult};
use crate::mpi::rank::MpiRank;
use crate::rank::RankCtx;
use std::sync::Arc;
use wasmtime::{Caller, Linker};

fn nonneg(n: i32, what: &str) -> MpiResult<usize> {
    usize::try_from(n).map_err(|_| err_arg(format!("negative {what} {n}")))
}

fn out_handle(r: &mut MpiRank, m: &GuestMem, out: u32, g: Group) -> MpiResult<()> {
    m.slice(out, 4)?;
    let h = if g.is_empty() {
        abi::MPI_GROUP_EMPTY
    } else {
        r.groups.insert(g)
    };
    m.write_i32(out, h)
}

/// Ranks of `g` selected by a list of group ranks (checked, no duplicates).
fn pick(g: &Group, ranks: &[i32]) -> MpiResult<Vec<usize>> {
    let mut seen = vec![false; g.len()];
    ranks
        .iter()
        .map(|&r| {
            let i = usize::try_from(r)
                .ok()
                .filter(|i| *i < g.len())
                .ok_or_else(|| {
                    MpiError::new(
                        abi::MPI_ERR_RANK,
                        format!("rank {r} is not in a group of size {}", g.len()),
                    )
                })?;
            if std::mem::replace(&mut seen[i], true) {
                return Err(MpiError::new(
                    abi::MPI_ERR_RANK,
                    format!("rank {r} listed twice"),
                ));
            }
            Ok(i)
        })
        .collect()
}

/// Expands (first, last, stride) triplets into ranks.
fn ranges(m: &GuestMem, ptr: u32, n: i32) -> MpiResult<Vec<i32>> {
    let t = m.read_i32s(ptr, nonneg(n, "range count")? * 3)?;
    let mut out = Vec::new();
    for r in t.chunks_exact(3) {
        let (first, last, stride) = (r[0], r[1], r[2]);
        if stride == 0 {
            return Err(err_arg("range stride 0"));
        }
        let mut x = first;
        while (stride > 0 && x <= last) || (stride < 0 && x >= last) {
            out.push(x);
            x += stride;
        }
    }
    Ok(out)
}

pub(super) fn add(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    mpi_fn!(l, "MPI_Comm_group", (comm: i32, out: u32), call(comm), |r, m| {
        let g = r.comm(comm)?.group;
        out_handle(r, m, out, g)
    });
    mpi_fn!(l, "MPI_Group_size", (g: i32, out: u32), call_any(), |r, m| {
        m.write_i32(out, r.group(g)?.len() as i32)
    });
    mpi_fn!(l, "MPI_Group_rank", (g: i32, out: u32), call_any(), |r, m| {
        let me = r.me;
        let rank = r
            .group(g)?
            .iter()
            .position(|w| *w == me)
            .map(|i| i as i32)
            .unwrap_or(abi::MPI_UNDEFINED);
        m.write_i32(out, rank)
    });
    macro_rules! incl_excl {
        ($name:literal, $ranges:expr, $incl:expr) => {
            l.func_wrap(
                "mpi",
                $name,
                |mut c: Caller<'_, RankCtx>, g: i32, n: i32, list: u32, out: u32| {
                    call_any(&mut c, $name, |r, m| {
                        let grp = r.group(g)?;
                        let ranks = if $ranges {
                            ranges(m, list, n)?
                        } else {
                            m.read_i32s(list, nonneg(n, "count")?)?
                        };
                        let idx = pick(&grp, &ranks)?;
                        let new: Group = if $incl {
                            idx.iter().map(|i| grp[*i]).collect()
                        } else {
                            (0..grp.len())
                                .filter(|i| !idx.contains(i))
                                .map(|i| grp[i])
                                .collect()
                        };
                        out_handle(r, m, out, new)
                    })
                },
            )?;
        };
    }
    incl_excl!("MPI_Group_incl", false, true);
    incl_excl!("MPI_Group_excl", false, false);
    incl_excl!("MPI_Group_range_incl", true, true);
    incl_excl!("MPI_Group_range_excl", true, false);
    macro_rules! set_op {
        ($name:literal, $f:expr) => {
            l.func_wrap(
                "mpi",
                $name,
                |mut c: Caller<'_, RankCtx>, a: i32, b: i32, out: u32| {
                    call_any(&mut c, $name, |r, m| {
                        let (x, y) = (r.group(a)?, r.group(b)?);
                        let f: fn(&[u32], &[u32]) -> Vec<u32> = $f;
                        out_handle(r, m, out, Arc::from(f(&x, &y)))
                    })
                },
            )?;
        };
    }
    set_op!("MPI_Group_union", |x, y| x
        .iter()
        .copied()
        .chain(y.iter().copied().filter(|w| !x.contains(w)))
        .collect());
    set_op!("MPI_Group_intersection", |x, y| x
        .iter()
        .copied()
        .filter(|w| y.contains(w))
        .collect());
    set_op!("MPI_Group_difference", |x, y| x
        .iter()
        .copied()
        .filter(|w| !y.contains(w))
        .collect());
    mpi_fn!(
        l,
        "MPI_Group_translate_ranks",
        (a: i32, n: i32, r1: u32, b: i32, r2: u32),
        call_any(),
        |r, m| {
            let (x, y) = (r.group(a)?, r.group(b)?);
            let ranks = m.read_i32s(r1, nonneg(n, "count")?)?;
            for (i, &rk) in ranks.iter().enumerate() {
                let t = if rk == abi::MPI_PROC_NULL {
                    abi::MPI_PROC_NULL
                } else {
                    let w = x[pick(&x, &[rk])?[0]];
                    y.iter()
                        .position(|v| *v == w)
                        .map(|p| p as i32)
                        .unwrap_or(abi::MPI_UNDEFINED)
                };
                m.write_i32(r2 + 4 * i as u32, t)?;
            }
            Ok(())
        }
    );
    mpi_fn!(l, "MPI_Group_compare", (a: i32, b: i32, out: u32), call_any(), |r, m| {
        let res = compare_groups(&r.group(a)?, &r.group(b)?);
        m.write_i32(out, res)
    });
    mpi_fn!(l, "MPI_Group_free", (ptr: u32), call_any(), |r, m| {
        let h = m.read_i32(ptr)?;
        r.group(h)?;
        r.groups.remove(h);
        m.write_i32(ptr, abi::MPI_GROUP_NULL)
    });
    mpi_fn!(l, "MPI_Comm_dup", (comm: i32, out: u32), call(comm), |r, m| {
        m.slice(out, 4)?;
        let h = r.comm_dup(comm)?;
        m.write_i32(out, h)
    });
    mpi_fn!(l, "MPI_Comm_split", (comm: i32, color: i32, key: i32, out: u32), call(comm), |r, m| {
        m.slice(out, 4)?;
        let h = r.comm_split(comm, color, key)?;
        m.write_i32(out, h)
    });
    mpi_fn!(
        l,
        "MPI_Comm_split_type",
        (comm: i32, kind: i32, key: i32, _info: i32, out: u32),
        call(comm),
        |r, m| {
            m.slice(out, 4)?;
            // MPI_COMM_TYPE_SHARED: ranks that can share memory, i.e. those
            // run by the same noded.
            let color = match kind {
                abi::MPI_COMM_TYPE_SHARED => r.world.node_index(r.me) as i32,
                abi::MPI_UNDEFINED => abi::MPI_UNDEFINED,
                other => return Err(err_arg(format!("unknown split type {other}"))),
            };
            let h = r.comm_split(comm, color, key)?;
            m.write_i32(out, h)
        }
    );
    mpi_fn!(l, "MPI_Comm_create", (comm: i32, g: i32, out: u32), call(comm), |r, m| {
        m.slice(out, 4)?;
        let grp = r.group(g)?;
        let h = r.comm_create(comm, grp)?;
        m.write_i32(out, h)
    });
    mpi_fn!(
        l,
        "MPI_Comm_create_group",
        (comm: i32, g: i32, tag: i32, out: u32),
        call(comm),
        |r, m| {
            m.slice(out, 4)?;
            let grp = r.group(g)?;
            let h = r.comm_create_group(comm, grp, tag)?;
            m.write_i32(out, h)
        }
    );
    mpi_fn!(l, "MPI_Comm_compare", (a: i32, b: i32, out: u32), call(a), |r, m| {
        let res = r.comm_compare(a, b)?;
        m.write_i32(out, res)
    });
    mpi_fn!(l, "MPI_Comm_free", (ptr: u32), call(abi::MPI_COMM_WORLD), |r, m| {
        let h = m.read_i32(ptr)?;
        r.comm_free(h)?;
        m.write_i32(ptr, abi::MPI_COMM_NULL)
    });
    mpi_fn!(l, "MPI_Comm_set_name", (comm: i32, name: u32), call_any(), |r, m| {
        let n = m.read_cstr(name, abi::MPI_MAX_OBJECT_NAME as usize - 1)?;
        let cm = r.comms.get_mut(comm).ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_COMM,
                format!("invalid communicator handle {comm:#x}"),
            )
        })?;
        cm.name = n.into();
        Ok(())
    });
    mpi_fn!(l, "MPI_Comm_get_name", (comm: i32, name: u32, len: u32), call_any(), |r, m| {
        let n = r.comm(comm)?.name;
        m.write_cstr(name, abi::MPI_MAX_OBJECT_NAME as usize, &n, len)
    });
    mpi_fn!(l, "MPI_Comm_test_inter", (comm: i32, flag: u32), call(comm), |r, m| {
        r.comm(comm)?;
        m.write_i32(flag, 0)
    });
    l.func_wrap(
        "mpi",
        "MPI_Dims_create",
        |mut c: Caller<'_, RankCtx>, nnodes: i32, ndims: i32, dims: u32| {
            call_any(&mut c, "MPI_Dims_create", |_, m| {
                let n = nonneg(ndims, "ndims")?;
                let mut d = m.read_i32s(dims, n)?;
                dims_create(nnodes, &mut d)?;
                for (i, v) in d.iter().enumerate() {
                    m.write_i32(dims + 4 * i as u32, *v)?;
                }
                Ok(())
            })
        },
    )?;
    mpi_fn!(
        l,
        "MPI_Cart_create",
        (comm: i32, ndims: i32, dims: u32, periods: u32, _reorder: i32, out: u32),
        call(comm),
        |r, m| {
            let n = nonneg(ndims, "ndims")?;
            let d = m.read_i32s(dims, n)?;
            let p = m.read_i32s(periods, n)?.iter().map(|x| *x != 0).collect();
            m.slice(out, 4)?;
            let h = r.cart_create(comm, d, p)?;
            m.write_i32(out, h)
        }
    );
    mpi_fn!(l, "MPI_Cartdim_get", (comm: i32, out: u32), call(comm), |r, m| {
        let (_, cart) = r.cart(comm)?;
        m.write_i32(out, cart.dims.len() as i32)
    });
    mpi_fn!(l, "MPI_Topo_test", (comm: i32, out: u32), call(comm), |r, m| {
        let t = if r.comm(comm)?.cart.is_some() {
            abi::MPI_CART
        } else {
            abi::MPI_UNDEFINED
        };
        m.write_i32(out, t)
    });
    mpi_fn!(
        l,
        "MPI_Cart_get",
        (comm: i32, maxdims: i32, dims: u32, periods: u32, coords: u32),
        call(comm),
        |r, m| {
            let (cm, cart) = r.cart(comm)?;
            let n = cart.dims.len().min(nonneg(maxdims, "maxdims")?);
            let co = cart.coords(cm.rank as i32);
            let rows = cart.dims.iter().zip(&cart.periods).zip(&co).take(n);
            for (i, ((d, p), x)) in rows.enumerate() {
                m.write_i32(dims + 4 * i as u32, *d)?;
                m.write_i32(periods + 4 * i as u32, *p as i32)?;
                m.write_i32(coords + 4 * i as u32, *x)?;
            }
            Ok(())
        }
    );
    mpi_fn!(l, "MPI_Cart_rank", (comm: i32, coords: u32, out: u32), call(comm), |r, m| {
        let (_, cart) = r.cart(comm)?;
        let co = m.read_i32s(coords, cart.dims.len())?;
        let rank = cart.rank(&co).ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_ARG,
                format!("coordinates {co:?} are outside the grid"),
            )
        })?;
        m.write_i32(out, rank)
    });
    mpi_fn!(
        l,
        "MPI_Cart_coords",
        (comm: i32, rank: i32, maxdims: i32, coords: u32),
        call(comm),
        |r, m| {
            let (cm, cart) = r.cart(comm)?;
            cm.world_rank(rank)?;
            let co = cart.coords(rank);
            for (i, v) in co.iter().take(nonneg(maxdims, "maxdims")?).enumerate() {
                m.write_i32(coords + 4 * i as u32, *v)?;
            }
            Ok(())
        }
    );
    mpi_fn!(
        l,
        "MPI_Cart_shift",
        (comm: i32, dir: i32, disp: i32, src: u32, dst: u32),
        call(comm),
        |r, m| {
            let (cm, cart) = r.cart(comm)?;
            let d = usize::try_from(dir)
                .ok()
                .filter(|d| *d < cart.dims.len())
                .ok_or_else(|| err_arg(format!("invalid direction {dir}")))?;
            let me = cart.coords(cm.rank as i32);
            let at = |delta: i32| {
                let mut co = me.clone();
                co[d] += delta;
                cart.rank(&co).unwrap_or(abi::MPI_PROC_NULL)
            };
            m.write_i32(src, at(-disp))?;
            m.write_i32(dst, at(disp))
        }
    );
    mpi_fn!(l, "MPI_Cart_sub", (comm: i32, remain: u32, out: u32), call(comm), |r, m| {
        let (_, cart) = r.cart(comm)?;
        let keep: Vec<bool> = m
            .read_i32s(remain, cart.dims.len())?
            .iter()
            .map(|x| *x != 0)
            .collect();
        m.slice(out, 4)?;
        let h = r.cart_sub(comm, &keep)?;
        m.write_i32(out, h)
    });
    Ok(())
}
