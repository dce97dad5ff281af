//! Predefined reduction operations on packed data: `inout[i] = in[i] op inout[i]`.

use super::abi;
use super::datatype::Prim;
use super::error::{MpiError, MpiResult};

/// A user-defined operation (MPI_Op_create): the guest function, as an index
/// into its exported function table, and whether it commutes. Reductions always
/// combine in rank order, so non-commutative functions need nothing more.
#[derive(Debug, Clone, Copy)]
pub struct UserOp {
    /// Index of `void f(void *in, void *inout, int *len, MPI_Datatype *dt)`.
    pub func: u32,
    /// The `commute` flag given to MPI_Op_create.
    pub commute: bool,
}

/// Which predefined operation a handle names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Max,
    Min,
    Sum,
    Prod,
    Land,
    Band,
    Lor,
    Bor,
    Lxor,
    Bxor,
    MinLoc,
    MaxLoc,
    Replace,
    NoOp,
}

impl Op {
    /// Decodes a predefined op handle.
    pub fn from_handle(h: i32) -> Option<Op> {
        Some(match h {
            abi::MPI_MAX => Op::Max,
            abi::MPI_MIN => Op::Min,
            abi::MPI_SUM => Op::Sum,
            abi::MPI_PROD => Op::Prod,
            abi::MPI_LAND => Op::Land,
            abi::MPI_BAND => Op::Band,
            abi::MPI_LOR => Op::Lor,
            abi::MPI_BOR => Op::Bor,
            abi::MPI_LXOR => Op::Lxor,
            abi::MPI_BXOR => Op::Bxor,
            abi::MPI_MINLOC => Op::MinLoc,
            abi::MPI_MAXLOC => Op::MaxLoc,
            abi::MPI_REPLACE => Op::Replace,
            abi::MPI_NO_OP => Op::NoOp,
            _ => return None,
        })
    }

    /// The C name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Op::Max => "MPI_MAX",
            Op::Min => "MPI_MIN",
            Op::Sum => "MPI_SUM",
            Op::Prod => "MPI_PROD",
            Op::Land => "MPI_LAND",
            Op::Band => "MPI_BAND",
            Op::Lor => "MPI_LOR",
            Op::Bor => "MPI_BOR",
            Op::Lxor => "MPI_LXOR",
            Op::Bxor => "MPI_BXOR",
            Op::MinLoc => "MPI_MINLOC",
            Op::MaxLoc => "MPI_MAXLOC",
            Op::Replace => "MPI_REPLACE",
            Op::NoOp => "MPI_NO_OP",
        }
    }
}

/// Applies `f` elementwise over little-endian values of type `T`.
fn zip<T: Copy>(inout: &mut [u8], input: &[u8], f: impl Fn(T, T) -> T) {
    let n = (inout.len().min(input.len())) / std::mem::size_of::<T>();
    let a = inout.as_mut_ptr().cast::<T>();
    let b = input.as_ptr().cast::<T>();
    for i in 0..n {
        // SAFETY: i < n keeps both pointers within their slices; unaligned accesses
        // because packed buffers and guest memory give no alignment guarantee.
        unsafe {
            let x = b.add(i).read_unaligned();
            let y = a.add(i).read_unaligned();
            a.add(i).write_unaligned(f(x, y));
        }
    }
}

macro_rules! int_ops {
    ($t:ty, $op:expr, $inout:expr, $input:expr) => {{
        let (a, b) = ($inout, $input);
        match $op {
            Op::Sum => zip::<$t>(a, b, |x, y| x.wrapping_add(y)),
            Op::Prod => zip::<$t>(a, b, |x, y| x.wrapping_mul(y)),
            Op::Max => zip::<$t>(a, b, |x, y| x.max(y)),
            Op::Min => zip::<$t>(a, b, |x, y| x.min(y)),
            Op::Land => zip::<$t>(a, b, |x, y| ((x != 0) && (y != 0)) as $t),
            Op::Lor => zip::<$t>(a, b, |x, y| ((x != 0) || (y != 0)) as $t),
            Op::Lxor => zip::<$t>(a, b, |x, y| ((x != 0) != (y != 0)) as $t),
            Op::Band => zip::<$t>(a, b, |x, y| x & y),
            Op::Bor => zip::<$t>(a, b, |x, y| x | y),
            Op::Bxor => zip::<$t>(a, b, |x, y| x ^ y),
            _ => return Err(unsupported($op, stringify!($t))),
        }
    }};
}

