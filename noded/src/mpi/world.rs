//! A job's shared MPI state on one node: the mailboxes of its local ranks and the
//! job-wide stop switch that every blocking MPI call watches.

use super::error::{MpiError, MpiResult};
use super::transport::Envelope;
use super::transport::Mailbox;
use super::win::{WinKey, WinShared};
use crate::peer::{RemoteLink, Wire};
use std::collections::HashMap;
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// How a job ends on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobEnd {
    /// Every local rank exited 0 after MPI_Finalize (or never used MPI).
    Completed,
    /// A rank failed.
    Failed,
    /// Cancelled by the user.
    Cancelled,
    /// Time limit reached.
    Timeout,
    /// A rank exceeded its memory limit.
    OutOfMemory,
    /// A node of the job died.
    NodeFail,
}

/// Why the job was stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopReason {
    /// The state the job ends in.
    pub end: JobEnd,
    /// Human-readable cause.
    pub reason: String,
}

/// MPI state shared by all local ranks of one job.
pub struct World {
    /// Job id.
    pub job_id: u64,
    /// Number of ranks in MPI_COMM_WORLD.
    pub size: u32,
    /// This node's name (MPI_Get_processor_name).
    pub node: String,
    boxes: Vec<Option<Mailbox>>,
    stopped: AtomicBool,
    stop: Mutex<Option<StopReason>>,
    /// Base addresses of the local ranks' loop-probe pages (aotc::probe), revoked
    /// when the job stops. Cleared before the ranks' stores are dropped.
    probes: Mutex<Vec<usize>>,
    /// Host base address of each local rank's linear memory (0 until known).
    mem_bases: Mutex<Vec<usize>>,
    /// True until the local ranks' linear memories are freed (see
    /// [`World::memories`]).
    memories: std::sync::RwLock<bool>,
    /// RMA windows of the job on this node, by their internal context id.
    windows: Mutex<HashMap<WinKey, Arc<WinShared>>>,
    /// memfd segments of shared windows being created, by context id.
    shm: Mutex<HashMap<WinKey, Arc<OwnedFd>>>,
    /// Routes to the job's ranks on other nodes (None: all ranks are here).
    link: Option<Arc<RemoteLink>>,
    /// Time origin of MPI_Wtime.
    pub epoch: Instant,
}

impl World {
    /// A world of `size` ranks of which `local` run on this node.
    pub fn new(
        job_id: u64,
        size: u32,
        local: &[u32],
        node: &str,
        link: Option<Arc<RemoteLink>>,
    ) -> World {
        let boxes = (0..size)
            .map(|r| local.contains(&r).then(Mailbox::default))
            .collect();
        World {
            job_id,
            size,
            node: node.to_string(),
            boxes,
            stopped: AtomicBool::new(false),
            stop: Mutex::new(None),
            probes: Mutex::new(Vec::new()),
            mem_bases: Mutex::new(vec![0; size as usize]),
            memories: std::sync::RwLock::new(true),
            windows: Mutex::new(HashMap::new()),
            shm: Mutex::new(HashMap::new()),
            link,
            epoch: Instant::now(),
        }
    }

    /// The mailbox of a world rank.
    pub fn mailbox(&self, world_rank: u32) -> MpiResult<&Mailbox> {
        match self.boxes.get(world_rank as usize) {
            Some(Some(b)) => Ok(b),
            Some(None) => Err(MpiError::new(
                super::abi::MPI_ERR_RANK,
                format!("rank {world_rank} runs on another node, which this node cannot reach"),
            )),
            None => Err(MpiError::new(
                super::abi::MPI_ERR_RANK,
                format!("rank {world_rank} does not exist"),
            )),
        }
    }

    /// Whether the job is being torn down.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    /// Stops the job: the first reason wins; every blocked rank wakes and unwinds,
    /// computing ranks trap at their next loop header (their probe page is revoked).
    pub fn stop(&self, end: JobEnd, reason: impl Into<String>) {
        {
            let mut s = self.stop.lock().expect("stop lock");
            if s.is_none() {
                *s = Some(StopReason {
                    end,
                    reason: reason.into(),
                });
            }
        }
        self.stopped.store(true, Ordering::Release);
        for b in self.boxes.iter().flatten() {
            b.wake();
        }
        for &base in self.probes.lock().expect("probes lock").iter() {
            revoke(base);
        }
    }

