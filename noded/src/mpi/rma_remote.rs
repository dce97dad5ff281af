//! One-sided operations on a window member that runs on another node.
//!
//! The origin ships the operation, the target datatype (flattened: it is
//! interpreted at the origin, as MPI specifies) and its data to the target's
//! noded, whose peer service applies it to the target rank's linear memory and
//! replies; the origin waits for the reply, so an operation is complete at the
//! target when its call returns, exactly as on one node, and fence, PSCW and
//! unlock need nothing more. Passive-target locks on a remote member are taken
//! by retrying a non-blocking acquire at its node.

use super::abi::{self, GuestMem};
use super::datatype::{Datatype, Prim, TypedBuf};
use super::error::{MpiError, MpiResult};
use super::op::{self, Op};
use super::win::{acc_fetch_unlocked, acc_read, acc_write, WinKey};
use super::world::World;
use std::sync::Arc;

/// What a request asks the target's node to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// MPI_Put: write `payload`.
    Put = 1,
    /// MPI_Get: reply with the target data.
    Get = 2,
    /// Accumulate family: reply with the old data, then combine `payload` in.
    Accumulate = 3,
    /// MPI_Compare_and_swap: reply with the old data; swap if it equals `compare`.
    CompareAndSwap = 4,
    /// Try to take the target's lock (exclusive if `op` != 0); reply 1 or 0.
    TryLock = 5,
    /// Release the target's lock (exclusive if `op` != 0).
    Unlock = 6,
}

/// A one-sided request on the wire.
#[derive(Debug, Clone)]
pub struct Request {
    /// Operation.
    pub kind: Kind,
    /// The window.
    pub key: WinKey,
    /// Target's rank in the window.
    pub target: u32,
    /// Target displacement (in disp units; an address for dynamic windows).
    pub disp: i64,
    /// Target element count.
    pub count: i32,
    /// Flattened target datatype: (size, extent, true_lb, true_extent, blocks).
    pub dt: (u64, i64, i64, i64, Vec<(i64, u64)>),
    /// Op handle (accumulates); lock type flag (locks).
    pub op: i32,
    /// Primitive the accumulate combines (None for REPLACE / NO_OP).
    pub prim: Option<Prim>,
    /// Origin data.
    pub payload: Vec<u8>,
    /// Compare data (MPI_Compare_and_swap).
    pub compare: Vec<u8>,
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
    }
}

struct Reader<'a>(&'a [u8]);

fn corrupt() -> MpiError {
    MpiError::new(abi::MPI_ERR_INTERN, "corrupt one-sided request")
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> MpiResult<&[u8]> {
        if self.0.len() < n {
            return Err(corrupt());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u32(&mut self) -> MpiResult<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4")))
    }
    fn i64(&mut self) -> MpiResult<i64> {
        Ok(i64::from_le_bytes(self.take(8)?.try_into().expect("8")))
    }
    fn bytes(&mut self) -> MpiResult<Vec<u8>> {
        let n = self.u32()? as usize;
        Ok(self.take(n)?.to_vec())
    }
}

impl Request {
    /// Flattens a target datatype for the wire.
    pub fn flatten(dt: &Datatype) -> (u64, i64, i64, i64, Vec<(i64, u64)>) {
        (
            dt.size as u64,
            dt.extent,
            dt.true_lb,
            dt.true_extent,
            dt.blocks.iter().map(|&(o, l)| (o, l as u64)).collect(),
        )
    }

    /// Encodes the request.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(64 + self.payload.len()));
        w.u32(self.kind as u32);
        w.u32(self.key.0);
        w.u32(self.key.1);
        w.u32(self.target);
        w.i64(self.disp);
        w.u32(self.count as u32);
        let (size, extent, tlb, text, blocks) = &self.dt;
        w.i64(*size as i64);
        w.i64(*extent);
        w.i64(*tlb);
        w.i64(*text);
        w.u32(blocks.len() as u32);
        for &(o, l) in blocks {
            w.i64(o);
            w.i64(l as i64);
        }
        w.u32(self.op as u32);
        w.u32(self.prim.map_or(u32::MAX, |p| p as u32));
        w.bytes(&self.payload);
        w.bytes(&self.compare);
        w.0
    }

    /// Decodes a request.
    pub fn decode(data: &[u8]) -> MpiResult<Request> {
        let mut r = Reader(data);
        let kind = match r.u32()? {
            1 => Kind::Put,
            2 => Kind::Get,
            3 => Kind::Accumulate,
            4 => Kind::CompareAndSwap,
            5 => Kind::TryLock,
            6 => Kind::Unlock,
            _ => return Err(corrupt()),
        };
        let key = (r.u32()?, r.u32()?);
        let target = r.u32()?;
        let disp = r.i64()?;
        let count = r.u32()? as i32;
        let size = r.i64()? as u64;
        let (extent, tlb, text) = (r.i64()?, r.i64()?, r.i64()?);
        let n = r.u32()? as usize;
        if n > data.len() {
            return Err(corrupt());
        }
        let mut blocks = Vec::with_capacity(n);
        for _ in 0..n {
            blocks.push((r.i64()?, r.i64()? as u64));
        }
        let op = r.u32()? as i32;
        let prim = match r.u32()? {
            u32::MAX => None,
            p => Some(Prim::from_index(p).ok_or_else(corrupt)?),
        };
        Ok(Request {
            kind,
            key,
            target,
            disp,
            count,
            dt: (size, extent, tlb, text, blocks),
            op,
            prim,
            payload: r.bytes()?,
            compare: r.bytes()?,
        })
    }

    fn datatype(&self) -> Arc<Datatype> {
        let (size, extent, true_lb, true_extent, blocks) = &self.dt;
        Arc::new(Datatype {
            size: *size as usize,
            lb: 0,
            extent: *extent,
            true_lb: *true_lb,
            true_extent: *true_extent,
            blocks: blocks.iter().map(|&(o, l)| (o, l as usize)).collect(),
            prim: None,
            elems: 1,
            committed: true,
            name: String::new(),
            sig: None,
            align: 1,
        })
    }
}

