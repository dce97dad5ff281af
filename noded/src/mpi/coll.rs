//! Collective operations (MPI-3.1 chapter 5), built on point-to-point messages in
//! each communicator's collective context, so they never match user traffic.
//! Reductions combine in rank order, so non-commutative operations are correct.

use super::abi::{self, GuestSlice, Status};
use super::datatype::{Prim, TypedBuf};
use super::error::{MpiError, MpiResult};
use super::op::{self, Op};
use super::rank::{Comm, MpiRank};
use super::transport::{Data, Envelope, Posted, ReqState, Target, EAGER_LIMIT};
use std::sync::Arc;

const TAG_BARRIER: i32 = 1;
const TAG_BCAST: i32 = 2;
const TAG_REDUCE: i32 = 3;

/// A reduction: what to combine and how.
#[derive(Debug, Clone, Copy)]
pub struct Reduction {
    /// The operation.
    pub op: Op,
    /// The primitive elements are made of.
    pub prim: Prim,
}

impl Reduction {
    /// `inout = input op inout`.
    pub fn apply(&self, inout: &mut [u8], input: &[u8]) -> MpiResult<()> {
        op::apply(self.op, self.prim, inout, input)
    }
}

/// The combine step of a reduction on packed elements: a predefined op applied
/// by the host ([`Reduction`]) or a user op that calls back into the guest.
pub trait Combine {
    /// `inout = input op inout`, elementwise on packed data.
    fn combine(&mut self, inout: &mut [u8], input: &[u8]) -> MpiResult<()>;

    /// Whether operands may be combined in any order (predefined ops: yes).
    fn commutative(&self) -> bool {
        true
    }

    /// Whether `a op b` equals `b op a` bit for bit (the predefined ops), so an
    /// accumulator may stand on either side of a combine.
    fn symmetric(&self) -> bool {
        false
    }
}

/// How a communicator's members are spread over nodes, for collectives that
/// send one message per node pair per step.
struct Topology {
    /// Comm ranks on this rank's node, ascending.
    local: Vec<u32>,
    /// The lowest comm rank of each node, ascending.
    leaders: Vec<u32>,
    /// Node index of every comm rank.
    node_of: Vec<usize>,
    /// Each node's ranks form one contiguous range, in node order: combining
    /// node by node then keeps rank order (non-commutative reductions).
    contiguous: bool,
}

/// `me`'s place in the binomial reduction tree over `members` (combined in
/// list order, the result ending at `members[0]`): the members it receives
/// from, in order, then the one it sends to (None for `members[0]`). None if
/// `me` is not a member.
fn binomial_place(members: &[u32], me: u32) -> Option<(Vec<u32>, Option<u32>)> {
    let r = members.iter().position(|m| *m == me)?;
    let mut children = Vec::new();
    let mut mask = 1;
    while mask < members.len() {
        if r & mask != 0 {
            return Some((children, Some(members[r & !mask])));
        }
        if r | mask < members.len() {
            children.push(members[r | mask]);
        }
        mask <<= 1;
    }
    Some((children, None))
}

/// Where a symmetric reduction keeps its running result.
enum Acc {
    /// Still the rank's own send buffer (read, never combined into).
    Mine(GuestSlice),
    /// A host buffer.
    Host(Vec<u8>),
    /// Rank 0's contiguous receive buffer: the result's final place.
    Recv(GuestSlice),
}

impl Acc {
    /// The running result combined with the message `env` (symmetric ops only:
    /// the result is `inout` or `input`, whichever saves a copy).
    fn combine(self, env: Envelope, red: &mut dyn Combine) -> MpiResult<Acc> {
        Ok(match self {
            Acc::Recv(d) => {
                consume(env, |m| d.with_bytes_mut(|a| red.combine(a, m)))?;
                Acc::Recv(d)
            }
            Acc::Host(mut v) => {
                consume(env, |m| red.combine(&mut v, m))?;
                Acc::Host(v)
            }
            Acc::Mine(s) => {
                let mut v = match env.data {
                    Data::Bytes(b) => b,
                    data => consume(Envelope { data, ..env }, <[u8]>::to_vec),
                };
                s.with_bytes(|a| red.combine(&mut v, a))?;
                Acc::Host(v)
            }
        })
    }
}

/// Runs `f` on a taken message's bytes where they lie (a local sender's
/// buffer, or the host copy), then completes the sender's request.
fn consume<R>(env: Envelope, f: impl FnOnce(&[u8]) -> R) -> R {
    let r = match &env.data {
        Data::Bytes(b) => f(b),
        Data::Guest { slice, .. } | Data::Borrowed(slice) => slice.with_bytes(f),
    };
    if let Data::Guest { done, .. } = &env.data {
        done.complete(Status::default());
    }
    if let Some(s) = &env.sync {
        s.complete(Status::default());
    }
    r
}