    /// Registers a local rank's probe page (the base of its `aotc::probe` memory);
    /// if the job is already stopping, revokes it at once.
    ///
    /// # Safety
    /// `base` must be the start of a probe memory of [`aotc::probe::PROBE_BYTES`]
    /// bytes that stays mapped until [`World::forget_probes`] is called.
    pub unsafe fn add_probe(&self, base: *mut u8) {
        let mut probes = self.probes.lock().expect("probes lock");
        probes.push(base as usize);
        if self.is_stopped() {
            revoke(base as usize);
        }
    }

    /// Whether world rank `rank` runs on this node.
    pub fn is_local(&self, rank: u32) -> bool {
        matches!(self.boxes.get(rank as usize), Some(Some(_)))
    }

    /// How many of the job's ranks run on this node.
    pub fn local_ranks(&self) -> usize {
        self.boxes.iter().filter(|b| b.is_some()).count()
    }

    /// Whether some of the job's ranks run on other nodes.
    pub fn spans_nodes(&self) -> bool {
        self.link.is_some()
    }

    /// Which of the job's nodes runs world rank `rank` (0 for single-node jobs).
    pub fn node_index(&self, rank: u32) -> usize {
        self.link.as_ref().map_or(0, |l| l.node_index(rank))
    }

    /// Checks that world rank `rank` can be sent to (here or on a linked node).
    pub fn check_rank(&self, rank: u32) -> MpiResult<()> {
        match self.boxes.get(rank as usize) {
            Some(Some(_)) => Ok(()),
            Some(None) if self.link.is_some() => Ok(()),
            _ => self.mailbox(rank).map(|_| ()),
        }
    }

    /// Delivers a message from local world rank `from` to world rank `to`, on this
    /// node or through the peer link.
    pub fn send(&self, from: u32, to: u32, env: Envelope, eager: bool) -> MpiResult<()> {
        match (self.boxes.get(to as usize), &self.link) {
            (Some(Some(b)), _) => {
                b.deliver(env, eager);
                Ok(())
            }
            (Some(None), Some(link)) => link.send(from, to, env, eager),
            _ => self.mailbox(to).map(|_| ()),
        }
    }

    /// Takes a message from another node into its destination's mailbox, or
    /// serves a one-sided request on a local rank's window and replies.
    pub fn receive_remote(&self, w: Wire) {
        let Some(link) = &self.link else { return };
        if w.rma {
            let served = match self.memories() {
                Some(_alive) => super::rma_remote::serve(self, &w.data),
                None => Err(MpiError::new(
                    super::abi::MPI_ERR_WIN,
                    "the target's ranks have ended",
                )),
            };
            let reply = super::rma_remote::encode_reply(served);
            link.reply(w.dst, w.src_world, w.sync_id, reply);
            return;
        }
        if let Some((dst, env)) = link.receive(w) {
            if let Some(Some(b)) = self.boxes.get(dst as usize) {
                b.deliver(env, true);
            }
        }
    }

    /// For a message from another node whose payload has not been read yet (its
    /// first piece, `len` bytes in all): the receive waiting for it, if its bytes
    /// can go straight into the receiver's memory (a receive that wants them in
    /// guest memory and has room). Call with [`World::memories`] held.
    pub fn claim_direct(
        &self,
        w: &Wire,
        len: usize,
    ) -> Option<(super::transport::Posted, super::abi::GuestSlice)> {
        self.link.as_ref()?;
        if w.rma || w.ack_for != 0 {
            return None;
        }
        let mailbox = self.boxes.get(w.dst as usize)?.as_ref()?;
        mailbox.claim_direct(w.ctx, w.src, w.tag, len)
    }

