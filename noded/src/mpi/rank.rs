//! One rank's MPI state: initialisation, handle tables (communicators, datatypes,
//! requests) and the helpers every chapter uses to resolve handles.

use super::abi::{self, GuestMem};
use super::datatype::{self, Datatype, TypedBuf};
use super::error::{MpiError, MpiResult};
use super::transport::ReqState;
use super::world::World;
use std::sync::Arc;

/// Where a rank is in the MPI life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before MPI_Init.
    Uninitialized,
    /// Between MPI_Init and MPI_Finalize.
    Initialized,
    /// After MPI_Finalize.
    Finalized,
    /// Stands in while a user-defined reduction function runs in the guest (the
    /// real state is lent to the reduction meanwhile); every MPI call fails.
    InUserOp,
}

/// A table of objects named by integer handles of one kind.
#[derive(Debug)]
pub struct Table<T> {
    kind: i32,
    slots: Vec<Option<T>>,
    free: Vec<usize>,
    first_user: usize,
}

impl<T> Table<T> {
    /// A table for handles of `kind` whose predefined objects are `predefined`
    /// (index 0 is the kind's NULL handle); user objects start at `first_user`.
    pub fn new(kind: i32, mut predefined: Vec<Option<T>>, first_user: usize) -> Table<T> {
        predefined.resize_with(first_user.max(predefined.len()), || None);
        Table {
            kind,
            slots: predefined,
            free: Vec::new(),
            first_user,
        }
    }

    /// The object a handle names.
    pub fn get(&self, h: i32) -> Option<&T> {
        if abi::handle_kind(h) != self.kind {
            return None;
        }
        self.slots.get(abi::handle_index(h))?.as_ref()
    }

    /// Mutable access to the object a handle names.
    pub fn get_mut(&mut self, h: i32) -> Option<&mut T> {
        if abi::handle_kind(h) != self.kind {
            return None;
        }
        self.slots.get_mut(abi::handle_index(h))?.as_mut()
    }

    /// Stores an object and returns its new handle.
    pub fn insert(&mut self, v: T) -> i32 {
        let idx = match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(v);
                i
            }
            None => {
                self.slots.push(Some(v));
                self.slots.len() - 1
            }
        };
        self.kind | idx as i32
    }

    /// Removes a user object; predefined objects cannot be removed.
    pub fn remove(&mut self, h: i32) -> Option<T> {
        let idx = abi::handle_index(h);
        if abi::handle_kind(h) != self.kind || idx < self.first_user {
            return None;
        }
        let v = self.slots.get_mut(idx)?.take();
        if v.is_some() {
            self.free.push(idx);
        }
        v
    }
}

/// A communicator as one rank sees it.
#[derive(Debug, Clone)]
pub struct Comm {
    /// Context id for point-to-point traffic; collectives use `ctx + 1`.
    pub ctx: u32,
    /// World ranks of the members, in communicator rank order.
    pub group: Arc<[u32]>,
    /// This rank's rank in the communicator.
    pub rank: u32,
    /// MPI_ERRORS_ARE_FATAL or MPI_ERRORS_RETURN.
    pub errhandler: i32,
    /// Name (MPI_Comm_set_name).
    pub name: Arc<str>,
    /// Cartesian topology, if created with MPI_Cart_create.
    pub cart: Option<Arc<super::comm::Cart>>,
}

impl Comm {
    /// Number of members.
    pub fn size(&self) -> u32 {
        self.group.len() as u32
    }

    /// World rank of communicator rank `r`, checking it exists.
    pub fn world_rank(&self, r: i32) -> MpiResult<u32> {
        usize::try_from(r)
            .ok()
            .and_then(|i| self.group.get(i).copied())
            .ok_or_else(|| {
                MpiError::new(
                    abi::MPI_ERR_RANK,
                    format!("invalid rank {r} (communicator of size {})", self.size()),
                )
            })
    }

    /// The context id collectives use.
    pub fn coll_ctx(&self) -> u32 {
        self.ctx + 1
    }
}

