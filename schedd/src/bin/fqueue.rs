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
}

fn main() {
    let args = Args::parse();
    client::run("fqueue", || async move {
        let sched = client::connect(&args.conn).await?;
        let mut req = sched.list_jobs_request();
        req.get().set_all(args.all);
        let reply = req.send().promise.await.rpc()?;
        let now = schedd::server::now_ms();
        let jobs = reply
            .get()?
            .get_jobs()?
            .iter()
            .map(|j| JobView::from_wire(j, now))
            .collect::<capnp::Result<Vec<_>>>()?;
        output::select(args.json, args.parsable).queue(&jobs, !args.noheader);
        Ok(0)
    })
}