const TAG_UP: i32 = 20;
const TAG_DOWN: i32 = 21;

impl Combine for Reduction {
    fn combine(&mut self, inout: &mut [u8], input: &[u8]) -> MpiResult<()> {
        self.apply(inout, input)
    }

    fn symmetric(&self) -> bool {
        // Floating-point MIN/MAX keep their second operand on ties (+0 vs -0)
        // and NaN; the other predefined ops give the same bits either way.
        !(matches!(self.op, Op::Max | Op::Min) && matches!(self.prim, Prim::F32 | Prim::F64))
    }
}

impl MpiRank {
    /// Sends host bytes to comm rank `dest` in the collective context.
    fn coll_send(&self, comm: &Comm, dest: u32, tag: i32, data: Vec<u8>) -> MpiResult<()> {
        self.coll_deliver(comm, dest, tag, Data::Bytes(data))
    }

    /// Delivers `data` to comm rank `dest` in the collective context; lent
    /// guest bytes (`Data::Guest`) wait there for the receiver to copy them.
    fn coll_deliver(&self, comm: &Comm, dest: u32, tag: i32, data: Data) -> MpiResult<()> {
        let eager = !matches!(data, Data::Guest { .. });
        let env = Envelope {
            ctx: comm.coll_ctx(),
            src: comm.rank as i32,
            tag,
            data,
            sync: None,
        };
        self.world
            .send(self.me, comm.group[dest as usize], env, eager)
    }

    /// Hands this rank's bytes `slice` to comm rank `dest` in the collective
    /// context: lent above the eager limit (the receiver copies them from here;
    /// `lent` gets the request that completes when it has), else copied as
    /// they are delivered.
    fn hand_slice(
        &self,
        comm: &Comm,
        dest: u32,
        tag: i32,
        slice: GuestSlice,
        lent: &mut Vec<Arc<ReqState>>,
    ) -> MpiResult<()> {
        let data = if slice.len() > EAGER_LIMIT {
            let done = ReqState::new();
            lent.push(done.clone());
            Data::Guest { slice, done }
        } else {
            Data::Borrowed(slice)
        };
        self.coll_deliver(comm, dest, tag, data)
    }

    /// [`MpiRank::hand_slice`] for a buffer: its bytes in place when
    /// contiguous, else a packed copy.
    fn hand(
        &self,
        comm: &Comm,
        dest: u32,
        tag: i32,
        buf: &TypedBuf,
        lent: &mut Vec<Arc<ReqState>>,
    ) -> MpiResult<()> {
        match buf.contiguous() {
            Some(slice) => self.hand_slice(comm, dest, tag, slice, lent),
            None => self.coll_deliver(comm, dest, tag, Data::Bytes(buf.pack())),
        }
    }

    /// Waits until every receiver has copied what this rank lent it.
    fn wait_lent(&self, lent: &[Arc<ReqState>]) -> MpiResult<()> {
        self.world.block_until(|| lent.iter().all(|d| d.is_done()))
    }

    /// Receives host bytes from comm rank `src` in the collective context.
    fn coll_recv(&self, comm: &Comm, src: u32, tag: i32) -> MpiResult<Vec<u8>> {
        let req = ReqState::new();
        self.world.mailbox(self.me)?.post(Posted {
            ctx: comm.coll_ctx(),
            src: src as i32,
            tag,
            target: Target::Host,
            req: req.clone(),
        });
        self.block_on(&req)?;
        Ok(req.take_data())
    }

    /// The communicator's spread over nodes, if it spans more than one.
    fn topology(&self, comm: &Comm) -> Option<Topology> {
        let node_of: Vec<usize> = comm
            .group
            .iter()
            .map(|w| self.world.node_index(*w))
            .collect();
        let mine = node_of[comm.rank as usize];
        if node_of.iter().all(|n| *n == mine) {
            return None;
        }
        let local = (0..comm.size())
            .filter(|r| node_of[*r as usize] == mine)
            .collect();
        let mut seen = std::collections::HashSet::new();
        let leaders = (0..comm.size())
            .filter(|r| seen.insert(node_of[*r as usize]))
            .collect::<Vec<u32>>();
        let changes = node_of.windows(2).filter(|w| w[0] != w[1]).count();
        let contiguous = changes + 1 == leaders.len();
        Some(Topology {
            local,
            leaders,
            node_of,
            contiguous,
        })
    }

