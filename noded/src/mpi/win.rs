//! One-sided communication (MPI-3.1 chapter 11) between ranks of one node.
//!
//! Ranks of a job on a node are threads of one noded, so a window is simply every
//! member's `(base, size, disp_unit)` in its own linear memory, and a Put or Get
//! is one copy between two linear memories, done by the origin's thread when it
//! makes the call: operations complete eagerly, which every synchronisation mode
//! permits. What the synchronisation calls still have to provide is ordering and
//! exclusion: a fence is a barrier, post/start/complete/wait exchange signals,
//! locks are real reader/writer locks per target, and accumulates take a per-target
//! lock so that concurrent updates are atomic per element.
//!
//! `MPI_Win_allocate_shared` maps one memfd segment into every member's linear
//! memory (over pages obtained from the guest's own malloc), so plain loads and
//! stores of different ranks see each other with no copy.

use super::abi::{self, GuestMem, Status};
use super::datatype::{Datatype, TypedBuf};
use super::error::{MpiError, MpiResult};
use super::op::{self, Op};
use super::rank::{Comm, MpiRank};
use super::transport::{Data, Envelope, Posted, ReqState, Target};
use std::collections::HashMap;
use std::sync::atomic::{fence, Ordering};
use std::sync::{Arc, Mutex};

/// `MPI_WIN_FLAVOR_*`.
pub const FLAVOR_CREATE: i32 = 1;
/// Memory allocated by MPI_Win_allocate.
pub const FLAVOR_ALLOCATE: i32 = 2;
/// MPI_Win_create_dynamic.
pub const FLAVOR_DYNAMIC: i32 = 3;
/// MPI_Win_allocate_shared.
pub const FLAVOR_SHARED: i32 = 4;
/// `MPI_WIN_UNIFIED`: one copy of the memory, coherent.
pub const MODEL_UNIFIED: i32 = 2;

const MODE_NOCHECK: i32 = 1024;
const MODE_NOSUCCEED: i32 = 16384;
const LOCK_EXCLUSIVE: i32 = 234;
const LOCK_SHARED: i32 = 235;

const TAG_POST: i32 = 1;
const TAG_COMPLETE: i32 = 2;

/// Host page size used to map shared segments.
const PAGE: u32 = 4096;

/// Names a window node-wide: its internal communicator's context id and the
/// world rank of that communicator's rank 0. Context ids are only agreed within
/// a communicator's group, so disjoint groups may share one; a rank never reuses
/// one, so the pair is unique.
pub type WinKey = (u32, u32);

fn win_key(cm: &Comm) -> WinKey {
    (cm.ctx, cm.group[0])
}

fn win_key_of(r: &MpiRank, w: &Win) -> WinKey {
    r.comm(w.comm)
        .map(|cm| win_key(&cm))
        .unwrap_or((u32::MAX, u32::MAX))
}

/// One member's exposed memory.
#[derive(Debug, Clone, Copy)]
pub struct WinTarget {
    /// Host address of the member's linear memory (0 for dynamic windows'
    /// bookkeeping is the same: displacements are guest addresses).
    pub mem_base: usize,
    /// Guest address of the window in that memory.
    pub base: u32,
    /// Bytes.
    pub size: u32,
    /// Displacement unit in bytes.
    pub disp_unit: u32,
}

#[derive(Debug, Default)]
struct LockState {
    shared: u32,
    exclusive: bool,
}

/// What all members of a window share on the node.
pub struct WinShared {
    targets: Vec<WinTarget>,
    locks: Vec<Mutex<LockState>>,
    /// Per-target lock that makes accumulate operations atomic per element.
    acc: Vec<Mutex<()>>,
    /// Attached regions of dynamic windows: (guest address, bytes) per member.
    regions: Vec<Mutex<Vec<(u32, u32)>>>,
    /// `MPI_WIN_FLAVOR_*`.
    flavor: i32,
}

impl WinShared {
    /// Takes member `t`'s lock if it is free now.
    pub fn try_lock(&self, t: u32, exclusive: bool) -> bool {
        let Some(lock) = self.locks.get(t as usize) else {
            return false;
        };
        let mut s = lock.lock().expect("window lock");
        if exclusive && !s.exclusive && s.shared == 0 {
            s.exclusive = true;
            true
        } else if !exclusive && !s.exclusive {
            s.shared += 1;
            true
        } else {
            false
        }
    }

    /// Releases member `t`'s lock.
    pub fn unlock(&self, t: u32, exclusive: bool) {
        if let Some(lock) = self.locks.get(t as usize) {
            let mut s = lock.lock().expect("window lock");
            if exclusive {
                s.exclusive = false;
            } else {
                s.shared = s.shared.saturating_sub(1);
            }
        }
    }

