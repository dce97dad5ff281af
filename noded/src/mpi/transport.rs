//! Message transport between ranks: per-rank mailboxes with MPI matching.
//!
//! A rank's [`Mailbox`] holds messages that arrived before a matching receive was
//! posted (`unexpected`) and receives posted before their message arrived
//! (`posted`), both in arrival order, so the first match is the earliest one and
//! MPI's non-overtaking rule holds per (communicator, source, tag). A sender that
//! finds a posted receive copies straight into the receiver's buffer; a large
//! message without a posted receive is left as a reference to the sender's
//! buffer (rendezvous) and the receiver copies it: either way one copy.

use super::abi::{self, GuestSlice, Status};
use super::error::{MpiError, MpiResult};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::Thread;
use std::time::Duration;

/// Messages up to this size are copied into a host buffer when no receive is
/// posted, so the sender returns at once (like OpenMPI's eager protocol).
pub const EAGER_LIMIT: usize = 64 * 1024;

/// The completion state of one send or receive, shared between its owner and the
/// rank that completes it.
pub struct ReqState {
    done: AtomicBool,
    status: Mutex<Status>,
    data: Mutex<Option<Vec<u8>>>,
    owner: Thread,
    /// Runs once on completion (a synchronous send from another node: the ack).
    /// Fixed at construction, so requests without one never take its lock.
    hook: Option<Mutex<Option<Hook>>>,
}

thread_local! {
    /// The calling thread's completed send request (see [`ReqState::sent`]).
    static SENT: Arc<ReqState> = ReqState::completed(Status::default());
    /// The calling thread's recycled request (see [`ReqState::recycle`]).
    static SPARE: std::cell::RefCell<Option<Arc<ReqState>>> = const { std::cell::RefCell::new(None) };
}

/// What a request runs once on completion.
type Hook = Box<dyn FnOnce() + Send>;

impl ReqState {
    fn build(hook: Option<Hook>) -> Arc<ReqState> {
        Arc::new(ReqState {
            done: AtomicBool::new(false),
            status: Mutex::new(Status::default()),
            data: Mutex::new(None),
            owner: std::thread::current(),
            hook: hook.map(|h| Mutex::new(Some(h))),
        })
    }

    /// A pending request owned by the calling thread: the thread's last
    /// recycled one if nothing else holds it any more, else a new one.
    pub fn new() -> Arc<ReqState> {
        if let Some(mut r) = SPARE.with(|s| s.borrow_mut().take()) {
            if let Some(m) = Arc::get_mut(&mut r) {
                *m.done.get_mut() = false;
                *m.status.get_mut().expect("status lock") = Status::default();
                *m.data.get_mut().expect("data lock") = None;
                return r;
            }
        }
        ReqState::build(None)
    }

    /// Keeps a finished request of this thread for its next [`ReqState::new`].
    /// The rank that completed it may still hold it for a moment; keeping it
    /// here makes the owner, not that rank, free it (a free from another thread
    /// takes the owner's allocator lock, which the owner contends for).
    pub fn recycle(r: Arc<ReqState>) {
        let shared = SENT.with(|s| Arc::ptr_eq(s, &r));
        if !shared && r.hook.is_none() && r.owner.id() == std::thread::current().id() {
            SPARE.with(|s| *s.borrow_mut() = Some(r));
        }
    }

    /// A pending request whose completion runs `hook` (instead of waking a
    /// thread that waits for it).
    pub fn with_hook(hook: impl FnOnce() + Send + 'static) -> Arc<ReqState> {
        ReqState::build(Some(Box::new(hook)))
    }

    /// The request of a send that completed as it was started (an eager send
    /// to a rank of this node): one shared per thread, as nothing changes it.
    pub fn sent() -> Arc<ReqState> {
        SENT.with(Arc::clone)
    }

    /// An already-complete request (eager sends, MPI_PROC_NULL).
    pub fn completed(status: Status) -> Arc<ReqState> {
        let r = ReqState::new();
        *r.status.lock().expect("status lock") = status;
        r.done.store(true, Ordering::Release);
        r
    }

