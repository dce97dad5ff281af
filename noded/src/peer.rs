//! Messages between ranks on different nodes.
//!
//! Each noded listens on its peer port; another noded that runs ranks of the same
//! job connects to it once (one connection per node pair, shared by all jobs, so
//! messages from one node to another stay in order, which MPI's non-overtaking
//! rule needs), proves it holds the cluster key (the same handshake as every
//! fbatch connection), and then writes *frames*: a Cap'n Proto `PeerMessage`
//! header (node.capnp, serialized, not RPC) followed by `dataLen` payload bytes.
//!
//! A rank thread sending to a remote rank writes its frames itself, the payload
//! straight from its linear memory (`writev`: no host copy, no hand-off to another
//! thread). On the receiving node a rank that waits for a message reads the
//! connections itself while it waits, as an MPI process polls its sockets (see
//! [`Inbound`]); a reader thread per connection reads only while no rank waits.
//! A message that a posted receive is already waiting for is read from the
//! socket straight into that receive's buffer; any other goes into the
//! destination rank's mailbox, where matching happens exactly as for local
//! messages (ANY_SOURCE included); one-sided requests are served where they are
//! read (serving one never waits).
//! Acknowledgements and one-sided replies are queued to a control thread per
//! connection, so no thread that reads a connection ever waits on a write (two
//! readers each blocked writing to the other would deadlock). Payloads travel in
//! pieces of at most [`PIECE`] bytes. A synchronous send completes when the
//! receiver acknowledges the match; a standard one as soon as it is written (its
//! payload is then in the socket, so there is nothing to wait for; the receiving
//! node buffers it if no receive is posted, as for any unexpected message).
//! docs/decisions.md says why this is not Cap'n Proto RPC.

use crate::mpi::abi::{GuestSlice, Status};
use crate::mpi::error::{MpiError, MpiResult};
use crate::mpi::transport;
use crate::mpi::transport::{Data, Envelope, Posted, ReqState};
use crate::mpi::world::World;
use fbatch_proto::node_capnp::peer_message;
use std::collections::{HashMap, VecDeque};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Largest piece of a message's payload in one frame.
pub const PIECE: usize = 4 << 20;

/// Socket buffer size asked for on peer connections: a whole piece fits, so a
/// sender's `writev` rarely waits for the reader (the kernel may cap it).
const SOCKET_BUFFER: libc::c_int = 4 << 20;

