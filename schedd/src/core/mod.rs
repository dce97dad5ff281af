//! The scheduler's pure core: the job queue, node liveness and placement as plain
//! data and functions, with no I/O. The RPC shell (`crate::server`) turns messages
//! into calls here and carries out the [`Action`]s that come back; a simulator or a
//! unit test can drive it just the same.

pub mod depend;
pub mod job;
pub mod placement;

pub use job::{expand_output, JobId, JobRecord, JobRequest, JobState, Placement};

use std::collections::{BTreeMap, BTreeSet};

/// Something the shell must do for the core: talk to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start `ranks` of `job` on `node`.
    Launch {
        /// Job to launch.
        job: JobId,
        /// Node to run on.
        node: String,
        /// World ranks to run there.
        ranks: Vec<u32>,
        /// The node of rank 0 creates (truncates) the output file.
        create_output: bool,
    },
    /// Stop every rank of `job` on `node`.
    Cancel {
        /// Job to stop.
        job: JobId,
        /// Node to stop it on.
        node: String,
        /// Why (Cancelled, Timeout, Failed, NodeFail).
        state: JobState,
        /// Human-readable reason.
        reason: String,
    },
}

/// A node as the scheduler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeEntry {
    /// Unique node name.
    pub name: String,
    /// Rank slots it offers.
    pub slots: u32,
    /// Slots used by running ranks.
    pub used: u32,
    /// False once declared dead (heartbeat timeout).
    pub up: bool,
    /// Whether its RPC connection is open (new ranks are only placed on connected nodes).
    pub connected: bool,
    /// Unix ms of the last sign of life.
    pub last_seen_ms: i64,
    /// Jobs with ranks running here.
    pub jobs: BTreeSet<JobId>,
}

impl NodeEntry {
    /// sinfo-style state: idle, mix, alloc or down.
    pub fn state(&self) -> &'static str {
        if !self.up {
            "down"
        } else if !self.connected {
            "down*"
        } else if self.used == 0 {
            "idle"
        } else if self.used >= self.slots {
            "alloc"
        } else {
            "mix"
        }
    }

    fn free(&self) -> u32 {
        self.slots.saturating_sub(self.used)
    }
}

/// Why a submission was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// `-n 0`.
    #[error("the number of tasks must be at least 1")]
    ZeroTasks,
    /// More ranks than the whole cluster has slots.
    #[error("requested {ntasks} tasks but the cluster has only {total} slots (Requested node configuration is not available)")]
    TooLarge {
        /// Requested ranks.
        ntasks: u32,
        /// Slots over all registered nodes.
        total: u32,
    },
    /// A malformed `-d` or one naming an unknown job.
    #[error("Job dependency problem: {0}")]
    Dependency(String),
    /// -N / --ntasks-per-node that cannot hold -n ranks, or more nodes than exist.
    #[error("{0} (Requested node configuration is not available)")]
    BadShape(String),
}

/// Why a cancellation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CancelError {
    /// No such job.
    #[error("invalid job id {0}")]
    NoSuchJob(JobId),
    /// Someone else's job.
    #[error("access denied: job {0} belongs to another user")]
    NotOwner(JobId),
    /// Already ended.
    #[error("job {0} has already finished")]
    Finished(JobId),
    /// Only pending jobs can be held or released.
    #[error("job {0} is not pending")]
    NotPending(JobId),
}

/// The whole scheduler state.
#[derive(Debug, Default)]
pub struct Cluster {
    jobs: BTreeMap<JobId, JobRecord>,
    pending: BTreeSet<JobId>,
    nodes: BTreeMap<String, NodeEntry>,
    next_id: JobId,
    dirty: BTreeSet<JobId>,
    ended: Vec<JobId>,
}

impl Cluster {
    /// An empty cluster; the first job gets id 1.
    pub fn new() -> Self {
        Cluster {
            next_id: 1,
            ..Default::default()
        }
    }