/// A nonblocking operation the guest holds a handle to.
pub struct Request {
    /// Completion state.
    pub state: Arc<ReqState>,
    /// For receives into non-contiguous buffers: where to unpack on completion.
    pub unpack: Option<TypedBuf>,
    /// True for receives (they can be cancelled while unmatched).
    pub is_recv: bool,
    /// For persistent requests (MPI_Send_init, MPI_Recv_init, ...): the
    /// operation MPI_Start repeats, and whether it is active.
    pub persistent: Option<Persistent>,
}

/// A persistent request's operation and activity.
#[derive(Debug, Clone, Copy)]
pub struct Persistent {
    /// What MPI_Start starts.
    pub op: PersistentOp,
    /// Started and not yet completed.
    pub active: bool,
}

/// The arguments a persistent request was created with.
#[derive(Debug, Clone, Copy)]
pub enum PersistentOp {
    /// MPI_Send_init and friends.
    Send(super::p2p::SendArgs),
    /// MPI_Recv_init.
    Recv(super::p2p::RecvArgs),
}

impl Request {
    /// A request for a started, non-persistent operation.
    pub fn new(state: Arc<ReqState>, unpack: Option<TypedBuf>, is_recv: bool) -> Request {
        Request {
            state,
            unpack,
            is_recv,
            persistent: None,
        }
    }

    /// True for a persistent request that is not active: waits treat it like
    /// MPI_REQUEST_NULL.
    pub fn is_inactive(&self) -> bool {
        self.persistent.is_some_and(|p| !p.active)
    }
}

/// Everything MPI about one rank.
pub struct MpiRank {
    /// The job's shared state on this node.
    pub world: Arc<World>,
    /// This rank's world rank.
    pub me: u32,
    /// Init/finalize state.
    pub phase: Phase,
    /// Thread level granted by MPI_Init_thread.
    pub thread_level: i32,
    /// Communicators.
    pub comms: Table<Comm>,
    /// Datatypes.
    pub types: Table<Arc<Datatype>>,
    /// Pending nonblocking operations.
    pub requests: Table<Request>,
    /// Buffer attached for MPI_Bsend: (address, size).
    pub bsend_buffer: Option<(u32, usize)>,
    /// Info objects.
    pub infos: Table<super::info::Info>,
    /// Groups.
    pub groups: Table<super::comm::Group>,
    /// The lowest context id this rank has not used (see `comm::agree_ctx`).
    pub next_ctx: u32,
    /// Messages taken by MPI_Mprobe, awaiting MPI_Mrecv.
    pub messages: Table<super::transport::Envelope>,
    /// User-defined reduction operations (MPI_Op_create).
    pub ops: Table<super::op::UserOp>,
    /// RMA windows.
    pub wins: Table<super::win::Win>,
}

impl MpiRank {
    /// The MPI state of world rank `me`.
    pub fn new(world: Arc<World>, me: u32) -> MpiRank {
        let size = world.size;
        let comm_world = Comm {
            ctx: 0,
            group: (0..size).collect(),
            rank: me,
            errhandler: abi::MPI_ERRORS_ARE_FATAL,
            name: "MPI_COMM_WORLD".into(),
            cart: None,
        };
        let comm_self = Comm {
            ctx: 2,
            group: Arc::from([me].as_slice()),
            rank: 0,
            errhandler: abi::MPI_ERRORS_ARE_FATAL,
            name: "MPI_COMM_SELF".into(),
            cart: None,
        };
        MpiRank {
            world,
            me,
            phase: Phase::Uninitialized,
            thread_level: abi::MPI_THREAD_SINGLE,
            comms: Table::new(
                abi::MPI_COMM_NULL,
                vec![None, Some(comm_world), Some(comm_self)],
                16,
            ),
            types: Table::new(abi::MPI_DATATYPE_NULL, datatype::predefined(), 0x100),
            requests: Table::new(abi::MPI_REQUEST_NULL, vec![None], 1),
            bsend_buffer: None,
            infos: Table::new(abi::MPI_INFO_NULL, vec![None, Some(Default::default())], 2),
            groups: Table::new(
                abi::MPI_GROUP_NULL,
                vec![None, Some(Arc::from([].as_slice()))],
                2,
            ),
            next_ctx: 4,
            messages: Table::new(abi::MPI_MESSAGE_NULL, vec![None, None], 2),
            ops: Table::new(abi::MPI_OP_NULL, Vec::new(), 0x20),
            wins: Table::new(abi::MPI_WIN_NULL, vec![None], 1),
        }
    }

