//! The MPI ABI as noded sees it: handle encodings and constants (mirroring
//! `func/include/mpi.h`; a test parses the header and compares), the guest
//! `MPI_Status` layout, and [`GuestMem`], the one bounds-checked accessor through
//! which every guest pointer passes.

#![allow(missing_docs)]

use super::error::{MpiError, MpiResult};

macro_rules! abi_consts {
    ($($name:ident = $val:expr;)*) => {
        $(pub const $name: i32 = $val;)*
        /// Every constant above with its C name, for the header cross-check.
        pub const NAMED: &[(&str, i32)] = &[$((stringify!($name), $name)),*];
    };
}

abi_consts! {
    MPI_COMM_NULL = 0x0100_0000;
    MPI_COMM_WORLD = 0x0100_0001;
    MPI_COMM_SELF = 0x0100_0002;
    MPI_GROUP_NULL = 0x0200_0000;
    MPI_GROUP_EMPTY = 0x0200_0001;
    MPI_DATATYPE_NULL = 0x0300_0000;
    MPI_CHAR = 0x0300_0001;
    MPI_SIGNED_CHAR = 0x0300_0002;
    MPI_UNSIGNED_CHAR = 0x0300_0003;
    MPI_BYTE = 0x0300_0004;
    MPI_WCHAR = 0x0300_0005;
    MPI_SHORT = 0x0300_0006;
    MPI_UNSIGNED_SHORT = 0x0300_0007;
    MPI_INT = 0x0300_0008;
    MPI_UNSIGNED = 0x0300_0009;
    MPI_LONG = 0x0300_000a;
    MPI_UNSIGNED_LONG = 0x0300_000b;
    MPI_LONG_LONG_INT = 0x0300_000c;
    MPI_UNSIGNED_LONG_LONG = 0x0300_000d;
    MPI_FLOAT = 0x0300_000e;
    MPI_DOUBLE = 0x0300_000f;
    MPI_LONG_DOUBLE = 0x0300_0010;
    MPI_PACKED = 0x0300_0011;
    MPI_INT8_T = 0x0300_0012;
    MPI_INT16_T = 0x0300_0013;
    MPI_INT32_T = 0x0300_0014;
    MPI_INT64_T = 0x0300_0015;
    MPI_UINT8_T = 0x0300_0016;
    MPI_UINT16_T = 0x0300_0017;
    MPI_UINT32_T = 0x0300_0018;
    MPI_UINT64_T = 0x0300_0019;
    MPI_C_BOOL = 0x0300_001a;
    MPI_C_FLOAT_COMPLEX = 0x0300_001b;
    MPI_C_DOUBLE_COMPLEX = 0x0300_001c;
    MPI_C_LONG_DOUBLE_COMPLEX = 0x0300_001d;
    MPI_AINT = 0x0300_001e;
    MPI_OFFSET = 0x0300_001f;
    MPI_COUNT = 0x0300_0020;
    MPI_FLOAT_INT = 0x0300_0021;
    MPI_DOUBLE_INT = 0x0300_0022;
    MPI_LONG_INT = 0x0300_0023;
    MPI_2INT = 0x0300_0024;
    MPI_SHORT_INT = 0x0300_0025;
    MPI_LONG_DOUBLE_INT = 0x0300_0026;
    MPI_OP_NULL = 0x0400_0000;
    MPI_MAX = 0x0400_0001;
    MPI_MIN = 0x0400_0002;
    MPI_SUM = 0x0400_0003;
    MPI_PROD = 0x0400_0004;
    MPI_LAND = 0x0400_0005;
    MPI_BAND = 0x0400_0006;
    MPI_LOR = 0x0400_0007;
    MPI_BOR = 0x0400_0008;
    MPI_LXOR = 0x0400_0009;
    MPI_BXOR = 0x0400_000a;
    MPI_MINLOC = 0x0400_000b;
    MPI_MAXLOC = 0x0400_000c;
    MPI_REPLACE = 0x0400_000d;
    MPI_NO_OP = 0x0400_000e;
    MPI_REQUEST_NULL = 0x0500_0000;
    MPI_WIN_NULL = 0x0600_0000;
    MPI_INFO_NULL = 0x0700_0000;
    MPI_INFO_ENV = 0x0700_0001;
    MPI_ERRHANDLER_NULL = 0x0800_0000;
    MPI_ERRORS_ARE_FATAL = 0x0800_0001;
    MPI_ERRORS_RETURN = 0x0800_0002;
    MPI_MESSAGE_NULL = 0x0900_0000;
    MPI_MESSAGE_NO_PROC = 0x0900_0001;
    MPI_PROC_NULL = -1;
    MPI_ANY_SOURCE = -2;
    MPI_ROOT = -3;
    MPI_ANY_TAG = -1;
    MPI_UNDEFINED = -32766;
    MPI_MAX_PROCESSOR_NAME = 256;
    MPI_MAX_ERROR_STRING = 512;
    MPI_MAX_OBJECT_NAME = 128;
    MPI_MAX_LIBRARY_VERSION_STRING = 8192;
    MPI_IDENT = 0;
    MPI_CONGRUENT = 1;
    MPI_SIMILAR = 2;
    MPI_UNEQUAL = 3;
    MPI_CART = 2;
    MPI_COMM_TYPE_SHARED = 1;
    MPI_THREAD_SINGLE = 0;
    MPI_THREAD_FUNNELED = 1;
    MPI_THREAD_SERIALIZED = 2;
    MPI_THREAD_MULTIPLE = 3;
    MPI_SUCCESS = 0;
    MPI_ERR_BUFFER = 1;
    MPI_ERR_COUNT = 2;
    MPI_ERR_TYPE = 3;
    MPI_ERR_TAG = 4;
    MPI_ERR_COMM = 5;
    MPI_ERR_RANK = 6;
    MPI_ERR_REQUEST = 7;
    MPI_ERR_ROOT = 8;
    MPI_ERR_GROUP = 9;
    MPI_ERR_OP = 10;
    MPI_ERR_TOPOLOGY = 11;
    MPI_ERR_DIMS = 12;
    MPI_ERR_ARG = 13;
    MPI_ERR_UNKNOWN = 14;
    MPI_ERR_TRUNCATE = 15;
    MPI_ERR_OTHER = 16;
    MPI_ERR_INTERN = 17;
    MPI_ERR_IN_STATUS = 18;
    MPI_ERR_PENDING = 19;
    MPI_ERR_INFO_KEY = 31;
    MPI_ERR_INFO_NOKEY = 32;
    MPI_ERR_INFO_VALUE = 33;
    MPI_ERR_INFO = 34;
    MPI_ERR_NO_MEM = 39;
    MPI_ERR_WIN = 51;
    MPI_ERR_RMA_SYNC = 53;
    MPI_ERR_RMA_RANGE = 54;
    MPI_ERR_DISP = 26;
    MPI_ERR_SIZE = 47;
    MPI_ERR_LOCKTYPE = 37;
    MPI_ERR_RMA_ATTACH = 55;
    MPI_ERR_RMA_SHARED = 56;
    MPI_ERR_RMA_FLAVOR = 57;
    MPI_ERR_LASTCODE = 0x3fff_ffff;
}

