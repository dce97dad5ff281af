//! Adapters for datatype constructors, queries and packing.

use super::{call, call_any};
use crate::mpi::abi::{self, GuestMem};
use crate::mpi::datatype::{self, Datatype, TypedBuf};
use crate::mpi::error::{err_arg, MpiError, MpiResult};
use crate::mpi::rank::MpiRank;
use crate::rank::RankCtx;
use std::sync::Arc;
use wasmtime::{Caller, Linker};

fn count(n: i32) -> MpiResult<usize> {
    usize::try_from(n).map_err(|_| MpiError::new(abi::MPI_ERR_COUNT, format!("negative count {n}")))
}

/// A datatype by handle, committed or not (constructors accept uncommitted types).
fn any_type(r: &MpiRank, h: i32) -> MpiResult<Arc<Datatype>> {
    r.types
        .get(h)
        .cloned()
        .ok_or_else(|| MpiError::new(abi::MPI_ERR_TYPE, format!("invalid datatype handle {h:#x}")))
}

fn store(r: &mut MpiRank, m: &GuestMem, out: u32, t: Datatype) -> MpiResult<()> {
    m.slice(out, 4)?;
    let h = r.types.insert(Arc::new(t));
    m.write_i32(out, h)
}

pub(super) fn add(l: &mut Linker<RankCtx>) -> wasmtime::Result<()> {
    mpi_fn!(l, "MPI_Type_contiguous", (n: i32, old: i32, out: u32), call_any(), |r, m| {
        let t = datatype::build(&[(0, any_type(r, old)?, count(n)?)])?;
        store(r, m, out, t)
    });
    mpi_fn!(
        l,
        "MPI_Type_vector",
        (n: i32, bl: i32, stride: i32, old: i32, out: u32),
        call_any(),
        |r, m| {
            let o = any_type(r, old)?;
            let pieces: Vec<_> = (0..count(n)? as i64)
                .map(|i| (i * stride as i64 * o.extent, o.clone(), bl.max(0) as usize))
                .collect();
            count(bl)?;
            store(r, m, out, datatype::build(&pieces)?)
        }
    );
    mpi_fn!(
        l,
        "MPI_Type_create_hvector",
        (n: i32, bl: i32, stride: i32, old: i32, out: u32),
        call_any(),
        |r, m| {
            let o = any_type(r, old)?;
            count(bl)?;
            let pieces: Vec<_> = (0..count(n)? as i64)
                .map(|i| (i * stride as i64, o.clone(), bl as usize))
                .collect();
            store(r, m, out, datatype::build(&pieces)?)
        }
    );
    #[allow(clippy::too_many_arguments)]
    fn indexed(
        r: &mut MpiRank,
        m: &GuestMem,
        n: i32,
        bls: &[i32],
        ds: &[i32],
        bytes: bool,
        old: i32,
        out: u32,
    ) -> MpiResult<()> {
        let o = any_type(r, old)?;
        let unit = if bytes { 1 } else { o.extent };
        let pieces = (0..count(n)?)
            .map(|i| Ok((ds[i] as i64 * unit, o.clone(), count(bls[i])?)))
            .collect::<MpiResult<Vec<_>>>()?;
        store(r, m, out, datatype::build(&pieces)?)
    }
    mpi_fn!(
        l,
        "MPI_Type_indexed",
        (n: i32, bls: u32, ds: u32, old: i32, out: u32),
        call_any(),
        |r, m| {
            let k = count(n)?;
            let (b, d) = (m.read_i32s(bls, k)?, m.read_i32s(ds, k)?);
            indexed(r, m, n, &b, &d, false, old, out)
        }
    );
    mpi_fn!(
        l,
        "MPI_Type_create_hindexed",
        (n: i32, bls: u32, ds: u32, old: i32, out: u32),
        call_any(),
        |r, m| {
            let k = count(n)?;
            let (b, d) = (m.read_i32s(bls, k)?, m.read_i32s(ds, k)?);
            indexed(r, m, n, &b, &d, true, old, out)
        }
    );
    mpi_fn!(
        l,
        "MPI_Type_create_indexed_block",
        (n: i32, bl: i32, ds: u32, old: i32, out: u32),
        call_any(),
        |r, m| {
            let k = count(n)?;
            let d = m.read_i32s(ds, k)?;
            indexed(r, m, n, &vec![bl; k], &d, false, old, out)
        }
    );
    mpi_fn!(
        l,
        "MPI_Type_create_hindexed_block",
        (n: i32, bl: i32, ds: u32, old: i32, out: u32),
        call_any(),
        |r, m| {
            let k = count(n)?;
            let d = m.read_i32s(ds, k)?;
            indexed(r, m, n, &vec![bl; k], &d, true, old, out)
        }
    );
    mpi_fn!(
        l,
        "MPI_Type_create_struct",
        (n: i32, bls: u32, ds: u32, types: u32, out: u32),
        call_any(),
        |r, m| {
            let k = count(n)?;
            let (b, d, t) = (
                m.read_i32s(bls, k)?,
                m.read_i32s(ds, k)?,
                m.read_i32s(types, k)?,
            );
            let pieces = (0..k)
                .map(|i| Ok((d[i] as i64, any_type(r, t[i])?, count(b[i])?)))
                .collect::<MpiResult<Vec<_>>>()?;
            store(r, m, out, datatype::create_struct(&pieces)?)
        }
    );
    mpi_fn!(
        l,
        "MPI_Type_create_subarray",
        (nd: i32, sizes: u32, subs: u32, starts: u32, order: i32, old: i32, out: u32),
        call_any(),
        |r, m| {
            let k = count(nd)?;
            if k == 0 {
                return Err(err_arg("a subarray needs at least one dimension"));
            }
            let (a, b, s) = (
                m.read_i32s(sizes, k)?,
                m.read_i32s(subs, k)?,
                m.read_i32s(starts, k)?,
            );
            let order_c = match order {
                56 => true,
                57 => false,
                o => return Err(err_arg(format!("invalid order {o}"))),
            };
            let t = datatype::subarray(&a, &b, &s, order_c, any_type(r, old)?)?;
            store(r, m, out, t)
        }
    );
    mpi_fn!(
        l,
        "MPI_Type_create_resized",
        (old: i32, lb: i32, extent: i32, out: u32),
        call_any(),
        |r, m| {
            let mut t = (*any_type(r, old)?).clone();
            t.lb = lb as i64;
            t.extent = extent as i64;
            t.committed = false;
            t.name.clear();
            store(r, m, out, t)
        }
    );
    mpi_fn!(l, "MPI_Type_dup", (old: i32, out: u32), call_any(), |r, m| {
        let t = (*any_type(r, old)?).clone();
        store(r, m, out, t)
    });
    mpi_fn!(l, "MPI_Type_commit", (ptr: u32), call_any(), |r, m| {
        let h = m.read_i32(ptr)?;
        let mut t = (*any_type(r, h)?).clone();
        t.committed = true;
        *r.types.get_mut(h).expect("checked above") = Arc::new(t);
        Ok(())
    });
    mpi_fn!(l, "MPI_Type_free", (ptr: u32), call_any(), |r, m| {
        let h = m.read_i32(ptr)?;
        any_type(r, h)?;
        r.types.remove(h).ok_or_else(|| {
            MpiError::new(abi::MPI_ERR_TYPE, "predefined datatypes cannot be freed")
        })?;
        m.write_i32(ptr, abi::MPI_DATATYPE_NULL)
    });
    mpi_fn!(l, "MPI_Type_size", (dt: i32, out: u32), call_any(), |r, m| {
        let s = any_type(r, dt)?.size;
        m.write_i32(out, i32::try_from(s).unwrap_or(abi::MPI_UNDEFINED))
    });
    mpi_fn!(l, "MPI_Type_size_x", (dt: i32, out: u32), call_any(), |r, m| {
        let s = any_type(r, dt)?.size as i64;
        m.write_bytes(out, &s.to_le_bytes())
    });
    macro_rules! extent {
        ($name:literal, $true:expr, $wide:expr) => {
            l.func_wrap(
                "mpi",
                $name,
                |mut c: Caller<'_, RankCtx>, dt: i32, lb: u32, ext: u32| {
                    call_any(&mut c, $name, |r, m| {
                        let t = any_type(r, dt)?;
                        let (a, b) = if $true {
                            (t.true_lb, t.true_extent)
                        } else {
                            (t.lb, t.extent)
                        };
                        if $wide {
                            m.write_bytes(lb, &a.to_le_bytes())?;
                            m.write_bytes(ext, &b.to_le_bytes())
                        } else {
                            m.write_i32(lb, a as i32)?;
                            m.write_i32(ext, b as i32)
                        }
                    })
                },
            )?;
        };
    }
    extent!("MPI_Type_get_extent", false, false);
    extent!("MPI_Type_get_true_extent", true, false);
    extent!("MPI_Type_get_extent_x", false, true);
    extent!("MPI_Type_get_true_extent_x", true, true);
    mpi_fn!(l, "MPI_Type_set_name", (dt: i32, name: u32), call_any(), |r, m| {
        let n = m.read_cstr(name, abi::MPI_MAX_OBJECT_NAME as usize - 1)?;
        let mut t = (*any_type(r, dt)?).clone();
        t.name = n;
        *r.types.get_mut(dt).expect("checked above") = Arc::new(t);
        Ok(())
    });
    mpi_fn!(l, "MPI_Type_get_name", (dt: i32, name: u32, len: u32), call_any(), |r, m| {
        let n = any_type(r, dt)?.name.clone();
        m.write_cstr(name, abi::MPI_MAX_OBJECT_NAME as usize, &n, len)
    });
    l.func_wrap(
        "mpi",
        "MPI_Get_address",
        |mut c: Caller<'_, RankCtx>, loc: u32, out: u32| {
            call_any(&mut c, "MPI_Get_address", |_, m| {
                m.write_i32(out, loc as i32)
            })
        },
    )?;
    mpi_fn!(
        l,
        "MPI_Pack",
        (inbuf: u32, n: i32, dt: i32, outbuf: u32, outsize: i32, pos: u32, comm: i32),
        call(comm),
        |r, m| {
            r.comm(comm)?;
            let data = r.buffer(m, inbuf, n, dt)?.pack();
            let at = m.read_i32(pos)?;
            if at < 0 || at as i64 + data.len() as i64 > outsize as i64 {
                return Err(MpiError::new(
                    abi::MPI_ERR_TRUNCATE,
                    format!(
                        "packing {} bytes at position {at} overflows the {outsize}-byte buffer",
                        data.len()
                    ),
                ));
            }
            m.write_bytes(outbuf + at as u32, &data)?;
            m.write_i32(pos, at + data.len() as i32)
        }
    );
    mpi_fn!(
        l,
        "MPI_Unpack",
        (inbuf: u32, insize: i32, pos: u32, outbuf: u32, n: i32, dt: i32, comm: i32),
        call(comm),
        |r, m| {
            r.comm(comm)?;
            let out: TypedBuf = r.buffer(m, outbuf, n, dt)?;
            let at = m.read_i32(pos)?;
            let need = out.packed_len() as i64;
            if at < 0 || at as i64 + need > insize as i64 {
                return Err(MpiError::new(
                    abi::MPI_ERR_TRUNCATE,
                    format!("unpacking {need} bytes at position {at} reads past the {insize}-byte buffer"),
                ));
            }
            let data = m.slice(inbuf + at as u32, need as usize)?.to_vec();
            out.unpack(&data);
            m.write_i32(pos, at + need as i32)
        }
    );
    mpi_fn!(l, "MPI_Pack_size", (n: i32, dt: i32, comm: i32, out: u32), call(comm), |r, m| {
        r.comm(comm)?;
        let s = count(n)? * any_type(r, dt)?.size;
        m.write_i32(
            out,
            i32::try_from(s).map_err(|_| {
                MpiError::new(abi::MPI_ERR_COUNT, "pack size overflows int")
            })?,
        )
    });
    Ok(())
}
