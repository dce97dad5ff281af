//! What clients display: plain serde structs decoded from schedd's replies.

use crate::convert::state_from_wire;
use fbatch_proto::sched_capnp::{function_info, job_info, node_info};
use serde::Serialize;

fn s(r: capnp::Result<capnp::text::Reader<'_>>) -> capnp::Result<String> {
    Ok(r?.to_string()?)
}

/// A job row (fqueue, facct, fsub --wait).
#[derive(Debug, Clone, Default, Serialize)]
pub struct JobView {
    pub job_id: u64,
    /// Slurm's JOBID: `A_i` for array tasks.
    pub job_id_display: String,
    pub array_job_id: Option<u64>,
    pub array_task_id: Option<u32>,
    pub partition: String,
    pub priority: i64,
    pub name: String,
    pub user: String,
    pub uid: u32,
    pub state: String,
    pub state_code: String,
    pub reason: String,
    pub function: String,
    pub module_hash: String,
    pub args: Vec<String>,
    pub ntasks: u32,
    pub nodes: Vec<String>,
    pub submit_time_ms: i64,
    pub start_time_ms: i64,
    pub end_time_ms: i64,
    pub elapsed_secs: i64,
    pub exit_code: i32,
    pub output: String,
    pub time_limit_secs: u32,
    pub cwd: String,
    /// Slurm's `exit:signal`.
    pub exit: String,
    pub exit_signal: u32,
    pub max_mem_bytes: u64,
    /// Peak linear memory per rank: `[rank, bytes]`.
    pub rank_mem: Vec<(u32, u64)>,
    pub restarts: u32,
    /// Estimated start of a pending job (fqueue --start); None = unknown.
    pub expected_start_ms: Option<i64>,
    pub dependency: String,
    pub steps: u32,
    pub step: u32,
    pub exclusive: bool,
    pub mem_per_rank_mib: u32,
    /// "yes", "no" or "default" (requeued only by fcontrol).
    pub requeue: String,
}

impl JobView {
    /// Decodes a `JobInfo`; `now_ms` gives running jobs their elapsed time.
    pub fn from_wire(r: job_info::Reader<'_>, now_ms: i64) -> capnp::Result<JobView> {
        let state = state_from_wire(r.get_state()?);
        let (start, end) = (r.get_start_time_ms(), r.get_end_time_ms());
        let elapsed_ms = match (start, end) {
            (0, _) => 0,
            (s, 0) => now_ms - s,
            (s, e) => e - s,
        };
        let array =
            (r.get_array_job_id() != 0).then(|| (r.get_array_job_id(), r.get_array_task_id()));
        Ok(JobView {
            job_id: r.get_id(),
            job_id_display: match array {
                Some((a, t)) => format!("{a}_{t}"),
                None => r.get_id().to_string(),
            },
            array_job_id: array.map(|a| a.0),
            array_task_id: array.map(|a| a.1),
            partition: s(r.get_partition())?,
            priority: r.get_priority(),
            name: s(r.get_name())?,
            user: s(r.get_user())?,
            uid: r.get_uid(),
            state: state.name().into(),
            state_code: state.code().into(),
            reason: s(r.get_reason())?,
            function: s(r.get_function())?,
            module_hash: s(r.get_module_hash())?,
            args: r
                .get_args()?
                .iter()
                .map(|a| Ok(a?.to_string()?))
                .collect::<capnp::Result<_>>()?,
            ntasks: r.get_ntasks(),
            nodes: r
                .get_nodes()?
                .iter()
                .map(|a| Ok(a?.to_string()?))
                .collect::<capnp::Result<_>>()?,
            submit_time_ms: r.get_submit_time_ms(),
            start_time_ms: start,
            end_time_ms: end,
            elapsed_secs: elapsed_ms.max(0) / 1000,
            exit_code: r.get_exit_code(),
            output: s(r.get_output())?,
            time_limit_secs: r.get_time_limit_secs(),
            cwd: s(r.get_cwd())?,
            exit: format!("{}:{}", r.get_exit_code(), r.get_exit_signal()),
            exit_signal: r.get_exit_signal(),
            max_mem_bytes: r.get_max_mem_bytes(),
            rank_mem: r
                .get_rank_mem()?
                .iter()
                .map(|m| (m.get_rank(), m.get_bytes()))
                .collect(),
            restarts: r.get_restarts(),
            expected_start_ms: (r.get_expected_start_ms() != 0).then(|| r.get_expected_start_ms()),
            dependency: s(r.get_dependency())?,
            steps: r.get_steps(),
            step: r.get_step(),
            exclusive: r.get_exclusive(),
            mem_per_rank_mib: r.get_mem_per_rank_mib(),
            requeue: match r.get_requeue() {
                1 => "yes",
                2 => "no",
                _ => "default",
            }
            .into(),
        })
    }

    /// A pending job with empty fields (to check format strings against).
    pub fn example() -> JobView {
        JobView {
            state: "PENDING".into(),
            state_code: "PD".into(),
            reason: "None".into(),
            ..Default::default()
        }
    }

    /// True once the job has ended.
    pub fn is_final(&self) -> bool {
        !matches!(self.state_code.as_str(), "PD" | "R" | "CG")
    }

    /// The exit code `fsub --wait` returns: 0 only for COMPLETED.
    pub fn wait_exit_code(&self) -> i32 {
        match (self.state_code.as_str(), self.exit_code) {
            ("CD", _) => 0,
            (_, c) if c > 0 && c < 256 => c,
            _ => 1,
        }
    }
}

/// A node row (finfo).
#[derive(Debug, Clone, Serialize)]
pub struct NodeView {
    pub name: String,
    pub state: String,
    pub partitions: Vec<String>,
    /// Why it is drained ("" if not).
    pub reason: String,
    pub slots: u32,
    pub allocated: u32,
    pub last_seen_ms: i64,
    pub running_jobs: Vec<u64>,
}

impl NodeView {
    /// Decodes a `NodeInfo`.
    pub fn from_wire(r: node_info::Reader<'_>) -> capnp::Result<NodeView> {
        Ok(NodeView {
            name: s(r.get_name())?,
            state: s(r.get_state())?,
            partitions: r
                .get_partitions()?
                .iter()
                .map(|a| Ok(a?.to_string()?))
                .collect::<capnp::Result<_>>()?,
            reason: s(r.get_reason())?,
            slots: r.get_slots(),
            allocated: r.get_allocated(),
            last_seen_ms: r.get_last_seen_ms(),
            running_jobs: r.get_running_jobs()?.iter().collect(),
        })
    }
}

/// An uploaded function (fupload).
#[derive(Debug, Clone, Serialize)]
pub struct FunctionView {
    pub name: String,
    pub hash: String,
    pub wasm_bytes: u64,
    pub artifact_bytes: u64,
    pub compile_ms: u32,
    pub cache_hit: bool,
    pub uploaded_ms: i64,
    pub user: String,
}

impl FunctionView {
    /// Decodes a `FunctionInfo`.
    pub fn from_wire(r: function_info::Reader<'_>) -> capnp::Result<FunctionView> {
        Ok(FunctionView {
            name: s(r.get_name())?,
            hash: s(r.get_hash())?,
            wasm_bytes: r.get_wasm_bytes(),
            artifact_bytes: r.get_artifact_bytes(),
            compile_ms: r.get_compile_ms(),
            cache_hit: r.get_cache_hit(),
            uploaded_ms: r.get_uploaded_ms(),
            user: s(r.get_user())?,
        })
    }
}