    /// The stand-in state while a user-defined reduction function runs.
    pub fn in_user_op(&self) -> MpiRank {
        let mut r = MpiRank::new(self.world.clone(), self.me);
        r.phase = Phase::InUserOp;
        r
    }

    /// The user-defined op a handle names, or None for any other handle.
    pub fn user_op(&self, h: i32) -> Option<super::op::UserOp> {
        self.ops.get(h).copied()
    }

    /// Fails unless MPI is initialized and not finalized.
    pub fn check_initialized(&self) -> MpiResult<()> {
        match self.phase {
            Phase::Initialized => Ok(()),
            Phase::Uninitialized => {
                Err(MpiError::new(abi::MPI_ERR_OTHER, "called before MPI_Init"))
            }
            Phase::Finalized => Err(MpiError::new(
                abi::MPI_ERR_OTHER,
                "called after MPI_Finalize",
            )),
            Phase::InUserOp => Err(super::env::in_user_op()),
        }
    }

    /// A communicator by handle (cloned: cheap, and frees `self` for the operation).
    pub fn comm(&self, h: i32) -> MpiResult<Comm> {
        self.comms.get(h).cloned().ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_COMM,
                format!("invalid communicator handle {h:#x}"),
            )
        })
    }

    /// The error handler that applies to an error raised on communicator `h`.
    pub fn errhandler(&self, h: i32) -> i32 {
        self.comms
            .get(h)
            .or_else(|| self.comms.get(abi::MPI_COMM_WORLD))
            .map(|c| c.errhandler)
            .unwrap_or(abi::MPI_ERRORS_ARE_FATAL)
    }

    /// MPI_Comm_set_errhandler (predefined handlers only).
    pub fn set_errhandler(&mut self, comm: i32, eh: i32) -> MpiResult<()> {
        if eh != abi::MPI_ERRORS_ARE_FATAL && eh != abi::MPI_ERRORS_RETURN {
            return Err(MpiError::new(
                abi::MPI_ERR_ARG,
                format!("invalid error handler {eh:#x}"),
            ));
        }
        let c = self.comms.get_mut(comm).ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_COMM,
                format!("invalid communicator handle {comm:#x}"),
            )
        })?;
        c.errhandler = eh;
        Ok(())
    }

    /// A datatype by handle.
    pub fn datatype(&self, h: i32) -> MpiResult<Arc<Datatype>> {
        let dt = self.types.get(h).cloned().ok_or_else(|| {
            MpiError::new(abi::MPI_ERR_TYPE, format!("invalid datatype handle {h:#x}"))
        })?;
        if !dt.committed {
            return Err(MpiError::new(
                abi::MPI_ERR_TYPE,
                format!("datatype {h:#x} is not committed (call MPI_Type_commit)"),
            ));
        }
        Ok(dt)
    }

    /// `count` elements of datatype `dt` at guest address `addr`, bounds-checked.
    pub fn buffer(&self, mem: &GuestMem, addr: u32, count: i32, dt: i32) -> MpiResult<TypedBuf> {
        TypedBuf::new(mem, addr, count, self.datatype(dt)?)
    }

    /// Checks a tag a sender may use.
    pub fn check_send_tag(tag: i32) -> MpiResult<()> {
        if tag < 0 {
            return Err(MpiError::new(
                abi::MPI_ERR_TAG,
                format!("invalid tag {tag}"),
            ));
        }
        Ok(())
    }

    /// Checks a tag a receiver may use (`MPI_ANY_TAG` allowed).
    pub fn check_recv_tag(tag: i32) -> MpiResult<()> {
        if tag < 0 && tag != abi::MPI_ANY_TAG {
            return Err(MpiError::new(
                abi::MPI_ERR_TAG,
                format!("invalid tag {tag}"),
            ));
        }
        Ok(())
    }
}
