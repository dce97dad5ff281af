//! A job's ranks on this node: one thread and one `Store` per rank, a supervisor
//! that stops the others when one fails (like mpirun), enforces the time limit,
//! and reports how the job ended.

use crate::mpi::world::{JobEnd, World};
use crate::rank::{self, RankCtx, RankEnd, RankResult, RankSetup};
use std::io::Write;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::{Engine, InstancePre};

/// Stack size of rank threads (wasm runs on them).
const RANK_STACK: usize = 16 << 20;

/// What schedd asked this node to run.
#[derive(Debug, Clone)]
pub struct LaunchSpec {
    /// Key of this run of the job (what peers and schedd know it by).
    pub job_id: u64,
    /// The job id users see (FBATCH_JOB_ID).
    pub user_job_id: u64,
    /// Batch step index (FBATCH_STEP_ID).
    pub step_id: u32,
    /// Function name (argv[0]).
    pub function: String,
    /// Module hash.
    pub module_hash: String,
    /// Program arguments.
    pub args: Vec<String>,
    /// Extra environment.
    pub env: Vec<(String, String)>,
    /// Ranks in MPI_COMM_WORLD.
    pub world_size: u32,
    /// World ranks to run here.
    pub ranks: Vec<u32>,
    /// Output file.
    pub output_path: String,
    /// Truncate the output file first.
    pub create_output: bool,
    /// Time limit (None = unlimited).
    pub time_limit: Option<Duration>,
    /// Every node of the job: (name, peer address, world ranks).
    pub peers: Vec<(String, String, Vec<u32>)>,
    /// Memory limit per rank in bytes requested by the job (None: the node's).
    pub mem_per_rank: Option<usize>,
}

/// How the job ended on this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobReport {
    /// Job id.
    pub job_id: u64,
    /// Final state.
    pub end: JobEnd,
    /// Highest exit code of the local ranks.
    pub exit_code: i32,
    /// The first failure, naming the rank; empty on success.
    pub reason: String,
    /// Largest linear memory of a local rank.
    pub max_mem_bytes: u64,
    /// Signal-like cause (exit:signal): of the first failing rank, or SIGTERM for
    /// a cancel or time-out, SIGKILL for an out-of-memory end; 0 = none.
    pub signal: u32,
    /// Peak linear memory of each local rank.
    pub rank_mem: Vec<(u32, u64)>,
}

/// Per-node limits applied to every rank.
#[derive(Debug, Clone, Copy)]
pub struct RankLimits {
    /// Linear memory limit per rank.
    pub mem_per_rank: usize,
}

fn open_output(path: &str, create: bool) -> std::io::Result<std::fs::File> {
    if let Some(dir) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    if create && f.metadata()?.is_file() {
        f.set_len(0)?;
    }
    Ok(f)
}