/// Asks for [`SOCKET_BUFFER`]-byte send and receive buffers on `fd`.
fn grow_buffers(fd: std::os::fd::RawFd) {
    for opt in [libc::SO_SNDBUF, libc::SO_RCVBUF] {
        // SAFETY: setsockopt reads one c_int from a valid pointer; a failure
        // only leaves the default size.
        unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                opt,
                &SOCKET_BUFFER as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
}

/// One message (or a piece of one) as it travels between nodes.
#[derive(Debug, Clone, Default)]
pub struct Wire {
    /// Job (the launch key of its run).
    pub job_id: u64,
    /// Destination world rank.
    pub dst: u32,
    /// Sending world rank.
    pub src_world: u32,
    /// Communicator context.
    pub ctx: u32,
    /// Sender's communicator rank.
    pub src: i32,
    /// Tag.
    pub tag: i32,
    /// Payload piece.
    pub data: Vec<u8>,
    /// More pieces follow.
    pub more: bool,
    /// The whole message's length (every piece carries it).
    pub total: u64,
    /// Synchronous send id (0 = none).
    pub sync_id: u64,
    /// Acknowledges synchronous send `ack_for` (0 = not an ack); with data, the
    /// reply to one-sided request `ack_for`.
    pub ack_for: u64,
    /// A one-sided request, served by the target's noded.
    pub rma: bool,
}

/// The frames of a `len`-byte message with header `w`: each header (`more`
/// set on all but the last, `total` on all) and its byte range. At least one,
/// so that an empty message travels too.
fn pieces(w: Wire, len: usize) -> impl Iterator<Item = (Wire, usize, usize)> {
    let n = len.div_ceil(PIECE).max(1);
    (0..n).map(move |k| {
        let piece = Wire {
            more: k + 1 < n,
            total: len as u64,
            ..w.clone()
        };
        (piece, k * PIECE, ((k + 1) * PIECE).min(len))
    })
}

/// Where a frame's payload comes from.
enum Payload<'a> {
    Host(&'a [u8]),
    /// `len` bytes at `offset` of a slice of the sending rank's linear memory.
    Guest(&'a GuestSlice, usize, usize),
}

/// The outgoing connection to one other noded, written by rank threads.
pub struct DataConn {
    addr: String,
    stream: Mutex<std::net::TcpStream>,
    broken: AtomicBool,
    /// Queue of the thread that writes control frames (acknowledgements and
    /// one-sided replies), started on first use.
    control: std::sync::OnceLock<std::sync::mpsc::Sender<(Wire, Vec<u8>)>>,
}

impl DataConn {
    /// Wraps a connected, authenticated, blocking stream to the noded at `addr`.
    pub fn new(addr: &str, stream: std::net::TcpStream) -> DataConn {
        let _ = stream.set_nodelay(true);
        grow_buffers(stream.as_raw_fd());
        DataConn {
            addr: addr.to_string(),
            stream: Mutex::new(stream),
            broken: AtomicBool::new(false),
            control: std::sync::OnceLock::new(),
        }
    }

    /// Queues a control frame (an acknowledgement or a one-sided reply) for this
    /// connection's control thread. Never blocks: these are sent from threads
    /// that read peer connections, and a reader waiting on a write could wait on
    /// a reader that waits on it.
    fn send_control(self: &Arc<Self>, w: Wire, payload: Vec<u8>) {
        // Usually the socket takes a small frame at once: no thread hop. The
        // pieces of a larger one all go through the queue, in order.
        if payload.len() <= PIECE {
            match self.write_frame(&w, Payload::Host(&payload), false) {
                Ok(true) => return,
                Ok(false) => {}
                Err(e) => {
                    log::warn!("control frame to {}: {e}", self.addr);
                    return;
                }
            }
        }
        let queue = self.control.get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel::<(Wire, Vec<u8>)>();
            let conn = Arc::downgrade(self);
            let spawned = std::thread::Builder::new()
                .name("peer-control".into())
                .spawn(move || {
                    for (w, payload) in rx {
                        let Some(conn) = conn.upgrade() else { return };
                        if let Err(e) = conn.write(&w, Payload::Host(&payload)) {
                            log::warn!("control frame to {}: {e}", conn.addr);
                        }
                    }
                });
            if let Err(e) = spawned {
                log::error!("cannot start a peer control thread: {e}");
            }
            tx
        });
        if payload.len() <= PIECE {
            let _ = queue.send((w, payload));
            return;
        }
        for (w, start, end) in pieces(w, payload.len()) {
            let _ = queue.send((w, payload[start..end].to_vec()));
        }
    }

    /// Whether a write failed (a new job should connect again).
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }

    /// Writes one frame: the header, then the payload, in one `writev` where the
    /// kernel takes them (a frame is never interleaved with another).
    fn write(&self, w: &Wire, payload: Payload<'_>) -> std::io::Result<()> {
        self.write_frame(w, payload, true).map(|_| ())
    }

    /// Writes one frame, or with `wait` false only if it can start at once (the
    /// connection is free and the socket takes bytes now): Ok(false) when nothing
    /// was written. Once a frame has started it is always finished.
    fn write_frame(&self, w: &Wire, payload: Payload<'_>, wait: bool) -> std::io::Result<bool> {
        let (ptr, len) = match payload {
            Payload::Host(b) => (b.as_ptr(), b.len()),
            Payload::Guest(s, off, n) => {
                let part = s.sub(off, n).ok_or_else(|| {
                    std::io::Error::other("message piece outside the sender's buffer")
                })?;
                (part.as_ptr() as *const u8, n)
            }
        };
        let mut header = capnp::message::Builder::new_default();
        {
            let mut m = header.init_root::<peer_message::Builder<'_>>();
            m.set_job_id(w.job_id);
            m.set_dst(w.dst);
            m.set_src_world(w.src_world);
            m.set_ctx(w.ctx);
            m.set_src(w.src);
            m.set_tag(w.tag);
            m.set_more(w.more);
            m.set_sync_id(w.sync_id);
            m.set_ack_for(w.ack_for);
            m.set_rma(w.rma);
            m.set_data_len(len as u32);
            m.set_total_len(w.total);
        }
        let head = capnp::serialize::write_message_to_words(&header);
        let stream = if wait {
            self.stream.lock().expect("peer stream lock")
        } else {
            match self.stream.try_lock() {
                Ok(s) => s,
                Err(_) => return Ok(false),
            }
        };
        let fd = stream.as_raw_fd();
        let mut parts = [(head.as_ptr(), head.len()), (ptr, len)];
        let mut first = 0;
        let mut started = wait;
        while first < parts.len() {
            let iov: Vec<libc::iovec> = parts[first..]
                .iter()
                .map(|(p, n)| libc::iovec {
                    iov_base: *p as *mut libc::c_void,
                    iov_len: *n,
                })
                .collect();
            // SAFETY: every iovec points at memory that stays valid and unchanged
            // for the call: the header we own, host bytes we borrow, or the
            // sender's buffer (bounds checked above; MPI forbids changing a send
            // buffer before the send completes, and this rank is the caller).
            let n = if started {
                unsafe { libc::writev(fd, iov.as_ptr(), iov.len() as i32) }
            } else {
                // SAFETY: as above; the msghdr only points at `iov`.
                unsafe {
                    let mut msg: libc::msghdr = std::mem::zeroed();
                    msg.msg_iov = iov.as_ptr() as *mut libc::iovec;
                    msg.msg_iovlen = iov.len() as _;
                    libc::sendmsg(fd, &msg, libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL)
                }
            };
            if n < 0 {
                let e = std::io::Error::last_os_error();
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                if !started && e.kind() == std::io::ErrorKind::WouldBlock {
                    return Ok(false);
                }
                self.broken.store(true, Ordering::Relaxed);
                return Err(e);
            }
            started = true;
            let mut n = n as usize;
            while first < parts.len() && n >= parts[first].1 {
                n -= parts[first].1;
                first += 1;
            }
            if first < parts.len() {
                // SAFETY: n < parts[first].1, so the pointer stays in its buffer.
                parts[first] = (unsafe { parts[first].0.add(n) }, parts[first].1 - n);
            }
        }
        Ok(true)
    }
}

