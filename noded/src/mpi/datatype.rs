//! MPI datatypes: the predefined C types with their wasm32 sizes, and the general
//! representation (a type map flattened to byte blocks) that derived types use.
//! Data is always moved in "packed" form: an element's blocks back to back.

use super::abi::{self, GuestMem, GuestSlice};
use super::error::{MpiError, MpiResult};
use std::sync::Arc;

/// The basic value kinds reductions operate on (packed layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prim {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
    /// wasm32 `long double`: IEEE binary128.
    F128,
    /// C `_Bool`.
    Bool,
    /// Raw bytes (MPI_BYTE, MPI_PACKED): no arithmetic.
    Byte,
    /// `float _Complex`.
    C32,
    /// `double _Complex`.
    C64,
    /// `long double _Complex`.
    C128,
    /// MPI_FLOAT_INT: f32 value, i32 index.
    FloatInt,
    /// MPI_DOUBLE_INT: f64 value, i32 index.
    DoubleInt,
    /// MPI_LONG_INT and MPI_2INT on wasm32: i32 value, i32 index.
    IntInt,
    /// MPI_SHORT_INT: i16 value, i32 index.
    ShortInt,
    /// MPI_LONG_DOUBLE_INT: f128 value, i32 index.
    LongDoubleInt,
}

impl Prim {
    /// The primitive with discriminant `i` (`p as u32`), for the wire.
    pub fn from_index(i: u32) -> Option<Prim> {
        use Prim::*;
        [
            I8,
            U8,
            I16,
            U16,
            I32,
            U32,
            I64,
            U64,
            F32,
            F64,
            F128,
            Bool,
            Byte,
            C32,
            C64,
            C128,
            FloatInt,
            DoubleInt,
            IntInt,
            ShortInt,
            LongDoubleInt,
        ]
        .into_iter()
        .find(|p| *p as u32 == i)
    }

    /// Packed size in bytes.
    pub fn size(self) -> usize {
        match self {
            Prim::I8 | Prim::U8 | Prim::Bool | Prim::Byte => 1,
            Prim::I16 | Prim::U16 => 2,
            Prim::I32 | Prim::U32 | Prim::F32 => 4,
            Prim::I64 | Prim::U64 | Prim::F64 | Prim::C32 | Prim::FloatInt | Prim::IntInt => 8,
            Prim::ShortInt => 6,
            Prim::DoubleInt => 12,
            Prim::F128 | Prim::C64 => 16,
            Prim::LongDoubleInt => 20,
            Prim::C128 => 32,
        }
    }

    /// The type signature of one element, as runs of (bytes, count). A
    /// value-index pair counts as one element, as in OpenMPI.
    pub fn signature(self) -> Vec<(u32, u64)> {
        vec![(self.size() as u32, 1)]
    }

    /// C alignment on wasm32.
    pub fn align(self) -> usize {
        match self {
            Prim::I8 | Prim::U8 | Prim::Bool | Prim::Byte => 1,
            Prim::I16 | Prim::U16 => 2,
            Prim::I32 | Prim::U32 | Prim::F32 | Prim::C32 => 4,
            Prim::FloatInt | Prim::IntInt | Prim::ShortInt => 4,
            Prim::I64 | Prim::U64 | Prim::F64 | Prim::C64 | Prim::DoubleInt => 8,
            Prim::F128 | Prim::C128 | Prim::LongDoubleInt => 16,
        }
    }
}

/// A datatype: its size, bounds and type map.
#[derive(Debug, Clone, PartialEq)]
pub struct Datatype {
    /// Bytes of data in one element (`MPI_Type_size`).
    pub size: usize,
    /// Lower bound.
    pub lb: i64,
    /// Extent (stride between consecutive elements).
    pub extent: i64,
    /// True lower bound (first byte touched).
    pub true_lb: i64,
    /// True extent (span of touched bytes).
    pub true_extent: i64,
    /// One element's bytes as (offset, length) blocks in type-map order, merged.
    pub blocks: Vec<(i64, usize)>,
    /// The primitive every element is made of, with its count per element, when
    /// the type is homogeneous (reductions need this).
    pub prim: Option<(Prim, usize)>,
    /// Primitive elements in one element of the type (MPI_Get_elements).
    pub elems: usize,
    /// Whether MPI_Type_commit was called (predefined types are).
    pub committed: bool,
    /// The type signature as runs of (primitive size in bytes, count), for
    /// MPI_Get_elements on partial receives; None when it would be too long.
    pub sig: Option<Arc<[(u32, u64)]>>,
    /// Alignment (the largest of its members' C alignments on wasm32): a
    /// struct type's extent is padded to a multiple of it, like a C struct.
    pub align: usize,
    /// Name for MPI_Type_get_name.
    pub name: String,
}

