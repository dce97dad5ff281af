//! Point-to-point communication (MPI-3.1 chapter 3): blocking and nonblocking
//! sends and receives, completion, probing.

use super::abi::GuestMem;
use super::abi::{self, Status};
use super::datatype::TypedBuf;
use super::error::{MpiError, MpiResult};
use super::rank::{Comm, MpiRank, Persistent, PersistentOp, Request};
use super::transport::{self, Data, Envelope, Posted, ReqState, Target, EAGER_LIMIT};
use std::sync::Arc;

/// Send modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// MPI_Send / MPI_Rsend: buffered if small, else completes when received.
    Standard,
    /// MPI_Ssend: completes when matched by a receive.
    Synchronous,
    /// MPI_Bsend: always copied out, completes at once.
    Buffered,
}

/// A send's arguments as the guest passed them, shared by blocking,
/// nonblocking and persistent sends.
#[derive(Debug, Clone, Copy)]
pub struct SendArgs {
    pub buf: u32,
    pub count: i32,
    pub dt: i32,
    pub dest: i32,
    pub tag: i32,
    pub comm: i32,
    pub mode: Mode,
}

impl SendArgs {
    /// Starts the send; the returned state completes when the buffer is
    /// reusable. A buffered send checks the attached buffer's room.
    pub fn start(self, r: &MpiRank, m: &GuestMem) -> MpiResult<Arc<ReqState>> {
        let cm = r.comm(self.comm)?;
        let b = r.buffer(m, self.buf, self.count, self.dt)?;
        if self.mode == Mode::Buffered && self.dest != abi::MPI_PROC_NULL {
            r.check_bsend(b.packed_len())?;
        }
        r.start_send(&cm, &b, self.dest, self.tag, self.mode)
    }
}

/// A receive's arguments as the guest passed them, shared by nonblocking and
/// persistent receives.
#[derive(Debug, Clone, Copy)]
pub struct RecvArgs {
    pub buf: u32,
    pub count: i32,
    pub dt: i32,
    pub src: i32,
    pub tag: i32,
    pub comm: i32,
}

impl RecvArgs {
    /// Posts the receive.
    pub fn start(self, r: &MpiRank, m: &GuestMem) -> MpiResult<Request> {
        let cm = r.comm(self.comm)?;
        let b = r.buffer(m, self.buf, self.count, self.dt)?;
        r.start_recv(&cm, b, self.src, self.tag)
    }
}

impl MpiRank {
    /// Starts a send of `buf` to comm rank `dest`; the returned state completes
    /// when the send buffer may be reused.
    pub fn start_send(
        &self,
        comm: &Comm,
        buf: &TypedBuf,
        dest: i32,
        tag: i32,
        mode: Mode,
    ) -> MpiResult<Arc<ReqState>> {
        MpiRank::check_send_tag(tag)?;
        if dest == abi::MPI_PROC_NULL {
            return Ok(ReqState::completed(Status::proc_null()));
        }
        let to = comm.world_rank(dest)?;
        self.world.check_rank(to)?;
        // An eager send to a rank of this node is copied before `send` returns
        // (into the posted receive, or a host buffer): it needs no request.
        let eager = match mode {
            Mode::Standard => buf.packed_len() <= EAGER_LIMIT,
            Mode::Buffered => true,
            Mode::Synchronous => false,
        };
        if let Some(slice) = buf
            .contiguous()
            .filter(|_| eager && self.world.is_local(to))
        {
            let env = Envelope {
                ctx: comm.ctx,
                src: comm.rank as i32,
                tag,
                data: Data::Borrowed(slice),
                sync: None,
            };
            self.world.send(self.me, to, env, true)?;
            return Ok(ReqState::sent());
        }
        let req = ReqState::new();
        let (data, sync, eager) = match (buf.contiguous(), mode) {
            (Some(slice), Mode::Synchronous) => (
                Data::Guest {
                    slice,
                    done: req.clone(),
                },
                None,
                false,
            ),
            (Some(slice), Mode::Standard) => (
                Data::Guest {
                    slice,
                    done: req.clone(),
                },
                None,
                // Across nodes the payload leaves the sender's memory as it is
                // written to the socket, so waiting for the match would only
                // delay the sender (and make the reply to it arrive before its
                // receive is posted: one more copy).
                slice.len() <= EAGER_LIMIT || !self.world.is_local(to),
            ),
            (Some(slice), Mode::Buffered) => (
                Data::Guest {
                    slice,
                    done: req.clone(),
                },
                None,
                true,
            ),
            (None, Mode::Synchronous) => (Data::Bytes(buf.pack()), Some(req.clone()), false),
            (None, _) => {
                let env = Envelope {
                    ctx: comm.ctx,
                    src: comm.rank as i32,
                    tag,
                    data: Data::Bytes(buf.pack()),
                    sync: None,
                };
                self.world.send(self.me, to, env, true)?;
                return Ok(ReqState::completed(Status::default()));
            }
        };
        self.world.send(
            self.me,
            to,
            Envelope {
                ctx: comm.ctx,
                src: comm.rank as i32,
                tag,
                data,
                sync,
            },
            eager,
        )?;
        Ok(req)
    }