    /// Binomial-tree reduction over `members` (comm ranks, combined in list
    /// order); the result ends at `members[0]`.
    fn list_reduce(
        &self,
        comm: &Comm,
        members: &[u32],
        mut acc: Vec<u8>,
        red: &mut dyn Combine,
        tag: i32,
    ) -> MpiResult<Option<Vec<u8>>> {
        let Some((children, parent)) = binomial_place(members, comm.rank) else {
            return Ok(None);
        };
        for child in children {
            // acc covers the ranks before the child's, the message the child's
            // and after: result = acc op msg, i.e. inout = msg, in = acc.
            let mut msg = self.coll_recv(comm, child, tag)?;
            red.combine(&mut msg, &acc)?;
            acc = msg;
        }
        match parent {
            Some(p) => self.coll_send(comm, p, tag, acc).map(|_| None),
            None => Ok(Some(acc)),
        }
    }

    /// Binomial-tree broadcast over `members` from `members[root]`.
    fn list_bcast(
        &self,
        comm: &Comm,
        members: &[u32],
        root: usize,
        data: Option<Vec<u8>>,
        tag: i32,
    ) -> MpiResult<Vec<u8>> {
        let p = members.len();
        let me = members
            .iter()
            .position(|m| *m == comm.rank)
            .expect("caller is a member");
        let vr = (me + p - root) % p;
        let mut data = data.unwrap_or_default();
        let mut mask = 1;
        while mask < p {
            if vr & mask != 0 {
                data = self.coll_recv(comm, members[(vr - mask + root) % p], tag)?;
                break;
            }
            mask <<= 1;
        }
        mask >>= 1;
        while mask > 0 {
            if vr + mask < p {
                self.coll_send(comm, members[(vr + mask + root) % p], tag, data.clone())?;
            }
            mask >>= 1;
        }
        Ok(data)
    }

    /// MPI_Barrier: dissemination, ceil(log2 p) rounds; across nodes, a fan-in to
    /// each node's leader, dissemination among the leaders, and a fan-out.
    pub fn barrier(&self, comm: &Comm) -> MpiResult<()> {
        if let Some(t) = self.topology(comm) {
            let leader = t.local[0];
            if comm.rank != leader {
                self.coll_send(comm, leader, TAG_UP, Vec::new())?;
                self.coll_recv(comm, leader, TAG_DOWN)?;
                return Ok(());
            }
            for &m in &t.local[1..] {
                self.coll_recv(comm, m, TAG_UP)?;
            }
            let l = t.leaders.len();
            let i = t
                .leaders
                .iter()
                .position(|x| *x == comm.rank)
                .expect("a leader");
            let mut k = 1;
            while k < l {
                self.coll_send(comm, t.leaders[(i + k) % l], TAG_BARRIER, Vec::new())?;
                self.coll_recv(comm, t.leaders[(i + l - k) % l], TAG_BARRIER)?;
                k <<= 1;
            }
            for &m in &t.local[1..] {
                self.coll_send(comm, m, TAG_DOWN, Vec::new())?;
            }
            return Ok(());
        }
        let p = comm.size();
        let mut k = 1;
        while k < p {
            self.coll_send(comm, (comm.rank + k) % p, TAG_BARRIER, Vec::new())?;
            self.coll_recv(comm, (comm.rank + p - k) % p, TAG_BARRIER)?;
            k <<= 1;
        }
        Ok(())
    }

    fn check_root(comm: &Comm, root: i32) -> MpiResult<u32> {
        u32::try_from(root)
            .ok()
            .filter(|r| *r < comm.size())
            .ok_or_else(|| {
                MpiError::new(
                    abi::MPI_ERR_ROOT,
                    format!("invalid root {root} (communicator of size {})", comm.size()),
                )
            })
    }

    /// Broadcasts packed bytes from `root` along a binomial tree; returns them on every rank.
    fn bcast_bytes(&self, comm: &Comm, root: u32, data: Option<Vec<u8>>) -> MpiResult<Vec<u8>> {
        self.bcast_bytes_tagged(comm, root, data, TAG_BCAST)
    }

    fn bcast_bytes_tagged(
        &self,
        comm: &Comm,
        root: u32,
        data: Option<Vec<u8>>,
        tag: i32,
    ) -> MpiResult<Vec<u8>> {
        if let Some(t) = self.topology(comm) {
            // The root stands in as its node's leader: leaders first (one message
            // per node pair), then each leader to its node.
            let root_node = t.node_of[root as usize];
            let lead = |l: u32| {
                if t.node_of[l as usize] == root_node {
                    root
                } else {
                    l
                }
            };
            let leaders: Vec<u32> = t.leaders.iter().map(|l| lead(*l)).collect();
            let my_leader = lead(t.local[0]);
            let mut data = data;
            if comm.rank == my_leader {
                let pos = leaders.iter().position(|l| *l == root).expect("root leads");
                data = Some(self.list_bcast(comm, &leaders, pos, data, tag)?);
            }
            let pos = t
                .local
                .iter()
                .position(|l| *l == my_leader)
                .expect("leader is local");
            return self.list_bcast(comm, &t.local, pos, data, tag);
        }
        let p = comm.size();
        let vr = (comm.rank + p - root) % p;
        let mut data = data.unwrap_or_default();
        let mut mask = 1;
        while mask < p {
            if vr & mask != 0 {
                data = self.coll_recv(comm, (vr - mask + root) % p, tag)?;
                break;
            }
            mask <<= 1;
        }
        mask >>= 1;
        while mask > 0 {
            if vr + mask < p {
                self.coll_send(comm, (vr + mask + root) % p, tag, data.clone())?;
            }
            mask >>= 1;
        }
        Ok(data)
    }