    /// Rebuilds the state from persisted jobs after a restart. Nodes of running jobs
    /// are assumed alive until their heartbeat timeout, so that a noded that comes
    /// back reclaims its jobs and one that doesn't fails them (NF).
    pub fn restore(records: impl IntoIterator<Item = JobRecord>, now_ms: i64) -> Self {
        let mut c = Cluster::new();
        for job in records {
            c.next_id = c.next_id.max(job.id + 1);
            match job.state {
                JobState::Pending => {
                    c.pending.insert(job.id);
                }
                JobState::Running | JobState::Completing => {
                    for p in job.placement.iter().filter(|p| !p.done) {
                        let node = c.nodes.entry(p.node.clone()).or_insert_with(|| NodeEntry {
                            name: p.node.clone(),
                            slots: 0,
                            used: 0,
                            up: true,
                            connected: false,
                            last_seen_ms: now_ms,
                            jobs: BTreeSet::new(),
                        });
                        node.slots += p.ranks.len() as u32;
                        node.used += p.ranks.len() as u32;
                        node.jobs.insert(job.id);
                    }
                }
                _ => {}
            }
            c.jobs.insert(job.id, job);
        }
        c
    }

    /// A job by id.
    pub fn job(&self, id: JobId) -> Option<&JobRecord> {
        self.jobs.get(&id)
    }

    /// All jobs in id order.
    pub fn jobs(&self) -> impl Iterator<Item = &JobRecord> {
        self.jobs.values()
    }

    /// All nodes in name order.
    pub fn nodes(&self) -> impl Iterator<Item = &NodeEntry> {
        self.nodes.values()
    }

    /// Jobs changed since the last call (to persist).
    pub fn take_dirty(&mut self) -> Vec<JobId> {
        std::mem::take(&mut self.dirty).into_iter().collect()
    }

    /// Jobs that reached a final state since the last call (to wake waiters).
    pub fn take_ended(&mut self) -> Vec<JobId> {
        std::mem::take(&mut self.ended)
    }

    fn total_slots(&self) -> u32 {
        self.nodes.values().map(|n| n.slots).sum()
    }

    /// Queues a job. Refused if the cluster could never run it.
    pub fn submit(
        &mut self,
        request: JobRequest,
        module_hash: String,
        now_ms: i64,
    ) -> Result<JobId, SubmitError> {
        if request.ntasks == 0 {
            return Err(SubmitError::ZeroTasks);
        }
        let total = self.total_slots();
        if !self.nodes.is_empty() && request.ntasks > total {
            return Err(SubmitError::TooLarge {
                ntasks: request.ntasks,
                total,
            });
        }
        let (n, nodes, per) = (request.ntasks, request.nodes, request.ntasks_per_node);
        if nodes > n {
            return Err(SubmitError::BadShape(format!(
                "-N {nodes} asks for more nodes than the {n} tasks can use"
            )));
        }
        if !self.nodes.is_empty() && nodes as usize > self.nodes.len() {
            return Err(SubmitError::BadShape(format!(
                "-N {nodes} but the cluster has {} nodes",
                self.nodes.len()
            )));
        }
        if per > 0 && nodes > 0 && nodes * per < n {
            return Err(SubmitError::BadShape(format!(
                "-N {nodes} with --ntasks-per-node {per} holds fewer than {n} tasks"
            )));
        }
        if per > 0 && !self.nodes.is_empty() && (self.nodes.len() as u32).saturating_mul(per) < n {
            return Err(SubmitError::BadShape(format!(
                "--ntasks-per-node {per} on {} nodes holds fewer than {n} tasks",
                self.nodes.len()
            )));
        }
        let dep =
            depend::Dependency::parse(&request.dependency).map_err(SubmitError::Dependency)?;
        if let Some(bad) = dep.jobs().find(|j| !self.jobs.contains_key(j)) {
            return Err(SubmitError::Dependency(format!("job {bad} does not exist")));
        }
        let id = self.next_id;
        self.next_id += 1;
        let output = expand_output(
            &request.output_pattern,
            id,
            request_name(&request),
            &request.user,
        );
        let held = request.hold;
        let job = JobRecord {
            id,
            request,
            module_hash,
            output,
            state: JobState::Pending,
            reason: "None".into(),
            end_state: None,
            submit_ms: now_ms,
            start_ms: 0,
            end_ms: 0,
            exit_code: 0,
            placement: Vec::new(),
            max_mem_bytes: 0,
            held,
        };
        self.jobs.insert(id, job);
        self.pending.insert(id);
        self.dirty.insert(id);
        Ok(id)
    }