    /// Whether the operation finished.
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// The final status (meaningful once done).
    pub fn status(&self) -> Status {
        *self.status.lock().expect("status lock")
    }

    /// Stores bytes for the owner to take (before completing the request).
    pub fn set_data(&self, data: Vec<u8>) {
        *self.data.lock().expect("data lock") = Some(data);
    }

    /// Takes the bytes of a completed host-buffer receive.
    pub fn take_data(&self) -> Vec<u8> {
        self.data
            .lock()
            .expect("data lock")
            .take()
            .unwrap_or_default()
    }

    /// Completes the request with `status` and wakes its owner.
    pub fn complete(&self, status: Status) {
        *self.status.lock().expect("status lock") = status;
        self.done.store(true, Ordering::Release);
        self.owner.unpark();
        if let Some(hook) = &self.hook {
            let hook = hook.lock().expect("hook lock").take();
            if let Some(h) = hook {
                h();
            }
        }
    }

    /// Marks a request cancelled and complete.
    pub fn cancel(&self) {
        self.complete(Status {
            cancelled: true,
            ..Status::default()
        });
    }
}

/// A message's bytes: a host copy, or the sender's own buffer.
pub enum Data {
    /// Copied (eager, packed, or produced by a collective).
    Bytes(Vec<u8>),
    /// The sender's buffer; `done` completes the sender's request once copied.
    Guest {
        /// Contiguous bytes in the sender's linear memory.
        slice: GuestSlice,
        /// The sender's request.
        done: Arc<ReqState>,
    },
    /// The sender's buffer for the length of the call that delivers it (an
    /// eager send: copied into the receive or a host buffer, or written to the
    /// socket, before that call returns), so the send needs no request.
    Borrowed(GuestSlice),
}

impl Data {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Data::Bytes(b) => b.len(),
            Data::Guest { slice, .. } | Data::Borrowed(slice) => slice.len(),
        }
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A message in flight.
pub struct Envelope {
    /// Context id of the communicator (collectives use a separate one).
    pub ctx: u32,
    /// Sender's rank in the communicator.
    pub src: i32,
    /// Tag.
    pub tag: i32,
    /// Payload.
    pub data: Data,
    /// Synchronous send: completed when the message is matched.
    pub sync: Option<Arc<ReqState>>,
}

/// Where a matched message goes.
pub enum Target {
    /// Straight into the receiver's buffer (capacity = slice length).
    Guest(GuestSlice),
    /// Into the request's host buffer (collectives, derived datatypes).
    Host,
}

/// A posted receive.
pub struct Posted {
    /// Context id.
    pub ctx: u32,
    /// Source rank or `MPI_ANY_SOURCE`.
    pub src: i32,
    /// Tag or `MPI_ANY_TAG`.
    pub tag: i32,
    /// Destination.
    pub target: Target,
    /// Completed on match.
    pub req: Arc<ReqState>,
}

fn matches(ctx: u32, src: i32, tag: i32, e: &Envelope) -> bool {
    ctx == e.ctx
        && (src == abi::MPI_ANY_SOURCE || src == e.src)
        && (tag == abi::MPI_ANY_TAG || tag == e.tag)
}

#[derive(Default)]
struct Inbox {
    unexpected: VecDeque<Envelope>,
    posted: VecDeque<Posted>,
}

/// One local rank's incoming-message queues.
#[derive(Default)]
pub struct Mailbox {
    inbox: Mutex<Inbox>,
    thread: OnceLock<Thread>,
}

impl Mailbox {
    /// Records the rank's thread, to wake it when something arrives.
    pub fn set_owner(&self, t: Thread) {
        let _ = self.thread.set(t);
    }

    /// Wakes the owning rank (it re-checks what it waits for).
    pub fn wake(&self) {
        if let Some(t) = self.thread.get() {
            t.unpark();
        }
    }

