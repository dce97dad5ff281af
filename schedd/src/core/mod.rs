//! The scheduler's pure core: the job queue, node liveness and placement as plain
//! data and functions, with no I/O. The RPC shell (`crate::server`) turns messages
//! into calls here and carries out the [`Action`]s that come back; a simulator or a
//! unit test can drive it just the same.
//!
//! Scheduling (docs/decisions.md, "Scheduling"): pending jobs are taken in priority
//! order (higher first, then submission order) per partition; the first job of a
//! partition that does not fit gets a reservation at the earliest time the time
//! limits of the running jobs free enough slots (EASY backfill), and a later job may
//! start ahead of it only if it does not delay that reservation. A cycle stops as
//! soon as no partition can start anything more, so its cost follows the jobs it
//! starts and the backfill depth, not the length of the queue.

pub mod depend;
pub mod job;
pub mod partition;
pub mod placement;
mod plan;

pub use job::{
    expand_output, run_key, split_run_key, ArrayTask, JobId, JobRecord, JobRequest, JobState,
    Placement, Step,
};
pub use partition::Partition;

use placement::{FreeIndex, Shape};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

/// How many pending jobs behind a partition's reservation one cycle tries to
/// backfill (Slurm's bf_max_job_test).
pub const BACKFILL_DEPTH: usize = 1000;

/// Largest job array (Slurm's MaxArraySize).
pub const MAX_ARRAY_TASKS: usize = 100_001;

/// Something the shell must do for the core: talk to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start `ranks` of `job` on `node`.
    Launch {
        /// Job to launch.
        job: JobId,
        /// The run's key (see [`run_key`]); a launch whose key is no longer the
        /// job's current one is dropped.
        key: u64,
        /// Node to run on.
        node: String,
        /// World ranks to run there.
        ranks: Vec<u32>,
        /// The node of rank 0 creates (truncates) the output file.
        create_output: bool,
    },
    /// Stop every rank of run `key` on `node`.
    Cancel {
        /// Job to stop.
        job: JobId,
        /// The run to stop.
        key: u64,
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
    /// Drained by an administrator (`fcontrol drain`), with the reason.
    pub drain: Option<String>,
    /// Running --exclusive jobs (such a node offers no slots to others).
    pub exclusive_jobs: u32,
    /// Indices of the partitions holding it.
    pub partitions: Vec<usize>,
}

impl NodeEntry {
    /// sinfo-style state: idle, mix, alloc, drain, drng (draining), down or down*.
    pub fn state(&self) -> &'static str {
        if !self.up {
            "down"
        } else if !self.connected {
            "down*"
        } else if self.drain.is_some() {
            if self.used == 0 {
                "drain"
            } else {
                "drng"
            }
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

    /// Slots new jobs may take now.
    fn schedulable_free(&self) -> u32 {
        if self.up && self.connected && self.drain.is_none() && self.exclusive_jobs == 0 {
            self.free()
        } else {
            0
        }
    }
}

/// Stops for the nodes of `job` that still run its current run.
fn stops(job: &JobRecord, state: JobState, reason: &str) -> Vec<Action> {
    let key = job.key();
    job.placement
        .iter()
        .filter(|p| !p.done)
        .map(|p| Action::Cancel {
            job: job.id,
            key,
            node: p.node.clone(),
            state,
            reason: reason.to_string(),
        })
        .collect()
}

/// How one node's ranks of a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeReport {
    /// Completed, Failed, Cancelled, Timeout, OutOfMemory or NodeFail.
    pub outcome: JobState,
    /// Highest exit code of its ranks.
    pub exit_code: i32,
    /// Signal-like cause (Slurm's `exit:signal`), 0 for none.
    pub signal: u32,
    /// The first failure, naming the rank.
    pub reason: String,
    /// Peak linear memory per rank.
    pub rank_mem: Vec<(u32, u64)>,
}

impl NodeReport {
    /// A report with only an outcome and a reason (exit code 0 unless failed).
    pub fn new(outcome: JobState, reason: impl Into<String>) -> Self {
        NodeReport {
            outcome,
            exit_code: 0,
            signal: 0,
            reason: reason.into(),
            rank_mem: Vec::new(),
        }
    }
}

/// Why a submission was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// `-n 0`.
    #[error("the number of tasks must be at least 1")]
    ZeroTasks,
    /// More ranks than the partition has slots.
    #[error("requested {ntasks} tasks but partition {partition} has only {total} slots (Requested node configuration is not available)")]
    TooLarge {
        /// Requested ranks.
        ntasks: u32,
        /// Slots over the partition's registered nodes.
        total: u32,
        /// The partition.
        partition: String,
    },
    /// A malformed `-d` or one naming an unknown job.
    #[error("Job dependency problem: {0}")]
    Dependency(String),
    /// -N / --ntasks-per-node that cannot hold -n ranks, or more nodes than exist.
    #[error("{0} (Requested node configuration is not available)")]
    BadShape(String),
    /// -p naming no partition.
    #[error("invalid partition specified: {0}")]
    Partition(String),
    /// -t above the partition's MaxTime.
    #[error("Requested time limit is invalid (missing or exceeds some limit): {0}")]
    TimeLimit(String),
    /// Something only root may ask for.
    #[error("access denied: {0}")]
    Permission(String),
    /// A bad -a spec.
    #[error("invalid job array specification: {0}")]
    Array(String),
}

