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
}

/// The ranks of a job placed on one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// Node name.
    pub node: String,
    /// World ranks that run there.
    pub ranks: Vec<u32>,
    /// Whether this node has reported the end of its ranks.
    pub done: bool,
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
}

impl JobRecord {
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

/// Expands `%j` (job id) and `%%` in an output pattern.
pub fn expand_output(pattern: &str, id: JobId, name: &str, user: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_pattern_expands_job_id_name_user_and_escapes() {
        assert_eq!(
            expand_output("/tmp/%x-%j.%u.out%%", 42, "nstream", "ann"),
            "/tmp/nstream-42.ann.out%"
        );
        assert_eq!(expand_output("a%qb%", 1, "n", "u"), "a%qb%");
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