macro_rules! float_ops {
    ($t:ty, $op:expr, $inout:expr, $input:expr) => {{
        let (a, b) = ($inout, $input);
        match $op {
            Op::Sum => zip::<$t>(a, b, |x, y| x + y),
            Op::Prod => zip::<$t>(a, b, |x, y| x * y),
            Op::Max => zip::<$t>(a, b, |x, y| if x > y { x } else { y }),
            Op::Min => zip::<$t>(a, b, |x, y| if x < y { x } else { y }),
            _ => return Err(unsupported($op, stringify!($t))),
        }
    }};
}

fn unsupported(op: Op, ty: &str) -> MpiError {
    MpiError::new(
        abi::MPI_ERR_OP,
        format!("{} is not defined on elements of type {ty}", op.name()),
    )
}

/// `(value, index)` pairs for MINLOC/MAXLOC: packed value of `vsize` bytes, then an i32.
fn loc<V: Copy + PartialOrd>(inout: &mut [u8], input: &[u8], vsize: usize, max: bool) {
    let stride = vsize + 4;
    for (a, b) in inout
        .chunks_exact_mut(stride)
        .zip(input.chunks_exact(stride))
    {
        // SAFETY: each chunk is `vsize + 4` bytes; V is `vsize` bytes.
        let (va, vb) = unsafe {
            (
                a.as_ptr().cast::<V>().read_unaligned(),
                b.as_ptr().cast::<V>().read_unaligned(),
            )
        };
        let ia = i32::from_le_bytes(a[vsize..].try_into().expect("4 bytes"));
        let ib = i32::from_le_bytes(b[vsize..].try_into().expect("4 bytes"));
        let take_b = if max { vb > va } else { vb < va };
        if take_b || (vb == va && ib < ia) {
            a.copy_from_slice(b);
        }
    }
}

/// Applies a predefined op to packed elements of `prim`: `inout = input op inout`.
pub fn apply(op: Op, prim: Prim, inout: &mut [u8], input: &[u8]) -> MpiResult<()> {
    match op {
        Op::Replace => {
            let n = inout.len().min(input.len());
            inout[..n].copy_from_slice(&input[..n]);
            return Ok(());
        }
        Op::NoOp => return Ok(()),
        _ => {}
    }
    match prim {
        Prim::I8 => int_ops!(i8, op, inout, input),
        Prim::U8 => int_ops!(u8, op, inout, input),
        Prim::I16 => int_ops!(i16, op, inout, input),
        Prim::U16 => int_ops!(u16, op, inout, input),
        Prim::I32 => int_ops!(i32, op, inout, input),
        Prim::U32 => int_ops!(u32, op, inout, input),
        Prim::I64 => int_ops!(i64, op, inout, input),
        Prim::U64 => int_ops!(u64, op, inout, input),
        Prim::F32 => float_ops!(f32, op, inout, input),
        Prim::F64 => float_ops!(f64, op, inout, input),
        Prim::Bool => match op {
            Op::Land => zip::<u8>(inout, input, |x, y| ((x != 0) && (y != 0)) as u8),
            Op::Lor => zip::<u8>(inout, input, |x, y| ((x != 0) || (y != 0)) as u8),
            Op::Lxor => zip::<u8>(inout, input, |x, y| ((x != 0) != (y != 0)) as u8),
            _ => return Err(unsupported(op, "C _Bool")),
        },
        Prim::Byte => match op {
            Op::Band => zip::<u8>(inout, input, |x, y| x & y),
            Op::Bor => zip::<u8>(inout, input, |x, y| x | y),
            Op::Bxor => zip::<u8>(inout, input, |x, y| x ^ y),
            _ => return Err(unsupported(op, "MPI_BYTE")),
        },
        Prim::C32 => complex::<f32>(op, inout, input)?,
        Prim::C64 => complex::<f64>(op, inout, input)?,
        Prim::FloatInt | Prim::DoubleInt | Prim::IntInt | Prim::ShortInt => {
            let max = match op {
                Op::MaxLoc => true,
                Op::MinLoc => false,
                _ => return Err(unsupported(op, "a value-index pair")),
            };
            match prim {
                Prim::FloatInt => loc::<f32>(inout, input, 4, max),
                Prim::DoubleInt => loc::<f64>(inout, input, 8, max),
                Prim::IntInt => loc::<i32>(inout, input, 4, max),
                _ => loc::<i16>(inout, input, 2, max),
            }
        }
        Prim::F128 => quad::real(op, inout, input)?,
        Prim::C128 => quad::complex(op, inout, input)?,
        Prim::LongDoubleInt => {
            let max = match op {
                Op::MaxLoc => true,
                Op::MinLoc => false,
                _ => return Err(unsupported(op, "a value-index pair")),
            };
            quad::loc(inout, input, max)
        }
    }
    Ok(())
}