    /// The lock that makes accumulates on member `t` atomic per element.
    pub fn accumulate_lock(&self, t: u32) -> std::sync::MutexGuard<'_, ()> {
        self.acc[t as usize].lock().expect("accumulate lock")
    }

    /// `count` elements of `dt` at displacement `disp` of member `t`'s window (a
    /// member on this node), checked against the window (MPI_ERR_RMA_RANGE).
    pub fn target_buf(
        &self,
        t: u32,
        disp: i64,
        count: i32,
        dt: Arc<Datatype>,
    ) -> MpiResult<TypedBuf> {
        let tg = *self
            .targets
            .get(t as usize)
            .ok_or_else(|| MpiError::new(abi::MPI_ERR_RANK, format!("invalid target rank {t}")))?;
        if tg.mem_base == 0 {
            return Err(MpiError::new(
                abi::MPI_ERR_INTERN,
                format!("rank {t} of the window is not on this node"),
            ));
        }
        let outside = |what: String| {
            range(format!(
                "target displacement {disp} ({what}) lies outside rank {t}'s window"
            ))
        };
        if self.flavor == FLAVOR_DYNAMIC {
            let addr = u32::try_from(disp).map_err(|_| outside("not an address".into()))?;
            let regions = self.regions[t as usize].lock().expect("regions lock");
            let &(b, s) = regions
                .iter()
                .find(|&&(b, s)| addr >= b && addr < b + s.max(1))
                .ok_or_else(|| outside("no attached region there".into()))?;
            return super::rma_remote::region_buf(
                tg.mem_base + b as usize,
                s as usize,
                addr - b,
                count,
                dt,
            )
            .map_err(|_| outside(format!("{count} elements overrun the attached region")));
        }
        let byte = disp
            .checked_mul(i64::from(tg.disp_unit))
            .filter(|b| *b >= 0 && *b <= i64::from(tg.size))
            .ok_or_else(|| outside(format!("window of {} bytes", tg.size)))?;
        super::rma_remote::region_buf(
            tg.mem_base + tg.base as usize,
            tg.size as usize,
            byte as u32,
            count,
            dt,
        )
        .map_err(|_| {
            outside(format!(
                "{count} elements from byte {byte} overrun the window of {} bytes",
                tg.size
            ))
        })
    }
}

/// A shared window's mapping in this rank's memory.
#[derive(Debug, Clone)]
pub struct ShmMap {
    /// Block from the guest's malloc that holds the mapping.
    pub block: u32,
    /// Guest address of the mapping (page aligned).
    pub at: u32,
    /// Mapped bytes.
    pub len: u32,
    /// Offset of each member's segment in the mapping.
    pub offsets: Vec<u32>,
}

/// A window as one rank sees it.
pub struct Win {
    /// Internal duplicate of the communicator: its context carries the window's
    /// signals, its error handler is the window's.
    pub comm: i32,
    /// This rank's rank in the window's group.
    pub rank: u32,
    /// State shared with the other members.
    pub shared: Arc<WinShared>,
    /// `MPI_WIN_FLAVOR_*`.
    pub flavor: i32,
    /// MPI_Win_set_name.
    pub name: String,
    /// Guest memory from malloc to free with the window (allocate flavors).
    pub block: Option<u32>,
    /// Guest area holding the attribute values MPI_Win_get_attr points to.
    pub attr_area: u32,
    /// The shared segment mapping (shared flavor).
    pub shm: Option<ShmMap>,
    fence_open: bool,
    /// Targets of the PSCW access epoch (window ranks), if one is open.
    start_group: Option<Vec<u32>>,
    /// Origins whose MPI_Win_complete an open PSCW exposure epoch still awaits.
    post_pending: Option<Vec<u32>>,
    /// Passive-target locks held: target -> (lock type, acquired for real).
    locks: HashMap<u32, (i32, bool)>,
    /// MPI_Win_lock_all held (and whether the locks were really taken).
    lock_all: Option<bool>,
}

fn rma_sync(msg: impl Into<String>) -> MpiError {
    MpiError::new(abi::MPI_ERR_RMA_SYNC, msg)
}

fn range(msg: impl Into<String>) -> MpiError {
    MpiError::new(abi::MPI_ERR_RMA_RANGE, msg)
}

/// The arguments naming a target location.
#[derive(Debug, Clone, Copy)]
pub struct TargetSpec {
    /// Target rank in the window's group.
    pub rank: i32,
    /// Displacement in units of the target's disp_unit (bytes for dynamic windows:
    /// an address).
    pub disp: i64,
    /// Element count.
    pub count: i32,
    /// Datatype handle (interpreted at the origin, as MPI specifies).
    pub dt: i32,
}

impl MpiRank {
    /// A window by handle.
    pub fn win(&self, h: i32) -> MpiResult<&Win> {
        self.wins
            .get(h)
            .ok_or_else(|| MpiError::new(abi::MPI_ERR_WIN, format!("invalid window handle {h:#x}")))
    }

    /// Records the malloc'd block an allocating constructor gave the window.
    pub fn set_win_block(&mut self, h: i32, block: u32) {
        if let Some(w) = self.wins.get_mut(h) {
            w.block = Some(block);
        }
    }

    /// Records the guest area for MPI_Win_get_attr values.
    pub fn set_win_attr_area(&mut self, h: i32, area: u32) {
        if let Some(w) = self.wins.get_mut(h) {
            w.attr_area = area;
        }
    }

    /// MPI_Win_set_name.
    pub fn set_win_name(&mut self, h: i32, name: String) -> MpiResult<()> {
        self.win_mut(h)?.name = name;
        Ok(())
    }

    /// (flavor, attribute area, base, size, disp_unit) of this rank's part of `h`.
    pub fn win_self(&self, h: i32) -> MpiResult<(i32, u32, u32, u32, u32)> {
        let w = self.win(h)?;
        let t = w.shared.targets[w.rank as usize];
        Ok((w.flavor, w.attr_area, t.base, t.size, t.disp_unit))
    }

    fn win_mut(&mut self, h: i32) -> MpiResult<&mut Win> {
        self.wins
            .get_mut(h)
            .ok_or_else(|| MpiError::new(abi::MPI_ERR_WIN, format!("invalid window handle {h:#x}")))
    }

    /// The communicator whose error handler applies to window `h`'s errors.
    pub fn win_errcomm(&self, h: i32) -> i32 {
        self.wins
            .get(h)
            .map(|w| w.comm)
            .unwrap_or(abi::MPI_COMM_WORLD)
    }

    /// Collective part of every window constructor: duplicates `comm`, exchanges
    /// each member's `(base, size, disp_unit)` and joins the node-wide shared state.
    pub fn win_create(
        &mut self,
        comm: i32,
        base: u32,
        size: u32,
        disp_unit: i32,
        flavor: i32,
        mem: &GuestMem,
    ) -> MpiResult<i32> {
        check_disp_unit(disp_unit)?;
        if size > 0 {
            mem.slice(base, size as usize)?;
        }
        let internal = self.comm_dup(comm)?;
        self.win_join(internal, base, size, disp_unit, flavor)
    }