    /// MPI_Bcast.
    pub fn bcast(&self, comm: &Comm, buf: &TypedBuf, root: i32) -> MpiResult<()> {
        let root = Self::check_root(comm, root)?;
        if comm.size() > 1 && self.topology(comm).is_none() {
            return self.bcast_local(comm, buf, root);
        }
        if comm.rank == root {
            self.bcast_bytes(comm, root, Some(buf.pack()))?;
        } else {
            let data = self.bcast_bytes(comm, root, None)?;
            buf.unpack(&data);
        }
        Ok(())
    }

    /// Reduces packed contributions to rank 0 of `comm` along a binomial tree,
    /// combining in rank order; returns the result on rank 0.
    fn reduce_to_zero(
        &self,
        comm: &Comm,
        acc: Vec<u8>,
        red: &mut dyn Combine,
    ) -> MpiResult<Option<Vec<u8>>> {
        self.reduce_to_zero_tagged(comm, acc, red, TAG_REDUCE)
    }

    fn reduce_to_zero_tagged(
        &self,
        comm: &Comm,
        acc: Vec<u8>,
        red: &mut dyn Combine,
        tag: i32,
    ) -> MpiResult<Option<Vec<u8>>> {
        let mut acc = Some(acc);
        for members in self.reduce_lists(comm, &*red) {
            match acc {
                Some(a) => acc = self.list_reduce(comm, &members, a, red, tag)?,
                None => break,
            }
        }
        Ok(acc)
    }

    /// The member lists a reduction to rank 0 walks, one binomial tree after the
    /// other: within each node in rank order, then across the nodes' leaders in
    /// rank order (rank 0 leads the first node), one message per node pair per
    /// step; on one node, or when a non-commutative op's ranks are not grouped
    /// by node, one tree over all ranks.
    fn reduce_lists(&self, comm: &Comm, red: &dyn Combine) -> Vec<Vec<u32>> {
        match self
            .topology(comm)
            .filter(|t| t.contiguous || red.commutative())
        {
            Some(t) => vec![t.local, t.leaders],
            None => vec![(0..comm.size()).collect()],
        }
    }

    /// Waits for the first collective message from comm rank `src` with `tag`
    /// and takes it as it arrived (a local sender's large buffer stays in the
    /// sender's memory until [`consume`] is done with it).
    fn coll_take(&self, comm: &Comm, src: u32, tag: i32) -> MpiResult<Envelope> {
        let mailbox = self.world.mailbox(self.me)?;
        let ctx = comm.coll_ctx();
        let mut env = None;
        self.world.block_until(|| {
            env = mailbox.take(ctx, src as i32, tag);
            env.is_some()
        })?;
        Ok(env.expect("block_until returned: a message was taken"))
    }

    /// MPI_Reduce with a symmetric operation (every predefined one): the same
    /// tree and message order as [`MpiRank::reduce_to_zero`], with fewer copies.
    /// A rank's own contribution is sent straight from its send buffer; a
    /// message is combined where it lies (in the sender's memory on this node)
    /// into the running result; rank 0 as the root accumulates in its
    /// contiguous receive buffer. `mine` holds this rank's contribution.
    fn reduce_symmetric(
        &self,
        comm: &Comm,
        mine: &TypedBuf,
        recv: Option<&TypedBuf>,
        red: &mut dyn Combine,
        root: u32,
    ) -> MpiResult<()> {
        let dst = recv
            .filter(|_| comm.rank == 0 && root == 0)
            .and_then(TypedBuf::contiguous)
            .filter(|d| d.len() == mine.packed_len());
        let mut acc = match (dst, mine.contiguous()) {
            (Some(d), Some(s)) => {
                if s.as_ptr() != d.as_ptr() {
                    d.copy_from(0, &s, 0, s.len());
                }
                Acc::Recv(d)
            }
            (Some(d), None) => {
                d.write_from(0, &mine.pack());
                Acc::Recv(d)
            }
            (None, Some(s)) => Acc::Mine(s),
            (None, None) => Acc::Host(mine.pack()),
        };
        for members in self.reduce_lists(comm, &*red) {
            let Some((children, parent)) = binomial_place(&members, comm.rank) else {
                continue;
            };
            for child in children {
                let env = self.coll_take(comm, child, TAG_REDUCE)?;
                acc = acc.combine(env, red)?;
            }
            if let Some(p) = parent {
                self.send_acc(comm, p, acc)?;
                if comm.rank == root {
                    let res = self.coll_recv(comm, 0, TAG_REDUCE)?;
                    if let Some(r) = recv {
                        r.unpack(&res);
                    }
                }
                return Ok(());
            }
        }
        // Rank 0: the result, for the root.
        let result = match acc {
            Acc::Recv(_) => return Ok(()),
            Acc::Mine(s) => s.to_vec(),
            Acc::Host(v) => v,
        };
        if root == 0 {
            if let Some(r) = recv {
                r.unpack(&result);
            }
            return Ok(());
        }
        self.coll_send(comm, root, TAG_REDUCE, result)
    }

