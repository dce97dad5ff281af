//! `facct`: finished-job history (sacct-like).

use clap::Parser;
use schedd::client::view::JobView;
use schedd::client::{self, output, ConnArgs, RpcResult};

#[derive(Parser)]
#[command(
    name = "facct",
    about = "Show finished jobs: state, exit code (exit:signal), elapsed time, peak memory per rank"
)]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    /// Only these job ids (an array's id selects all its tasks, ID_TASK one).
    #[arg(short = 'j', long = "jobs", value_delimiter = ',')]
    jobs: Vec<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Print fields separated by '|'.
    #[arg(long)]
    parsable: bool,
    /// Omit the header line.
    #[arg(long)]
    noheader: bool,
}

fn main() {
    let args = Args::parse();
    client::run("facct", || async move {
        let sched = client::connect(&args.conn).await?;
        let ids: Vec<u64> = client::resolve_job_ids(&sched, &args.jobs)
            .await?
            .into_iter()
            .flat_map(|(_, ids)| ids)
            .collect();
        let mut req = sched.list_jobs_request();
        req.get().set_all(true);
        let reply = req.send().promise.await.rpc()?;
        let now = schedd::server::now_ms();
        let jobs = reply
            .get()?
            .get_jobs()?
            .iter()
            .map(|j| JobView::from_wire(j, now))
            .collect::<capnp::Result<Vec<_>>>()?
            .into_iter()
            .filter(|j| j.is_final() && (args.jobs.is_empty() || ids.contains(&j.job_id)))
            .collect::<Vec<_>>();
        output::select(args.json, args.parsable).accounting(&jobs, !args.noheader);
        Ok(0)
    })
}