/// Why a cancellation (hold, release, requeue) was refused.
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
    /// Requeue of a pending job.
    #[error("job {0} is pending execution: nothing to requeue")]
    StillPending(JobId),
    /// Requeue of a --no-requeue job.
    #[error("job {0} was submitted with --no-requeue")]
    NotRequeueable(JobId),
}

/// The whole scheduler state.
#[derive(Debug)]
pub struct Cluster {
    jobs: BTreeMap<JobId, JobRecord>,
    /// Pending jobs in scheduling order: `(-priority, id)`.
    pending: BTreeSet<(i64, JobId)>,
    /// Pending jobs per partition (index), to end a cycle early.
    pending_in: Vec<usize>,
    /// `--begin` times still ahead: `(begin_ms, id)`.
    begins: BTreeSet<(i64, JobId)>,
    /// Parsed dependencies of pending jobs.
    deps: HashMap<JobId, depend::Dependency>,
    /// Running tasks per job array (for `%N` throttles).
    array_running: HashMap<JobId, u32>,
    nodes: BTreeMap<String, NodeEntry>,
    partitions: Vec<Partition>,
    /// Drained nodes and why (kept for nodes that are not registered).
    drains: BTreeMap<String, String>,
    /// Per partition: (registered nodes, their slots); None = to recompute.
    part_stats: Option<Vec<(u32, u32)>>,
    /// First run of jobs queued by this start of schedd (see [`Cluster::restore`]).
    run_floor: u32,
    next_id: JobId,
    dirty: BTreeSet<JobId>,
    ended: Vec<JobId>,
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster::new()
    }
}

impl Cluster {
    /// An empty cluster with one partition of every node; the first job gets id 1.
    pub fn new() -> Self {
        Cluster::with_partitions(vec![Partition::everything()])
    }

    /// An empty cluster with these partitions (at least one, one default).
    pub fn with_partitions(partitions: Vec<Partition>) -> Self {
        let partitions = if partitions.is_empty() {
            vec![Partition::everything()]
        } else {
            partitions
        };
        Cluster {
            jobs: BTreeMap::new(),
            pending: BTreeSet::new(),
            pending_in: vec![0; partitions.len()],
            begins: BTreeSet::new(),
            deps: HashMap::new(),
            array_running: HashMap::new(),
            nodes: BTreeMap::new(),
            partitions,
            drains: BTreeMap::new(),
            part_stats: None,
            run_floor: 0,
            next_id: 1,
            dirty: BTreeSet::new(),
            ended: Vec::new(),
        }
    }

    /// Rebuilds the state from persisted jobs after a restart. Nodes of running jobs
    /// are assumed alive until their heartbeat timeout, so that a noded that comes
    /// back reclaims its jobs and one that doesn't fails them (NF).
    ///
    /// Pending jobs continue, and new jobs start, with a run of at least
    /// `run_floor` (distinct for every start of schedd): a job whose start was
    /// decided and launched but not yet persisted when schedd died is pending
    /// again (or, if its submission was not yet durable either, its id is given
    /// to a new job), and its next launch must not be mistaken for the stale one a
    /// node may still run.
    pub fn restore(
        records: impl IntoIterator<Item = JobRecord>,
        partitions: Vec<Partition>,
        drains: BTreeMap<String, String>,
        run_floor: u32,
        now_ms: i64,
    ) -> Self {
        let mut c = Cluster::with_partitions(partitions);
        c.drains = drains;
        c.part_stats = None;
        c.run_floor = run_floor;
        for mut job in records {
            c.next_id = c.next_id.max(job.id + 1);
            match job.state {
                JobState::Pending => {
                    if job.run < run_floor {
                        job.run = run_floor;
                        c.dirty.insert(job.id);
                    }
                    c.enqueue(&job)
                }
                JobState::Running | JobState::Completing => {
                    if let Some(a) = job.array {
                        *c.array_running.entry(a.job_id).or_default() += 1;
                    }
                    for p in job.placement.iter().filter(|p| !p.released) {
                        let n = p.ranks.len() as u32;
                        let node = c.node_entry(&p.node, now_ms);
                        node.slots += n;
                        node.used += n;
                        node.up = true;
                        node.jobs.insert(job.id);
                        if job.request.exclusive {
                            node.exclusive_jobs += 1;
                        }
                    }
                }
                _ => {}
            }
            c.jobs.insert(job.id, job);
        }
        c
    }