/// Where arriving messages go: the jobs running here, messages for jobs that have
/// not started here yet, and jobs that ended recently (whose late messages are
/// dropped rather than kept as if the job were still to come).
#[derive(Default)]
pub struct Registry {
    running: HashMap<u64, Arc<World>>,
    early: HashMap<u64, Vec<Wire>>,
    ended: VecDeque<u64>,
}

impl Registry {
    /// A job started: the messages that came first are delivered to `world` now,
    /// while the registry is locked, so that none that arrives later can overtake
    /// them; later ones go to `world` as they come.
    pub fn started(&mut self, job: u64, world: Arc<World>) {
        for w in self.early.remove(&job).unwrap_or_default() {
            world.receive_remote(w);
        }
        self.running.insert(job, world);
    }

    /// A job ended (or was cancelled before it started) here.
    pub fn ended(&mut self, job: u64) {
        self.running.remove(&job);
        self.early.remove(&job);
        self.ended.push_back(job);
        if self.ended.len() > 4096 {
            self.ended.pop_front();
        }
    }

    /// The world a message goes to, or None after buffering or dropping it.
    fn route(&mut self, w: Wire) -> Option<(Arc<World>, Wire)> {
        if let Some(world) = self.running.get(&w.job_id) {
            return Some((world.clone(), w));
        }
        if !self.ended.contains(&w.job_id) {
            self.early.entry(w.job_id).or_default().push(w);
        }
        None
    }
}

/// How long a waiting rank reads its node's connections itself before it parks
/// and leaves them to the reader threads.
const WATCH: Duration = Duration::from_micros(1000);

/// How often a reader thread that stood aside for waiting ranks looks again.
const STAND_ASIDE: Duration = Duration::from_millis(1);

/// A rank that polled the connections this recently (µs) is likely to again:
/// reader threads stand aside.
const POLLED_LATELY_US: u64 = 200;

/// Longest frame header accepted (a `PeerMessage` is about a hundred bytes).
const MAX_HEADER: usize = 1 << 16;

/// The connections other noded processes opened to this one. Each has a reader
/// thread, but a rank that waits for a message reads them itself while it waits
/// (as an MPI process polls its sockets): the frame it waits for then goes from
/// the socket into its buffer on its own CPU, without waking another thread.
/// Reader threads stand aside while some rank watches and read only when none
/// does (ranks busy computing, one-sided requests to a passive target).
#[derive(Default)]
pub struct Inbound {
    conns: Mutex<Arc<Vec<Arc<InConn>>>>,
    /// Ranks currently reading the connections while they wait.
    watchers: AtomicUsize,
    /// Ranks that stopped reading and sleep until their message is read.
    sleepers: AtomicUsize,
    /// When a rank last read the connections from a polling MPI call (MPI_Test,
    /// MPI_Iprobe, MPI_Win_flush, ...), in microseconds since `epoch`.
    polled: AtomicU64,
    epoch: std::sync::OnceLock<Instant>,
    aside: Mutex<()>,
    resume: Condvar,
}

impl Inbound {
    fn add(&self, conn: Arc<InConn>) {
        let mut conns = self.conns.lock().expect("inbound lock");
        let mut list = Vec::clone(&conns);
        list.push(conn);
        *conns = Arc::new(list);
    }

    fn remove(&self, conn: &Arc<InConn>) {
        let mut conns = self.conns.lock().expect("inbound lock");
        let list = conns
            .iter()
            .filter(|c| !Arc::ptr_eq(c, conn))
            .cloned()
            .collect();
        *conns = Arc::new(list);
    }

    fn now_us(&self) -> u64 {
        self.epoch.get_or_init(Instant::now).elapsed().as_micros() as u64
    }

    /// Reads what the inbound connections have now, for an MPI call that polls
    /// (a program looping on MPI_Test or on a flag in a window makes progress on
    /// its own CPU, as with an MPI library's progress engine). Reader threads
    /// stand aside while ranks keep polling.
    pub fn progress(&self, stop: impl Fn() -> bool) {
        let conns = self.conns.lock().expect("inbound lock").clone();
        if conns.is_empty() || transport::oversubscribed() {
            return;
        }
        self.polled.store(self.now_us(), Ordering::Relaxed);
        let mut fds: Vec<libc::pollfd> = conns.iter().map(|c| c.pollfd()).collect();
        read_ready(&conns, &mut fds, &stop);
    }

    /// Whether some rank reads the connections now or polled them lately.
    fn watched(&self) -> bool {
        self.watchers.load(Ordering::SeqCst) > 0
            || self
                .now_us()
                .saturating_sub(self.polled.load(Ordering::Relaxed))
                < POLLED_LATELY_US
    }