    /// Builds the window over internal communicator `internal` (already a private
    /// duplicate).
    fn win_join(
        &mut self,
        internal: i32,
        base: u32,
        size: u32,
        disp_unit: i32,
        flavor: i32,
    ) -> MpiResult<i32> {
        let cm = self.comm(internal)?;
        let mut mine = Vec::with_capacity(12);
        for v in [base, size, disp_unit as u32] {
            mine.extend_from_slice(&v.to_le_bytes());
        }
        let all = self.allgather_bytes(&cm, mine)?;
        let word =
            |i: usize| u32::from_le_bytes(all[4 * i..4 * i + 4].try_into().expect("4 bytes"));
        let mut targets = Vec::with_capacity(cm.group.len());
        for (r, &w) in cm.group.iter().enumerate() {
            targets.push(WinTarget {
                // 0 marks a member on another node (reached through its noded).
                mem_base: self.world.mem_base(w).unwrap_or(0),
                base: word(3 * r),
                size: word(3 * r + 1),
                disp_unit: word(3 * r + 2),
            });
        }
        let n = targets.len();
        let shared = self.world.window(win_key(&cm), || WinShared {
            targets,
            locks: (0..n).map(|_| Mutex::default()).collect(),
            acc: (0..n).map(|_| Mutex::default()).collect(),
            regions: (0..n).map(|_| Mutex::default()).collect(),
            flavor,
        });
        // Every member has joined (on every node) before any uses the window.
        self.barrier(&cm)?;
        Ok(self.wins.insert(Win {
            comm: internal,
            rank: cm.rank,
            shared,
            flavor,
            name: String::new(),
            block: None,
            attr_area: 0,
            shm: None,
            fence_open: false,
            start_group: None,
            post_pending: None,
            locks: HashMap::new(),
            lock_all: None,
        }))
    }

    /// First step of MPI_Win_allocate_shared: duplicates `comm` (the duplicate's
    /// context names the segment) and agrees on the layout. Returns (internal
    /// communicator, total bytes to map, offset of each member's segment).
    pub fn win_shared_layout(
        &mut self,
        comm: i32,
        size: u32,
        disp_unit: i32,
    ) -> MpiResult<(i32, u32, Vec<u32>)> {
        check_disp_unit(disp_unit)?;
        let parent = self.comm(comm)?;
        let here = self.world.node_index(self.me);
        if parent
            .group
            .iter()
            .any(|w| self.world.node_index(*w) != here)
        {
            return Err(MpiError::new(
                abi::MPI_ERR_RMA_SHARED,
                "the communicator spans several nodes: shared memory needs ranks on one node (split it with MPI_Comm_split_type)",
            ));
        }
        let internal = self.comm_dup(comm)?;
        let cm = self.comm(internal)?;
        let all = self.allgather_bytes(&cm, size.to_le_bytes().to_vec())?;
        let mut offsets = Vec::with_capacity(cm.group.len());
        let mut total: u64 = 0;
        for chunk in all.chunks_exact(4) {
            offsets.push(total as u32);
            total += u64::from(u32::from_le_bytes(chunk.try_into().expect("4 bytes")));
        }
        let total = u32::try_from(total.next_multiple_of(u64::from(PAGE)))
            .map_err(|_| MpiError::new(abi::MPI_ERR_NO_MEM, "shared window larger than 4 GiB"))?;
        Ok((internal, total, offsets))
    }

    /// Second step of MPI_Win_allocate_shared: maps the segment at the page-aligned
    /// start of `block` (guest malloc'd, `total + PAGE` bytes) and creates the window.
    #[allow(clippy::too_many_arguments)]
    pub fn win_shared_map(
        &mut self,
        internal: i32,
        size: u32,
        disp_unit: i32,
        total: u32,
        offsets: Vec<u32>,
        block: u32,
        mem: &GuestMem,
    ) -> MpiResult<i32> {
        let cm = self.comm(internal)?;
        let at = block.next_multiple_of(PAGE);
        if total > 0 {
            let fd_owner = self.world.shm_segment(win_key(&cm), total)?;
            let host = mem.slice(at, total as usize)?.as_ptr();
            // SAFETY: `host..host+total` lies inside this rank's linear memory (just
            // checked), in a block its malloc handed out, which stays allocated for
            // the window's lifetime; replacing those pages with the shared segment
            // changes no other memory.
            let p = unsafe {
                libc::mmap(
                    host.cast(),
                    total as usize,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED | libc::MAP_FIXED,
                    std::os::fd::AsRawFd::as_raw_fd(&*fd_owner),
                    0,
                )
            };
            if p == libc::MAP_FAILED {
                return Err(MpiError::new(
                    abi::MPI_ERR_NO_MEM,
                    format!(
                        "mapping the shared window segment: {}",
                        std::io::Error::last_os_error()
                    ),
                ));
            }
        }
        let mine = at + offsets[cm.rank as usize];
        let h = self.win_join(internal, mine, size, disp_unit, FLAVOR_SHARED)?;
        // Every member has mapped the segment once win_create's exchange is done.
        self.world.forget_shm_segment(win_key(&cm));
        let w = self.win_mut(h)?;
        w.block = Some(block);
        w.shm = Some(ShmMap {
            block,
            at,
            len: total,
            offsets,
        });
        Ok(h)
    }