    /// Posts a receive into `buf` from comm rank `src` (or ANY_SOURCE).
    pub fn start_recv(&self, comm: &Comm, buf: TypedBuf, src: i32, tag: i32) -> MpiResult<Request> {
        MpiRank::check_recv_tag(tag)?;
        if src == abi::MPI_PROC_NULL {
            return Ok(Request::new(
                ReqState::completed(Status::proc_null()),
                None,
                true,
            ));
        }
        if src != abi::MPI_ANY_SOURCE {
            comm.world_rank(src)?;
        }
        let state = ReqState::new();
        let (target, unpack) = match buf.contiguous() {
            Some(slice) => (Target::Guest(slice), None),
            None => (Target::Host, Some(buf)),
        };
        self.world.mailbox(self.me)?.post(Posted {
            ctx: comm.ctx,
            src,
            tag,
            target,
            req: state.clone(),
        });
        Ok(Request::new(state, unpack, true))
    }

    /// Blocks until `state` completes (or the job is stopped).
    pub fn block_on(&self, state: &ReqState) -> MpiResult<()> {
        self.world.block_until(|| state.is_done())
    }

    /// Finishes a completed request: unpacks non-contiguous receives and returns
    /// the status (with MPI_ERR_TRUNCATE if the message did not fit).
    pub fn finish(&self, req: Request) -> MpiResult<Status> {
        let (status, r) = self.finish_status(req);
        r.map(|_| status)
    }

    /// Like [`MpiRank::finish`], returning the status even when the receive
    /// failed (MPI_ERR_TRUNCATE), so callers can report it as MPI implementations do.
    /// The request's state goes back to this thread for its next request.
    pub fn finish_status(&self, req: Request) -> (Status, MpiResult<()>) {
        let mut status = req.state.status();
        if let Some(buf) = req.unpack {
            let data = req.state.take_data();
            let cap = buf.packed_len();
            buf.unpack(&data);
            status.count = data.len().min(cap) as u64;
            if data.len() > cap {
                status.error = abi::MPI_ERR_TRUNCATE;
            }
        }
        ReqState::recycle(req.state);
        if status.error == abi::MPI_ERR_TRUNCATE {
            let e = MpiError::new(
                abi::MPI_ERR_TRUNCATE,
                format!(
                    "message truncated: the receive buffer holds {} bytes, the message from rank {} (tag {}) was larger",
                    status.count, status.source, status.tag
                ),
            );
            return (status, Err(e));
        }
        (status, Ok(()))
    }

    /// MPI_Recv.
    pub fn recv(&self, comm: &Comm, buf: TypedBuf, src: i32, tag: i32) -> MpiResult<Status> {
        let (status, r) = self.recv_status(comm, buf, src, tag)?;
        r.map(|_| status)
    }

    /// MPI_Recv, with the status also when the message was truncated.
    pub fn recv_status(
        &self,
        comm: &Comm,
        buf: TypedBuf,
        src: i32,
        tag: i32,
    ) -> MpiResult<(Status, MpiResult<()>)> {
        let req = self.start_recv(comm, buf, src, tag)?;
        self.block_on(&req.state)?;
        Ok(self.finish_status(req))
    }
}

/// The status an inactive persistent request (or MPI_REQUEST_NULL) reports.
pub fn inactive_status() -> Status {
    Status {
        source: abi::MPI_ANY_SOURCE,
        tag: abi::MPI_ANY_TAG,
        ..Status::default()
    }
}

