//! `fqueue`: show the job queue (squeue-like).

use clap::Parser;
use schedd::client::format::{self, Format};
use schedd::client::view::JobView;
use schedd::client::{self, output, ConnArgs, RpcResult};

#[derive(Parser)]
#[command(name = "fqueue", about = "Show pending and running jobs")]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    /// Also show finished jobs.
    #[arg(short = 'a', long = "all")]
    all: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Print fields separated by '|'.
    #[arg(long)]
    parsable: bool,
    /// Omit the header line.
    #[arg(long)]
    noheader: bool,
    /// Only jobs of these users (comma-separated names).
    #[arg(short = 'u', long = "user", value_delimiter = ',')]
    users: Vec<String>,
    /// Only jobs in these states: codes (PD,R,CG,CD,F,CA,TO,OOM,NF) or names
    /// (PENDING,RUNNING,...), comma-separated; "all" for every state.
    #[arg(short = 't', long = "states", value_delimiter = ',')]
    states: Vec<String>,
    /// Only these job ids (comma-separated; an array's id selects all its tasks,
    /// ID_TASK one of them).
    #[arg(short = 'j', long = "jobs", value_delimiter = ',')]
    jobs: Vec<String>,
    /// Only jobs of these partitions (comma-separated).
    #[arg(short = 'p', long = "partition", value_delimiter = ',')]
    partitions: Vec<String>,
    /// Output format with squeue's % fields, e.g. "%.18i %.9P %.8j %.2t %R"
    /// (%i id, %P partition, %j name, %u user, %t/%T state, %M time, %l limit,
    /// %D nodes, %C tasks, %R nodes or reason, %r reason, %Q priority, %S start,
    /// %V submit, %A/%a array job/task, %E dependency, %o command).
    #[arg(short = 'o', long = "format")]
    format: Option<String>,
    /// Pending jobs with their expected start times (from the time limits of
    /// what runs and what is ahead of them).
    #[arg(long)]
    start: bool,
}

/// Whether a job passes the -u / -t / -j / -p filters.
fn wanted(args: &Args, ids: &[u64], j: &JobView) -> bool {
    let states: Vec<String> = args.states.iter().map(|s| s.to_uppercase()).collect();
    (args.users.is_empty() || args.users.contains(&j.user))
        && (args.jobs.is_empty() || ids.contains(&j.job_id))
        && (args.partitions.is_empty() || args.partitions.contains(&j.partition))
        && (!args.start || j.state_code == "PD")
        && (states.is_empty()
            || states
                .iter()
                .any(|s| s == "ALL" || *s == j.state_code || *s == j.state))
}

fn main() {
    let args = Args::parse();
    client::run("fqueue", || async move {
        let format = Format::parse(args.format.as_deref().unwrap_or(if args.start {
            format::START
        } else {
            format::DEFAULT
        }))
        .map_err(anyhow::Error::msg)?;
        let sched = client::connect(&args.conn).await?;
        let ids: Vec<u64> = client::resolve_job_ids(&sched, &args.jobs)
            .await?
            .into_iter()
            .flat_map(|(_, ids)| ids)
            .collect();
        let mut req = sched.list_jobs_request();
        // Filters may name finished jobs: fetch them too.
        let filtered = !args.states.is_empty() || !args.jobs.is_empty();
        req.get().set_all(args.all || filtered);
        req.get().set_start(args.start);
        let reply = req.send().promise.await.rpc()?;
        let now = schedd::server::now_ms();
        let jobs = reply
            .get()?
            .get_jobs()?
            .iter()
            .map(|j| JobView::from_wire(j, now))
            .collect::<capnp::Result<Vec<_>>>()?
            .into_iter()
            .filter(|j| wanted(&args, &ids, j))
            .collect::<Vec<_>>();
        output::select(args.json, args.parsable).queue(&jobs, &format, !args.noheader);
        Ok(0)
    })
}