    fn enqueue(&mut self, job: &JobRecord) {
        self.pending.insert((-job.priority, job.id));
        if let Some(p) = self.partition_index(&job.partition) {
            self.pending_in[p] += 1;
        }
        if job.request.begin_ms > 0 {
            self.begins.insert((job.request.begin_ms, job.id));
        }
        if !job.request.dependency.is_empty() {
            if let Ok(d) = depend::Dependency::parse(&job.request.dependency) {
                self.deps.insert(job.id, d);
            }
        }
    }

    fn dequeue(&mut self, id: JobId) {
        let Some(job) = self.jobs.get(&id) else {
            return;
        };
        if self.pending.remove(&(-job.priority, id)) {
            if let Some(p) = self.partition_index(&job.partition) {
                self.pending_in[p] -= 1;
            }
        }
        self.deps.remove(&id);
    }

    /// The entry of node `name`, created (down, no slots) if unknown.
    fn node_entry(&mut self, name: &str, now_ms: i64) -> &mut NodeEntry {
        let partitions: Vec<usize> = self
            .partitions
            .iter()
            .enumerate()
            .filter(|(_, p)| p.holds(name))
            .map(|(i, _)| i)
            .collect();
        let drain = self.drains.get(name).cloned();
        self.nodes
            .entry(name.to_string())
            .or_insert_with(|| NodeEntry {
                name: name.to_string(),
                slots: 0,
                used: 0,
                up: false,
                connected: false,
                last_seen_ms: now_ms,
                jobs: BTreeSet::new(),
                drain,
                exclusive_jobs: 0,
                partitions,
            })
    }

    fn partition_index(&self, name: &str) -> Option<usize> {
        self.partitions.iter().position(|p| p.name == name)
    }

    /// The partitions, in configuration order.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// A job by id.
    pub fn job(&self, id: JobId) -> Option<&JobRecord> {
        self.jobs.get(&id)
    }

    /// All jobs in id order.
    pub fn jobs(&self) -> impl Iterator<Item = &JobRecord> {
        self.jobs.values()
    }

    /// Jobs not yet ended, in id order.
    pub fn active_jobs(&self) -> impl Iterator<Item = &JobRecord> {
        self.jobs.values().filter(|j| !j.state.is_final())
    }

    /// All nodes in name order.
    pub fn nodes(&self) -> impl Iterator<Item = &NodeEntry> {
        self.nodes.values()
    }

    /// Drained nodes and why (to persist).
    pub fn drains(&self) -> &BTreeMap<String, String> {
        &self.drains
    }

    /// Jobs changed since the last call (to persist).
    pub fn take_dirty(&mut self) -> Vec<JobId> {
        std::mem::take(&mut self.dirty).into_iter().collect()
    }

    /// Jobs that reached a final state since the last call (to wake waiters).
    pub fn take_ended(&mut self) -> Vec<JobId> {
        std::mem::take(&mut self.ended)
    }

    /// Whether any node could take a rank now.
    pub fn any_free(&self) -> bool {
        self.nodes.values().any(|n| n.schedulable_free() > 0)
    }

    /// Number of pending jobs.
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    /// Registered nodes and slots of partition `pi`.
    fn partition_stats(&mut self, pi: usize) -> (u32, u32) {
        let stats = self.part_stats.get_or_insert_with(|| {
            let mut s = vec![(0u32, 0u32); self.partitions.len()];
            for n in self.nodes.values() {
                for &p in &n.partitions {
                    s[p].0 += 1;
                    s[p].1 += n.slots;
                }
            }
            s
        });
        stats[pi]
    }