/// long double on wasm32 is IEEE binary128, which the host has no hardware for:
/// arithmetic in software with correct rounding (rustc_apfloat, LLVM's APFloat).
mod quad {
    use super::{unsupported, MpiResult, Op};
    use rustc_apfloat::ieee::Quad;
    use rustc_apfloat::Float;

    fn get(b: &[u8]) -> Quad {
        Quad::from_bits(u128::from_le_bytes(b[..16].try_into().expect("16 bytes")))
    }

    fn put(b: &mut [u8], q: Quad) {
        b[..16].copy_from_slice(&q.to_bits().to_le_bytes());
    }

    fn max(x: Quad, y: Quad) -> Quad {
        if x > y {
            x
        } else {
            y
        }
    }

    fn min(x: Quad, y: Quad) -> Quad {
        if x < y {
            x
        } else {
            y
        }
    }

    /// MPI_LONG_DOUBLE: `inout = input op inout`.
    pub(super) fn real(op: Op, inout: &mut [u8], input: &[u8]) -> MpiResult<()> {
        let f: fn(Quad, Quad) -> Quad = match op {
            Op::Sum => |x, y| (x + y).value,
            Op::Prod => |x, y| (x * y).value,
            Op::Max => max,
            Op::Min => min,
            _ => return Err(unsupported(op, "long double")),
        };
        for (a, b) in inout.chunks_exact_mut(16).zip(input.chunks_exact(16)) {
            put(a, f(get(b), get(a)));
        }
        Ok(())
    }

    /// MPI_C_LONG_DOUBLE_COMPLEX: (re, im) pairs.
    pub(super) fn complex(op: Op, inout: &mut [u8], input: &[u8]) -> MpiResult<()> {
        for (a, b) in inout.chunks_exact_mut(32).zip(input.chunks_exact(32)) {
            let (xr, xi, yr, yi) = (get(b), get(&b[16..]), get(a), get(&a[16..]));
            let (re, im) = match op {
                Op::Sum => ((xr + yr).value, (xi + yi).value),
                Op::Prod => (
                    ((xr * yr).value - (xi * yi).value).value,
                    ((xr * yi).value + (xi * yr).value).value,
                ),
                _ => return Err(unsupported(op, "a complex type")),
            };
            put(a, re);
            put(&mut a[16..], im);
        }
        Ok(())
    }

    /// MPI_LONG_DOUBLE_INT: packed (binary128, i32) pairs; ties keep the lower index.
    pub(super) fn loc(inout: &mut [u8], input: &[u8], max: bool) {
        for (a, b) in inout.chunks_exact_mut(20).zip(input.chunks_exact(20)) {
            let (va, vb) = (get(a), get(b));
            let ia = i32::from_le_bytes(a[16..].try_into().expect("4 bytes"));
            let ib = i32::from_le_bytes(b[16..].try_into().expect("4 bytes"));
            let take_b = if max { vb > va } else { vb < va };
            if take_b || (vb == va && ib < ia) {
                a.copy_from_slice(b);
            }
        }
    }
}