    /// Starts pending jobs in submission order while they fit (strict FIFO: a job
    /// that does not fit holds back the ones behind it).
    pub fn schedule(&mut self, now_ms: i64) -> Vec<Action> {
        let mut actions = Vec::new();
        let mut blocked = false;
        let pending: Vec<JobId> = self.pending.iter().copied().collect();
        for id in pending {
            let me = &self.jobs[&id];
            if me.held {
                let job = self.jobs.get_mut(&id).expect("pending job exists");
                if job.reason != "JobHeldUser" {
                    job.reason = "JobHeldUser".into();
                    self.dirty.insert(id);
                }
                continue;
            }
            if me.request.begin_ms > now_ms {
                let job = self.jobs.get_mut(&id).expect("pending job exists");
                if job.reason != "BeginTime" {
                    job.reason = "BeginTime".into();
                    self.dirty.insert(id);
                }
                continue;
            }
            let dep = depend::Dependency::parse(&me.request.dependency).unwrap_or_default();
            let status = dep.status(me, |j| self.jobs.get(&j), self.jobs.values());
            if status != depend::Status::Satisfied {
                // Held by its dependency: it neither starts nor holds back later jobs.
                let reason = if status == depend::Status::Never {
                    "DependencyNeverSatisfied"
                } else {
                    "Dependency"
                };
                let job = self.jobs.get_mut(&id).expect("pending job exists");
                if job.reason != reason {
                    job.reason = reason.into();
                    self.dirty.insert(id);
                }
                continue;
            }
            let req = &self.jobs[&id].request;
            let exclusive = req.exclusive;
            let shape = placement::Shape {
                ntasks: req.ntasks,
                nodes: req.nodes,
                per_node: req.ntasks_per_node,
            };
            let reason = if blocked {
                "Priority"
            } else {
                let free: Vec<placement::FreeSlots<'_>> = self
                    .nodes
                    .values()
                    .filter(|n| n.up && n.connected)
                    // --exclusive jobs take only idle nodes; nodes running one
                    // take nothing else.
                    .filter(|n| !exclusive || n.jobs.is_empty())
                    .map(|n| placement::FreeSlots {
                        node: &n.name,
                        free: if n.jobs.iter().any(|j| self.jobs[j].request.exclusive) {
                            0
                        } else {
                            n.free()
                        },
                    })
                    .collect();
                match placement::place_shaped(&free, shape) {
                    Some(chosen) => {
                        self.start(id, chosen, now_ms, &mut actions);
                        continue;
                    }
                    None => {
                        blocked = true;
                        "Resources"
                    }
                }
            };
            let job = self.jobs.get_mut(&id).expect("pending job exists");
            if job.reason != reason {
                job.reason = reason.into();
                self.dirty.insert(id);
            }
        }
        actions
    }

    fn start(
        &mut self,
        id: JobId,
        chosen: Vec<(String, u32, u32)>,
        now_ms: i64,
        actions: &mut Vec<Action>,
    ) {
        self.pending.remove(&id);
        let job = self.jobs.get_mut(&id).expect("job exists");
        job.state = JobState::Running;
        job.reason = "None".into();
        job.start_ms = now_ms;
        job.placement = chosen
            .iter()
            .map(|(node, first, count)| Placement {
                node: node.clone(),
                ranks: (*first..first + count).collect(),
                done: false,
            })
            .collect();
        for (i, p) in job.placement.iter().enumerate() {
            let node = self.nodes.get_mut(&p.node).expect("placed on a known node");
            node.used += p.ranks.len() as u32;
            node.jobs.insert(id);
            actions.push(Action::Launch {
                job: id,
                node: p.node.clone(),
                ranks: p.ranks.clone(),
                create_output: i == 0,
            });
        }
        self.dirty.insert(id);
    }