impl Datatype {
    /// A predefined type of one primitive laid out as `blocks` with `extent`.
    fn predefined(name: &str, prim: Prim, blocks: Vec<(i64, usize)>, extent: i64) -> Datatype {
        let size = blocks.iter().map(|b| b.1).sum();
        let true_extent = blocks.last().map(|&(o, l)| o + l as i64).unwrap_or(0);
        Datatype {
            size,
            lb: 0,
            extent,
            true_lb: 0,
            true_extent,
            blocks,
            prim: Some((prim, 1)),
            elems: 1,
            committed: true,
            sig: Some(prim.signature().into()),
            align: prim.align(),
            name: name.to_string(),
        }
    }

    fn scalar(name: &str, prim: Prim) -> Datatype {
        let n = prim.size();
        Datatype::predefined(name, prim, vec![(0, n)], n as i64)
    }

    /// True if `count` elements are one contiguous run of `count * size` bytes.
    pub fn is_contiguous(&self) -> bool {
        self.blocks.len() <= 1
            && self.blocks.first().is_none_or(|b| b.0 == 0)
            && self.extent == self.size as i64
    }
}

/// The predefined datatypes by handle index (index 0 is MPI_DATATYPE_NULL).
pub fn predefined() -> Vec<Option<Arc<Datatype>>> {
    use Prim::*;
    let s = Datatype::scalar;
    let pair = |name: &str, prim: Prim, vsize: usize, ioff: i64, extent: i64| {
        Datatype::predefined(name, prim, merge(vec![(0, vsize), (ioff, 4)]), extent)
    };
    let types = vec![
        s("MPI_CHAR", I8),
        s("MPI_SIGNED_CHAR", I8),
        s("MPI_UNSIGNED_CHAR", U8),
        s("MPI_BYTE", Byte),
        s("MPI_WCHAR", I32),
        s("MPI_SHORT", I16),
        s("MPI_UNSIGNED_SHORT", U16),
        s("MPI_INT", I32),
        s("MPI_UNSIGNED", U32),
        s("MPI_LONG", I32),
        s("MPI_UNSIGNED_LONG", U32),
        s("MPI_LONG_LONG_INT", I64),
        s("MPI_UNSIGNED_LONG_LONG", U64),
        s("MPI_FLOAT", F32),
        s("MPI_DOUBLE", F64),
        s("MPI_LONG_DOUBLE", F128),
        s("MPI_PACKED", Byte),
        s("MPI_INT8_T", I8),
        s("MPI_INT16_T", I16),
        s("MPI_INT32_T", I32),
        s("MPI_INT64_T", I64),
        s("MPI_UINT8_T", U8),
        s("MPI_UINT16_T", U16),
        s("MPI_UINT32_T", U32),
        s("MPI_UINT64_T", U64),
        s("MPI_C_BOOL", Bool),
        s("MPI_C_FLOAT_COMPLEX", C32),
        s("MPI_C_DOUBLE_COMPLEX", C64),
        s("MPI_C_LONG_DOUBLE_COMPLEX", C128),
        s("MPI_AINT", I32),
        s("MPI_OFFSET", I64),
        s("MPI_COUNT", I64),
        pair("MPI_FLOAT_INT", FloatInt, 4, 4, 8),
        pair("MPI_DOUBLE_INT", DoubleInt, 8, 8, 16),
        pair("MPI_LONG_INT", IntInt, 4, 4, 8),
        pair("MPI_2INT", IntInt, 4, 4, 8),
        pair("MPI_SHORT_INT", ShortInt, 2, 4, 8),
        pair("MPI_LONG_DOUBLE_INT", LongDoubleInt, 16, 16, 32),
    ];
    std::iter::once(None)
        .chain(types.into_iter().map(|t| Some(Arc::new(t))))
        .collect()
}

/// Merges adjacent blocks.
pub fn merge(blocks: Vec<(i64, usize)>) -> Vec<(i64, usize)> {
    let mut out: Vec<(i64, usize)> = Vec::with_capacity(blocks.len());
    for (off, len) in blocks.into_iter().filter(|b| b.1 > 0) {
        match out.last_mut() {
            Some(last) if last.0 + last.1 as i64 == off => last.1 += len,
            _ => out.push((off, len)),
        }
    }
    out
}