/// Which requests of a list to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitFor {
    /// Every one (Waitall / Testall).
    All,
    /// At least one (Waitany / Waitsome / Testany / Testsome).
    Any,
}

impl MpiRank {
    /// Registers a started operation as a request handle.
    pub fn add_request(&mut self, req: Request) -> i32 {
        self.requests.insert(req)
    }

    /// The state of a request handle; None for MPI_REQUEST_NULL.
    fn request_state(&self, h: i32) -> MpiResult<Option<Arc<ReqState>>> {
        if h == abi::MPI_REQUEST_NULL {
            return Ok(None);
        }
        self.requests
            .get(h)
            .map(|r| (!r.is_inactive()).then(|| r.state.clone()))
            .ok_or_else(|| {
                MpiError::new(
                    abi::MPI_ERR_REQUEST,
                    format!("invalid request handle {h:#x}"),
                )
            })
    }

    /// Completes request `h` (already done): unpacks and returns its status and
    /// whether the handle was freed. A persistent request is not freed: it becomes
    /// inactive, ready for the next MPI_Start.
    pub fn complete_request(&mut self, h: i32) -> MpiResult<(Status, bool)> {
        let (status, freed, r) = self.complete_request_status(h)?;
        r.map(|_| (status, freed))
    }

    /// Like [`MpiRank::complete_request`], returning the status and the handle's
    /// fate even when the receive failed.
    pub fn complete_request_status(&mut self, h: i32) -> MpiResult<(Status, bool, MpiResult<()>)> {
        let invalid = || {
            MpiError::new(
                abi::MPI_ERR_REQUEST,
                format!("invalid request handle {h:#x}"),
            )
        };
        let req = self.requests.get_mut(h).ok_or_else(invalid)?;
        if let Some(p) = req.persistent.as_mut() {
            p.active = false;
            let state = std::mem::replace(&mut req.state, ReqState::completed(inactive_status()));
            let done = Request::new(state, req.unpack.take(), req.is_recv);
            let (status, r) = self.finish_status(done);
            return Ok((status, false, r));
        }
        let req = self.requests.remove(h).ok_or_else(invalid)?;
        let (status, r) = self.finish_status(req);
        Ok((status, true, r))
    }

    /// True for MPI_REQUEST_NULL and inactive persistent requests, which waits
    /// and tests skip (their status is empty).
    pub fn is_inert(&self, h: i32) -> bool {
        h == abi::MPI_REQUEST_NULL || self.requests.get(h).is_some_and(|r| r.is_inactive())
    }

    /// MPI_Start: starts persistent request `h` again.
    pub fn start_persistent(&mut self, mem: &GuestMem, h: i32) -> MpiResult<()> {
        let p = self
            .requests
            .get(h)
            .and_then(|r| r.persistent)
            .ok_or_else(|| {
                MpiError::new(
                    abi::MPI_ERR_REQUEST,
                    format!("{h:#x} is not a persistent request handle"),
                )
            })?;
        if p.active {
            return Err(MpiError::new(
                abi::MPI_ERR_REQUEST,
                "the persistent request is already active (complete it before starting it again)",
            ));
        }
        let (state, unpack) = match p.op {
            PersistentOp::Send(a) => (a.start(self, mem)?, None),
            PersistentOp::Recv(a) => {
                let rq = a.start(self, mem)?;
                (rq.state, rq.unpack)
            }
        };
        let req = self.requests.get_mut(h).expect("checked above");
        req.state = state;
        req.unpack = unpack;
        if let Some(p) = req.persistent.as_mut() {
            p.active = true;
        }
        Ok(())
    }

    /// MPI_Send_init / MPI_Recv_init: an inactive persistent request.
    pub fn persistent_request(&mut self, mem: &GuestMem, op: PersistentOp) -> MpiResult<i32> {
        // Check the arguments now (and that the buffer lies in memory), as the
        // standard expects errors at init time.
        match op {
            PersistentOp::Send(a) => {
                self.buffer(mem, a.buf, a.count, a.dt)?;
                MpiRank::check_send_tag(a.tag)?;
                let cm = self.comm(a.comm)?;
                if a.dest != abi::MPI_PROC_NULL {
                    cm.world_rank(a.dest)?;
                }
            }
            PersistentOp::Recv(a) => {
                self.buffer(mem, a.buf, a.count, a.dt)?;
                MpiRank::check_recv_tag(a.tag)?;
                let cm = self.comm(a.comm)?;
                if a.src != abi::MPI_PROC_NULL && a.src != abi::MPI_ANY_SOURCE {
                    cm.world_rank(a.src)?;
                }
            }
        }
        let is_recv = matches!(op, PersistentOp::Recv(_));
        Ok(self.requests.insert(Request {
            state: ReqState::completed(inactive_status()),
            unpack: None,
            is_recv,
            persistent: Some(Persistent { op, active: false }),
        }))
    }

