//! `fcancel`: cancel jobs (scancel-like).

use clap::Parser;
use schedd::client::{self, ConnArgs, RpcResult};

#[derive(Parser)]
#[command(name = "fcancel", about = "Cancel pending or running jobs")]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    /// Job ids.
    #[arg(required = true)]
    jobs: Vec<u64>,
}

fn main() {
    let args = Args::parse();
    client::run("fcancel", || async move {
        let (uid, _) = client::current_user();
        let sched = client::connect(&args.conn).await?;
        let mut req = sched.cancel_request();
        req.get().set_uid(uid);
        let mut ids = req.get().init_job_ids(args.jobs.len() as u32);
        for (i, id) in args.jobs.iter().enumerate() {
            ids.set(i as u32, *id);
        }
        let reply = req.send().promise.await.rpc()?;
        let mut code = 0;
        for (id, err) in args.jobs.iter().zip(reply.get()?.get_errors()?.iter()) {
            let err = err?.to_str()?;
            if !err.is_empty() {
                eprintln!("fcancel: error: Kill job error on job id {id}: {err}");
                code = 1;
            }
        }
        Ok(code)
    })
}
