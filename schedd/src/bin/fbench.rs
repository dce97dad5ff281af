//! `fbench`: scheduler benchmarks (jobs/bench-scheduler.sh drives it).
//!
//! - `submit`: submissions accepted and persisted per second from concurrent
//!   clients (each keeps several requests in flight, as capnp pipelines them).
//! - `throughput`: trivial 1-rank jobs completed per second.
//! - `sim`: one scheduling cycle of the real scheduler core over a simulated
//!   cluster (no sockets): many nodes, a long queue.

use clap::{Parser, Subcommand};
use futures::stream::{FuturesUnordered, StreamExt};
use schedd::client::{self, ConnArgs, RpcResult};
use schedd::core::{Cluster, JobRequest, NodeReport};
use std::time::Instant;

#[derive(Parser)]
#[command(name = "fbench", about = "fbatch scheduler benchmarks")]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Submit JOBS jobs of FUNCTION from CLIENTS concurrent connections.
    Submit {
        #[arg(long, default_value_t = 8)]
        clients: usize,
        #[arg(long, default_value_t = 20_000)]
        jobs: usize,
        /// Requests each client keeps in flight.
        #[arg(long, default_value_t = 64)]
        inflight: usize,
        function: String,
    },
    /// Submit JOBS 1-rank jobs of FUNCTION and time them until all have ended.
    Throughput {
        #[arg(long, default_value_t = 2_000)]
        jobs: usize,
        function: String,
    },
    /// Time scheduling cycles of the core over NODES nodes and JOBS queued jobs.
    Sim {
        #[arg(long, default_value_t = 10_000)]
        nodes: usize,
        #[arg(long, default_value_t = 8)]
        slots: u32,
        #[arg(long, default_value_t = 1_000_000)]
        jobs: usize,
    },
}

fn spec_request(
    sched: &fbatch_proto::sched_capnp::scheduler::Client,
    function: &str,
) -> capnp::capability::Request<
    fbatch_proto::sched_capnp::scheduler::submit_params::Owned,
    fbatch_proto::sched_capnp::scheduler::submit_results::Owned,
> {
    let (uid, user) = client::current_user();
    let mut req = sched.submit_request();
    let mut spec = req.get().init_spec();
    spec.set_function(function);
    spec.set_ntasks(1);
    spec.set_output_pattern("/dev/null");
    spec.set_cwd("/tmp");
    spec.set_user(&user);
    spec.set_uid(uid);
    req
}

async fn submit_many(
    sched: &fbatch_proto::sched_capnp::scheduler::Client,
    function: &str,
    n: usize,
    inflight: usize,
) -> anyhow::Result<Vec<u64>> {
    let mut ids = Vec::with_capacity(n);
    let mut pending = FuturesUnordered::new();
    let mut sent = 0;
    while ids.len() < n {
        while sent < n && pending.len() < inflight {
            pending.push(spec_request(sched, function).send().promise);
            sent += 1;
        }
        let reply = pending.next().await.expect("requests in flight").rpc()?;
        ids.push(reply.get()?.get_job_id());
    }
    Ok(ids)
}

fn main() {
    let args = Args::parse();
    client::run("fbench", || async move {
        match &args.cmd {
            Cmd::Submit {
                clients,
                jobs,
                inflight,
                function,
            } => {
                let mut conns = Vec::new();
                for _ in 0..*clients {
                    conns.push(client::connect(&args.conn).await?);
                }
                let per = jobs.div_ceil(*clients);
                let t0 = Instant::now();
                let tasks: Vec<_> = conns
                    .into_iter()
                    .map(|sched| {
                        let (function, inflight) = (function.clone(), *inflight);
                        tokio::task::spawn_local(async move {
                            submit_many(&sched, &function, per, inflight).await
                        })
                    })
                    .collect();
                let mut total = 0;
                for t in tasks {
                    total += t.await??.len();
                }
                let secs = t0.elapsed().as_secs_f64();
                println!(
                    "submit clients={clients} jobs={total} secs={secs:.3} rate={:.0}",
                    total as f64 / secs
                );
            }
            Cmd::Throughput { jobs, function } => {
                let sched = client::connect(&args.conn).await?;
                let t0 = Instant::now();
                let ids = submit_many(&sched, function, *jobs, 256).await?;
                let last = *ids.iter().max().expect("jobs submitted");
                let mut ended = 0;
                for id in ids {
                    let mut req = sched.wait_job_request();
                    req.get().set_job_id(id);
                    let reply = req.send().promise.await.rpc()?;
                    let state = reply.get()?.get_job()?.get_state()?;
                    if state == fbatch_proto::sched_capnp::JobState::Completed {
                        ended += 1;
                    }
                }
                let secs = t0.elapsed().as_secs_f64();
                println!(
                    "throughput jobs={jobs} completed={ended} last={last} secs={secs:.3} rate={:.0}",
                    *jobs as f64 / secs
                );
            }
            Cmd::Sim { nodes, slots, jobs } => sim(*nodes, *slots, *jobs),
        }
        Ok(0)
    })
}

/// The core alone: register nodes, queue jobs, time cycles.
fn sim(nodes: usize, slots: u32, jobs: usize) {
    let mut c = Cluster::new();
    for i in 0..nodes {
        c.register_node(&format!("n{i:05}"), slots, &[], 0);
    }
    let t = Instant::now();
    for i in 0..jobs {
        let req = JobRequest {
            function: "f".into(),
            ntasks: 1 + (i % 4) as u32,
            output_pattern: "/dev/null".into(),
            user: "bench".into(),
            uid: 1000,
            time_limit_secs: 60 + (i % 7) as u32 * 600,
            ..Default::default()
        };
        c.submit(req, "h".into(), 0).expect("valid job");
    }
    let submit_ms = t.elapsed().as_secs_f64() * 1e3;
    c.take_dirty();
    let t = Instant::now();
    let first = c.schedule(1000);
    let fill_ms = t.elapsed().as_secs_f64() * 1e3;
    let started = first.len();
    // Steady state: the cluster is full and the queue long. One job ends and a
    // cycle runs (the common case), many times.
    let running: Vec<(String, u64)> = first
        .iter()
        .filter_map(|a| match a {
            schedd::core::Action::Launch { key, node, .. } => Some((node.clone(), *key)),
            _ => None,
        })
        .collect();
    let mut cycle_ms = Vec::new();
    for (i, (node, key)) in running.iter().take(50).enumerate() {
        let now = 2000 + i as i64;
        c.report(
            node,
            *key,
            NodeReport::new(schedd::core::JobState::Completed, ""),
            now,
        );
        let t = Instant::now();
        c.schedule(now);
        cycle_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    cycle_ms.sort_by(f64::total_cmp);
    let median = cycle_ms[cycle_ms.len() / 2];
    let max = cycle_ms.last().copied().unwrap_or(0.0);
    println!(
        "sim nodes={nodes} slots={slots} jobs={jobs} queue_ms={submit_ms:.0} \
         fill_cycle_ms={fill_ms:.1} fill_launches={started} pending={} \
         steady_cycle_ms_median={median:.2} steady_cycle_ms_max={max:.2}",
        c.pending_count()
    );
}