    /// A node (re)joins. Jobs it still runs are kept; jobs it should run but does
    /// not know are failed (it restarted and lost them); jobs it runs that schedd
    /// does not expect there are cancelled on it.
    pub fn register_node(
        &mut self,
        name: &str,
        slots: u32,
        running: &[JobId],
        now_ms: i64,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        let expected: Vec<JobId> = self
            .nodes
            .get(name)
            .map(|n| n.jobs.iter().copied().collect())
            .unwrap_or_default();
        for id in expected.iter().filter(|id| !running.contains(id)) {
            self.node_done(
                name,
                *id,
                JobState::NodeFail,
                None,
                format!("node {name} restarted and lost the job's ranks"),
                0,
                now_ms,
                &mut actions,
            );
        }
        // Stops decided while the node was unreachable (e.g. a cancel right after a
        // schedd restart) could not be delivered: send them again.
        for id in expected.iter().filter(|id| running.contains(id)) {
            if let Some(job) = self.jobs.get(id) {
                if let Some(state) = job.end_state {
                    actions.push(Action::Cancel {
                        job: *id,
                        node: name.to_string(),
                        state,
                        reason: job.reason.clone(),
                    });
                }
            }
        }
        for id in running.iter().filter(|id| !expected.contains(id)) {
            actions.push(Action::Cancel {
                job: *id,
                node: name.to_string(),
                state: JobState::Cancelled,
                reason: "stale ranks: schedd does not know this job on this node".into(),
            });
        }
        let node = self
            .nodes
            .entry(name.to_string())
            .or_insert_with(|| NodeEntry {
                name: name.to_string(),
                slots,
                used: 0,
                up: true,
                connected: true,
                last_seen_ms: now_ms,
                jobs: BTreeSet::new(),
            });
        node.slots = slots;
        node.up = true;
        node.connected = true;
        node.last_seen_ms = now_ms;
        actions
    }

    /// A heartbeat from a node; false if the node is unknown or was declared dead
    /// (it must register again).
    pub fn heartbeat(&mut self, name: &str, now_ms: i64) -> bool {
        match self.nodes.get_mut(name) {
            Some(n) if n.up => {
                n.last_seen_ms = now_ms;
                true
            }
            _ => false,
        }
    }

    /// A node's connection closed: place nothing new on it until it registers again.
    pub fn node_disconnected(&mut self, name: &str) {
        if let Some(n) = self.nodes.get_mut(name) {
            n.connected = false;
        }
    }

    /// Whether a pending job's --begin time has come (the scheduler should run).
    pub fn begin_due(&self, now_ms: i64) -> bool {
        self.pending.iter().any(|id| {
            let j = &self.jobs[id];
            j.reason == "BeginTime" && j.request.begin_ms <= now_ms
        })
    }

    /// Declares dead every node silent for longer than `timeout_ms`.
    pub fn expire_nodes(&mut self, now_ms: i64, timeout_ms: i64) -> Vec<Action> {
        let stale: Vec<String> = self
            .nodes
            .values()
            .filter(|n| n.up && now_ms - n.last_seen_ms > timeout_ms)
            .map(|n| n.name.clone())
            .collect();
        let mut actions = Vec::new();
        for name in stale {
            let reason = format!(
                "node {name} stopped responding (no heartbeat for {} s)",
                timeout_ms / 1000
            );
            actions.extend(self.node_lost(&name, &reason, now_ms));
        }
        actions
    }

    /// A node is dead: its jobs fail with NODE_FAIL and their other ranks are stopped.
    pub fn node_lost(&mut self, name: &str, reason: &str, now_ms: i64) -> Vec<Action> {
        let mut actions = Vec::new();
        let jobs: Vec<JobId> = match self.nodes.get_mut(name) {
            Some(n) => {
                n.up = false;
                n.connected = false;
                n.jobs.iter().copied().collect()
            }
            None => return actions,
        };
        for id in jobs {
            self.node_done(
                name,
                id,
                JobState::NodeFail,
                None,
                reason.to_string(),
                0,
                now_ms,
                &mut actions,
            );
        }
        actions
    }