    /// Waits until all (or any) of `handles` are complete or null; `block` = false
    /// only looks. Returns the indices of complete non-null requests, or None if
    /// every handle is MPI_REQUEST_NULL.
    pub fn wait_requests(
        &self,
        handles: &[i32],
        mode: WaitFor,
        block: bool,
    ) -> MpiResult<Option<Vec<usize>>> {
        let states: Vec<Option<Arc<ReqState>>> = handles
            .iter()
            .map(|h| self.request_state(*h))
            .collect::<MpiResult<_>>()?;
        if states.iter().all(Option::is_none) {
            return Ok(None);
        }
        let ready = |states: &[Option<Arc<ReqState>>]| match mode {
            WaitFor::All => states.iter().flatten().all(|s| s.is_done()),
            WaitFor::Any => states.iter().flatten().any(|s| s.is_done()),
        };
        if self
            .world
            .find(block, || ready(&states).then_some(()))?
            .is_none()
        {
            return Ok(Some(Vec::new()));
        }
        Ok(Some(
            states
                .iter()
                .enumerate()
                .filter(|(_, s)| s.as_ref().is_some_and(|s| s.is_done()))
                .map(|(i, _)| i)
                .collect(),
        ))
    }

    /// MPI_Cancel: a receive not yet matched is withdrawn; a send cannot be
    /// cancelled here and simply completes (the standard allows either outcome).
    pub fn cancel_request(&self, h: i32) -> MpiResult<()> {
        let req = self.requests.get(h).ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_REQUEST,
                format!("invalid request handle {h:#x}"),
            )
        })?;
        if req.is_recv && !req.state.is_done() {
            self.world.mailbox(self.me)?.cancel_posted(&req.state);
        }
        Ok(())
    }

    /// MPI_Probe / MPI_Iprobe: the status of the first matching queued message.
    pub fn probe(&self, comm: &Comm, src: i32, tag: i32, block: bool) -> MpiResult<Option<Status>> {
        MpiRank::check_recv_tag(tag)?;
        if src == abi::MPI_PROC_NULL {
            return Ok(Some(Status::proc_null()));
        }
        if src != abi::MPI_ANY_SOURCE {
            comm.world_rank(src)?;
        }
        let mailbox = self.world.mailbox(self.me)?;
        self.world.find(block, || mailbox.probe(comm.ctx, src, tag))
    }

    /// MPI_Sendrecv.
    #[allow(clippy::too_many_arguments)]
    pub fn sendrecv(
        &self,
        comm: &Comm,
        send: &TypedBuf,
        dest: i32,
        stag: i32,
        recv: TypedBuf,
        src: i32,
        rtag: i32,
    ) -> MpiResult<Status> {
        let s = self.start_send(comm, send, dest, stag, Mode::Standard)?;
        let r = self.start_recv(comm, recv, src, rtag)?;
        self.block_on(&r.state)?;
        let status = self.finish(r)?;
        self.block_on(&s)?;
        Ok(status)
    }

    /// MPI_Sendrecv_replace: the outgoing data is copied first, then the buffer receives.
    pub fn sendrecv_replace(
        &self,
        comm: &Comm,
        buf: TypedBuf,
        dest: i32,
        stag: i32,
        src: i32,
        rtag: i32,
    ) -> MpiResult<Status> {
        MpiRank::check_send_tag(stag)?;
        let sent = if dest == abi::MPI_PROC_NULL {
            None
        } else {
            let to = comm.world_rank(dest)?;
            self.world.check_rank(to)?;
            Some((to, buf.pack()))
        };
        let r = self.start_recv(comm, buf, src, rtag)?;
        if let Some((to, data)) = sent {
            self.world.send(
                self.me,
                to,
                Envelope {
                    ctx: comm.ctx,
                    src: comm.rank as i32,
                    tag: stag,
                    data: Data::Bytes(data),
                    sync: None,
                },
                true,
            )?;
        }
        self.block_on(&r.state)?;
        self.finish(r)
    }

    /// MPI_Buffer_attach: the buffer Bsend may use (its size bounds Bsend's messages).
    pub fn buffer_attach(&mut self, addr: u32, size: i32) -> MpiResult<()> {
        if self.bsend_buffer.is_some() {
            return Err(MpiError::new(
                abi::MPI_ERR_BUFFER,
                "a buffer is already attached",
            ));
        }
        if size < 0 {
            return Err(MpiError::new(
                abi::MPI_ERR_ARG,
                format!("negative buffer size {size}"),
            ));
        }
        self.bsend_buffer = Some((addr, size as usize));
        Ok(())
    }

    /// MPI_Buffer_detach: returns the attached buffer (buffered sends have all
    /// been copied out already).
    pub fn buffer_detach(&mut self) -> MpiResult<(u32, usize)> {
        self.bsend_buffer
            .take()
            .ok_or_else(|| MpiError::new(abi::MPI_ERR_BUFFER, "no buffer is attached"))
    }

    /// Checks that a buffered send of `bytes` fits the attached buffer.
    pub fn check_bsend(&self, bytes: usize) -> MpiResult<()> {
        match self.bsend_buffer {
            Some((_, size)) if bytes + BSEND_OVERHEAD <= size => Ok(()),
            Some((_, size)) => Err(MpiError::new(
                abi::MPI_ERR_BUFFER,
                format!("buffered send of {bytes} bytes needs {} bytes of attached buffer, {size} attached", bytes + BSEND_OVERHEAD),
            )),
            None => Err(MpiError::new(abi::MPI_ERR_BUFFER, "MPI_Bsend without an attached buffer (MPI_Buffer_attach)")),
        }
    }
}

