//! `frelease`: release jobs submitted with `fsub --hold` (scontrol release).

use clap::Parser;
use schedd::client::{self, ConnArgs, RpcResult};

#[derive(Parser)]
#[command(name = "frelease", about = "Release held pending jobs")]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    /// Job ids.
    #[arg(required = true)]
    jobs: Vec<u64>,
}

fn main() {
    let args = Args::parse();
    client::run("frelease", || async move {
        let (uid, _) = client::current_user();
        let sched = client::connect(&args.conn).await?;
        let mut req = sched.hold_request();
        req.get().set_release(true);
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
                eprintln!("frelease: error: job {id}: {err}");
                code = 1;
            }
        }
        Ok(code)
    })
}