    /// Sends a reduction's running result up the tree to comm rank `dest`; a
    /// large contribution still in the send buffer goes by rendezvous (the
    /// parent combines it from there; this rank waits until it has).
    fn send_acc(&self, comm: &Comm, dest: u32, acc: Acc) -> MpiResult<()> {
        match acc {
            Acc::Mine(s) => {
                let mut lent = Vec::new();
                self.hand_slice(comm, dest, TAG_REDUCE, s, &mut lent)?;
                self.wait_lent(&lent)
            }
            Acc::Host(v) => self.coll_send(comm, dest, TAG_REDUCE, v),
            Acc::Recv(_) => unreachable!("only rank 0 accumulates in its receive buffer"),
        }
    }

    /// MPI_Reduce. `send` is None for MPI_IN_PLACE at the root.
    pub fn reduce(
        &self,
        comm: &Comm,
        send: Option<&TypedBuf>,
        recv: Option<&TypedBuf>,
        red: &mut dyn Combine,
        root: i32,
    ) -> MpiResult<()> {
        let root = Self::check_root(comm, root)?;
        let mine = match (send, recv) {
            (Some(s), _) => s,
            (None, Some(r)) if comm.rank == root => r,
            _ => {
                return Err(MpiError::new(
                    abi::MPI_ERR_BUFFER,
                    "MPI_IN_PLACE is only valid at the root",
                ))
            }
        };
        if red.symmetric() {
            return self.reduce_symmetric(comm, mine, recv, red, root);
        }
        let result = self.reduce_to_zero(comm, mine.pack(), red)?;
        if root == 0 {
            if let (Some(res), Some(r)) = (result, recv.filter(|_| comm.rank == 0)) {
                r.unpack(&res);
            }
            return Ok(());
        }
        if let Some(res) = result {
            self.coll_send(comm, root, TAG_REDUCE, res)?;
        }
        if comm.rank == root {
            let res = self.coll_recv(comm, 0, TAG_REDUCE)?;
            if let Some(r) = recv {
                r.unpack(&res);
            }
        }
        Ok(())
    }

    /// MPI_Allreduce. `send` is None for MPI_IN_PLACE.
    pub fn allreduce(
        &self,
        comm: &Comm,
        send: Option<&TypedBuf>,
        recv: &TypedBuf,
        red: &mut dyn Combine,
    ) -> MpiResult<()> {
        if red.symmetric() && comm.size() > 1 && self.topology(comm).is_none() {
            // The result lands in rank 0's receive buffer; everyone copies it
            // from there.
            self.reduce_symmetric(comm, send.unwrap_or(recv), Some(recv), red, 0)?;
            return self.bcast_local(comm, recv, 0);
        }
        let input = match send {
            Some(s) => s.pack(),
            None => recv.pack(),
        };
        let result = self.reduce_to_zero(comm, input, red)?;
        let data = self.bcast_bytes(comm, 0, result)?;
        recv.unpack(&data);
        Ok(())
    }

    /// Bcast among ranks of one node: the root hands every other rank its
    /// buffer and each copies it into its own. A large contiguous buffer is
    /// lent (each rank copies straight from the root's memory; the root waits
    /// until all have); a small one is copied as it is delivered.
    fn bcast_local(&self, comm: &Comm, buf: &TypedBuf, root: u32) -> MpiResult<()> {
        if comm.rank != root {
            let env = self.coll_take(comm, root, TAG_BCAST_LOCAL)?;
            consume(env, |bytes| buf.unpack(bytes));
            return Ok(());
        }
        let mut lent = Vec::new();
        for dest in (0..comm.size()).filter(|d| *d != root) {
            self.hand(comm, dest, TAG_BCAST_LOCAL, buf, &mut lent)?;
        }
        self.wait_lent(&lent)
    }