    /// Checks a request against the partitions and nodes; returns the partition index.
    fn validate(&mut self, request: &JobRequest) -> Result<usize, SubmitError> {
        if request.ntasks == 0 {
            return Err(SubmitError::ZeroTasks);
        }
        let pi = if request.partition.is_empty() {
            self.partitions.iter().position(|p| p.default).unwrap_or(0)
        } else {
            self.partition_index(&request.partition)
                .ok_or_else(|| SubmitError::Partition(request.partition.clone()))?
        };
        let (members, total) = self.partition_stats(pi);
        let part = &self.partitions[pi];
        if part.max_time_secs > 0
            && (request.time_limit_secs > part.max_time_secs
                || (request.time_limit_secs == 0 && part.effective_limit(0) == 0))
        {
            return Err(SubmitError::TimeLimit(format!(
                "partition {} allows at most {} s",
                part.name, part.max_time_secs
            )));
        }
        if request.priority.is_some() && request.uid != 0 {
            return Err(SubmitError::Permission(
                "only root may set --priority (use --nice to lower yours)".into(),
            ));
        }
        if request.nice < 0 && request.uid != 0 {
            return Err(SubmitError::Permission(
                "only root may give a negative --nice".into(),
            ));
        }
        if members > 0 && request.ntasks > total {
            return Err(SubmitError::TooLarge {
                ntasks: request.ntasks,
                total,
                partition: part.name.clone(),
            });
        }
        let (n, nodes, per) = (request.ntasks, request.nodes, request.ntasks_per_node);
        if nodes > n {
            return Err(SubmitError::BadShape(format!(
                "-N {nodes} asks for more nodes than the {n} tasks can use"
            )));
        }
        if members > 0 && nodes > members {
            return Err(SubmitError::BadShape(format!(
                "-N {nodes} but partition {} has {members} nodes",
                part.name,
            )));
        }
        if per > 0 && nodes > 0 && nodes * per < n {
            return Err(SubmitError::BadShape(format!(
                "-N {nodes} with --ntasks-per-node {per} holds fewer than {n} tasks"
            )));
        }
        if per > 0 && members > 0 && members.saturating_mul(per) < n {
            return Err(SubmitError::BadShape(format!(
                "--ntasks-per-node {per} on {members} nodes holds fewer than {n} tasks"
            )));
        }
        if let Some(s) = request.steps.iter().find(|s| s.ntasks > n || s.ntasks == 0) {
            return Err(SubmitError::BadShape(format!(
                "step '{}' asks for {} tasks; the job has {n}",
                s.function, s.ntasks
            )));
        }
        let dep =
            depend::Dependency::parse(&request.dependency).map_err(SubmitError::Dependency)?;
        if let Some(bad) = dep.jobs().find(|j| !self.jobs.contains_key(j)) {
            return Err(SubmitError::Dependency(format!("job {bad} does not exist")));
        }
        Ok(pi)
    }

    /// Queues a job. Refused if the cluster could never run it.
    pub fn submit(
        &mut self,
        request: JobRequest,
        module_hash: String,
        now_ms: i64,
    ) -> Result<JobId, SubmitError> {
        let pi = self.validate(&request)?;
        Ok(self.insert(request, module_hash, pi, None, now_ms))
    }

    /// Queues a job array: one job per index in `tasks`, ids consecutive; the first
    /// task's id is the array's id (returned). At most `max_running` run at once.
    pub fn submit_array(
        &mut self,
        request: JobRequest,
        module_hash: String,
        tasks: &[u32],
        max_running: u32,
        now_ms: i64,
    ) -> Result<JobId, SubmitError> {
        if tasks.is_empty() {
            return Err(SubmitError::Array("no task indices".into()));
        }
        if tasks.len() > MAX_ARRAY_TASKS {
            return Err(SubmitError::Array(format!(
                "{} tasks; at most {MAX_ARRAY_TASKS}",
                tasks.len()
            )));
        }
        let pi = self.validate(&request)?;
        let array_id = self.next_id;
        for &task_id in tasks {
            let mut r = request.clone();
            let count = tasks.len().to_string();
            for (k, v) in [
                ("ARRAY_JOB_ID", array_id.to_string()),
                ("ARRAY_TASK_ID", task_id.to_string()),
                ("ARRAY_TASK_COUNT", count),
            ] {
                r.env.push((format!("FBATCH_{k}"), v.clone()));
                r.env.push((format!("SLURM_{k}"), v));
            }
            let task = ArrayTask {
                job_id: array_id,
                task_id,
                max_running,
            };
            self.insert(r, module_hash.clone(), pi, Some(task), now_ms);
        }
        Ok(array_id)
    }

    fn insert(
        &mut self,
        request: JobRequest,
        module_hash: String,
        pi: usize,
        array: Option<ArrayTask>,
        now_ms: i64,
    ) -> JobId {
        let id = self.next_id;
        self.next_id += 1;
        let part = &self.partitions[pi];
        let output = expand_output(
            &request.output_pattern,
            id,
            request_name(&request),
            &request.user,
            array,
        );
        let reason = if request.hold {
            "JobHeldUser"
        } else if request.begin_ms > now_ms {
            "BeginTime"
        } else if !request.dependency.is_empty() {
            "Dependency"
        } else if !part.up {
            "PartitionDown"
        } else {
            "None"
        };
        let job = JobRecord {
            id,
            module_hash,
            output,
            state: JobState::Pending,
            reason: reason.into(),
            end_state: None,
            submit_ms: now_ms,
            start_ms: 0,
            end_ms: 0,
            exit_code: 0,
            placement: Vec::new(),
            max_mem_bytes: 0,
            held: request.hold,
            priority: request.effective_priority(),
            partition: part.name.clone(),
            time_limit_secs: part.effective_limit(request.time_limit_secs),
            array,
            run: self.run_floor,
            restarts: 0,
            step: 0,
            requeue_pending: false,
            exit_signal: 0,
            rank_mem: Vec::new(),
            request,
        };
        self.enqueue(&job);
        self.jobs.insert(id, job);
        self.dirty.insert(id);
        id
    }