/// `count` elements of a datatype at a guest address, bounds-checked once.
#[derive(Debug, Clone)]
pub struct TypedBuf {
    span: GuestSlice,
    /// Offset of the buffer address within `span`.
    origin: i64,
    count: usize,
    dt: Arc<Datatype>,
}

impl TypedBuf {
    /// Checks that every byte `count` elements of `dt` at `addr` touch is in memory.
    pub fn new(mem: &GuestMem, addr: u32, count: i32, dt: Arc<Datatype>) -> MpiResult<TypedBuf> {
        let count = usize::try_from(count)
            .map_err(|_| MpiError::new(abi::MPI_ERR_COUNT, format!("negative count {count}")))?;
        if count == 0 || dt.size == 0 {
            return Ok(TypedBuf {
                span: GuestSlice::EMPTY,
                origin: 0,
                count,
                dt,
            });
        }
        let last = (count as i64 - 1) * dt.extent;
        let lo = dt.true_lb + last.min(0);
        let hi = dt.true_lb + dt.true_extent + last.max(0);
        let start = addr as i64 + lo;
        if start < 0 || hi < lo {
            return Err(MpiError::new(
                abi::MPI_ERR_BUFFER,
                format!("buffer at address {addr:#x} with this datatype starts before address 0"),
            ));
        }
        let span = mem.slice(start as u32, (hi - lo) as usize)?;
        Ok(TypedBuf {
            span,
            origin: -lo,
            count,
            dt,
        })
    }

    /// Packed size in bytes.
    pub fn packed_len(&self) -> usize {
        self.count * self.dt.size
    }

    /// Element count.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The datatype.
    pub fn datatype(&self) -> &Arc<Datatype> {
        &self.dt
    }

    /// The bytes as one guest slice when the layout is contiguous.
    pub fn contiguous(&self) -> Option<GuestSlice> {
        if self.count == 0 || self.dt.size == 0 {
            return Some(GuestSlice::EMPTY);
        }
        self.dt
            .is_contiguous()
            .then(|| self.span.sub(self.origin as usize, self.packed_len()))
            .flatten()
    }

    fn for_each_block(&self, mut f: impl FnMut(usize, usize, usize)) {
        let mut packed = 0usize;
        for i in 0..self.count as i64 {
            for &(off, len) in &self.dt.blocks {
                let at = (self.origin + i * self.dt.extent + off) as usize;
                f(at, packed, len);
                packed += len;
            }
        }
    }

    /// Gathers the elements into packed bytes.
    pub fn pack(&self) -> Vec<u8> {
        if let Some(s) = self.contiguous() {
            return s.to_vec();
        }
        let mut out = vec![0u8; self.packed_len()];
        self.for_each_block(|at, packed, len| {
            self.span.read_into(at, &mut out[packed..packed + len]);
        });
        out
    }

    /// Scatters packed bytes into the elements (as many as `data` holds).
    pub fn unpack(&self, data: &[u8]) {
        if let Some(s) = self.contiguous() {
            let n = data.len().min(s.len());
            s.write_from(0, &data[..n]);
            return;
        }
        self.for_each_block(|at, packed, len| {
            if packed < data.len() {
                let n = len.min(data.len() - packed);
                self.span.write_from(at, &data[packed..packed + n]);
            }
        });
    }
}

/// Most blocks a derived type may flatten to (a guard against absurd type maps).
const MAX_BLOCKS: usize = 1 << 24;

fn too_big() -> MpiError {
    MpiError::new(abi::MPI_ERR_TYPE, "derived datatype too large")
}