/// Starts a job's local ranks; `on_done` receives the report once all have ended.
/// Returns the job's world, through which it can be stopped.
#[allow(clippy::too_many_arguments)]
pub fn start(
    spec: LaunchSpec,
    node: &str,
    engine: &Engine,
    pre: &InstancePre<RankCtx>,
    limits: RankLimits,
    link: Option<Arc<crate::peer::RemoteLink>>,
    on_done: impl FnOnce(JobReport) + Send + 'static,
) -> Result<Arc<World>, String> {
    let file = open_output(&spec.output_path, spec.create_output)
        .map_err(|e| format!("cannot open output file {}: {e}", spec.output_path))?;
    let log = file.try_clone().map_err(|e| e.to_string())?;
    let output = Arc::new(file);
    let world = Arc::new(World::new(
        spec.job_id,
        spec.world_size,
        &spec.ranks,
        node,
        link,
    ));
    let (tx, rx) = mpsc::channel::<RankResult>();
    for &r in &spec.ranks {
        let setup = RankSetup {
            world: world.clone(),
            rank: r,
            argv: std::iter::once(spec.function.clone())
                .chain(spec.args.iter().cloned())
                .collect(),
            env: rank_env(&spec, r, node),
            output: output.clone(),
            mem_limit: spec.mem_per_rank.unwrap_or(limits.mem_per_rank),
        };
        let (rank_engine, rank_pre, rank_tx) = (engine.clone(), pre.clone(), tx.clone());
        let spawned = POOL.run(Box::new(move || {
            let result = run_guarded(&rank_engine, &rank_pre, setup, r);
            let _ = rank_tx.send(result);
        }));
        match spawned {
            Ok(()) => {}
            Err(e) => {
                world.stop(
                    JobEnd::Failed,
                    format!("cannot start a thread for rank {r}: {e}"),
                );
                let _ = tx.send(RankResult {
                    rank: r,
                    end: RankEnd::Stopped,
                    hit_mem_limit: false,
                    peak_mem: 0,
                    store: None,
                });
            }
        }
    }
    drop(tx);
    let supervisor_world = world.clone();
    let nranks = spec.ranks.len();
    let deadline = spec.time_limit.map(|t| Instant::now() + t);
    POOL.run(Box::new(move || {
        let (report, stores) = supervise(
            &supervisor_world,
            spec.user_job_id,
            rx,
            nranks,
            deadline,
            spec.time_limit,
            log,
        );
        // Every rank has ended: report first, then pay for tearing down the
        // stores (unmapping linear memories, ~0.3 ms for 8 ranks). The report
        // wakes noded's event loop, which the scheduler tends to queue on this
        // very CPU: yield so that it sends the report before the teardown runs.
        on_done(report);
        std::thread::yield_now();
        // No other thread may write into a linear memory once it is freed (a
        // late message or one-sided request from another node).
        supervisor_world.retire_memories();
        drop(stores);
    }))
    .map_err(|e| format!("cannot start the job supervisor: {e}"))?;
    Ok(world)
}

/// Work for a pooled thread.
type Task = Box<dyn FnOnce() + Send>;

/// Threads that run ranks and job supervisors, kept for the next job: spawning
/// eight threads with 16 MiB stacks is a good part of launching a small job.
/// Wasmtime and the MPI layer keep no per-rank state in thread-locals, and a
/// rank's park/unpark waits re-check their condition, so a reused thread is as
/// good as a new one.
struct ThreadPool {
    /// One channel per idle thread.
    idle: std::sync::Mutex<Vec<mpsc::Sender<Task>>>,
}

/// Idle threads kept at most (more exit after their task).
const POOL_IDLE_MAX: usize = 64;

static POOL: ThreadPool = ThreadPool {
    idle: std::sync::Mutex::new(Vec::new()),
};

impl ThreadPool {
    /// Runs `task` on an idle thread, or on a new one.
    fn run(&'static self, task: Task) -> std::io::Result<()> {
        let mut task = task;
        loop {
            let Some(worker) = self.idle.lock().expect("pool lock").pop() else {
                break;
            };
            match worker.send(task) {
                Ok(()) => return Ok(()),
                // That thread has exited: try the next one.
                Err(mpsc::SendError(t)) => task = t,
            }
        }
        let (tx, rx) = mpsc::channel::<Task>();
        tx.send(task).expect("receiver alive");
        std::thread::Builder::new()
            .name("rank".into())
            .stack_size(RANK_STACK)
            .spawn(move || {
                while let Ok(task) = rx.recv() {
                    task();
                    let mut idle = self.idle.lock().expect("pool lock");
                    if idle.len() >= POOL_IDLE_MAX {
                        return;
                    }
                    idle.push(tx.clone());
                }
            })?;
        Ok(())
    }
}

/// Runs a rank, turning a host panic (a bug in noded) into a rank failure
/// instead of taking the daemon down.
fn run_guarded(
    engine: &Engine,
    pre: &InstancePre<RankCtx>,
    setup: RankSetup,
    r: u32,
) -> RankResult {
    let world = setup.world.clone();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rank::run(engine, pre, setup)
    })) {
        Ok(res) => res,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            world.stop(
                JobEnd::Failed,
                format!("rank {r}: internal error in noded: {msg}"),
            );
            RankResult {
                rank: r,
                end: RankEnd::Failed {
                    signal: 0,
                    code: 1,
                    reason: format!("internal error in noded: {msg}"),
                },
                hit_mem_limit: false,
                peak_mem: 0,
                store: None,
            }
        }
    }
}