    /// Blocks until `ready()` (or `stop()`), reading the inbound connections
    /// for a while first, then parking as [`transport::block_until`] does.
    pub fn block_until(
        &self,
        mut ready: impl FnMut() -> bool,
        stop: impl Fn() -> bool,
    ) -> MpiResult<()> {
        if ready() {
            return Ok(());
        }
        let conns = self.conns.lock().expect("inbound lock").clone();
        // With more ranks than CPUs, a rank that polls takes a CPU from a rank
        // with work: the reader threads read, as they do for computing ranks.
        if !conns.is_empty() && !transport::oversubscribed() {
            let mut fds: Vec<libc::pollfd> = conns.iter().map(|c| c.pollfd()).collect();
            self.watchers.fetch_add(1, Ordering::SeqCst);
            let (watching, clean) = self.watch(&conns, &mut fds, &mut ready, &stop);
            let parking = matches!(watching, Ok(false));
            if parking {
                self.sleepers.fetch_add(1, Ordering::SeqCst);
            }
            if self.watchers.fetch_sub(1, Ordering::SeqCst) == 1
                && (self.sleepers.load(Ordering::SeqCst) > 0 || (!clean && poll(&mut fds, 0) > 0))
            {
                // The reader threads must not wait out their STAND_ASIDE pause:
                // some rank sleeps until they read its message, or frames
                // arrived after this one last looked.
                let _g = self.aside.lock().expect("inbound lock");
                self.resume.notify_all();
            }
            match watching {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(e) => return Err(e),
            }
            let slept = transport::block_until(ready, stop);
            self.sleepers.fetch_sub(1, Ordering::SeqCst);
            return slept;
        }
        transport::block_until(ready, stop)
    }

    /// Reads frames from `conns` until `ready()` (Ok(true)) or for [`WATCH`]
    /// (Ok(false)); also whether the connections were empty when last looked at.
    fn watch(
        &self,
        conns: &[Arc<InConn>],
        fds: &mut [libc::pollfd],
        ready: &mut impl FnMut() -> bool,
        stop: &impl Fn() -> bool,
    ) -> (MpiResult<bool>, bool) {
        let start = Instant::now();
        let mut clean = false;
        for spins in 0u32.. {
            if ready() {
                return (Ok(true), clean);
            }
            if stop() {
                return (Err(MpiError::stopped()), clean);
            }
            match read_ready(conns, fds, stop) {
                Some(emptied) => {
                    clean = emptied;
                    continue;
                }
                None => clean = true,
            }
            if spins < 32 {
                std::hint::spin_loop();
            } else if start.elapsed() < WATCH {
                std::thread::yield_now();
            } else {
                break;
            }
        }
        (Ok(false), clean)
    }

    /// The reader thread of `conn`: reads frames whenever no rank is watching.
    fn reader(&self, conn: Arc<InConn>) {
        while !conn.closed.load(Ordering::Acquire) {
            {
                let mut g = self.aside.lock().expect("inbound lock");
                while self.watched() {
                    g = self
                        .resume
                        .wait_timeout(g, STAND_ASIDE)
                        .expect("inbound lock")
                        .0;
                }
            }
            let mut fd = [conn.pollfd()];
            if poll(&mut fd, -1) < 0 || self.watched() {
                continue;
            }
            conn.read_available(None);
        }
        self.remove(&conn);
    }
}

/// Reads every connection of `conns` that has bytes now (`fds` are their
/// pollfds): None if none had any, else whether all were left empty.
fn read_ready(
    conns: &[Arc<InConn>],
    fds: &mut [libc::pollfd],
    stop: &dyn Fn() -> bool,
) -> Option<bool> {
    if poll(fds, 0) <= 0 {
        return None;
    }
    let mut emptied = true;
    for (c, fd) in conns.iter().zip(fds.iter()) {
        if fd.revents != 0 {
            emptied &= c.read_available(Some(stop));
        }
    }
    Some(emptied)
}

/// `poll(2)` on `fds` for up to `timeout` ms (-1: no limit); the number ready.
fn poll(fds: &mut [libc::pollfd], timeout: libc::c_int) -> libc::c_int {
    // SAFETY: `fds` is a valid, writable array of `fds.len()` pollfds.
    unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) }
}

/// One connection from another noded, read frame by frame by its reader thread
/// or by a waiting rank, whichever holds `buf`.
struct InConn {
    peer: String,
    stream: std::net::TcpStream,
    /// What is read but not yet delivered; whoever holds it reads the socket.
    state: Mutex<ReadState>,
    closed: AtomicBool,
    registry: Arc<Mutex<Registry>>,
}

/// Outcome of reading from the socket: bytes read, or why not.
enum ReadErr {
    Closed,
    Failed(String),
}

impl InConn {
    fn pollfd(&self) -> libc::pollfd {
        libc::pollfd {
            fd: self.stream.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }
    }

    /// Reads and routes every frame the socket has now, unless another thread is
    /// already doing so. A frame once started is read to its end: its sender is
    /// writing it in one go. A rank passes its job's `stop`, which lets it give
    /// up on a frame whose sender stalls while the job is stopped (closing the
    /// connection); a reader thread passes None.
    /// Returns whether it left the socket empty (false if another thread was
    /// reading it).
    fn read_available(&self, stop: Option<&dyn Fn() -> bool>) -> bool {
        let Ok(mut state) = self.state.try_lock() else {
            return false;
        };
        let ReadState { buf, pieces } = &mut *state;
        loop {
            if self.closed.load(Ordering::Acquire) {
                return true;
            }
            let read = match buf.is_empty() {
                true => self.try_fill(buf),
                false => Ok(true),
            };
            let read = match read {
                Ok(false) => return true,
                Ok(true) => self.read_frame(buf, pieces, stop),
                Err(e) => Err(e),
            };
            if let Err(e) = read {
                if let ReadErr::Failed(e) = e {
                    log::warn!("peer connection from {}: {e}", self.peer);
                }
                self.closed.store(true, Ordering::Release);
                let _ = self.stream.shutdown(std::net::Shutdown::Both);
                return true;
            }
        }
    }