    /// MPI_Win_shared_query: (size, disp_unit, guest address in this rank's mapping).
    pub fn win_shared_query(&self, h: i32, rank: i32) -> MpiResult<(u32, u32, u32)> {
        let w = self.win(h)?;
        let shm = w.shm.as_ref().ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_RMA_FLAVOR,
                "MPI_Win_shared_query needs a window from MPI_Win_allocate_shared",
            )
        })?;
        let targets = &w.shared.targets;
        let r = if rank == abi::MPI_PROC_NULL {
            targets.iter().position(|t| t.size > 0).unwrap_or(0)
        } else {
            usize::try_from(rank)
                .ok()
                .filter(|r| *r < targets.len())
                .ok_or_else(|| {
                    MpiError::new(
                        abi::MPI_ERR_RANK,
                        format!("invalid rank {rank} (window of {} ranks)", targets.len()),
                    )
                })?
        };
        let t = targets[r];
        Ok((t.size, t.disp_unit, shm.at + shm.offsets[r]))
    }

    /// MPI_Win_attach: exposes `[base, base+size)` of this rank's memory.
    pub fn win_attach(&mut self, h: i32, base: u32, size: u32, mem: &GuestMem) -> MpiResult<()> {
        let w = self.win(h)?;
        if w.flavor != FLAVOR_DYNAMIC {
            return Err(MpiError::new(
                abi::MPI_ERR_RMA_FLAVOR,
                "MPI_Win_attach needs a window from MPI_Win_create_dynamic",
            ));
        }
        mem.slice(base, size as usize)?;
        let mut regions = w.shared.regions[w.rank as usize]
            .lock()
            .expect("regions lock");
        if regions
            .iter()
            .any(|&(b, s)| base < b + s && b < base + size)
        {
            return Err(MpiError::new(
                abi::MPI_ERR_RMA_ATTACH,
                format!("memory at {base:#x} overlaps a region already attached"),
            ));
        }
        regions.push((base, size));
        Ok(())
    }

    /// MPI_Win_detach.
    pub fn win_detach(&mut self, h: i32, base: u32) -> MpiResult<()> {
        let w = self.win(h)?;
        if w.flavor != FLAVOR_DYNAMIC {
            return Err(MpiError::new(
                abi::MPI_ERR_RMA_FLAVOR,
                "MPI_Win_detach needs a window from MPI_Win_create_dynamic",
            ));
        }
        let mut regions = w.shared.regions[w.rank as usize]
            .lock()
            .expect("regions lock");
        let i = regions
            .iter()
            .position(|&(b, _)| b == base)
            .ok_or_else(|| {
                MpiError::new(
                    abi::MPI_ERR_RMA_ATTACH,
                    format!("no region attached at {base:#x}"),
                )
            })?;
        regions.remove(i);
        Ok(())
    }

    /// MPI_Win_free, collective. Returns the guest blocks to free (malloc'd memory
    /// and the attribute area).
    pub fn win_free(&mut self, h: i32) -> MpiResult<Vec<u32>> {
        let w = self.win(h)?;
        if !w.locks.is_empty() || w.lock_all.is_some() || w.start_group.is_some() {
            return Err(rma_sync(
                "MPI_Win_free with an access epoch still open (unlock or complete it first)",
            ));
        }
        let cm = self.comm(w.comm)?;
        self.barrier(&cm)?;
        let w = self.wins.remove(h).expect("checked above");
        if w.rank == 0 {
            self.world.drop_window(win_key(&cm));
        }
        if let Some(shm) = &w.shm {
            unmap_shared(self, shm)?;
        }
        self.comm_free(w.comm)?;
        let mut blocks: Vec<u32> = w.block.into_iter().collect();
        if w.attr_area != 0 {
            blocks.push(w.attr_area);
        }
        Ok(blocks)
    }

    fn check_access(w: &Win, target: u32, call: &str) -> MpiResult<()> {
        let open = w.fence_open
            || w.lock_all.is_some()
            || w.locks.contains_key(&target)
            || w.start_group.as_ref().is_some_and(|g| g.contains(&target));
        if open {
            Ok(())
        } else {
            Err(rma_sync(format!(
                "{call} to rank {target} outside an access epoch (call MPI_Win_fence, MPI_Win_start or MPI_Win_lock first)"
            )))
        }
    }

    /// The window and target rank of a communication call, checked to be in an
    /// access epoch; None for MPI_PROC_NULL (the call does nothing).
    fn access_target(&self, h: i32, rank: i32, call: &str) -> MpiResult<Option<(&Win, u32)>> {
        let w = self.win(h)?;
        let Some(t) = Self::target_rank(w, rank)? else {
            return Ok(None);
        };
        Self::check_access(w, t, call)?;
        Ok(Some((w, t)))
    }

    fn check_passive(w: &Win, target: u32, call: &str) -> MpiResult<()> {
        if w.lock_all.is_some() || w.locks.contains_key(&target) {
            Ok(())
        } else {
            Err(rma_sync(format!(
                "{call} needs a passive-target epoch (MPI_Win_lock or MPI_Win_lock_all) on rank {target}"
            )))
        }
    }

    fn target_rank(w: &Win, rank: i32) -> MpiResult<Option<u32>> {
        if rank == abi::MPI_PROC_NULL {
            return Ok(None);
        }
        let n = w.shared.targets.len();
        usize::try_from(rank)
            .ok()
            .filter(|r| *r < n)
            .map(|r| Some(r as u32))
            .ok_or_else(|| {
                MpiError::new(
                    abi::MPI_ERR_RANK,
                    format!("invalid target rank {rank} (window of {n} ranks)"),
                )
            })
    }

    /// The target location as a typed buffer over the target's memory, checked
    /// against the window (MPI_ERR_RMA_RANGE when it does not fit).
    fn target_buf(
        &self,
        w: &Win,
        t: u32,
        spec: TargetSpec,
        dt: Arc<Datatype>,
    ) -> MpiResult<TypedBuf> {
        w.shared.target_buf(t, spec.disp, spec.count, dt)
    }

    /// Whether window member `t` runs on another node.
    fn is_remote(w: &Win, t: u32) -> bool {
        w.shared.targets[t as usize].mem_base == 0
    }

    /// Ships a one-sided request to member `t` on another node; returns its reply.
    fn remote(&self, w: &Win, t: u32, req: super::rma_remote::Request) -> MpiResult<Vec<u8>> {
        let cm = self.comm(w.comm)?;
        let to = cm.group[t as usize];
        let reply = self.world.rma_request(self.me, to, req.encode())?;
        super::rma_remote::decode_reply(&reply)
    }

    fn remote_req(
        &self,
        w: &Win,
        t: u32,
        kind: super::rma_remote::Kind,
        spec: TargetSpec,
        dt: &Datatype,
    ) -> super::rma_remote::Request {
        super::rma_remote::Request {
            kind,
            key: win_key_of(self, w),
            target: t,
            disp: spec.disp,
            count: spec.count,
            dt: super::rma_remote::Request::flatten(dt),
            op: 0,
            prim: None,
            payload: Vec::new(),
            compare: Vec::new(),
        }
    }

    /// MPI_Put (and MPI_Rput): one copy from the origin buffer into the target window.
    pub fn rma_put(
        &self,
        h: i32,
        origin: &TypedBuf,
        spec: TargetSpec,
        call: &str,
    ) -> MpiResult<()> {
        let Some((w, t)) = self.access_target(h, spec.rank, call)? else {
            return Ok(());
        };
        if Self::is_remote(w, t) {
            let dt = self.datatype(spec.dt)?;
            let mut req = self.remote_req(w, t, super::rma_remote::Kind::Put, spec, &dt);
            req.payload = origin.pack();
            return self.remote(w, t, req).map(|_| ());
        }
        let tb = self.target_buf(w, t, spec, self.datatype(spec.dt)?)?;
        same_size(origin, &tb)?;
        match (origin.contiguous(), tb.contiguous()) {
            (Some(o), Some(d)) => d.copy_from(0, &o, 0, o.len()),
            _ => tb.unpack(&origin.pack()),
        }
        Ok(())
    }

    /// MPI_Get (and MPI_Rget): one copy from the target window into the origin buffer.
    pub fn rma_get(
        &self,
        h: i32,
        origin: &TypedBuf,
        spec: TargetSpec,
        call: &str,
    ) -> MpiResult<()> {
        let Some((w, t)) = self.access_target(h, spec.rank, call)? else {
            return Ok(());
        };
        if Self::is_remote(w, t) {
            let dt = self.datatype(spec.dt)?;
            let req = self.remote_req(w, t, super::rma_remote::Kind::Get, spec, &dt);
            let data = self.remote(w, t, req)?;
            if data.len() != origin.packed_len() {
                return Err(MpiError::new(
                    abi::MPI_ERR_TYPE,
                    format!(
                        "origin and target data differ in size ({} and {} bytes): their type signatures must match",
                        origin.packed_len(),
                        data.len()
                    ),
                ));
            }
            origin.unpack(&data);
            return Ok(());
        }
        let tb = self.target_buf(w, t, spec, self.datatype(spec.dt)?)?;
        same_size(origin, &tb)?;
        match (origin.contiguous(), tb.contiguous()) {
            (Some(o), Some(s)) => o.copy_from(0, &s, 0, s.len()),
            _ => origin.unpack(&tb.pack()),
        }
        Ok(())
    }

    /// MPI_Accumulate / MPI_Get_accumulate / MPI_Fetch_and_op (and request
    /// variants): under the target's accumulate lock, `result` receives the old
    /// contents and the target becomes `target op origin`.
    pub fn rma_accumulate(
        &self,
        h: i32,
        origin: Option<&TypedBuf>,
        result: Option<&TypedBuf>,
        spec: TargetSpec,
        op: i32,
        call: &str,
    ) -> MpiResult<()> {
        let Some((w, t)) = self.access_target(h, spec.rank, call)? else {
            return Ok(());
        };
        let tdt = self.datatype(spec.dt)?;
        let kind = Op::from_handle(op).ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_OP,
                format!("{call} takes only predefined operations (got {op:#x})"),
            )
        })?;
        let prim = match kind {
            Op::Replace | Op::NoOp => None,
            _ => Some(self.reduction(op, spec.dt)?.prim),
        };
        if Self::is_remote(w, t) {
            let mut req = self.remote_req(w, t, super::rma_remote::Kind::Accumulate, spec, &tdt);
            req.op = op;
            req.prim = prim;
            if kind != Op::NoOp {
                if let Some(o) = origin {
                    req.payload = o.pack();
                }
            }
            let old = self.remote(w, t, req)?;
            if let Some(r) = result {
                r.unpack(&old);
            }
            return Ok(());
        }
        let tb = self.target_buf(w, t, spec, tdt)?;
        let input = match origin {
            Some(o) if kind != Op::NoOp => {
                same_size(o, &tb)?;
                Some(o.pack())
            }
            _ => None,
        };
        // A fetch without an update (programs poll flags this way) reads one
        // element atomically instead of taking the lock its writers need.
        if let (None, Some(r)) = (&input, result) {
            if let Some(cur) = acc_fetch_unlocked(&tb) {
                r.unpack(&cur);
                return Ok(());
            }
        }
        let _atomic = w.shared.acc[t as usize].lock().expect("accumulate lock");
        let mut cur = acc_read(&tb);
        if let Some(r) = result {
            r.unpack(&cur);
        }
        if let Some(input) = input {
            match prim {
                Some(p) => op::apply(kind, p, &mut cur, &input)?,
                None => {
                    let n = cur.len();
                    cur.copy_from_slice(&input[..n]);
                }
            }
            acc_write(&tb, &cur);
        }
        Ok(())
    }

    /// MPI_Compare_and_swap: atomically, `result` = target; target = origin if
    /// target == compare.
    pub fn rma_compare_and_swap(
        &self,
        h: i32,
        origin: &TypedBuf,
        compare: &TypedBuf,
        result: &TypedBuf,
        spec: TargetSpec,
    ) -> MpiResult<()> {
        let Some((w, t)) = self.access_target(h, spec.rank, "MPI_Compare_and_swap")? else {
            return Ok(());
        };
        if Self::is_remote(w, t) {
            let dt = self.datatype(spec.dt)?;
            let mut req = self.remote_req(w, t, super::rma_remote::Kind::CompareAndSwap, spec, &dt);
            req.payload = origin.pack();
            req.compare = compare.pack();
            let old = self.remote(w, t, req)?;
            result.unpack(&old);
            return Ok(());
        }
        let tb = self.target_buf(w, t, spec, self.datatype(spec.dt)?)?;
        let _atomic = w.shared.acc[t as usize].lock().expect("accumulate lock");
        let cur = acc_read(&tb);
        result.unpack(&cur);
        if cur == compare.pack() {
            acc_write(&tb, &origin.pack());
        }
        Ok(())
    }

    /// Checks that a request-based operation is in a passive-target epoch.
    pub fn rma_check_passive(&self, h: i32, rank: i32, call: &str) -> MpiResult<()> {
        let w = self.win(h)?;
        match Self::target_rank(w, rank)? {
            Some(t) => Self::check_passive(w, t, call),
            None => Ok(()),
        }
    }

    /// MPI_Win_fence: a barrier (every operation has completed when its call
    /// returned); opens the next fence epoch unless MPI_MODE_NOSUCCEED.
    pub fn win_fence(&mut self, h: i32, assert: i32) -> MpiResult<()> {
        let w = self.win(h)?;
        if w.start_group.is_some()
            || w.post_pending.is_some()
            || !w.locks.is_empty()
            || w.lock_all.is_some()
        {
            return Err(rma_sync(
                "MPI_Win_fence while a PSCW or lock epoch is open on the window",
            ));
        }
        let cm = self.comm(w.comm)?;
        fence(Ordering::SeqCst);
        self.barrier(&cm)?;
        self.win_mut(h)?.fence_open = assert & MODE_NOSUCCEED == 0;
        Ok(())
    }

    /// Window ranks of the members of `group` (world ranks).
    fn group_ranks(&self, w: &Win, group: i32) -> MpiResult<Vec<u32>> {
        let g = self.group(group)?;
        let cm = self.comm(w.comm)?;
        g.iter()
            .map(|wr| {
                cm.group
                    .iter()
                    .position(|x| x == wr)
                    .map(|p| p as u32)
                    .ok_or_else(|| {
                        MpiError::new(
                            abi::MPI_ERR_GROUP,
                            format!("world rank {wr} of the group is not in the window"),
                        )
                    })
            })
            .collect()
    }

    /// MPI_Win_post: opens an exposure epoch for the origins in `group`.
    pub fn win_post(&mut self, h: i32, group: i32, _assert: i32) -> MpiResult<()> {
        let w = self.win(h)?;
        if w.post_pending.is_some() {
            return Err(rma_sync("MPI_Win_post while an exposure epoch is open"));
        }
        let origins = self.group_ranks(w, group)?;
        let cm = self.comm(w.comm)?;
        fence(Ordering::SeqCst);
        for &o in &origins {
            self.win_signal(&cm, o, TAG_POST)?;
        }
        self.win_mut(h)?.post_pending = Some(origins);
        Ok(())
    }

    /// MPI_Win_start: opens an access epoch to the targets in `group`, once each
    /// has posted.
    pub fn win_start(&mut self, h: i32, group: i32, assert: i32) -> MpiResult<()> {
        let w = self.win(h)?;
        if w.start_group.is_some() {
            return Err(rma_sync("MPI_Win_start while an access epoch is open"));
        }
        let targets = self.group_ranks(w, group)?;
        let cm = self.comm(w.comm)?;
        if assert & MODE_NOCHECK == 0 {
            for &t in &targets {
                self.win_await(&cm, t, TAG_POST)?;
            }
        }
        self.win_mut(h)?.start_group = Some(targets);
        Ok(())
    }

    /// MPI_Win_complete: ends the access epoch, telling each target.
    pub fn win_complete(&mut self, h: i32) -> MpiResult<()> {
        let w = self.win(h)?;
        let targets = w
            .start_group
            .clone()
            .ok_or_else(|| rma_sync("MPI_Win_complete without MPI_Win_start"))?;
        let cm = self.comm(w.comm)?;
        fence(Ordering::SeqCst);
        for &t in &targets {
            self.win_signal(&cm, t, TAG_COMPLETE)?;
        }
        self.win_mut(h)?.start_group = None;
        Ok(())
    }

    /// MPI_Win_wait (block) / MPI_Win_test: ends the exposure epoch once every
    /// origin has completed. Returns whether it ended.
    pub fn win_wait(&mut self, h: i32, block: bool) -> MpiResult<bool> {
        let w = self.win(h)?;
        let mut pending = w
            .post_pending
            .clone()
            .ok_or_else(|| rma_sync("MPI_Win_wait or MPI_Win_test without MPI_Win_post"))?;
        let cm = self.comm(w.comm)?;
        if block {
            for &o in &pending {
                self.win_await(&cm, o, TAG_COMPLETE)?;
            }
            pending.clear();
        } else {
            let mailbox = self.world.mailbox(self.me)?;
            let mut still = Vec::new();
            for &o in &pending {
                if mailbox.probe(cm.ctx, o as i32, TAG_COMPLETE).is_some() {
                    self.win_await(&cm, o, TAG_COMPLETE)?;
                } else {
                    still.push(o);
                }
            }
            pending = still;
        }
        fence(Ordering::SeqCst);
        let done = pending.is_empty();
        self.win_mut(h)?.post_pending = (!done).then_some(pending);
        Ok(done)
    }

    fn win_signal(&self, cm: &Comm, to: u32, tag: i32) -> MpiResult<()> {
        self.world.send(
            self.me,
            cm.group[to as usize],
            Envelope {
                ctx: cm.ctx,
                src: cm.rank as i32,
                tag,
                data: Data::Bytes(Vec::new()),
                sync: None,
            },
            true,
        )?;
        Ok(())
    }

    fn win_await(&self, cm: &Comm, from: u32, tag: i32) -> MpiResult<()> {
        let req = ReqState::new();
        self.world.mailbox(self.me)?.post(Posted {
            ctx: cm.ctx,
            src: from as i32,
            tag,
            target: Target::Host,
            req: req.clone(),
        });
        self.block_on(&req)
    }

    /// A lock request (TryLock / Unlock) for member `t` on another node.
    fn remote_lock(
        &self,
        w: &Win,
        t: u32,
        kind: super::rma_remote::Kind,
        exclusive: bool,
    ) -> MpiResult<Vec<u8>> {
        let spec = TargetSpec {
            rank: t as i32,
            disp: 0,
            count: 0,
            dt: abi::MPI_BYTE,
        };
        let mut req = self.remote_req(w, t, kind, spec, &*self.datatype(abi::MPI_BYTE)?);
        req.op = exclusive as i32;
        self.remote(w, t, req)
    }

    fn acquire(&self, w: &Win, t: u32, exclusive: bool) -> MpiResult<()> {
        if Self::is_remote(w, t) {
            // Retry a non-blocking acquire at the target's node.
            let mut wait = std::time::Duration::from_micros(20);
            loop {
                let kind = super::rma_remote::Kind::TryLock;
                if self.remote_lock(w, t, kind, exclusive)?.first() == Some(&1) {
                    break;
                }
                if self.world.is_stopped() {
                    return Err(MpiError::stopped());
                }
                std::thread::sleep(wait);
                wait = (wait * 2).min(std::time::Duration::from_millis(2));
            }
            fence(Ordering::SeqCst);
            return Ok(());
        }
        let shared = &w.shared;
        self.world.block_until(|| shared.try_lock(t, exclusive))?;
        fence(Ordering::SeqCst);
        Ok(())
    }

    fn release(&self, w: &Win, t: u32, exclusive: bool) -> MpiResult<()> {
        fence(Ordering::SeqCst);
        if Self::is_remote(w, t) {
            let kind = super::rma_remote::Kind::Unlock;
            return self.remote_lock(w, t, kind, exclusive).map(|_| ());
        }
        w.shared.unlock(t, exclusive);
        self.world.wake_all();
        Ok(())
    }

    /// MPI_Win_lock.
    pub fn win_lock(&mut self, h: i32, lock_type: i32, rank: i32, assert: i32) -> MpiResult<()> {
        let w = self.win(h)?;
        let Some(t) = Self::target_rank(w, rank)? else {
            return Ok(());
        };
        let exclusive = match lock_type {
            LOCK_EXCLUSIVE => true,
            LOCK_SHARED => false,
            _ => {
                return Err(MpiError::new(
                    abi::MPI_ERR_LOCKTYPE,
                    format!("invalid lock type {lock_type}"),
                ))
            }
        };
        if w.locks.contains_key(&t) || w.lock_all.is_some() {
            return Err(rma_sync(format!(
                "rank {t} of the window is already locked"
            )));
        }
        if w.start_group.is_some() {
            // Lock epochs may not overlap a PSCW access epoch.
            return Err(rma_sync(
                "MPI_Win_lock inside an MPI_Win_start access epoch",
            ));
        }
        let real = assert & MODE_NOCHECK == 0;
        if real {
            self.acquire(w, t, exclusive)?;
        }
        let w = self.win_mut(h)?;
        // A fence that may have opened an epoch is followed by no RMA call here.
        w.fence_open = false;
        w.locks.insert(t, (lock_type, real));
        Ok(())
    }

    /// MPI_Win_unlock.
    pub fn win_unlock(&mut self, h: i32, rank: i32) -> MpiResult<()> {
        let w = self.win(h)?;
        let Some(t) = Self::target_rank(w, rank)? else {
            return Ok(());
        };
        let &(ty, real) = w
            .locks
            .get(&t)
            .ok_or_else(|| rma_sync(format!("MPI_Win_unlock of rank {t}, which is not locked")))?;
        if real {
            self.release(w, t, ty == LOCK_EXCLUSIVE)?;
        }
        self.win_mut(h)?.locks.remove(&t);
        Ok(())
    }

    /// MPI_Win_lock_all: a shared lock on every member.
    pub fn win_lock_all(&mut self, h: i32, assert: i32) -> MpiResult<()> {
        let w = self.win(h)?;
        if w.lock_all.is_some() || !w.locks.is_empty() {
            return Err(rma_sync("MPI_Win_lock_all while a lock epoch is open"));
        }
        let real = assert & MODE_NOCHECK == 0;
        if real {
            for t in 0..w.shared.targets.len() as u32 {
                self.acquire(w, t, false)?;
            }
        }
        let w = self.win_mut(h)?;
        w.fence_open = false;
        w.lock_all = Some(real);
        Ok(())
    }

    /// MPI_Win_unlock_all.
    pub fn win_unlock_all(&mut self, h: i32) -> MpiResult<()> {
        let w = self.win(h)?;
        let real = w
            .lock_all
            .ok_or_else(|| rma_sync("MPI_Win_unlock_all without MPI_Win_lock_all"))?;
        if real {
            for t in 0..w.shared.targets.len() as u32 {
                self.release(w, t, false)?;
            }
        }
        self.win_mut(h)?.lock_all = None;
        Ok(())
    }

    /// MPI_Win_flush(_local)(_all): operations complete when issued, so this only
    /// checks the epoch and orders memory.
    pub fn win_flush(&self, h: i32, rank: Option<i32>, call: &str) -> MpiResult<()> {
        let w = self.win(h)?;
        match rank {
            Some(r) => {
                if let Some(t) = Self::target_rank(w, r)? {
                    Self::check_passive(w, t, call)?;
                }
            }
            None => {
                if w.lock_all.is_none() && w.locks.is_empty() {
                    return Err(rma_sync(format!("{call} outside a passive-target epoch")));
                }
            }
        }
        // Programs poll flags in windows with flushes: serve other nodes' requests.
        self.world.progress();
        fence(Ordering::SeqCst);
        Ok(())
    }

    /// MPI_Win_sync: a memory barrier between the private and public copies,
    /// which in the unified model is a fence.
    pub fn win_sync(&self, h: i32) -> MpiResult<()> {
        self.win(h)?;
        self.world.progress();
        fence(Ordering::SeqCst);
        Ok(())
    }
}