/// A reply: an MPI error class (0 = success), its message, and data.
pub fn encode_reply(r: MpiResult<Vec<u8>>) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    match r {
        Ok(data) => {
            w.u32(0);
            w.bytes(b"");
            w.bytes(&data);
        }
        Err(e) => {
            w.u32(e.class as u32);
            w.bytes(e.msg.as_bytes());
            w.bytes(b"");
        }
    }
    w.0
}

/// Decodes a reply into its data or the error the target reported.
pub fn decode_reply(data: &[u8]) -> MpiResult<Vec<u8>> {
    let mut r = Reader(data);
    let class = r.u32()? as i32;
    let msg = r.bytes()?;
    let payload = r.bytes()?;
    if class != 0 {
        return Err(MpiError::new(
            class,
            String::from_utf8_lossy(&msg).into_owned(),
        ));
    }
    Ok(payload)
}

/// Serves a request at the target's node.
pub fn serve(world: &World, data: &[u8]) -> MpiResult<Vec<u8>> {
    let req = Request::decode(data)?;
    let shared = world.window_for(req.key).ok_or_else(|| {
        MpiError::new(
            abi::MPI_ERR_WIN,
            "the window does not exist (any more) at the target",
        )
    })?;
    let t = req.target;
    match req.kind {
        Kind::TryLock => {
            return Ok(vec![shared.try_lock(t, req.op != 0) as u8]);
        }
        Kind::Unlock => {
            shared.unlock(t, req.op != 0);
            world.wake_all();
            return Ok(Vec::new());
        }
        _ => {}
    }
    let tb = shared.target_buf(t, req.disp, req.count, req.datatype())?;
    let check = |payload: &[u8]| {
        if payload.len() != tb.packed_len() {
            return Err(MpiError::new(
                abi::MPI_ERR_TYPE,
                format!(
                    "origin and target data differ in size ({} and {} bytes): their type signatures must match",
                    payload.len(),
                    tb.packed_len()
                ),
            ));
        }
        Ok(())
    };
    match req.kind {
        Kind::Put => {
            check(&req.payload)?;
            tb.unpack(&req.payload);
            Ok(Vec::new())
        }
        Kind::Get => Ok(tb.pack()),
        Kind::Accumulate => {
            let kind = Op::from_handle(req.op).ok_or_else(|| {
                MpiError::new(
                    abi::MPI_ERR_OP,
                    "accumulates take only predefined operations",
                )
            })?;
            if kind == Op::NoOp {
                if let Some(old) = acc_fetch_unlocked(&tb) {
                    return Ok(old);
                }
            }
            let _atomic = shared.accumulate_lock(t);
            let old = acc_read(&tb);
            if kind != Op::NoOp {
                check(&req.payload)?;
                let mut cur = old.clone();
                match req.prim {
                    Some(p) => op::apply(kind, p, &mut cur, &req.payload)?,
                    None => cur.copy_from_slice(&req.payload),
                }
                acc_write(&tb, &cur);
            }
            Ok(old)
        }
        Kind::CompareAndSwap => {
            let _atomic = shared.accumulate_lock(t);
            let old = acc_read(&tb);
            if old == req.compare {
                check(&req.payload)?;
                acc_write(&tb, &req.payload);
            }
            Ok(old)
        }
        Kind::TryLock | Kind::Unlock => unreachable!("handled above"),
    }
}

/// Reads `count` elements of `dt` at `addr` of a window region that starts at
/// host address `base` and has `len` bytes.
pub fn region_buf(
    base: usize,
    len: usize,
    addr: u32,
    count: i32,
    dt: Arc<Datatype>,
) -> MpiResult<TypedBuf> {
    // SAFETY: callers pass a window region checked against its owner's memory.
    let mem = unsafe { GuestMem::new(base as *mut u8, len) };
    TypedBuf::new(&mem, addr, count, dt)
}