    /// Allreduce of host bytes (used to agree on values, e.g. context ids).
    pub fn allreduce_bytes(
        &self,
        comm: &Comm,
        input: Vec<u8>,
        mut red: Reduction,
    ) -> MpiResult<Vec<u8>> {
        let result = self.reduce_to_zero(comm, input, &mut red)?;
        self.bcast_bytes(comm, 0, result)
    }

    /// Like `allreduce_bytes`, with its own (negative, internal) tag pair.
    pub fn allreduce_bytes_tagged(
        &self,
        comm: &Comm,
        input: Vec<u8>,
        mut red: Reduction,
        tag: i32,
    ) -> MpiResult<Vec<u8>> {
        let result = self.reduce_to_zero_tagged(comm, input, &mut red, tag)?;
        self.bcast_bytes_tagged(comm, 0, result, tag - 1)
    }

    /// Allgather of equal-sized host byte strings, concatenated in rank order.
    pub fn allgather_bytes(&self, comm: &Comm, mine: Vec<u8>) -> MpiResult<Vec<u8>> {
        let pieces = self.gather_pieces(comm, mine, 0)?;
        let all = self.bcast_bytes(comm, 0, pieces.map(|p| encode_pieces(&p)))?;
        Ok(decode_pieces(&all)?.concat())
    }

    /// Every rank's bytes, in rank order, at `root` (None elsewhere). Across
    /// nodes, each node's pieces travel to the root in one message from its
    /// leader (the root leads its own node).
    fn gather_pieces(
        &self,
        comm: &Comm,
        mine: Vec<u8>,
        root: u32,
    ) -> MpiResult<Option<Vec<Vec<u8>>>> {
        let p = comm.size() as usize;
        let Some(t) = self.topology(comm) else {
            if comm.rank != root {
                self.coll_send(comm, root, TAG_GATHER, mine)?;
                return Ok(None);
            }
            let mut pieces = Vec::with_capacity(p);
            for r in 0..comm.size() {
                pieces.push(if r == root {
                    Vec::new()
                } else {
                    self.coll_recv(comm, r, TAG_GATHER)?
                });
            }
            pieces[root as usize] = mine;
            return Ok(Some(pieces));
        };
        let root_node = t.node_of[root as usize];
        let leader = if t.node_of[comm.rank as usize] == root_node {
            root
        } else {
            t.local[0]
        };
        if comm.rank != leader {
            self.coll_send(comm, leader, TAG_GATHER, mine)?;
            return Ok(None);
        }
        // This node's pieces, tagged with their ranks.
        let mut tagged: Vec<Vec<u8>> = Vec::with_capacity(t.local.len());
        for &r in &t.local {
            let data = if r == comm.rank {
                mine.clone()
            } else {
                self.coll_recv(comm, r, TAG_GATHER)?
            };
            tagged.push([r.to_le_bytes().as_slice(), &data].concat());
        }
        if comm.rank != root {
            return self
                .coll_send(comm, root, TAG_GATHER_NODE, encode_pieces(&tagged))
                .map(|_| None);
        }
        let mut pieces = vec![Vec::new(); p];
        let mut place = |tagged: &[u8]| -> MpiResult<()> {
            let r = tagged
                .get(..4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
                .filter(|r| *r < p)
                .ok_or_else(|| MpiError::new(abi::MPI_ERR_INTERN, "corrupt gather message"))?;
            pieces[r] = tagged[4..].to_vec();
            Ok(())
        };
        for piece in &tagged {
            place(piece)?;
        }
        for &l in &t.leaders {
            if t.node_of[l as usize] == root_node {
                continue;
            }
            let msg = self.coll_recv(comm, l, TAG_GATHER_NODE)?;
            for piece in decode_pieces(&msg)? {
                place(piece)?;
            }
        }
        Ok(Some(pieces))
    }

    /// Resolves an op handle and datatype into a reduction, checking they fit.
    pub fn reduction(&self, op: i32, dt: i32) -> MpiResult<Reduction> {
        let op = Op::from_handle(op).ok_or_else(|| {
            MpiError::new(abi::MPI_ERR_OP, format!("invalid operation handle {op:#x}"))
        })?;
        let dt = self.datatype(dt)?;
        let (prim, _) = dt.prim.ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_OP,
                format!("{} needs a datatype made of one predefined type", op.name()),
            )
        })?;
        // Reject undefined combinations up front, on every rank alike.
        let probe = vec![0u8; prim.size()];
        op::apply(op, prim, &mut probe.clone(), &probe)?;
        Ok(Reduction { op, prim })
    }
}

const TAG_GATHER: i32 = 4;
const TAG_GATHER_NODE: i32 = 8;
const TAG_SCATTER: i32 = 5;
const TAG_ALLTOALL: i32 = 6;
const TAG_SCAN: i32 = 7;
const TAG_ALLGATHER: i32 = 9;
const TAG_BCAST_LOCAL: i32 = 10;