/// The kind of object a handle names (its top byte).
pub const fn handle_kind(h: i32) -> i32 {
    h & 0x7f00_0000
}

/// The table index part of a handle.
pub const fn handle_index(h: i32) -> usize {
    (h & 0x00ff_ffff) as usize
}

/// `MPI_STATUS_IGNORE` / `MPI_STATUSES_IGNORE` as a guest address.
pub const STATUS_IGNORE: u32 = 1;
/// `MPI_IN_PLACE` as a guest address.
pub const IN_PLACE: u32 = u32::MAX;
/// Size of the guest's `MPI_Status`.
pub const STATUS_SIZE: u32 = 24;

/// A receive's or probe's outcome, as written into a guest `MPI_Status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Status {
    /// Sender's rank in the communicator.
    pub source: i32,
    /// Message tag.
    pub tag: i32,
    /// Error class of this request.
    pub error: i32,
    /// Whether the request was cancelled.
    pub cancelled: bool,
    /// Bytes received.
    pub count: u64,
}

impl Status {
    /// The status of an operation with `MPI_PROC_NULL`.
    pub fn proc_null() -> Status {
        Status {
            source: MPI_PROC_NULL,
            tag: MPI_ANY_TAG,
            ..Default::default()
        }
    }
}

/// A raw view of a rank's linear memory for the duration of one host call.
///
/// Memories never move (`memory_may_move(false)`, 4 GiB reservation) and never
/// shrink, and noded keeps every rank's `Store` alive until all ranks of the job on
/// the node have finished, so a range checked against the current size stays valid
/// for the rest of the job.
#[derive(Debug, Clone, Copy)]
pub struct GuestMem {
    base: *mut u8,
    len: usize,
}