    /// A node reports that its ranks of `job` ended.
    #[allow(clippy::too_many_arguments)]
    pub fn report(
        &mut self,
        node: &str,
        job: JobId,
        outcome: JobState,
        exit_code: i32,
        reason: String,
        max_mem_bytes: u64,
        now_ms: i64,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        self.node_done(
            node,
            job,
            outcome,
            Some(exit_code),
            reason,
            max_mem_bytes,
            now_ms,
            &mut actions,
        );
        actions
    }

    #[allow(clippy::too_many_arguments)]
    fn node_done(
        &mut self,
        node: &str,
        id: JobId,
        outcome: JobState,
        exit_code: Option<i32>,
        reason: String,
        max_mem_bytes: u64,
        now_ms: i64,
        actions: &mut Vec<Action>,
    ) {
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        let Some(p) = job.placement.iter_mut().find(|p| p.node == node && !p.done) else {
            return;
        };
        p.done = true;
        let nranks = p.ranks.len() as u32;
        if let Some(n) = self.nodes.get_mut(node) {
            n.used = n.used.saturating_sub(nranks);
            n.jobs.remove(&id);
        }
        if let Some(code) = exit_code {
            job.exit_code = job.exit_code.max(code);
        }
        job.max_mem_bytes = job.max_mem_bytes.max(max_mem_bytes);
        if outcome != JobState::Completed && job.end_state.is_none() {
            job.end_state = Some(outcome);
            job.reason = reason.clone();
            for other in job.placement.iter().filter(|p| !p.done) {
                actions.push(Action::Cancel {
                    job: id,
                    node: other.node.clone(),
                    state: outcome,
                    reason: reason.clone(),
                });
            }
        }
        if job.placement.iter().all(|p| p.done) {
            job.state = job.end_state.unwrap_or(JobState::Completed);
            if job.state == JobState::Completed {
                job.reason = "None".into();
            }
            job.end_ms = now_ms;
            self.ended.push(id);
        } else if job.end_state.is_some() {
            job.state = JobState::Completing;
        }
        self.dirty.insert(id);
    }

    /// Holds or releases a pending job for `uid` (its owner or root).
    pub fn set_held(&mut self, id: JobId, uid: u32, held: bool) -> Result<(), CancelError> {
        let job = self.jobs.get_mut(&id).ok_or(CancelError::NoSuchJob(id))?;
        if uid != 0 && uid != job.request.uid {
            return Err(CancelError::NotOwner(id));
        }
        if job.state != JobState::Pending {
            return Err(CancelError::NotPending(id));
        }
        job.held = held;
        if !held {
            job.reason = "None".into();
        }
        self.dirty.insert(id);
        Ok(())
    }

    /// Cancels a job for `uid` (its owner or root).
    pub fn cancel(
        &mut self,
        id: JobId,
        uid: u32,
        who: &str,
        now_ms: i64,
    ) -> Result<Vec<Action>, CancelError> {
        let job = self.jobs.get_mut(&id).ok_or(CancelError::NoSuchJob(id))?;
        if uid != 0 && uid != job.request.uid {
            return Err(CancelError::NotOwner(id));
        }
        let mut actions = Vec::new();
        match job.state {
            JobState::Pending => {
                self.pending.remove(&id);
                job.state = JobState::Cancelled;
                job.reason = format!("cancelled by {who}");
                job.end_ms = now_ms;
                self.ended.push(id);
            }
            JobState::Running | JobState::Completing => {
                if job.end_state.is_none() {
                    job.end_state = Some(JobState::Cancelled);
                    job.reason = format!("cancelled by {who}");
                    job.state = JobState::Completing;
                }
                for p in job.placement.iter().filter(|p| !p.done) {
                    actions.push(Action::Cancel {
                        job: id,
                        node: p.node.clone(),
                        state: JobState::Cancelled,
                        reason: job.reason.clone(),
                    });
                }
            }
            _ => return Err(CancelError::Finished(id)),
        }
        self.dirty.insert(id);
        Ok(actions)
    }
}

fn request_name(r: &JobRequest) -> &str {
    if r.name.is_empty() {
        &r.function
    } else {
        &r.name
    }
}

#[cfg(test)]
mod tests;