/// Bytes of attached buffer each buffered message needs beyond its data (mpi.h's MPI_BSEND_OVERHEAD).
pub const BSEND_OVERHEAD: usize = 64;

/// MPI_Get_count: elements of `size` bytes in `bytes`, or MPI_UNDEFINED.
pub fn get_count(bytes: u64, size: usize) -> i32 {
    if size == 0 {
        return 0;
    }
    if !bytes.is_multiple_of(size as u64) {
        return abi::MPI_UNDEFINED;
    }
    i32::try_from(bytes / size as u64).unwrap_or(abi::MPI_UNDEFINED)
}

impl MpiRank {
    /// MPI_Mprobe / MPI_Improbe: takes the first matching message out of the queue
    /// and returns a message handle for MPI_Mrecv (MPI_MESSAGE_NO_PROC for PROC_NULL).
    pub fn mprobe(
        &mut self,
        comm: &Comm,
        src: i32,
        tag: i32,
        block: bool,
    ) -> MpiResult<Option<(i32, Status)>> {
        MpiRank::check_recv_tag(tag)?;
        if src == abi::MPI_PROC_NULL {
            return Ok(Some((abi::MPI_MESSAGE_NO_PROC, Status::proc_null())));
        }
        if src != abi::MPI_ANY_SOURCE {
            comm.world_rank(src)?;
        }
        let mailbox = self.world.mailbox(self.me)?;
        let taken = self
            .world
            .find(block, || mailbox.take(comm.ctx, src, tag))?;
        Ok(taken.map(|env| {
            let st = transport::envelope_status(&env);
            (self.messages.insert(env), st)
        }))
    }

    /// MPI_Mrecv / MPI_Imrecv: receives a message taken by MPI_Mprobe into `buf`.
    pub fn mrecv(&mut self, handle: i32, buf: TypedBuf) -> MpiResult<Request> {
        if handle == abi::MPI_MESSAGE_NO_PROC {
            return Ok(Request::new(
                ReqState::completed(Status::proc_null()),
                None,
                true,
            ));
        }
        let env = self.messages.remove(handle).ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_ARG,
                format!("invalid message handle {handle:#x}"),
            )
        })?;
        let state = ReqState::new();
        let (target, unpack) = match buf.contiguous() {
            Some(slice) => (Target::Guest(slice), None),
            None => (Target::Host, Some(buf)),
        };
        let posted = Posted {
            ctx: env.ctx,
            src: env.src,
            tag: env.tag,
            target,
            req: state.clone(),
        };
        transport::receive_taken(posted, env);
        Ok(Request::new(state, unpack, true))
    }
}
