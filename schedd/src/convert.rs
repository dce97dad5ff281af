//! Translation between the core's Rust types and the Cap'n Proto messages.

use crate::core::{JobRecord, JobState, NodeEntry, Partition};
use crate::store::FunctionRecord;
use fbatch_proto::sched_capnp::{function_info, job_info, node_info, JobState as WireState};

/// Core state to wire state.
pub fn state_to_wire(s: JobState) -> WireState {
    match s {
        JobState::Pending => WireState::Pending,
        JobState::Running => WireState::Running,
        JobState::Completing => WireState::Completing,
        JobState::Completed => WireState::Completed,
        JobState::Failed => WireState::Failed,
        JobState::Cancelled => WireState::Cancelled,
        JobState::Timeout => WireState::Timeout,
        JobState::OutOfMemory => WireState::OutOfMemory,
        JobState::NodeFail => WireState::NodeFail,
    }
}

/// Wire state to core state.
pub fn state_from_wire(s: WireState) -> JobState {
    match s {
        WireState::Pending => JobState::Pending,
        WireState::Running => JobState::Running,
        WireState::Completing => JobState::Completing,
        WireState::Completed => JobState::Completed,
        WireState::Failed => JobState::Failed,
        WireState::Cancelled => JobState::Cancelled,
        WireState::Timeout => JobState::Timeout,
        WireState::OutOfMemory => JobState::OutOfMemory,
        WireState::NodeFail => JobState::NodeFail,
    }
}

/// Fills a `JobInfo` from a job record.
pub fn job_to_wire(job: &JobRecord, mut b: job_info::Builder<'_>) {
    b.set_id(job.id);
    b.set_name(job.name());
    b.set_user(&job.request.user);
    b.set_uid(job.request.uid);
    b.set_state(state_to_wire(job.state));
    b.set_reason(&job.reason);
    b.set_function(&job.request.function);
    b.set_module_hash(&job.module_hash);
    {
        let mut args = b.reborrow().init_args(job.request.args.len() as u32);
        for (i, a) in job.request.args.iter().enumerate() {
            args.set(i as u32, a);
        }
    }
    b.set_ntasks(job.request.ntasks);
    {
        let names = job.node_names();
        let mut nodes = b.reborrow().init_nodes(names.len() as u32);
        for (i, n) in names.iter().enumerate() {
            nodes.set(i as u32, n);
        }
    }
    b.set_submit_time_ms(job.submit_ms);
    b.set_start_time_ms(job.start_ms);
    b.set_end_time_ms(job.end_ms);
    b.set_exit_code(job.exit_code);
    b.set_output(&job.output);
    b.set_time_limit_secs(job.time_limit_secs);
    b.set_cwd(&job.request.cwd);
    b.set_partition(&job.partition);
    b.set_priority(job.priority);
    if let Some(a) = job.array {
        b.set_array_job_id(a.job_id);
        b.set_array_task_id(a.task_id);
    }
    b.set_exit_signal(job.exit_signal);
    b.set_max_mem_bytes(job.max_mem_bytes);
    {
        let mut mem = b.reborrow().init_rank_mem(job.rank_mem.len() as u32);
        for (i, (rank, bytes)) in job.rank_mem.iter().enumerate() {
            let mut m = mem.reborrow().get(i as u32);
            m.set_rank(*rank);
            m.set_bytes(*bytes);
        }
    }
    b.set_restarts(job.restarts);
    b.set_requeue(match job.request.requeue {
        None => 0,
        Some(true) => 1,
        Some(false) => 2,
    });
    b.set_steps(job.request.steps.len() as u32);
    b.set_step(job.step);
    b.set_dependency(&job.request.dependency);
    b.set_nodes_requested(job.request.nodes);
    b.set_exclusive(job.request.exclusive);
    b.set_mem_per_rank_mib(job.request.mem_per_rank_mib);
}

/// Fills a `NodeInfo`.
pub fn node_to_wire(n: &NodeEntry, parts: &[Partition], mut b: node_info::Builder<'_>) {
    b.set_reason(n.drain.as_deref().unwrap_or(""));
    {
        let mut p = b.reborrow().init_partitions(n.partitions.len() as u32);
        for (i, pi) in n.partitions.iter().enumerate() {
            p.set(i as u32, &parts[*pi].name);
        }
    }
    b.set_name(&n.name);
    b.set_slots(n.slots);
    b.set_allocated(n.used);
    b.set_state(n.state());
    b.set_last_seen_ms(n.last_seen_ms);
    let mut jobs = b.init_running_jobs(n.jobs.len() as u32);
    for (i, j) in n.jobs.iter().enumerate() {
        jobs.set(i as u32, *j);
    }
}

/// Fills a `FunctionInfo`.
pub fn function_to_wire(f: &FunctionRecord, mut b: function_info::Builder<'_>) {
    b.set_name(&f.name);
    b.set_hash(&f.hash);
    b.set_wasm_bytes(f.wasm_bytes);
    b.set_artifact_bytes(f.artifact_bytes);
    b.set_compile_ms(f.compile_ms);
    b.set_cache_hit(f.cache_hit);
    b.set_uploaded_ms(f.uploaded_ms);
    b.set_user(&f.user);
}
