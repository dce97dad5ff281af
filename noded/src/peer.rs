//! Messages between ranks on different nodes.
//!
//! Every noded serves the `Peer` interface (node.capnp). A job's `World` holds a
//! [`RemoteLink`]: for each world rank, which node runs it, and a channel to the
//! task that owns the connection to that node (one connection per node pair, so
//! messages from one node to another stay in order, which MPI's non-overtaking
//! rule needs). A rank thread that sends to a remote rank turns the message into
//! bytes (one copy out of its linear memory) and queues it; the receiving noded
//! puts it into the destination rank's mailbox, where matching happens exactly as
//! for local messages (ANY_SOURCE included). Payloads travel in pieces of at most
//! [`PIECE`] bytes, far below capnp's traversal limit. A synchronous send (or a
//! large standard one, as locally) completes when the receiver acknowledges the
//! match.

use crate::mpi::abi::Status;
use crate::mpi::error::{MpiError, MpiResult};
use crate::mpi::transport::{Data, Envelope, ReqState};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;

/// Largest piece of a message's payload in one `PeerMessage`.
pub const PIECE: usize = 4 << 20;

/// One `PeerMessage` on the host side.
#[derive(Debug, Clone, Default)]
pub struct Wire {
    /// Job.
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
    /// Payload piece (a zero-copy slice of the message's bytes).
    pub data: bytes::Bytes,
    /// More pieces follow.
    pub more: bool,
    /// Synchronous send id (0 = none).
    pub sync_id: u64,
    /// Acknowledges synchronous send `ack_for` (0 = not an ack); with data, the
    /// reply to one-sided request `ack_for`.
    pub ack_for: u64,
    /// A one-sided request, served by the target's noded.
    pub rma: bool,
}

/// How a job's ranks on this node reach its ranks on other nodes.
pub struct RemoteLink {
    job_id: u64,
    /// Node index of every world rank.
    node_of: Vec<usize>,
    /// Outgoing queue per node index (None for this node).
    outbound: Vec<Option<UnboundedSender<Wire>>>,
    /// Sends waiting for the receiver's acknowledgement.
    pending: Mutex<HashMap<u64, Arc<ReqState>>>,
    next_id: AtomicU64,
    /// Pieces received so far of a message, per sending world rank.
    partial: Mutex<HashMap<u32, Vec<u8>>>,
}

impl RemoteLink {
    /// A link for `job_id`: `node_of[rank]` indexes `outbound`.
    pub fn new(
        job_id: u64,
        node_of: Vec<usize>,
        outbound: Vec<Option<UnboundedSender<Wire>>>,
    ) -> RemoteLink {
        RemoteLink {
            job_id,
            node_of,
            outbound,
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            partial: Mutex::new(HashMap::new()),
        }
    }

    /// Index (in the job's node list) of the node running world rank `rank`.
    pub fn node_index(&self, rank: u32) -> usize {
        self.node_of.get(rank as usize).copied().unwrap_or(0)
    }

    fn queue(&self, to_rank: u32) -> MpiResult<&UnboundedSender<Wire>> {
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

    /// Sends `env` from world rank `from` to world rank `to` on another node.
    /// `eager` completes a send that references the sender's buffer at once;
    /// otherwise it completes when the receiver has matched it.
    pub fn send(&self, from: u32, to: u32, env: Envelope, eager: bool) -> MpiResult<()> {
        let q = self.queue(to)?;
        let Envelope {
            ctx,
            src,
            tag,
            data,
            sync,
        } = env;
        let (bytes, wait) = match data {
            Data::Bytes(b) => (b, sync),
            Data::Guest { slice, done } => {
                let b = slice.to_vec();
                if eager {
                    done.complete(Status::default());
                    (b, sync)
                } else {
                    (b, Some(done))
                }
            }
        };
        let sync_id = match wait {
            Some(state) => {
                let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                self.pending.lock().expect("pending lock").insert(id, state);
                id
            }
            None => 0,
        };
        let bytes = bytes::Bytes::from(bytes);
        // At least one piece, so an empty message travels too.
        let pieces = bytes.len().div_ceil(PIECE).max(1);
        for k in 0..pieces {
            let piece = bytes.slice(k * PIECE..((k + 1) * PIECE).min(bytes.len()));
            q.send(Wire {
                job_id: self.job_id,
                dst: to,
                src_world: from,
                ctx,
                src,
                tag,
                data: piece,
                more: k + 1 < pieces,
                sync_id,
                ..Wire::default()
            })
            .map_err(|_| {
                MpiError::new(
                    crate::mpi::abi::MPI_ERR_OTHER,
                    format!("the connection to rank {to}'s node is closed"),
                )
            })?;
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
        let q = self.queue(to)?;
        let state = ReqState::new();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.pending
            .lock()
            .expect("pending lock")
            .insert(id, state.clone());
        q.send(Wire {
            job_id: self.job_id,
            dst: to,
            src_world: from,
            data: req.into(),
            sync_id: id,
            rma: true,
            ..Wire::default()
        })
        .map_err(|_| {
            MpiError::new(
                crate::mpi::abi::MPI_ERR_OTHER,
                format!("the connection to rank {to}'s node is closed"),
            )
        })?;
        crate::mpi::transport::block_until(|| state.is_done(), stopped)?;
        Ok(state.take_data())
    }

    /// Answers one-sided request `id` from world rank `to`.
    pub fn reply(&self, from: u32, to: u32, id: u64, data: Vec<u8>) {
        if let Ok(q) = self.queue(to) {
            let _ = q.send(Wire {
                job_id: self.job_id,
                dst: to,
                src_world: from,
                ack_for: id,
                data: data.into(),
                ..Wire::default()
            });
        }
    }

    /// Handles a message from another node: an acknowledgement completes the
    /// waiting send; a (last) piece becomes an envelope for the destination's
    /// mailbox, returned with its destination.
    pub fn receive(self: &Arc<Self>, w: Wire) -> Option<(u32, Envelope)> {
        if w.ack_for != 0 {
            if let Some(state) = self
                .pending
                .lock()
                .expect("pending lock")
                .remove(&w.ack_for)
            {
                state.set_data(Vec::from(w.data));
                state.complete(Status::default());
            }
            return None;
        }
        let data = {
            let mut partial = self.partial.lock().expect("partial lock");
            if w.more {
                partial
                    .entry(w.src_world)
                    .or_default()
                    .extend_from_slice(&w.data);
                return None;
            }
            match partial.remove(&w.src_world) {
                Some(mut head) => {
                    head.extend_from_slice(&w.data);
                    head
                }
                None => Vec::from(w.data),
            }
        };
        let sync = (w.sync_id != 0).then(|| {
            let link = self.clone();
            let (id, back_to, me) = (w.sync_id, w.src_world, w.dst);
            ReqState::with_hook(move || {
                if let Ok(q) = link.queue(back_to) {
                    let _ = q.send(Wire {
                        job_id: link.job_id,
                        dst: back_to,
                        src_world: me,
                        ack_for: id,
                        ..Wire::default()
                    });
                }
            })
        });
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