impl MpiRank {
    /// MPI_Gather(v): every rank's packed `send` lands in the root's `slots[rank]`.
    /// `send` is None for MPI_IN_PLACE at the root; `slots` is None off the root.
    pub fn gatherv(
        &self,
        comm: &Comm,
        send: Option<&TypedBuf>,
        slots: Option<&[TypedBuf]>,
        root: i32,
    ) -> MpiResult<()> {
        let root = Self::check_root(comm, root)?;
        let mine = send.map(|s| s.pack()).unwrap_or_default();
        let Some(pieces) = self.gather_pieces(comm, mine, root)? else {
            return Ok(());
        };
        let slots = slots.expect("root has receive slots");
        for (r, data) in pieces.iter().enumerate() {
            if r as u32 == root && send.is_none() {
                continue; // MPI_IN_PLACE: the root's data is already in place
            }
            check_fits(&slots[r], data.len(), r as u32)?;
            slots[r].unpack(data);
        }
        Ok(())
    }

    /// MPI_Scatter(v): the root's `slots[rank]` lands in each rank's `recv`.
    /// `recv` is None for MPI_IN_PLACE at the root.
    pub fn scatterv(
        &self,
        comm: &Comm,
        slots: Option<&[TypedBuf]>,
        recv: Option<&TypedBuf>,
        root: i32,
    ) -> MpiResult<()> {
        let root = Self::check_root(comm, root)?;
        if comm.rank == root {
            let slots = slots.expect("root has send slots");
            for r in (0..comm.size()).filter(|r| *r != root) {
                self.coll_send(comm, r, TAG_SCATTER, slots[r as usize].pack())?;
            }
            if let Some(rb) = recv {
                rb.unpack(&slots[root as usize].pack());
            }
            return Ok(());
        }
        let data = self.coll_recv(comm, root, TAG_SCATTER)?;
        if let Some(rb) = recv {
            check_fits(rb, data.len(), root)?;
            rb.unpack(&data);
        }
        Ok(())
    }