/// The target of an accumulate-family operation when it is one naturally
/// aligned element of 1, 2, 4 or 8 bytes: such a target is read and written
/// with single atomic loads and stores ([`acc_read`], [`acc_write`]), so an
/// MPI_NO_OP fetch can read it without the accumulate lock and still never
/// see half an update.
fn atomic_slot(tb: &TypedBuf) -> Option<(*mut u8, usize)> {
    let s = tb.contiguous()?;
    let (ptr, len) = (s.as_ptr(), s.len());
    (matches!(len, 1 | 2 | 4 | 8) && (ptr as usize).is_multiple_of(len)).then_some((ptr, len))
}

/// An MPI_NO_OP fetch of an accumulate target that is one atomic element (see
/// [`atomic_slot`]): read without the accumulate lock. None for other targets,
/// which are read under the lock.
pub(super) fn acc_fetch_unlocked(tb: &TypedBuf) -> Option<Vec<u8>> {
    atomic_slot(tb).map(|_| acc_read(tb))
}

/// Reads an accumulate target (see [`atomic_slot`]).
pub(super) fn acc_read(tb: &TypedBuf) -> Vec<u8> {
    use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicU8};
    let Some((ptr, len)) = atomic_slot(tb) else {
        return tb.pack();
    };
    // SAFETY: `ptr` is a live, naturally aligned element of `len` bytes in a
    // linear memory that outlives the call (see GuestMem); atomics of the same
    // size may alias plain memory.
    unsafe {
        match len {
            1 => (*ptr.cast::<AtomicU8>())
                .load(Ordering::SeqCst)
                .to_ne_bytes()
                .to_vec(),
            2 => (*ptr.cast::<AtomicU16>())
                .load(Ordering::SeqCst)
                .to_ne_bytes()
                .to_vec(),
            4 => (*ptr.cast::<AtomicU32>())
                .load(Ordering::SeqCst)
                .to_ne_bytes()
                .to_vec(),
            _ => (*ptr.cast::<AtomicU64>())
                .load(Ordering::SeqCst)
                .to_ne_bytes()
                .to_vec(),
        }
    }
}