    /// Completes a receive taken with [`World::claim_direct`] once filled (and
    /// acknowledges a synchronous send).
    pub fn complete_direct(&self, p: super::transport::Posted, w: &Wire, len: usize) {
        let sync = self.link.as_ref().and_then(|l| l.sync_for(w));
        super::transport::complete_direct(p, w.src, w.tag, len, sync);
    }

    /// Permission to write into the local ranks' linear memories from another
    /// thread (a message or one-sided request from another node), held while
    /// writing; None once they are about to be freed.
    pub fn memories(&self) -> Option<std::sync::RwLockReadGuard<'_, bool>> {
        let alive = self.memories.read().expect("memories lock");
        alive.then_some(alive)
    }

    /// Called before the local ranks' stores are dropped: waits for writers
    /// from other threads to finish and lets no new one start.
    pub fn retire_memories(&self) {
        *self.memories.write().expect("memories lock") = false;
    }

    /// Records where a local rank's linear memory is mapped (for RMA).
    pub fn set_mem_base(&self, rank: u32, base: *mut u8) {
        if let Some(b) = self
            .mem_bases
            .lock()
            .expect("mem lock")
            .get_mut(rank as usize)
        {
            *b = base as usize;
        }
    }

    /// The host address of world rank `rank`'s linear memory.
    pub fn mem_base(&self, rank: u32) -> MpiResult<usize> {
        match self.mem_bases.lock().expect("mem lock").get(rank as usize) {
            Some(&b) if b != 0 => Ok(b),
            _ => Err(MpiError::new(
                super::abi::MPI_ERR_RANK,
                format!(
                    "rank {rank} runs on another node: windows across nodes are not supported yet"
                ),
            )),
        }
    }

    /// The shared state of window `id`, created by the first member to arrive.
    pub fn window(&self, id: WinKey, make: impl FnOnce() -> WinShared) -> Arc<WinShared> {
        self.windows
            .lock()
            .expect("windows lock")
            .entry(id)
            .or_insert_with(|| Arc::new(make()))
            .clone()
    }

    /// The node's shared state of window `id`, if it exists here.
    pub fn window_for(&self, id: WinKey) -> Option<Arc<WinShared>> {
        self.windows.lock().expect("windows lock").get(&id).cloned()
    }

    /// Blocks a local rank until `ready()` or the job stops. A rank of a job that
    /// spans nodes reads the connections from other nodes while it waits.
    pub fn block_until(&self, ready: impl FnMut() -> bool) -> MpiResult<()> {
        match &self.link {
            Some(link) => link.block_until(ready, || self.is_stopped()),
            None => super::transport::block_until(ready, || self.is_stopped()),
        }
    }

    /// What `look` finds. Blocking, waits until it finds something; otherwise
    /// looks now and, finding nothing, once more after [`World::progress`] (the
    /// polling calls: MPI_Test*, MPI_Iprobe, MPI_Improbe, MPI_Request_get_status).
    pub fn find<T>(
        &self,
        block: bool,
        mut look: impl FnMut() -> Option<T>,
    ) -> MpiResult<Option<T>> {
        if !block {
            return Ok(look().or_else(|| {
                self.progress();
                look()
            }));
        }
        let mut found = None;
        self.block_until(|| {
            found = look();
            found.is_some()
        })?;
        Ok(found)
    }

    /// Progress for an MPI call that only looks (MPI_Test, MPI_Iprobe, window
    /// flushes): a rank of a job that spans nodes reads what the connections from
    /// other nodes have now.
    pub fn progress(&self) {
        if let Some(link) = &self.link {
            link.progress(|| self.is_stopped());
        }
        // A rank that polls in a loop while ranks outnumber CPUs gives its CPU
        // to the rank it waits for (as OpenMPI's yield_when_idle, which mpirun
        // turns on when oversubscribed). Only a loop: a few polls between
        // stretches of work (a flush after each put) keep their CPU.
        if super::transport::oversubscribed() && polling_streak() >= POLL_STREAK {
            std::thread::yield_now();
        }
    }

    /// Sends a one-sided request from local rank `from` to rank `to` on another
    /// node and waits for the reply.
    pub fn rma_request(&self, from: u32, to: u32, req: Vec<u8>) -> MpiResult<Vec<u8>> {
        let link = self.link.as_ref().ok_or_else(|| {
            MpiError::new(
                super::abi::MPI_ERR_RANK,
                format!("rank {to} is not on this node and the job has no peer link"),
            )
        })?;
        link.request(from, to, req, || self.is_stopped())
    }

    /// Forgets window `id` (MPI_Win_free, once every member is done with it).
    pub fn drop_window(&self, id: WinKey) {
        self.windows.lock().expect("windows lock").remove(&id);
    }

    /// The memfd of shared window `id` (`len` bytes), created by the first member.
    pub fn shm_segment(&self, id: WinKey, len: u32) -> MpiResult<Arc<OwnedFd>> {
        let mut shm = self.shm.lock().expect("shm lock");
        if let Some(fd) = shm.get(&id) {
            return Ok(fd.clone());
        }
        let fd = memfd(len).map_err(|e| {
            MpiError::new(
                super::abi::MPI_ERR_NO_MEM,
                format!("cannot create a shared segment of {len} bytes: {e}"),
            )
        })?;
        let fd = Arc::new(fd);
        shm.insert(id, fd.clone());
        Ok(fd)
    }

    /// Drops the node's reference to shared window `id`'s memfd (the mappings
    /// keep the memory).
    pub fn forget_shm_segment(&self, id: WinKey) {
        self.shm.lock().expect("shm lock").remove(&id);
    }

    /// Wakes every local rank (they re-check what they wait for).
    pub fn wake_all(&self) {
        for b in self.boxes.iter().flatten() {
            b.wake();
        }
    }

    /// Forgets every probe page: called before the ranks' stores are dropped, so
    /// a late stop never touches memory that is no longer theirs.
    pub fn forget_probes(&self) {
        self.probes.lock().expect("probes lock").clear();
    }

    /// Why the job was stopped, if it was.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.stop.lock().expect("stop lock").clone()
    }
}