/// A bounds-checked byte range of some rank's linear memory.
///
/// It may be handed to another rank's thread (for single-copy transfers); MPI's
/// rules (a buffer of a pending operation is not touched by its owner) make the
/// concurrent access race-free for correct programs, and a racy program only
/// corrupts its own data: copies use raw pointers, never Rust references.
#[derive(Debug, Clone, Copy)]
pub struct GuestSlice {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: a GuestSlice points into a wasm linear memory that stays mapped until the
// whole job ends on this node (see GuestMem); it is only accessed with raw copies.
unsafe impl Send for GuestSlice {}
// SAFETY: as above; shared references only read the pointer value.
unsafe impl Sync for GuestSlice {}

impl GuestMem {
    /// Wraps a linear memory's current base and size.
    ///
    /// # Safety
    /// `base..base+len` must be a wasm linear memory that stays mapped at least as
    /// long as any slice derived from this value is used.
    pub unsafe fn new(base: *mut u8, len: usize) -> GuestMem {
        GuestMem { base, len }
    }

    /// Memory size in bytes.
    pub fn size(&self) -> usize {
        self.len
    }

    /// Checks `[ptr, ptr+len)` lies in memory.
    pub fn slice(&self, ptr: u32, len: usize) -> MpiResult<GuestSlice> {
        let end = (ptr as usize).checked_add(len);
        match end {
            Some(end) if end <= self.len => Ok(GuestSlice {
                // SAFETY: ptr + len <= self.len, so the offset stays inside the memory.
                ptr: unsafe { self.base.add(ptr as usize) },
                len,
            }),
            _ => Err(MpiError::new(
                MPI_ERR_BUFFER,
                format!(
                    "buffer at address {ptr:#x} of {len} bytes lies outside the rank's linear memory ({} bytes)",
                    self.len
                ),
            )),
        }
    }

    /// Reads a little-endian i32 at `ptr`.
    pub fn read_i32(&self, ptr: u32) -> MpiResult<i32> {
        let mut b = [0u8; 4];
        self.slice(ptr, 4)?.read_into(0, &mut b);
        Ok(i32::from_le_bytes(b))
    }

    /// Writes a little-endian i32 at `ptr`.
    pub fn write_i32(&self, ptr: u32, v: i32) -> MpiResult<()> {
        self.slice(ptr, 4)?.write_from(0, &v.to_le_bytes());
        Ok(())
    }