/// Builds a derived type from pieces `(byte displacement, child, count)` laid out
/// in type-map order; `count` consecutive children start at the displacement.
pub fn build(pieces: &[(i64, Arc<Datatype>, usize)]) -> MpiResult<Datatype> {
    let mut blocks = Vec::new();
    let mut size = 0usize;
    let mut elems = 0usize;
    let (mut lb, mut ub) = (i64::MAX, i64::MIN);
    let (mut tlb, mut tub) = (i64::MAX, i64::MIN);
    let mut prim: Option<Option<Prim>> = None;
    let mut align = 1;
    let mut sig: Option<Vec<(u32, u64)>> = Some(Vec::new());
    for (disp, child, count) in pieces {
        if *count == 0 {
            continue;
        }
        align = align.max(child.align);
        sig = match (sig, &child.sig) {
            (Some(mut runs), Some(c)) if runs.len() + c.len() <= MAX_SIG_RUNS => {
                // `count` copies of the child's runs, merging equal neighbours.
                fn push(runs: &mut Vec<(u32, u64)>, run: (u32, u64)) {
                    match runs.last_mut() {
                        Some(last) if last.0 == run.0 => last.1 += run.1,
                        _ => runs.push(run),
                    }
                }
                if c.len() == 1 {
                    push(&mut runs, (c[0].0, c[0].1 * *count as u64));
                } else {
                    for _ in 0..*count {
                        for &run in c.iter() {
                            push(&mut runs, run);
                        }
                        if runs.len() > MAX_SIG_RUNS {
                            break;
                        }
                    }
                }
                (runs.len() <= MAX_SIG_RUNS).then_some(runs)
            }
            _ => None,
        };
        let n = *count as i64;
        let first = disp + child.lb;
        let last = disp + (n - 1) * child.extent + child.lb;
        lb = lb.min(first.min(last));
        ub = ub.max(first.max(last) + child.extent);
        let tfirst = disp + child.true_lb;
        let tlast = disp + (n - 1) * child.extent + child.true_lb;
        tlb = tlb.min(tfirst.min(tlast));
        tub = tub.max(tfirst.max(tlast) + child.true_extent);
        if blocks.len() + count * child.blocks.len() > MAX_BLOCKS {
            return Err(too_big());
        }
        for j in 0..n {
            for &(off, len) in &child.blocks {
                blocks.push((disp + j * child.extent + off, len));
            }
        }
        size = size
            .checked_add(count.checked_mul(child.size).ok_or_else(too_big)?)
            .ok_or_else(too_big)?;
        elems += count * child.elems;
        let p = child.prim.map(|(p, _)| p);
        prim = Some(match prim {
            None => p,
            Some(q) if q == p => q,
            Some(_) => None,
        });
    }
    if lb == i64::MAX {
        (lb, ub, tlb, tub) = (0, 0, 0, 0);
    }
    let prim = prim.flatten().map(|p| (p, elems));
    Ok(Datatype {
        size,
        lb,
        extent: ub - lb,
        true_lb: tlb,
        true_extent: tub - tlb,
        blocks: merge(blocks),
        prim,
        elems,
        committed: false,
        name: String::new(),
        sig: sig.map(Into::into),
        align,
    })
}

/// Longest type signature kept for MPI_Get_elements.
const MAX_SIG_RUNS: usize = 1 << 16;

impl Datatype {
    /// MPI_Get_elements: primitive elements in `bytes` of received data, or None
    /// (MPI_UNDEFINED) if they end inside a primitive.
    pub fn elements_in(&self, bytes: u64) -> Option<u64> {
        if self.size == 0 {
            return Some(0);
        }
        let whole = bytes / self.size as u64;
        let mut rem = bytes % self.size as u64;
        let mut n = whole * self.elems as u64;
        if rem == 0 {
            return Some(n);
        }
        for &(size, count) in self.sig.as_deref()? {
            let take = (rem / u64::from(size)).min(count);
            n += take;
            rem -= take * u64::from(size);
            if take < count {
                break;
            }
        }
        (rem == 0).then_some(n)
    }
}

/// MPI_Type_create_struct: like [`build`], with the extent rounded up to the
/// members' alignment (MPI-3.1 4.1.6's epsilon), so an array of the type steps
/// like an array of the C struct it describes.
pub fn create_struct(pieces: &[(i64, Arc<Datatype>, usize)]) -> MpiResult<Datatype> {
    let mut t = build(pieces)?;
    let a = t.align.max(1) as i64;
    if t.extent.rem_euclid(a) != 0 {
        t.extent += a - t.extent.rem_euclid(a);
    }
    Ok(t)
}