/// Writes an accumulate target, under its accumulate lock (see [`atomic_slot`]).
pub(super) fn acc_write(tb: &TypedBuf, bytes: &[u8]) {
    use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicU8};
    let Some((ptr, len)) = atomic_slot(tb).filter(|(_, len)| bytes.len() == *len) else {
        return tb.unpack(bytes);
    };
    // SAFETY: as in `acc_read`; `bytes` holds exactly `len` bytes.
    unsafe {
        match len {
            1 => (*ptr.cast::<AtomicU8>()).store(bytes[0], Ordering::SeqCst),
            2 => (*ptr.cast::<AtomicU16>()).store(
                u16::from_ne_bytes(bytes.try_into().expect("2 bytes")),
                Ordering::SeqCst,
            ),
            4 => (*ptr.cast::<AtomicU32>()).store(
                u32::from_ne_bytes(bytes.try_into().expect("4 bytes")),
                Ordering::SeqCst,
            ),
            _ => (*ptr.cast::<AtomicU64>()).store(
                u64::from_ne_bytes(bytes.try_into().expect("8 bytes")),
                Ordering::SeqCst,
            ),
        }
    }
}

fn check_disp_unit(disp_unit: i32) -> MpiResult<()> {
    if disp_unit <= 0 {
        return Err(MpiError::new(
            abi::MPI_ERR_DISP,
            format!("invalid displacement unit {disp_unit}"),
        ));
    }
    Ok(())
}