fn complex<T>(op: Op, inout: &mut [u8], input: &[u8]) -> MpiResult<()>
where
    T: Copy + std::ops::Add<Output = T> + std::ops::Sub<Output = T> + std::ops::Mul<Output = T>,
{
    match op {
        Op::Sum => zip::<[T; 2]>(inout, input, |x, y| [x[0] + y[0], x[1] + y[1]]),
        Op::Prod => zip::<[T; 2]>(inout, input, |x, y| {
            [x[0] * y[0] - x[1] * y[1], x[0] * y[1] + x[1] * y[0]]
        }),
        _ => return Err(unsupported(op, "a complex type")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes<T: Copy>(v: &[T]) -> Vec<u8> {
        let n = std::mem::size_of_val(v);
        // SAFETY: reading the bytes of a plain Copy slice.
        unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), n).to_vec() }
    }

    #[test]
    fn arithmetic_and_logical_ops_combine_elementwise() {
        let mut a = bytes(&[1i32, 5, -3, 0]);
        apply(Op::Sum, Prim::I32, &mut a, &bytes(&[10i32, 10, 10, 10])).unwrap();
        assert_eq!(a, bytes(&[11i32, 15, 7, 10]));
        apply(Op::Max, Prim::I32, &mut a, &bytes(&[0i32, 20, 0, 0])).unwrap();
        assert_eq!(a, bytes(&[11i32, 20, 7, 10]));
        let mut d = bytes(&[1.5f64, -2.0]);
        apply(Op::Prod, Prim::F64, &mut d, &bytes(&[2.0f64, 3.0])).unwrap();
        assert_eq!(d, bytes(&[3.0f64, -6.0]));
        let mut l = bytes(&[1i64, 0]);
        apply(Op::Lxor, Prim::I64, &mut l, &bytes(&[1i64, 7])).unwrap();
        assert_eq!(l, bytes(&[0i64, 1]));
    }

    #[test]
    fn minloc_prefers_the_lower_index_on_ties() {
        // packed (double, int) pairs
        let pair = |v: f64, i: i32| [v.to_le_bytes().to_vec(), i.to_le_bytes().to_vec()].concat();
        let mut a = [pair(2.0, 5), pair(1.0, 3)].concat();
        let b = [pair(2.0, 1), pair(0.5, 9)].concat();
        apply(Op::MinLoc, Prim::DoubleInt, &mut a, &b).unwrap();
        assert_eq!(a, [pair(2.0, 1), pair(0.5, 9)].concat());
    }

    #[test]
    fn long_double_is_binary128_with_exact_wide_sums() {
        use rustc_apfloat::{ieee::Quad, Float};
        let q = |v: i128| Quad::from_i128(v).value.to_bits().to_le_bytes().to_vec();
        // 2^62 + 1 is exact in binary128 (not in double).
        let mut a = q(1 << 62);
        apply(Op::Sum, Prim::F128, &mut a, &q(1)).unwrap();
        assert_eq!(a, q((1 << 62) + 1));
        apply(Op::Prod, Prim::F128, &mut a, &q(2)).unwrap();
        assert_eq!(a, q((1 << 63) + 2));
        apply(Op::Min, Prim::F128, &mut a, &q(-5)).unwrap();
        assert_eq!(a, q(-5));
        // (1 + 2i) * (3 - 1i) = 5 + 5i
        let mut z = [q(3), q(-1)].concat();
        apply(Op::Prod, Prim::C128, &mut z, &[q(1), q(2)].concat()).unwrap();
        assert_eq!(z, [q(5), q(5)].concat());
    }

    #[test]
    fn ops_undefined_on_a_type_are_mpi_err_op() {
        let mut a = bytes(&[1.0f32]);
        let e = apply(Op::Band, Prim::F32, &mut a, &bytes(&[1.0f32])).unwrap_err();
        assert_eq!(e.class, abi::MPI_ERR_OP);
        assert!(e.msg.contains("MPI_BAND"));
    }
}