/// MPI_Type_create_subarray.
pub fn subarray(
    sizes: &[i32],
    subsizes: &[i32],
    starts: &[i32],
    order_c: bool,
    old: Arc<Datatype>,
) -> MpiResult<Datatype> {
    let n = sizes.len();
    let bad = |m: String| MpiError::new(abi::MPI_ERR_ARG, m);
    for i in 0..n {
        if sizes[i] < 1 || subsizes[i] < 1 || starts[i] < 0 || starts[i] + subsizes[i] > sizes[i] {
            return Err(bad(format!(
                "dimension {i}: size {}, subsize {}, start {} do not describe a subarray",
                sizes[i], subsizes[i], starts[i]
            )));
        }
    }
    // Work in C order (row-major); Fortran order is the reverse.
    let (sz, sub, st): (Vec<i64>, Vec<i64>, Vec<i64>) = if order_c {
        (
            sizes.iter().map(|x| *x as i64).collect(),
            subsizes.iter().map(|x| *x as i64).collect(),
            starts.iter().map(|x| *x as i64).collect(),
        )
    } else {
        (
            sizes.iter().rev().map(|x| *x as i64).collect(),
            subsizes.iter().rev().map(|x| *x as i64).collect(),
            starts.iter().rev().map(|x| *x as i64).collect(),
        )
    };
    let rows: i64 = sub[..n - 1].iter().product();
    let mut pieces = Vec::with_capacity(rows as usize);
    let mut idx = vec![0i64; n.saturating_sub(1)];
    for _ in 0..rows {
        let mut lin = 0i64;
        for d in 0..n {
            let coord = st[d] + if d + 1 < n { idx[d] } else { 0 };
            lin = lin * sz[d] + coord;
        }
        pieces.push((lin * old.extent, old.clone(), sub[n - 1] as usize));
        for d in (0..n - 1).rev() {
            idx[d] += 1;
            if idx[d] < sub[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    let mut t = build(&pieces)?;
    let full: i64 = sz.iter().product();
    t.lb = 0;
    t.extent = full * old.extent;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_handle(h: i32) -> Arc<Datatype> {
        predefined()[abi::handle_index(h)].clone().unwrap()
    }

    #[test]
    fn predefined_types_have_wasm32_sizes_in_handle_order() {
        let all = predefined();
        assert_eq!(all.len(), 0x27);
        assert_eq!(by_handle(abi::MPI_LONG).size, 4);
        assert_eq!(by_handle(abi::MPI_LONG_LONG_INT).size, 8);
        assert_eq!(by_handle(abi::MPI_LONG_DOUBLE).size, 16);
        assert_eq!(by_handle(abi::MPI_DOUBLE).name, "MPI_DOUBLE");
        assert_eq!(by_handle(abi::MPI_2INT).name, "MPI_2INT");
        let di = by_handle(abi::MPI_DOUBLE_INT);
        assert_eq!((di.size, di.extent, di.is_contiguous()), (12, 16, false));
        let si = by_handle(abi::MPI_SHORT_INT);
        assert_eq!(
            (si.size, si.extent, si.blocks.clone()),
            (6, 8, vec![(0, 2), (4, 4)])
        );
    }

    #[test]
    fn non_contiguous_elements_pack_and_unpack_round_trip() {
        let mut mem = vec![0u8; 64];
        // SAFETY: `mem` outlives `g`.
        let g = unsafe { GuestMem::new(mem.as_mut_ptr(), mem.len()) };
        let si = by_handle(abi::MPI_SHORT_INT);
        // Two {short; pad; int} elements at address 8.
        g.write_bytes(
            8,
            &[1, 0, 0xee, 0xee, 2, 0, 0, 0, 3, 0, 0xee, 0xee, 4, 0, 0, 0],
        )
        .unwrap();
        let b = TypedBuf::new(&g, 8, 2, si.clone()).unwrap();
        let packed = b.pack();
        assert_eq!(packed, vec![1, 0, 2, 0, 0, 0, 3, 0, 4, 0, 0, 0]);
        let dst = TypedBuf::new(&g, 32, 2, si).unwrap();
        dst.unpack(&packed);
        assert_eq!(
            &mem[32..48],
            &[1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]
        );
    }

    #[test]
    fn a_typed_buffer_past_the_end_of_memory_is_refused() {
        let mut mem = vec![0u8; 64];
        // SAFETY: `mem` outlives `g`.
        let g = unsafe { GuestMem::new(mem.as_mut_ptr(), mem.len()) };
        let d = by_handle(abi::MPI_DOUBLE);
        assert!(TypedBuf::new(&g, 0, 8, d.clone()).is_ok());
        assert_eq!(
            TypedBuf::new(&g, 8, 8, d.clone()).unwrap_err().class,
            abi::MPI_ERR_BUFFER
        );
        assert_eq!(
            TypedBuf::new(&g, 0, -1, d).unwrap_err().class,
            abi::MPI_ERR_COUNT
        );
    }
}