    /// Reads `n` i32s starting at `ptr`.
    pub fn read_i32s(&self, ptr: u32, n: usize) -> MpiResult<Vec<i32>> {
        let s = self.slice(ptr, n.checked_mul(4).ok_or_else(too_large)?)?;
        let mut bytes = vec![0u8; n * 4];
        s.read_into(0, &mut bytes);
        Ok(bytes
            .chunks_exact(4)
            .map(|c| i32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }

    /// Writes bytes at `ptr`.
    pub fn write_bytes(&self, ptr: u32, data: &[u8]) -> MpiResult<()> {
        self.slice(ptr, data.len())?.write_from(0, data);
        Ok(())
    }

    /// Writes a status unless `ptr` is `MPI_STATUS_IGNORE`.
    pub fn write_status(&self, ptr: u32, s: &Status) -> MpiResult<()> {
        if ptr == STATUS_IGNORE {
            return Ok(());
        }
        let mut b = [0u8; STATUS_SIZE as usize];
        b[0..4].copy_from_slice(&s.source.to_le_bytes());
        b[4..8].copy_from_slice(&s.tag.to_le_bytes());
        b[8..12].copy_from_slice(&s.error.to_le_bytes());
        b[12..16].copy_from_slice(&(s.cancelled as i32).to_le_bytes());
        b[16..24].copy_from_slice(&s.count.to_le_bytes());
        self.write_bytes(ptr, &b)
    }

    /// Reads a guest status.
    pub fn read_status(&self, ptr: u32) -> MpiResult<Status> {
        let mut b = [0u8; STATUS_SIZE as usize];
        self.slice(ptr, b.len())?.read_into(0, &mut b);
        let i = |o: usize| i32::from_le_bytes(b[o..o + 4].try_into().expect("4"));
        Ok(Status {
            source: i(0),
            tag: i(4),
            error: i(8),
            cancelled: i(12) != 0,
            count: u64::from_le_bytes(b[16..24].try_into().expect("8")),
        })
    }

    /// Reads a NUL-terminated guest string of at most `max` bytes.
    pub fn read_cstr(&self, ptr: u32, max: usize) -> MpiResult<String> {
        let avail = self.len.saturating_sub(ptr as usize).min(max + 1);
        let s = self.slice(ptr, avail)?.to_vec();
        let end = s.iter().position(|b| *b == 0).ok_or_else(|| {
            MpiError::new(
                MPI_ERR_ARG,
                format!("string at {ptr:#x} is not NUL-terminated within {max} bytes"),
            )
        })?;
        String::from_utf8(s[..end].to_vec())
            .map_err(|_| MpiError::new(MPI_ERR_ARG, format!("string at {ptr:#x} is not UTF-8")))
    }

    /// Copies a string into a guest `char[max]` with a terminating NUL (truncating
    /// to fit) and stores its length at `len_ptr` when that is not NULL.
    pub fn write_cstr(&self, ptr: u32, max: usize, s: &str, len_ptr: u32) -> MpiResult<()> {
        let bytes = s.as_bytes();
        let n = bytes.len().min(max.saturating_sub(1));
        let mut buf = bytes[..n].to_vec();
        buf.push(0);
        self.write_bytes(ptr, &buf)?;
        if len_ptr != 0 {
            self.write_i32(len_ptr, n as i32)?;
        }
        Ok(())
    }
}

fn too_large() -> MpiError {
    MpiError::new(MPI_ERR_COUNT, "count too large".to_string())
}

impl GuestSlice {
    /// An empty slice (zero-length transfers).
    pub const EMPTY: GuestSlice = GuestSlice {
        ptr: std::ptr::NonNull::<u8>::dangling().as_ptr(),
        len: 0,
    };

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if zero bytes long.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// A sub-range, checked against this slice.
    pub fn sub(&self, offset: usize, len: usize) -> Option<GuestSlice> {
        (offset.checked_add(len)? <= self.len).then(|| GuestSlice {
            // SAFETY: offset + len <= self.len keeps the pointer in bounds.
            ptr: unsafe { self.ptr.add(offset) },
            len,
        })
    }

    /// Copies `out.len()` bytes starting at `offset` out of guest memory.
    /// Panics if the range is out of bounds (callers check with `sub`/`slice`).
    pub fn read_into(&self, offset: usize, out: &mut [u8]) {
        assert!(offset + out.len() <= self.len, "guest read out of bounds");
        // SAFETY: bounds asserted above; guest memory is valid for the job's
        // lifetime (see GuestMem) and `out` is host memory, so they don't overlap.
        unsafe { std::ptr::copy_nonoverlapping(self.ptr.add(offset), out.as_mut_ptr(), out.len()) }
    }

    /// Copies `data` into guest memory at `offset`. Panics if out of bounds.
    pub fn write_from(&self, offset: usize, data: &[u8]) {
        assert!(offset + data.len() <= self.len, "guest write out of bounds");
        // SAFETY: bounds asserted above; guest memory is valid for the job's
        // lifetime and `data` is host memory.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.ptr.add(offset), data.len()) }
    }

    /// Copies `n` bytes from `src` (possibly another rank's memory) into `self`.
    pub fn copy_from(&self, dst_offset: usize, src: &GuestSlice, src_offset: usize, n: usize) {
        assert!(
            dst_offset + n <= self.len && src_offset + n <= src.len,
            "guest copy out of bounds"
        );
        // SAFETY: both ranges are in bounds of memories that live for the job.
        // `copy` (memmove) tolerates overlap, e.g. a rank sending to itself.
        unsafe { std::ptr::copy(src.ptr.add(src_offset), self.ptr.add(dst_offset), n) }
    }

    /// The bytes as a host vector (written once: no zeroing pass first).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.len);
        // SAFETY: the capacity is `len`; the copy initialises all `len` bytes
        // before `set_len` exposes them, and host and guest memory don't overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(self.ptr, v.as_mut_ptr(), self.len);
            v.set_len(self.len);
        }
        v
    }