fn rank_env(spec: &LaunchSpec, r: u32, node: &str) -> Vec<(String, String)> {
    let mut env = vec![
        ("FBATCH_JOB_ID".to_string(), spec.user_job_id.to_string()),
        ("FBATCH_STEP_ID".to_string(), spec.step_id.to_string()),
        ("FBATCH_RANK".to_string(), r.to_string()),
        ("FBATCH_SIZE".to_string(), spec.world_size.to_string()),
        ("FBATCH_NODENAME".to_string(), node.to_string()),
    ];
    env.extend(spec.env.iter().cloned());
    env
}

/// Collects rank results, stopping the job on the first failure or at the
/// deadline, and builds the report. The stores are handed back to be dropped
/// once every rank has ended (other ranks may point into their memories).
fn supervise(
    world: &World,
    user_job_id: u64,
    rx: mpsc::Receiver<RankResult>,
    nranks: usize,
    deadline: Option<Instant>,
    limit: Option<Duration>,
    mut log: std::fs::File,
) -> (JobReport, Vec<Option<wasmtime::Store<RankCtx>>>) {
    let mut graveyard = Vec::with_capacity(nranks);
    let mut first_failure: Option<(JobEnd, String)> = None;
    let mut exit_code = 0;
    let mut max_mem = 0usize;
    let mut signal = 0;
    let mut rank_mem = Vec::with_capacity(nranks);
    while graveyard.len() < nranks {
        let next = match deadline {
            Some(d) if !world.is_stopped() => {
                match rx.recv_timeout(d.saturating_duration_since(Instant::now())) {
                    Ok(r) => Some(r),
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        let secs = limit.map(|l| l.as_secs()).unwrap_or(0);
                        world.stop(JobEnd::Timeout, format!("time limit of {secs} s reached"));
                        continue;
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => None,
                }
            }
            _ => rx.recv().ok(),
        };
        let Some(mut res) = next else { break };
        max_mem = max_mem.max(res.peak_mem);
        rank_mem.push((res.rank, res.peak_mem as u64));
        match &res.end {
            RankEnd::Exited(code) => {
                exit_code = exit_code.max(*code);
                if *code != 0 && first_failure.is_none() {
                    let reason = format!("rank {}: exited with code {code}", res.rank);
                    first_failure = Some((JobEnd::Failed, reason.clone()));
                    world.stop(JobEnd::Failed, reason);
                }
            }
            RankEnd::Failed {
                code,
                reason,
                signal: sig,
            } => {
                exit_code = exit_code.max(*code);
                if first_failure.is_none() {
                    signal = *sig;
                    let (end, reason) = if res.hit_mem_limit {
                        (
                            JobEnd::OutOfMemory,
                            format!(
                                "rank {}: exceeded its memory limit of {} MiB ({reason})",
                                res.rank,
                                res.store
                                    .as_ref()
                                    .map(|s| s.data().limiter.limit >> 20)
                                    .unwrap_or(0)
                            ),
                        )
                    } else {
                        (JobEnd::Failed, format!("rank {}: {reason}", res.rank))
                    };
                    first_failure = Some((end, reason.clone()));
                    world.stop(end, reason);
                }
            }
            RankEnd::Stopped => {}
        }
        graveyard.push(res.store.take());
    }
    let (end, reason) = match (world.stop_reason(), first_failure) {
        (Some(s), _) => (s.end, s.reason),
        (None, Some(f)) => f,
        (None, None) => (JobEnd::Completed, String::new()),
    };
    if end != JobEnd::Completed {
        let label = match end {
            JobEnd::Cancelled => "CANCELLED",
            JobEnd::Timeout => "TIMEOUT",
            JobEnd::NodeFail => "NODE_FAIL",
            JobEnd::OutOfMemory => "OUT_OF_MEMORY",
            _ => "FAILED",
        };
        let _ = writeln!(
            log,
            "fbatch: error: *** JOB {user_job_id} {label} on {}: {reason} ***",
            world.node
        );
    }
    world.forget_probes();
    let signal = match end {
        JobEnd::Cancelled | JobEnd::Timeout => libc::SIGTERM as u32,
        JobEnd::OutOfMemory => libc::SIGKILL as u32,
        JobEnd::Completed => 0,
        _ => signal,
    };
    rank_mem.sort_unstable();
    let report = JobReport {
        job_id: world.job_id,
        end,
        exit_code,
        reason,
        max_mem_bytes: max_mem as u64,
        signal,
        rank_mem,
    };
    (report, graveyard)
}
