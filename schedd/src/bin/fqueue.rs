//! `fqueue`: show the job queue (squeue-like).

use clap::Parser;
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
    /// Only these job ids (comma-separated).
    #[arg(short = 'j', long = "jobs", value_delimiter = ',')]
    jobs: Vec<u64>,
}

/// Whether a job passes the -u / -t / -j filters.
fn wanted(args: &Args, j: &JobView) -> bool {
    let states: Vec<String> = args.states.iter().map(|s| s.to_uppercase()).collect();
    (args.users.is_empty() || args.users.contains(&j.user))
        && (args.jobs.is_empty() || args.jobs.contains(&j.job_id))
        && (states.is_empty()
            || states
                .iter()
                .any(|s| s == "ALL" || *s == j.state_code || *s == j.state))
}

fn main() {
    let args = Args::parse();
    client::run("fqueue", || async move {
        let sched = client::connect(&args.conn).await?;
        let mut req = sched.list_jobs_request();
        // Filters may name finished jobs: fetch them too.
        let filtered = !args.states.is_empty() || !args.jobs.is_empty();
        req.get().set_all(args.all || filtered);
        let reply = req.send().promise.await.rpc()?;
        let now = schedd::server::now_ms();
        let jobs = reply
            .get()?
            .get_jobs()?
            .iter()
            .map(|j| JobView::from_wire(j, now))
            .collect::<capnp::Result<Vec<_>>>()?
            .into_iter()
            .filter(|j| wanted(&args, j))
            .collect::<Vec<_>>();
        output::select(args.json, args.parsable).queue(&jobs, !args.noheader);
        Ok(0)
    })
}