    /// Why pending job `id` may not start now, regardless of resources; None if it may.
    fn blocker(&self, job: &JobRecord, now_ms: i64) -> Option<&'static str> {
        if job.held {
            return Some("JobHeldUser");
        }
        if job.request.begin_ms > now_ms {
            return Some("BeginTime");
        }
        match self.partition_index(&job.partition) {
            Some(p) if self.partitions[p].up => {}
            _ => return Some("PartitionDown"),
        }
        if let Some(dep) = self.deps.get(&job.id) {
            match dep.status(job, |j| self.jobs.get(&j), self.jobs.values()) {
                depend::Status::Satisfied => {}
                depend::Status::Waiting => return Some("Dependency"),
                depend::Status::Never => return Some("DependencyNeverSatisfied"),
            }
        }
        if let Some(a) = job.array {
            if a.max_running > 0
                && self.array_running.get(&a.job_id).copied().unwrap_or(0) >= a.max_running
            {
                return Some("JobArrayTaskLimit");
            }
        }
        None
    }

    fn set_reason(&mut self, id: JobId, reason: &'static str) {
        if let Some(job) = self.jobs.get_mut(&id) {
            if job.reason != reason {
                // Pending reasons are recomputed after a restart: not persisted.
                job.reason = reason.into();
            }
        }
    }

    /// Free slots of each partition's nodes.
    fn free_indexes(&self) -> Vec<FreeIndex> {
        let mut index: Vec<FreeIndex> = self.partitions.iter().map(|_| FreeIndex::new()).collect();
        for n in self.nodes.values() {
            let free = n.schedulable_free();
            for &p in &n.partitions {
                index[p].set(&n.name, free);
            }
        }
        index
    }

    /// One scheduling cycle: starts what may start now, in priority order with
    /// EASY backfill per partition.
    pub fn schedule(&mut self, now_ms: i64) -> Vec<Action> {
        let mut actions = Vec::new();
        // --begin times that have come: their jobs become eligible.
        while let Some(&(t, id)) = self.begins.first() {
            if t > now_ms {
                break;
            }
            self.begins.pop_first();
            if let Some(j) = self.jobs.get(&id) {
                if j.state == JobState::Pending && j.reason == "BeginTime" {
                    self.set_reason(id, "None");
                }
            }
        }
        if self.pending.is_empty() {
            return actions;
        }
        let mut index = self.free_indexes();
        let nparts = self.partitions.len();
        let mut left = self.pending_in.clone();
        // Per partition: the first job that did not fit, and its reservation once
        // a later job that fits needs checking against it.
        let mut top: Vec<Option<JobId>> = vec![None; nparts];
        let mut res: Vec<Option<plan::Reservation>> = vec![None; nparts];
        let mut tested = vec![0usize; nparts];
        // A partition is done once nothing behind its reservation can be tried
        // any more; a full partition still gives its first jobs their reasons.
        let open =
            |p: usize, left: &[usize], tested: &[usize]| left[p] > 0 && tested[p] < BACKFILL_DEPTH;
        let mut cursor: Option<(i64, JobId)> = None;
        loop {
            if !(0..nparts).any(|p| open(p, &left, &tested)) {
                break;
            }
            let lower = match cursor {
                Some(c) => Bound::Excluded(c),
                None => Bound::Unbounded,
            };
            let Some(&key) = self.pending.range((lower, Bound::Unbounded)).next() else {
                break;
            };
            cursor = Some(key);
            let id = key.1;
            let job = &self.jobs[&id];
            let Some(pi) = self.partition_index(&job.partition) else {
                self.set_reason(id, "PartitionDown");
                continue;
            };
            left[pi] -= 1;
            if tested[pi] >= BACKFILL_DEPTH {
                continue;
            }
            if let Some(why) = self.blocker(job, now_ms) {
                self.set_reason(id, why);
                continue;
            }
            let shape = Shape {
                ntasks: job.request.ntasks,
                nodes: job.request.nodes,
                per_node: job.request.ntasks_per_node,
            };
            let chosen = if job.request.exclusive {
                self.idle_index(pi).place(shape)
            } else {
                index[pi].place(shape)
            };
            let limit_ms = i64::from(job.time_limit_secs) * 1000;
            match (chosen, top[pi]) {
                (Some(chosen), None) => {
                    self.start(id, &chosen, now_ms, &mut actions);
                    self.update_index(&mut index, &chosen);
                }
                (Some(chosen), Some(first)) => {
                    tested[pi] += 1;
                    let r = res[pi].get_or_insert_with(|| {
                        plan::reserve(self, pi, &index[pi], &self.jobs[&first], now_ms)
                    });
                    if r.admits(&chosen, limit_ms, now_ms) {
                        self.start(id, &chosen, now_ms, &mut actions);
                        self.update_index(&mut index, &chosen);
                    } else {
                        self.set_reason(id, "Priority");
                    }
                }
                (None, None) => {
                    top[pi] = Some(id);
                    self.set_reason(id, "Resources");
                }
                (None, Some(_)) => {
                    tested[pi] += 1;
                    self.set_reason(id, "Priority");
                }
            }
        }
        actions
    }

    /// Free slots of partition `pi`'s idle nodes (for --exclusive jobs).
    fn idle_index(&self, pi: usize) -> FreeIndex {
        let mut idx = FreeIndex::new();
        for n in self.nodes.values() {
            if n.partitions.contains(&pi) && n.jobs.is_empty() && n.used == 0 {
                idx.set(&n.name, n.schedulable_free());
            }
        }
        idx
    }

    fn update_index(&self, index: &mut [FreeIndex], chosen: &[(String, u32, u32)]) {
        for (name, _, _) in chosen {
            if let Some(n) = self.nodes.get(name) {
                let free = n.schedulable_free();
                for &p in &n.partitions {
                    index[p].set(name, free);
                }
            }
        }
    }

    fn start(
        &mut self,
        id: JobId,
        chosen: &[(String, u32, u32)],
        now_ms: i64,
        actions: &mut Vec<Action>,
    ) {
        self.dequeue(id);
        let job = self.jobs.get_mut(&id).expect("job exists");
        job.state = JobState::Running;
        job.reason = "None".into();
        job.start_ms = now_ms;
        job.step = 0;
        job.placement = chosen
            .iter()
            .map(|(node, first, count)| Placement {
                node: node.clone(),
                ranks: (*first..first + count).collect(),
                done: false,
                released: false,
                launched: false,
            })
            .collect();
        if let Some(a) = job.array {
            *self.array_running.entry(a.job_id).or_default() += 1;
        }
        let exclusive = job.request.exclusive;
        for p in &job.placement {
            let node = self.nodes.get_mut(&p.node).expect("placed on a known node");
            node.used += p.ranks.len() as u32;
            node.jobs.insert(id);
            if exclusive {
                node.exclusive_jobs += 1;
            }
        }
        Self::launch_step(job, true, actions);
        self.dirty.insert(id);
    }

    /// Launches the job's current step on the nodes holding its ranks; the others
    /// count as done for this step.
    fn launch_step(job: &mut JobRecord, create_output: bool, actions: &mut Vec<Action>) {
        let (_, _, ntasks, _) = job.current_step();
        let key = job.key();
        let mut first = create_output;
        for p in job.placement.iter_mut() {
            let ranks: Vec<u32> = p.ranks.iter().copied().filter(|r| *r < ntasks).collect();
            p.done = ranks.is_empty();
            p.launched = false;
            if ranks.is_empty() {
                continue;
            }
            actions.push(Action::Launch {
                job: job.id,
                key,
                node: p.node.clone(),
                ranks,
                create_output: first,
            });
            first = false;
        }
    }

    /// A node (re)joins. Runs it still has are kept; runs it should have but does
    /// not know are failed (it restarted and lost them); runs it has that schedd
    /// does not expect there are cancelled on it.
    pub fn register_node(
        &mut self,
        name: &str,
        slots: u32,
        running: &[u64],
        now_ms: i64,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        let expected: Vec<u64> = self
            .nodes
            .get(name)
            .map(|n| {
                n.jobs
                    .iter()
                    .filter_map(|id| self.jobs.get(id))
                    .filter(|j| j.placement.iter().any(|p| p.node == name && !p.done))
                    .map(|j| j.key())
                    .collect()
            })
            .unwrap_or_default();
        for key in expected.iter().filter(|k| !running.contains(k)) {
            let (id, _) = split_run_key(*key);
            let never_launched = self.jobs.get(&id).is_some_and(|j| {
                j.placement
                    .iter()
                    .any(|p| p.node == name && !p.done && !p.launched)
            });
            let rep = if never_launched {
                // schedd went down between deciding the launch and the node
                // accepting it: the run never started there. Run the job again.
                if let Some(j) = self.jobs.get_mut(&id) {
                    j.requeue_pending = true;
                }
                NodeReport::new(
                    JobState::NodeFail,
                    format!("the launch on {name} was lost in a schedd restart; requeued"),
                )
            } else {
                NodeReport::new(
                    JobState::NodeFail,
                    format!("node {name} restarted and lost the job's ranks"),
                )
            };
            self.node_done(name, *key, rep, now_ms, &mut actions);
        }
        // Stops decided while the node was unreachable (e.g. a cancel right after a
        // schedd restart) could not be delivered: send them again.
        for key in expected.iter().filter(|k| running.contains(k)) {
            let (id, _) = split_run_key(*key);
            if let Some(job) = self.jobs.get(&id) {
                if let Some(state) = job.end_state {
                    actions.push(Action::Cancel {
                        job: id,
                        key: *key,
                        node: name.to_string(),
                        state,
                        reason: job.reason.clone(),
                    });
                }
            }
        }
        for key in running.iter().filter(|k| !expected.contains(k)) {
            actions.push(Action::Cancel {
                job: split_run_key(*key).0,
                key: *key,
                node: name.to_string(),
                state: JobState::Cancelled,
                reason: "stale ranks: schedd does not know this job on this node".into(),
            });
        }
        self.part_stats = None;
        let node = self.node_entry(name, now_ms);
        node.slots = slots;
        node.up = true;
        node.connected = true;
        node.last_seen_ms = now_ms;
        actions
    }

    /// `node` accepted the launch of run `key`.
    pub fn launched(&mut self, key: u64, node: &str) {
        let (id, run) = split_run_key(key);
        if let Some(job) = self.jobs.get_mut(&id).filter(|j| j.run == run) {
            if let Some(p) = job.placement.iter_mut().find(|p| p.node == node) {
                p.launched = true;
                self.dirty.insert(id);
            }
        }
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

    /// Drains a node (`reason` = Some) or resumes it (None). A drained node
    /// finishes its jobs but gets no new ones.
    pub fn set_drain(&mut self, name: &str, reason: Option<String>) -> Result<(), String> {
        let Some(node) = self.nodes.get_mut(name) else {
            return Err(format!("invalid node name {name}"));
        };
        node.drain = reason.clone();
        match reason {
            Some(r) => self.drains.insert(name.to_string(), r),
            None => self.drains.remove(name),
        };
        Ok(())
    }

    /// Whether a pending job's --begin time has come (the scheduler should run).
    pub fn begin_due(&self, now_ms: i64) -> bool {
        self.begins.first().is_some_and(|&(t, _)| t <= now_ms)
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

    /// A node is dead: its jobs fail with NODE_FAIL (or are requeued, with
    /// --requeue) and their other ranks are stopped.
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
            let Some(key) = self.jobs.get(&id).map(|j| j.key()) else {
                continue;
            };
            let rep = NodeReport::new(JobState::NodeFail, reason);
            self.node_done(name, key, rep, now_ms, &mut actions);
            // A node that is gone holds no slots, whether or not it ran this step.
            self.release_on(id, name);
        }
        actions
    }

    /// A node reports that its ranks of run `key` ended.
    pub fn report(&mut self, node: &str, key: u64, report: NodeReport, now_ms: i64) -> Vec<Action> {
        let mut actions = Vec::new();
        self.node_done(node, key, report, now_ms, &mut actions);
        actions
    }

    /// Gives back the slots job `id` holds on `node`.
    fn release_on(&mut self, id: JobId, node: &str) {
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        let exclusive = job.request.exclusive;
        for p in job
            .placement
            .iter_mut()
            .filter(|p| p.node == node && !p.released)
        {
            p.released = true;
            if let Some(n) = self.nodes.get_mut(node) {
                n.used = n.used.saturating_sub(p.ranks.len() as u32);
                n.jobs.remove(&id);
                if exclusive {
                    n.exclusive_jobs = n.exclusive_jobs.saturating_sub(1);
                }
            }
        }
    }

    fn node_done(
        &mut self,
        node: &str,
        key: u64,
        report: NodeReport,
        now_ms: i64,
        actions: &mut Vec<Action>,
    ) {
        let (id, run) = split_run_key(key);
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        if job.run != run || job.state.is_final() || job.state == JobState::Pending {
            return;
        }
        let Some(p) = job.placement.iter_mut().find(|p| p.node == node && !p.done) else {
            return;
        };
        p.done = true;
        job.exit_code = job.exit_code.max(report.exit_code);
        if job.exit_signal == 0 {
            job.exit_signal = report.signal;
        }
        for (rank, bytes) in report.rank_mem {
            job.max_mem_bytes = job.max_mem_bytes.max(bytes);
            match job.rank_mem.iter_mut().find(|(r, _)| *r == rank) {
                Some(e) => e.1 = e.1.max(bytes),
                None => job.rank_mem.push((rank, bytes)),
            }
        }
        job.rank_mem.sort_unstable();
        let outcome = report.outcome;
        if outcome != JobState::Completed && job.end_state.is_none() {
            job.end_state = Some(outcome);
            job.reason = report.reason.clone();
            if outcome == JobState::NodeFail && job.request.requeue == Some(true) {
                job.requeue_pending = true;
            }
            actions.extend(stops(job, outcome, &report.reason));
        }
        let ending = job.end_state.is_some() || !job.has_next_step();
        let all_done = job.placement.iter().all(|p| p.done);
        if all_done && !ending {
            // The next batch step runs in the same allocation.
            job.step += 1;
            job.run += 1;
            job.exit_code = 0;
            Self::launch_step(job, false, actions);
            self.dirty.insert(id);
            return;
        }
        if ending {
            self.release_on(id, node);
        }
        let job = self.jobs.get_mut(&id).expect("job exists");
        if !all_done {
            if job.end_state.is_some() {
                job.state = JobState::Completing;
            }
            self.dirty.insert(id);
            return;
        }
        let nodes: Vec<String> = job.placement.iter().map(|p| p.node.clone()).collect();
        for n in nodes {
            self.release_on(id, &n);
        }
        if let Some(a) = self.jobs[&id].array {
            if let Some(c) = self.array_running.get_mut(&a.job_id) {
                *c = c.saturating_sub(1);
            }
        }
        let job = self.jobs.get_mut(&id).expect("job exists");
        if job.requeue_pending {
            self.requeue_now(id, now_ms);
            return;
        }
        job.state = job.end_state.unwrap_or(JobState::Completed);
        if job.state == JobState::Completed {
            job.reason = "None".into();
        }
        job.end_ms = now_ms;
        self.ended.push(id);
        self.dirty.insert(id);
    }

    /// Puts an ended (or just stopped) job back in the queue as a new run.
    fn requeue_now(&mut self, id: JobId, now_ms: i64) {
        let job = self.jobs.get_mut(&id).expect("job exists");
        job.state = JobState::Pending;
        job.reason = "None".into();
        job.end_state = None;
        job.placement.clear();
        job.start_ms = 0;
        job.end_ms = 0;
        job.exit_code = 0;
        job.exit_signal = 0;
        job.run += 1;
        job.restarts += 1;
        job.step = 0;
        job.requeue_pending = false;
        job.submit_ms = job.submit_ms.min(now_ms);
        let job = job.clone();
        self.enqueue(&job);
        self.dirty.insert(id);
    }

    /// `fcontrol requeue`: a running job is stopped and queued again; an ended one
    /// is queued again at once. Owner or root only; not for --no-requeue jobs.
    pub fn requeue(
        &mut self,
        id: JobId,
        uid: u32,
        now_ms: i64,
    ) -> Result<Vec<Action>, CancelError> {
        let job = self.jobs.get_mut(&id).ok_or(CancelError::NoSuchJob(id))?;
        if uid != 0 && uid != job.request.uid {
            return Err(CancelError::NotOwner(id));
        }
        if job.request.requeue == Some(false) {
            return Err(CancelError::NotRequeueable(id));
        }
        let mut actions = Vec::new();
        match job.state {
            JobState::Pending => return Err(CancelError::StillPending(id)),
            JobState::Running | JobState::Completing => {
                job.requeue_pending = true;
                if job.end_state.is_none() {
                    job.end_state = Some(JobState::Cancelled);
                    job.reason = format!("requeued by uid {uid}");
                    job.state = JobState::Completing;
                }
                actions = stops(job, JobState::Cancelled, &job.reason);
                self.dirty.insert(id);
            }
            _ => self.requeue_now(id, now_ms),
        }
        Ok(actions)
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
        job.reason = if held { "JobHeldUser" } else { "None" }.into();
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
        let job = self.jobs.get(&id).ok_or(CancelError::NoSuchJob(id))?;
        if uid != 0 && uid != job.request.uid {
            return Err(CancelError::NotOwner(id));
        }
        let mut actions = Vec::new();
        match job.state {
            JobState::Pending => {
                self.dequeue(id);
                let job = self.jobs.get_mut(&id).expect("job exists");
                job.state = JobState::Cancelled;
                job.reason = format!("cancelled by {who}");
                job.end_ms = now_ms;
                self.ended.push(id);
            }
            JobState::Running | JobState::Completing => {
                let job = self.jobs.get_mut(&id).expect("job exists");
                job.requeue_pending = false;
                if job.end_state.is_none() || job.end_state == Some(JobState::Cancelled) {
                    job.end_state = Some(JobState::Cancelled);
                    job.reason = format!("cancelled by {who}");
                    job.state = JobState::Completing;
                }
                actions = stops(job, JobState::Cancelled, &job.reason);
            }
            _ => return Err(CancelError::Finished(id)),
        }
        self.dirty.insert(id);
        Ok(actions)
    }

    /// Expected start times (Unix ms) of pending jobs, as `fqueue --start` shows
    /// them: each partition's queue is played forward in priority order against
    /// the time limits of what runs, for at most `max_jobs` jobs per partition.
    /// Jobs without an estimate (no time limits to go by, held, waiting on a
    /// dependency) are absent.
    pub fn expected_starts(&self, now_ms: i64, max_jobs: usize) -> HashMap<JobId, i64> {
        plan::expected_starts(self, now_ms, max_jobs)
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
