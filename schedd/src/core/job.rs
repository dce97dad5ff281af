//! Jobs as schedd records them: what was asked, where it runs, how it ended.

use serde::{Deserialize, Serialize};

/// Job identifier, allocated in submission order starting at 1.
pub type JobId = u64;

/// Slurm's job states, with their squeue codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobState {
    /// Queued, waiting for slots (PD).
    Pending,
    /// Ranks are running (R).
    Running,
    /// Ending: waiting for nodes to confirm their ranks stopped (CG).
    Completing,
    /// Every rank exited 0 (CD).
    Completed,
    /// A rank failed: non-zero exit, trap, MPI error or MPI_Abort (F).
    Failed,
    /// Cancelled by its owner (CA).
    Cancelled,
    /// Hit its time limit (TO).
    Timeout,
    /// A rank exceeded its memory limit (OOM).
    OutOfMemory,
    /// A node running its ranks died (NF).
    NodeFail,
}

impl JobState {
    /// squeue's short code.
    pub fn code(self) -> &'static str {
        match self {
            JobState::Pending => "PD",
            JobState::Running => "R",
            JobState::Completing => "CG",
            JobState::Completed => "CD",
            JobState::Failed => "F",
            JobState::Cancelled => "CA",
            JobState::Timeout => "TO",
            JobState::OutOfMemory => "OOM",
            JobState::NodeFail => "NF",
        }
    }

    /// Slurm's long name (sacct, --json).
    pub fn name(self) -> &'static str {
        match self {
            JobState::Pending => "PENDING",
            JobState::Running => "RUNNING",
            JobState::Completing => "COMPLETING",
            JobState::Completed => "COMPLETED",
            JobState::Failed => "FAILED",
            JobState::Cancelled => "CANCELLED",
            JobState::Timeout => "TIMEOUT",
            JobState::OutOfMemory => "OUT_OF_MEMORY",
            JobState::NodeFail => "NODE_FAIL",
        }
    }

    /// True once the job can no longer change.
    pub fn is_final(self) -> bool {
        !matches!(
            self,
            JobState::Pending | JobState::Running | JobState::Completing
        )
    }

    /// How bad an ending is: when nodes disagree, the worst one names the job's state.
    pub fn severity(self) -> u8 {
        match self {
            JobState::Completed => 0,
            JobState::Failed => 1,
            JobState::OutOfMemory => 2,
            JobState::Timeout => 3,
            JobState::NodeFail => 4,
            JobState::Cancelled => 5,
            _ => 0,
        }
    }
}

/// What a client asked for in `fsub`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobRequest {
    /// Uploaded function to run.
    pub function: String,
    /// Arguments after the function name (argv[1..]).
    pub args: Vec<String>,
    /// Number of ranks (-n).
    pub ntasks: u32,
    /// Job name (-J); defaults to the function name.
    pub name: String,
    /// Output file pattern (absolute; %j = job id).
    pub output_pattern: String,
    /// Submit directory.
    pub cwd: String,
    /// Extra environment for the ranks.
    pub env: Vec<(String, String)>,
    /// Submitting user's name.
    pub user: String,
    /// Submitting user's uid.
    pub uid: u32,
    /// Time limit in seconds; 0 = none.
    pub time_limit_secs: u32,
    /// -N: exactly this many nodes (0 = as few as fit).
    #[serde(default)]
    pub nodes: u32,
    /// --ntasks-per-node (0 = no constraint).
    #[serde(default)]
    pub ntasks_per_node: u32,
    /// -d: Slurm-style dependency spec (empty = none).
    #[serde(default)]
    pub dependency: String,
    /// --mem: linear memory limit per rank in MiB (0 = the node's default).
    #[serde(default)]
    pub mem_per_rank_mib: u32,
    /// --begin: eligible from this Unix time in ms (0 = at once).
    #[serde(default)]
    pub begin_ms: i64,
    /// --hold: submitted held.
    #[serde(default)]
    pub hold: bool,
    /// --exclusive: its nodes run no other job meanwhile.
    #[serde(default)]
    pub exclusive: bool,
    /// -p: partition name (empty = the default partition).
    #[serde(default)]
    pub partition: String,
    /// --priority: an administrator-set priority (root only); None = the default.
    #[serde(default)]
    pub priority: Option<u32>,
    /// --nice: subtracted from the priority (negative values are root only).
    #[serde(default)]
    pub nice: i32,
    /// --requeue (Some(true)) / --no-requeue (Some(false)); None = not given.
    #[serde(default)]
    pub requeue: Option<bool>,
    /// Steps of a batch script, run one after another in the job's allocation;
    /// empty for a plain job (which runs `function` once on all ranks).
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// One `fsub`/`srun` line of a batch script.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Uploaded function.
    pub function: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Ranks (at most the job's).
    pub ntasks: u32,
    /// Module hash resolved at submission.
    pub module_hash: String,
}