fn same_size(origin: &TypedBuf, target: &TypedBuf) -> MpiResult<()> {
    if origin.packed_len() != target.packed_len() {
        return Err(MpiError::new(
            abi::MPI_ERR_TYPE,
            format!(
                "origin and target data differ in size ({} and {} bytes): their type signatures must match",
                origin.packed_len(),
                target.packed_len()
            ),
        ));
    }
    Ok(())
}

/// Puts private zero pages back where a shared segment was mapped (before the
/// guest frees the block).
fn unmap_shared(r: &MpiRank, shm: &ShmMap) -> MpiResult<()> {
    if shm.len == 0 {
        return Ok(());
    }
    let host = r.world.mem_base(r.me)? + shm.at as usize;
    // SAFETY: this is exactly the range win_shared_map mapped, inside the rank's
    // linear memory; it becomes ordinary private memory again.
    let p = unsafe {
        libc::mmap(
            host as *mut libc::c_void,
            shm.len as usize,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(MpiError::new(
            abi::MPI_ERR_INTERN,
            format!(
                "unmapping the shared window: {}",
                std::io::Error::last_os_error()
            ),
        ));
    }
    Ok(())
}

/// A completed request for the request-based RMA calls.
pub fn completed_request() -> super::rank::Request {
    super::rank::Request::new(ReqState::completed(Status::default()), None, false)
}