    /// Delivers a message: completes the earliest matching posted receive (copying
    /// straight from the sender's buffer), or queues it. With `eager`, an unmatched
    /// message referencing the sender's buffer is copied into a host buffer first
    /// and the send completes at once.
    pub fn deliver(&self, mut env: Envelope, eager: bool) {
        let mut inbox = self.inbox.lock().expect("inbox lock");
        let found = inbox
            .posted
            .iter()
            .position(|p| matches(p.ctx, p.src, p.tag, &env));
        match found {
            Some(i) => {
                let posted = inbox.posted.remove(i).expect("index valid");
                drop(inbox);
                complete_match(posted, env);
            }
            None => {
                match &env.data {
                    Data::Guest { slice, done } if eager => {
                        let bytes = slice.to_vec();
                        done.complete(Status::default());
                        env.data = Data::Bytes(bytes);
                    }
                    Data::Borrowed(slice) => env.data = Data::Bytes(slice.to_vec()),
                    _ => {}
                }
                inbox.unexpected.push_back(env);
                drop(inbox);
                self.wake();
            }
        }
    }

    /// For a message of `len` bytes from (`ctx`, `src`, `tag`) whose payload has
    /// not been read yet: takes the receive it matches (the first posted one that
    /// matches, exactly as [`Mailbox::deliver`] would choose) if that receive wants
    /// the bytes straight in guest memory and has room for them. The caller fills
    /// the returned buffer and completes the receive with [`complete_direct`].
    pub fn claim_direct(
        &self,
        ctx: u32,
        src: i32,
        tag: i32,
        len: usize,
    ) -> Option<(Posted, GuestSlice)> {
        let mut inbox = self.inbox.lock().expect("inbox lock");
        let i = inbox.posted.iter().position(|p| {
            ctx == p.ctx
                && (p.src == abi::MPI_ANY_SOURCE || p.src == src)
                && (p.tag == abi::MPI_ANY_TAG || p.tag == tag)
        })?;
        let dst = match inbox.posted[i].target {
            Target::Guest(dst) if dst.len() >= len => dst,
            _ => return None,
        };
        let posted = inbox.posted.remove(i)?;
        Some((posted, dst))
    }

    /// Posts a receive: matches the earliest queued message, or waits in `posted`.
    pub fn post(&self, p: Posted) {
        let mut inbox = self.inbox.lock().expect("inbox lock");
        let found = inbox
            .unexpected
            .iter()
            .position(|e| matches(p.ctx, p.src, p.tag, e));
        match found {
            Some(i) => {
                let env = inbox.unexpected.remove(i).expect("index valid");
                drop(inbox);
                complete_match(p, env);
            }
            None => inbox.posted.push_back(p),
        }
    }

    /// The status a receive of (ctx, src, tag) would get now, without receiving.
    pub fn probe(&self, ctx: u32, src: i32, tag: i32) -> Option<Status> {
        let inbox = self.inbox.lock().expect("inbox lock");
        inbox
            .unexpected
            .iter()
            .find(|e| matches(ctx, src, tag, e))
            .map(|e| Status {
                source: e.src,
                tag: e.tag,
                error: 0,
                cancelled: false,
                count: e.data.len() as u64,
            })
    }

    /// Removes and returns the first queued message matching (ctx, src, tag)
    /// (MPI_Mprobe): from then on only MPI_Mrecv can receive it.
    pub fn take(&self, ctx: u32, src: i32, tag: i32) -> Option<Envelope> {
        let mut inbox = self.inbox.lock().expect("inbox lock");
        let i = inbox
            .unexpected
            .iter()
            .position(|e| matches(ctx, src, tag, e))?;
        inbox.unexpected.remove(i)
    }

    /// Withdraws a posted receive that has not matched yet; true if it was withdrawn.
    pub fn cancel_posted(&self, req: &Arc<ReqState>) -> bool {
        let mut inbox = self.inbox.lock().expect("inbox lock");
        match inbox.posted.iter().position(|p| Arc::ptr_eq(&p.req, req)) {
            Some(i) => {
                inbox.posted.remove(i);
                drop(inbox);
                req.cancel();
                true
            }
            None => false,
        }
    }
}

