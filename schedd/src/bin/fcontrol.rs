//! `fcontrol`: administration and job control (scontrol-like).

use clap::{Parser, Subcommand};
use schedd::client::view::{JobView, NodeView};
use schedd::client::{self, format_duration, format_time, ConnArgs, JobOp, JobSpecs, RpcResult};

#[derive(Parser)]
#[command(
    name = "fcontrol",
    about = "Drain and resume nodes, show and requeue jobs"
)]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Stop placing jobs on a node; its running jobs finish (root only).
    Drain {
        /// Node name.
        node: String,
        /// Why (shown by finfo).
        #[arg(long, short = 'r')]
        reason: String,
    },
    /// Undo a drain (root only).
    Resume {
        /// Node name.
        node: String,
    },
    /// Show a job, node or partition as KEY=VALUE lines.
    Show {
        #[command(subcommand)]
        what: Show,
    },
    /// Stop running jobs (or take ended ones) and queue them again.
    Requeue(JobSpecs),
    /// Hold pending jobs.
    Hold(JobSpecs),
    /// Release held jobs.
    Release(JobSpecs),
}

#[derive(Subcommand)]
enum Show {
    /// One job (or all tasks of an array).
    Job {
        /// Job id.
        id: String,
    },
    /// One node, or all.
    Node {
        /// Node name.
        name: Option<String>,
    },
    /// The partitions.
    Partition,
}

fn show_job(j: &JobView) {
    let t = |ms: i64| {
        if ms == 0 {
            "Unknown".to_string()
        } else {
            format_time(ms)
        }
    };
    println!("JobId={} JobName={}", j.job_id, j.name);
    if let (Some(a), Some(i)) = (j.array_job_id, j.array_task_id) {
        println!("   ArrayJobId={a} ArrayTaskId={i}");
    }
    println!(
        "   UserId={}({}) Priority={} Partition={}",
        j.user, j.uid, j.priority, j.partition
    );
    println!(
        "   JobState={} Reason={} Dependency={}",
        j.state,
        j.reason,
        if j.dependency.is_empty() {
            "(null)"
        } else {
            &j.dependency
        }
    );
    println!(
        "   Requeue={} Restarts={} ExitCode={}",
        j.requeue, j.restarts, j.exit
    );
    println!(
        "   RunTime={} TimeLimit={}",
        format_duration(j.elapsed_secs),
        match j.time_limit_secs {
            0 => "UNLIMITED".to_string(),
            s => format_duration(i64::from(s)),
        }
    );
    println!(
        "   SubmitTime={} StartTime={} EndTime={}",
        t(j.submit_time_ms),
        t(j.start_time_ms),
        t(j.end_time_ms)
    );
    println!(
        "   NumTasks={} NodeList={} Exclusive={} MemPerRank={}",
        j.ntasks,
        if j.nodes.is_empty() {
            "(null)".to_string()
        } else {
            j.nodes.join(",")
        },
        j.exclusive,
        match j.mem_per_rank_mib {
            0 => "default".to_string(),
            m => format!("{m}M"),
        }
    );
    if j.steps > 0 {
        println!("   BatchSteps={} CurrentStep={}", j.steps, j.step);
    }
    println!("   Command={} {}", j.function, j.args.join(" "));
    println!("   WorkDir={} StdOut={}", j.cwd, j.output);
}

fn show_node(n: &NodeView) {
    println!("NodeName={} State={}", n.name, n.state.to_uppercase());
    println!(
        "   Slots={} Alloc={} Partitions={}",
        n.slots,
        n.allocated,
        n.partitions.join(",")
    );
    if !n.reason.is_empty() {
        println!("   Reason={}", n.reason);
    }
}

fn main() {
    let args = Args::parse();
    client::run("fcontrol", || async move {
        let (uid, _) = client::current_user();
        match &args.cmd {
            Cmd::Drain { node, reason } => drain(&args.conn, node, reason, false, uid).await,
            Cmd::Resume { node } => drain(&args.conn, node, "", true, uid).await,
            Cmd::Requeue(s) => {
                client::run_job_op("fcontrol", &args.conn, JobOp::Requeue, &s.jobs).await
            }
            Cmd::Hold(s) => client::run_job_op("fcontrol", &args.conn, JobOp::Hold, &s.jobs).await,
            Cmd::Release(s) => {
                client::run_job_op("fcontrol", &args.conn, JobOp::Release, &s.jobs).await
            }
            Cmd::Show { what } => {
                let sched = client::connect(&args.conn).await?;
                match what {
                    Show::Job { id } => {
                        let ids: Vec<u64> =
                            client::resolve_job_ids(&sched, std::slice::from_ref(id))
                                .await?
                                .into_iter()
                                .flat_map(|(_, ids)| ids)
                                .collect();
                        let now = schedd::server::now_ms();
                        for id in ids {
                            let mut req = sched.get_job_request();
                            req.get().set_job_id(id);
                            let reply = req.send().promise.await.rpc()?;
                            show_job(&JobView::from_wire(reply.get()?.get_job()?, now)?);
                        }
                    }
                    Show::Node { name } => {
                        let reply = sched.list_nodes_request().send().promise.await.rpc()?;
                        let mut found = false;
                        for n in reply.get()?.get_nodes()?.iter() {
                            let n = NodeView::from_wire(n)?;
                            if name.as_ref().is_none_or(|want| *want == n.name) {
                                show_node(&n);
                                found = true;
                            }
                        }
                        if !found {
                            anyhow::bail!("node {} not found", name.as_deref().unwrap_or(""));
                        }
                    }
                    Show::Partition => {
                        let reply = sched.list_partitions_request().send().promise.await.rpc()?;
                        for p in reply.get()?.get_partitions()?.iter() {
                            let limit = |s: u32| match s {
                                0 => "UNLIMITED".to_string(),
                                s => format_duration(i64::from(s)),
                            };
                            let nodes: Vec<String> = p
                                .get_nodes()?
                                .iter()
                                .map(|n| Ok(n?.to_string()?))
                                .collect::<anyhow::Result<_>>()?;
                            println!(
                                "PartitionName={} Default={} State={}",
                                p.get_name()?.to_str()?,
                                if p.get_default() { "YES" } else { "NO" },
                                if p.get_up() { "UP" } else { "DOWN" }
                            );
                            println!(
                                "   MaxTime={} DefaultTime={} Nodes={}",
                                limit(p.get_max_time_secs()),
                                limit(p.get_default_time_secs()),
                                nodes.join(",")
                            );
                        }
                    }
                }
                Ok(0)
            }
        }
    })
}

async fn drain(
    conn: &ConnArgs,
    node: &str,
    reason: &str,
    resume: bool,
    uid: u32,
) -> anyhow::Result<i32> {
    let sched = client::connect(conn).await?;
    let mut req = sched.drain_request();
    req.get().set_node(node);
    req.get().set_reason(reason);
    req.get().set_resume(resume);
    req.get().set_uid(uid);
    req.send().promise.await.rpc()?;
    Ok(0)
}