/// The priority a job gets when neither --priority nor --nice is given.
pub const BASE_PRIORITY: i64 = 10_000;

impl JobRequest {
    /// The job's scheduling priority: higher runs first.
    pub fn effective_priority(&self) -> i64 {
        self.priority.map_or(BASE_PRIORITY, i64::from) - i64::from(self.nice)
    }
}

/// A task of a job array (`fsub -a`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrayTask {
    /// The array's job id (the id of its first task).
    pub job_id: JobId,
    /// This task's index.
    pub task_id: u32,
    /// At most this many tasks of the array run at once (`%N`; 0 = no limit).
    pub max_running: u32,
}

/// Bits of a launch key that hold the job id; the bits above count the job's runs
/// (requeues and batch steps), so that noded never mixes up two runs of one job.
pub const RUN_SHIFT: u32 = 40;

/// The id noded knows a run of a job by.
pub fn run_key(id: JobId, run: u32) -> u64 {
    id | (u64::from(run) << RUN_SHIFT)
}

/// Splits a launch key into job id and run.
pub fn split_run_key(key: u64) -> (JobId, u32) {
    (key & ((1 << RUN_SHIFT) - 1), (key >> RUN_SHIFT) as u32)
}

/// The ranks of a job placed on one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// Node name.
    pub node: String,
    /// World ranks that run there.
    pub ranks: Vec<u32>,
    /// Whether this node has reported the end of its ranks (of the current step).
    pub done: bool,
    /// Whether its slots were given back.
    #[serde(default)]
    pub released: bool,
    /// Whether the node accepted the launch of the current run.
    #[serde(default = "yes")]
    pub launched: bool,
}

fn yes() -> bool {
    true
}

/// One job, as persisted in schedd's store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    /// Job id.
    pub id: JobId,
    /// What was submitted.
    pub request: JobRequest,
    /// Module hash of the function at submission time (later uploads don't change it).
    pub module_hash: String,
    /// Output file, `%j` expanded.
    pub output: String,
    /// Current state.
    pub state: JobState,
    /// Why it is pending, or why it ended badly.
    pub reason: String,
    /// The state the job ends in once every node has confirmed (set by the first
    /// failure, cancellation or time-out).
    pub end_state: Option<JobState>,
    /// Unix time in ms.
    pub submit_ms: i64,
    /// Unix time in ms; 0 if never started.
    pub start_ms: i64,
    /// Unix time in ms; 0 until ended.
    pub end_ms: i64,
    /// Highest rank exit code.
    pub exit_code: i32,
    /// Where its ranks run(ran).
    pub placement: Vec<Placement>,
    /// Largest linear memory of any rank, in bytes.
    pub max_mem_bytes: u64,
    /// Held by its user (fsub --hold) until frelease.
    #[serde(default)]
    pub held: bool,
    /// Scheduling priority (higher first), fixed at submission.
    #[serde(default)]
    pub priority: i64,
    /// The partition it runs in.
    #[serde(default)]
    pub partition: String,
    /// Time limit it runs with (the request's, or the partition's default), seconds.
    #[serde(default)]
    pub time_limit_secs: u32,
    /// Set for tasks of a job array.
    #[serde(default)]
    pub array: Option<ArrayTask>,
    /// Runs so far (a requeue or the next batch step starts a new one).
    #[serde(default)]
    pub run: u32,
    /// Times it was requeued.
    #[serde(default)]
    pub restarts: u32,
    /// Index of the batch step running (or next to run).
    #[serde(default)]
    pub step: u32,
    /// Requeue instead of ending once its ranks have stopped (fcontrol requeue,
    /// or a node failure of a --requeue job).
    #[serde(default)]
    pub requeue_pending: bool,
    /// Signal that ended the job (0 = none), Slurm's `exit:signal`.
    #[serde(default)]
    pub exit_signal: u32,
    /// Peak linear memory of each rank, `(rank, bytes)`, for facct.
    #[serde(default)]
    pub rank_mem: Vec<(u32, u64)>,
}