/// The status a matched message would give its receive.
pub fn envelope_status(e: &Envelope) -> Status {
    Status {
        source: e.src,
        tag: e.tag,
        error: 0,
        cancelled: false,
        count: e.data.len() as u64,
    }
}

/// Completes a receive with a message taken by MPI_Mprobe.
pub fn receive_taken(p: Posted, env: Envelope) {
    complete_match(p, env);
}

/// Copies a matched message into its receive and completes both sides.
fn complete_match(p: Posted, env: Envelope) {
    let Envelope {
        src,
        tag,
        data,
        sync,
        ..
    } = env;
    let n = data.len();
    let (count, error, sender) = match (p.target, data) {
        (Target::Guest(dst), data) => {
            let k = n.min(dst.len());
            let sender = match data {
                Data::Bytes(b) => {
                    dst.write_from(0, &b[..k]);
                    None
                }
                Data::Guest { slice, done } => {
                    dst.copy_from(0, &slice, 0, k);
                    Some(done)
                }
                Data::Borrowed(slice) => {
                    dst.copy_from(0, &slice, 0, k);
                    None
                }
            };
            let error = if n > dst.len() {
                abi::MPI_ERR_TRUNCATE
            } else {
                abi::MPI_SUCCESS
            };
            (k, error, sender)
        }
        (Target::Host, Data::Bytes(b)) => {
            *p.req.data.lock().expect("data lock") = Some(b);
            (n, abi::MPI_SUCCESS, None)
        }
        (Target::Host, Data::Guest { slice, done }) => {
            *p.req.data.lock().expect("data lock") = Some(slice.to_vec());
            (n, abi::MPI_SUCCESS, Some(done))
        }
        (Target::Host, Data::Borrowed(slice)) => {
            *p.req.data.lock().expect("data lock") = Some(slice.to_vec());
            (n, abi::MPI_SUCCESS, None)
        }
    };
    finish(p.req, src, tag, count, error, sender, sync);
}

/// Completes a receive taken with [`Mailbox::claim_direct`] once its `len` bytes
/// are in place; `sync` is a synchronous sender's acknowledgement.
pub fn complete_direct(p: Posted, src: i32, tag: i32, len: usize, sync: Option<Arc<ReqState>>) {
    finish(p.req, src, tag, len, abi::MPI_SUCCESS, None, sync);
}

fn finish(
    recv: Arc<ReqState>,
    src: i32,
    tag: i32,
    count: usize,
    error: i32,
    sender: Option<Arc<ReqState>>,
    sync: Option<Arc<ReqState>>,
) {
    for s in [sender, sync].into_iter().flatten() {
        s.complete(Status::default());
    }
    recv.complete(Status {
        source: src,
        tag,
        error,
        cancelled: false,
        count: count as u64,
    });
}

/// Rank threads running on this node (all jobs).
static RUNNING_RANKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Counts a rank thread as running while it lives, and keeps it on one CPU.
pub struct RankRunning {
    cpu: Option<usize>,
}

/// Rank threads pinned to each CPU this process may use.
static PINNED: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());