    /// Reads what the socket has now (up to 64 KiB) into `buf`, without
    /// waiting: false if it had nothing.
    fn try_fill(&self, buf: &mut Vec<u8>) -> Result<bool, ReadErr> {
        buf.reserve(1 << 16);
        let spare = buf.spare_capacity_mut();
        match self.recv(spare.as_mut_ptr() as *mut u8, spare.len())? {
            Some(n) => {
                // SAFETY: recv() initialised the first n spare bytes.
                unsafe { buf.set_len(buf.len() + n) };
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// One non-blocking `recv` of at most `len` bytes into `dst`: None if the
    /// socket has nothing now.
    fn recv(&self, dst: *mut u8, len: usize) -> Result<Option<usize>, ReadErr> {
        loop {
            // SAFETY: the callers pass `len` writable bytes at `dst`.
            let n = unsafe {
                libc::recv(
                    self.stream.as_raw_fd(),
                    dst as *mut libc::c_void,
                    len,
                    libc::MSG_DONTWAIT,
                )
            };
            if n > 0 {
                return Ok(Some(n as usize));
            }
            if n == 0 {
                return Err(ReadErr::Closed);
            }
            let e = std::io::Error::last_os_error();
            match e.kind() {
                std::io::ErrorKind::Interrupted => continue,
                std::io::ErrorKind::WouldBlock => return Ok(None),
                _ => return Err(ReadErr::Failed(e.to_string())),
            }
        }
    }

    /// Waits until the socket has bytes (or the peer closed it).
    fn wait_readable(&self, stop: &dyn Fn() -> bool) -> Result<(), ReadErr> {
        loop {
            match poll(&mut [self.pollfd()], 100) {
                n if n > 0 => return Ok(()),
                0 if stop() => {
                    return Err(ReadErr::Failed(
                        "the sender stalled inside a frame while the job stopped".into(),
                    ))
                }
                _ => {}
            }
        }
    }

    /// Reads at most `len` bytes from the socket into `dst`, waiting for at
    /// least one: a rank (`stop` given) polls for up to [`WATCH`] first, as it
    /// would while waiting, since sleeping and waking costs more than the rest
    /// of a frame takes to arrive (unless ranks outnumber CPUs); a reader thread
    /// sleeps at once.
    fn read_some(
        &self,
        dst: *mut u8,
        len: usize,
        stop: Option<&dyn Fn() -> bool>,
    ) -> Result<usize, ReadErr> {
        let mut polled: Option<Instant> = None;
        loop {
            if let Some(n) = self.recv(dst, len)? {
                return Ok(n);
            }
            match (stop, polled) {
                (Some(_), None) if !transport::oversubscribed() => polled = Some(Instant::now()),
                (Some(_), Some(t)) if t.elapsed() < WATCH => std::thread::yield_now(),
                _ => self.wait_readable(stop.unwrap_or(&|| false))?,
            }
        }
    }

    /// Makes `buf` hold at least `want` bytes, reading up to 64 KiB at a time.
    fn fill(
        &self,
        buf: &mut Vec<u8>,
        want: usize,
        stop: Option<&dyn Fn() -> bool>,
    ) -> Result<(), ReadErr> {
        while buf.len() < want {
            buf.reserve((want - buf.len()).max(1 << 16));
            let spare = buf.spare_capacity_mut();
            let n = self.read_some(spare.as_mut_ptr() as *mut u8, spare.len(), stop)?;
            // SAFETY: read() initialised the first n spare bytes.
            unsafe { buf.set_len(buf.len() + n) };
        }
        Ok(())
    }

    /// Reads `len` payload bytes into `dst`: what `buf` holds first (removed from
    /// it), then straight from the socket.
    fn read_payload(
        &self,
        buf: &mut Vec<u8>,
        dst: *mut u8,
        len: usize,
        stop: Option<&dyn Fn() -> bool>,
    ) -> Result<(), ReadErr> {
        let k = buf.len().min(len);
        // SAFETY: callers pass `len` writable bytes at `dst`, which no Rust
        // reference aliases (host buffers we own, or a receive's guest buffer
        // that the receive owns until completed).
        unsafe { std::ptr::copy_nonoverlapping(buf.as_ptr(), dst, k) };
        buf.drain(..k);
        let mut off = k;
        while off < len {
            // SAFETY: off < len keeps the pointer in the destination.
            off += self.read_some(unsafe { dst.add(off) }, len - off, stop)?;
        }
        Ok(())
    }

    /// Reads one frame and routes it: into the buffer of a receive that waits for
    /// it, else to the destination's mailbox (or one-sided service).
    fn read_frame(
        &self,
        buf: &mut Vec<u8>,
        pieces: &mut HashMap<PieceKey, Assembly>,
        stop: Option<&dyn Fn() -> bool>,
    ) -> Result<(), ReadErr> {
        // A serialized Cap'n Proto message: segment count - 1, the segment
        // sizes in words (the table padded to a word), then the segments.
        self.fill(buf, 8, stop).map_err(|e| match e {
            // A clean end between frames.
            ReadErr::Closed if buf.is_empty() => ReadErr::Closed,
            ReadErr::Closed => ReadErr::Failed("the connection closed inside a frame".into()),
            e => e,
        })?;
        let segments = le32(buf, 0) as usize + 1;
        let table = (4 * (segments + 1)).next_multiple_of(8);
        if table > MAX_HEADER {
            return Err(ReadErr::Failed(format!(
                "bad frame header: {segments} segments"
            )));
        }
        self.fill(buf, table, stop).map_err(inside_frame)?;
        let words: usize = (0..segments).map(|s| le32(buf, 4 + 4 * s) as usize).sum();
        let total = table + 8 * words;
        if total > MAX_HEADER {
            return Err(ReadErr::Failed(format!(
                "bad frame header of {total} bytes"
            )));
        }
        self.fill(buf, total, stop).map_err(inside_frame)?;
        let (mut w, len) = parse_header(&buf[..total]).map_err(ReadErr::Failed)?;
        buf.drain(..total);
        // Pieces of one message carry the same sender, and one-sided requests
        // and replies their own id (replies of one rank may interleave).
        let key = (w.job_id, w.src_world, w.sync_id, w.ack_for, w.rma);
        // A further piece of a message whose first piece came earlier (pieces of
        // one sender's message come in order, on this connection).
        if let Some(mut whole) = pieces.remove(&key) {
            whole.read_piece(self, buf, len, stop)?;
            if w.more {
                pieces.insert(key, whole);
            } else {
                self.deliver_whole(whole, w);
            }
            return Ok(());
        }
        let message_len = (w.total as usize).max(len);
        if message_len > MAX_MESSAGE {
            return Err(ReadErr::Failed(format!(
                "a message of {message_len} bytes is larger than any linear memory"
            )));
        }
        // A receive already waiting for this message takes the payload straight
        // from the socket into its buffer.
        let running = self
            .registry
            .lock()
            .expect("registry lock")
            .running
            .get(&w.job_id)
            .cloned();
        if let Some(world) = running {
            let alive = world.memories();
            let claimed = alive
                .as_ref()
                .and_then(|_| world.claim_direct(&w, message_len));
            if let Some((posted, dst)) = claimed {
                if dst.len() < message_len {
                    return Err(ReadErr::Failed("payload outside the receive buffer".into()));
                }
                self.read_payload(buf, dst.as_ptr(), len, stop)
                    .map_err(inside_frame)?;
                drop(alive);
                if w.more {
                    let direct = Assembly::Direct {
                        world,
                        posted,
                        dst,
                        filled: len,
                    };
                    pieces.insert(key, direct);
                } else {
                    world.complete_direct(posted, &w, len);
                }
                return Ok(());
            }
        }
        let mut data = Vec::new();
        data.try_reserve_exact(if w.more { message_len } else { len })
            .map_err(|e| ReadErr::Failed(format!("buffering a {message_len}-byte message: {e}")))?;
        self.read_payload(buf, data.as_mut_ptr(), len, stop)
            .map_err(inside_frame)?;
        // SAFETY: read_payload wrote all `len` bytes.
        unsafe { data.set_len(len) };
        if w.more {
            pieces.insert(key, Assembly::Host(data));
            return Ok(());
        }
        w.data = data;
        self.route(w);
        Ok(())
    }

    /// Routes a whole message (or one-sided request) to its job. One-sided
    /// requests are served here too: serving never waits (locks are tried, not
    /// awaited) and the reply is never a blocking write.
    fn route(&self, w: Wire) {
        let routed = self.registry.lock().expect("registry lock").route(w);
        if let Some((world, w)) = routed {
            world.receive_remote(w);
        }
    }

    /// Delivers a message whose last piece `last` has been read.
    fn deliver_whole(&self, whole: Assembly, mut last: Wire) {
        match whole {
            Assembly::Direct {
                world,
                posted,
                filled,
                ..
            } => world.complete_direct(posted, &last, filled),
            Assembly::Host(data) => {
                last.data = data;
                self.route(last);
            }
            Assembly::Dropped => {}
        }
    }
}

/// Largest message accepted from another node (a wasm32 linear memory's size).
const MAX_MESSAGE: usize = 4 << 30;

/// A message arriving in pieces: job, sending world rank, sync id, the
/// request a reply answers, one-sided request.
type PieceKey = (u64, u32, u64, u64, bool);

/// What a connection's reader holds between frames.
#[derive(Default)]
struct ReadState {
    /// Bytes read past the last whole frame.
    buf: Vec<u8>,
    /// Messages whose first pieces have been read.
    pieces: HashMap<PieceKey, Assembly>,
}

/// A message arriving in pieces.
enum Assembly {
    /// Read straight into the receive that was waiting for it.
    Direct {
        world: Arc<World>,
        posted: Posted,
        dst: GuestSlice,
        filled: usize,
    },
    /// Read into a host buffer, for the destination's mailbox.
    Host(Vec<u8>),
    /// Its job's ranks have ended here: the rest is read and dropped.
    Dropped,
}

impl Assembly {
    /// Reads the next `len`-byte piece.
    fn read_piece(
        &mut self,
        conn: &InConn,
        buf: &mut Vec<u8>,
        len: usize,
        stop: Option<&dyn Fn() -> bool>,
    ) -> Result<(), ReadErr> {
        match self {
            Assembly::Direct {
                world, dst, filled, ..
            } => {
                let alive = world.memories();
                if alive.is_some() && *filled + len <= dst.len() {
                    // SAFETY: filled + len <= dst.len() keeps the piece in the
                    // receive buffer, and the memory stays mapped while `alive`.
                    let at = unsafe { dst.as_ptr().add(*filled) };
                    conn.read_payload(buf, at, len, stop)
                        .map_err(inside_frame)?;
                    *filled += len;
                    return Ok(());
                }
                drop(alive);
                *self = Assembly::Dropped;
                self.read_piece(conn, buf, len, stop)
            }
            Assembly::Host(data) => {
                data.try_reserve(len)
                    .map_err(|e| ReadErr::Failed(format!("buffering a message: {e}")))?;
                // SAFETY: the reservation leaves `len` spare bytes after the end.
                let at = unsafe { data.as_mut_ptr().add(data.len()) };
                conn.read_payload(buf, at, len, stop)
                    .map_err(inside_frame)?;
                // SAFETY: read_payload wrote them.
                unsafe { data.set_len(data.len() + len) };
                Ok(())
            }
            Assembly::Dropped => {
                let mut scratch = Vec::with_capacity(len);
                conn.read_payload(buf, scratch.as_mut_ptr(), len, stop)
                    .map_err(inside_frame)
            }
        }
    }
}

/// The little-endian u32 at byte `i` of `b`.
fn le32(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// A connection that closes inside a frame is an error, not a clean end.
fn inside_frame(e: ReadErr) -> ReadErr {
    match e {
        ReadErr::Closed => ReadErr::Failed("the connection closed inside a frame".into()),
        e => e,
    }
}

/// Serves one authenticated incoming connection from another noded: a reader
/// thread reads its frames while no waiting rank does (see [`Inbound`]).
pub fn serve(stream: std::net::TcpStream, registry: Arc<Mutex<Registry>>, inbound: Arc<Inbound>) {
    grow_buffers(stream.as_raw_fd());
    let peer = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "a peer".into());
    let conn = Arc::new(InConn {
        peer,
        stream,
        state: Mutex::new(ReadState::default()),
        closed: AtomicBool::new(false),
        registry,
    });
    inbound.add(conn.clone());
    let reader = inbound.clone();
    let spawned = std::thread::Builder::new()
        .name("peer-reader".into())
        .spawn(move || reader.reader(conn));
    if let Err(e) = spawned {
        log::error!("cannot start a peer reader thread: {e}");
    }
}

/// Parses one frame's header: the message without its payload, and the
/// payload's length.
fn parse_header(mut bytes: &[u8]) -> Result<(Wire, usize), String> {
    let options = capnp::message::ReaderOptions::new();
    let msg = capnp::serialize::read_message_from_flat_slice(&mut bytes, options)
        .map_err(|e| format!("bad frame header: {e}"))?;
    let m = msg
        .get_root::<peer_message::Reader<'_>>()
        .map_err(|e| format!("bad frame header: {e}"))?;
    let len = m.get_data_len() as usize;
    if len > PIECE {
        return Err(format!(
            "frame of {len} bytes exceeds the {PIECE}-byte piece size"
        ));
    }
    let w = Wire {
        job_id: m.get_job_id(),
        dst: m.get_dst(),
        src_world: m.get_src_world(),
        ctx: m.get_ctx(),
        src: m.get_src(),
        tag: m.get_tag(),
        data: Vec::new(),
        more: m.get_more(),
        total: m.get_total_len(),
        sync_id: m.get_sync_id(),
        ack_for: m.get_ack_for(),
        rma: m.get_rma(),
    };
    Ok((w, len))
}

/// How a job's ranks on this node reach its ranks on other nodes.
pub struct RemoteLink {
    job_id: u64,
    /// Node index of every world rank.
    node_of: Vec<usize>,
    /// Connection per node index (None for this node).
    outbound: Vec<Option<Arc<DataConn>>>,
    /// Sends waiting for the receiver's acknowledgement.
    pending: Mutex<HashMap<u64, Arc<ReqState>>>,
    next_id: AtomicU64,
    /// The connections from other nodes, read by this job's waiting ranks.
    inbound: Arc<Inbound>,
}

impl RemoteLink {
    /// A link for `job_id`: `node_of[rank]` indexes `outbound`.
    pub fn new(
        job_id: u64,
        node_of: Vec<usize>,
        outbound: Vec<Option<Arc<DataConn>>>,
        inbound: Arc<Inbound>,
    ) -> RemoteLink {
        RemoteLink {
            job_id,
            node_of,
            outbound,
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            inbound,
        }
    }

    /// Blocks a rank of this job until `ready()` (or `stop()`), reading the
    /// connections from other nodes while it waits.
    pub fn block_until(
        &self,
        ready: impl FnMut() -> bool,
        stop: impl Fn() -> bool,
    ) -> MpiResult<()> {
        self.inbound.block_until(ready, stop)
    }

    /// Reads what the connections from other nodes have now (polling MPI calls).
    pub fn progress(&self, stop: impl Fn() -> bool) {
        self.inbound.progress(stop)
    }

    /// Index (in the job's node list) of the node running world rank `rank`.
    pub fn node_index(&self, rank: u32) -> usize {
        self.node_of.get(rank as usize).copied().unwrap_or(0)
    }

    fn conn(&self, to_rank: u32) -> MpiResult<&Arc<DataConn>> {
        self.node_of
            .get(to_rank as usize)
            .and_then(|n| self.outbound.get(*n))
            .and_then(Option::as_ref)
            .ok_or_else(|| {
                MpiError::new(
                    crate::mpi::abi::MPI_ERR_RANK,
                    format!("rank {to_rank} has no route from this node"),
                )
            })
    }

    /// Writes `w` with `payload` to `to`'s node.
    fn write(&self, to: u32, w: &Wire, payload: Payload<'_>) -> MpiResult<()> {
        let conn = self.conn(to)?;
        conn.write(w, payload).map_err(|e| {
            MpiError::new(
                crate::mpi::abi::MPI_ERR_OTHER,
                format!(
                    "the connection to rank {to}'s node ({}) failed: {e}",
                    conn.addr
                ),
            )
        })
    }

    /// Sends `env` from world rank `from` to world rank `to` on another node.
    /// `eager` completes a send that references the sender's buffer once written;
    /// otherwise it completes when the receiver has matched it.
    pub fn send(&self, from: u32, to: u32, env: Envelope, eager: bool) -> MpiResult<()> {
        let Envelope {
            ctx,
            src,
            tag,
            data,
            sync,
        } = env;
        let (wait, done_now) = match &data {
            Data::Bytes(_) | Data::Borrowed(_) => (sync, None),
            Data::Guest { done, .. } if eager => (sync, Some(done.clone())),
            Data::Guest { done, .. } => (Some(done.clone()), None),
        };
        let sync_id = match wait {
            Some(state) => {
                let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                self.pending.lock().expect("pending lock").insert(id, state);
                id
            }
            None => 0,
        };
        let len = data.len();
        let w = Wire {
            job_id: self.job_id,
            dst: to,
            src_world: from,
            ctx,
            src,
            tag,
            sync_id,
            ..Wire::default()
        };
        for (w, start, end) in pieces(w, len) {
            let payload = match &data {
                Data::Bytes(b) => Payload::Host(&b[start..end]),
                Data::Guest { slice, .. } | Data::Borrowed(slice) => {
                    Payload::Guest(slice, start, end - start)
                }
            };
            self.write(to, &w, payload)?;
        }
        if let Some(done) = done_now {
            done.complete(Status::default());
        }
        Ok(())
    }

    /// Sends one-sided request `req` to world rank `to`'s node and waits for the
    /// reply (or for the job to stop).
    pub fn request(
        &self,
        from: u32,
        to: u32,
        req: Vec<u8>,
        stopped: impl Fn() -> bool,
    ) -> MpiResult<Vec<u8>> {
        let state = ReqState::new();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.pending
            .lock()
            .expect("pending lock")
            .insert(id, state.clone());
        let w = Wire {
            job_id: self.job_id,
            dst: to,
            src_world: from,
            sync_id: id,
            rma: true,
            ..Wire::default()
        };
        for (w, start, end) in pieces(w, req.len()) {
            self.write(to, &w, Payload::Host(&req[start..end]))?;
        }
        self.block_until(|| state.is_done(), stopped)?;
        Ok(state.take_data())
    }

    /// Answers one-sided request `id` from world rank `to`.
    pub fn reply(&self, from: u32, to: u32, id: u64, data: Vec<u8>) {
        let w = Wire {
            job_id: self.job_id,
            dst: to,
            src_world: from,
            ack_for: id,
            ..Wire::default()
        };
        match self.conn(to) {
            Ok(conn) => conn.send_control(w, data),
            Err(e) => log::warn!("{}", e.msg),
        }
    }

    /// For a synchronous send's message: the state whose completion (at the match)
    /// sends the acknowledgement back to the sender.
    pub fn sync_for(self: &Arc<Self>, w: &Wire) -> Option<Arc<ReqState>> {
        (w.sync_id != 0).then(|| {
            let link = self.clone();
            let (id, back_to, me) = (w.sync_id, w.src_world, w.dst);
            ReqState::with_hook(move || {
                let ack = Wire {
                    job_id: link.job_id,
                    dst: back_to,
                    src_world: me,
                    ack_for: id,
                    ..Wire::default()
                };
                if let Ok(conn) = link.conn(back_to) {
                    conn.send_control(ack, Vec::new());
                }
            })
        })
    }

    /// Handles a message from another node (whole: its pieces were put
    /// together as they were read): an acknowledgement completes the waiting
    /// send; a message becomes an envelope for the destination's mailbox,
    /// returned with its destination.
    pub fn receive(self: &Arc<Self>, w: Wire) -> Option<(u32, Envelope)> {
        if w.ack_for != 0 {
            if let Some(state) = self
                .pending
                .lock()
                .expect("pending lock")
                .remove(&w.ack_for)
            {
                state.set_data(w.data);
                state.complete(Status::default());
            }
            return None;
        }
        let sync = self.sync_for(&w);
        let data = w.data;
        Some((
            w.dst,
            Envelope {
                ctx: w.ctx,
                src: w.src,
                tag: w.tag,
                data: Data::Bytes(data),
                sync,
            },
        ))
    }
}