impl JobRecord {
    /// Slurm's JOBID column: `A_i` for array tasks.
    pub fn display_id(&self) -> String {
        match self.array {
            Some(a) => format!("{}_{}", a.job_id, a.task_id),
            None => self.id.to_string(),
        }
    }

    /// The launch key of its current run.
    pub fn key(&self) -> u64 {
        run_key(self.id, self.run)
    }

    /// Function, arguments, ranks and module of the current step.
    pub fn current_step(&self) -> (&str, &[String], u32, &str) {
        match self.request.steps.get(self.step as usize) {
            Some(s) => (&s.function, &s.args, s.ntasks, &s.module_hash),
            None => (
                &self.request.function,
                &self.request.args,
                self.request.ntasks,
                &self.module_hash,
            ),
        }
    }

    /// Whether a batch step follows the current one.
    pub fn has_next_step(&self) -> bool {
        (self.step as usize + 1) < self.request.steps.len()
    }

    /// The job's display name.
    pub fn name(&self) -> &str {
        if self.request.name.is_empty() {
            &self.request.function
        } else {
            &self.request.name
        }
    }

    /// Names of the nodes its ranks were placed on, in rank order.
    pub fn node_names(&self) -> Vec<String> {
        self.placement.iter().map(|p| p.node.clone()).collect()
    }

    /// Elapsed run time in ms at `now_ms`.
    pub fn elapsed_ms(&self, now_ms: i64) -> i64 {
        match (self.start_ms, self.end_ms) {
            (0, _) => 0,
            (s, 0) => (now_ms - s).max(0),
            (s, e) => (e - s).max(0),
        }
    }
}

/// Expands an output pattern: `%j` job id, `%x` name, `%u` user, `%A` array job id,
/// `%a` array task id (for a plain job: `%A` = `%j`, `%a` = 4294967294 as in Slurm),
/// `%%` a percent sign.
pub fn expand_output(
    pattern: &str,
    id: JobId,
    name: &str,
    user: &str,
    array: Option<ArrayTask>,
) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('j') => out.push_str(&id.to_string()),
            Some('x') => out.push_str(name),
            Some('u') => out.push_str(user),
            Some('A') => out.push_str(&array.map_or(id, |a| a.job_id).to_string()),
            Some('a') => out.push_str(&array.map_or(u32::MAX - 1, |a| a.task_id).to_string()),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// Parses a Slurm time limit: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`,
/// `D-HH:MM:SS`; `0`, `UNLIMITED` and `infinite` mean none. Returns seconds.
pub fn parse_time_limit(s: &str) -> Result<u32, String> {
    let bad = || {
        format!("invalid time limit '{s}' (use MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)")
    };
    let t = s.trim();
    if t.eq_ignore_ascii_case("unlimited") || t.eq_ignore_ascii_case("infinite") {
        return Ok(0);
    }
    let num = |p: &str| p.parse::<u64>().map_err(|_| bad());
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (Some(num(d)?), r),
        None => (None, t),
    };
    let parts: Vec<u64> = rest.split(':').map(num).collect::<Result<_, _>>()?;
    let secs = match (days, parts.as_slice()) {
        (None, [m]) => m * 60,
        (None, [m, s]) => m * 60 + s,
        (None, [h, m, s]) => h * 3600 + m * 60 + s,
        (Some(d), [h]) => d * 86400 + h * 3600,
        (Some(d), [h, m]) => d * 86400 + h * 3600 + m * 60,
        (Some(d), [h, m, s]) => d * 86400 + h * 3600 + m * 60 + s,
        _ => return Err(bad()),
    };
    u32::try_from(secs).map_err(|_| bad())
}