impl RankRunning {
    /// Counts the calling rank thread until the value is dropped. The thread
    /// of a job that runs on this node only (`local_ranks`: Some(its ranks
    /// here)) is pinned to the allowed CPU with the fewest rank threads while
    /// rank threads do not outnumber CPUs: ranks that wake each other would
    /// otherwise be pulled onto the waker's CPU by the scheduler (wake-affine)
    /// and share one core while another idles. Oversubscribed ranks float, so
    /// the scheduler can balance the waits of some against the work of others;
    /// so do ranks of jobs that span nodes, whose waits are on sockets.
    pub fn start(local_ranks: Option<usize>) -> RankRunning {
        let running = RUNNING_RANKS.fetch_add(1, Ordering::Relaxed) + 1;
        let Some(job_ranks) = local_ranks else {
            return RankRunning { cpu: None };
        };
        let mut pinned = PINNED.lock().expect("pinned lock");
        if pinned.is_empty() {
            pinned.extend(node_cpus().iter().map(|c| (*c, 0)));
        }
        if job_ranks.max(running) > pinned.len() {
            return RankRunning { cpu: None };
        }
        // Among the least-loaded CPUs, the one the scheduler runs this thread on
        // now: it knows about other processes' threads (several noded on one
        // host, as in tests) that this count does not.
        // SAFETY: sched_getcpu has no preconditions.
        let here = usize::try_from(unsafe { libc::sched_getcpu() }).ok();
        let least = pinned.iter().map(|(_, n)| *n).min().unwrap_or(0);
        let cpu = pinned
            .iter_mut()
            .filter(|(_, n)| *n == least)
            .min_by_key(|(c, _)| Some(*c) != here)
            .and_then(|slot| {
                set_affinity(&[slot.0]).then(|| {
                    slot.1 += 1;
                    slot.0
                })
            });
        RankRunning { cpu }
    }
}

impl Drop for RankRunning {
    fn drop(&mut self) {
        RUNNING_RANKS.fetch_sub(1, Ordering::Relaxed);
        if let Some(cpu) = self.cpu {
            let mut pinned = PINNED.lock().expect("pinned lock");
            if let Some(slot) = pinned.iter_mut().find(|(c, _)| *c == cpu) {
                slot.1 -= 1;
            }
            // Rank threads are pooled: the next rank on this thread picks anew.
            let all: Vec<usize> = pinned.iter().map(|(c, _)| *c).collect();
            set_affinity(&all);
        }
    }
}

/// The CPUs this process may run on: those of its main thread, which is never
/// pinned (a rank thread's own mask may be a single CPU; so is what
/// `available_parallelism` reports on such a thread).
fn node_cpus() -> &'static [usize] {
    static CPUS: OnceLock<Vec<usize>> = OnceLock::new();
    CPUS.get_or_init(|| {
        // SAFETY: a zeroed cpu_set_t is a valid empty set; sched_getaffinity
        // fills it for the process's main thread (pid).
        let cpus: Vec<usize> = unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            let size = std::mem::size_of::<libc::cpu_set_t>();
            if libc::sched_getaffinity(libc::getpid(), size, &mut set) != 0 {
                Vec::new()
            } else {
                (0..libc::CPU_SETSIZE as usize)
                    .filter(|c| libc::CPU_ISSET(*c, &set))
                    .collect()
            }
        };
        if cpus.is_empty() {
            (0..std::thread::available_parallelism().map_or(1, |n| n.get())).collect()
        } else {
            cpus
        }
    })
}

/// Restricts the calling thread to `cpus`; false if that failed.
fn set_affinity(cpus: &[usize]) -> bool {
    // SAFETY: as above; sched_setaffinity(0, ..) applies to the calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for c in cpus {
            libc::CPU_SET(*c, &mut set);
        }
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// Whether this node runs more rank threads than it has CPUs: then a waiting
/// rank must give its CPU up soon rather than poll for its message.
pub fn oversubscribed() -> bool {
    RUNNING_RANKS.load(Ordering::Relaxed) > node_cpus().len()
}

/// Blocks the calling rank until `ready()` holds, spinning briefly first (latency),
/// then yielding, then parking (no busy wait when ranks outnumber cores).
/// Returns `stopped()` as soon as `stop()` says the job is being torn down.
pub fn block_until(mut ready: impl FnMut() -> bool, stop: impl Fn() -> bool) -> MpiResult<()> {
    let mut spins = 0u32;
    loop {
        if ready() {
            return Ok(());
        }
        if stop() {
            return Err(MpiError::stopped());
        }
        spins += 1;
        if spins < 64 {
            std::hint::spin_loop();
        } else if spins < 128 {
            std::thread::yield_now();
        } else {
            std::thread::park_timeout(Duration::from_millis(50));
        }
    }
}