/// Makes a probe page inaccessible: the rank's next loop header faults, which
/// wasmtime reports as a trap.
fn revoke(base: usize) {
    // SAFETY: `base` is a registered probe memory (see `World::add_probe`), which
    // only the probes' loads use; nothing else is at that address.
    let r = unsafe {
        libc::mprotect(
            base as *mut libc::c_void,
            aotc::probe::PROBE_BYTES,
            libc::PROT_NONE,
        )
    };
    if r != 0 {
        log::error!(
            "mprotect of a loop-probe page failed: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// An anonymous shared-memory file of `len` bytes.
fn memfd(len: u32) -> std::io::Result<OwnedFd> {
    // SAFETY: memfd_create with a static NUL-terminated name; the returned fd is
    // owned by the OwnedFd from then on.
    let fd = unsafe { libc::memfd_create(c"fbatch-shared-window".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` was just created and is not owned elsewhere.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: ftruncate on a valid fd we own.
    if unsafe { libc::ftruncate(std::os::fd::AsRawFd::as_raw_fd(&fd), i64::from(len)) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(fd)
}

/// Polls in a row (each within [`POLL_GAP`] of the last) after which a rank of
/// an oversubscribed node yields its CPU at every further poll.
const POLL_STREAK: u32 = 8;
const POLL_GAP: std::time::Duration = std::time::Duration::from_micros(2);

/// How many polling MPI calls the calling rank has made in a row, each soon
/// after the last.
fn polling_streak() -> u32 {
    use std::cell::Cell;
    use std::time::Instant;
    thread_local! {
        static LAST: Cell<Option<(Instant, u32)>> = const { Cell::new(None) };
    }
    let now = Instant::now();
    LAST.with(|last| {
        let streak = match last.get() {
            Some((at, n)) if now.duration_since(at) <= POLL_GAP => n + 1,
            _ => 0,
        };
        last.set(Some((now, streak)));
        streak
    })
}