    /// A personalised exchange among ranks of one node (Allgather(v),
    /// Alltoall(v/w)): every rank hands `out(d)` to each other rank `d` and
    /// copies what every other rank handed it into its own `slots`. A large
    /// contiguous buffer is lent (copied once, straight from the sender's
    /// memory; the sender waits until all have copied it); a small one is
    /// copied as it is delivered, so no rank waits for a slower one to read
    /// it. `own` is copied into this rank's own slot (None: in place).
    fn exchange_local<'b>(
        &self,
        comm: &Comm,
        out: impl Fn(u32) -> &'b TypedBuf,
        own: Option<&TypedBuf>,
        slots: &[TypedBuf],
        tag: i32,
    ) -> MpiResult<()> {
        let mut lent = Vec::with_capacity(slots.len());
        for dest in (0..comm.size()).filter(|d| *d != comm.rank) {
            self.hand(comm, dest, tag, out(dest), &mut lent)?;
        }
        // Every message is consumed even after an error, so no sender waits
        // forever for its buffer; the first error is returned.
        let mut result = Ok(());
        for src in (0..comm.size()).filter(|s| *s != comm.rank) {
            let env = self.coll_take(comm, src, tag)?;
            let slot = &slots[src as usize];
            let r = consume(env, |bytes| {
                check_fits(slot, bytes.len(), src)?;
                slot.unpack(bytes);
                Ok(())
            });
            result = result.and(r);
        }
        if let Some(own) = own {
            let slot = &slots[comm.rank as usize];
            let r = check_fits(slot, own.packed_len(), comm.rank);
            if r.is_ok() {
                match (own.contiguous(), slot.contiguous()) {
                    (Some(from), Some(to)) => to.copy_from(0, &from, 0, from.len()),
                    _ => slot.unpack(&own.pack()),
                }
            }
            result = result.and(r);
        }
        self.wait_lent(&lent)?;
        result
    }

    pub fn allgatherv(
        &self,
        comm: &Comm,
        send: Option<&TypedBuf>,
        slots: &[TypedBuf],
    ) -> MpiResult<()> {
        if comm.size() > 1 && self.topology(comm).is_none() {
            let mine = send.unwrap_or(&slots[comm.rank as usize]);
            return self.exchange_local(comm, |_| mine, send, slots, TAG_ALLGATHER);
        }
        let mine = match send {
            Some(s) => s.pack(),
            None => slots[comm.rank as usize].pack(),
        };
        let pieces = self.gather_pieces(comm, mine, 0)?;
        let all = self.bcast_bytes(comm, 0, pieces.map(|p| encode_pieces(&p)))?;
        for (r, piece) in decode_pieces(&all)?.into_iter().enumerate() {
            check_fits(&slots[r], piece.len(), r as u32)?;
            slots[r].unpack(piece);
        }
        Ok(())
    }

    /// MPI_Alltoall(v/w): `send[r]` goes to rank r, whose `recv[me]` receives it.
    pub fn alltoallv(
        &self,
        comm: &Comm,
        send: Option<&[TypedBuf]>,
        recv: &[TypedBuf],
    ) -> MpiResult<()> {
        if let Some(send) = send.filter(|_| comm.size() > 1 && self.topology(comm).is_none()) {
            let own = &send[comm.rank as usize];
            return self.exchange_local(comm, |d| &send[d as usize], Some(own), recv, TAG_ALLTOALL);
        }
        let send = send.unwrap_or(recv);
        let me = comm.rank;
        let p = comm.size();
        let outgoing: Vec<Vec<u8>> = send.iter().map(|s| s.pack()).collect();
        for k in 1..p {
            let to = (me + k) % p;
            self.coll_send(comm, to, TAG_ALLTOALL, outgoing[to as usize].clone())?;
        }
        recv[me as usize].unpack(&outgoing[me as usize]);
        for k in 1..p {
            let from = (me + p - k) % p;
            let data = self.coll_recv(comm, from, TAG_ALLTOALL)?;
            check_fits(&recv[from as usize], data.len(), from)?;
            recv[from as usize].unpack(&data);
        }
        Ok(())
    }

    /// MPI_Reduce_scatter(_block): reduce the whole vector, then scatter block r to rank r.
    /// `input` is the packed vector; `counts` the elements per rank.
    pub fn reduce_scatter(
        &self,
        comm: &Comm,
        input: Vec<u8>,
        counts: &[usize],
        elem: usize,
        recv: &TypedBuf,
        red: &mut dyn Combine,
    ) -> MpiResult<()> {
        let result = self.reduce_to_zero(comm, input, red)?;
        if comm.rank == 0 {
            let full = result.expect("rank 0 holds the result");
            let mut off = 0;
            for (r, n) in counts.iter().enumerate() {
                let piece = full[off..off + n * elem].to_vec();
                off += n * elem;
                if r == 0 {
                    recv.unpack(&piece);
                } else {
                    self.coll_send(comm, r as u32, TAG_SCATTER, piece)?;
                }
            }
        } else {
            let piece = self.coll_recv(comm, 0, TAG_SCATTER)?;
            recv.unpack(&piece);
        }
        Ok(())
    }

    /// MPI_Scan (inclusive) and MPI_Exscan (exclusive): a chain in rank order.
    pub fn scan(
        &self,
        comm: &Comm,
        input: Vec<u8>,
        recv: &TypedBuf,
        red: &mut dyn Combine,
        exclusive: bool,
    ) -> MpiResult<()> {
        let r = comm.rank;
        let acc = if r > 0 {
            Some(self.coll_recv(comm, r - 1, TAG_SCAN)?)
        } else {
            None
        };
        let mut upto_me = input;
        if let Some(prev) = &acc {
            // prefix(0..r) op mine: inout = mine, in = prefix.
            red.combine(&mut upto_me, prev)?;
        }
        if r + 1 < comm.size() {
            self.coll_send(comm, r + 1, TAG_SCAN, upto_me.clone())?;
        }
        match (exclusive, acc) {
            (false, _) => recv.unpack(&upto_me),
            (true, Some(prev)) => recv.unpack(&prev),
            (true, None) => {}
        }
        Ok(())
    }
}

fn check_fits(slot: &TypedBuf, len: usize, from: u32) -> MpiResult<()> {
    if len > slot.packed_len() {
        return Err(MpiError::new(
            abi::MPI_ERR_TRUNCATE,
            format!(
                "{len} bytes from rank {from} do not fit the {} bytes of its receive buffer",
                slot.packed_len()
            ),
        ));
    }
    Ok(())
}

/// Length-prefixed concatenation of byte pieces.
fn encode_pieces(pieces: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pieces.iter().map(|p| p.len() + 8).sum());
    for p in pieces {
        out.extend_from_slice(&(p.len() as u64).to_le_bytes());
        out.extend_from_slice(p);
    }
    out
}

fn decode_pieces(mut data: &[u8]) -> MpiResult<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let corrupt = || MpiError::new(abi::MPI_ERR_INTERN, "corrupt allgather message");
        let len = u64::from_le_bytes(
            data.get(..8)
                .ok_or_else(corrupt)?
                .try_into()
                .expect("8 bytes"),
        ) as usize;
        let piece = data.get(8..8 + len).ok_or_else(corrupt)?;
        out.push(piece);
        data = &data[8 + len..];
    }
    Ok(out)
}