/// Parses `fsub -a`: indices `0-15`, `1,3,5`, steps `0-15:4`, mixed lists, and an
/// optional `%N` limit on tasks running at once. Returns the sorted distinct indices
/// and the limit (0 = none).
pub fn parse_array(spec: &str) -> Result<(Vec<u32>, u32), String> {
    let bad = |why: &str| format!("'{spec}': {why} (use e.g. 0-15, 1,3,5, 0-15:2 or 0-15%4)");
    let (list, limit) = match spec.split_once('%') {
        Some((l, n)) => (l, n.parse::<u32>().map_err(|_| bad("bad %N limit"))?),
        None => (spec, 0),
    };
    let mut out = std::collections::BTreeSet::new();
    for part in list.split(',') {
        let (range, step) = match part.split_once(':') {
            Some((r, s)) => (r, s.parse::<u32>().map_err(|_| bad("bad step"))?),
            None => (part, 1),
        };
        if step == 0 {
            return Err(bad("step 0"));
        }
        let num = |t: &str| t.trim().parse::<u32>().map_err(|_| bad("not a number"));
        let (lo, hi) = match range.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => (num(range)?, num(range)?),
        };
        if lo > hi {
            return Err(bad("a range runs backwards"));
        }
        if (hi - lo) / step >= super::MAX_ARRAY_TASKS as u32 || out.len() > super::MAX_ARRAY_TASKS {
            return Err(bad("too many tasks"));
        }
        out.extend((lo..=hi).step_by(step as usize));
    }
    Ok((out.into_iter().collect(), limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_pattern_expands_job_id_name_user_and_escapes() {
        assert_eq!(
            expand_output("/tmp/%x-%j.%u.out%%", 42, "nstream", "ann", None),
            "/tmp/nstream-42.ann.out%"
        );
        assert_eq!(expand_output("a%qb%", 1, "n", "u", None), "a%qb%");
        let task = ArrayTask {
            job_id: 7,
            task_id: 3,
            max_running: 0,
        };
        assert_eq!(
            expand_output("%A_%a-%j", 10, "n", "u", Some(task)),
            "7_3-10"
        );
        assert_eq!(run_key(5, 3) >> RUN_SHIFT, 3);
        assert_eq!(split_run_key(run_key(123_456, 7)), (123_456, 7));
    }

    #[test]
    fn array_specs_follow_slurm() {
        assert_eq!(parse_array("0-3"), Ok((vec![0, 1, 2, 3], 0)));
        assert_eq!(parse_array("1,3,5%2"), Ok((vec![1, 3, 5], 2)));
        assert_eq!(parse_array("0-10:5,7"), Ok((vec![0, 5, 7, 10], 0)));
        assert!(parse_array("5-1").is_err());
        assert!(parse_array("a").is_err());
        assert!(parse_array("0-3%x").is_err());
        assert!(parse_array("0-4000000").is_err());
    }

    #[test]
    fn final_states_are_exactly_the_ended_ones() {
        use JobState::*;
        for s in [Pending, Running, Completing] {
            assert!(!s.is_final());
        }
        for s in [Completed, Failed, Cancelled, Timeout, OutOfMemory, NodeFail] {
            assert!(s.is_final());
        }
        assert_eq!(NodeFail.code(), "NF");
        assert_eq!(OutOfMemory.name(), "OUT_OF_MEMORY");
    }
}