    /// Runs `f` on the bytes as a host slice (a message combined where it lies,
    /// in a local sender's memory while the sender waits for that to finish).
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        if self.len == 0 {
            return f(&[]);
        }
        // SAFETY: ptr..ptr+len is inside a linear memory that lives for the job;
        // its owner does not write it meanwhile (a send buffer being sent).
        f(unsafe { std::slice::from_raw_parts(self.ptr, self.len) })
    }

    /// Runs `f` on the bytes as a mutable host slice (a reduction combining into
    /// a rank's own receive buffer). Only the rank that owns the memory may call
    /// this, while no MPI operation of its own writes the same bytes.
    pub fn with_bytes_mut<R>(&self, f: impl FnOnce(&mut [u8]) -> R) -> R {
        if self.len == 0 {
            return f(&mut []);
        }
        // SAFETY: ptr..ptr+len is inside a linear memory that lives for the job;
        // the caller is the owning rank, so nothing else borrows these bytes.
        f(unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) })
    }

    /// Raw pointer (for reductions that operate in place).
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every constant here must have the same value in func/include/mpi.h.
    #[test]
    fn constants_match_mpi_h() {
        let header = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../func/include/mpi.h"
        ))
        .expect("read mpi.h");
        let mut defines = std::collections::HashMap::new();
        for line in header.lines() {
            let Some(rest) = line.trim().strip_prefix("#define ") else {
                continue;
            };
            let mut it = rest.splitn(2, char::is_whitespace);
            let (Some(name), Some(value)) = (it.next(), it.next()) else {
                continue;
            };
            let spaced = value.replace(['(', ')'], " ");
            let Some(v) = spaced.split_whitespace().last() else {
                continue;
            };
            let parsed = if let Some(hex) = v.strip_prefix("0x") {
                i64::from_str_radix(hex, 16).ok()
            } else {
                v.parse::<i64>().ok()
            };
            if let Some(p) = parsed {
                defines.insert(name.to_string(), p);
            }
        }
        for (name, value) in NAMED {
            let h = defines
                .get(*name)
                .unwrap_or_else(|| panic!("{name} is not #defined to a number in mpi.h"));
            assert_eq!(*h, *value as i64, "{name} differs between mpi.h and abi.rs");
        }
    }

    #[test]
    fn out_of_bounds_ranges_are_mpi_err_buffer() {
        let mut mem = vec![0u8; 64];
        // SAFETY: `mem` outlives `g` in this test.
        let g = unsafe { GuestMem::new(mem.as_mut_ptr(), mem.len()) };
        assert!(g.slice(60, 4).is_ok());
        let e = g.slice(61, 4).unwrap_err();
        assert_eq!(e.class, MPI_ERR_BUFFER);
        assert!(g.slice(u32::MAX, 2).is_err());
        g.write_i32(8, -5).unwrap();
        assert_eq!(g.read_i32(8).unwrap(), -5);
        let st = Status {
            source: 3,
            tag: 7,
            error: 0,
            cancelled: true,
            count: 1 << 40,
        };
        g.write_status(16, &st).unwrap();
        assert_eq!(g.read_status(16).unwrap(), st);
    }
}
